// ctnn_generate_header() in ctnn's own build: headers generated at build time from small_float32.ctnn.json and
// small_float64.ctnn.json compute what the library computes with the same file loaded into the matching network.
#include <catch2/catch.hpp>

#include <cstddef>
#include <vector>

#include <ctnn/ctnn.hpp>
#include <ctnn/io.hpp>

#include "generated_cxx17.hpp"
// Also included by generated_cxx17.cpp: its variables must have one definition across translation units.
#include <gen_cli_small_loops.hpp>

namespace {

using Net = ctnn::network<ctnn::input<2>, ctnn::dense<3, ctnn::tanh>, ctnn::dense<1, ctnn::leaky_relu<1, 100>>>;

template <class T>
const Net::parameters<T>& loaded(const char* name) {
    static Net::parameters<T> p;
    ctnn::load(std::string(CTNN_TEST_DATA_DIR) + "/data/models/" + name, p);
    return p;
}

// A grid that crosses zero in both inputs (both leaky_relu branches), then random points.
std::vector<std::array<double, 2>> inputs() {
    std::vector<std::array<double, 2>> xs;
    for (double a : {-3.0, -1.5, -0.25, 0.0, 0.4, 2.5})
        for (double b : {-2.0, -0.5, 0.0, 0.75, 3.0}) xs.push_back({a, b});
    ctnn::random_source r(7);
    for (int k = 0; k < 50; ++k) xs.push_back({r.uniform(-4, 4), r.uniform(-4, 4)});
    return xs;
}

template <class T, class Forward>
void compare(const Net::parameters<T>& p, Forward generated, double tolerance) {
    int negative = 0;
    for (const auto& xd : inputs()) {
        const T x[2] = {static_cast<T>(xd[0]), static_cast<T>(xd[1])};
        T expected[1] = {};
        T actual[1] = {};
        Net::forward<ctnn::scalar_arch>(p, x, expected);
        generated(x, actual);
        INFO("x = (" << x[0] << ", " << x[1] << ")");
        CHECK(actual[0] == Approx(expected[0]).epsilon(tolerance).margin(tolerance));
        negative += expected[0] < 0;
    }
    CHECK(negative > 5);  // the negative slope was exercised
}

}  // namespace

TEST_CASE("generated headers declare the model's sizes") {
    STATIC_REQUIRE(gen_cli_small_loops::input_size == 2);
    STATIC_REQUIRE(gen_cli_small_loops::output_size == 1);
    STATIC_REQUIRE(gen_cli_small_loops::parameter_count == Net::parameter_count);
}

TEST_CASE("float32 headers (loops, full, simd) match the library") {
    const auto& p = loaded<float>("small_float32.ctnn.json");
    SECTION("loops, through this C++20 file") { 
        compare<float>(p, [](const float* x, float* y) { gen_cli_small_loops::forward(x, y); }, 1e-6);
    }
    SECTION("loops, through the C++17 file") { compare<float>(p, gen_cli::forward_loops, 1e-6); }
    SECTION("full") { compare<float>(p, gen_cli::forward_full, 1e-6); }
    SECTION("simd") { compare<float>(p, gen_cli::forward_simd, 1e-6); }
}

TEST_CASE("a float64 header matches the library") {
    compare<double>(loaded<double>("small_float64.ctnn.json"), gen_cli::forward_double, 1e-14);
}
