// Optimizers that reproduce torch.optim's single-tensor (foreach=False) updates, operation for operation.
//
// basic_<name><T, N> updates a flat array of N values (std::span<T, N>, so std::array<T, N> and T[N] work too);
// <name><Net, T> is the same optimizer sized for Net::parameters<T>: it updates only the real weights and biases,
// so the zero padding of the parameter buffer stays exactly 0 whatever the gradients' padding holds.
// Every optimizer keeps its state in fixed-size std::array members (no heap) and counts its steps; like
// PyTorch, the hyperparameters are doubles and each update casts them to T where torch would.
// SGD and the Adam family turn their options into template arguments before the loop, so that it vectorizes.
// Formulas and defaults: docs/optimizers.md.
#ifndef CTNN_TRAIN_OPTIMIZERS_HPP
#define CTNN_TRAIN_OPTIMIZERS_HPP

#include <ctnn/network.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>
#include <utility>

namespace ctnn::optim {

namespace detail {

// Steps a flat optimizer Base on the real (non-padding) ranges of Net's parameter buffer.
template <class Net, class T, class Base>
class network_optimizer : public Base {
public:
    using Base::Base;
    using Base::step;
    using network_type = Net;

    void step(ctnn::parameters<Net, T>& params, const ctnn::parameters<Net, T>& grads) noexcept {
        this->begin_step();
        // Trainable values only: batch_norm's running statistics (buffers) and the padding are never stepped.
        // Unrolled over the ranges so that each one's bounds are constants (a run of one value is one update);
        // a loop when there are so many that unrolling would only bloat the code.
        constexpr auto& ranges = Net::template trainable_ranges<T>;
        if constexpr (ranges.size() <= 64) {
            [&]<std::size_t... R>(std::index_sequence<R...>) {
                (this->update(params.data, grads.data, ranges[R].begin, ranges[R].end), ...);
            }(std::make_index_sequence<ranges.size()>{});
        } else {
            for (const ctnn::index_range& r : ranges) this->update(params.data, grads.data, r.begin, r.end);
        }
    }
};

// Square roots of v[0, n) in place, in SIMD registers where the target has them. A loop around std::sqrt does not
// vectorize (std::sqrt may set errno); sqrt is correctly rounded in both forms, so the results are the same bits.
template <class T>
inline void sqrt_in_place(T* v, std::size_t n) noexcept {
    std::size_t k = 0;
    if constexpr (!std::is_same_v<default_arch, scalar_arch>) {
        using batch = xsimd::batch<T, default_arch>;
        for (; k + batch::size <= n; k += batch::size) xsimd::sqrt(batch::load_unaligned(v + k)).store_unaligned(v + k);
    }
    for (; k < n; ++k) v[k] = std::sqrt(v[k]);
}

// Optimizers that need square roots update chunks of this many values: one loop that vectorizes up to the
// square roots, sqrt_in_place on the chunk, one loop after them.
inline constexpr std::size_t sqrt_chunk = 128;

// step() on a whole flat array: one step of every element.
template <class Derived, class T, std::size_t N>
class flat_optimizer {
public:
    using value_type = T;
    static constexpr std::size_t size = N;

    void step(std::span<T, N> params, std::span<const T, N> grads) noexcept {
        auto& self = static_cast<Derived&>(*this);
        self.begin_step();
        self.update(params.data(), grads.data(), 0, N);
    }
    std::int64_t step_count() const noexcept { return steps_; }

protected:
    std::int64_t steps_ = 0;
};

}  // namespace detail

// ---------------------------------------------------------------------------------------------------- SGD
struct sgd_options {
    double lr = 1e-3;  // torch.optim.SGD has no default lr; this one is only a starting point
    double momentum = 0;
    double dampening = 0;
    double weight_decay = 0;
    bool nesterov = false;
};

template <class T, std::size_t N>
class basic_sgd : public detail::flat_optimizer<basic_sgd<T, N>, T, N> {
public:
    sgd_options options;

    constexpr basic_sgd() noexcept = default;
    constexpr explicit basic_sgd(const sgd_options& o) noexcept : options(o) {}

