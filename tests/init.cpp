// Initializers: formulas of torch.nn.init, bit-exact portable values, statistics, bounds, padding.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <vector>

#include <ctnn/ctnn.hpp>

namespace {

using Small = ctnn::network<ctnn::input<3>, ctnn::dense<2, ctnn::tanh>, ctnn::dense<1>>;
using Big = ctnn::network<ctnn::input<784>, ctnn::dense<512, ctnn::relu>>;
using Padded = ctnn::network<ctnn::input<5>, ctnn::dense<3, ctnn::tanh>, ctnn::dense<7, ctnn::relu>, ctnn::dense<2>>;

// Standard normal CDF (test-only reference; std::erfc's last bits do not matter here).
double phi(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

struct moments {
    double mean, std, skew, kurt;  // kurt = excess kurtosis
};
moments moments_of(const std::vector<double>& v) {
    const double n = double(v.size());
    double m = 0;
    for (double x : v) m += x;
    m /= n;
    double m2 = 0, m3 = 0, m4 = 0;
    for (double x : v) {
        const double d = x - m;
        m2 += d * d;
        m3 += d * d * d;
        m4 += d * d * d * d;
    }
    m2 /= n;
    m3 /= n;
    m4 /= n;
    return {m, std::sqrt(m2), m3 / std::pow(m2, 1.5), m4 / (m2 * m2) - 3.0};
}

// Kolmogorov-Smirnov statistic of v against N(mean, std^2).
double ks_statistic(std::vector<double> v, double mean, double std) {
    std::sort(v.begin(), v.end());
    const double n = double(v.size());
    double d = 0;
    for (std::size_t k = 0; k < v.size(); ++k) {
        const double f = phi((v[k] - mean) / std);
        d = std::max({d, f - double(k) / n, double(k + 1) / n - f});
    }
    return d;
}

// Checks that v looks like n draws from N(mean, std^2): moments within ~5 standard errors, relative std error
// below 1%, KS statistic below the 0.1% critical value 1.95 / sqrt(n).
void check_normal(const std::vector<double>& v, double mean, double std) {
    const double n = double(v.size());
    const moments m = moments_of(v);
    INFO("n=" << v.size() << " mean=" << m.mean << " std=" << m.std << " skew=" << m.skew << " kurt=" << m.kurt);
    CHECK(std::abs(m.mean - mean) < 5.0 * std / std::sqrt(n));
    CHECK(std::abs(m.std / std - 1.0) < 0.01);
    CHECK(std::abs(m.skew) < 5.0 * std::sqrt(6.0 / n));
    CHECK(std::abs(m.kurt) < 5.0 * std::sqrt(24.0 / n));
    CHECK(ks_statistic(v, mean, std) < 1.95 / std::sqrt(n));
}

template <class Net, class T>
std::vector<double> weights_of(const ctnn::parameters<Net, T>& p, std::size_t layer) {
    const auto& l = Net::template layout<T>[layer];
    std::vector<double> v;
    for (std::size_t o = 0; o < l.out; ++o)
        for (std::size_t i = 0; i < l.in; ++i) v.push_back(double(p.weight(layer, o, i)));
    return v;
}

template <class Net, class T>
std::vector<double> biases_of(const ctnn::parameters<Net, T>& p, std::size_t layer) {
    std::vector<double> v;
    for (std::size_t o = 0; o < Net::template layout<T>[layer].out; ++o) v.push_back(double(p.bias(layer, o)));
    return v;
}

template <class T, class Net>
bool same_bits(const ctnn::parameters<Net, T>& a, const ctnn::parameters<Net, T>& b) {
    return std::memcmp(a.data, b.data, sizeof a.data) == 0;
}

}  // namespace

TEST_CASE("portable_log agrees with std::log", "[init]") {
    ctnn::random_source r(1);
    double worst = 0;
    for (int k = 0; k < 200000; ++k) {
        const double s = std::ldexp(1.0 + r.uniform(), int(r.below(200)) - 150);
        const double a = ctnn::detail::portable_log(s), b = std::log(s);
        const double ulp = std::nextafter(std::abs(b), std::numeric_limits<double>::infinity()) - std::abs(b);
        worst = std::max(worst, std::abs(a - b) / ulp);
    }
    CHECK(worst <= 4.0);
    CHECK(ctnn::detail::portable_log(1.0) == 0.0);
    CHECK(ctnn::detail::portable_log(0.5) == -0.693147180559945309417232121458176568);
    CHECK(std::abs(ctnn::detail::portable_log(std::exp(1.0)) - 1.0) < 4e-16);
}

// The portability contract: these bits must come out of every conforming IEEE-754 binary64 platform, with any
// compiler and flags short of -ffast-math. They were produced with g++ 12 and clang++ 14, -O0 and -O2
// -march=native, with and without FMA hardware (-mno-fma) and -ffp-contract=fast, all alike. If one changes,
// every saved seed's initialization changes: that is a breaking change, not a test to update.
TEST_CASE("golden values of the normal initializers", "[init]") {
    ctnn::random_source r(42);
    const double expected[] = {0x1.2f7e7a4c82dadp-1, -0x1.b2f254c1fa017p-1, -0x1.80f498ba30fd2p-3,
                               -0x1.4d25e8b5c853dp-3, 0x1.05ea4d0dbe00ap-1,  -0x1.c065a7e89086ep-1};
    for (double e : expected) CHECK(r.normal() == e);

    static Small::parameters<float> pf;
    static Small::parameters<double> pd, pn;
    ctnn::initialize(pf, ctnn::xavier_normal{}, 7);
    ctnn::initialize(pd, ctnn::he_normal{}, 7);
    ctnn::initialize(pn, ctnn::normal{0.5, 2.0}, 9);
    const float xf[] = {-0x1.7935f8p-1f, 0x1.3d5d1cp-2f, 0x1.ecf7eep-1f};
    const double hd[] = {-0x1.e6fa2146c1c2fp-1, 0x1.99b6fbd7a6271p-2, 0x1.3e35b3aa75a7cp+0};
    const double nd[] = {0x1.17e2027c53821p+1, 0x1.e435b4311cc66p+1, -0x1.564a8713d8bd5p+0};
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(pf.weight(0, 0, i) == xf[i]);
        CHECK(pd.weight(0, 0, i) == hd[i]);
        CHECK(pn.weight(0, 0, i) == nd[i]);
    }
}

