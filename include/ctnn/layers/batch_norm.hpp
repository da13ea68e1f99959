// Batch normalization over the features (torch.nn.BatchNorm1d on [batch, features]), then an activation:
//   ctnn::dense<64>, ctnn::batch_norm<ctnn::relu>   is   Linear -> BatchNorm1d -> ReLU.
// Trainable gamma (init 1) and beta (init 0); buffers running_mean (0) and running_var (1), kept in the parameters
// object but never trained. Momentum MomentumNum / MomentumDen (PyTorch's convention, default 0.1) and eps
// EpsNum / EpsDen (default 1e-5). Inference normalizes with the running statistics; training (Net::forward_train)
// with the mini-batch's. Kernels: kernels/batch_norm.hpp; details: docs/layers.md.
#pragma once

#include <cstddef>
#include <string_view>

#include <ctnn/activations.hpp>
#include <ctnn/kernels/batch_norm.hpp>
#include <ctnn/layers/layer.hpp>

namespace ctnn {

namespace detail {
template <std::size_t MomentumNum, std::size_t MomentumDen, std::size_t EpsNum, std::size_t EpsDen>
inline constexpr bool batch_norm_parameters_ok =
    MomentumDen != 0 && MomentumNum <= MomentumDen && EpsDen != 0 && EpsNum != 0;
}

template <class Activation = identity, std::size_t MomentumNum = 1, std::size_t MomentumDen = 10,
          std::size_t EpsNum = 1, std::size_t EpsDen = 100000>
struct batch_norm {
    static_assert(is_activation_v<Activation>,
                  "ctnn::batch_norm<Activation, ...>: Activation must be an activation such as ctnn::relu");
    static_assert(detail::batch_norm_parameters_ok<MomentumNum, MomentumDen, EpsNum, EpsDen>,
                  "ctnn::batch_norm<Activation, MomentumNum, MomentumDen, EpsNum, EpsDen>: the momentum "
                  "MomentumNum/MomentumDen must be in [0, 1] and eps EpsNum/EpsDen above 0 (denominators not 0)");
    using activation = Activation;

    template <std::size_t In>
    struct bind {
        static constexpr std::string_view kind = "batch_norm";
        using activation = Activation;
        static constexpr std::size_t in_size = In;
        static constexpr std::size_t out_size = In;
        static constexpr std::size_t parameter_count = 2 * In;  // gamma, beta (the buffers are not parameters)
        static constexpr double momentum = MomentumDen == 0 ? 0.0 : double(MomentumNum) / double(MomentumDen);
        static constexpr double eps = EpsDen == 0 ? 0.0 : double(EpsNum) / double(EpsDen);
        static constexpr double drop_probability = 0;
        static constexpr bool batch_statistics = true;
        static constexpr std::size_t random_draws = 0;

        template <class T>
        struct shape {
            static constexpr std::size_t stride = round_up(In, row_granule<T>);
            static constexpr std::size_t weight_rows = 1;  // gamma
            static constexpr bool has_bias = true;         // beta
            static constexpr std::size_t buffer_rows = 2;  // running_mean, running_var
            static constexpr std::size_t extra_rows = 2;   // xhat, inv_std
            static constexpr std::size_t weight_size = stride;
            static constexpr std::size_t size = 4 * stride;
        };

        template <class T, class Arch>
        static void forward(Arch, const T* p, const T* x, T* z, T* y) noexcept {
            kernels::batch_norm_forward<Activation, T, In, shape<T>::stride>(p, x, z, y, nullptr, static_cast<T>(eps));
        }
        template <class T, class Arch>
        static void forward(Arch, const T* p, const T* x, T* z, T* y, T* extra) noexcept {
            kernels::batch_norm_forward<Activation, T, In, shape<T>::stride>(p, x, z, y, extra, static_cast<T>(eps));
        }
        template <class T, class Arch>
        static void backward(Arch, const T* p, const T*, const T* z, const T* y, const T* gy, T* g, T* gx, T* dz,
                             const T* extra) noexcept {
            kernels::batch_norm_backward<Activation, T, In, shape<T>::stride>(p, z, y, gy, g, gx, dz, extra);
        }
        template <class T, class Ws>
        static void forward_train_batch(const T* p, Ws ws, std::size_t n, std::size_t x_off, std::size_t z_off,
                                        std::size_t y_off, std::size_t extra_off, T* running) noexcept {
            kernels::batch_norm_forward_train<Activation, T, In, shape<T>::stride>(p, ws, n, x_off, z_off, y_off,
                                                                                 extra_off, eps, momentum, running);
        }
        template <class T, class Ws>
        static void backward_train_batch(const T* p, T* g, Ws ws, std::size_t n, std::size_t z_off,
                                         std::size_t y_off, std::size_t gy_off, std::size_t gx_off,
                                         std::size_t dz_off, std::size_t extra_off) noexcept {
            kernels::batch_norm_backward_train<Activation, T, In, shape<T>::stride>(p, g, ws, n, z_off, y_off, gy_off,
                                                                                  gx_off, dz_off, extra_off);
        }
    };
};

template <class A, std::size_t MN, std::size_t MD, std::size_t EN, std::size_t ED>
inline constexpr bool is_layer_v<batch_norm<A, MN, MD, EN, ED>> = true;

template <class A, std::size_t MN, std::size_t MD, std::size_t EN, std::size_t ED>
inline constexpr layer_problem layer_problem_v<batch_norm<A, MN, MD, EN, ED>> =
    activation_problem_v<A> == activation_problem::not_an_activation ? layer_problem::batch_norm_not_an_activation
    : activation_problem_v<A> == activation_problem::bad_parameter   ? layer_problem::bad_activation_parameter
    : !detail::batch_norm_parameters_ok<MN, MD, EN, ED>              ? layer_problem::bad_batch_norm_parameter
                                                                     : layer_problem::none;

}  // namespace ctnn
