// Loss functions for training: value and gradient with PyTorch's semantics and its default reduction 'mean'.
// Every loss is a struct with static, noexcept, heap-free
//     T    value(const T (&pred)[B][N], const T (&target)[B][N])
//     void gradient(const T (&pred)[B][N], const T (&target)[B][N], T (&grad)[B][N])   // grad = d value / d pred
// for T = float or double (cross_entropy also takes class indices `const std::size_t (&)[B]` as target).
// The gradient is what loss.backward() leaves in pred.grad. Formulas and PyTorch equivalents: docs/losses.md.
#pragma once

#include <cmath>
#include <cstddef>
#include <numbers>
#include <type_traits>

namespace ctnn::loss {

namespace detail {

template <class T, std::size_t B, std::size_t N, std::size_t B2, std::size_t N2>
constexpr void check_shapes() noexcept {
    static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>,
                  "ctnn::loss: the element type must be float or double");
    static_assert(B > 0 && N > 0, "ctnn::loss: the batch and the per-sample size must not be empty");
    static_assert(B == B2 && N == N2,
                  "ctnn::loss: prediction, target and gradient must all have the same [batch][size] shape");
}

// Reduction over a B x N batch: 'mean' divides by every element, 'batchmean' (kl_div only) by the batch.
enum class reduction { mean, batchmean };

template <reduction R, std::size_t B, std::size_t N>
inline constexpr std::size_t divisor = R == reduction::mean ? B * N : B;

// An elementwise loss from its term: Term::f(p, t) (one element's loss), Term::df(p, t) (its d/dp).
template <class Term, reduction R = reduction::mean>
struct elementwise {
    template <class T, std::size_t B, std::size_t N, std::size_t B2, std::size_t N2>
    [[nodiscard]] static T value(const T (&pred)[B][N], const T (&target)[B2][N2]) noexcept {
        check_shapes<T, B, N, B2, N2>();
        T sum = 0;
        for (std::size_t b = 0; b < B; ++b)
            for (std::size_t i = 0; i < N; ++i) sum += Term::f(pred[b][i], target[b][i]);
        return sum / static_cast<T>(divisor<R, B, N>);
    }