TEST_CASE("normal schemes are the scaled deviates of random_source, in PyTorch order", "[init]") {
    // Independent of the golden bits: the scheme must be mean + std * z for the generator's z sequence.
    static Small::parameters<double> p;
    const double gain = 1.5;
    ctnn::initialize(p, ctnn::xavier_normal{gain}, 123);
    ctnn::random_source r(123);
    for (std::size_t layer = 0; layer < Small::layer_count; ++layer) {
        const auto& l = Small::layout<double>[layer];
        const double std = gain * std::sqrt(2.0 / double(l.in + l.out));
        for (std::size_t o = 0; o < l.out; ++o)
            for (std::size_t i = 0; i < l.in; ++i) CHECK(p.weight(layer, o, i) == std * r.normal());
        for (std::size_t o = 0; o < l.out; ++o) {
            r.normal();  // biases draw too (std 0): the stream position does not depend on the scheme's numbers
            CHECK(p.bias(layer, o) == 0.0);
        }
    }
    ctnn::initialize(p, ctnn::normal{-1.0, 0.25}, 5);
    ctnn::random_source q(5);
    for (std::size_t layer = 0; layer < Small::layer_count; ++layer) {
        const auto& l = Small::layout<double>[layer];
        for (std::size_t o = 0; o < l.out; ++o)
            for (std::size_t i = 0; i < l.in; ++i) CHECK(p.weight(layer, o, i) == std::fma(0.25, q.normal(), -1.0));
        for (std::size_t o = 0; o < l.out; ++o) CHECK(p.bias(layer, o) == std::fma(0.25, q.normal(), -1.0));
    }
}

