// Activations against references written here from their formulas in long double: values in ulps over a dense
// sweep, derivatives analytically and by finite differences, the SIMD path against the scalar path, and softmax
// through a one-layer network. Prints the accuracy table of docs/activations.md.
//
// Error convention: |computed - reference| / ulp_T(max(|reference|, floor)), where ulp_T(x) is the spacing of
// T's numbers at x and floor is std::numeric_limits<T>::min() for values (so a reference near 0 is measured in
// T's subnormal spacing). For derivatives the floor is each activation's derivative scale (ref_*::df_scale):
// derivatives computed from y = f(z), and derivatives with roots, are accurate in absolute terms only.
#include <ctnn/ctnn.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <tuple>
#include <vector>

namespace {

using ld = long double;

constexpr ld pi_l = 3.141592653589793238462643383279502884L;
constexpr ld sqrt2_l = 1.414213562373095048801688724209698079L;

// ---------------------------------------------------------------------------------------------------------------
// References: f and f' in long double, from the defining formulas (std:: functions only).

struct ref_base {
    static constexpr bool kink = false;  // f or f' has a kink at 0: finite differences step around it
    static constexpr ld df_scale = 0;    // derivative errors are in ulps of max(|f'|, df_scale)
    // Allowed errors in ulps of T at z on the SIMD or the scalar path: 4 unless the activation says otherwise.
    template <class T>
    static double bound(ld, bool) {
        return 4;
    }
    template <class T>
    static double df_bound(ld, bool) {
        return 4;
    }
};

ld logistic(ld z) { return 1 / (1 + std::exp(-z)); }

struct ref_identity : ref_base {
    static ld f(ld z) { return z; }
    static ld df(ld) { return 1; }
};

struct ref_binary_step : ref_base {
    static constexpr bool kink = true;
    static ld f(ld z) { return z >= 0 ? 1 : 0; }
    static ld df(ld) { return 0; }
};

struct ref_sigmoid : ref_base {
    static constexpr ld df_scale = 0.25L;  // y (1 - y): absolute accuracy
    static ld f(ld z) { return logistic(z); }
    static ld df(ld z) { return logistic(z) * logistic(-z); }
};

struct ref_tanh : ref_base {
    static constexpr ld df_scale = 1;  // 1 - y^2: absolute accuracy
    static ld f(ld z) { return std::tanh(z); }
    static ld df(ld z) { return 1 / (std::cosh(z) * std::cosh(z)); }
};

struct ref_relu : ref_base {
    static constexpr bool kink = true;
    static ld f(ld z) { return z > 0 ? z : 0; }
    static ld df(ld z) { return z > 0 ? 1 : 0; }
};

template <std::intmax_t Num, std::intmax_t Den>
struct ref_leaky_relu : ref_base {
    static constexpr bool kink = true;
    static constexpr ld a = static_cast<ld>(Num) / Den;
    static ld f(ld z) { return z > 0 ? z : a * z; }
    static ld df(ld z) { return z > 0 ? 1 : a; }
};

template <std::intmax_t Num, std::intmax_t Den>
struct ref_elu : ref_base {
    static constexpr bool kink = true;
    static constexpr ld a = static_cast<ld>(Num) / Den;
    static constexpr ld df_scale = a;  // y + alpha: absolute accuracy
    static ld f(ld z) { return z > 0 ? z : a * std::expm1(z); }
    static ld df(ld z) { return z > 0 ? 1 : a * std::exp(z); }
};

struct ref_selu : ref_base {
    static constexpr bool kink = true;
    static constexpr ld alpha = 1.6732632423543772848170429916717L;
    static constexpr ld lambda = 1.0507009873554804934193349852946L;
    static constexpr ld df_scale = lambda * alpha;  // y + lambda alpha: absolute accuracy
    static ld f(ld z) { return lambda * (z > 0 ? z : alpha * std::expm1(z)); }
    static ld df(ld z) { return z > 0 ? lambda : lambda * alpha * std::exp(z); }
};

// Phi(z) = erfc(-z / sqrt 2) / 2: erfc keeps the left tail's relative precision.
struct ref_gelu : ref_base {
    static constexpr ld df_scale = 1;  // f' has a root near z = -0.75
    static ld phi(ld z) { return std::exp(-z * z / 2) / std::sqrt(2 * pi_l); }
    static ld cdf(ld z) { return std::erfc(-z / sqrt2_l) / 2; }
    static ld f(ld z) { return z * cdf(z); }
    static ld df(ld z) { return cdf(z) + z * phi(z); }
    // Phi's left tail is ill-conditioned: a relative error e in z / sqrt 2 becomes kappa e in Phi, with
    // kappa = |z phi / Phi| ~ z^2. The quotient takes a rounded constant and a product: up to ~1.5 kappa ulps.
    // SIMD float: xsimd's erfc is itself up to ~6 ulps off near 0. SIMD double: xsimd's double erfc is far less
    // accurate than the C library's (relative error ~3e-14 for x = -z / sqrt 2 < 0, where it is 2 - erfc(-x);
    // up to 1e-11 for x in (0, 2.2); 1e-8 beyond).
    template <class T>
    static double bound(ld z, bool simd) {
        const double kappa = static_cast<double>(std::fabs(z * phi(z) / cdf(z)));
        if (!simd) return 4 + 2 * kappa;
        if (sizeof(T) == 4) return 6 + 2 * kappa;
        const double eps = std::numeric_limits<T>::epsilon();
        return z >= 0 ? 64 : z >= -3.1L ? 1e-11 / eps : 1e-8 / eps;
    }
    template <class T>
    static double df_bound(ld, bool simd) {
        return simd && sizeof(T) == 8 ? 32 : 4;
    }
};

// (1 + tanh u) / 2 = 1 / (1 + e^(-2u)), the cancellation-free form of the same number.
struct ref_gelu_tanh : ref_base {
    static constexpr ld df_scale = 1;  // f' has a root near z = -0.75
    static constexpr ld k = 0.797884560802865355879892119868763737L;  // sqrt(2 / pi)
    static constexpr ld c = 0.044715L;
    static ld u(ld z) { return k * (z + c * z * z * z); }
    static ld f(ld z) { return z / (1 + std::exp(-2 * u(z))); }
    static ld df(ld z) {
        const ld s = 1 / (1 + std::exp(-2 * u(z))), sm = 1 / (1 + std::exp(2 * u(z)));  // sm = 1 - s
        return s + 2 * z * s * sm * k * (1 + 3 * c * z * z);
    }
    // The left tail is ill-conditioned: a relative error e in u becomes kappa e in f, kappa = |2u (1 - s)|
    // (~ 0.07 |z|^3). u takes five roundings and two rounded constants: up to about 3.5 kappa ulps.
    template <class T>
    static double bound(ld z, bool) {
        return 4 + 4 * static_cast<double>(std::fabs(2 * u(z) / (1 + std::exp(2 * u(z)))));
    }
};

struct ref_softplus : ref_base {
    static ld f(ld z) { return std::log1p(std::exp(z)); }
    static ld df(ld z) { return logistic(z); }
};

struct ref_softsign : ref_base {
    static constexpr bool kink = true;  // f'' jumps at 0: central differences there are only first order
    static ld f(ld z) { return z / (1 + std::fabs(z)); }
    static ld df(ld z) { return 1 / ((1 + std::fabs(z)) * (1 + std::fabs(z))); }
};

struct ref_swish : ref_base {
    static constexpr ld df_scale = 1;  // f' has a root near z = -1.28
    static ld f(ld z) { return z * logistic(z); }
    static ld df(ld z) { return logistic(z) + z * logistic(z) * logistic(-z); }
};

struct ref_mish : ref_base {
    static constexpr ld df_scale = 1;  // f' has a root near z = -1.19
    static ld f(ld z) { return z * std::tanh(std::log1p(std::exp(z))); }
    static ld df(ld z) {
        const ld t = std::tanh(std::log1p(std::exp(z)));
        return t + z * logistic(z) * (1 - t * t);
    }
};

struct ref_sinc : ref_base {
    static constexpr ld df_scale = 0.5L;  // f' has a root at every extremum of sinc
    // Near a zero k pi of sin, xsimd's double argument reduction (pi / 2 in three parts) leaves an absolute
    // error of about |z| 2^-102 in sin z: relative to the tiny result that is more than 4 ulps.
    template <class T>
    static double bound(ld z, bool simd) {
        if (!simd || sizeof(T) == 4) return 4;
        const ld s = std::fabs(std::sin(z));
        return s > 0 ? 4 + static_cast<double>(std::fabs(z) * 0x1p-102L / s / 0x1p-52L) : 4;
    }
    static ld f(ld z) { return z == 0 ? 1 : std::sin(z) / z; }
    static ld df(ld z) {
        if (std::fabs(z) >= 1) return (z * std::cos(z) - std::sin(z)) / (z * z);
        // sum_k (-1)^k 2k z^(2k-1) / (2k+1)!: the quotient cancels near 0
        ld sum = 0, power = z, fact = 6;  // z^(2k-1), (2k+1)!
        for (int k = 1; k <= 12; ++k) {
            sum += (k % 2 ? -1 : 1) * 2 * k * power / fact;
            power *= z * z;
            fact *= (2 * k + 2) * (2 * k + 3);
        }
        return sum;
    }
};

struct ref_log_sigmoid : ref_base {
    static ld f(ld z) { return -std::log1p(std::exp(-z)); }
    static ld df(ld z) { return logistic(-z); }
};

template <class A, class R>
struct entry {
    using act = A;
    using ref = R;
};

using all_activations = std::tuple<
    entry<ctnn::identity, ref_identity>, entry<ctnn::binary_step, ref_binary_step>, entry<ctnn::sigmoid, ref_sigmoid>,
    entry<ctnn::tanh, ref_tanh>, entry<ctnn::relu, ref_relu>, entry<ctnn::leaky_relu<>, ref_leaky_relu<1, 100>>,
    entry<ctnn::leaky_relu<1, 5>, ref_leaky_relu<1, 5>>, entry<ctnn::elu<>, ref_elu<1, 1>>,
    entry<ctnn::elu<1, 2>, ref_elu<1, 2>>, entry<ctnn::selu, ref_selu>, entry<ctnn::gelu, ref_gelu>,
    entry<ctnn::gelu_tanh, ref_gelu_tanh>, entry<ctnn::softplus, ref_softplus>, entry<ctnn::softsign, ref_softsign>,
    entry<ctnn::swish, ref_swish>, entry<ctnn::mish, ref_mish>, entry<ctnn::sinc, ref_sinc>,
    entry<ctnn::log_sigmoid, ref_log_sigmoid>>;

template <class A>
std::string label() {
    std::string s(A::name);
    if (!A::parameter_name.empty()) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "(%g)", A::parameter);
        s += buf;
    }
    return s;
}

