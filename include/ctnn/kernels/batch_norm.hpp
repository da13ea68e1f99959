// Batch normalization kernels (scalar: per-feature work that compilers vectorize well enough).
//
// Parameter block, S = the layer's stride: gamma[S], beta[S], running_mean[S], running_var[S] (the last two are
// buffers: never trained). Workspace rows besides z and y ("extra"): xhat[S] (the normalized input) and
// inv_std[S] (1 / sqrt(var + eps) of the statistics used), which backward reads.
#pragma once

#include <cmath>
#include <cstddef>

#include <ctnn/kernels/dense.hpp>

namespace ctnn::kernels {

// y (holding z in [0, N)) = act(z), padding 0.
template <class Act, class T, std::size_t N, std::size_t S>
void batch_norm_activate(T* y) noexcept {
    if constexpr (Act::elementwise) {
        for (std::size_t o = 0; o < N; ++o) y[o] = Act::f(y[o]);
        for (std::size_t o = N; o < S; ++o) y[o] = 0;
    } else {
        softmax_inplace<T, N, S>(scalar_arch{}, y);
    }
}

// Inference: normalize with the running statistics. z and extra may be null.
template <class Act, class T, std::size_t N, std::size_t S>
void batch_norm_forward(const T* p, const T* x, T* z, T* y, T* extra, T eps) noexcept {
    const T* gamma = p;
    const T* beta = p + S;
    const T* mean = p + 2 * S;
    const T* var = p + 3 * S;
    for (std::size_t o = 0; o < S; ++o) {
        T xh = 0, inv = 0, zz = 0;
        if (o < N) {
            inv = T(1) / std::sqrt(var[o] + eps);
            xh = (x[o] - mean[o]) * inv;
            zz = gamma[o] * xh + beta[o];
        }
        if (extra) {
            extra[o] = xh;
            extra[S + o] = inv;
        }
        if (z) z[o] = zz;
        y[o] = zz;
    }
    batch_norm_activate<Act, T, N, S>(y);
}

// Training on a mini-batch of n samples, ws(b) = sample b's workspace (input at x_off, rows at z_off, y_off,
// extra_off). Biased batch variance for the normalization; the running statistics (block `running`, null: left
// alone) move by momentum towards the batch mean and the unbiased batch variance, as torch.nn.BatchNorm1d does.
// Sums in double (as PyTorch's CPU kernels). n == 1 has no variance: the sample is normalized with the running
// statistics (inference), and they are not updated.
template <class Act, class T, std::size_t N, std::size_t S, class Ws>
void batch_norm_forward_train(const T* p, Ws ws, std::size_t n, std::size_t x_off, std::size_t z_off,
                              std::size_t y_off, std::size_t extra_off, double eps, double momentum,
                              T* running) noexcept {
    if (n == 0) return;
    if (n == 1) {
        T* w = ws(0);
        batch_norm_forward<Act, T, N, S>(p, w + x_off, w + z_off, w + y_off, w + extra_off, static_cast<T>(eps));
        return;
    }
    const T* gamma = p;
    const T* beta = p + S;
    for (std::size_t o = 0; o < S; ++o) {
        if (o >= N) {
            for (std::size_t b = 0; b < n; ++b) {
                T* w = ws(b);
                w[z_off + o] = w[y_off + o] = w[extra_off + o] = w[extra_off + S + o] = 0;
            }
            continue;
        }
        double sum = 0;
        for (std::size_t b = 0; b < n; ++b) sum += double(ws(b)[x_off + o]);
        const double mean = sum / double(n);
        double sq = 0;
        for (std::size_t b = 0; b < n; ++b) {
            const double d = double(ws(b)[x_off + o]) - mean;
            sq += d * d;
        }
        const double var = sq / double(n);
        const double inv = 1.0 / std::sqrt(var + eps);
        for (std::size_t b = 0; b < n; ++b) {
            T* w = ws(b);
            const T xh = static_cast<T>((double(w[x_off + o]) - mean) * inv);
            w[extra_off + o] = xh;
            w[extra_off + S + o] = static_cast<T>(inv);
            w[z_off + o] = w[y_off + o] = gamma[o] * xh + beta[o];
        }
        if (running) {
            T* rm = running + 2 * S;
            T* rv = running + 3 * S;
            rm[o] = static_cast<T>((1.0 - momentum) * double(rm[o]) + momentum * mean);
            rv[o] = static_cast<T>((1.0 - momentum) * double(rv[o]) + momentum * (sq / double(n - 1)));
        }
    }
    for (std::size_t b = 0; b < n; ++b) batch_norm_activate<Act, T, N, S>(ws(b) + y_off);
}

// One sample, statistics held constant (after batch_norm_forward, or a training batch of 1).
template <class Act, class T, std::size_t N, std::size_t S>
void batch_norm_backward(const T* p, const T* z, const T* y, const T* gy, T* g, T* gx, T* dz,
                         const T* extra) noexcept {
    activation_backward<Act, T, N, S>(scalar_arch{}, z, y, gy, dz);
    for (std::size_t o = 0; o < N; ++o) {
        g[o] += dz[o] * extra[o];
        g[S + o] += dz[o];
        if (gx) gx[o] = dz[o] * p[o] * extra[S + o];
    }
}

// The mini-batch (n > 1) after batch_norm_forward_train: gradients flow through the batch mean and variance.
// dxhat_b = gamma dz_b; dx_b = inv_std / n (n dxhat_b - sum dxhat - xhat_b sum(dxhat xhat)). gx_off == npos: no dx.
template <class Act, class T, std::size_t N, std::size_t S, class Ws>
void batch_norm_backward_train(const T* p, T* g, Ws ws, std::size_t n, std::size_t z_off, std::size_t y_off,
                               std::size_t gy_off, std::size_t gx_off, std::size_t dz_off,
                               std::size_t extra_off) noexcept {
    constexpr std::size_t npos = ~std::size_t{0};
    for (std::size_t b = 0; b < n; ++b) {
        T* w = ws(b);
        activation_backward<Act, T, N, S>(scalar_arch{}, w + z_off, w + y_off, w + gy_off, w + dz_off);
    }
    for (std::size_t o = 0; o < N; ++o) {
        double sdz = 0, sdzx = 0;
        for (std::size_t b = 0; b < n; ++b) {
            const T* w = ws(b);
            sdz += double(w[dz_off + o]);
            sdzx += double(w[dz_off + o]) * double(w[extra_off + o]);
        }
        g[o] += static_cast<T>(sdzx);
        g[S + o] += static_cast<T>(sdz);
        if (gx_off == npos) continue;
        const double gamma = double(p[o]);
        const double dn = double(n);
        for (std::size_t b = 0; b < n; ++b) {
            T* w = ws(b);
            const double inv = double(w[extra_off + S + o]);
            const double dxh = gamma * double(w[dz_off + o]);
            const double xh = double(w[extra_off + o]);
            w[gx_off + o] = static_cast<T>(inv / dn * (dn * dxh - gamma * sdz - xh * gamma * sdzx));
        }
    }
}

}  // namespace ctnn::kernels
