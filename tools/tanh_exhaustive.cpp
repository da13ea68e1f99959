// Exhaustive accuracy check of ctnn::simd::tanh_approx (include/ctnn/kernels/tanh_approx.inc): every one of the
// 2^32 float bit patterns, on each xsimd architecture this build can run, against std::tanh in double (within
// one double ulp, i.e. 2^-29 float ulps). Not part of the test suite (about a minute per architecture on two cores).
//
//   g++ -std=c++20 -O2 -march=native -pthread -I include tools/tanh_exhaustive.cpp -o /tmp/tanh_exhaustive
//   /tmp/tanh_exhaustive            # prints the tables quoted in docs/activations.md; exit status 1 on a failure
//   /tmp/tanh_exhaustive 0.5 10     # only the floats in [0.5, 10] (quick, when trying other constants)
//
// Error measure (as in tests/activations.cpp): |y - tanh x| / ulp(max(|tanh x|, FLT_MIN)), ulp(v) = 2^(e - 23)
// for v in [2^e, 2^(e+1)). Also checked exactly: NaN -> NaN, tanh(-x) = -tanh(x) bit for bit, ±0 -> ±0,
// |x| >= 9.5 (and ±inf) -> ±1, |y| <= 1.
#include <ctnn/kernels/fast_math.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <thread>
#include <vector>

namespace {

float from_bits(std::uint32_t u) {
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
}
std::uint32_t to_bits(float f) {
    std::uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    return u;
}

double ulp_error(float y, double ref) {
    const double m = std::max(std::fabs(ref), double(std::numeric_limits<float>::min()));
    const double ulp = std::ldexp(1.0, std::ilogb(m) - 23);
    return std::fabs(double(y) - ref) / ulp;
}

// Largest error per range of |x|: below the split (0.6), up to the clamp (9.5), beyond; and per binade of |x|.
struct stats {
    double worst = 0;
    float worst_x = 0, worst_y = 0;
    double range_worst[3] = {0, 0, 0};
    double binade_worst[256] = {};
    double sum = 0;                   // of errors over finite x
    std::uint64_t finite = 0;         // finite inputs
    std::uint64_t exact = 0;          // results equal to tanh x rounded to float
    std::uint64_t failures = 0;       // broken exact properties (see the header)
    float first_failure = 0;