    template <class T, std::size_t B, std::size_t N, std::size_t B2, std::size_t N2, std::size_t B3, std::size_t N3>
    static void gradient(const T (&pred)[B][N], const T (&target)[B2][N2], T (&grad)[B3][N3]) noexcept {
        check_shapes<T, B, N, B2, N2>();
        check_shapes<T, B, N, B3, N3>();
        const T scale = T(1) / static_cast<T>(divisor<R, B, N>);
        for (std::size_t b = 0; b < B; ++b)
            for (std::size_t i = 0; i < N; ++i) grad[b][i] = Term::df(pred[b][i], target[b][i]) * scale;
    }
};

struct mse_term {
    template <class T>
    static T f(T p, T t) noexcept { return (p - t) * (p - t); }
    template <class T>
    static T df(T p, T t) noexcept { return T(2) * (p - t); }
};

struct mae_term {
    template <class T>
    static T f(T p, T t) noexcept { return std::abs(p - t); }
    // sign(p - t), 0 at p == t like torch.sign.
    template <class T>
    static T df(T p, T t) noexcept { return p > t ? T(1) : (p < t ? T(-1) : T(0)); }
};

template <unsigned Num, unsigned Den>
struct huber_term {
    template <class T>
    static T f(T p, T t) noexcept {
        constexpr T delta = T(Num) / T(Den);
        const T a = std::abs(p - t);
        return a < delta ? T(0.5) * a * a : delta * (a - T(0.5) * delta);
    }
    template <class T>
    static T df(T p, T t) noexcept {
        constexpr T delta = T(Num) / T(Den);
        const T d = p - t;
        return d < -delta ? -delta : (d > delta ? delta : d);
    }
};

struct bce_term {
    // PyTorch clamps each log at -100, so p = 0 or 1 gives a finite loss.
    template <class T>
    static T f(T p, T t) noexcept {
        const T log_p = std::fmax(std::log(p), T(-100));
        const T log_q = std::fmax(std::log1p(-p), T(-100));
        return -(t * log_p + (T(1) - t) * log_q);
    }
    // PyTorch's backward: (p - t) / max(p (1 - p), eps), eps = the float 1e-12f also in double.
    template <class T>
    static T df(T p, T t) noexcept { return (p - t) / std::fmax((T(1) - p) * p, static_cast<T>(1e-12f)); }
};

template <class T>
T stable_sigmoid(T x) noexcept {
    if (x >= 0) return T(1) / (T(1) + std::exp(-x));
    const T e = std::exp(x);
    return e / (T(1) + e);
}

struct bce_with_logits_term {
    // -(t log s(x) + (1 - t) log(1 - s(x))) = max(x, 0) - x t + log(1 + e^-|x|): no overflow for any x.
    template <class T>
    static T f(T x, T t) noexcept { return std::fmax(x, T(0)) - x * t + std::log1p(std::exp(-std::abs(x))); }
    template <class T>
    static T df(T x, T t) noexcept { return stable_sigmoid(x) - t; }
};

struct hinge_term {
    template <class T>
    static T f(T p, T t) noexcept { return std::fmax(T(0), T(1) - p * t); }
    // The kink p t = 1 gets the zero subgradient.
    template <class T>
    static T df(T p, T t) noexcept { return p * t < T(1) ? -t : T(0); }
};

struct squared_hinge_term {
    template <class T>
    static T f(T p, T t) noexcept {
        const T m = std::fmax(T(0), T(1) - p * t);
        return m * m;
    }
    template <class T>
    static T df(T p, T t) noexcept { return T(-2) * t * std::fmax(T(0), T(1) - p * t); }
};

struct kl_div_term {
    // torch.nn.functional.kl_div(input = log q, target = p): p (log p - log q), 0 where p == 0.
    template <class T>
    static T f(T log_q, T p) noexcept { return (p > T(0) ? p * std::log(p) : T(0)) - p * log_q; }
    template <class T>
    static T df(T, T p) noexcept { return -p; }
};

struct log_cosh_term {
    // log cosh d = |d| + log(1 + e^(-2|d|)) - log 2: no overflow of cosh for large |d|.
    template <class T>
    static T f(T p, T t) noexcept {
        const T a = std::abs(p - t);
        return a + std::log1p(std::exp(T(-2) * a)) - std::numbers::ln2_v<T>;
    }
    template <class T>
    static T df(T p, T t) noexcept { return std::tanh(p - t); }
};

}  // namespace detail

// mean((p - t)^2)                           == torch.nn.functional.mse_loss
struct mse : detail::elementwise<detail::mse_term> {};
// mean(|p - t|)                             == torch.nn.functional.l1_loss
struct mae : detail::elementwise<detail::mae_term> {};
using l1 = mae;
// mean(huber_delta(p - t)), delta = Num/Den == torch.nn.functional.huber_loss(delta=Num/Den)
template <unsigned Num = 1, unsigned Den = 1>
struct huber : detail::elementwise<detail::huber_term<Num, Den>> {
    static_assert(Num != 0 && Den != 0, "ctnn::loss::huber<Num, Den>: delta = Num/Den must be positive");
    static constexpr double delta = static_cast<double>(Num) / Den;
};
// pred = probabilities in [0, 1]          == torch.nn.functional.binary_cross_entropy
struct binary_cross_entropy : detail::elementwise<detail::bce_term> {};
// pred = logits                            == torch.nn.functional.binary_cross_entropy_with_logits
struct binary_cross_entropy_with_logits : detail::elementwise<detail::bce_with_logits_term> {};
// targets in {-1, +1}: mean(max(0, 1 - p t)) (no PyTorch op)
struct hinge : detail::elementwise<detail::hinge_term> {};
// targets in {-1, +1}: mean(max(0, 1 - p t)^2) (no PyTorch op)
struct squared_hinge : detail::elementwise<detail::squared_hinge_term> {};
// pred = log-probabilities, target = probabilities; mean over ALL B*N elements, PyTorch's default 'mean'
// (torch.nn.functional.kl_div(pred, target)); kl_div_batchmean divides by B instead, the true mean KL per sample.
struct kl_div : detail::elementwise<detail::kl_div_term, detail::reduction::mean> {};
struct kl_div_batchmean : detail::elementwise<detail::kl_div_term, detail::reduction::batchmean> {};
// mean(log cosh(p - t)) (no PyTorch op)
struct log_cosh : detail::elementwise<detail::log_cosh_term> {};

