// Dense layer kernels, one overload per architecture family: xsimd batches, and the portable scalar fallback.
//
// Parameter block of a layer with In inputs and Out outputs (stride S = Out rounded up to a cache line):
//   weight: In rows of S values, row i holding W[0..Out)[i] (PyTorch's weight transposed), zero padded;
//   bias:   S values, zero padded.
// A register then holds several outputs: broadcast x[i], multiply-add row i.
// Activation buffers (z, y, gradients) are S long and 64-byte aligned; their padding is kept at zero
// where a later read depends on it.
#pragma once

#include <cstddef>
#include <type_traits>

#include <ctnn/activations.hpp>
#include <ctnn/kernels/simd.hpp>

namespace ctnn::kernels {

template <class T, std::size_t In, std::size_t Out>
struct dense_shape {
    static constexpr std::size_t stride = round_up(Out, row_granule<T>);
    static constexpr std::size_t weight_rows = In;
    static constexpr bool has_bias = true;
    static constexpr std::size_t buffer_rows = 0;
    static constexpr std::size_t extra_rows = 0;
    static constexpr std::size_t weight_size = In * stride;
    static constexpr std::size_t size = weight_size + stride;
};

template <class Arch>
concept simd_arch = !std::is_same_v<Arch, scalar_arch>;

// ---------------------------------------------------------------------------------------------------------------
// softmax over the first Out entries of an S-long buffer, in place; padding becomes 0.

template <class T, std::size_t Out, std::size_t S>
void softmax_inplace(scalar_arch, T* v) noexcept {
    T m = v[0];
    for (std::size_t o = 1; o < Out; ++o) m = v[o] > m ? v[o] : m;
    T sum = 0;
    for (std::size_t o = 0; o < Out; ++o) {
        v[o] = xsimd::exp(v[o] - m);
        sum += v[o];
    }
    const T inv = T(1) / sum;
    for (std::size_t o = 0; o < Out; ++o) v[o] *= inv;
    for (std::size_t o = Out; o < S; ++o) v[o] = 0;
}

template <class T, std::size_t Out, std::size_t S, simd_arch Arch>
void softmax_inplace(Arch, T* v) noexcept {
    using B = xsimd::batch<T, Arch>;
    constexpr std::size_t N = B::size;
    T m = v[0];
    for (std::size_t o = 1; o < Out; ++o) m = v[o] > m ? v[o] : m;
    for (std::size_t o = Out; o < S; ++o) v[o] = m - T(200);  // exp underflows to 0 for the padding
    B sum(T(0));
    for (std::size_t k = 0; k < S; k += N) {
        const B e = xsimd::exp(B::load_aligned(v + k) - B(m));
        e.store_aligned(v + k);
        sum += e;
    }
    const B inv(T(1) / xsimd::hadd(sum));
    for (std::size_t k = 0; k < S; k += N) (B::load_aligned(v + k) * inv).store_aligned(v + k);
    for (std::size_t o = Out; o < S; ++o) v[o] = 0;
}

// ---------------------------------------------------------------------------------------------------------------
// forward: z = W x + b, y = act(z). z may be null (inference); y is an S-long aligned buffer.

template <class Act, class T, std::size_t In, std::size_t Out>
void dense_forward(scalar_arch arch, const T* p, const T* x, T* z, T* y) noexcept {
    using shape = dense_shape<T, In, Out>;
    constexpr std::size_t S = shape::stride;
    const T* w = p;
    const T* b = p + shape::weight_size;
    T acc[Out];
    for (std::size_t o = 0; o < Out; ++o) acc[o] = b[o];
    for (std::size_t i = 0; i < In; ++i)
        for (std::size_t o = 0; o < Out; ++o) acc[o] += w[i * S + o] * x[i];
    if (z)
        for (std::size_t o = 0; o < S; ++o) z[o] = o < Out ? acc[o] : T(0);
    if constexpr (Act::elementwise) {
        for (std::size_t o = 0; o < Out; ++o) y[o] = Act::f(acc[o]);
        for (std::size_t o = Out; o < S; ++o) y[o] = 0;
    } else {
        for (std::size_t o = 0; o < Out; ++o) y[o] = acc[o];
        softmax_inplace<T, Out, S>(arch, y);
    }
}

namespace detail {
// The registers a layer's forward pass uses. On AVX-512, a layer whose outputs fit one AVX-512 register (16 floats,
// 8 doubles) uses AVX2 registers instead. Such a layer is bound by latency, not throughput: on Zen 4 a chain of
// 256-bit operations completes sooner than the same chain at 512 bits (net a of bench/: 50 -> 43 ns), and AVX2
// multiply-adds issue at least as often as AVX-512 ones everywhere. Wider layers keep Arch's full width.
template <class Arch, class T, std::size_t Out>
struct forward_arch {
    using type = Arch;
};
template <class Arch, class T, std::size_t Out>
    requires(std::is_base_of_v<xsimd::avx512f, Arch> && xsimd::fma3<xsimd::avx2>::supported() &&
             Out <= xsimd::batch<T, Arch>::size)
struct forward_arch<Arch, T, Out> {
    using type = xsimd::fma3<xsimd::avx2>;
};

// x * y + z, fused. xsimd 8.1 has no AVX-512 fma kernel: its generic x * y + z is contracted by GCC but not by
// clang, which then issues a multiply and an add (twice the work, another rounding); so call the instruction.
template <class B>
[[gnu::always_inline]] inline B madd(const B& x, const B& y, const B& z) noexcept {
#if XSIMD_WITH_AVX512F
    if constexpr (std::is_base_of_v<xsimd::avx512f, typename B::arch_type>) {
        if constexpr (std::is_same_v<typename B::value_type, float>)
            return _mm512_fmadd_ps(x, y, z);
        else
            return _mm512_fmadd_pd(x, y, z);
    }
#endif
    return xsimd::fma(x, y, z);
}

// The horizontal sums of N = B::size registers as one register: lane j = the sum of row[j]'s lanes. xsimd's haddp,
// except for 16 floats (AVX-512), where xsimd 8.1's haddp gives wrong sums for half the rows: there each row's
// halves are added into 8-lane AVX registers first, whose haddp is right.
template <class B>
[[gnu::always_inline]] inline B sum_rows(const B* row) noexcept {
#if XSIMD_WITH_AVX512F
    if constexpr (std::is_base_of_v<xsimd::avx512f, typename B::arch_type> &&
                  std::is_same_v<typename B::value_type, float>) {
        using H = xsimd::batch<float, xsimd::avx2>;
        H half[16];
        for (std::size_t j = 0; j < 16; ++j) {
            const __m512 r = row[j];
            const __m256 hi = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(r), 1));
            half[j] = H(_mm256_add_ps(_mm512_castps512_ps256(r), hi));
        }
        const __m256 lo8 = xsimd::haddp(half), hi8 = xsimd::haddp(half + 8);
        return B(_mm512_castpd_ps(_mm512_insertf64x4(_mm512_castps_pd(_mm512_castps256_ps512(lo8)),
                                                     _mm256_castps_pd(hi8), 1)));
    }
#endif
    return xsimd::haddp(row);
}

