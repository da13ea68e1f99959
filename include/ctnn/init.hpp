// Seeded, platform-independent parameter initialization.
//   ctnn::initialize(params, ctnn::xavier_uniform{}, 42);
// Values are drawn layer by layer, weights in PyTorch order (out-major, then in), then biases; batch_norm layers
// get PyTorch's defaults (gamma 1, beta 0, running mean 0, running variance 1) and draw nothing.
// Formulas follow torch.nn.init (fan_in = in, fan_out = out for a dense layer); the values cannot match
// PyTorch's generator, but they are the same bits on every IEEE-754 platform (docs/initializers.md).
#pragma once

#include <cmath>
#include <concepts>
#include <cstddef>
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


// A scheme is one of three shapes: weight_bound/bias_bound (symmetric uniform, above), weight_range/bias_range
// (uniform on [lo, hi)) or weight_normal/bias_normal (normal with mean and std).
struct uniform_interval {
    double lo, hi;
};
struct normal_parameters {
    double mean, std;
};

// torch.nn.init.uniform_(a, b): W and b ~ U[lo, hi).
struct uniform_range {
    double lo = 0.0;
    double hi = 1.0;
    uniform_interval weight_range(std::size_t, std::size_t) const noexcept { return {lo, hi}; }
    uniform_interval bias_range(std::size_t, std::size_t) const noexcept { return {lo, hi}; }
};
// torch.nn.init.normal_(mean, std): W and b ~ N(mean, std^2).
struct normal {
    double mean = 0.0;
    double std = 1.0;
    normal_parameters weight_normal(std::size_t, std::size_t) const noexcept { return {mean, std}; }
    normal_parameters bias_normal(std::size_t, std::size_t) const noexcept { return {mean, std}; }
};
// torch.nn.init.xavier_normal_: W ~ N(0, std^2), std = gain * sqrt(2 / (in + out)); biases 0.
struct xavier_normal {
    double gain = 1.0;
    normal_parameters weight_normal(std::size_t in, std::size_t out) const noexcept {
        return {0.0, gain * std::sqrt(2.0 / double(in + out))};
    }
    normal_parameters bias_normal(std::size_t, std::size_t) const noexcept { return {0.0, 0.0}; }
};
// torch.nn.init.kaiming_normal_ defaults (mode fan_in, ReLU gain sqrt(2)): W ~ N(0, 2 / in); biases 0.
struct he_normal {
    normal_parameters weight_normal(std::size_t in, std::size_t) const noexcept {
        return {0.0, std::sqrt(2.0 / double(in))};
    }
    normal_parameters bias_normal(std::size_t, std::size_t) const noexcept { return {0.0, 0.0}; }
};

namespace detail {

template <class S>
concept normal_scheme = requires(const S& s, std::size_t n) {
    { s.weight_normal(n, n) } -> std::convertible_to<normal_parameters>;
    { s.bias_normal(n, n) } -> std::convertible_to<normal_parameters>;
};
template <class S>
concept range_scheme = requires(const S& s, std::size_t n) {
    { s.weight_range(n, n) } -> std::convertible_to<uniform_interval>;
    { s.bias_range(n, n) } -> std::convertible_to<uniform_interval>;
};

// One value of a layer's weights (bias == false) or biases.
template <class Scheme>
double draw(const Scheme& scheme, random_source& rng, std::size_t in, std::size_t out, bool bias) noexcept {
    if constexpr (normal_scheme<Scheme>) {
        const normal_parameters d = bias ? scheme.bias_normal(in, out) : scheme.weight_normal(in, out);
        return std::fma(d.std, rng.normal(), d.mean);  // explicit fma: no contraction-dependent rounding
    } else if constexpr (range_scheme<Scheme>) {
        const uniform_interval r = bias ? scheme.bias_range(in, out) : scheme.weight_range(in, out);
        return rng.uniform(r.lo, r.hi);
    } else {
        const double b = bias ? scheme.bias_bound(in, out) : scheme.weight_bound(in, out);
        return rng.uniform(-b, b);
    }
}

}  // namespace detail

template <class Net, class T, class Scheme>
void initialize(parameters<Net, T>& p, const Scheme& scheme, std::uint64_t seed) noexcept {
    random_source rng(seed);
    for (std::size_t layer = 0; layer < Net::layer_count; ++layer) {
        const auto& l = Net::template layout<T>[layer];
        if (l.buffer_rows == 2) {  // batch_norm, as nn.BatchNorm1d's reset: gamma 1, beta 0, running mean 0, var 1
            for (std::size_t o = 0; o < l.out; ++o) {
                p.weight(layer, o, 0) = T(1);
                p.bias(layer, o) = T(0);
                p.running_mean(layer, o) = T(0);
                p.running_var(layer, o) = T(1);
            }
            continue;
        }
        // dense: weight_rows == in; dropout: no rows, no bias
        for (std::size_t o = 0; o < l.out; ++o)
            for (std::size_t i = 0; i < l.weight_rows; ++i)
                p.weight(layer, o, i) = static_cast<T>(detail::draw(scheme, rng, l.in, l.out, false));
        if (l.has_bias)
            for (std::size_t o = 0; o < l.out; ++o)
                p.bias(layer, o) = static_cast<T>(detail::draw(scheme, rng, l.in, l.out, true));
    }
}

}  // namespace ctnn