TEST_CASE("initialization is deterministic and seed-dependent for every scheme", "[init]") {
    static Padded::parameters<float> a, b, c;
    auto check = [&](const auto& scheme) {
        ctnn::initialize(a, scheme, 2024);
        ctnn::initialize(b, scheme, 2024);
        ctnn::initialize(c, scheme, 2025);
        CHECK(same_bits(a, b));
        CHECK_FALSE(same_bits(a, c));
    };
    check(ctnn::xavier_normal{});
    check(ctnn::he_normal{});
    check(ctnn::normal{0.0, 0.1});
    check(ctnn::uniform_range{-0.5, 0.25});
    check(ctnn::xavier_uniform{});
    check(ctnn::he_uniform{});
    check(ctnn::torch_default{});
    check(ctnn::uniform{0.3});
}

TEST_CASE("xavier_normal, he_normal and normal have torch.nn.init's mean and std on a 784x512 layer", "[init]") {
    auto p = std::make_unique<Big::parameters<double>>();
    const std::size_t in = 784, out = 512;

    ctnn::initialize(*p, ctnn::xavier_normal{}, 1);
    check_normal(weights_of(*p, 0), 0.0, std::sqrt(2.0 / double(in + out)));
    for (double b : biases_of(*p, 0)) REQUIRE(b == 0.0);

    ctnn::initialize(*p, ctnn::xavier_normal{2.0}, 2);
    check_normal(weights_of(*p, 0), 0.0, 2.0 * std::sqrt(2.0 / double(in + out)));

    ctnn::initialize(*p, ctnn::he_normal{}, 3);
    check_normal(weights_of(*p, 0), 0.0, std::sqrt(2.0 / double(in)));
    for (double b : biases_of(*p, 0)) REQUIRE(b == 0.0);

    ctnn::initialize(*p, ctnn::normal{0.3, 0.05}, 4);
    check_normal(weights_of(*p, 0), 0.3, 0.05);
    const moments bm = moments_of(biases_of(*p, 0));  // 512 biases: a looser check
    CHECK(std::abs(bm.mean - 0.3) < 5.0 * 0.05 / std::sqrt(512.0));
    CHECK(std::abs(bm.std / 0.05 - 1.0) < 0.1);

    // float parameters: the same deviates, rounded once.
    auto pf = std::make_unique<Big::parameters<float>>();
    ctnn::initialize(*pf, ctnn::he_normal{}, 3);
    ctnn::initialize(*p, ctnn::he_normal{}, 3);
    for (std::size_t o = 0; o < out; o += 37)
        for (std::size_t i = 0; i < in; i += 11) REQUIRE(pf->weight(0, o, i) == float(p->weight(0, o, i)));
}

TEST_CASE("random_source::normal: a million deviates look standard normal, tails included", "[init]") {
    ctnn::random_source r(77);
    std::vector<double> v(1000000);
    for (double& x : v) x = r.normal();
    check_normal(v, 0.0, 1.0);
    const double n = double(v.size());
    const double beyond2 = double(std::count_if(v.begin(), v.end(), [](double x) { return std::abs(x) > 2.0; })) / n;
    const double beyond3 = double(std::count_if(v.begin(), v.end(), [](double x) { return std::abs(x) > 3.0; })) / n;
    const double p2 = 2.0 * phi(-2.0), p3 = 2.0 * phi(-3.0);  // 0.0455, 0.0027
    CHECK(std::abs(beyond2 - p2) < 5.0 * std::sqrt(p2 * (1 - p2) / n));
    CHECK(std::abs(beyond3 - p3) < 5.0 * std::sqrt(p3 * (1 - p3) / n));
    CHECK(*std::max_element(v.begin(), v.end()) > 4.0);
    CHECK(*std::min_element(v.begin(), v.end()) < -4.0);
}