// acc[0] += acc[1] + ... + acc[R - 1], pairwise: log2(R) dependent additions instead of R - 1. A template per
// level, because compilers leave a loop with a doubling step rolled (and the array in memory).
template <std::size_t Step, class B, std::size_t R, std::size_t KN>
[[gnu::always_inline]] inline void tree_sum(B (&acc)[R][KN]) noexcept {
    if constexpr (Step < R) {
#pragma GCC unroll 16
        for (std::size_t r = 0; r + Step < R; r += 2 * Step)
#pragma GCC unroll 16
            for (std::size_t k = 0; k < KN; ++k) acc[r][k] += acc[r + Step][k];
        tree_sum<2 * Step>(acc);
    }
}

// Accumulates output registers [K0, K0 + KN) of a layer over all inputs, with R independent partial sums per
// register so that KN * R multiply-adds are in flight (FMA latency x throughput is about 8); the partial sums
// are then added as a tree, which keeps the dependency chain of small layers short. (More, shorter chains for
// small layers measured no faster: the extra broadcasts and additions cost what the shorter chain saves.)
template <std::size_t K0, std::size_t KN, class B, std::size_t In, std::size_t S, class T>
[[gnu::always_inline]] inline void dense_block(const T* w, const T* b, const T* x, B* out) noexcept {
    constexpr std::size_t N = B::size;
    constexpr std::size_t want = KN >= 8 ? 1 : 8 / KN;
    constexpr std::size_t R = want < In ? want : In;
    const auto row = [&](std::size_t i, std::size_t k) { return B::load_aligned(w + i * S + (K0 + k) * N); };
    B acc[R][KN];
    // Inputs 0..R start the partial sums (the bias joins the first), so no sum starts as a multiply-add with 0.
#pragma GCC unroll 16
    for (std::size_t k = 0; k < KN; ++k) acc[0][k] = madd(B(x[0]), row(0, k), B::load_aligned(b + (K0 + k) * N));
#pragma GCC unroll 16
    for (std::size_t r = 1; r < R; ++r) {
        const B xr(x[r]);
#pragma GCC unroll 16
        for (std::size_t k = 0; k < KN; ++k) acc[r][k] = xr * row(r, k);
    }
    constexpr std::size_t main = In / R * R;
    for (std::size_t i = R; i < main; i += R) {
#pragma GCC unroll 16
        for (std::size_t r = 0; r < R; ++r) {
            const B xi(x[i + r]);
#pragma GCC unroll 16
            for (std::size_t k = 0; k < KN; ++k) acc[r][k] = madd(xi, row(i + r, k), acc[r][k]);
        }
    }
#pragma GCC unroll 16
    for (std::size_t r = 0; r < In - main; ++r) {
        const B xi(x[main + r]);
#pragma GCC unroll 16
        for (std::size_t k = 0; k < KN; ++k) acc[r][k] = madd(xi, row(main + r, k), acc[r][k]);
    }
    tree_sum<1>(acc);
#pragma GCC unroll 16
    for (std::size_t k = 0; k < KN; ++k) out[k] = acc[0][k];
}

