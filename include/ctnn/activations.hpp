// Activation functions. Each one works on a scalar (float, double) and on an xsimd batch alike:
//   f(z)      the activation,
//   df(z, y)  its derivative at z, given y = f(z) (several derivatives are cheapest in terms of y; those are
//             accurate to a few ulps of the derivative's maximum, not relative to its tiny tail values).
// Formulas are evaluated in forms that do not cancel (erfc, sigmoid(2u), e^z (e^z + 2), ...); the one fast
// approximation (float tanh on SIMD) stays within 4 ulp. Formulas, PyTorch equivalents, accuracy: docs/activations.md.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include <ctnn/kernels/fast_math.hpp>
#include <ctnn/kernels/simd.hpp>

namespace ctnn {

// Every activation derives from this; ctnn::is_activation_v tells them from other types.
struct activation_base {
    static constexpr bool elementwise = true;
    // Name of the single parameter (PyTorch's name), empty when there is none.
    static constexpr std::string_view parameter_name{};
    static constexpr double parameter = 0.0;
};

template <class T>
inline constexpr bool is_activation_v = std::is_base_of_v<activation_base, T> && !std::is_same_v<T, activation_base>;

template <class T>
concept activation = is_activation_v<T>;

// Why a type cannot serve as an activation, decided without instantiating it (see layers/layer.hpp).
enum class activation_problem { none, not_an_activation, bad_parameter };
template <class A>
inline constexpr activation_problem activation_problem_v =
    is_activation_v<A> ? activation_problem::none : activation_problem::not_an_activation;

// A compile-time real number as a ratio: float template arguments are not portable to clang 14.
template <std::intmax_t Num, std::intmax_t Den>
inline constexpr double ratio_v = static_cast<double>(Num) / static_cast<double>(Den);

namespace detail {
template <class V>
V sigmoid(V z) noexcept {
    using simd::constant;
    return constant<V>(1) / (constant<V>(1) + xsimd::exp(-z));
}
// s = sigmoid(z) and sm = 1 - s = sigmoid(-z) from one exp, neither by subtraction (which cancels in a tail).
template <class V>
void sigmoid_pair(V z, V& s, V& sm) noexcept {
    using simd::constant;
    const V e = xsimd::exp(-xsimd::abs(z));
    const V big = constant<V>(1) / (constant<V>(1) + e);  // the half in [1/2, 1]
    const V small = e * big;                               // the half in (0, 1/2]
    const auto pos = z >= constant<V>(0);
    s = simd::select(pos, big, small);
    sm = simd::select(pos, small, big);
}
// log(1 + exp(z)) without overflow.
template <class V>
V softplus(V z) noexcept {
    return xsimd::max(z, simd::constant<V>(0)) + xsimd::log1p(xsimd::exp(-xsimd::abs(z)));
}
}  // namespace detail

// f(z) = z;  f'(z) = 1
struct identity : activation_base {
    static constexpr std::string_view name = "identity";
    template <class V> static V f(V z) noexcept { return z; }
    template <class V> static V df(V, V) noexcept { return simd::constant<V>(1); }
};

// f(z) = 1 if z >= 0 else 0 (torch.heaviside(z, 1): 1 at 0);  f'(z) = 0
struct binary_step : activation_base {
    static constexpr std::string_view name = "binary_step";
    template <class V> static V f(V z) noexcept {
        return simd::select(z >= simd::constant<V>(0), simd::constant<V>(1), simd::constant<V>(0));
    }
    template <class V> static V df(V, V) noexcept { return simd::constant<V>(0); }
};

// f(z) = 1 / (1 + e^-z);  f'(z) = y (1 - y)
struct sigmoid : activation_base {
    static constexpr std::string_view name = "sigmoid";
    template <class V> static V f(V z) noexcept { return detail::sigmoid(z); }
    template <class V> static V df(V, V y) noexcept { return y * (simd::constant<V>(1) - y); }
};

// f(z) = tanh z;  f'(z) = 1 - y^2. Float batches use simd::tanh_approx (kernels/tanh_approx.inc: within 3.2 ulp,
// branch-free, one division; xsimd::tanh costs about 1.5x as much); double batches and scalars use xsimd::tanh.
struct tanh : activation_base {
    static constexpr std::string_view name = "tanh";
    template <class V> static V f(V z) noexcept {
        if constexpr (std::is_same_v<simd::scalar_t<V>, float> && !std::is_same_v<V, float>)
            return simd::tanh_approx(z);
        else
            return xsimd::tanh(z);
    }
    template <class V> static V df(V, V y) noexcept { return simd::constant<V>(1) - y * y; }
};

// f(z) = max(z, 0);  f'(z) = 1 if z > 0 else 0
struct relu : activation_base {
    static constexpr std::string_view name = "relu";
    template <class V> static V f(V z) noexcept { return xsimd::max(z, simd::constant<V>(0)); }
    template <class V> static V df(V z, V) noexcept {
        return simd::select(z > simd::constant<V>(0), simd::constant<V>(1), simd::constant<V>(0));
    }
};

// f(z) = z if z > 0 else a z, a = Num/Den (default 0.01);  f'(z) = 1 if z > 0 else a
template <std::intmax_t Num = 1, std::intmax_t Den = 100>
struct leaky_relu : activation_base {
    static_assert(Den != 0, "ctnn::leaky_relu<Num, Den>: the slope Num/Den needs a non-zero Den");
    static constexpr std::string_view name = "leaky_relu";
    static constexpr std::string_view parameter_name = "negative_slope";
    static constexpr double parameter = ratio_v<Num, Den>;
    template <class V> static V f(V z) noexcept {
        return simd::select(z > simd::constant<V>(0), z, simd::constant<V>(parameter) * z);
    }
    template <class V> static V df(V z, V) noexcept {
        return simd::select(z > simd::constant<V>(0), simd::constant<V>(1), simd::constant<V>(parameter));
    }
};

// f(z) = z if z > 0 else alpha (e^z - 1), alpha = Num/Den (default 1);  f'(z) = 1 if z > 0 else y + alpha
template <std::intmax_t Num = 1, std::intmax_t Den = 1>
struct elu : activation_base {
    static_assert(Den != 0, "ctnn::elu<Num, Den>: alpha = Num/Den needs a non-zero Den");
    static constexpr std::string_view name = "elu";
    static constexpr std::string_view parameter_name = "alpha";
    static constexpr double parameter = ratio_v<Num, Den>;
    template <class V> static V f(V z) noexcept {
        return simd::select(z > simd::constant<V>(0), z, simd::constant<V>(parameter) * xsimd::expm1(z));
    }
    template <class V> static V df(V z, V y) noexcept {
        return simd::select(z > simd::constant<V>(0), simd::constant<V>(1), y + simd::constant<V>(parameter));
    }
};

// f(z) = lambda (z if z > 0 else alpha (e^z - 1)), with the self-normalizing constants;
// f'(z) = lambda if z > 0 else y + lambda alpha
struct selu : activation_base {
    static constexpr std::string_view name = "selu";
    static constexpr double alpha = 1.6732632423543772848170429916717;
    static constexpr double lambda = 1.0507009873554804934193349852946;
    template <class V> static V f(V z) noexcept {
        using simd::constant;
        return constant<V>(lambda) * simd::select(z > constant<V>(0), z, constant<V>(alpha) * xsimd::expm1(z));
    }
    template <class V> static V df(V z, V y) noexcept {
        using simd::constant;
        return simd::select(z > constant<V>(0), constant<V>(lambda), y + constant<V>(lambda * alpha));
    }
};

// f(z) = z Phi(z) = z erfc(-z / sqrt 2) / 2;  f'(z) = Phi(z) + z phi(z)
// (erfc, not 1 + erf: the latter cancels for z < 0 and loses all digits of the left tail.)
struct gelu : activation_base {
    static constexpr std::string_view name = "gelu";
    template <class V> static V f(V z) noexcept {
        using simd::constant;
        return constant<V>(0.5) * z * xsimd::erfc(z * constant<V>(-0.70710678118654752440));
    }
    template <class V> static V df(V z, V) noexcept {
        using simd::constant;
        const V cdf = constant<V>(0.5) * xsimd::erfc(z * constant<V>(-0.70710678118654752440));
        const V pdf = constant<V>(0.39894228040143267794) * xsimd::exp(constant<V>(-0.5) * z * z);
        return cdf + z * pdf;
    }
};

// f(z) = z (1 + tanh(u)) / 2, u = sqrt(2/pi) (z + 0.044715 z^3) (PyTorch's approximate='tanh');
// f'(z) = (1 + t) / 2 + z (1 - t^2) sqrt(2/pi) (1 + 3 * 0.044715 z^2) / 2, t = tanh(u).
// Evaluated as (1 + t) / 2 = s = sigmoid(2u), (1 - t^2) / 2 = 2 s (1 - s): no cancellation for z < 0.
struct gelu_tanh : activation_base {
    static constexpr std::string_view name = "gelu_tanh";
    static constexpr double k = 0.79788456080286535588;  // sqrt(2/pi)
    static constexpr double c = 0.044715;
    template <class V> static V f(V z) noexcept {
        V s, sm;
        detail::sigmoid_pair(two_u(z), s, sm);
        return z * s;
    }
    template <class V> static V df(V z, V) noexcept {
        using simd::constant;
        V s, sm;
        detail::sigmoid_pair(two_u(z), s, sm);
        const V du = constant<V>(2 * k) * (constant<V>(1) + constant<V>(3 * c) * z * z);  // (2u)'
        return s + z * s * sm * du;
    }

