// A small, portable random source: the same seed gives the same numbers with every compiler and library
// (std::mt19937 is portable, but std:: distributions are not).
#pragma once

#include <cmath>
#include <cstdint>

namespace ctnn {

// SplitMix64 (Steele, Lea, Flood 2014): 64-bit state, passes BigCrush, trivially seedable.
class random_source {
  public:
    explicit constexpr random_source(std::uint64_t seed) noexcept : state_(seed) {}

    constexpr std::uint64_t next() noexcept {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    // Uniform in [0, 1) with 53 random bits.
    constexpr double uniform() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    constexpr double uniform(double lo, double hi) noexcept { return lo + (hi - lo) * uniform(); }
    // Uniform integer in [0, n), without modulo bias.
    constexpr std::uint64_t below(std::uint64_t n) noexcept {
        const std::uint64_t limit = ~std::uint64_t{0} - (~std::uint64_t{0} % n);
        std::uint64_t v = next();
        while (v >= limit) v = next();
        return v % n;
    }

    // Standard normal deviate, identical bits on every IEEE-754 binary64 platform (see portable_log below and
    // docs/initializers.md). Marsaglia's polar method; one candidate pair per next(), the second deviate is
    // dropped so the generator carries no hidden state.
    double normal() noexcept;

  private:
    std::uint64_t state_;
};

namespace detail {

// Natural log of s > 0 (finite, normal) using only exact scaling, +, -, /, and explicit std::fma: every step is
// correctly rounded by IEEE 754, so the result does not depend on the libm (std::log's last bit does) nor on the
// compiler's a*b+c contraction (every multiply-add is written as an fma). Error about 1 ulp.
inline double portable_log(double s) noexcept {
    int e = 0;
    double m = std::frexp(s, &e);  // exact: s = m * 2^e, m in [0.5, 1)
    if (m < 0.70710678118654752440) {
        m *= 2.0;  // exact; now m in [sqrt(1/2), sqrt(2))
        --e;
    }
    // log(m) = 2 atanh(t) = 2 (t + t^3/3 + t^5/5 + ...), |t| <= 0.1716, so t^2 <= 0.0295 and 12 terms reach 2^-60.
    const double t = (m - 1.0) / (m + 1.0);
    const double t2 = t * t;
    double p = 1.0 / 25.0;
    for (int k = 11; k >= 0; --k) p = std::fma(p, t2, 1.0 / double(2 * k + 1));
    const double ln2 = 0.693147180559945309417232121458176568;
    return std::fma(double(e), ln2, (2.0 * t) * p);
}

}  // namespace detail

inline double random_source::normal() noexcept {
    for (;;) {
        const std::uint64_t r = next();
        // Integer candidate point: u, v in [-2^31, 2^31), s = u^2 + v^2 computed exactly in 64 bits.
        const std::int64_t u = std::int64_t(r >> 32) - (std::int64_t{1} << 31);
        const std::int64_t v = std::int64_t(r & 0xFFFFFFFFu) - (std::int64_t{1} << 31);
        const std::uint64_t si = std::uint64_t(u * u) + std::uint64_t(v * v);
        if (si == 0 || si >= (std::uint64_t{1} << 62)) continue;  // outside the unit disc (scaled by 2^31)
        const double s = double(si) * 0x1.0p-62;                  // one correctly rounded conversion, exact scale
        const double f = std::sqrt((-2.0 * detail::portable_log(s)) / s);
        return (double(u) * 0x1.0p-31) * f;
    }
}

}  // namespace ctnn