template <class Act, class B, std::size_t KN, class T>
[[gnu::always_inline]] inline void store_activated(const B* acc, T* z, T* y) noexcept {
    constexpr std::size_t N = B::size;
#pragma GCC unroll 16
    for (std::size_t k = 0; k < KN; ++k) {
        if (z) acc[k].store_aligned(z + k * N);
        if constexpr (Act::elementwise)
            Act::f(acc[k]).store_aligned(y + k * N);
        else
            acc[k].store_aligned(y + k * N);
    }
}

// Output registers [K0, K) in passes of at most `block` registers: enough accumulators to hide the FMA latency,
// with registers left for the loads and x. A template recursion rather than a lambda fold: clang inlines it.
template <class Act, class B, std::size_t In, std::size_t S, std::size_t K, std::size_t K0, class T>
[[gnu::always_inline]] inline void forward_blocks(const T* w, const T* b, const T* x, T* z, T* y) noexcept {
    constexpr std::size_t block = 8;
    if constexpr (K0 < K) {
        constexpr std::size_t N = B::size;
        constexpr std::size_t KN = K - K0 < block ? K - K0 : block;
        B acc[KN];
        dense_block<K0, KN, B, In, S>(w, b, x, acc);
        store_activated<Act, B, KN>(acc, z ? z + K0 * N : nullptr, y + K0 * N);
        forward_blocks<Act, B, In, S, K, K0 + KN>(w, b, x, z, y);
    }
}
}  // namespace detail

template <class Act, class T, std::size_t In, std::size_t Out, simd_arch Arch>
[[gnu::always_inline]] inline void dense_forward(Arch arch, const T* p, const T* x, T* z, T* y) noexcept {
    using B = xsimd::batch<T, typename detail::forward_arch<Arch, T, Out>::type>;
    using shape = dense_shape<T, In, Out>;
    constexpr std::size_t S = shape::stride;
    constexpr std::size_t N = B::size;
    static_assert(S % N == 0, "a cache-line stride holds a whole number of registers");
    constexpr std::size_t K = (Out + N - 1) / N;  // registers holding outputs; the rest of the stride is padding
    detail::forward_blocks<Act, B, In, S, K, 0>(p, p + shape::weight_size, x, z, y);
#pragma GCC unroll 16
    for (std::size_t k = K * N; k < S; k += N) {
        if (z) B(T(0)).store_aligned(z + k);
        B(T(0)).store_aligned(y + k);
    }
    if constexpr (!Act::elementwise) {
        softmax_inplace<T, Out, S>(arch, y);
    } else if constexpr (Out < K * N) {
        for (std::size_t o = Out; o < K * N; ++o) y[o] = 0;
    }
}

// ---------------------------------------------------------------------------------------------------------------
// backward. Given the layer's input x, its z and y from forward and gy = dL/dy (S long, aligned, zero padded):
// g += dL/dparameters (same layout as p), gx = dL/dx (In values; skipped when null). dz is S-long scratch.