  private:
    template <class V> static V two_u(V z) noexcept {
        using simd::constant;
        return constant<V>(2 * k) * z * (constant<V>(1) + constant<V>(c) * z * z);
    }
};

// f(z) = ln(1 + e^z);  f'(z) = sigmoid(z). Exact for all z (PyTorch's F.softplus returns z itself for z > 20).
struct softplus : activation_base {
    static constexpr std::string_view name = "softplus";
    template <class V> static V f(V z) noexcept { return detail::softplus(z); }
    template <class V> static V df(V z, V) noexcept { return detail::sigmoid(z); }
};

// f(z) = z / (1 + |z|);  f'(z) = 1 / (1 + |z|)^2
struct softsign : activation_base {
    static constexpr std::string_view name = "softsign";
    template <class V> static V f(V z) noexcept { return z / (simd::constant<V>(1) + xsimd::abs(z)); }
    template <class V> static V df(V z, V) noexcept {
        const V d = simd::constant<V>(1) + xsimd::abs(z);
        return simd::constant<V>(1) / (d * d);
    }
};

// f(z) = z sigmoid(z) (swish with beta = 1, PyTorch's SiLU);  f'(z) = s (1 + z (1 - s)), s = sigmoid(z)
struct swish : activation_base {
    static constexpr std::string_view name = "swish";
    template <class V> static V f(V z) noexcept { return z / (simd::constant<V>(1) + xsimd::exp(-z)); }
    template <class V> static V df(V z, V) noexcept {
        V s, sm;
        detail::sigmoid_pair(z, s, sm);
        return s + z * s * sm;
    }
};
using silu = swish;

// f(z) = z tanh(softplus(z));  f'(z) = t + z sigmoid(z) (1 - t^2), t = tanh(softplus(z)).
// With e = e^z and n = e (e + 2): t = n / (n + 2) = 1 / (1 + 2 / n), and 1 - t^2 = 4 d (1 - d), d = 1 / (n + 2):
// one exp, no cancellation (z / (1 + 2 / n) has the fewest roundings that matter for z < 0).
// e^z is capped where t is 1 to working precision, so n stays finite.
struct mish : activation_base {
    static constexpr std::string_view name = "mish";
    template <class V> static V f(V z) noexcept {
        using simd::constant;
        return z / (constant<V>(1) + constant<V>(2) / n_of(capped_exp(z)));
    }
    template <class V> static V df(V z, V) noexcept {
        using simd::constant;
        const V e = capped_exp(z);
        const V n = n_of(e);
        const V d = constant<V>(1) / (n + constant<V>(2));
        const V s = e / (constant<V>(1) + e);
        return n * d + z * s * (constant<V>(4) * d * (constant<V>(1) - d));
    }

