// The network type: sizes and layout at compile time, forward/backward on every architecture path,
// batch forward, and the PyTorch layout round-trip.
#include <ctnn/ctnn.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <vector>

namespace {

using Net = ctnn::network<ctnn::input<8>, ctnn::dense<16, ctnn::tanh>, ctnn::dense<16, ctnn::tanh>, ctnn::dense<1>>;
static_assert(Net::input_size == 8 && Net::output_size == 1);
static_assert(Net::layer_count == 3);
static_assert(Net::parameter_count == 8 * 16 + 16 + 16 * 16 + 16 + 16 * 1 + 1);
static_assert(Net::in_size<0> == 8 && Net::out_size<0> == 16);
static_assert(Net::in_size<2> == 16 && Net::out_size<2> == 1);
static_assert(Net::layout<float>[0].weight_offset == 0);
static_assert(Net::layout<float>[0].stride == 16 && Net::layout<double>[0].stride == 16);
static_assert(Net::layout<float>[2].stride == 16 && Net::layout<double>[2].stride == 8);
static_assert(Net::layout<float>[1].weight_offset == 8 * 16 + 16);
static_assert(Net::layout<float>[0].bias_offset == 8 * 16);
static_assert(alignof(Net::parameters<float>) == 64 && alignof(Net::workspace<double>) == 64);
static_assert(Net::layout<float>[0].activation == "tanh" && Net::layout<float>[2].activation == "identity");

// Every row starts on a cache line.
template <class N, class T>
constexpr bool rows_aligned() {
    for (const auto& l : N::template layout<T>)
        if ((l.weight_offset * sizeof(T)) % 64 != 0 || (l.bias_offset * sizeof(T)) % 64 != 0 ||
            (l.stride * sizeof(T)) % 64 != 0)
            return false;
    return true;
}
static_assert(rows_aligned<Net, float>() && rows_aligned<Net, double>());

using Wide = ctnn::network<ctnn::input<37>, ctnn::dense<129, ctnn::relu>, ctnn::dense<70, ctnn::gelu>,
                           ctnn::dense<10, ctnn::softmax>>;
static_assert(rows_aligned<Wide, float>() && rows_aligned<Wide, double>());
using Tiny = ctnn::network<ctnn::input<1>, ctnn::dense<1, ctnn::sigmoid>>;

template <class N, class T>
typename N::template parameters<T>& make_params(std::uint64_t seed) {
    static typename N::template parameters<T> p;
    ctnn::initialize(p, ctnn::uniform{0.5}, seed);
    return p;
}

template <class T>
std::vector<T> random_vector(std::size_t n, std::uint64_t seed) {
    ctnn::random_source r(seed);
    std::vector<T> v(n);
    for (auto& x : v) x = static_cast<T>(r.uniform(-2, 2));
    return v;
}

template <class T>
void require_close(T a, T b, double rel) {
    INFO(a << " vs " << b);
    REQUIRE(std::abs(double(a) - double(b)) <= rel * (1.0 + std::abs(double(b))));
}

// The SIMD path and the scalar path are two implementations of one function.
template <class N, class T>
void check_simd_matches_scalar(double rel) {
    auto& p = make_params<N, T>(7);
    const auto xv = random_vector<T>(N::input_size, 3);
    std::array<T, N::input_size> x;
    std::copy(xv.begin(), xv.end(), x.begin());
    std::array<T, N::output_size> y_simd, y_scalar;
    N::forward(p, x, y_simd);
    N::template forward<ctnn::scalar_arch>(p, x, y_scalar);
    for (std::size_t o = 0; o < N::output_size; ++o) require_close(y_simd[o], y_scalar[o], rel);

    static typename N::template workspace<T> ws;
    static typename N::template gradients<T> g_simd, g_scalar;
    g_simd = {};
    g_scalar = {};
    const auto dyv = random_vector<T>(N::output_size, 5);
    std::array<T, N::output_size> dy;
    std::copy(dyv.begin(), dyv.end(), dy.begin());
    std::array<T, N::input_size> dx_simd, dx_scalar;
    N::forward(p, x, y_simd, ws);
    N::backward(p, ws, dy, g_simd, dx_simd);
    N::template forward<ctnn::scalar_arch>(p, x, y_scalar, ws);
    N::template backward<ctnn::scalar_arch>(p, ws, dy, g_scalar, dx_scalar);
    for (std::size_t i = 0; i < N::input_size; ++i) require_close(dx_simd[i], dx_scalar[i], rel);
    for (std::size_t k = 0; k < N::template storage_size<T>; ++k) require_close(g_simd.data[k], g_scalar.data[k], rel);
}

}  // namespace