    void fail(float x) {
        if (failures++ == 0) first_failure = x;
    }
    void merge(const stats& o) {
        if (o.worst > worst) {
            worst = o.worst;
            worst_x = o.worst_x;
            worst_y = o.worst_y;
        }
        for (int i = 0; i < 3; ++i) range_worst[i] = std::max(range_worst[i], o.range_worst[i]);
        for (int i = 0; i < 256; ++i) binade_worst[i] = std::max(binade_worst[i], o.binade_worst[i]);
        sum += o.sum;
        finite += o.finite;
        exact += o.exact;
        if (o.failures && !failures) first_failure = o.first_failure;
        failures += o.failures;
    }
};

template <class Arch>
void check_chunk(std::uint64_t begin, std::uint64_t end, stats& st) {
    using B = xsimd::batch<float, Arch>;
    constexpr std::size_t n = B::size;
    alignas(64) float x[n], y[n], ny[n];
    for (std::uint64_t base = begin; base < end; base += n) {
        for (std::size_t i = 0; i < n; ++i) x[i] = from_bits(std::uint32_t(base + i));
        ctnn::simd::tanh_approx(B::load_aligned(x)).store_aligned(y);
        for (std::size_t i = 0; i < n; ++i) ny[i] = -x[i];  // (xsimd's negation on AVX-512 turns +0 into +0)
        ctnn::simd::tanh_approx(B::load_aligned(ny)).store_aligned(ny);
        for (std::size_t i = 0; i < n && base + i < end; ++i) {
            const float xi = x[i], yi = y[i];
            if (std::isnan(xi)) {
                if (!std::isnan(yi)) st.fail(xi);
                continue;
            }
            if (to_bits(ny[i]) != (to_bits(yi) ^ 0x80000000u)) st.fail(xi);  // odd, bit for bit
            if (!(std::fabs(yi) <= 1)) st.fail(xi);
            const float ax = std::fabs(xi);
            if (ax >= 9.5f && yi != std::copysign(1.0f, xi)) st.fail(xi);
            if (xi == 0 && to_bits(yi) != to_bits(xi)) st.fail(xi);
            if (std::isinf(xi)) continue;
            const double ref = std::tanh(double(xi));
            const double e = ulp_error(yi, ref);
            if (e > st.worst) {
                st.worst = e;
                st.worst_x = xi;
                st.worst_y = yi;
            }
            const int range = ax < 0.6f ? 0 : ax < 9.5f ? 1 : 2;
            st.range_worst[range] = std::max(st.range_worst[range], e);
            const int binade = int((to_bits(ax) >> 23) & 0xff);
            st.binade_worst[binade] = std::max(st.binade_worst[binade], e);
            st.sum += e;
            ++st.finite;
            if (yi == float(ref)) ++st.exact;
        }
    }
}

// Bit patterns [first, last) (default: all); a range of positive floats keeps a search for constants quick.
std::uint64_t first = 0, last = std::uint64_t(1) << 32;

template <class Arch>
bool run() {
    constexpr std::uint64_t chunk = std::uint64_t(1) << 16;
    std::atomic<std::uint64_t> next{first};
    const std::uint64_t total = last;
    const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
    std::vector<stats> part(threads);
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
            for (std::uint64_t b; (b = next.fetch_add(chunk)) < total;)
                check_chunk<Arch>(b, std::min(b + chunk, total), part[t]);
        });
    for (auto& th : pool) th.join();
    stats st;
    for (const auto& p : part) st.merge(p);

    if (first == 0 && last == std::uint64_t(1) << 32)
        std::printf("%s (%zu lanes), all 2^32 inputs:\n", Arch::name(), xsimd::batch<float, Arch>::size);
    else
        std::printf("%s (%zu lanes), x in [%.9g, %.9g]:\n", Arch::name(), xsimd::batch<float, Arch>::size,
                    double(from_bits(std::uint32_t(first))), double(from_bits(std::uint32_t(last - 1))));
    std::printf("  max error %.3f ulp at x = %.9g (got %.9g, tanh x = %.9g)\n", st.worst, double(st.worst_x),
                double(st.worst_y), std::tanh(double(st.worst_x)));
    std::printf("  by |x|: [0, 0.6) %.3f ulp, [0.6, 9.5) %.3f ulp, [9.5, inf) %.3f ulp\n", st.range_worst[0],
                st.range_worst[1], st.range_worst[2]);
    std::printf("  mean error %.4f ulp; %.2f%% of finite inputs correctly rounded\n", st.sum / double(st.finite),
                100.0 * double(st.exact) / double(st.finite));
    std::printf("  max error by binade of |x| (only those above 0.5 ulp):");
    for (int b = 0; b < 255; ++b)
        if (st.binade_worst[b] > 0.5) std::printf(" [2^%d]%.2f", b - 127, st.binade_worst[b]);
    std::printf("\n");
    if (st.failures)
        std::printf("  FAILED: %llu inputs break NaN/sign/±1/±0 rules, first x = %.9g\n",
                    static_cast<unsigned long long>(st.failures), double(st.first_failure));
    std::printf("\n");
    return st.failures == 0 && st.worst <= 4;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 3) {  // tanh_exhaustive LO HI: only the floats in [LO, HI], 0 <= LO <= HI
        first = to_bits(std::strtof(argv[1], nullptr));
        last = std::uint64_t(to_bits(std::strtof(argv[2], nullptr))) + 1;
    }
    bool ok = run<xsimd::default_arch>();
#if XSIMD_WITH_FMA3_AVX2
    ok = run<xsimd::fma3<xsimd::avx2>>() && ok;  // the 256-bit batches ctnn's dense kernel uses for small layers
#endif
#if XSIMD_WITH_SSE4_2
    ok = run<xsimd::sse4_2>() && ok;  // no FMA instruction: xsimd::fma is a multiply and an add
#endif
    std::printf("%s\n", ok ? "all within 4 ulp" : "FAILED");
    return ok ? 0 : 1;
}