    void begin_step() noexcept { ++this->steps_; }
    // The options pick one branch-free loop (so that it vectorizes); every loop computes what torch does.
    void update(T* p, const T* g, std::size_t begin, std::size_t end) noexcept {
        const bool wd = options.weight_decay != 0;
        if (options.momentum == 0) {
            wd ? run<true, false, false, false>(p, g, begin, end) : run<false, false, false, false>(p, g, begin, end);
            return;
        }
        const bool first = this->steps_ == 1;  // torch starts the momentum buffer as a copy of d_p
        const auto with = [&]<bool WD>(std::bool_constant<WD>) {
            if (options.nesterov)
                first ? run<WD, true, true, true>(p, g, begin, end) : run<WD, true, true, false>(p, g, begin, end);
            else
                first ? run<WD, true, false, true>(p, g, begin, end) : run<WD, true, false, false>(p, g, begin, end);
        };
        wd ? with(std::true_type{}) : with(std::false_type{});
    }

private:
    template <bool WeightDecay, bool Momentum, bool Nesterov, bool First>
    void run(T* p, const T* g, std::size_t begin, std::size_t end) noexcept {
        const T wd = T(options.weight_decay), mom = T(options.momentum), keep = T(1 - options.dampening);
        const T neg_lr = T(-options.lr);
        T* __restrict buf = momentum_buffer_.data();
#if defined(__clang__)
#pragma clang loop interleave_count(1)  // rows are short: clang's default 4 registers per iteration leaves them scalar
#endif
        for (std::size_t i = begin; i < end; ++i) {
            T d = g[i];
            if constexpr (WeightDecay) d = d + wd * p[i];
            if constexpr (Momentum) {
                if constexpr (First)
                    buf[i] = d;
                else
                    buf[i] = buf[i] * mom + keep * d;
                if constexpr (Nesterov)
                    d = d + mom * buf[i];
                else
                    d = buf[i];
            }
            p[i] = p[i] + neg_lr * d;
        }
    }

    std::array<T, N> momentum_buffer_{};
};

template <class Net, class T>
using sgd = detail::network_optimizer<Net, T, basic_sgd<T, Net::template storage_size<T>>>;

// --------------------------------------------------------------------------------------------- Adam, AdamW
struct adam_options {
    double lr = 1e-3;
    double beta1 = 0.9;
    double beta2 = 0.999;
    double eps = 1e-8;
    double weight_decay = 0;
    bool amsgrad = false;
};

// The same members as adam_options; only weight_decay's default differs, as in torch.optim.AdamW.
struct adamw_options {
    double lr = 1e-3;
    double beta1 = 0.9;
    double beta2 = 0.999;
    double eps = 1e-8;
    double weight_decay = 1e-2;
    bool amsgrad = false;
};

// Decoupled = false: torch.optim.Adam (L2 term added to the gradient); true: torch.optim.AdamW (the parameter
// is scaled by 1 - lr * weight_decay first). Everything else is the same code in PyTorch.
template <class T, std::size_t N, class Options, bool Decoupled>
class basic_adam_family : public detail::flat_optimizer<basic_adam_family<T, N, Options, Decoupled>, T, N> {
public:
    Options options;

    constexpr basic_adam_family() noexcept = default;
    constexpr explicit basic_adam_family(const Options& o) noexcept : options(o) {}

