// Size estimates printed in the generated header's comment block (and by ctnn-gen): flash = weight arrays +
// machine code, RAM = forward's activation buffers (+ training state). The code estimate is a rough per-statement
// model of x86-64 / AArch64 code at -O2 (docs/generator.md): within a factor of about 2, and without libm.
#pragma once

#include <cstddef>

#include <ctnn/gen/lower.hpp>
#include <ctnn/gen/plan.hpp>

namespace ctnn::gen {

struct header_sizes {
    std::size_t weight_bytes = 0;    // weight and bias arrays, padding included
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
    if (!p.is_simd) return cheap ? 12 : 24;  // compare and blend, or a call into libm
    return cheap ? 12 : 400;                 // xsimd's polynomial evaluations are inlined at each use
}
}  // namespace detail

inline header_sizes estimate_sizes(const plan& p) {
    header_sizes s;
    const std::size_t t = p.is_float ? 4 : 8;
    std::size_t code = 64;  // prologue, epilogue, buffer setup
    for (const layer_plan& l : p.layers) {
        s.weight_bytes += (l.weight_size + l.bias_size) * t;
        const std::size_t values = p.is_simd ? l.registers : l.out;  // activations applied
        code += values * detail::activation_code_bytes(p, l.activation);
        if (!l.elementwise) code += p.is_simd ? 120 + 400 * l.registers : 160;
        if (p.is_simd) {
            const std::size_t blocks = (l.registers + 7) / 8;
            // unrolled: a multiply-add with a memory operand (~10 B) per statement, a broadcast (~7 B) per input
            // and block; loops: a loop body per block.
            code += l.unrolled ? l.statements * 10 + blocks * l.in * 7 : blocks * (64 + 8 * 24);
        } else {
            code += l.unrolled ? l.statements * 9 + l.in * 5 : 96;
        }
    }
    s.code_bytes = code;
    s.buffer_bytes = plan_forward_buffers(p).bytes(p);
    return s;
}

}  // namespace ctnn::gen