  private:
    template <class V> static V capped_exp(V z) noexcept {
        constexpr double cap = sizeof(simd::scalar_t<V>) == 4 ? 40 : 300;  // e^(2 cap) is finite in the type
        return xsimd::exp(xsimd::min(z, simd::constant<V>(cap)));
    }
    template <class V> static V n_of(V e) noexcept { return e * e + simd::constant<V>(2) * e; }
};

// f(z) = sin(z) / z, f(0) = 1 (unnormalized);  f'(z) = (cos z - f(z)) / z, f'(0) = 0
struct sinc : activation_base {
    static constexpr std::string_view name = "sinc";
    template <class V> static V f(V z) noexcept {
        using simd::constant;
        const auto zero = z == constant<V>(0);
        const V safe = simd::select(zero, constant<V>(1), z);
        return simd::select(zero, constant<V>(1), xsimd::sin(safe) / safe);
    }
    template <class V> static V df(V z, V y) noexcept {
        using simd::constant;
        // For |z| < 1.5 the quotient cancels; there f'(z) = sum_k (-1)^k 2k z^(2k-1) / (2k+1)!, whose terms
        // beyond z^21 are below double precision.
        const V s = z * z;
        V series = constant<V>(series_coefficients[series_terms - 1]);
        for (int k = series_terms - 2; k >= 0; --k) series = series * s + constant<V>(series_coefficients[k]);
        series = series * z;
        const auto small = xsimd::abs(z) < constant<V>(1.5);
        const V safe = simd::select(small, constant<V>(1), z);
        return simd::select(small, series, (xsimd::cos(safe) - y) / safe);
    }

