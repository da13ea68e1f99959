// Inverted dropout: in training (Net::forward_train) each value is dropped with probability p = Num / Den and the
// kept ones are scaled by 1 / (1 - p); in inference it is the identity. No parameters.
#pragma once

#include <cstddef>
#include <string_view>

#include <ctnn/activations.hpp>
#include <ctnn/kernels/simd.hpp>
#include <ctnn/layers/layer.hpp>

namespace ctnn {

template <std::size_t Num, std::size_t Den = 100>
struct dropout {
    static_assert(Den != 0 && Num < Den, "ctnn::dropout<Num, Den>: the drop probability Num/Den must be at least 0 "
                                         "and below 1 (Den not 0), e.g. ctnn::dropout<20> drops 20%");
    static constexpr double probability = Den == 0 ? 0.0 : double(Num) / double(Den);

    template <std::size_t In>
    struct bind {
        static constexpr std::string_view kind = "dropout";
        using activation = identity;
        static constexpr std::size_t in_size = In;
        static constexpr std::size_t out_size = In;
        static constexpr std::size_t parameter_count = 0;
        static constexpr double momentum = 0, eps = 0, drop_probability = probability;
        static constexpr bool batch_statistics = false;
        static constexpr std::size_t random_draws = In;  // one uniform draw per value and sample

        template <class T>
        struct shape {
            static constexpr std::size_t stride = round_up(In, row_granule<T>);
            static constexpr std::size_t weight_rows = 0;
            static constexpr bool has_bias = false;
            static constexpr std::size_t buffer_rows = 0;
            static constexpr std::size_t extra_rows = 1;  // the mask: 0 or 1 / (1 - p) per value
            static constexpr std::size_t weight_size = 0;
            static constexpr std::size_t size = 0;
        };

        // y = mask * x (z too when kept); the padding becomes 0.
        template <class T>
        static void apply(const T* x, T* z, T* y, const T* mask) noexcept {
            constexpr std::size_t S = shape<T>::stride;
            for (std::size_t o = 0; o < S; ++o) {
                const T v = o < In ? (mask ? x[o] * mask[o] : x[o]) : T(0);
                y[o] = v;
                if (z) z[o] = v;
            }
        }

        template <class T, class Arch>
        static void forward(Arch, const T*, const T* x, T* z, T* y) noexcept {
            apply<T>(x, z, y, nullptr);
        }
        template <class T, class Arch>
        static void forward(Arch, const T*, const T* x, T* z, T* y, T* mask) noexcept {
            for (std::size_t o = 0; o < shape<T>::stride; ++o) mask[o] = o < In ? T(1) : T(0);
            apply<T>(x, z, y, nullptr);
        }
        // Keeps a value when a uniform draw in [0, 1) is at least p (probability 1 - p), one draw per value in order.
        template <class T, class Arch, class Rng>
        static void forward_train(Arch, const T*, const T* x, T* z, T* y, T* mask, Rng& rng) noexcept {
            const T scale = static_cast<T>(1.0 / (1.0 - probability));
            for (std::size_t o = 0; o < shape<T>::stride; ++o)
                mask[o] = o < In ? (rng.uniform() >= probability ? scale : T(0)) : T(0);
            apply<T>(x, z, y, mask);
        }
        template <class T, class Arch>
        static void backward(Arch, const T*, const T*, const T*, const T*, const T* gy, T*, T* gx, T*,
                             const T* mask) noexcept {
            if (gx)
                for (std::size_t o = 0; o < In; ++o) gx[o] = gy[o] * mask[o];
        }
    };
};

template <std::size_t Num, std::size_t Den>
inline constexpr bool is_layer_v<dropout<Num, Den>> = true;

template <std::size_t Num, std::size_t Den>
inline constexpr layer_problem layer_problem_v<dropout<Num, Den>> =
    Den == 0 || Num >= Den ? layer_problem::bad_drop_probability : layer_problem::none;

}  // namespace ctnn
