// L1 / L2 penalties: the value against a sum over p.weight(layer, out, in) by hand, the gradient against that
// formula and against central finite differences of the value (double), biases and padding untouched.
#include <ctnn/ctnn.hpp>
#include <ctnn/train/regularization.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <memory>

namespace {
using Net = ctnn::network<ctnn::input<3>, ctnn::dense<4, ctnn::relu>, ctnn::dense<2>>;
using P = Net::parameters<double>;
}  // namespace

TEST_CASE("weight_penalty is l1 sum |w| + l2 sum w^2 over the weights only") {
    auto p = std::make_unique<P>();
    ctnn::initialize(*p, ctnn::uniform{1.0}, 7);
    p->weight(0, 1, 2) = 0;  // sign(0) = 0 below
    double abs_sum = 0, sq_sum = 0;
    for (std::size_t layer = 0; layer < 2; ++layer) {
        const std::size_t in = layer == 0 ? 3 : 4, out = layer == 0 ? 4 : 2;
        for (std::size_t o = 0; o < out; ++o)
            for (std::size_t i = 0; i < in; ++i) {
                abs_sum += std::abs(p->weight(layer, o, i));
                sq_sum += p->weight(layer, o, i) * p->weight(layer, o, i);
            }
    }
    CHECK(ctnn::weight_penalty(*p, 0.3, 0) == Approx(0.3 * abs_sum).epsilon(1e-14));
    CHECK(ctnn::weight_penalty(*p, 0, 0.7) == Approx(0.7 * sq_sum).epsilon(1e-14));
    CHECK(ctnn::weight_penalty(*p, 0.3, 0.7) == Approx(0.3 * abs_sum + 0.7 * sq_sum).epsilon(1e-14));
    CHECK(ctnn::weight_penalty(*p, 0, 0) == 0);
    // Biases do not count.
    const double before = ctnn::weight_penalty(*p, 0.3, 0.7);
    p->bias(0, 0) += 5;
    p->bias(1, 1) -= 5;
    CHECK(ctnn::weight_penalty(*p, 0.3, 0.7) == before);
}

TEST_CASE("add_weight_penalty_gradient matches the formula and finite differences") {
    auto p = std::make_unique<P>();
    ctnn::initialize(*p, ctnn::uniform{1.0}, 3);
    p->weight(1, 0, 3) = 0;
    const double l1 = 0.02, l2 = 0.05;
    auto g = std::make_unique<P>();
    g->fill(0.25);  // it adds
    ctnn::add_weight_penalty_gradient(*p, l1, l2, *g);
    for (std::size_t layer = 0; layer < 2; ++layer) {
        const auto& l = Net::layout<double>[layer];
        for (std::size_t o = 0; o < l.out; ++o) {
            CHECK(g->bias(layer, o) == 0.25);
            for (std::size_t i = 0; i < l.in; ++i) {
                const double w = p->weight(layer, o, i);
                const double sign = w > 0 ? 1 : (w < 0 ? -1 : 0);
                CHECK(g->weight(layer, o, i) == Approx(0.25 + l1 * sign + 2 * l2 * w).epsilon(1e-14));
                if (w == 0) continue;  // |w| has no derivative at 0
                const double h = 1e-6, keep = w;
                p->weight(layer, o, i) = keep + h;
                const double up = ctnn::weight_penalty(*p, l1, l2);
                p->weight(layer, o, i) = keep - h;
                const double down = ctnn::weight_penalty(*p, l1, l2);
                p->weight(layer, o, i) = keep;
                CHECK(g->weight(layer, o, i) - 0.25 == Approx((up - down) / (2 * h)).epsilon(1e-6));
            }
        }
    }
    // The padding stays 0: only real weights are touched.
    auto zero = std::make_unique<P>();
    ctnn::add_weight_penalty_gradient(*p, l1, l2, *zero);
    std::size_t nonzero = 0;
    for (double v : zero->data) nonzero += v != 0 ? 1 : 0;
    CHECK(nonzero == 3 * 4 + 4 * 2 - 1);  // every weight but the one at 0 (l1 sign 0, l2 * 0)
}
