// ctnn-gen --unroll dot --math fast --static-buffers against Net::forward on the same model file.
#include <regression_fast.hpp>

#include <ctnn/ctnn.hpp>
#include <ctnn/io.hpp>
#include <ctnn/kernels/tanh_fast.hpp>

#include <catch2/catch.hpp>

#include <cmath>

namespace {
using Net = ctnn::network<ctnn::input<8>, ctnn::dense<16, ctnn::tanh>, ctnn::dense<16, ctnn::tanh>, ctnn::dense<1>>;
Net::parameters<float> params;
}  // namespace

TEST_CASE("a --math fast --unroll dot header computes the library's outputs to within tanh_fast's error") {
    ctnn::load(CTNN_REGRESSION_MODEL, params);
    static_assert(regression_fast::input_size == Net::input_size && regression_fast::output_size == Net::output_size);
    ctnn::random_source rng(7);
    double worst = 0;
    for (int k = 0; k < 500; ++k) {
        float x[8], want[1], got[1];
        const double scale = k < 250 ? 1.0 : 4.0;  // the second half saturates tanh, and reaches the clamp
        for (float& v : x) v = static_cast<float>(rng.uniform(-scale, scale));
        Net::forward(params, x, want);
        regression_fast::forward(x, got);
        const double e = std::fabs(double(got[0]) - want[0]) / std::fmax(1.0, std::fabs(double(want[0])));
        worst = std::fmax(worst, e);
    }
    INFO("worst difference " << worst);
    CHECK(worst <= 2e-5);
    CHECK(worst > 0);  // tanh_fast is not the library's tanh: equal bits everywhere would mean it was not used
}

TEST_CASE("the header's tanh is ctnn::tanh_fast") {
    CHECK(regression_fast::detail::act_tanh(0.5f) == ctnn::tanh_fast(0.5f));
    CHECK(regression_fast::detail::act_tanh(-3.0f) == ctnn::tanh_fast(-3.0f));
}
