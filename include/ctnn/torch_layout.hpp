// Import and export of parameters in PyTorch's layout: for each layer, weight[out][in] row-major, then bias[out],
// concatenated in layer order (the order of torch.nn.Module.parameters()). parameter_count values in all.
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
            for (std::size_t i = 0; i < l.in; ++i) p.weight(layer, o, i) = flat[k++];
        for (std::size_t o = 0; o < l.out; ++o) p.bias(layer, o) = flat[k++];
    }
}

template <class Net, class T>
void export_torch(const parameters<Net, T>& p, std::span<T, Net::parameter_count> flat) noexcept {
    std::size_t k = 0;
    for (std::size_t layer = 0; layer < Net::layer_count; ++layer) {
        const auto& l = Net::template layout<T>[layer];
        for (std::size_t o = 0; o < l.out; ++o)
            for (std::size_t i = 0; i < l.in; ++i) flat[k++] = p.weight(layer, o, i);
        for (std::size_t o = 0; o < l.out; ++o) flat[k++] = p.bias(layer, o);
    }
}

}  // namespace ctnn
