// What makes a type a layer: a specialization of is_layer_v, and a nested `bind<In>` giving the layer its sizes,
// parameter shape and kernels once the network knows its input size.
//
// A bound layer L (see dense.hpp, dropout.hpp, batch_norm.hpp) has:
//   kind, activation, in_size, out_size, parameter_count (trainable values, as in PyTorch's .parameters());
//   momentum, eps, drop_probability (0 where meaningless);
//   batch_statistics (training mode needs the whole mini-batch: batch_norm), random_draws (per sample in training);
//   shape<T>: stride, weight_rows (rows of `stride` values: dense In, batch_norm 1 = gamma, dropout 0), has_bias,
//             buffer_rows (non-trainable rows after the bias: batch_norm's running mean and variance),
//             extra_rows (workspace rows besides z and y), weight_size = weight_rows * stride, size (the whole block);
//   forward(arch, p, x, z, y)               inference (z may be null);
//   forward(arch, p, x, z, y, extra)        inference keeping in z, y and extra what backward needs;
//   forward_train(arch, p, x, z, y, extra, rng)   training mode for one sample (not for batch_statistics layers);
//   backward(arch, p, x, z, y, gy, g, gx, dz, extra)  one sample, after either of the two above (gx may be null).
//   batch_statistics layers add forward_train_batch and backward_train_batch over a whole mini-batch.
#pragma once

namespace ctnn {

template <class T>
inline constexpr bool is_layer_v = false;

// Why a layer spec cannot be used, decided without instantiating it: a broken spec's own static_assert would
// speak a second time, and clang would go on with an invalid class. Each layer kind specializes it.
enum class layer_problem {
    none,
    zero_size,
    not_an_activation,
    bad_activation_parameter,
    bad_drop_probability,
    bad_batch_norm_parameter,
    batch_norm_not_an_activation
};

template <class L>
inline constexpr layer_problem layer_problem_v = layer_problem::none;

}  // namespace ctnn
