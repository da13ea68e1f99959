// Learning-rate schedules that reproduce torch.optim.lr_scheduler's chainable (recursive) get_lr(), value for value.
//
// Each schedule is a small value type holding the learning rate for the next epoch: construct it with the
// optimizer's starting lr, call step() (reduce_lr_on_plateau: step(metric)) once per epoch after the optimizer's
// steps, then hand lr() to the optimizer. Every ctnn::optim optimizer keeps its lr in `options.lr`, so
//     sched.step();  opt.options.lr = sched.lr();     // or: ctnn::schedule::apply(sched, opt);
// Unlike torch, a schedule keeps its own lr: changing opt.options.lr by hand does not feed back into it.
// No heap, no exceptions; the preconditions torch checks by raising (step_size, T_max >= 1, factor < 1) are the
// caller's. Formulas and defaults: docs/schedules.md.
#ifndef CTNN_TRAIN_SCHEDULES_HPP
#define CTNN_TRAIN_SCHEDULES_HPP

#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>

namespace ctnn::schedule {

// torch.optim.lr_scheduler.StepLR: lr *= gamma every step_size epochs.
class step_lr {
public:
    constexpr step_lr(double lr, std::int64_t step_size, double gamma = 0.1) noexcept
        : lr_(lr), gamma_(gamma), step_size_(step_size) {}

    constexpr double lr() const noexcept { return lr_; }
    constexpr std::int64_t last_epoch() const noexcept { return epoch_; }
    constexpr void step() noexcept {
        ++epoch_;
        if (epoch_ % step_size_ == 0) lr_ = lr_ * gamma_;  // repeated products, as torch (not gamma^k)
    }

private:
    double lr_, gamma_;
    std::int64_t step_size_, epoch_ = 0;
};

// torch.optim.lr_scheduler.ExponentialLR: lr *= gamma every epoch.
class exponential_lr {
public:
    constexpr exponential_lr(double lr, double gamma) noexcept : lr_(lr), gamma_(gamma) {}

    constexpr double lr() const noexcept { return lr_; }
    constexpr std::int64_t last_epoch() const noexcept { return epoch_; }
    constexpr void step() noexcept {
        ++epoch_;
        lr_ = lr_ * gamma_;
    }

private:
    double lr_, gamma_;
    std::int64_t epoch_ = 0;
};

// torch.optim.lr_scheduler.CosineAnnealingLR in its recursive form, which drifts from the closed form
// eta_min + (lr0 - eta_min) (1 + cos(pi t / T_max)) / 2 by rounding and keeps going (back up) past T_max.
class cosine_annealing_lr {
public:
    constexpr cosine_annealing_lr(double lr, std::int64_t t_max, double eta_min = 0) noexcept
        : lr_(lr), base_lr_(lr), eta_min_(eta_min), t_max_(t_max) {}

    constexpr double lr() const noexcept { return lr_; }
    constexpr std::int64_t last_epoch() const noexcept { return epoch_; }
    void step() noexcept {
        ++epoch_;
        constexpr double pi = std::numbers::pi;
        const double t = double(t_max_);
        // epoch_ >= 1, so epoch_ - 1 - T_max > -2 T_max and C++'s % is 0 exactly where Python's is.
        if ((epoch_ - 1 - t_max_) % (2 * t_max_) == 0) {
            // At the cosine's minimum the ratio below would divide by 0; torch adds the first step back instead.
            lr_ = lr_ + (base_lr_ - eta_min_) * (1 - std::cos(pi / t)) / 2;
        } else {
            const double ratio = (1 + std::cos(pi * double(epoch_) / t)) / (1 + std::cos(pi * double(epoch_ - 1) / t));
            lr_ = ratio * (lr_ - eta_min_) + eta_min_;
        }
    }

private:
    double lr_, base_lr_, eta_min_;
    std::int64_t t_max_, epoch_ = 0;
};

// ReduceLROnPlateau: which direction of the metric is an improvement, and how the threshold measures it.
enum class plateau_mode { min, max };
enum class threshold_kind { rel, abs };

// torch.optim.lr_scheduler.ReduceLROnPlateau's arguments and defaults (min_lr: one value for the one lr).
struct plateau_options {
    plateau_mode mode = plateau_mode::min;
    double factor = 0.1;
    std::int64_t patience = 10;
    double threshold = 1e-4;
    threshold_kind threshold_mode = threshold_kind::rel;
    std::int64_t cooldown = 0;
    double min_lr = 0;
    double eps = 1e-8;
};

// torch.optim.lr_scheduler.ReduceLROnPlateau: lr = max(lr * factor, min_lr) after more than `patience` epochs
// without improvement, then `cooldown` epochs that count no bad epochs; a reduction smaller than eps is skipped.
class reduce_lr_on_plateau {
public:
    plateau_options options;

    constexpr explicit reduce_lr_on_plateau(double lr, const plateau_options& o = {}) noexcept
        : options(o), lr_(lr), best_(worst()) {}

    constexpr double lr() const noexcept { return lr_; }
    constexpr std::int64_t last_epoch() const noexcept { return epoch_; }
    constexpr double best() const noexcept { return best_; }
    constexpr std::int64_t num_bad_epochs() const noexcept { return bad_epochs_; }
    constexpr std::int64_t cooldown_counter() const noexcept { return cooldown_counter_; }

    constexpr void step(double metric) noexcept {
        ++epoch_;
        if (is_better(metric)) {
            best_ = metric;
            bad_epochs_ = 0;
        } else {
            ++bad_epochs_;
        }
        if (cooldown_counter_ > 0) {
            --cooldown_counter_;
            bad_epochs_ = 0;
        }
        if (bad_epochs_ > options.patience) {
            const double reduced = lr_ * options.factor;
            const double next = options.min_lr > reduced ? options.min_lr : reduced;  // Python's max(reduced, min_lr)
            if (lr_ - next > options.eps) lr_ = next;
            cooldown_counter_ = options.cooldown;
            bad_epochs_ = 0;
        }
    }

private:
    constexpr double worst() const noexcept {
        constexpr double inf = std::numeric_limits<double>::infinity();
        return options.mode == plateau_mode::min ? inf : -inf;
    }
    constexpr bool is_better(double a) const noexcept {
        const bool rel = options.threshold_mode == threshold_kind::rel;
        if (options.mode == plateau_mode::min)
            return rel ? a < best_ * (1. - options.threshold) : a < best_ - options.threshold;
        return rel ? a > best_ * (options.threshold + 1.) : a > best_ + options.threshold;
    }

    double lr_, best_;
    std::int64_t epoch_ = 0, bad_epochs_ = 0, cooldown_counter_ = 0;
};

// Sets an optimizer's learning rate (every ctnn::optim optimizer holds it in options.lr) to the schedule's.
template <class Schedule, class Optimizer>
    requires requires(Optimizer& o, const Schedule& s) { o.options.lr = s.lr(); }
constexpr void apply(const Schedule& schedule, Optimizer& optimizer) noexcept {
    optimizer.options.lr = schedule.lr();
}

}  // namespace ctnn::schedule

#endif  // CTNN_TRAIN_SCHEDULES_HPP
