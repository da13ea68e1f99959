// The inference form of a model, for the generator: dense layers only. dropout is the identity at inference and
// disappears; batch_norm normalizes with its running statistics, an affine map per feature
//   y = act(x * scale + shift),  scale = gamma / sqrt(running_var + eps),  shift = beta - running_mean * scale,
// computed in double and folded into the dense layer before it when that layer has no activation (W' = scale W,
// b' = scale b + shift), otherwise a dense layer of its own with the diagonal weights diag(scale).
// A dense-only model comes back unchanged. Multiply-adds are explicit std::fma (correctly rounded everywhere), so
// the values do not depend on the compiler's contraction: the same header on every machine.
#pragma once

#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include <ctnn/io/model.hpp>

namespace ctnn::gen {

inline bool dense_only(const model& m) {
    for (const layer_model& l : m.layers)
        if (l.kind != "dense") return false;
    return true;
}

// The first layer that is not dense, or m.layers.size().
inline std::size_t first_non_dense(const model& m) {
    for (std::size_t k = 0; k < m.layers.size(); ++k)
        if (m.layers[k].kind != "dense") return k;
    return m.layers.size();
}

// The values are rounded to the model's scalar type, as a model file would hold them.
inline model inference_model(const model& m) {
    if (dense_only(m)) return m;
    const auto round = [&](double v) { return m.scalar == scalar_type::float32 ? double(float(v)) : v; };
    model r;
    r.scalar = m.scalar;
    r.input_size = m.input_size;
    // Whether r.layers.back() came from the dense layer just before (its activation still identity).
    bool foldable = false;
    for (const layer_model& l : m.layers) {
        if (l.kind == "dense") {
            r.layers.push_back(l);
            foldable = l.activation == "identity";
            continue;
        }
        if (l.kind == "dropout") continue;  // identity; whatever came before stays foldable or not
        // batch_norm
        const std::size_t n = l.out;
        std::vector<double> scale(n), shift(n);
        for (std::size_t o = 0; o < n; ++o) {
            scale[o] = l.weight[o] / std::sqrt(l.running_var[o] + l.eps);
            shift[o] = std::fma(-l.running_mean[o], scale[o], l.bias[o]);
        }
        if (foldable && !r.layers.empty()) {
            layer_model& d = r.layers.back();
            for (std::size_t o = 0; o < n; ++o) {
                for (std::size_t i = 0; i < d.in; ++i)
                    d.weight[o * d.in + i] = round(d.weight[o * d.in + i] * scale[o]);
                d.bias[o] = round(std::fma(d.bias[o], scale[o], shift[o]));
            }
        } else {
            layer_model d;
            d.in = n;
            d.out = n;
            d.weight.assign(n * n, 0.0);
            d.bias.resize(n);
            for (std::size_t o = 0; o < n; ++o) {
                d.weight[o * n + o] = round(scale[o]);
                d.bias[o] = round(shift[o]);
            }
            r.layers.push_back(std::move(d));
        }
        layer_model& d = r.layers.back();
        d.activation = l.activation;
        d.activation_parameter_name = l.activation_parameter_name;
        d.activation_parameter = l.activation_parameter;
        foldable = d.activation == "identity";
    }
    if (r.layers.empty()) {  // dropout alone: the identity as a dense layer
        layer_model d;
        const std::size_t n = m.input_size;
        d.in = n;
        d.out = n;
        d.weight.assign(n * n, 0.0);
        for (std::size_t o = 0; o < n; ++o) d.weight[o * n + o] = 1.0;
        d.bias.assign(n, 0.0);
        r.layers.push_back(std::move(d));
    }
    return r;
}

}  // namespace ctnn::gen