    void begin_step() noexcept {
        ++this->steps_;
        const double step = double(this->steps_);
        step_size_ = options.lr / (1 - std::pow(options.beta1, step));
        bias_correction2_sqrt_ = std::sqrt(1 - std::pow(options.beta2, step));
    }
    void update(T* p, const T* g, std::size_t begin, std::size_t end) noexcept {
        const bool wd = !Decoupled && options.weight_decay != 0;
        if (options.amsgrad)
            wd ? run<true, true>(p, g, begin, end) : run<false, true>(p, g, begin, end);
        else
            wd ? run<true, false>(p, g, begin, end) : run<false, false>(p, g, begin, end);
    }

private:
    // The options as template arguments, so that the loops have no branches and vectorize (see sqrt_chunk).
    template <bool WeightDecay, bool Amsgrad>
    void run(T* p, const T* g, std::size_t begin, std::size_t end) noexcept {
        const T wd = T(options.weight_decay), decay = T(1 - options.lr * options.weight_decay);
        const T b1 = T(options.beta1), b2 = T(options.beta2), k1 = T(1 - options.beta1), k2 = T(1 - options.beta2);
        const T eps = T(options.eps), bc2 = T(bias_correction2_sqrt_), neg_step = T(-step_size_);
        T* __restrict m = exp_avg_.data();
        T* __restrict v = exp_avg_sq_.data();
        T* __restrict vmax = max_exp_avg_sq_.data();
        alignas(64) T root[detail::sqrt_chunk];
        for (std::size_t c = begin; c < end; c += detail::sqrt_chunk) {
            const std::size_t n = std::min(detail::sqrt_chunk, end - c);
            for (std::size_t k = 0; k < n; ++k) {
                const std::size_t i = c + k;
                T grad = g[i];
                if constexpr (WeightDecay) grad = grad + wd * p[i];
                m[i] = m[i] * b1 + k1 * grad;
                v[i] = v[i] * b2 + k2 * grad * grad;
                if constexpr (Amsgrad) {
                    vmax[i] = std::max(vmax[i], v[i]);
                    root[k] = vmax[i];
                } else {
                    root[k] = v[i];
                }
            }
            detail::sqrt_in_place(root, n);
            for (std::size_t k = 0; k < n; ++k) {
                const std::size_t i = c + k;
                const T denom = root[k] / bc2 + eps;
                // Scaled here, next to the update, as in one torch-order pass (a compiler may fuse the two).
                if constexpr (Decoupled) p[i] = p[i] * decay;
                p[i] = p[i] + neg_step * m[i] / denom;
            }
        }
    }

    double step_size_ = 0, bias_correction2_sqrt_ = 1;
    std::array<T, N> exp_avg_{}, exp_avg_sq_{}, max_exp_avg_sq_{};
};

template <class T, std::size_t N>
using basic_adam = basic_adam_family<T, N, adam_options, false>;
template <class T, std::size_t N>
using basic_adamw = basic_adam_family<T, N, adamw_options, true>;
template <class Net, class T>
using adam = detail::network_optimizer<Net, T, basic_adam<T, Net::template storage_size<T>>>;
template <class Net, class T>
using adamw = detail::network_optimizer<Net, T, basic_adamw<T, Net::template storage_size<T>>>;

// ------------------------------------------------------------------------------------------------ RMSprop
struct rmsprop_options {
    double lr = 1e-2;
    double alpha = 0.99;
    double eps = 1e-8;
    double weight_decay = 0;
    double momentum = 0;
    bool centered = false;
};

template <class T, std::size_t N>
class basic_rmsprop : public detail::flat_optimizer<basic_rmsprop<T, N>, T, N> {
public:
    rmsprop_options options;

    constexpr basic_rmsprop() noexcept = default;
    constexpr explicit basic_rmsprop(const rmsprop_options& o) noexcept : options(o) {}

    void begin_step() noexcept { ++this->steps_; }
    void update(T* p, const T* g, std::size_t begin, std::size_t end) noexcept {
        const T wd = T(options.weight_decay), a = T(options.alpha), k = T(1 - options.alpha);
        const T eps = T(options.eps), mom = T(options.momentum), neg_lr = T(-options.lr);
        for (std::size_t i = begin; i < end; ++i) {
            T grad = g[i];
            if (options.weight_decay != 0) grad = grad + wd * p[i];
            T& sq = square_avg_[i];
            sq = sq * a + k * grad * grad;
            T avg;
            if (options.centered) {
                T& ga = grad_avg_[i];
                ga = ga * a + k * grad;
                avg = std::sqrt(sq + T(-1) * ga * ga);
            } else {
                avg = std::sqrt(sq);
            }
            avg = avg + eps;
            if (options.momentum > 0) {
                T& buf = momentum_buffer_[i];
                buf = buf * mom + grad / avg;
                p[i] = p[i] + neg_lr * buf;
            } else {
                p[i] = p[i] + neg_lr * grad / avg;
            }
        }
    }

private:
    std::array<T, N> square_avg_{}, grad_avg_{}, momentum_buffer_{};
};

template <class Net, class T>
using rmsprop = detail::network_optimizer<Net, T, basic_rmsprop<T, Net::template storage_size<T>>>;

// ------------------------------------------------------------------------------------------------ Adagrad
struct adagrad_options {
    double lr = 1e-2;
    double lr_decay = 0;
    double weight_decay = 0;
    double initial_accumulator_value = 0;
    double eps = 1e-10;
};

template <class T, std::size_t N>
class basic_adagrad : public detail::flat_optimizer<basic_adagrad<T, N>, T, N> {
public:
    adagrad_options options;

