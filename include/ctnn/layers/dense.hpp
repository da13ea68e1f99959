// A fully connected layer: y = act(W x + b). The user states the output size; the network infers the input size.
#pragma once

#include <cstddef>
#include <string_view>

#include <ctnn/activations.hpp>
#include <ctnn/kernels/dense.hpp>
#include <ctnn/layers/layer.hpp>

namespace ctnn {

template <std::size_t N, class Activation = identity>
struct dense {
    static_assert(N >= 1, "ctnn::dense<N, Activation>: N (the layer's output size) must be at least 1");
    static_assert(is_activation_v<Activation>,
                  "ctnn::dense<N, Activation>: Activation must be an activation such as ctnn::relu or ctnn::tanh");
    static constexpr std::size_t units = N;
    using activation = Activation;

    // The layer once its input size is known.
    template <std::size_t In>
    struct bind {
        static constexpr std::string_view kind = "dense";
        using activation = Activation;
        static constexpr std::size_t in_size = In;
        static constexpr std::size_t out_size = N;
        static constexpr std::size_t parameter_count = In * N + N;
        static constexpr double momentum = 0, eps = 0, drop_probability = 0;
        static constexpr bool batch_statistics = false;
        static constexpr std::size_t random_draws = 0;

        template <class T>
        using shape = kernels::dense_shape<T, In, N>;

        template <class T, class Arch>
        static void forward(Arch arch, const T* p, const T* x, T* z, T* y) noexcept {
            kernels::dense_forward<Activation, T, In, N>(arch, p, x, z, y);
        }
        template <class T, class Arch>
        static void forward(Arch arch, const T* p, const T* x, T* z, T* y, T*) noexcept {
            kernels::dense_forward<Activation, T, In, N>(arch, p, x, z, y);
        }
        template <class T, class Arch, class Rng>
        static void forward_train(Arch arch, const T* p, const T* x, T* z, T* y, T*, Rng&) noexcept {
            kernels::dense_forward<Activation, T, In, N>(arch, p, x, z, y);
        }
        template <class T, class Arch>
        static void backward(Arch arch, const T* p, const T* x, const T* z, const T* y, const T* gy, T* g, T* gx,
                             T* scratch, const T* = nullptr) noexcept {
            kernels::dense_backward<Activation, T, In, N>(arch, p, x, z, y, gy, g, gx, scratch);
        }
    };
};

template <std::size_t N, class A>
inline constexpr bool is_layer_v<dense<N, A>> = true;

template <std::size_t N, class A>
inline constexpr layer_problem layer_problem_v<dense<N, A>> =
    N == 0                                                       ? layer_problem::zero_size
    : activation_problem_v<A> == activation_problem::not_an_activation ? layer_problem::not_an_activation
    : activation_problem_v<A> == activation_problem::bad_parameter     ? layer_problem::bad_activation_parameter
                                                                       : layer_problem::none;

}  // namespace ctnn
