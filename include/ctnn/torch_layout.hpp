// Import and export of parameters in PyTorch's layout: for each layer, weight[out][in] row-major, then bias[out],
// concatenated in layer order (the order of torch.nn.Module.parameters()). parameter_count values in all.
// batch_norm contributes weight[out] (gamma) then bias[out] (beta), like nn.BatchNorm1d.parameters(); dropout
// nothing. Its buffers (running_mean, running_var: nn.Module.buffers() order) go through import_torch_buffers /
// export_torch_buffers, buffer_count values.
#pragma once

#include <cstddef>
#include <span>

#include <ctnn/network.hpp>

namespace ctnn {

template <class Net, class T>
void import_torch(parameters<Net, T>& p, std::span<const T, Net::parameter_count> flat) noexcept {
    std::size_t k = 0;
    for (std::size_t layer = 0; layer < Net::layer_count; ++layer) {
        const auto& l = Net::template layout<T>[layer];
        for (std::size_t o = 0; o < l.out; ++o)
            for (std::size_t i = 0; i < l.weight_rows; ++i) p.weight(layer, o, i) = flat[k++];
        if (l.has_bias)
            for (std::size_t o = 0; o < l.out; ++o) p.bias(layer, o) = flat[k++];
    }
}

template <class Net, class T>
void export_torch(const parameters<Net, T>& p, std::span<T, Net::parameter_count> flat) noexcept {
    std::size_t k = 0;
    for (std::size_t layer = 0; layer < Net::layer_count; ++layer) {
        const auto& l = Net::template layout<T>[layer];
        for (std::size_t o = 0; o < l.out; ++o)
            for (std::size_t i = 0; i < l.weight_rows; ++i) flat[k++] = p.weight(layer, o, i);
        if (l.has_bias)
            for (std::size_t o = 0; o < l.out; ++o) flat[k++] = p.bias(layer, o);
    }
}

// The buffers' values: per layer with buffers, running_mean[out] then running_var[out].
template <class Net>
inline constexpr std::size_t buffer_count = [] {
    std::size_t n = 0;
    for (const auto& l : Net::template layout<float>) n += l.buffer_rows * l.out;
    return n;
}();

template <class Net, class T>
void import_torch_buffers(parameters<Net, T>& p, std::span<const T, buffer_count<Net>> flat) noexcept {
    std::size_t k = 0;
    for (const auto& l : Net::template layout<T>)
        for (std::size_t r = 0; r < l.buffer_rows; ++r)
            for (std::size_t o = 0; o < l.out; ++o) p.data[l.buffer_offset + r * l.stride + o] = flat[k++];
}

template <class Net, class T>
void export_torch_buffers(const parameters<Net, T>& p, std::span<T, buffer_count<Net>> flat) noexcept {
    std::size_t k = 0;
    for (const auto& l : Net::template layout<T>)
        for (std::size_t r = 0; r < l.buffer_rows; ++r)
            for (std::size_t o = 0; o < l.out; ++o) flat[k++] = p.data[l.buffer_offset + r * l.stride + o];
}

}  // namespace ctnn
