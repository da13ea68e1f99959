// The benchmark's four networks and their seeds, shared by bench_forward and bench_models (which writes the
// model files the generated headers are made from), so that every implementation computes with the same weights.
#pragma once

#include <cstdint>

#include <ctnn/ctnn.hpp>

namespace bench {

using net_a = ctnn::network<ctnn::input<8>, ctnn::dense<16, ctnn::tanh>, ctnn::dense<16, ctnn::tanh>, ctnn::dense<1>>;
using net_b = ctnn::network<ctnn::input<16>, ctnn::dense<64, ctnn::relu>, ctnn::dense<64, ctnn::relu>, ctnn::dense<8>>;
using net_c =
    ctnn::network<ctnn::input<64>, ctnn::dense<128, ctnn::relu>, ctnn::dense<128, ctnn::relu>, ctnn::dense<10>>;
using net_d = ctnn::network<ctnn::input<784>, ctnn::dense<128, ctnn::relu>, ctnn::dense<10, ctnn::softmax>>;

inline constexpr std::uint64_t weight_seed = 2024;  // ctnn::initialize(p, ctnn::torch_default{}, weight_seed)
inline constexpr std::uint64_t input_seed = 7;

// The weights every implementation uses.
template <class Net>
void initialize(typename Net::template parameters<float>& p) {
    ctnn::initialize(p, ctnn::torch_default{}, weight_seed);
}

}  // namespace bench
