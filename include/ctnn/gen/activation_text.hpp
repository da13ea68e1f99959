// Activation functions as generated text: one helper per distinct activation of the model, with the same
// formulas, in the same evaluation order, as include/ctnn/activations.hpp (docs/activations.md says why each
// form: erfc for gelu, sigmoid(2u) for gelu_tanh, one exp for swish and mish, ...).
// Scalar C++ calls the <cmath> overloads of the generated type, C99 the f-suffixed <math.h> functions (plain
// ones for double), the simd target xsimd's functions on batches, except float tanh: like the library's float
// SIMD kernels it is tanh_approx, whose text (include/ctnn/kernels/tanh_approx.inc, embedded in ctnn-gen at build
// time) the header carries verbatim, so that both compute the same bits.
// Derivatives (for generated training code) belong next to these and can use the same `formula` dialect.
#pragma once

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include <ctnn/activations.hpp>
#include <ctnn/gen/embedded_templates.hpp>
#include <ctnn/gen/plan.hpp>

namespace ctnn::gen {

// Spells expressions for the plan's dialect: a value type V (float, double or batch), literals of V, math
// functions, and the select / max / min the library's activations use.
struct formula {
    const plan& p;

    // simd helpers are templates on the register type V (batch or half_batch).
    std::string V() const { return p.is_simd ? "V" : p.T; }
    std::string c(double v) const { return p.is_simd ? "V(" + p.lit(v) + ")" : p.lit(v); }
    std::string fn(const char* name, const std::string& x) const { return p.math(name) + "(" + x + ")"; }
    std::string select(const std::string& cond, const std::string& a, const std::string& b) const {
        return p.is_simd ? "xsimd::select(" + cond + ", " + a + ", " + b + ")" : "(" + cond + " ? " + a + " : " + b + ")";
    }
    // xsimd's max(a, b) / min(a, b); on scalars xsimd defines them as a < b ? b : a and a > b ? b : a.
    std::string max(const std::string& a, const std::string& b) const {
        return p.is_simd ? "xsimd::max(" + a + ", " + b + ")" : "(" + a + " < " + b + " ? " + b + " : " + a + ")";
    }
    std::string min(const std::string& a, const std::string& b) const {
        return p.is_simd ? "xsimd::min(" + a + ", " + b + ")" : "(" + a + " > " + b + " ? " + b + " : " + a + ")";
    }
    std::string local(const std::string& name, const std::string& value) const {
        return "const " + V() + " " + name + " = " + value + ";";
    }
};

// A library fragment embedded in ctnn-gen (include/ctnn/kernels/*.inc), by file name.
inline std::string embedded_fragment(const char* name) {
    const std::string text = embedded::text(name);
    if (text.empty()) throw std::logic_error(std::string("ctnn::gen: ") + name + " is not embedded");
    return text;
}

// The statements of an activation helper's body computing f(z) from its parameter `z`, ending in a return.
inline std::vector<std::string> activation_body(const plan& p, const activation_use& a) {
    const formula f{p};
    const std::string zero = f.c(0), one = f.c(1);
    const auto ret = [](const std::string& e) { return std::vector<std::string>{"return " + e + ";"}; };
    const std::string& n = a.name;
    if (n == "identity") return ret("z");
    if (n == "binary_step") return ret(f.select("z >= " + zero, one, zero));
    if (n == "sigmoid") return ret(one + " / (" + one + " + " + f.fn("exp", "-z") + ")");
    if (n == "tanh") return ret(is_tanh_approx(p, a.name) ? "tanh_approx(z)" : f.fn("tanh", "z"));
    if (n == "relu") return ret(f.max("z", zero));
    if (n == "leaky_relu") return ret(f.select("z > " + zero, "z", f.c(a.parameter) + " * z"));
    if (n == "elu") return ret(f.select("z > " + zero, "z", f.c(a.parameter) + " * " + f.fn("expm1", "z")));
    if (n == "selu")
        return ret(f.c(selu::lambda) + " * " + f.select("z > " + zero, "z", f.c(selu::alpha) + " * " + f.fn("expm1", "z")));
    if (n == "gelu") return ret(f.c(0.5) + " * z * " + f.fn("erfc", "z * " + f.c(-0.70710678118654752440)));
    if (n == "gelu_tanh")
        // z sigmoid(2u), the sigmoid from one exp of -|2u| (detail::sigmoid_pair).
        return {f.local("u2", f.c(2 * gelu_tanh::k) + " * z * (" + one + " + " + f.c(gelu_tanh::c) + " * z * z)"),
                f.local("e", f.fn("exp", "-" + f.fn("abs", "u2"))),
                f.local("big", one + " / (" + one + " + e)"),
                f.local("small", "e * big"),
                "return z * " + f.select("u2 >= " + zero, "big", "small") + ";"};
    if (n == "softplus") return ret(f.max("z", zero) + " + " + f.fn("log1p", f.fn("exp", "-" + f.fn("abs", "z"))));
    if (n == "softsign") return ret("z / (" + one + " + " + f.fn("abs", "z") + ")");
    if (n == "swish") return ret("z / (" + one + " + " + f.fn("exp", "-z") + ")");
    if (n == "mish")
        // e^z capped where tanh(softplus z) is 1 to working precision, so that n = e (e + 2) stays finite.
        return {f.local("e", f.fn("exp", f.min("z", f.c(p.is_float ? 40 : 300)))),
                "return z / (" + one + " + " + f.c(2) + " / (e * e + " + f.c(2) + " * e));"};
    if (n == "sinc") {
        if (!p.is_simd) return ret("z == " + zero + " ? " + one + " : " + f.fn("sin", "z") + " / z");
        return {"const auto zero = z == " + zero + ";", f.local("safe", f.select("zero", one, "z")),
                "return " + f.select("zero", one, f.fn("sin", "safe") + " / safe") + ";"};
    }
    if (n == "log_sigmoid")
        // -softplus(-z)
        return {f.local("w", "-z"), "return -(" + f.max("w", zero) + " + " + f.fn("log1p", f.fn("exp", "-" + f.fn("abs", "w"))) + ");"};
    throw std::logic_error("ctnn::gen: no generated form for activation \"" + n + "\"");
}

// The formula in words, for the comment above each helper.
inline std::string activation_comment(const activation_use& a, const plan& p) {
    const std::string& n = a.name;
    if (n == "binary_step") return "1 if z >= 0 else 0";
    if (n == "sigmoid") return "1 / (1 + e^-z)";
    if (n == "tanh") return "tanh z";
    if (n == "relu") return "max(z, 0)";
    if (n == "leaky_relu") return "z if z > 0 else " + p.lit(a.parameter) + " z";
    if (n == "elu") return "z if z > 0 else " + p.lit(a.parameter) + " (e^z - 1)";
    if (n == "selu") return "lambda (z if z > 0 else alpha (e^z - 1))";
    if (n == "gelu") return "z erfc(-z / sqrt 2) / 2";
    if (n == "gelu_tanh") return "z sigmoid(2u), u = sqrt(2/pi) (z + 0.044715 z^3)";
    if (n == "softplus") return "ln(1 + e^z) = max(z, 0) + ln(1 + e^-|z|)";
    if (n == "softsign") return "z / (1 + |z|)";
    if (n == "swish") return "z / (1 + e^-z)";
    if (n == "mish") return "z tanh(softplus z) = z / (1 + 2 / (e (e + 2))), e = e^z";
    if (n == "sinc") return "sin(z) / z, 1 at 0";
    if (n == "log_sigmoid") return "ln sigmoid(z) = -softplus(-z)";
    return n;
}

// The helper definitions for every activation of the plan (C++: in namespace detail).
inline std::string activation_helpers(const plan& p) {
    code c(0);
    const formula f{p};
    for (const activation_use& a : p.activations)
        if (is_tanh_approx(p, a.name)) {
            const std::string text = embedded_fragment("tanh_approx.inc");
            c.line("// ctnn's float SIMD tanh, verbatim from include/ctnn/kernels/tanh_approx.inc (below). Declared first to");
            c.line("// force inlining: a call would pass the register through memory, and big translation units exhaust");
            c.line("// GCC's inlining budget.");
            c.line("template <class B>");
            c.line("[[gnu::always_inline]] inline B tanh_approx(const B& x) noexcept;");
            c.append(text.back() == '\n' ? text : text + "\n");
            c.line("");
            break;
        }
    for (const activation_use& a : p.activations) {
        if (is_tanh_fast(p, a.name)) {
            const std::string text = embedded_fragment("tanh_fast.inc");
            c.line("// tanh: ctnn's tanh_fast, verbatim from include/ctnn/kernels/tanh_fast.inc (--math fast)");
            c.open(std::string(p.is_c ? "static inline " : "inline ") + "float " + a.declared + "(float x)" +
                   p.noexcept_() + " {");
            for (std::size_t at = 0; at < text.size();) {  // each line, indented
                const std::size_t end = std::min(text.find('\n', at), text.size());
                c.line(text.substr(at, end - at));
                at = end + 1;
            }
            c.close();
            continue;
        }
        c.line("// " + a.name + ": f(z) = " + activation_comment(a, p));
        if (p.is_simd) c.line("template <class V>");
        // simd: applied to each register in place; always inlined (see tanh_approx above).
        const std::string storage = p.is_c ? "static inline " : p.is_simd ? "[[gnu::always_inline]] inline " : "inline ";
        const std::string head = storage + f.V() + " " + a.declared + "(" + f.V() + " z)" + p.noexcept_() + " {";
        c.open(head);
        for (const std::string& s : activation_body(p, a)) c.line(s);
        c.close();
    }
    return c.str();
}

}  // namespace ctnn::gen
