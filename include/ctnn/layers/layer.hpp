// What makes a type a layer: a specialization of is_layer_v, and a nested `bind<In>` giving the layer its sizes,
// parameter shape and kernels once the network knows its input size.
#pragma once

namespace ctnn {

template <class T>
inline constexpr bool is_layer_v = false;

}  // namespace ctnn
