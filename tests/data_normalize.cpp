// Normalization: hand-computed shift and scale for standardize and min_max (constant features included), Iris
// statistics against Python's statistics.pstdev, fitted on one split and applied to another, and the errors.
#include <ctnn/data/csv.hpp>
#include <ctnn/data/normalize.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <filesystem>
#include <limits>
#include <string>

using ctnn::data::data_error;
using ctnn::data::normalization;
using ctnn::data::normalizer;

#include "support/error_message.hpp"

namespace {

// Feature 0: 1, 2, 3, 6 (mean 3, population variance (4 + 1 + 0 + 9) / 4 = 3.5); feature 1: always 10.
ctnn::data::dataset<2, 1, double> small() {
    ctnn::data::dataset<2, 1, double> d;
    for (double v : {1.0, 2.0, 3.0, 6.0}) d.add({v, 10.0}, {0.0});
    return d;
}

template <class F>
std::string message_of(F&& f) {
    return ctnn_test::message_of<data_error>(std::forward<F>(f));
}

}  // namespace

TEST_CASE("none: shift 0, scale 1, inputs unchanged", "[data][normalize]") {
    normalizer<2, double> n;
    CHECK(n.kind == normalization::none);
    auto d = small();
    n.fit(d);
    CHECK(n.shift == std::array<double, 2>{0, 0});
    CHECK(n.scale == std::array<double, 2>{1, 1});
    n.apply(d);
    CHECK(d.inputs[3] == std::array<double, 2>{6, 10});
}

TEST_CASE("standardize: mean and population standard deviation; a constant feature gets scale 1",
          "[data][normalize]") {
    normalizer<2, double> n(normalization::standardize);
    auto d = small();
    n.fit(d);
    CHECK(n.shift[0] == 3.0);
    CHECK(n.scale[0] == Approx(1.0 / std::sqrt(3.5)).epsilon(1e-15));
    CHECK(n.shift[1] == 10.0);
    CHECK(n.scale[1] == 1.0);
    n.apply(d);
    double mean = 0, squares = 0;
    for (const auto& x : d.inputs) mean += x[0] / 4;
    for (const auto& x : d.inputs) squares += x[0] * x[0] / 4;
    CHECK(mean == Approx(0).margin(1e-15));
    CHECK(squares == Approx(1).epsilon(1e-15));
    CHECK(d.inputs[3][0] == Approx(3.0 / std::sqrt(3.5)).epsilon(1e-15));
    for (const auto& x : d.inputs) CHECK(x[1] == 0.0);
}

TEST_CASE("min_max: onto [0, 1] or a given range; a constant feature becomes lo", "[data][normalize]") {
    normalizer<2, double> n(normalization::min_max);
    auto d = small();
    n.fit(d);
    CHECK(n.shift == std::array<double, 2>{1, 10});
    CHECK(n.scale == std::array<double, 2>{0.2, 1});
    CHECK(n.applied({1, 10}) == std::array<double, 2>{0, 0});
    CHECK(n.applied({6, 10}) == std::array<double, 2>{1, 0});
    CHECK(n.applied({3.5, 10}) == std::array<double, 2>{0.5, 0});

    normalizer<2, double> m(normalization::min_max, -1, 1);
    m.fit(d);
    // scale = 2 / 5, shift = min - lo / scale = 1 + 2.5; the constant feature: scale 1, shift 10 - (-1).
    CHECK(m.scale == std::array<double, 2>{0.4, 1});
    CHECK(m.shift == std::array<double, 2>{3.5, 11});
    CHECK(m.applied({1, 10})[0] == Approx(-1).epsilon(1e-15));
    CHECK(m.applied({6, 10})[0] == Approx(1).epsilon(1e-15));
    CHECK(m.applied({1, 10})[1] == -1.0);
}

TEST_CASE("Fitted on the training data, applied unchanged to other data", "[data][normalize]") {
    normalizer<2, double> n(normalization::standardize);
    n.fit(small());
    ctnn::data::dataset<2, 1, double> other;
    other.add({3.0, 12.0}, {1.0});
    other.add({3.0 + std::sqrt(3.5), 10.0}, {1.0});
    n.apply(other);
    CHECK(other.inputs[0] == std::array<double, 2>{0.0, 2.0});
    CHECK(other.inputs[1][0] == Approx(1.0).epsilon(1e-15));
    CHECK(other.targets[0][0] == 1.0);  // targets untouched
}

TEST_CASE("Iris statistics match Python's statistics.fmean / pstdev", "[data][normalize]") {
    ctnn::data::csv_options o;
    o.label = "species";
    const auto iris =
        ctnn::data::load_csv<4, 3, double>(std::filesystem::path(CTNN_TEST_DATA_DIR) / ".." / "examples" / "iris" /
                                               "iris.csv",
                                           o);
    normalizer<4, double> n(normalization::standardize);
    n.fit(iris);
    const std::array<double, 4> mean{5.843333333333334, 3.0573333333333337, 3.7580000000000005, 1.1993333333333334};
    const std::array<double, 4> sd{0.8253012917851409, 0.43441096773549454, 1.759404065775303, 0.7596926279021594};
    for (std::size_t k = 0; k < 4; ++k) {
        CHECK(n.shift[k] == Approx(mean[k]).epsilon(1e-14));
        CHECK(n.scale[k] == Approx(1.0 / sd[k]).epsilon(1e-14));
    }
    normalizer<4, double> m(normalization::min_max);
    m.fit(iris);
    CHECK(m.shift == std::array<double, 4>{4.3, 2.0, 1.0, 0.1});
    CHECK(m.scale[2] == Approx(1.0 / 5.9).epsilon(1e-15));
}

TEST_CASE("float normalizers store the double statistics rounded to float", "[data][normalize]") {
    ctnn::data::dataset<1, 1, float> d;
    for (float v : {0.1f, 0.2f, 0.7f}) d.add({v}, {0.0f});
    normalizer<1, float> n(normalization::standardize);
    n.fit(d);
    const double mean = (double(0.1f) + double(0.2f) + double(0.7f)) / 3;
    const double var = ((double(0.1f) - mean) * (double(0.1f) - mean) + (double(0.2f) - mean) * (double(0.2f) - mean) +
                        (double(0.7f) - mean) * (double(0.7f) - mean)) /
                       3;
    CHECK(n.shift[0] == static_cast<float>(mean));
    CHECK(n.scale[0] == static_cast<float>(1.0 / std::sqrt(var)));
}

TEST_CASE("fit refuses empty data, NaN and infinite inputs (naming the sample and feature), bad ranges",
          "[data][normalize]") {
    normalizer<2, double> n(normalization::standardize);
    CHECK(message_of([&] { n.fit(ctnn::data::dataset<2, 1, double>{}); }) ==
          "normalizer::fit: the dataset is empty");
    auto d = small();
    d.inputs[2][1] = std::numeric_limits<double>::quiet_NaN();
    CHECK(message_of([&] { n.fit(d); }) == "normalizer::fit: inputs[2][1] is NaN");
    d.inputs[2][1] = 1;
    d.inputs[3][0] = -std::numeric_limits<double>::infinity();
    CHECK(message_of([&] { n.fit(d); }) == "normalizer::fit: inputs[3][0] is infinite");
    CHECK(n.shift == std::array<double, 2>{0, 0});  // unchanged by a failed fit
    normalizer<2, double> m(normalization::min_max, 1, 1);
    CHECK(message_of([&] { m.fit(small()); }) == "normalizer::fit: min_max needs finite lo < hi");
}