TEST_CASE("the SIMD and scalar kernels agree", "[network]") {
    check_simd_matches_scalar<Net, float>(1e-5);
    check_simd_matches_scalar<Net, double>(1e-13);
    check_simd_matches_scalar<Wide, float>(1e-5);
    check_simd_matches_scalar<Wide, double>(1e-13);
    check_simd_matches_scalar<Tiny, float>(1e-6);
}

TEST_CASE("forward with a workspace gives the same outputs as without", "[network]") {
    auto& p = make_params<Wide, float>(11);
    const auto xv = random_vector<float>(Wide::input_size, 12);
    float x[Wide::input_size];
    std::copy(xv.begin(), xv.end(), x);
    float y1[Wide::output_size], y2[Wide::output_size];
    static Wide::workspace<float> ws;
    Wide::forward(p, x, y1);
    Wide::forward(p, x, y2, ws);
    for (std::size_t o = 0; o < Wide::output_size; ++o) REQUIRE(y1[o] == y2[o]);
    float sum = 0;
    for (float v : y1) sum += v;
    REQUIRE(sum == Approx(1.0f).epsilon(1e-6));
}

TEST_CASE("batch forward equals forward sample by sample", "[network]") {
    auto& p = make_params<Net, float>(21);
    float xs[5][8], ys[5][1];
    ctnn::random_source r(2);
    for (auto& row : xs)
        for (auto& v : row) v = static_cast<float>(r.uniform(-1, 1));
    Net::forward_batch(p, xs, ys);
    for (std::size_t b = 0; b < 5; ++b) {
        float y[1];
        Net::forward(p, xs[b], y);
        REQUIRE(ys[b][0] == y[0]);
    }
}

TEST_CASE("backward accumulates into the gradients", "[network]") {
    auto& p = make_params<Net, double>(31);
    static Net::workspace<double> ws;
    static Net::gradients<double> once, twice;
    double x[8] = {0.1, -0.2, 0.3, -0.4, 0.5, -0.6, 0.7, -0.8}, y[1], dy[1] = {1.5};
    Net::forward(p, x, y, ws);
    Net::backward(p, ws, dy, once);
    Net::backward(p, ws, dy, twice);
    Net::backward(p, ws, dy, twice);
    for (std::size_t k = 0; k < Net::storage_size<double>; ++k) REQUIRE(twice.data[k] == Approx(2 * once.data[k]));
}

TEST_CASE("PyTorch layout import and export round-trip and address weight[out][in]", "[network]") {
    static Wide::parameters<float> p, q;
    std::vector<float> flat(Wide::parameter_count);
    for (std::size_t k = 0; k < flat.size(); ++k) flat[k] = static_cast<float>(k) * 0.25f - 7.0f;
    ctnn::import_torch(p, std::span<const float, Wide::parameter_count>(flat.data(), flat.size()));
    // Layer 1's weight[3][5] sits after layer 0 (37*129 + 129 values), at row 3, column 5 of a 129-wide row.
    REQUIRE(p.weight(1, 3, 5) == flat[37 * 129 + 129 + 3 * 129 + 5]);
    REQUIRE(p.bias(0, 128) == flat[37 * 129 + 128]);
    std::vector<float> back(Wide::parameter_count);
    ctnn::export_torch(p, std::span<float, Wide::parameter_count>(back.data(), back.size()));
    REQUIRE(back == flat);
    ctnn::import_torch(q, std::span<const float, Wide::parameter_count>(back.data(), back.size()));
    for (std::size_t k = 0; k < Wide::storage_size<float>; ++k) REQUIRE(q.data[k] == p.data[k]);
}

TEST_CASE("padding stays zero after initialization", "[network]") {
    auto& p = make_params<Wide, float>(41);
    std::size_t nonzero = 0;
    for (std::size_t k = 0; k < Wide::storage_size<float>; ++k) nonzero += p.data[k] != 0.0f;
    REQUIRE(nonzero <= Wide::parameter_count);
    for (const auto& l : Wide::layout<float>)
        for (std::size_t i = 0; i < l.in; ++i)
            for (std::size_t o = l.out; o < l.stride; ++o) REQUIRE(p.data[l.weight_offset + i * l.stride + o] == 0.0f);
}

TEST_CASE("initialization is deterministic and seed-dependent", "[network]") {
    static Net::parameters<float> a, b, c;
    ctnn::initialize(a, ctnn::xavier_uniform{}, 42);
    ctnn::initialize(b, ctnn::xavier_uniform{}, 42);
    ctnn::initialize(c, ctnn::xavier_uniform{}, 43);
    bool same_ab = true, same_ac = true;
    for (std::size_t k = 0; k < Net::storage_size<float>; ++k) {
        same_ab = same_ab && a.data[k] == b.data[k];
        same_ac = same_ac && a.data[k] == c.data[k];
    }
    REQUIRE(same_ab);
    REQUIRE_FALSE(same_ac);
    const double bound = std::sqrt(6.0 / (8 + 16));
    for (std::size_t o = 0; o < 16; ++o)
        for (std::size_t i = 0; i < 8; ++i) REQUIRE(std::abs(a.weight(0, o, i)) <= bound);
    // SplitMix64's published first output for seed 0 (0xE220A8397B1DCDAF) pins the generator across platforms.
    ctnn::random_source r(0);
    REQUIRE(r.next() == 0xE220A8397B1DCDAFull);
}