    basic_adagrad() noexcept { state_sum_.fill(T(options.initial_accumulator_value)); }
    explicit basic_adagrad(const adagrad_options& o) noexcept : options(o) {
        state_sum_.fill(T(options.initial_accumulator_value));
    }

    void begin_step() noexcept {
        ++this->steps_;
        clr_ = options.lr / (1 + double(this->steps_ - 1) * options.lr_decay);
    }
    void update(T* p, const T* g, std::size_t begin, std::size_t end) noexcept {
        const T wd = T(options.weight_decay), eps = T(options.eps), neg_clr = T(-clr_);
        for (std::size_t i = begin; i < end; ++i) {
            T grad = g[i];
            if (options.weight_decay != 0) grad = grad + wd * p[i];
            T& s = state_sum_[i];
            s = s + T(1) * grad * grad;
            const T std_dev = std::sqrt(s) + eps;
            p[i] = p[i] + neg_clr * grad / std_dev;
        }
    }

private:
    double clr_ = 0;
    std::array<T, N> state_sum_{};
};

template <class Net, class T>
using adagrad = detail::network_optimizer<Net, T, basic_adagrad<T, Net::template storage_size<T>>>;

// ------------------------------------------------------------------------------------------------- Adamax
struct adamax_options {
    double lr = 2e-3;
    double beta1 = 0.9;
    double beta2 = 0.999;
    double eps = 1e-8;
    double weight_decay = 0;
};

template <class T, std::size_t N>
class basic_adamax : public detail::flat_optimizer<basic_adamax<T, N>, T, N> {
public:
    adamax_options options;

    constexpr basic_adamax() noexcept = default;
    constexpr explicit basic_adamax(const adamax_options& o) noexcept : options(o) {}

    void begin_step() noexcept {
        ++this->steps_;
        clr_ = options.lr / (1 - std::pow(options.beta1, double(this->steps_)));
    }
    void update(T* p, const T* g, std::size_t begin, std::size_t end) noexcept {
        const T wd = T(options.weight_decay), b1 = T(options.beta1), k1 = T(1 - options.beta1);
        const T b2 = T(options.beta2), eps = T(options.eps), neg_clr = T(-clr_);
        for (std::size_t i = begin; i < end; ++i) {
            T grad = g[i];
            if (options.weight_decay != 0) grad = grad + wd * p[i];
            T& m = exp_avg_[i];
            T& u = exp_inf_[i];
            m = m * b1 + k1 * grad;
            u = std::max(u * b2, std::abs(grad) + eps);
            p[i] = p[i] + neg_clr * m / u;
        }
    }

private:
    double clr_ = 0;
    std::array<T, N> exp_avg_{}, exp_inf_{};
};

template <class Net, class T>
using adamax = detail::network_optimizer<Net, T, basic_adamax<T, Net::template storage_size<T>>>;

// -------------------------------------------------------------------------------------------------- NAdam
struct nadam_options {
    double lr = 2e-3;
    double beta1 = 0.9;
    double beta2 = 0.999;
    double eps = 1e-8;
    double weight_decay = 0;
    double momentum_decay = 4e-3;
};

template <class T, std::size_t N>
class basic_nadam : public detail::flat_optimizer<basic_nadam<T, N>, T, N> {
public:
    nadam_options options;

