// The differential tests' networks (nets.def) and their parameters, shared by the model maker and the reference.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <tuple>
#include <utility>

#include <ctnn/ctnn.hpp>

namespace gen_diff {

// Every activation a random layer may draw.
using activations = std::tuple<ctnn::identity, ctnn::binary_step, ctnn::sigmoid, ctnn::tanh, ctnn::relu,
                               ctnn::leaky_relu<>, ctnn::leaky_relu<1, 5>, ctnn::elu<>, ctnn::elu<3, 2>, ctnn::selu,
                               ctnn::gelu, ctnn::gelu_tanh, ctnn::softplus, ctnn::softsign, ctnn::swish, ctnn::mish,
                               ctnn::sinc, ctnn::log_sigmoid, ctnn::softmax>;

// A topology drawn at compile time from Seed: 1 to 4 layers of 1 to 48 units (now and then up to 100),
// 1 to 40 inputs, each layer with a random activation.
template <std::uint64_t Seed>
struct random_topology {
    static constexpr std::size_t max_layers = 4;
    struct draw {
        std::size_t input = 0;
        std::size_t layers = 0;
        std::array<std::size_t, max_layers> units{};
        std::array<std::size_t, max_layers> activation{};
    };
    static constexpr draw value = [] {
        ctnn::random_source r(Seed);
        draw d;
        d.input = 1 + r.below(40);
        d.layers = 1 + r.below(max_layers);
        for (std::size_t l = 0; l < d.layers; ++l) {
            d.units[l] = r.below(5) == 0 ? 1 + r.below(100) : 1 + r.below(48);
            d.activation[l] = r.below(std::tuple_size_v<activations>);
        }
        return d;
    }();
};

template <std::uint64_t Seed, class Layers = std::make_index_sequence<random_topology<Seed>::value.layers>>
struct random_network_of;
template <std::uint64_t Seed, std::size_t... L>
struct random_network_of<Seed, std::index_sequence<L...>> {
    static constexpr auto d = random_topology<Seed>::value;
    using type = ctnn::network<ctnn::input<d.input>,
                               ctnn::dense<d.units[L], std::tuple_element_t<d.activation[L], activations>>...>;
};
template <std::uint64_t Seed>
using random_network = typename random_network_of<Seed>::type;

// The parameters of a test network: PyTorch's default initialization from the net's seed (batch_norm's values:
// drawn from it too). The maker writes
// them to the model files, the reference runs the library on the same values.
template <class Net, class T, std::uint64_t Seed>
const typename Net::template parameters<T>& parameters_of() {
    static const auto* p = [] {
        static typename Net::template parameters<T> q;
        ctnn::initialize(q, ctnn::torch_default{}, Seed);
        // batch_norm: gamma, beta and running statistics away from their defaults (which make it nearly the identity).
        ctnn::random_source r(Seed ^ 0xba7c4ull);
        for (std::size_t k = 0; k < Net::layer_count; ++k)
            if (Net::template layout<T>[k].buffer_rows == 2)  // batch_norm
                for (std::size_t o = 0; o < Net::template layout<T>[k].out; ++o) {
                    q.weight(k, o, 0) = static_cast<T>(r.uniform(0.5, 2.0));
                    q.bias(k, o) = static_cast<T>(r.uniform(-0.5, 0.5));
                    q.running_mean(k, o) = static_cast<T>(r.uniform(-0.5, 0.5));
                    q.running_var(k, o) = static_cast<T>(r.uniform(0.25, 2.0));
                }
        return &q;
    }();
    return *p;
}

}  // namespace gen_diff