  private:
    static constexpr int series_terms = 11;
    // (-1)^k 2k / (2k+1)!, k = 1 .. series_terms
    static constexpr auto series_coefficients = [] {
        std::array<double, series_terms> c{};
        double factorial = 1;  // (2k+1)!
        for (int k = 1; k <= series_terms; ++k) {
            factorial *= (2 * k) * (2 * k + 1);
            c[k - 1] = (k % 2 ? -2.0 : 2.0) * k / factorial;
        }
        return c;
    }();
};

// f(z) = ln sigmoid(z) = -softplus(-z);  f'(z) = 1 - sigmoid(z) = sigmoid(-z)
struct log_sigmoid : activation_base {
    static constexpr std::string_view name = "log_sigmoid";
    template <class V> static V f(V z) noexcept { return -detail::softplus(-z); }
    template <class V> static V df(V z, V) noexcept { return detail::sigmoid(-z); }
};

// Vector activation: y_i = e^(z_i - max z) / sum_j e^(z_j - max z);  dL/dz_i = y_i (g_i - sum_j g_j y_j).
// Its kernels live with the dense layer (kernels/dense.hpp): it needs the whole layer.
struct softmax : activation_base {
    static constexpr bool elementwise = false;
    static constexpr std::string_view name = "softmax";
};

template <std::intmax_t Num, std::intmax_t Den>
inline constexpr activation_problem activation_problem_v<leaky_relu<Num, Den>> =
    Den == 0 ? activation_problem::bad_parameter : activation_problem::none;
template <std::intmax_t Num, std::intmax_t Den>
inline constexpr activation_problem activation_problem_v<elu<Num, Den>> =
    Den == 0 ? activation_problem::bad_parameter : activation_problem::none;

}  // namespace ctnn
