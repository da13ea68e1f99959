// Size estimates printed in the generated header's comment block (and by ctnn-gen): flash = weight arrays (exactly
// the bytes the header defines: weights.hpp) + machine code, RAM = forward's activation buffers (+ training state).
// The code estimate is a rough per-statement model of x86-64 / AArch64 code at -O2 (docs/generator.md): within a
// factor of about 2, and without libm.
#pragma once

#include <cstddef>
#include <string>

#include <ctnn/gen/lower.hpp>
#include <ctnn/gen/lower_simd.hpp>
#include <ctnn/gen/plan.hpp>
#include <ctnn/gen/weights.hpp>

namespace ctnn::gen {

struct header_sizes {
    std::size_t weight_bytes = 0;    // weight and bias arrays as defined, padding included
    std::size_t code_bytes = 0;      // machine code of forward and the helpers (estimate)
    std::size_t buffer_bytes = 0;    // forward's activation buffers (stack)
    std::size_t training_bytes = 0;  // training state (static arrays); 0 without training
    std::size_t flash_bytes() const noexcept { return weight_bytes + code_bytes; }
    std::size_t ram_bytes() const noexcept { return buffer_bytes + training_bytes; }
};

namespace detail {
// Machine code bytes of one activation applied to one value (scalar) or one register (simd), inlined.
inline std::size_t activation_code_bytes(const plan& p, const std::string& name) {
    if (name == "identity") return 0;
    const bool cheap = name == "relu" || name == "leaky_relu" || name == "binary_step" || name == "softsign";
    // tanh_fast: 14 instructions and 7 constants, inlined (Thumb-2 with an FPU: about 90 B).
    if (is_tanh_fast(p, name)) return 90;
    if (!p.is_simd) return cheap ? 12 : 24;  // compare and blend, or a call into libm
    // tanh_approx, always inlined: about 30 instructions (g++ 12 and clang 14, AVX2 / AVX-512: 260-270 B).
    if (is_tanh_approx(p, name)) return 270;
    return cheap ? 12 : 400;                 // xsimd's polynomial evaluations are inlined at each use
}

// Machine code bytes of a simd layer's sums (without activation).
inline std::size_t simd_layer_code_bytes(const plan& p, const layer_plan& l) {
    if (simd_dot_form(p, l)) {
        // A multiply-add with a memory operand (~10 B) per output and input register, a load per input register,
        // a copy of the partial one, then a horizontal sum (~30 B) or a haddp, bias and store per register.
        const std::size_t J = (l.in + l.lanes - 1) / l.lanes, partial = l.in % l.lanes;
        const std::size_t gather = simd_dot_plain_sum(p, l) ? 30 : l.registers * 120;
        return l.out * J * 10 + J * 7 + (partial ? 16 + partial * 8 : 0) + gather;
    }
    const std::size_t block = simd_block_registers(p, l);
    const std::size_t blocks = (l.registers + block - 1) / block;
    // unrolled: a multiply-add with a memory operand (~10 B) per statement, a broadcast (~7 B) per input and
    // block; loops: a loop body per block.
    return l.unrolled ? l.statements * 10 + blocks * l.in * 7 : blocks * (64 + 8 * 24);
}
}  // namespace detail

inline header_sizes estimate_sizes(const plan& p) {
    header_sizes s;
    s.weight_bytes = weight_array_bytes(p);
    std::size_t code = 64;  // prologue, epilogue, buffer setup
    bool tanh_approx = false;
    for (const layer_plan& l : p.layers) {
        // activations applied: per register, per output, or once in the loop over outputs (dot)
        const std::size_t values = p.is_simd ? l.registers : l.dot ? 1 : l.out;
        code += values * detail::activation_code_bytes(p, l.activation);
        tanh_approx = tanh_approx || is_tanh_approx(p, l.activation);
        if (!l.elementwise) code += p.is_simd ? 120 + 400 * l.registers : 160;
        if (p.is_simd)
            code += detail::simd_layer_code_bytes(p, l);
        else if (l.dot)  // a load and a multiply-add per input (8 B on Thumb-2), the inputs' loads, the loop
            code += l.in * 12 + 32;
        else
            code += l.unrolled ? l.statements * 9 + l.in * 5 : 96;
    }
    if (tanh_approx) code += 80;  // its 20 constants, read-only data shared by every use
    s.code_bytes = code;
    s.buffer_bytes = plan_forward_buffers(p).bytes(p);
    return s;
}

}  // namespace ctnn::gen
