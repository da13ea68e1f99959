// Lowering of a dense layer's forward pass for the simd target (C++17, xsimd batches of `lanes` values).
// Weights packed like the library's (kernels/dense.hpp): row i = the weights from input i to every output,
// zero padded to `stride` = registers * lanes; bias padded likewise. An output register accumulates
// broadcast(x[i]) * row i over the inputs.
//   Registers are processed in blocks of at most 8 (enough accumulators to hide the multiply-add latency, with
//   registers left for loads). A block with K < 8 registers keeps R = 8 / K partial sums per register (input i
//   goes to sum i % R), added as a tree at the end, so that about 8 multiply-adds are in flight.
//   unrolled: every multiply-add spelled out, constant offsets into the weight array.
//   loops:    a constant-trip-count loop over the inputs (R per iteration) per block; several full blocks of
//             8 registers share one loop over the blocks.
// The activation is applied to each register before it is stored; softmax works on the stored pre-activations.
#pragma once

#include <cstddef>
#include <string>

#include <ctnn/gen/layer_io.hpp>
#include <ctnn/gen/plan.hpp>
#include <ctnn/gen/text.hpp>

namespace ctnn::gen {

// Output registers accumulated at once, and the multiply-adds a block aims to keep in flight.
inline constexpr std::size_t simd_block = 8;
inline constexpr std::size_t simd_chains = 8;

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
    const std::size_t W = l.lanes, S = l.stride, in = l.in;
    const std::string& B = l.vec;
    std::size_t R = K >= simd_chains ? 1 : simd_chains / K;
    if (R > in) R = in;
    const auto acc = [&](std::size_t r, std::size_t k) { return "a" + str(r) + "_" + str(k); };
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
            c.open("for (std::size_t i = " + str(R) + "; i < " + str(main) + (R == 1 ? "; ++i) {" : "; i += " + str(R) + ") {"));
            for (std::size_t r = 0; r < R; ++r) {
                const std::string i = r == 0 ? "i" : "i + " + str(r);
                const std::string base = r == 0 ? "i * " + str(S) : "(i + " + str(r) + ") * " + str(S);
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
    if (l.out > 1) c.line("for (std::size_t o = 1; o < " + str(l.out) + "; ++o) m = " + v + "[o] > m ? " + v + "[o] : m;");
    if (l.out < K * W)
        c.line("for (std::size_t o = " + str(l.out) + "; o < " + str(K * W) + "; ++o) " + v + "[o] = m - " + p.lit(200) +
               ";  // exp underflows to 0");
    c.line("const " + B + " mb(m);");
    for (std::size_t k = 0; k < K; ++k)
        c.line("const " + B + " e" + str(k) + " = xsimd::exp(" + B + "::load_aligned(" + v + " + " + str(k * W) + ") - mb);");
    std::string sum = "e0";
    for (std::size_t k = 1; k < K; ++k) sum += " + e" + str(k);
    c.line("const " + B + " inv(" + p.lit(1) + " / xsimd::hadd(" + sum + "));");
    for (std::size_t k = 0; k < K; ++k) c.line("(e" + str(k) + " * inv).store_aligned(" + v + " + " + str(k * W) + ");");
    c.close();
}

// One layer's forward pass as a block of statements. Needs the register type (`batch`, or `half_batch` for a
// narrow layer on a 512-bit target) in scope and detail::madd (fused multiply-add) for it.
inline std::string lower_simd_forward(const plan& p, const layer_plan& l, const layer_io& io, std::size_t indent) {
    code c(indent);
    const std::string T = p.T;
    const std::size_t W = l.lanes, K = l.registers;
    const bool exact_softmax = io.y_exact && !l.elementwise;  // sums to the scratch buffer, then copied
    c.open("{");
    c.line("// layer " + str(l.index) + ": dense " + str(l.in) + " -> " + str(l.out) + ", " + l.activation + "; " +
           str(K) + (K == 1 ? " register" : " registers") + " of " + str(W) + " per row, " +
           (l.unrolled ? "unrolled (" + str(l.statements) + " multiply-adds)" : "loops"));
    c.line("const " + T + " *const w = " + l.weight + ";");
    c.line("const " + T + " *const b = " + l.bias + ";");
    c.line("const " + T + " *const x = " + io.x + ";");
    c.line(T + " *const y = " + (exact_softmax ? io.scratch : io.y) + ";");
    if (!io.z.empty()) c.line(T + " *const z = " + io.z + ";");
    const std::size_t full_blocks = K / simd_block, rest = K % simd_block;
    std::size_t done = 0;  // registers emitted so far
    // Loops: full blocks share a loop, unless the last of them holds a partial register stored exactly.
    std::size_t looped = !l.unrolled && full_blocks >= 2 ? full_blocks : 0;
    if (looped && rest == 0 && io.y_exact && l.elementwise && l.out % W != 0) --looped;
    if (looped >= 2) {
        const std::string span = str(simd_block * W);
        c.open("for (std::size_t k = 0; k < " + str(looped) + "; ++k) {  // registers 8k .. 8k + 7");
        c.line("const " + T + " *const wk = w + k * " + span + ";");
        c.line("const " + T + " *const bk = b + k * " + span + ";");
        c.line(T + " *const yk = y + k * " + span + ";");
        if (!io.z.empty()) c.line(T + " *const zk = z + k * " + span + ";");
        simd_block_names n;
        n.w = "wk", n.b = "bk", n.y = "yk", n.z = io.z.empty() ? "" : "zk";
        simd_block_code(c, p, l, io, n, simd_block);  // every register of these blocks is full
        c.close();
        done = looped * simd_block;
    }
    while (done < K) {
        const std::size_t n_regs = K - done < simd_block ? K - done : simd_block;
        simd_block_names n;
        n.z = io.z.empty() ? "" : "z";
        n.first_register = done;
        n.offset = done * W;
        c.open(n_regs == 1 ? "{  // register " + str(done) : "{  // registers " + str(done) + " .. " + str(done + n_regs - 1));
        simd_block_code(c, p, l, io, n, n_regs);
        c.close();
        done += n_regs;
    }
    if (!l.elementwise) {
        simd_softmax(c, p, l, "y");
        if (exact_softmax)
            c.line("for (std::size_t o = 0; o < " + str(l.out) + "; ++o) " + io.y + "[o] = y[o];");
    }
    c.close();
    return c.str();
}

}  // namespace ctnn::gen