template <class F>
void for_each_activation(F&& f) {
    std::apply([&](auto... e) { (f(e), ...); }, all_activations{});
}

// ---------------------------------------------------------------------------------------------------------------
// Error measure.

// Spacing of T's numbers at |x| (x >= T's smallest normal): 2^(floor(log2 |x|) - digits + 1). The exponent is
// taken from x rounded to double (quicker than long double's), corrected where that rounding reached 2^e.
template <class T>
ld ulp(ld x) {
    const ld a = std::max(std::fabs(x), static_cast<ld>(std::numeric_limits<T>::min()));
    int e = std::ilogb(static_cast<double>(a));
    if (static_cast<ld>(std::ldexp(1.0, e)) > a) --e;
    return std::ldexp(1.0, e - (std::numeric_limits<T>::digits - 1));
}

template <class T>
double ulp_error(T got, ld ref, ld floor = 0) {
    if (std::isnan(ref) || std::isinf(ref) || std::isnan(got) || std::isinf(got))
        return (std::isnan(ref) && std::isnan(got)) || static_cast<ld>(got) == ref
                   ? 0
                   : std::numeric_limits<double>::infinity();
    return static_cast<double>(std::fabs(static_cast<ld>(got) - ref) / ulp<T>(std::max(std::fabs(ref), floor)));
}

