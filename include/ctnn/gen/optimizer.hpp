// Lowering of the optimizer entry points of the training code: zero_grad's and step(learning_rate)'s bodies.
//   SGD:  w -= lr g
//   Adam: torch.optim.Adam (no weight decay, no amsgrad): t += 1; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
//         w -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps), in the model's scalar type. 1 - b^t is computed
//         as -expm1(t ln b) (ln b, 1 - b rounded once from double): accurate to a few ulps, like torch's (which
//         takes it in double), where 1 - (running product b^t) in float would be off by 1e-5 relative.
// One loop with a constant trip count per array (weights and bias of each layer): scalar code on the scalar
// targets, xsimd registers on the simd target (its arrays are padded to whole registers; the padding's gradient
// and moments stay 0, so its weights stay 0).
#pragma once

#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include <ctnn/gen/backward.hpp>
#include <ctnn/gen/plan.hpp>
#include <ctnn/gen/text.hpp>

namespace ctnn::gen {

// One parameter array and its training arrays (names as referenced, p.sym), and its length.
struct trained_array {
    std::string param, grad, m, v;
    std::size_t size = 0;
};

inline std::vector<trained_array> trained_arrays(const plan& p, const training_layout& t) {
    std::vector<trained_array> a;
    for (std::size_t k = 0; k < p.layers.size(); ++k) {
        const layer_plan& l = p.layers[k];
        const training_layout::layer& n = t.layers[k];
        a.push_back({l.weight, p.sym(n.weight_grad), p.sym(n.weight_m), p.sym(n.weight_v), l.weight_size});
        a.push_back({l.bias, p.sym(n.bias_grad), p.sym(n.bias_m), p.sym(n.bias_v), l.bias_size});
    }
    return a;
}

// Name of Adam's scalar state: the step count t.
struct adam_state {
    std::string steps = "adam_steps";
};

inline std::string zero_grad_body(const plan& p, const training_layout& t, std::size_t indent = 1) {
    code c(indent);
    for (const trained_array& a : trained_arrays(p, t))
        c.line(detail::for_range(p, "k", 0, a.size) + " " + a.grad + "[k] = " + p.lit(0) + ";");
    return c.str();
}

// step(learning_rate)'s body; the parameter is called learning_rate.
inline std::string step_body(const plan& p, const training_layout& t, std::size_t indent = 1) {
    code c(indent);
    const std::string T = p.T;
    const std::vector<trained_array> arrays = trained_arrays(p, t);
    const std::size_t W = p.is_simd ? p.lanes : 1;
    const auto load = [](const std::string& a) { return "batch::load_aligned(" + a + " + k)"; };
    if (p.opt.train == training::sgd) {
        if (p.is_simd) {
            c.line("using batch = detail::batch;");
            c.line("const batch rate(learning_rate);");
        }
        for (const trained_array& a : arrays) {
            const std::string loop = detail::for_range(p, "k", 0, a.size, W) + " ";
            if (p.is_simd)
                c.line(loop + "(" + load(a.param) + " - rate * " + load(a.grad) + ").store_aligned(" + a.param + " + k);");
            else
                c.line(loop + a.param + "[k] -= learning_rate * " + a.grad + "[k];");
        }
        return c.str();
    }
    const adam_state s;
    const options& o = p.opt;
    c.line("++" + p.sym(s.steps) + ";");
    const std::string count = p.is_c ? "(" + T + ")" + p.sym(s.steps) : "static_cast<" + T + ">(" + p.sym(s.steps) + ")";
    c.line("const " + T + " t = " + count + ";");
    // 1 - b^t = -expm1(t ln b): a power of b rounded in T and then subtracted from 1 would lose log2(1 / (1 - b))
    // bits (10 for b2 = 0.999).
    const std::string expm1 = p.is_c ? p.math("expm1") : "std::expm1";
    // A beta of 0 (no averaging) has no logarithm: 1 - 0^t = 1 for every step t >= 1.
    const auto correction = [&](const std::string& name, double beta, const std::string& what) {
        if (beta == 0)
            c.line("const " + T + " " + name + " = " + p.lit(1) + ";  // " + what + " (beta 0)");
        else
            c.line("const " + T + " " + name + " = -" + expm1 + "(t * " + p.lit(std::log(beta)) + ");  // " + what);
    };
    correction("correction1", o.adam_beta1, "1 - b1^t");
    correction("correction2", o.adam_beta2, "1 - b2^t");
    if (o.adam_beta1 == 0 && o.adam_beta2 == 0) c.line("(void)t;");
    if (p.is_simd) {
        c.line("using batch = detail::batch;");
        c.line("const batch rate(learning_rate), c1(correction1), c2(correction2);");
        c.line("const batch b1(" + p.lit(o.adam_beta1) + "), b2(" + p.lit(o.adam_beta2) + "), one_b1(" +
               p.lit(1 - o.adam_beta1) + "), one_b2(" + p.lit(1 - o.adam_beta2) + "), eps(" + p.lit(o.adam_epsilon) +
               ");");
        for (const trained_array& a : arrays) {
            c.open(detail::for_range(p, "k", 0, a.size, W) + " {");
            c.line("const batch g = " + load(a.grad) + ";");
            c.line("const batch m = b1 * " + load(a.m) + " + one_b1 * g;");
            c.line("const batch v = b2 * " + load(a.v) + " + one_b2 * g * g;");
            c.line("m.store_aligned(" + a.m + " + k);");
            c.line("v.store_aligned(" + a.v + " + k);");
            c.line("(" + load(a.param) + " - rate * (m / c1) / (xsimd::sqrt(v / c2) + eps)).store_aligned(" + a.param +
                   " + k);");
            c.close();
        }
        return c.str();
    }
    for (const trained_array& a : arrays) {
        c.open(detail::for_range(p, "k", 0, a.size) + " {");
        c.line("const " + T + " g = " + a.grad + "[k];");
        c.line("const " + T + " m = " + p.lit(o.adam_beta1) + " * " + a.m + "[k] + " + p.lit(1 - o.adam_beta1) + " * g;");
        c.line("const " + T + " v = " + p.lit(o.adam_beta2) + " * " + a.v + "[k] + " + p.lit(1 - o.adam_beta2) +
               " * g * g;");
        c.line(a.m + "[k] = m;");
        c.line(a.v + "[k] = v;");
        c.line(a.param + "[k] -= learning_rate * (m / correction1) / (" + p.math("sqrt") + "(v / correction2) + " +
               p.lit(o.adam_epsilon) + ");");
        c.close();
    }
    return c.str();
}

}  // namespace ctnn::gen
