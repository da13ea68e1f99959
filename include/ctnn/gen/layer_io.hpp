// Where a lowered layer reads and writes: expressions naming arrays of the generated code.
#pragma once

#include <string>

namespace ctnn::gen {

struct layer_io {
    std::string x;  // the layer's input, `in` values (a const T*; any alignment): "in", "buffer0", ...
    std::string y;  // its outputs. simd: 64-byte aligned, `stride` values (the padding receives junk), unless exact
    std::string z;  // pre-activations too (kept for backward), same shape as y; empty: not stored
    // y is the caller's array: exactly `out` values, any alignment (the last layer of forward).
    bool y_exact = false;
    // simd only, with y_exact and softmax: a 64-byte aligned buffer of `stride` values to work in.
    std::string scratch;
};

}  // namespace ctnn::gen
