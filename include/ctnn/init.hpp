// Seeded, platform-independent parameter initialization.
//   ctnn::initialize(params, ctnn::xavier_uniform{}, 42);
// Values are drawn layer by layer, weights in PyTorch order (out-major, then in), then biases.
#pragma once

#include <cmath>
#include <cstdint>

#include <ctnn/network.hpp>
#include <ctnn/random.hpp>

namespace ctnn {

// Glorot & Bengio: W ~ U(-a, a), a = sqrt(6 / (in + out)); biases 0.
struct xavier_uniform {
    double weight_bound(std::size_t in, std::size_t out) const noexcept { return std::sqrt(6.0 / double(in + out)); }
    double bias_bound(std::size_t, std::size_t) const noexcept { return 0.0; }
};
// He et al. for ReLU: W ~ U(-a, a), a = sqrt(6 / in); biases 0.
struct he_uniform {
    double weight_bound(std::size_t in, std::size_t) const noexcept { return std::sqrt(6.0 / double(in)); }
    double bias_bound(std::size_t, std::size_t) const noexcept { return 0.0; }
};
// PyTorch's nn.Linear default: W and b ~ U(-1/sqrt(in), 1/sqrt(in)).
struct torch_default {
    double weight_bound(std::size_t in, std::size_t) const noexcept { return 1.0 / std::sqrt(double(in)); }
    double bias_bound(std::size_t in, std::size_t) const noexcept { return 1.0 / std::sqrt(double(in)); }
};
// W and b ~ U(-bound, bound).
struct uniform {
    double bound = 0.1;
    double weight_bound(std::size_t, std::size_t) const noexcept { return bound; }
    double bias_bound(std::size_t, std::size_t) const noexcept { return bound; }
};
// Everything 0.
struct zeros {
    double weight_bound(std::size_t, std::size_t) const noexcept { return 0.0; }
    double bias_bound(std::size_t, std::size_t) const noexcept { return 0.0; }
};

template <class Net, class T, class Scheme>
void initialize(parameters<Net, T>& p, const Scheme& scheme, std::uint64_t seed) noexcept {
    random_source rng(seed);
    for (std::size_t layer = 0; layer < Net::layer_count; ++layer) {
        const auto& l = Net::template layout<T>[layer];
        const double wb = scheme.weight_bound(l.in, l.out);
        const double bb = scheme.bias_bound(l.in, l.out);
        for (std::size_t o = 0; o < l.out; ++o)
            for (std::size_t i = 0; i < l.in; ++i) p.weight(layer, o, i) = static_cast<T>(rng.uniform(-wb, wb));
        for (std::size_t o = 0; o < l.out; ++o) p.bias(layer, o) = static_cast<T>(rng.uniform(-bb, bb));
    }
}

}  // namespace ctnn
