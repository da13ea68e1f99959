// L1 and L2 penalties on a network's weights (not its biases), as ctnn::fit adds them to the loss and gradient:
//     penalty = l1 * sum |w| + l2 * sum w^2,     d penalty / d w = l1 * sign(w) + 2 * l2 * w     (sign(0) = 0)
// Only dense layers' weight matrices count; the zero padding of the parameter buffer is never touched.
#pragma once

#include <cstddef>

#include <ctnn/network.hpp>

namespace ctnn {

// l1 * sum |w| + l2 * sum w^2 over the weights of p, summed in double.
template <class Net, class T>
[[nodiscard]] double weight_penalty(const parameters<Net, T>& p, double l1, double l2) noexcept {
    if (l1 == 0 && l2 == 0) return 0;
    double abs_sum = 0, square_sum = 0;
    for (const auto& l : Net::template layout<T>) {
        if (l.kind != "dense") continue;
        for (std::size_t i = 0; i < l.in; ++i) {
            const T* row = p.data + l.weight_offset + i * l.stride;
            for (std::size_t o = 0; o < l.out; ++o) {
                const double w = row[o];
                abs_sum += w < 0 ? -w : w;
                square_sum += w * w;
            }
        }
    }
    return l1 * abs_sum + l2 * square_sum;
}

// g += d penalty / d w for every weight of p: l1 * sign(w) + 2 * l2 * w, computed in T.
template <class Net, class T>
void add_weight_penalty_gradient(const parameters<Net, T>& p, double l1, double l2, parameters<Net, T>& g) noexcept {
    if (l1 == 0 && l2 == 0) return;
    const T a = T(l1), b = T(2 * l2);
    for (const auto& l : Net::template layout<T>) {
        if (l.kind != "dense") continue;
        for (std::size_t i = 0; i < l.in; ++i) {
            const std::size_t row = l.weight_offset + i * l.stride;
            const T* w = p.data + row;
            T* d = g.data + row;
            for (std::size_t o = 0; o < l.out; ++o) {
                const T sign = w[o] > T(0) ? T(1) : (w[o] < T(0) ? T(-1) : T(0));
                d[o] += a * sign + b * w[o];
            }
        }
    }
}

}  // namespace ctnn
