// Lowering of the training passes: forward_train's body (forward through per-layer static buffers that keep z and
// y) and backward's body (the layers in reverse, ACCUMULATING into the gradient arrays), the library's
// dense_backward (kernels/dense.hpp) spelled out per layer:
//   dz = dL/dy * f'(z, y)      (softmax: dz_o = y_o (g_o - sum_j g_j y_j), over the real outputs)
//   bias_grad += dz;  weight_grad[o][i] += x_i dz_o;  dL/dx_i = sum_o w[o][i] dz_o.
// Backward is loops with constant trip counts in every unroll mode (the compiler unrolls the short ones):
//   scalar: per output o, one pass over the row (contiguous in i: gw_o += x dz_o, gx += w_o dz_o, vectorizable
//           without reassociation); simd: per input i, one pass over the packed row (xsimd registers, like the
//           library's SIMD kernel), dL/dx_i by a horizontal add.
// dL/dy lives in one of two static buffers, overwritten in place by dz; dL/dx goes to the other one (zero padded
// to the previous layer's stride), or to the caller's dloss_din for the first layer (skipped when null).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <ctnn/gen/backward_text.hpp>
#include <ctnn/gen/layer_io.hpp>
#include <ctnn/gen/lower.hpp>
#include <ctnn/gen/plan.hpp>
#include <ctnn/gen/text.hpp>