TEST_CASE("uniform schemes stay within their bounds", "[init]") {
    auto p = std::make_unique<Big::parameters<double>>();
    ctnn::initialize(*p, ctnn::uniform_range{-0.25, 0.75}, 8);
    std::vector<double> w = weights_of(*p, 0);
    for (double x : w) REQUIRE((x >= -0.25 && x < 0.75));
    for (double x : biases_of(*p, 0)) REQUIRE((x >= -0.25 && x < 0.75));
    const moments m = moments_of(w);
    CHECK(std::abs(m.mean - 0.25) < 5.0 * std::sqrt(1.0 / 12.0 / double(w.size())));
    CHECK(std::abs(m.std / std::sqrt(1.0 / 12.0) - 1.0) < 0.01);
    CHECK(*std::min_element(w.begin(), w.end()) < -0.249);
    CHECK(*std::max_element(w.begin(), w.end()) > 0.749);

    // The existing symmetric schemes: bounds, and the exact values -a + 2a u of the generator's uniforms.
    auto check_bound = [&](const auto& scheme, double a, double bias_bound) {
        ctnn::initialize(*p, scheme, 9);
        ctnn::random_source r(9);
        for (std::size_t o = 0; o < 512; ++o)
            for (std::size_t i = 0; i < 784; ++i) {
                const double x = p->weight(0, o, i);
                REQUIRE(x == -a + 2.0 * a * (double(r.next() >> 11) * 0x1.0p-53));
                REQUIRE(std::abs(x) <= a);
            }
        for (double x : biases_of(*p, 0)) REQUIRE(std::abs(x) <= bias_bound);
    };
    check_bound(ctnn::xavier_uniform{}, std::sqrt(6.0 / (784 + 512)), 0.0);
    check_bound(ctnn::he_uniform{}, std::sqrt(6.0 / 784), 0.0);
    check_bound(ctnn::torch_default{}, 1.0 / std::sqrt(784.0), 1.0 / std::sqrt(784.0));
    check_bound(ctnn::uniform{0.125}, 0.125, 0.125);
}

TEMPLATE_TEST_CASE("padding stays zero and every parameter is written", "[init]", float, double) {
    static Padded::parameters<TestType> p;
    // Which storage slots are parameters, found through the public accessors.
    std::vector<bool> used(Padded::storage_size<TestType>, false);
    for (std::size_t layer = 0; layer < Padded::layer_count; ++layer) {
        const auto& l = Padded::layout<TestType>[layer];
        for (std::size_t o = 0; o < l.out; ++o) {
            for (std::size_t i = 0; i < l.in; ++i) used[std::size_t(&p.weight(layer, o, i) - p.data)] = true;
            used[std::size_t(&p.bias(layer, o) - p.data)] = true;
        }
    }
    REQUIRE(std::size_t(std::count(used.begin(), used.end(), true)) == Padded::parameter_count);
    auto check = [&](const auto& scheme, bool biases_nonzero) {
        p.fill(TestType(0));
        ctnn::initialize(p, scheme, 31);
        for (std::size_t k = 0; k < Padded::storage_size<TestType>; ++k) {
            if (!used[k]) REQUIRE(p.data[k] == TestType(0));
        }
        std::size_t nonzero = 0;
        for (std::size_t k = 0; k < Padded::storage_size<TestType>; ++k) nonzero += used[k] && p.data[k] != TestType(0);
        std::size_t weights = 0;
        for (const auto& l : Padded::layout<TestType>) weights += l.in * l.out;
        CHECK(nonzero == (biases_nonzero ? Padded::parameter_count : weights));
    };
    check(ctnn::xavier_normal{}, false);
    check(ctnn::he_normal{}, false);
    check(ctnn::normal{0.1, 0.5}, true);
    check(ctnn::uniform_range{0.5, 1.0}, true);
    check(ctnn::xavier_uniform{}, false);

    p.fill(TestType(3));  // fill touches parameters only; zeros must overwrite every one of them
    ctnn::initialize(p, ctnn::zeros{}, 1);
    for (std::size_t k = 0; k < Padded::storage_size<TestType>; ++k) CHECK(p.data[k] == TestType(0));
}
