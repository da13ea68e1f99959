// Lowering of whole passes: the layer dispatch, and forward's body (layers chained through two ping-pong
// activation buffers on the stack). Training code builds its own passes from lower_layer_forward with
// per-layer buffers (layer_io::z keeps the pre-activations).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <ctnn/gen/layer_io.hpp>
#include <ctnn/gen/lower_scalar.hpp>
#include <ctnn/gen/lower_simd.hpp>
#include <ctnn/gen/plan.hpp>
#include <ctnn/gen/text.hpp>

namespace ctnn::gen {

// One dense layer's forward pass as a `{ ... }` block of statements at the given indentation.
inline std::string lower_layer_forward(const plan& p, const layer_plan& l, const layer_io& io, std::size_t indent) {
    return p.is_simd ? lower_simd_forward(p, l, io, indent) : lower_scalar_forward(p, l, io, indent);
}

// The activation buffers forward declares: buffer k holds the outputs of layers k, k + 2, ...
struct forward_buffers {
    std::vector<std::size_t> sizes;  // values per buffer (0: not declared)
    // Bytes of all buffers: the RAM the forward pass needs besides the caller's arrays.
    std::size_t bytes(const plan& p) const {
        std::size_t n = 0;
        for (std::size_t s : sizes) n += s;
        return n * (p.is_float ? 4 : 8);
    }
};

// Hidden layer k writes buffer k % 2; the last layer writes the caller's `out`. On the simd target a final
// softmax works in the buffer its input is not in (the scratch of layer_io).
inline forward_buffers plan_forward_buffers(const plan& p) {
    forward_buffers fb;
    fb.sizes.assign(2, 0);
    const std::size_t L = p.layers.size();
    const auto need = [&](std::size_t buffer, std::size_t values) {
        if (values > fb.sizes[buffer]) fb.sizes[buffer] = values;
    };
    for (std::size_t k = 0; k + 1 < L; ++k) need(k % 2, p.is_simd ? p.layers[k].stride : p.layers[k].out);
    const layer_plan& last = p.layers.back();
    if (p.is_simd && !last.elementwise) need((L - 1) % 2, last.stride);
    // Ping-pong: both buffers get the larger size, so either can hold any layer (simpler to reason about).
    const std::size_t both = fb.sizes[0] > fb.sizes[1] ? fb.sizes[0] : fb.sizes[1];
    for (auto& s : fb.sizes)
        if (s) s = both;
    return fb;
}

// forward(in, out)'s body: buffer declarations, then each layer's block.
inline std::string forward_body(const plan& p, std::size_t indent = 1) {
    code c(indent);
    const forward_buffers fb = plan_forward_buffers(p);
    for (const char* type : {"batch", "half_batch"})  // the register types the layers use
        for (const layer_plan& l : p.layers)
            if (l.vec == type) {
                c.line(std::string("using ") + type + " = detail::" + type + ";");
                break;
            }
    for (std::size_t k = 0; k < fb.sizes.size(); ++k)
        if (fb.sizes[k])
            // simd registers are stored aligned; scalar code needs no more than T's alignment (no stack realignment).
            c.line(std::string(p.opt.static_buffers ? "static " : "") + (p.is_simd ? "alignas(64) " : "") + p.T +
                   " buffer" + str(k) + "[" + str(fb.sizes[k]) +
                   "];");
    const std::size_t L = p.layers.size();
    for (std::size_t k = 0; k < L; ++k) {
        layer_io io;
        io.x = k == 0 ? std::string("in") : std::string("buffer") + str((k - 1) % 2);
        if (k + 1 < L) {
            io.y = std::string("buffer") + str(k % 2);
        } else {
            io.y = "out";
            io.y_exact = true;
            io.scratch = std::string("buffer") + str(k % 2);
        }
        c.append(lower_layer_forward(p, p.layers[k], io, indent));
    }
    return c.str();
}

}  // namespace ctnn::gen
