// What makes a type a layer: a specialization of is_layer_v, and a nested `bind<In>` giving the layer its sizes,
// parameter shape and kernels once the network knows its input size.
#pragma once

namespace ctnn {

template <class T>
inline constexpr bool is_layer_v = false;

// Why a layer spec cannot be used, decided without instantiating it: a broken spec's own static_assert would
// speak a second time, and clang would go on with an invalid class. Each layer kind specializes it.
enum class layer_problem { none, zero_size, not_an_activation, bad_activation_parameter };

template <class L>
inline constexpr layer_problem layer_problem_v = layer_problem::none;

}  // namespace ctnn
