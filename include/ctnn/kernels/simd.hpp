// Architecture selection and the few helpers that make one source serve scalars and xsimd batches.
#pragma once

#include <cstddef>
#include <type_traits>

// GCC 12 reports its own AVX-512 intrinsics' undefined-value idiom as uninitialized (GCC PR 105593);
// the pragma holds for the lines of the intrinsic headers that xsimd includes here.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <xsimd/xsimd.hpp>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

namespace ctnn {

// Tag for the portable kernels; always available, also where xsimd finds no SIMD unit.
struct scalar_arch {
    static constexpr const char* name() noexcept { return "scalar"; }
};

// The architecture the library's kernels use by default: xsimd's best for the compile flags.
using default_arch = std::conditional_t<xsimd::default_arch::supported(), xsimd::default_arch, scalar_arch>;

// Every row of a layer's parameters starts on a cache line: the layout is the same on every target.
inline constexpr std::size_t row_alignment = 64;

template <class T>
inline constexpr std::size_t row_granule = row_alignment / sizeof(T);

constexpr std::size_t round_up(std::size_t n, std::size_t granule) noexcept {
    return (n + granule - 1) / granule * granule;
}

namespace simd {

template <class V>
struct scalar_of {
    using type = V;
};
template <class T, class A>
struct scalar_of<xsimd::batch<T, A>> {
    using type = T;
};
template <class V>
using scalar_t = typename scalar_of<V>::type;

// A compile-time constant as a V (a scalar, or a batch with every lane set).
template <class V>
constexpr V constant(double c) noexcept {
    return V(static_cast<scalar_t<V>>(c));
}

template <class T>
    requires std::is_floating_point_v<T>
constexpr T select(bool c, T a, T b) noexcept {
    return c ? a : b;
}
using xsimd::select;

template <class T>
    requires std::is_floating_point_v<T>
constexpr T hsum(T v) noexcept {
    return v;
}
template <class T, class A>
T hsum(const xsimd::batch<T, A>& v) noexcept {
    return xsimd::hadd(v);
}

// Lanes of type T that one register of Arch holds.
template <class T, class Arch>
struct lanes : std::integral_constant<std::size_t, xsimd::batch<T, Arch>::size> {};
template <class T>
struct lanes<T, scalar_arch> : std::integral_constant<std::size_t, 1> {};
template <class T, class Arch>
inline constexpr std::size_t lanes_v = lanes<T, Arch>::value;

}  // namespace simd
}  // namespace ctnn
