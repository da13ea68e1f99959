// Lowering of a dense layer's forward pass for the simd target (C++17, xsimd batches of `lanes` values).
// Weights packed like the library's (kernels/dense.hpp): row i = the weights from input i to every output,
// zero padded to whole registers; bias padded likewise (simd_arrays). An output register accumulates
// broadcast(x[i]) * row i over the inputs.
//   Registers are processed in blocks of at most 8 (enough accumulators to hide the multiply-add latency, with
//   registers left for loads; 16 for 256-bit registers when the weights stream from L2: simd_block_registers).
//   A block with K < 8 registers keeps R = 8 / K partial sums per register (input i goes to sum i % R), added as
//   a tree at the end, so that about 8 multiply-adds are in flight.
//   unrolled: every multiply-add spelled out, constant offsets into the weight array.
//   loops:    a constant-trip-count loop over the inputs (R per iteration) per block; several full blocks
//             share one loop over the blocks.
// The activation is applied to each register before it is stored; softmax works on the stored pre-activations.
//
// A layer with few outputs (one or two registers) pays, in that form, a broadcast per input for one or two
// multiply-adds, which are mostly padding lanes. With const weights and no training code, when that costs more
// loads and shuffles than the alternative (simd_dot_form), it uses dot products instead: the inputs in registers
// (no broadcasts), each output the sum of inputs * its row of W, and a parallel horizontal addition
// (xsimd::haddp) per register gathers the outputs. Its weight array is then laid out for that form, W[o][i]
// (PyTorch order) in rows zero padded to whole registers: every layer's parameters exist once, in the layout its
// forward pass reads (simd_arrays; weights.hpp writes them, sizes.hpp counts them, weight() indexes them).
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

#include <ctnn/gen/layer_io.hpp>
#include <ctnn/gen/options.hpp>
#include <ctnn/gen/plan.hpp>
#include <ctnn/gen/text.hpp>

