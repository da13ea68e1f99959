// Activation derivatives as generated text, for the training code: one helper dact_<name>(z, y) per distinct
// elementwise activation (identity needs none), spelling the library's df(z, y) (include/ctnn/activations.hpp)
// with the same formulas in the same evaluation order, in the dialect of activation_text.hpp's `formula`.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include <ctnn/activations.hpp>
#include <ctnn/gen/activation_text.hpp>
#include <ctnn/gen/plan.hpp>
#include <ctnn/gen/text.hpp>

namespace ctnn::gen {

// The derivative helper of an activation helper: "act_tanh" -> "dact_tanh" (C: "NAME_act_tanh" -> "NAME_dact_tanh").
// The helper names end in act_<activation>[_N], and no activation name contains "act_".
inline std::string derivative_name(const std::string& activation_name) {
    const std::size_t at = activation_name.rfind("act_");
    if (at == std::string::npos) throw std::logic_error("ctnn::gen: not an activation helper: " + activation_name);
    return activation_name.substr(0, at) + "d" + activation_name.substr(at);
}

namespace detail {
// (-1)^k 2k / (2k+1)!, k = 1 .. 11: sinc's series for |z| < 1.5, computed as the library computes it.
inline std::vector<double> sinc_series() {
    std::vector<double> c;
    double factorial = 1;
    for (int k = 1; k <= 11; ++k) {
        factorial *= (2 * k) * (2 * k + 1);
        c.push_back((k % 2 ? -2.0 : 2.0) * k / factorial);
    }
    return c;
}
}  // namespace detail

// The statements of dact_<name>(z, y), ending in a return: the library's df(z, y).
inline std::vector<std::string> derivative_body(const plan& p, const activation_use& a) {
    const formula f{p};
    const std::string zero = f.c(0), one = f.c(1);
    const std::string flag = p.is_simd ? "const auto " : p.is_c ? "const int " : "const bool ";
    const std::string& n = a.name;
    using lines = std::vector<std::string>;
    // s = sigmoid(x), sm = 1 - s from one exp, neither by subtraction (detail::sigmoid_pair)
    const auto sigmoid_pair = [&](const std::string& x) {
        return lines{f.local("e", f.fn("exp", "-" + f.fn("abs", x))), f.local("big", one + " / (" + one + " + e)"),
                     f.local("small", "e * big"), flag + "pos = " + x + " >= " + zero + ";",
                     f.local("s", f.select("pos", "big", "small")), f.local("sm", f.select("pos", "small", "big"))};
    };
    const auto with = [](lines a, const lines& b) {
        a.insert(a.end(), b.begin(), b.end());
        return a;
    };
    if (n == "binary_step") return {"(void)z;", "(void)y;", "return " + zero + ";"};
    if (n == "sigmoid") return {"(void)z;", "return y * (" + one + " - y);"};
    if (n == "tanh") return {"(void)z;", "return " + one + " - y * y;"};
    if (n == "relu") return {"(void)y;", "return " + f.select("z > " + zero, one, zero) + ";"};
    if (n == "leaky_relu") return {"(void)y;", "return " + f.select("z > " + zero, one, f.c(a.parameter)) + ";"};
    if (n == "elu") return {"return " + f.select("z > " + zero, one, "y + " + f.c(a.parameter)) + ";"};
    if (n == "selu")
        return {"return " + f.select("z > " + zero, f.c(selu::lambda), "y + " + f.c(selu::lambda * selu::alpha)) + ";"};
    if (n == "gelu")
        return {"(void)y;",
                f.local("cdf", f.c(0.5) + " * " + f.fn("erfc", "z * " + f.c(-0.70710678118654752440))),
                f.local("pdf", f.c(0.39894228040143267794) + " * " + f.fn("exp", f.c(-0.5) + " * z * z")),
                "return cdf + z * pdf;"};
    if (n == "gelu_tanh")
        return with(with({"(void)y;", f.local("u2", f.c(2 * gelu_tanh::k) + " * z * (" + one + " + " +
                                                        f.c(gelu_tanh::c) + " * z * z)")},
                         sigmoid_pair("u2")),
                    {f.local("du", f.c(2 * gelu_tanh::k) + " * (" + one + " + " + f.c(3 * gelu_tanh::c) + " * z * z)"),
                     "return s + z * s * sm * du;"});
    if (n == "softplus") return {"(void)y;", "return " + one + " / (" + one + " + " + f.fn("exp", "-z") + ");"};
    if (n == "softsign")
        return {"(void)y;", f.local("d", one + " + " + f.fn("abs", "z")), "return " + one + " / (d * d);"};
    if (n == "swish") return with(with({"(void)y;"}, sigmoid_pair("z")), {"return s + z * s * sm;"});
    if (n == "mish")
        return {"(void)y;",
                f.local("e", f.fn("exp", f.min("z", f.c(p.is_float ? 40 : 300)))),
                f.local("n", "e * e + " + f.c(2) + " * e"),
                f.local("d", one + " / (n + " + f.c(2) + ")"),
                f.local("s", "e / (" + one + " + e)"),
                "return n * d + z * s * (" + f.c(4) + " * d * (" + one + " - d));"};
    if (n == "sinc") {
        // For |z| < 1.5 the quotient cancels: the series (Horner, in the library's order) instead.
        const std::vector<double> c = detail::sinc_series();
        std::string series = f.c(c.back());
        for (std::size_t k = c.size() - 1; k-- > 0;) series = "(" + series + " * s + " + f.c(c[k]) + ")";
        return {f.local("s", "z * z"), f.local("series", series + " * z"),
                flag + "small = " + f.fn("abs", "z") + " < " + f.c(1.5) + ";",
                f.local("safe", f.select("small", one, "z")),
                "return " + f.select("small", "series", "(" + f.fn("cos", "safe") + " - y) / safe") + ";"};
    }
    if (n == "log_sigmoid")  // sigmoid(-z)
        return {"(void)y;", "return " + one + " / (" + one + " + " + f.fn("exp", "z") + ");"};
    throw std::logic_error("ctnn::gen: no generated derivative for activation \"" + n + "\"");
}

// The derivative helpers of every activation of the plan (C++: in namespace detail).
inline std::string derivative_helpers(const plan& p) {
    code c(0);
    const formula f{p};
    for (const activation_use& a : p.activations) {
        c.line("// " + a.name + ": f'(z), given y = f(z) (the library's df)");
        if (p.is_simd) c.line("template <class V>");
        c.open((p.is_c ? "static inline " : "inline ") + f.V() + " " + derivative_name(a.declared) + "(" + f.V() +
               " z, " + f.V() + " y)" + p.noexcept_() + " {");
        for (const std::string& s : derivative_body(p, a)) c.line(s);
        c.close();
    }
    return c.str();
}

}  // namespace ctnn::gen