namespace ctnn::gen {

// Names (before p.decl / p.sym) and sizes of the training state.
struct training_layout {
    struct layer {
        std::string z, y;                      // kept by forward_train: pre-activations, activations
        std::string weight_grad, bias_grad;    // shaped like the layer's weight and bias arrays
        std::string weight_m, weight_v, bias_m, bias_v;  // Adam's moments, likewise
        std::size_t values = 0;                // z / y length: scalar out, simd stride
    };
    std::vector<layer> layers;
    std::string input = "train_input";         // forward_train's input, kept for the first layer's gradients
    std::string buffer[2] = {"grad_buffer0", "grad_buffer1"};  // dL/dy ping-pong
    std::size_t buffers = 1;                                    // the second only with two layers or more
    std::size_t buffer_values = 0;
};

inline training_layout make_training_layout(const plan& p) {
    training_layout t;
    for (const layer_plan& l : p.layers) {
        const std::string b = "layer" + str(l.index) + "_";
        training_layout::layer n;
        n.z = b + "z";
        n.y = b + "y";
        n.weight_grad = b + "weight_grad";
        n.bias_grad = b + "bias_grad";
        n.weight_m = b + "weight_m";
        n.weight_v = b + "weight_v";
        n.bias_m = b + "bias_m";
        n.bias_v = b + "bias_v";
        n.values = p.is_simd ? l.stride : l.out;
        if (n.values > t.buffer_values) t.buffer_values = n.values;
        t.layers.push_back(n);
    }
    if (p.layers.size() > 1) t.buffers = 2;
    return t;
}

namespace detail {
inline std::string size_type(const plan& p) { return p.is_c ? "size_t" : "std::size_t"; }
inline std::string for_range(const plan& p, const std::string& v, std::size_t from, std::size_t to,
                             std::size_t step = 1) {
    return "for (" + size_type(p) + " " + v + " = " + str(from) + "; " + v + " < " + str(to) + "; " +
           (step == 1 ? "++" + v : v + " += " + str(step)) + ")";
}
// The register type declarations a pass needs ("using batch = detail::batch;"): backward works in full registers
// throughout, forward_train in the types its layers use.
inline void register_types(code& c, const plan& p, bool forward) {
    if (!p.is_simd) return;
    for (const char* type : {"batch", "half_batch"})
        for (const layer_plan& l : p.layers)
            if ((forward && l.vec == type) || (!forward && std::string(type) == "batch")) {
                c.line(std::string("using ") + type + " = detail::" + type + ";");
                break;
            }
}
}  // namespace detail

// forward_train(in, out)'s body: the input copied, every layer through its own z / y buffers, out copied from the
// last y.
inline std::string forward_train_body(const plan& p, const training_layout& t, std::size_t indent = 1) {
    code c(indent);
    detail::register_types(c, p, true);
    c.line(detail::for_range(p, "i", 0, p.input_size()) + " " + p.sym(t.input) + "[i] = in[i];");
    for (std::size_t k = 0; k < p.layers.size(); ++k) {
        layer_io io;
        io.x = p.sym(k == 0 ? t.input : t.layers[k - 1].y);
        io.y = p.sym(t.layers[k].y);
        io.z = p.sym(t.layers[k].z);
        c.append(lower_layer_forward(p, p.layers[k], io, indent));
    }
    c.line(detail::for_range(p, "o", 0, p.output_size()) + " out[o] = " + p.sym(t.layers.back().y) + "[o];");
    return c.str();
}

namespace detail {

// The weight-gradient passes `rows(code, with_gx)` with dL/dx written to gx, or, for the first layer, under
// `if (dloss_din)` with and without it.
template <class Rows>
void with_optional_gx(code& c, const plan& p, const std::string& gx, bool optional, const Rows& rows) {
    if (!optional) {
        c.line(p.T + " *const gx = " + gx + ";");
        rows(c, true);
        return;
    }
    c.open("if (" + gx + ") {");
    c.line(p.T + " *const gx = " + gx + ";");
    rows(c, true);
    c.close("} else {");
    code otherwise(c.indent() + 1);
    rows(otherwise, false);
    c.append(otherwise.str());
    c.line("}");
}

// d = dL/dy of layer l, overwritten with dL/dz.
inline void activation_backward(code& c, const plan& p, const layer_plan& l) {
    const std::string T = p.T;
    if (!l.elementwise) {  // softmax, over the real outputs (the padding of d stays 0)
        c.open("{");
        c.line(T + " dot = " + p.lit(0) + ";");
        c.line(for_range(p, "o", 0, l.out) + " dot += d[o] * y[o];");
        c.line(for_range(p, "o", 0, l.out) + " d[o] = y[o] * (d[o] - dot);");
        c.close();
        return;
    }
    if (l.act_fn.empty()) return;  // identity: dz = dy
    const std::string df = derivative_name(l.act_fn);
    if (!p.is_simd) {
        c.line(for_range(p, "o", 0, l.out) + " d[o] *= " + df + "(z[o], y[o]);");
        return;
    }
    // Whole registers: the padding of d is 0, and f'(0, f(0)) is finite.
    c.line(for_range(p, "k", 0, l.stride, p.lanes) +
           " (batch::load_aligned(d + k) * " + df + "(batch::load_aligned(z + k), batch::load_aligned(y + k)))"
           ".store_aligned(d + k);");
}

inline void scalar_layer_backward(code& c, const plan& p, const layer_plan& l, const std::string& gx,
                                  bool gx_optional) {
    const std::string T = p.T, IN = str(l.in);
    c.line(for_range(p, "o", 0, l.out) + " gb[o] += d[o];");
    const auto rows = [&](code& c, bool with_gx) {
        if (with_gx) c.line(for_range(p, "i", 0, l.in) + " gx[i] = " + p.lit(0) + ";");
        c.open(for_range(p, "o", 0, l.out) + " {");
        c.line("const " + T + " dz = d[o];");
        if (with_gx) c.line("const " + T + " *const wo = w + o * " + IN + ";");
        c.line(T + " *const gwo = gw + o * " + IN + ";");
        if (with_gx) {
            c.open(for_range(p, "i", 0, l.in) + " {");
            c.line("gwo[i] += x[i] * dz;");
            c.line("gx[i] += wo[i] * dz;");
            c.close();
        } else {
            c.line(for_range(p, "i", 0, l.in) + " gwo[i] += x[i] * dz;");
        }
        c.close();
    };
    with_optional_gx(c, p, gx, gx_optional, rows);
}

inline void simd_layer_backward(code& c, const plan& p, const layer_plan& l, const std::string& gx,
                                bool gx_optional) {
    const std::string T = p.T, S = str(l.stride);
    const std::size_t W = p.lanes;
    c.line(for_range(p, "k", 0, l.stride, W) +
           " (batch::load_aligned(gb + k) + batch::load_aligned(d + k)).store_aligned(gb + k);");
    const auto rows = [&](code& c, bool with_gx) {
        c.open(for_range(p, "i", 0, l.in) + " {");
        c.line("const batch xi(x[i]);");
        if (with_gx) {
            c.line("const " + T + " *const wi = w + i * " + S + ";");
            c.line("batch acc(" + p.lit(0) + ");");
        }
        c.line(T + " *const gwi = gw + i * " + S + ";");
        c.open(for_range(p, "k", 0, l.stride, W) + " {");
        c.line("const batch dk = batch::load_aligned(d + k);");
        c.line("detail::madd(xi, dk, batch::load_aligned(gwi + k)).store_aligned(gwi + k);");
        if (with_gx) c.line("acc = detail::madd(batch::load_aligned(wi + k), dk, acc);");
        c.close();
        if (with_gx) c.line("gx[i] = xsimd::hadd(acc);");
        c.close();
    };
    with_optional_gx(c, p, gx, gx_optional, rows);
}

}  // namespace detail

// backward(dloss_dout, dloss_din)'s body.
inline std::string backward_body(const plan& p, const training_layout& t, std::size_t indent = 1) {
    code c(indent);
    const std::string T = p.T;
    const std::size_t L = p.layers.size();
    detail::register_types(c, p, false);
    const auto buffer = [&](std::size_t n) { return p.sym(t.buffer[n % 2]); };
    {
        const std::string g = buffer(0);
        c.line(detail::for_range(p, "o", 0, p.output_size()) + " " + g + "[o] = dloss_dout[o];");
        if (t.layers.back().values > p.output_size())
            c.line(detail::for_range(p, "o", p.output_size(), t.layers.back().values) + " " + g + "[o] = " +
                   p.lit(0) + ";");
    }
    for (std::size_t step = 0; step < L; ++step) {
        const std::size_t k = L - 1 - step;
        const layer_plan& l = p.layers[k];
        const training_layout::layer& n = t.layers[k];
        c.open("{");
        c.line("// layer " + str(k) + ": dense " + str(l.in) + " -> " + str(l.out) + ", " + l.activation);
        const bool needs_z = l.elementwise && !l.act_fn.empty();
        const bool needs_y = !l.act_fn.empty() || !l.elementwise;
        c.line(T + " *const d = " + buffer(step) + ";  // dL/dy in, dL/dz out");
        if (needs_z) c.line("const " + T + " *const z = " + p.sym(n.z) + ";");
        if (needs_y) c.line("const " + T + " *const y = " + p.sym(n.y) + ";");
        c.line("const " + T + " *const x = " + p.sym(k == 0 ? t.input : t.layers[k - 1].y) + ";");
        c.line(T + " *const gw = " + p.sym(n.weight_grad) + ";");
        c.line(T + " *const gb = " + p.sym(n.bias_grad) + ";");
        c.line("const " + T + " *const w = " + l.weight + ";");
        detail::activation_backward(c, p, l);
        const std::string gx = k == 0 ? "dloss_din" : buffer(step + 1);
        if (p.is_simd)
            detail::simd_layer_backward(c, p, l, gx, k == 0);
        else
            detail::scalar_layer_backward(c, p, l, gx, k == 0);
        if (k > 0 && t.layers[k - 1].values > l.in)  // the previous layer's dL/dy padding
            c.line(detail::for_range(p, "i", l.in, t.layers[k - 1].values) + " " + gx + "[i] = " + p.lit(0) + ";");
        c.close();
    }
    return c.str();
}

}  // namespace ctnn::gen
