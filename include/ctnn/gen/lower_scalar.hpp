// Lowering of a dense layer's forward pass for the scalar targets (C++17 and C99): weights row-major
// weight[out][in] (PyTorch order), y = act(W x + b).
//   unrolled: inputs read once into locals, then every multiply-add spelled out with constant indices into the
//             weight array, inputs outer and outputs inner, so that the outputs' independent chains overlap;
//             a layer with fewer than 8 outputs sums each output in several partial sums, added as a tree.
//   loops:    for each group of 8 outputs o..o+7 { a_k = b[o + k]; for i: a_k += w[(o + k) * in + i] * x[i]; store },
//             8 independent chains (a group of m < 8 outputs: 8 / m partial sums per output).
// softmax is applied after the sums, over the layer's outputs: max-subtracted, like kernels/dense.hpp.
#pragma once

#include <cstddef>
#include <string>

#include <ctnn/gen/layer_io.hpp>
#include <ctnn/gen/plan.hpp>
#include <ctnn/gen/text.hpp>

namespace ctnn::gen {

// Independent chains a scalar layer keeps in flight: outputs times partial sums per output, about 8.
inline constexpr std::size_t scalar_chains = 8;

// softmax over y[0 .. n), in place, max-subtracted (the scalar kernel of kernels/dense.hpp).
inline void scalar_softmax(code& c, const plan& p, std::size_t n, const std::string& y) {
    const std::string T = p.T, N = str(n);
    c.open("{");
    c.line(T + " m = " + y + "[0];");
    c.line("for (" + std::string(p.is_c ? "size_t" : "std::size_t") + " o = 1; o < " + N + "; ++o) m = " + y +
           "[o] > m ? " + y + "[o] : m;");
    c.line(T + " sum = " + p.lit(0) + ";");
    c.open("for (" + std::string(p.is_c ? "size_t" : "std::size_t") + " o = 0; o < " + N + "; ++o) {");
    c.line(y + "[o] = " + p.math("exp") + "(" + y + "[o] - m);");
    c.line("sum += " + y + "[o];");
    c.close();
    c.line("const " + T + " inv = " + p.lit(1) + " / sum;");
    c.line("for (" + std::string(p.is_c ? "size_t" : "std::size_t") + " o = 0; o < " + N + "; ++o) " + y +
           "[o] *= inv;");
    c.close();
}

// The statement applying the layer's activation to `value` and storing it at y[o] (softmax: stores z).
inline std::string scalar_store(const layer_plan& l, const std::string& y, const std::string& o,
                                const std::string& value) {
    return y + "[" + o + "] = " + (l.act_fn.empty() ? value : l.act_fn + "(" + value + ")") + ";";
}

inline void lower_scalar_unrolled(code& c, const plan& p, const layer_plan& l, const layer_io& io) {
    const std::string T = p.T;
    const std::size_t in = l.in, out = l.out;
    // Partial sums per output: enough chains to hide the latency of an add, at most one per input.
    std::size_t R = out >= scalar_chains ? 1 : scalar_chains / out;
    if (R > in) R = in;
    const auto acc = [&](std::size_t r, std::size_t o) { return "a" + (R > 1 ? str(r) + "_" : "") + str(o); };
    const auto wi = [&](std::size_t o, std::size_t i) { return "w[" + str(o * in + i) + "]"; };
    for (std::size_t i = 0; i < in; ++i) c.line("const " + T + " x" + str(i) + " = x[" + str(i) + "];");
    // Inputs 0 .. R start the partial sums; the bias joins the first.
    for (std::size_t o = 0; o < out; ++o) c.line(T + " " + acc(0, o) + " = b[" + str(o) + "] + " + wi(o, 0) + " * x0;");
    for (std::size_t r = 1; r < R; ++r)
        for (std::size_t o = 0; o < out; ++o)
            c.line(T + " " + acc(r, o) + " = " + wi(o, r) + " * x" + str(r) + ";");
    for (std::size_t i = R; i < in; ++i)
        for (std::size_t o = 0; o < out; ++o)
            c.line(acc(i % R, o) + " += " + wi(o, i) + " * x" + str(i) + ";");
    for (std::size_t step = 1; step < R; step *= 2)
        for (std::size_t r = 0; r + step < R; r += 2 * step)
            for (std::size_t o = 0; o < out; ++o) c.line(acc(r, o) + " += " + acc(r + step, o) + ";");
    for (std::size_t o = 0; o < out; ++o) {
        if (!io.z.empty()) c.line("z[" + str(o) + "] = " + acc(0, o) + ";");
        c.line(scalar_store(l, "y", str(o), acc(0, o)));
    }
}

// Loops: outputs in groups of up to 8 whose sums run side by side over the inputs (independent chains); a
// group of m < 8 outputs keeps 8 / m partial sums per output, each taking every (8 / m)-th input.
// The group's first output is `first`, or the loop variable o when looped.
inline void scalar_group_loop(code& c, const plan& p, const layer_plan& l, const layer_io& io, std::size_t m,
                              std::size_t first, bool looped) {
    const std::string size_t_ = p.is_c ? "size_t" : "std::size_t", T = p.T, IN = str(l.in);
    std::size_t R = m >= scalar_chains ? 1 : scalar_chains / m;
    if (R > l.in) R = l.in;
    const auto acc = [&](std::size_t r, std::size_t k) { return "a" + (R > 1 ? str(r) + "_" : "") + str(k); };
    const auto at = [&](std::size_t k) { return looped ? (k ? "o + " + str(k) : std::string("o")) : str(first + k); };
    const auto row = [&](std::size_t k, const std::string& i) {
        if (!looped) return "w[" + (first + k ? str((first + k) * l.in) + " + " : std::string()) + i + "]";
        return "w[" + (k ? "(o + " + str(k) + ")" : std::string("o")) + " * " + IN + " + " + i + "]";
    };
    for (std::size_t k = 0; k < m; ++k) c.line(T + " " + acc(0, k) + " = b[" + at(k) + "];");
    for (std::size_t r = 1; r < R; ++r)
        for (std::size_t k = 0; k < m; ++k) c.line(T + " " + acc(r, k) + " = " + p.lit(0) + ";");
    const std::size_t main = l.in / R * R;
    c.open("for (" + size_t_ + " i = 0; i < " + str(main) + (R == 1 ? "; ++i) {" : "; i += " + str(R) + ") {"));
    for (std::size_t r = 0; r < R; ++r) {
        const std::string i = r ? "i + " + str(r) : "i";
        c.line("const " + T + " x" + str(r) + " = x[" + i + "];");
        for (std::size_t k = 0; k < m; ++k) c.line(acc(r, k) + " += " + row(k, i) + " * x" + str(r) + ";");
    }
    c.close();
    for (std::size_t i = main; i < l.in; ++i)
        for (std::size_t k = 0; k < m; ++k)
            c.line(acc(i - main, k) + " += " + (looped ? row(k, str(i)) : "w[" + str((first + k) * l.in + i) + "]") +
                   " * x[" + str(i) + "];");
    for (std::size_t step = 1; step < R; step *= 2)
        for (std::size_t r = 0; r + step < R; r += 2 * step)
            for (std::size_t k = 0; k < m; ++k) c.line(acc(r, k) + " += " + acc(r + step, k) + ";");
    for (std::size_t k = 0; k < m; ++k) {
        if (!io.z.empty()) c.line("z[" + at(k) + "] = " + acc(0, k) + ";");
        c.line(scalar_store(l, "y", at(k), acc(0, k)));
    }
}

inline void lower_scalar_loops(code& c, const plan& p, const layer_plan& l, const layer_io& io) {
    const std::string size_t_ = p.is_c ? "size_t" : "std::size_t";
    const std::size_t groups = l.out / scalar_chains, rest = l.out % scalar_chains;
    if (groups > 1) {
        c.open("for (" + size_t_ + " o = 0; o < " + str(groups * scalar_chains) + "; o += " + str(scalar_chains) + ") {");
        scalar_group_loop(c, p, l, io, scalar_chains, 0, true);
        c.close();
    } else if (groups == 1) {
        c.open("{");
        scalar_group_loop(c, p, l, io, scalar_chains, 0, false);
        c.close();
    }
    if (rest) {
        c.open("{");
        scalar_group_loop(c, p, l, io, rest, groups * scalar_chains, false);
        c.close();
    }
}

// One layer's forward pass as a block of statements.
inline std::string lower_scalar_forward(const plan& p, const layer_plan& l, const layer_io& io, std::size_t indent) {
    code c(indent);
    const std::string T = p.T;
    c.open("{");
    c.line("// layer " + str(l.index) + ": dense " + str(l.in) + " -> " + str(l.out) + ", " + l.activation + "; " +
           (l.unrolled ? "unrolled (" + str(l.statements) + " multiply-adds)" : "loops"));
    c.line("const " + T + " *const w = " + l.weight + ";");
    c.line("const " + T + " *const b = " + l.bias + ";");
    c.line("const " + T + " *const x = " + io.x + ";");
    c.line(T + " *const y = " + io.y + ";");
    if (!io.z.empty()) c.line(T + " *const z = " + io.z + ";");
    if (l.unrolled)
        lower_scalar_unrolled(c, p, l, io);
    else
        lower_scalar_loops(c, p, l, io);
    if (!l.elementwise) scalar_softmax(c, p, l.out, "y");
    c.close();
    return c.str();
}

}  // namespace ctnn::gen
