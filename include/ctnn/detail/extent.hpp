// Compile-time size and element type of the argument kinds the API accepts: C arrays, std::array, std::span.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <type_traits>

namespace ctnn::detail {

template <class X>
struct static_extent {
    static constexpr bool known = false;
    static constexpr std::size_t value = 0;
    using element_type = void;
};
template <class T, std::size_t N>
struct static_extent<T[N]> {
    static constexpr bool known = true;
    static constexpr std::size_t value = N;
    using element_type = T;
};
template <class T, std::size_t N>
struct static_extent<std::array<T, N>> : static_extent<T[N]> {};
template <class T, std::size_t N>
    requires(N != std::dynamic_extent)
struct static_extent<std::span<T, N>> : static_extent<std::remove_cv_t<T>[N]> {};

template <class X>
using extent_of = static_extent<std::remove_cvref_t<X>>;

}  // namespace ctnn::detail