template <class Act, class T, std::size_t Out, std::size_t S, class Arch>
void activation_backward(Arch, const T* z, const T* y, const T* gy, T* dz) noexcept {
    if constexpr (Act::elementwise) {
        if constexpr (std::is_same_v<Arch, scalar_arch>) {
            for (std::size_t o = 0; o < Out; ++o) dz[o] = gy[o] * Act::df(z[o], y[o]);
        } else {
            using B = xsimd::batch<T, Arch>;
            for (std::size_t k = 0; k < S; k += B::size) {
                const B d = B::load_aligned(gy + k) * Act::df(B::load_aligned(z + k), B::load_aligned(y + k));
                d.store_aligned(dz + k);
            }
        }
    } else {
        T dot = 0;
        for (std::size_t o = 0; o < Out; ++o) dot += gy[o] * y[o];
        for (std::size_t o = 0; o < Out; ++o) dz[o] = y[o] * (gy[o] - dot);
    }
    for (std::size_t o = Out; o < S; ++o) dz[o] = 0;
}

template <class Act, class T, std::size_t In, std::size_t Out>
void dense_backward(scalar_arch arch, const T* p, const T* x, const T* z, const T* y, const T* gy, T* g, T* gx,
                    T* dz) noexcept {
    using shape = dense_shape<T, In, Out>;
    constexpr std::size_t S = shape::stride;
    activation_backward<Act, T, Out, S>(arch, z, y, gy, dz);
    T* gb = g + shape::weight_size;
    for (std::size_t o = 0; o < Out; ++o) gb[o] += dz[o];
    for (std::size_t i = 0; i < In; ++i) {
        T* gw = g + i * S;
        const T* w = p + i * S;
        T acc = 0;
        for (std::size_t o = 0; o < Out; ++o) {
            gw[o] += x[i] * dz[o];
            acc += w[o] * dz[o];
        }
        if (gx) gx[i] = acc;
    }
}

template <class Act, class T, std::size_t In, std::size_t Out, simd_arch Arch>
void dense_backward(Arch arch, const T* p, const T* x, const T* z, const T* y, const T* gy, T* g, T* gx,
                    T* dz) noexcept {
    using B = xsimd::batch<T, Arch>;
    using shape = dense_shape<T, In, Out>;
    constexpr std::size_t S = shape::stride;
    constexpr std::size_t N = B::size;
    constexpr std::size_t K = S / N;
    activation_backward<Act, T, Out, S>(arch, z, y, gy, dz);
    T* gb = g + shape::weight_size;
#pragma GCC unroll 16
    for (std::size_t k = 0; k < K; ++k) (B::load_aligned(gb + k * N) + B::load_aligned(dz + k * N)).store_aligned(gb + k * N);
    if (gx == nullptr) {
        for (std::size_t i = 0; i < In; ++i) {
            T* gw = g + i * S;
            const B xi(x[i]);
#pragma GCC unroll 16
            for (std::size_t k = 0; k < K; ++k)
                detail::madd(xi, B::load_aligned(dz + k * N), B::load_aligned(gw + k * N)).store_aligned(gw + k * N);
        }
        return;
    }
    // gx[i] = sum over o of W[o][i] dz[o]: N inputs at a time, their N partial sums reduced together (one
    // transposing reduction instead of N horizontal sums).
    for (std::size_t i0 = 0; i0 < In; i0 += N) {
        const std::size_t n = In - i0 < N ? In - i0 : N;
        B acc[N];
        for (std::size_t j = 0; j < N; ++j) acc[j] = B(T(0));
        for (std::size_t j = 0; j < n; ++j) {
            T* gw = g + (i0 + j) * S;
            const T* w = p + (i0 + j) * S;
            const B xi(x[i0 + j]);
#pragma GCC unroll 16
            for (std::size_t k = 0; k < K; ++k) {
                const B d = B::load_aligned(dz + k * N);
                detail::madd(xi, d, B::load_aligned(gw + k * N)).store_aligned(gw + k * N);
                acc[j] = detail::madd(B::load_aligned(w + k * N), d, acc[j]);
            }
        }
        const B sums = detail::sum_rows(acc);
        if (n == N) {
            sums.store_unaligned(gx + i0);
        } else {
            alignas(B::arch_type::alignment()) T tail[N];
            sums.store_aligned(tail);
            for (std::size_t j = 0; j < n; ++j) gx[i0 + j] = tail[j];
        }
    }
}

}  // namespace ctnn::kernels
