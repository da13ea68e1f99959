// Training code for the generated header (options::train = sgd or adam): the extension point render() calls.
// It returns text for the templates' {{#training}} sections and the bytes it adds to the size estimates.
//   state:     definitions inside the C++ detail namespace (C: at file scope, NAME_-prefixed): per-layer z / y
//              buffers (alignas(64); simd: `stride` values), gradient arrays shaped like the weights, optimizer
//              moments and step count, derivative helpers;
//   functions: the entry points after forward (forward_train, backward, zero_grad, step, step(lr) / NAME_step_lr,
//              weight_grad, bias_grad; see docs/generator.md).
// Building blocks: plan (layouts, names), lower_layer_forward with layer_io::z for forward_train, formula
// (activation_text.hpp) for derivative formulas, array_definition (weights.hpp) for arrays.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <ctnn/gen/options.hpp>
#include <ctnn/gen/plan.hpp>

namespace ctnn::gen {

struct training_text {
    std::string state;
    std::string functions;
    std::vector<std::string> includes;  // extra standard headers, e.g. "cstring" / "string.h"
    std::size_t ram_bytes = 0;          // gradients, kept activations, optimizer state
    std::size_t code_bytes = 0;         // estimate, like header_sizes::code_bytes
};

inline training_text lower_training(const plan& p) {
    if (p.opt.train == training::none) return {};
    throw options_error("training code (training " + std::string(to_string(p.opt.train)) +
                        ") is not generated yet; use training none");
}

}  // namespace ctnn::gen
