// The first element of every network: the size of one input sample.
#pragma once

#include <cstddef>

namespace ctnn {

template <std::size_t N>
struct input {
    static_assert(N >= 1, "ctnn::input<N>: N (the number of inputs) must be at least 1");
    static constexpr std::size_t size = N;
};

template <class T>
inline constexpr bool is_input_v = false;
template <std::size_t N>
inline constexpr bool is_input_v<input<N>> = true;

// input<N>'s N, read without instantiating input<N> (whose own check would fire again).
template <class T>
inline constexpr std::size_t input_size_v = 0;
template <std::size_t N>
inline constexpr std::size_t input_size_v<input<N>> = N;

}  // namespace ctnn
