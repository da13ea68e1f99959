// The library's outputs for the test networks, computed in-process from the same seeded parameters that the
// model maker wrote to the model files.
#include "reference.hpp"

#include <array>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <utility>
#include <vector>

#include <ctnn/gen/inference.hpp>
#include <ctnn/io.hpp>

#include "nets.hpp"

namespace gen_diff {
namespace {

// How far a correct float evaluation of output o may stray, in units of the roundoff: first-order propagation of
// "each sum is off by eps times the sum of its terms' magnitudes" through the layers. A sum z_o = b_o + sum_i w_oi a_i
// whose terms cancel cannot be known to better than eps * (|b_o| + sum_i |w_oi| |a_i|), whatever the order of the
// additions; input errors add sum_i |w_oi| m(a_i); the activation scales by |f'(z)| (softmax: y_o (m_o + sum_j y_j m_j)).
template <class Net, class T, std::size_t... L>
void magnitudes(const typename Net::template parameters<T>& p, const T* ws, double* out, std::index_sequence<L...>) {
    std::vector<double> m(Net::input_size, 0.0);
    const auto layer = [&]<std::size_t I>(std::integral_constant<std::size_t, I>) {
        using Act = typename Net::template layer<I>::activation;
        constexpr auto l = Net::template layout<T>[I];
        const T* a = I == 0 ? ws : ws + Net::template layout<T>[I == 0 ? 0 : I - 1].y_offset;
        const T* z = ws + l.z_offset;
        const T* y = ws + l.y_offset;
        std::vector<double> mz(l.out), my(l.out);
        if constexpr (Net::template layer<I>::kind == "dropout") {  // the identity at inference
            for (std::size_t o = 0; o < l.out; ++o) m[o] += std::abs(double(a[o]));
            return;
        } else if constexpr (Net::template layer<I>::kind == "batch_norm") {
            // z = gamma (x - mean) / sqrt(var + eps) + beta, or folded: scale x + shift (inference.hpp).
            for (std::size_t o = 0; o < l.out; ++o) {
                const double scale = double(p.weight(I, o, 0)) / std::sqrt(double(p.running_var(I, o)) + l.eps);
                mz[o] = std::abs(scale) * (std::abs(double(a[o])) + m[o] + std::abs(double(p.running_mean(I, o)))) +
                        std::abs(double(p.bias(I, o)));
            }
        } else {
            for (std::size_t o = 0; o < l.out; ++o) {
                double s = std::abs(double(p.bias(I, o)));
                for (std::size_t i = 0; i < l.in; ++i)
                    s += std::abs(double(p.weight(I, o, i))) * (std::abs(double(a[i])) + m[i]);
                mz[o] = s;
            }
        }
        if constexpr (Act::elementwise) {
            for (std::size_t o = 0; o < l.out; ++o) my[o] = std::abs(double(Act::df(z[o], y[o]))) * mz[o];
        } else {
            double dot = 0;
            for (std::size_t o = 0; o < l.out; ++o) dot += double(y[o]) * mz[o];
            for (std::size_t o = 0; o < l.out; ++o) my[o] = double(y[o]) * (mz[o] + dot);
        }
        m = std::move(my);
    };
    (layer(std::integral_constant<std::size_t, L>{}), ...);
    for (std::size_t o = 0; o < Net::output_size; ++o) out[o] = m[o];
}

template <class Net, class T, std::uint64_t Seed>
void run(const void* xv, void* yv, void* ysv, double* magnitude) {
    const auto& p = parameters_of<Net, T, Seed>();
    std::array<T, Net::input_size> x;
    std::array<T, Net::output_size> y, ys;
    const T* xp = static_cast<const T*>(xv);
    for (std::size_t i = 0; i < Net::input_size; ++i) x[i] = xp[i];
    static typename Net::template workspace<T> ws;
    Net::forward(p, x, y);
    Net::template forward<ctnn::scalar_arch>(p, x, ys, ws);
    magnitudes<Net, T>(p, ws.data, magnitude, std::make_index_sequence<Net::layer_count>{});
    for (std::size_t o = 0; o < Net::output_size; ++o) {
        static_cast<T*>(yv)[o] = y[o];
        static_cast<T*>(ysv)[o] = ys[o];
    }
}

template <class Net, class T, std::uint64_t Seed>
double weight(std::size_t layer, std::size_t out, std::size_t in) {
    return parameters_of<Net, T, Seed>().weight(layer, out, in);
}
template <class Net, class T, std::uint64_t Seed>
double bias(std::size_t layer, std::size_t out) {
    return parameters_of<Net, T, Seed>().bias(layer, out);
}

#define GEN_DIFF_NET(name, T, seed, ...)                                                                      \
    reference{#name,                                                                                          \
              sizeof(T) == sizeof(double),                                                                    \
              __VA_ARGS__::input_size,                                                                        \
              __VA_ARGS__::output_size,                                                                       \
              __VA_ARGS__::parameter_count,                                                                   \
              &run<__VA_ARGS__, T, seed>,                                                                     \
              __VA_ARGS__::layout<T>,                                                                         \
              &weight<__VA_ARGS__, T, seed>,                                                                  \
              &bias<__VA_ARGS__, T, seed>},
constexpr reference all[] = {
#include "nets.def"
};
#undef GEN_DIFF_NET

// The nets of nets_inference.def: their headers hold the inference form (ctnn::gen::inference_model), whose
// layers, weights and parameter count the accessors' check compares against.
template <class Net, class T, std::uint64_t Seed>
const ctnn::model& folded() {
    static const ctnn::model m = ctnn::gen::inference_model(ctnn::to_model(parameters_of<Net, T, Seed>()));
    return m;
}
template <class Net, class T, std::uint64_t Seed>
double folded_weight(std::size_t layer, std::size_t out, std::size_t in) {
    const ctnn::layer_model& l = folded<Net, T, Seed>().layers[layer];
    return l.weight[out * l.in + in];
}
template <class Net, class T, std::uint64_t Seed>
double folded_bias(std::size_t layer, std::size_t out) {
    return folded<Net, T, Seed>().layers[layer].bias[out];
}
template <class Net, class T, std::uint64_t Seed>
reference folded_reference(const char* name) {
    static const std::vector<ctnn::layer_layout> layers = [] {
        std::vector<ctnn::layer_layout> v;
        for (const ctnn::layer_model& l : folded<Net, T, Seed>().layers) {
            ctnn::layer_layout ll{};
            ll.in = l.in;
            ll.out = l.out;
            v.push_back(ll);
        }
        return v;
    }();
    std::size_t count = 0;
    for (const auto& l : layers) count += l.out * l.in + l.out;
    return {name, sizeof(T) == sizeof(double), Net::input_size, Net::output_size, count, &run<Net, T, Seed>, layers,
            &folded_weight<Net, T, Seed>, &folded_bias<Net, T, Seed>};
}

}  // namespace

std::span<const reference> references() {
    static const std::vector<reference> refs = [] {
        std::vector<reference> v(std::begin(all), std::end(all));
#define GEN_DIFF_NET(name, T, seed, ...) v.push_back(folded_reference<__VA_ARGS__, T, seed>(#name));
#include "nets_inference.def"
#undef GEN_DIFF_NET
        return v;
    }();
    return refs;
}

}  // namespace gen_diff