// Softmax + cross-entropy over logits [B][C], mean over the batch == torch.nn.functional.cross_entropy.
// Target: class indices [B] (each < C: a precondition, not checked) or probabilities / one-hot [B][C].
struct cross_entropy {
  private:
    // Log-sum-exp of one row as m + log1p(s), s = sum of e^(x_c - m) without the (first) max term: accurate even
    // when the max dominates (then the loss of its class is the tiny log1p(s), not log(1 + s) - 0 rounded to 0).
    template <class T, std::size_t C>
    struct row_lse {
        T max;
        T rest;  // s
        explicit row_lse(const T (&x)[C]) noexcept {
            std::size_t k = 0;
            for (std::size_t c = 1; c < C; ++c)
                if (x[c] > x[k]) k = c;
            max = x[k];
            rest = 0;
            for (std::size_t c = 0; c < C; ++c)
                if (c != k) rest += std::exp(x[c] - max);
        }
        // -log softmax_c = lse - x_c
        T neg_log_softmax(T xc) const noexcept { return (max - xc) + std::log1p(rest); }
        T softmax(T xc) const noexcept { return std::exp(xc - max) / (T(1) + rest); }
    };

    template <class T, std::size_t B, std::size_t C>
    static constexpr void check() noexcept {
        detail::check_shapes<T, B, C, B, C>();
    }

  public:
    template <class T, std::size_t B, std::size_t C, std::size_t B2>
    [[nodiscard]] static T value(const T (&logits)[B][C], const std::size_t (&target)[B2]) noexcept {
        check<T, B, C>();
        static_assert(B == B2, "ctnn::loss::cross_entropy: one class index per sample (target[B] for logits[B][C])");
        T sum = 0;
        for (std::size_t b = 0; b < B; ++b) sum += row_lse<T, C>(logits[b]).neg_log_softmax(logits[b][target[b]]);
        return sum / static_cast<T>(B);
    }

    template <class T, std::size_t B, std::size_t C, std::size_t B2, std::size_t B3, std::size_t C3>
    static void gradient(const T (&logits)[B][C], const std::size_t (&target)[B2], T (&grad)[B3][C3]) noexcept {
        check<T, B, C>();
        static_assert(B == B2, "ctnn::loss::cross_entropy: one class index per sample (target[B] for logits[B][C])");
        detail::check_shapes<T, B, C, B3, C3>();
        const T scale = T(1) / static_cast<T>(B);
        for (std::size_t b = 0; b < B; ++b) {
            const row_lse<T, C> r(logits[b]);
            for (std::size_t c = 0; c < C; ++c)
                grad[b][c] = (r.softmax(logits[b][c]) - (c == target[b] ? T(1) : T(0))) * scale;
        }
    }

    template <class T, std::size_t B, std::size_t C, std::size_t B2, std::size_t C2>
    [[nodiscard]] static T value(const T (&logits)[B][C], const T (&target)[B2][C2]) noexcept {
        check<T, B, C>();
        detail::check_shapes<T, B, C, B2, C2>();
        T sum = 0;
        for (std::size_t b = 0; b < B; ++b) {
            const row_lse<T, C> r(logits[b]);
            for (std::size_t c = 0; c < C; ++c)
                if (target[b][c] != T(0)) sum += target[b][c] * r.neg_log_softmax(logits[b][c]);
        }
        return sum / static_cast<T>(B);
    }

    // softmax * sum(t) - t per row (sum(t) = 1 for a distribution), over B.
    template <class T, std::size_t B, std::size_t C, std::size_t B2, std::size_t C2, std::size_t B3, std::size_t C3>
    static void gradient(const T (&logits)[B][C], const T (&target)[B2][C2], T (&grad)[B3][C3]) noexcept {
        check<T, B, C>();
        detail::check_shapes<T, B, C, B2, C2>();
        detail::check_shapes<T, B, C, B3, C3>();
        const T scale = T(1) / static_cast<T>(B);
        for (std::size_t b = 0; b < B; ++b) {
            const row_lse<T, C> r(logits[b]);
            T mass = 0;
            for (std::size_t c = 0; c < C; ++c) mass += target[b][c];
            for (std::size_t c = 0; c < C; ++c)
                grad[b][c] = (r.softmax(logits[b][c]) * mass - target[b][c]) * scale;
        }
    }
};

}  // namespace ctnn::loss