namespace ctnn::gen {

// Output registers accumulated at once, and the multiply-adds a block aims to keep in flight.
inline constexpr std::size_t simd_block = 8;
inline constexpr std::size_t simd_chains = 8;

// Whether a layer uses dot products (see the top of this file): one or two output registers, unrolled, const
// weights, no training code (whose passes read the packed panels), and fewer operations that way. Counted per
// pass: broadcast form, a weight row piece per input and register plus a broadcast per input; dot form, a weight
// piece per output and input register, the input registers, and about 20 shuffles and additions per haddp (one
// output: a horizontal sum, about 6).
inline bool simd_dot_form(const plan& p, const layer_plan& l) {
    if (!p.is_simd || !p.opt.const_weights || p.opt.train != training::none || !l.elementwise || !l.unrolled ||
        l.registers > 2)
        return false;
    const std::size_t J = (l.in + l.lanes - 1) / l.lanes;
    const std::size_t broadcast_form = l.in * l.registers + l.in;
    const std::size_t dot_form = l.out * J + J + (l.out == 1 ? 6 : 20 * l.registers);
    return dot_form < broadcast_form;
}

// Whether a dot-product layer's output is one plain sum (one output, identity, forward's last layer): stored as
// a horizontal sum plus b[0], so its bias array holds that one value.
inline bool simd_dot_plain_sum(const plan& p, const layer_plan& l) {
    return l.out == 1 && l.act_fn.empty() && l.elementwise && l.index + 1 == p.layers.size();
}

// The arrays a layer's forward pass reads: the header's only copy of its parameters.
//   panels (broadcast form): weight[in][row], row i = the weights from input i to every output, zero padded to
//     the layer's registers (row = registers * lanes; a half_batch layer's rows are half as long as `stride`).
//     With training code row = stride: the training passes work on full-width registers. bias[row].
//   dot products: weight[out][row], row o = W[o][:] (PyTorch order) zero padded to whole registers of inputs
//     (row = ceil(in / lanes) * lanes); bias[registers * lanes], or bias[1] for a plain sum (simd_dot_plain_sum).
struct simd_arrays {
    bool dot = false;
    std::size_t rows = 0;  // in (panels) or out (dot products)
    std::size_t row = 0;   // values per row, padding included
    std::size_t bias = 0;  // values of the bias array
    std::size_t weight_values() const { return rows * row; }
};

inline simd_arrays simd_layer_arrays(const plan& p, const layer_plan& l) {
    simd_arrays a;
    a.dot = simd_dot_form(p, l);
    if (a.dot) {
        a.rows = l.out;
        a.row = (l.in + l.lanes - 1) / l.lanes * l.lanes;
        a.bias = simd_dot_plain_sum(p, l) ? 1 : l.registers * l.lanes;
    } else {
        a.rows = l.in;
        a.row = p.opt.train == training::none ? l.registers * l.lanes : l.stride;
        a.bias = a.row;
    }
    return a;
}

// Bytes of every layer's weight and bias arrays.
inline std::size_t simd_weight_bytes(const plan& p) {
    std::size_t values = 0;
    for (const layer_plan& k : p.layers) {
        const simd_arrays a = simd_layer_arrays(p, k);
        values += a.weight_values() + a.bias;
    }
    return values * (p.is_float ? 4 : 8);
}

// Registers per block of a layer. A layer of several blocks reads each weight row in pieces, one per block, in
// separate passes over the inputs; when the weights come from L2 (the network's exceed an L1's 32 KB), that
// strided reading streams measurably slower than whole rows. So 256-bit registers take blocks of 16 there (a
// whole 128-output row, as 8 512-bit registers do): on AMD Zen 4, network c of bench/ went from 948 to 907 ns and
// d from 3626 to 3551 ns, and built for AVX2 only (16 registers: a few accumulators spill) from 953 to 934 and
// 3754 to 3581 ns.
inline std::size_t simd_block_registers(const plan& p, const layer_plan& l) {
    const std::size_t value_bytes = p.is_float ? 4 : 8;
    return l.lanes * value_bytes == 32 && simd_weight_bytes(p) > 32768 ? 2 * simd_block : simd_block;
}

// Names of the arrays one block works on, and the register offset (in values) of its first register within
// them. Inside a loop over blocks, the names are per-block pointers and the offset is 0.
struct simd_block_names {
    std::string w = "w", b = "b", y = "y", z;
    std::size_t first_register = 0;  // index of the block's first register in the layer (for exact stores)
    std::size_t offset = 0;          // first_register * lanes, or 0 inside a loop over blocks
};

// Stores accumulator `acc` (register k of the block) through the activation.
inline void simd_store(code& c, const plan& p, const layer_plan& l, const layer_io& io, const simd_block_names& n,
                       std::size_t k, const std::string& acc) {
    const std::size_t W = l.lanes;
    const std::string off = str(n.offset + k * W);
    if (!n.z.empty()) c.line(acc + ".store_aligned(" + n.z + " + " + off + ");");
    const std::string value = l.act_fn.empty() ? acc : l.act_fn + "(" + acc + ")";
    if (!io.y_exact || !l.elementwise) {  // softmax: exact outputs are copied from the scratch buffer later
        c.line("(" + value + ").store_aligned(" + n.y + " + " + off + ");");
        return;
    }
    const std::size_t first = (n.first_register + k) * W;  // index of the register's first output
    if (first + W <= l.out) {
        c.line("(" + value + ").store_unaligned(" + n.y + " + " + off + ");");
    } else {  // the last, partial register: through an aligned temporary, then its real lanes
        c.open("{");
        c.line("alignas(64) " + p.T + " tail[" + str(W) + "];");
        c.line("(" + value + ").store_aligned(tail);");
        for (std::size_t j = 0; first + j < l.out; ++j)
            c.line(n.y + "[" + str(n.offset + k * W + j) + "] = tail[" + str(j) + "];");
        c.close();
    }
}

// One block of K registers: accumulate over every input, reduce the partial sums, store.
inline void simd_block_code(code& c, const plan& p, const layer_plan& l, const layer_io& io,
                            const simd_block_names& n, std::size_t K) {
    const std::size_t W = l.lanes, S = simd_layer_arrays(p, l).row, in = l.in;  // S: weight row length
    const std::string& B = l.vec;
    std::size_t R = K >= simd_chains ? 1 : simd_chains / K;
    if (R > in) R = in;
    const auto acc = [&](std::size_t r, std::size_t k) {  // appended: GCC 12's -Wrestrict trips on a + of rvalues
        std::string name = "a";
        name += str(r);
        name += '_';
        name += str(k);
        return name;
    };
    const auto bc = [&](const std::string& i) { return B + "(x[" + i + "])"; };
    const auto row = [&](const std::string& wexpr) { return B + "::load_aligned(" + n.w + " + " + wexpr + ")"; };
    const auto col = [&](std::size_t k) { return n.offset + k * W; };
    // Inputs 0 .. R start the partial sums (the bias joins the first): no sum starts as a multiply-add with 0.
    for (std::size_t k = 0; k < K; ++k)
        c.line(B + " " + acc(0, k) + " = detail::madd(" + bc("0") + ", " + row(str(col(k))) + ", " + B +
               "::load_aligned(" + n.b + " + " + str(col(k)) + "));");
    for (std::size_t r = 1; r < R; ++r)
        for (std::size_t k = 0; k < K; ++k)
            c.line(B + " " + acc(r, k) + " = " + bc(str(r)) + " * " + row(str(r * S + col(k))) + ";");
    const auto madd_at = [&](std::size_t i) {
        for (std::size_t k = 0; k < K; ++k)
            c.line(acc(i % R, k) + " = detail::madd(" + bc(str(i)) + ", " + row(str(i * S + col(k))) + ", " +
                   acc(i % R, k) + ");");
    };
    const std::size_t main = in / R * R;  // inputs [R, main) in steps of R, then the rest
    if (l.unrolled) {
        for (std::size_t i = R; i < in; ++i) madd_at(i);
    } else {
        if (R < main) {
            c.open(std::string("for (std::size_t i = ") + str(R) + "; i < " + str(main) +
                   (R == 1 ? std::string("; ++i) {") : std::string("; i += ") + str(R) + ") {"));
            for (std::size_t r = 0; r < R; ++r) {
                const std::string i = r == 0 ? std::string("i") : std::string("i + ") + str(r);
                const std::string base =
                    r == 0 ? std::string("i * ") + str(S) : std::string("(i + ") + str(r) + ") * " + str(S);
                for (std::size_t k = 0; k < K; ++k)
                    c.line(acc(r, k) + " = detail::madd(" + bc(i) + ", " + row(base + " + " + str(col(k))) + ", " +
                           acc(r, k) + ");");
            }
            c.close();
        }
        for (std::size_t i = main > R ? main : R; i < in; ++i) madd_at(i);
    }
    for (std::size_t step = 1; step < R; step *= 2)
        for (std::size_t r = 0; r + step < R; r += 2 * step)
            for (std::size_t k = 0; k < K; ++k) c.line(acc(r, k) + " += " + acc(r + step, k) + ";");
    for (std::size_t k = 0; k < K; ++k) simd_store(c, p, l, io, n, k, acc(0, k));
}

// softmax over the layer's `out` values of the aligned buffer v (registers * lanes long), in place:
// max over the real outputs, padding lanes set where exp underflows, exp and sum per register.
inline void simd_softmax(code& c, const plan& p, const layer_plan& l, const std::string& v) {
    const std::size_t W = l.lanes, K = l.registers;
    const std::string& B = l.vec;
    c.open("{");
    c.line(p.T + " m = " + v + "[0];");
    if (l.out > 1)
        c.line(std::string("for (std::size_t o = 1; o < ") + str(l.out) + "; ++o) m = " + v + "[o] > m ? " + v +
               "[o] : m;");
    if (l.out < K * W)
        c.line(std::string("for (std::size_t o = ") + str(l.out) + "; o < " + str(K * W) + "; ++o) " + v +
               "[o] = m - " + p.lit(200) + ";  // exp underflows to 0");
    c.line("const " + B + " mb(m);");
    for (std::size_t k = 0; k < K; ++k)
        c.line("const " + B + " e" + str(k) + " = xsimd::exp(" + B + "::load_aligned(" + v + " + " + str(k * W) + ") - mb);");
    std::string sum = "e0";
    for (std::size_t k = 1; k < K; ++k) sum += std::string(" + e") + str(k);
    c.line("const " + B + " inv(" + p.lit(1) + " / xsimd::hadd(" + sum + "));");
    for (std::size_t k = 0; k < K; ++k)
        c.line(std::string("(e") + str(k) + " * inv).store_aligned(" + v + " + " + str(k * W) + ");");
    c.close();
}

// The dot-product form of a layer with one or two output registers (simd_dot_form), unrolled. Reads the
// layer's weight array `w` in the dot layout (simd_layer_arrays).
inline void simd_dot_layer(code& c, const plan& p, const layer_plan& l, const layer_io& io) {
    const std::size_t W = l.lanes, in = l.in, out = l.out;
    const std::size_t J = (in + W - 1) / W;  // input registers
    const std::size_t row = simd_layer_arrays(p, l).row;  // J * W
    // Two partial sums per output when the rows are long and registers allow: shorter chains.
    const std::size_t R = J >= 4 && J + 2 * out <= 28 ? 2 : 1;
    const std::string& B = l.vec;
    for (std::size_t j = 0; j < J; ++j) {
        const std::string xj = std::string("x") + str(j);
        if ((j + 1) * W <= in) {
            c.line("const " + B + " " + xj + " = " + B + "::load_unaligned(x + " + str(j * W) + ");");
        } else {  // the inputs' last, partial register: through a zeroed aligned temporary (no read past the end)
            c.line("alignas(64) " + p.T + " xt[" + str(W) + "] = {};");
            c.line(std::string("for (std::size_t i = 0; i < ") + str(in - j * W) + "; ++i) xt[i] = x[" + str(j * W) +
                   " + i];");
            c.line("const " + B + " " + xj + " = " + B + "::load_aligned(xt);");
        }
    }
    const auto d = [&](std::size_t o, std::size_t r) {
        std::string s = std::string("d") + str(o);
        if (R > 1) s += std::string("_") + str(r);
        return s;
    };
    const auto w = [&](std::size_t o, std::size_t j) {
        return B + "::load_aligned(w + " + str(o * row + j * W) + ")";
    };
    for (std::size_t j = 0; j < J; ++j)
        for (std::size_t o = 0; o < out; ++o) {
            const std::size_t r = j % R;
            if (j < R)
                c.line(B + " " + d(o, r) + " = x" + str(j) + " * " + w(o, j) + ";");
            else
                c.line(d(o, r) + " = detail::madd(x" + str(j) + ", " + w(o, j) + ", " + d(o, r) + ");");
        }
    if (R > 1)
        for (std::size_t o = 0; o < out; ++o) c.line(d(o, 0) + " += " + d(o, 1) + ";");
    if (simd_dot_plain_sum(p, l)) {  // one plain output: a horizontal sum straight to it
        c.line(io.y + "[0] = xsimd::hadd(" + d(0, 0) + ") + b[0];");
        return;
    }
    // Output register k: lane o holds the sum of d(k W + o), plus the bias.
    for (std::size_t k = 0; k < l.registers; ++k) {
        std::string rows;
        for (std::size_t o = k * W; o < (k + 1) * W; ++o) {
            if (o > k * W) rows += ", ";
            rows += o < out ? d(o, 0) : B + "(" + p.lit(0) + ")";
        }
        const std::string rk = std::string("rows") + str(k), ak = std::string("a0_") + str(k);
        c.line("const " + B + " " + rk + "[" + str(W) + "] = {" + rows + "};");
        c.line(B + " " + ak + " = xsimd::haddp(" + rk + ") + " + B + "::load_aligned(b + " + str(k * W) + ");");
    }
    simd_block_names n;
    for (std::size_t k = 0; k < l.registers; ++k) simd_store(c, p, l, io, n, k, std::string("a0_") + str(k));
}

// `w` and `b`, the layer's arrays. With const weights the compiler knows their values and, for the constant
// offsets of unrolled code, loads copies of them from its constant pool instead: a second copy of the weights
// in flash whenever the arrays are also kept (weight() or bias() called). An empty asm statement makes the
// pointers opaque (GCC and clang; no instruction), so the loads read the arrays: one copy, and shorter
// instructions (base register + displacement).
inline void simd_array_pointers(code& c, const plan& p, const layer_plan& l) {
    if (!p.opt.const_weights) {
        c.line("const " + p.T + " *const w = " + l.weight + ";");
        c.line("const " + p.T + " *const b = " + l.bias + ";");
        return;
    }
    c.line("const " + p.T + " *w = " + l.weight + ";");
    c.line("const " + p.T + " *b = " + l.bias + ";");
    c.append("#if defined(__GNUC__)\n");
    c.line("__asm__(\"\" : \"+r\"(w), \"+r\"(b));  // read the arrays, not constant-pool copies of them");
    c.append("#endif\n");
}

// One layer's forward pass as a block of statements. Needs the register type (`batch`, or `half_batch` for a
// narrow layer on a 512-bit target) in scope and detail::madd (fused multiply-add) for it.
inline std::string lower_simd_forward(const plan& p, const layer_plan& l, const layer_io& io, std::size_t indent) {
    code c(indent);
    const std::string T = p.T;
    const std::size_t W = l.lanes, K = l.registers;
    const bool exact_softmax = io.y_exact && !l.elementwise;  // sums to the scratch buffer, then copied
    const bool dot = simd_dot_form(p, l);
    // The dot form keeps no pre-activations; only training code asks for them, and it never has that form.
    if (dot && !io.z.empty()) throw std::logic_error("ctnn::gen: dot-product layer asked to keep z");
    c.open("{");
    c.line(std::string("// layer ") + str(l.index) + ": dense " + str(l.in) + " -> " + str(l.out) + ", " +
           l.activation + "; " +
           (dot ? std::string("dot products in registers of ") + str(W)
                : str(K) + (K == 1 ? " register" : " registers") + " of " + str(W) + " per row, " +
                      (l.unrolled ? std::string("unrolled (") + str(l.statements) + " multiply-adds)"
                                  : std::string("loops"))));
    simd_array_pointers(c, p, l);
    c.line("const " + T + " *const x = " + io.x + ";");
    if (dot) {
        if (!simd_dot_plain_sum(p, l)) c.line(T + " *const y = " + io.y + ";");
        simd_dot_layer(c, p, l, io);
        c.close();
        return c.str();
    }
    c.line(T + " *const y = " + (exact_softmax ? io.scratch : io.y) + ";");
    if (!io.z.empty()) c.line(T + " *const z = " + io.z + ";");
    const std::size_t block = simd_block_registers(p, l);
    const std::size_t full_blocks = K / block, rest = K % block;
    std::size_t done = 0;  // registers emitted so far
    // Loops: full blocks share a loop, unless the last of them holds a partial register stored exactly.
    std::size_t looped = !l.unrolled && full_blocks >= 2 ? full_blocks : 0;
    if (looped && rest == 0 && io.y_exact && l.elementwise && l.out % W != 0) --looped;
    if (looped >= 2) {
        const std::string span = str(block * W);
        c.open(std::string("for (std::size_t k = 0; k < ") + str(looped) + "; ++k) {  // registers " + str(block) +
               "k .. " + str(block) + "k + " + str(block - 1));
        c.line("const " + T + " *const wk = w + k * " + span + ";");
        c.line("const " + T + " *const bk = b + k * " + span + ";");
        c.line(T + " *const yk = y + k * " + span + ";");
        if (!io.z.empty()) c.line(T + " *const zk = z + k * " + span + ";");
        simd_block_names n;
        n.w = "wk", n.b = "bk", n.y = "yk", n.z = io.z.empty() ? "" : "zk";
        simd_block_code(c, p, l, io, n, block);  // every register of these blocks is full
        c.close();
        done = looped * block;
    }
    while (done < K) {
        const std::size_t n_regs = K - done < block ? K - done : block;
        simd_block_names n;
        n.z = io.z.empty() ? "" : "z";
        n.first_register = done;
        n.offset = done * W;
        c.open(n_regs == 1 ? std::string("{  // register ") + str(done)
                           : std::string("{  // registers ") + str(done) + " .. " + str(done + n_regs - 1));
        simd_block_code(c, p, l, io, n, n_regs);
        c.close();
        done += n_regs;
    }
    if (!l.elementwise) {
        simd_softmax(c, p, l, "y");
        if (exact_softmax)
            c.line(std::string("for (std::size_t o = 0; o < ") + str(l.out) + "; ++o) " + io.y + "[o] = y[o];");
    }
    c.close();
    return c.str();
}

}  // namespace ctnn::gen