    constexpr basic_nadam() noexcept = default;
    constexpr explicit basic_nadam(const nadam_options& o) noexcept : options(o) {}

    void begin_step() noexcept {
        ++this->steps_;
        const double step = double(this->steps_);
        bias_correction2_ = 1 - std::pow(options.beta2, step);
        mu_ = options.beta1 * (1. - 0.5 * std::pow(0.96, step * options.momentum_decay));
        const double mu_next = options.beta1 * (1. - 0.5 * std::pow(0.96, (step + 1) * options.momentum_decay));
        // torch keeps mu_product in a float32 tensor (torch.tensor(1.)), whatever the parameters' type.
        mu_product_ = mu_product_ * float(mu_);
        const float mu_product_next = mu_product_ * float(mu_) * float(mu_next);
        grad_coef_ = -options.lr * (1. - mu_) / (1. - double(mu_product_));
        avg_coef_ = -options.lr * mu_next / (1. - double(mu_product_next));
    }
    void update(T* p, const T* g, std::size_t begin, std::size_t end) noexcept {
        const T wd = T(options.weight_decay), b1 = T(options.beta1), k1 = T(1 - options.beta1);
        const T b2 = T(options.beta2), k2 = T(1 - options.beta2), eps = T(options.eps);
        const T bc2 = T(bias_correction2_), cg = T(grad_coef_), ca = T(avg_coef_);
        for (std::size_t i = begin; i < end; ++i) {
            T grad = g[i];
            if (options.weight_decay != 0) grad = grad + wd * p[i];
            T& m = exp_avg_[i];
            T& v = exp_avg_sq_[i];
            m = m * b1 + k1 * grad;
            v = v * b2 + k2 * grad * grad;
            const T denom = std::sqrt(v / bc2) + eps;
            p[i] = p[i] + cg * grad / denom;
            p[i] = p[i] + ca * m / denom;
        }
    }

private:
    double bias_correction2_ = 1, mu_ = 0, grad_coef_ = 0, avg_coef_ = 0;
    float mu_product_ = 1;
    std::array<T, N> exp_avg_{}, exp_avg_sq_{};
};

template <class Net, class T>
using nadam = detail::network_optimizer<Net, T, basic_nadam<T, Net::template storage_size<T>>>;

// ----------------------------------------------------------------------------------------------- Adadelta
struct adadelta_options {
    double lr = 1.0;
    double rho = 0.9;
    double eps = 1e-6;
    double weight_decay = 0;
};

template <class T, std::size_t N>
class basic_adadelta : public detail::flat_optimizer<basic_adadelta<T, N>, T, N> {
public:
    adadelta_options options;

    constexpr basic_adadelta() noexcept = default;
    constexpr explicit basic_adadelta(const adadelta_options& o) noexcept : options(o) {}

    void begin_step() noexcept { ++this->steps_; }
    void update(T* p, const T* g, std::size_t begin, std::size_t end) noexcept {
        const T wd = T(options.weight_decay), rho = T(options.rho), k = T(1 - options.rho);
        const T eps = T(options.eps), neg_lr = T(-options.lr);
        for (std::size_t i = begin; i < end; ++i) {
            T grad = g[i];
            if (options.weight_decay != 0) grad = grad + wd * p[i];
            T& sq = square_avg_[i];
            T& acc = acc_delta_[i];
            sq = sq * rho + k * grad * grad;
            const T std_dev = std::sqrt(sq + eps);
            const T delta = std::sqrt(acc + eps) / std_dev * grad;
            acc = acc * rho + k * delta * delta;
            p[i] = p[i] + neg_lr * delta;
        }
    }

private:
    std::array<T, N> square_avg_{}, acc_delta_{};
};

template <class Net, class T>
using adadelta = detail::network_optimizer<Net, T, basic_adadelta<T, Net::template storage_size<T>>>;

}  // namespace ctnn::optim

#endif  // CTNN_TRAIN_OPTIMIZERS_HPP