// ---------------------------------------------------------------------------------------------------------------
// Inputs: a dense sweep of [-20, 20], magnitudes from T's smallest normal to 1, and special points.

template <class T>
void add_with_neighbours(std::vector<T>& z, T v, int n) {
    T up = v, down = v;
    z.push_back(v);
    for (int i = 0; i < n; ++i) {
        up = std::nextafter(up, std::numeric_limits<T>::infinity());
        down = std::nextafter(down, -std::numeric_limits<T>::infinity());
        z.push_back(up);
        z.push_back(down);
    }
}

constexpr int sweep_points = 100000;
constexpr ld sweep_lo = -20, sweep_hi = 20;

template <class T>
std::vector<T> inputs() {
    std::vector<T> z;
    for (int i = 0; i <= sweep_points; ++i)
        z.push_back(static_cast<T>(sweep_lo + (sweep_hi - sweep_lo) * i / sweep_points));
    const ld lo = std::log10(static_cast<ld>(std::numeric_limits<T>::min()));
    const ld step = sizeof(T) == 4 ? 0.01L : 0.05L;
    for (ld e = lo; e <= 0; e += step) {
        const T v = static_cast<T>(std::pow(10.0L, e));
        z.push_back(v);
        z.push_back(-v);
    }
    for (const T s : {T(1), T(-1)}) {
        for (const T v : {std::numeric_limits<T>::denorm_min(), std::numeric_limits<T>::min(), T(1e-30), T(1e-10),
                          T(1e-3), T(0.5), T(1), T(1.5), T(2), T(30), T(88)})
            add_with_neighbours(z, s * v, 3);
        for (int k = 1; k <= 6; ++k) add_with_neighbours(z, static_cast<T>(s * k * pi_l), 3);  // zeros of sin
        // beyond e^z's range: float e^88.8 overflows, e^-87.4 is subnormal; double e^709.8, e^-708.4
        constexpr std::array<T, 4> beyond =
            sizeof(T) == 4 ? std::array<T, 4>{89, 100, 104, 120} : std::array<T, 4>{700, 710, 745, 800};
        for (const T v : beyond) add_with_neighbours(z, s * v, 1);
    }
    z.push_back(T(0));
    z.push_back(-T(0));
    return z;
}