TEST_CASE("trainable_ranges: the trainable values as maximal runs, in order") {
    using A = ctnn::network<ctnn::input<8>, ctnn::dense<16, ctnn::tanh>, ctnn::dense<16, ctnn::tanh>, ctnn::dense<1>>;
    // float rows hold 16 values: layers 0 and 1 fill their rows, so they and the first row of layer 2 are one run;
    // layer 2's other 15 rows (one value each) and its bias are runs of 1.
    constexpr auto r = A::trainable_ranges<float>;
    STATIC_REQUIRE(r.size() == 17);
    CHECK(r[0].begin == 0);
    CHECK(r[0].end == 417);
    for (std::size_t i = 1; i < 16; ++i) {
        CHECK(r[i].begin == 416 + 16 * i);
        CHECK(r[i].end == r[i].begin + 1);
    }
    CHECK(r[16].begin == A::layout<float>[2].bias_offset);
    CHECK(r[16].end == r[16].begin + 1);

    const auto check_runs = [](const auto& ranges, std::size_t parameter_count) {
        std::size_t total = 0;
        for (std::size_t i = 0; i < ranges.size(); ++i) {
            CHECK(ranges[i].begin < ranges[i].end);
            if (i > 0) CHECK(ranges[i - 1].end < ranges[i].begin);  // maximal: never adjacent
            total += ranges[i].end - ranges[i].begin;
        }
        CHECK(total == parameter_count);
    };
    using B = ctnn::network<ctnn::input<5>, ctnn::dense<7, ctnn::relu>, ctnn::dense<33>, ctnn::dense<2, ctnn::softmax>>;
    check_runs(A::trainable_ranges<double>, A::parameter_count);
    check_runs(B::trainable_ranges<float>, B::parameter_count);
    check_runs(B::trainable_ranges<double>, B::parameter_count);
}

namespace {

// Backward on architecture Arch against the scalar kernels: gradients and dLoss/dx.
template <class Arch, class T>
void check_backward_width() {
    using N = ctnn::network<ctnn::input<19>, ctnn::dense<37, ctnn::tanh>, ctnn::dense<21, ctnn::relu>, ctnn::dense<3>>;
    static typename N::template parameters<T> p;
    static typename N::template workspace<T> ws, ws_scalar;
    static typename N::template gradients<T> g, g_scalar;
    ctnn::initialize(p, ctnn::xavier_uniform{}, 3);
    g.fill(T(0));
    g_scalar.fill(T(0));
    T x[19], y[3], dy[3] = {T(0.3), T(-0.7), T(1.1)}, dx[19], dx_scalar[19];
    for (std::size_t i = 0; i < 19; ++i) x[i] = static_cast<T>(std::sin(double(i)));
    N::template forward<Arch>(p, x, y, ws);
    N::template backward<Arch>(p, ws, dy, g, dx);
    N::template forward<ctnn::scalar_arch>(p, x, y, ws_scalar);
    N::template backward<ctnn::scalar_arch>(p, ws_scalar, dy, g_scalar, dx_scalar);
    const double tol = std::is_same_v<T, float> ? 1e-5 : 1e-12;
    for (std::size_t i = 0; i < 19; ++i) CHECK(std::abs(double(dx[i]) - double(dx_scalar[i])) <= tol);
    for (std::size_t k = 0; k < N::template storage_size<T>; ++k)
        CHECK(std::abs(double(g.data[k]) - double(g_scalar.data[k])) <= tol);
}

template <class Arch>
void check_backward_width_both() {
    check_backward_width<Arch, float>();
    check_backward_width<Arch, double>();
}

}  // namespace

// dLoss/dx is reduced N inputs at a time (kernels/dense.hpp, sum_rows): every register width this build can run.
TEST_CASE("backward agrees with the scalar kernels on every SIMD width the build has", "[network]") {
#if XSIMD_WITH_AVX512BW
    check_backward_width_both<xsimd::avx512bw>();
#endif
#if XSIMD_WITH_FMA3_AVX2
    check_backward_width_both<xsimd::fma3<xsimd::avx2>>();
#endif
#if XSIMD_WITH_SSE4_2
    check_backward_width_both<xsimd::sse4_2>();
#endif
#if XSIMD_WITH_NEON64
    check_backward_width_both<xsimd::neon64>();
#endif
    check_backward_width_both<ctnn::default_arch>();
}