// ---------------------------------------------------------------------------------------------------------------
// Evaluation on the scalar path and on xsimd batches of ctnn::default_arch; df gets y from the same path.

template <class A, class T>
void eval_scalar(const std::vector<T>& z, std::vector<T>& y, std::vector<T>& d) {
    y.resize(z.size());
    d.resize(z.size());
    for (std::size_t i = 0; i < z.size(); ++i) {
        y[i] = A::f(z[i]);
        d[i] = A::df(z[i], y[i]);
    }
}

template <class A, class T>
void eval_simd(const std::vector<T>& z, std::vector<T>& y, std::vector<T>& d) {
    if constexpr (std::is_same_v<ctnn::default_arch, ctnn::scalar_arch>) {
        eval_scalar<A>(z, y, d);
    } else {
        using B = xsimd::batch<T, ctnn::default_arch>;
        const std::size_t n = (z.size() + B::size - 1) / B::size * B::size;
        std::vector<T> zp(z);
        zp.resize(n, T(1));
        y.resize(n);
        d.resize(n);
        for (std::size_t i = 0; i < n; i += B::size) {
            const B zb = B::load_unaligned(zp.data() + i);
            const B yb = A::f(zb);
            yb.store_unaligned(y.data() + i);
            A::df(zb, yb).store_unaligned(d.data() + i);
        }
        y.resize(z.size());
        d.resize(z.size());
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Value and derivative accuracy of one path.

struct worst {
    double err = 0;     // largest error
    double excess = 0;  // largest error / allowed bound, and where:
    ld z = 0, got = 0, ref = 0;
    double z_err = 0, z_bound = 0;
    void note(double e, double bound, ld zi, ld g, ld r) {
        err = std::max(err, e);
        if (e / bound > excess) {
            excess = e / bound;
            z = zi;
            got = g;
            ref = r;
            z_err = e;
            z_bound = bound;
        }
    }
};

// Underflow rule: where the result needs e^z (or e^-z) beyond T's exponent range, it may be 0 or a subnormal
// with fewer digits (xsimd's exp returns 0 instead of any subnormal; e^-z may overflow to infinity in a
// quotient). Such results are accepted when within max(1, |z|) * T's smallest normal of the reference.
template <class T>
bool underflow(ld z, T got, ld ref) {
    return std::fabs(static_cast<ld>(got) - ref) <=
           std::max(std::fabs(z), ld(1)) * static_cast<ld>(std::numeric_limits<T>::min());
}

struct path_result {
    worst value, deriv;
    double value_core = 0;  // largest value error where the bound is at most 5 ulps (well-conditioned)
    int core_points = 0;
    int underflows = 0;     // results accepted by the underflow rule only (excluded from the errors above)
};

// The references and the allowed errors at every input, computed once per activation and type.
template <class T>
struct reference_values {
    std::vector<T> z = inputs<T>();
    std::vector<ld> f, df;
    std::vector<double> bound[2], df_bound[2];  // [simd]
};

template <class R, class T>
void fill_reference(reference_values<T>& r) {
    const std::size_t n = r.z.size();
    r.f.resize(n);
    r.df.resize(n);
    for (int simd = 0; simd < 2; ++simd) {
        r.bound[simd].resize(n);
        r.df_bound[simd].resize(n);
    }
    for (std::size_t i = 0; i < n; ++i) {
        r.f[i] = R::f(r.z[i]);
        r.df[i] = R::df(r.z[i]);
        for (int simd = 0; simd < 2; ++simd) {
            r.bound[simd][i] = R::template bound<T>(r.z[i], simd);
            r.df_bound[simd][i] = R::template df_bound<T>(r.z[i], simd);
        }
    }
}

template <class R, class T>
path_result measure(const reference_values<T>& rv, const std::vector<T>& y, const std::vector<T>& d, bool simd) {
    path_result r;
    for (std::size_t i = 0; i < rv.z.size(); ++i) {
        const ld z = rv.z[i];
        const double bv = rv.bound[simd][i], ev = ulp_error(y[i], rv.f[i]);
        if (ev > bv && underflow(z, y[i], rv.f[i])) {
            ++r.underflows;
        } else {
            r.value.note(ev, bv, z, y[i], rv.f[i]);
            if (bv <= 5) {
                r.value_core = std::max(r.value_core, ev);
                ++r.core_points;
            }
        }
        const double bd = rv.df_bound[simd][i], ed = ulp_error(d[i], rv.df[i], R::df_scale);
        if (!(ed > bd && underflow(z, d[i], rv.df[i]))) r.deriv.note(ed, bd, z, d[i], rv.df[i]);
    }
    return r;
}

// The SIMD result against the scalar one, in ulps of the scalar result: both may be off by their bounds.
template <class R, class T>
worst simd_vs_scalar(const reference_values<T>& rv, const std::vector<T>& a, const std::vector<T>& b, bool deriv) {
    worst w;
    for (std::size_t i = 0; i < rv.z.size(); ++i) {
        const double bound = deriv ? rv.df_bound[1][i] + rv.df_bound[0][i] : rv.bound[1][i] + rv.bound[0][i];
        const ld ref = b[i];
        const double e = ulp_error(a[i], ref, deriv ? R::df_scale : 0);
        if (e > bound && underflow(rv.z[i], a[i], ref)) continue;
        w.note(e, bound, rv.z[i], a[i], ref);
    }
    return w;
}

void check_worst(const worst& w, const char* what) {
    INFO(what << ": worst at z = " << static_cast<double>(w.z) << ": got " << static_cast<double>(w.got)
              << ", reference " << static_cast<double>(w.ref) << ", error " << w.z_err << " ulp, bound "
              << w.z_bound << " ulp");
    CHECK(w.excess <= 1.0);
}

struct row {
    std::string name, scale;
    path_result fs, fv, ds, dv;  // float scalar, float SIMD, double scalar, double SIMD
};

template <class A, class R, class T>
void check_type(reference_values<T>& rv, path_result& scalar, path_result& simd) {
    fill_reference<R>(rv);
    std::vector<T> ys, ds, yv, dv;
    eval_scalar<A>(rv.z, ys, ds);
    eval_simd<A>(rv.z, yv, dv);
    scalar = measure<R>(rv, ys, ds, false);
    simd = measure<R>(rv, yv, dv, true);
    INFO(label<A>() << (sizeof(T) == 4 ? " float" : " double"));
    check_worst(scalar.value, "scalar value");
    check_worst(simd.value, "SIMD value");
    check_worst(scalar.deriv, "scalar derivative");
    check_worst(simd.deriv, "SIMD derivative");
    check_worst(simd_vs_scalar<R>(rv, yv, ys, false), "SIMD vs scalar value");
    check_worst(simd_vs_scalar<R>(rv, dv, ds, true), "SIMD vs scalar derivative");
}

TEST_CASE("elementwise activations: values and derivatives against long double references", "[activations]") {
    reference_values<float> rf;
    reference_values<double> rd;
    std::vector<row> rows;
    for_each_activation([&](auto e) {
        using A = typename decltype(e)::act;
        using R = typename decltype(e)::ref;
        char scale[16] = "-";
        if (R::df_scale > 0) std::snprintf(scale, sizeof scale, "%g", static_cast<double>(R::df_scale));
        row r{label<A>(), scale, {}, {}, {}, {}};
        check_type<A, R>(rf, r.fs, r.fv);
        check_type<A, R>(rd, r.ds, r.dv);
        rows.push_back(r);
    });
    // Markdown tables for docs/activations.md. "a (b)": a = max over all points, b = max where the bound is <= 5 ulps.
    auto cell = [](const path_result& p) {
        char buf[48];
        if (p.core_points == 0)
            std::snprintf(buf, sizeof buf, "%.3g (-)", p.value.err);
        else if (p.value.err > p.value_core)
            std::snprintf(buf, sizeof buf, "%.3g (%.3g)", p.value.err, p.value_core);
        else
            std::snprintf(buf, sizeof buf, "%.3g", p.value.err);
        return std::string(buf);
    };
    std::printf("\nMax value error in ulps; z in [%g, %g] (%d points), |z| from the smallest normal to 1, special "
                "points; SIMD = %s\n\n",
                static_cast<double>(sweep_lo), static_cast<double>(sweep_hi), sweep_points + 1,
                ctnn::default_arch::name());
    std::printf("| %-18s | %-17s | %-17s | %-17s | %-17s |\n|%s|%s|%s|%s|%s|\n", "activation", "float SIMD",
                "float scalar", "double SIMD", "double scalar", std::string(20, '-').c_str(),
                std::string(19, '-').c_str(), std::string(19, '-').c_str(), std::string(19, '-').c_str(),
                std::string(19, '-').c_str());
    for (const auto& r : rows)
        std::printf("| %-18s | %-17s | %-17s | %-17s | %-17s |\n", r.name.c_str(), cell(r.fv).c_str(),
                    cell(r.fs).c_str(), cell(r.dv).c_str(), cell(r.ds).c_str());
    std::printf("\nMax derivative error in ulps of max(|f'|, scale)\n\n| %-18s | %-10s | %-10s | %-10s | %-10s | "
                "%-6s |\n|%s|%s|%s|%s|%s|%s|\n",
                "activation", "float SIMD", "float scal", "double SIMD", "double scal", "scale",
                std::string(20, '-').c_str(), std::string(12, '-').c_str(), std::string(12, '-').c_str(),
                std::string(13, '-').c_str(), std::string(13, '-').c_str(), std::string(8, '-').c_str());
    for (const auto& r : rows)
        std::printf("| %-18s | %-10.3g | %-10.3g | %-11.3g | %-11.3g | %-6s |\n", r.name.c_str(), r.fv.deriv.err,
                    r.fs.deriv.err, r.dv.deriv.err, r.ds.deriv.err, r.scale.c_str());
    std::printf("\nPoints accepted only by the underflow rule (|error| <= max(|z|, 1) * T's smallest normal), "
                "float SIMD/scalar, double SIMD/scalar:\n");
    for (const auto& r : rows)
        if (r.fv.underflows + r.fs.underflows + r.dv.underflows + r.ds.underflows)
            std::printf("  %s %d/%d, %d/%d\n", r.name.c_str(), r.fv.underflows, r.fs.underflows, r.dv.underflows,
                        r.ds.underflows);
    std::printf("\n");
    if (std::getenv("ACT_DEBUG"))  // where each maximum occurs
        for (const auto& r : rows) {
            std::printf("%-18s", r.name.c_str());
            for (const auto* p : {&r.fv, &r.fs, &r.dv, &r.ds})
                std::printf(" v %.3g@%.6Lg d %.3g@%.6Lg |", p->value.err, p->value.z, p->deriv.err, p->deriv.z);
            std::printf("\n");
        }
}

// ---------------------------------------------------------------------------------------------------------------
// ctnn::tanh on float batches is simd::tanh_approx (kernels/tanh_approx.inc): a denser sweep than the one above,
// on every batch width the dense kernels may use (the 256-bit one serves small layers on AVX-512), and its exact
// special values. (All 2^32 inputs: tools/tanh_exhaustive.cpp.)

template <class Arch>
void check_tanh_approx() {
    using B = xsimd::batch<float, Arch>;
    std::vector<float> z;
    // every 97th float from 2^-30 to 12, both signs (about 2.4 million points)
    for (std::uint32_t u = 0x30800000u; u <= 0x41400000u; u += 97) {
        float v;
        std::memcpy(&v, &u, sizeof v);
        z.push_back(v);
        z.push_back(-v);
    }
    for (const float s : {1.0f, -1.0f})
        for (const float v : {std::numeric_limits<float>::denorm_min(), std::numeric_limits<float>::min(), 1e-30f,
                              0.6f, 9.0109f, 9.5f, 20.0f, std::numeric_limits<float>::max()})
            add_with_neighbours(z, s * v, 3);  // 0.6: the split between the pieces; 9.5: the clamp
    for (const float v : {0.0f, -0.0f, std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                          std::numeric_limits<float>::quiet_NaN()})
        z.push_back(v);
    z.resize((z.size() + B::size - 1) / B::size * B::size, 0.5f);

    std::vector<float> y(z.size());
    for (std::size_t i = 0; i < z.size(); i += B::size) ctnn::tanh::f(B::load_unaligned(&z[i])).store_unaligned(&y[i]);
    double worst = 0;
    float where = 0;
    int broken = 0;  // NaN, sign, +-0, +-1 rules
    for (std::size_t i = 0; i < z.size(); ++i) {
        const float x = z[i], t = y[i];
        if (std::isnan(x)) {
            broken += !std::isnan(t);
            continue;
        }
        broken += std::signbit(t) != std::signbit(x) || !(std::fabs(t) <= 1);
        broken += std::fabs(x) >= 9.5f && std::fabs(t) != 1;
        broken += x == 0 && t != 0;
        broken += std::fabs(x) < 1e-6f && t != x;  // tanh x = x to float precision
        const double e = ulp_error<float>(t, std::tanh(static_cast<ld>(x)));
        if (e > worst) {
            worst = e;
            where = x;
        }
    }
    INFO(Arch::name() << ": largest error " << worst << " ulp at x = " << where);
    CHECK(worst <= 4);
    CHECK(broken == 0);
}

TEST_CASE("tanh: the float SIMD approximation on every batch width", "[activations][tanh]") {
    if constexpr (!std::is_same_v<ctnn::default_arch, ctnn::scalar_arch>) check_tanh_approx<ctnn::default_arch>();
#if XSIMD_WITH_FMA3_AVX2
    check_tanh_approx<xsimd::fma3<xsimd::avx2>>();
#endif
#if XSIMD_WITH_SSE4_2
    check_tanh_approx<xsimd::sse4_2>();
#endif
}

// ---------------------------------------------------------------------------------------------------------------
// Derivatives against central differences of ctnn's own f, in double.

TEST_CASE("elementwise activations: derivatives match central differences", "[activations]") {
    std::vector<double> z;
    for (int i = 0; i <= 4000; ++i) z.push_back(-20 + 0.01 * i);
    for (int i = 0; i <= 4000; ++i) z.push_back(-2 + 0.001 * i);  // sinc's series branch (|z| < 1.5) and beyond
    for (const double s : {1.0, -1.0})
        for (const double v : {1e-8, 1e-3, 0.5, 1.5, 3.0}) add_with_neighbours(z, s * v, 2);
    for_each_activation([&](auto e) {
        using A = typename decltype(e)::act;
        using R = typename decltype(e)::ref;
        double worst = 0, where = 0;
        for (const double zi : z) {
            // truncation error ~ h^2 |f'''| / 6, rounding error ~ eps |f| / h
            const double h = 0x1p-17 * std::max(1.0, std::fabs(zi));
            if (R::kink && std::fabs(zi) < 2 * h) continue;
            const double fd = (A::f(zi + h) - A::f(zi - h)) / (2 * h);
            const double d = A::df(zi, A::f(zi));
            const double err = std::fabs(fd - d) / std::max(1.0, std::fabs(d));
            if (err > worst) {
                worst = err;
                where = zi;
            }
        }
        INFO(label<A>() << ": worst |finite difference - df| / max(1, |df|) = " << worst << " at z = " << where);
        CHECK(worst < 1e-8);
    });
}

// ---------------------------------------------------------------------------------------------------------------
// softmax through a one-layer network with identity weights: the outputs are softmax(x), dx = J^T dy.

struct softmax_result {
    double value_ulp = 0;    // largest value error in ulps
    double value_small = 0;  // the same for inputs in [-3, 3]
    double value = 0;        // largest value error / its bound
    double backward = 0;     // largest dx error / its bound
    int underflows = 0;      // outputs accepted only by the underflow rule
};

template <std::size_t N, class T, class Arch>
softmax_result check_softmax() {
    using Net = ctnn::network<ctnn::input<N>, ctnn::dense<N, ctnn::softmax>>;
    static typename Net::template parameters<T> p;
    static typename Net::template gradients<T> g;
    static typename Net::template workspace<T> ws;
    p.fill(T(0));
    for (std::size_t o = 0; o < N; ++o) p.weight(0, o, o) = T(1);

    std::vector<std::array<T, N>> cases;
    ctnn::random_source r(N * 1000 + sizeof(T));
    std::array<T, N> x;
    for (int c = 0; c < 200; ++c) {
        const double scale = c < 100 ? 3 : 1000;
        for (auto& v : x) v = static_cast<T>(r.uniform(-scale, scale));
        cases.push_back(x);
    }
    for (std::size_t i = 0; i < N; ++i) x[i] = i % 2 ? T(-1000) : T(1000);  // e^x alone would overflow
    cases.push_back(x);
    for (std::size_t i = 0; i < N; ++i) x[i] = T(1000) - T(i);
    cases.push_back(x);
    x.fill(T(-1000));
    cases.push_back(x);
    x.fill(T(0));
    cases.push_back(x);

    softmax_result res;
    for (const auto& xc : cases) {
        std::array<T, N> y, dy, dx;
        Net::template forward<Arch>(p, xc, y, ws);
        // Reference: shifted by the maximum, in long double.
        ld m = xc[0], sum = 0;
        for (const T v : xc) m = std::max(m, static_cast<ld>(v));
        std::array<ld, N> ry;
        for (std::size_t i = 0; i < N; ++i) sum += ry[i] = std::exp(xc[i] - m);
        for (auto& v : ry) v /= sum;
        INFO("N = " << N << ", " << (sizeof(T) == 4 ? "float" : "double") << ", " << Arch::name()
                    << ", x[0] = " << static_cast<double>(xc[0]));
        for (std::size_t i = 0; i < N; ++i) {
            REQUIRE(std::isfinite(y[i]));
            // exp(x_i - m) with x_i - m rounded: relative error up to |x_i - m| ulps; the sum and the scaling
            // add about N / 2 + 2.
            const double bound = 4 + 0.5 * N + static_cast<double>(std::fabs(xc[i] - m));
            const double e = ulp_error(y[i], ry[i]);
            if (e > bound && underflow(1, y[i], ry[i])) {
                ++res.underflows;
                continue;
            }
            res.value_ulp = std::max(res.value_ulp, e);
            if (std::fabs(m) <= 3) res.value_small = std::max(res.value_small, e);
            res.value = std::max(res.value, e / bound);
        }
        // Backward against J^T dy at the computed y (J_ij = y_i (delta_ij - y_j)): N-term dot product and two
        // roundings, relative to y_j (|dy_j| + sum_i |dy_i| y_i), plus a subnormal result's rounding.
        ld dot = 0, gsum = 0;
        for (std::size_t i = 0; i < N; ++i) {
            dy[i] = static_cast<T>(r.uniform(-1, 1));
            dot += static_cast<ld>(dy[i]) * y[i];
            gsum += std::fabs(dy[i]) * static_cast<ld>(y[i]);
        }
        g.fill(T(0));
        Net::template backward<Arch>(p, ws, dy, g, dx);
        for (std::size_t j = 0; j < N; ++j) {
            const ld ref = y[j] * (dy[j] - dot);
            const ld unit = std::numeric_limits<T>::epsilon() * y[j] * (std::fabs(dy[j]) + gsum);
            const ld err = std::max(ld(0), std::fabs(dx[j] - ref) - std::numeric_limits<T>::denorm_min());
            if (err > 0) res.backward = std::max(res.backward, static_cast<double>(err / unit) / (N + 2));
            CHECK(g.bias(0, j) == dx[j]);  // with identity weights dL/db = dL/dz = dL/dx
        }
    }
    CHECK(res.value <= 1.0);
    CHECK(res.backward <= 1.0);
    return res;
}

TEST_CASE("softmax: values and backward against long double, no overflow at +-1000", "[activations]") {
    std::printf("\nsoftmax through dense<N, softmax> with identity weights (%s):\n", ctnn::default_arch::name());
    auto report = [](const char* what, const softmax_result& r) {
        std::printf("  %-20s max value error %5.3g ulp (x in [-3, 3]: %.3g ulp); error / bound: value %.3g, "
                    "backward %.3g; exp underflows %d\n",
                    what, r.value_ulp, r.value_small, r.value, r.backward, r.underflows);
    };
    report("N=5 float SIMD", check_softmax<5, float, ctnn::default_arch>());
    report("N=5 float scalar", check_softmax<5, float, ctnn::scalar_arch>());
    report("N=19 float SIMD", check_softmax<19, float, ctnn::default_arch>());
    report("N=19 float scalar", check_softmax<19, float, ctnn::scalar_arch>());
    report("N=5 double SIMD", check_softmax<5, double, ctnn::default_arch>());
    report("N=5 double scalar", check_softmax<5, double, ctnn::scalar_arch>());
    report("N=19 double SIMD", check_softmax<19, double, ctnn::default_arch>());
    report("N=19 double scalar", check_softmax<19, double, ctnn::scalar_arch>());
}

}  // namespace
