// Early stopping for ctnn::fit: watch a loss once per epoch, stop after `patience` epochs without an improvement
// larger than min_delta, and (restore_best) give back the weights of the best epoch. The counter is a plain value
// (trivially copyable) so a checkpoint can store it; fit keeps the best weights next to it.
#pragma once

#include <cmath>
#include <cstddef>
#include <limits>

namespace ctnn {

struct early_stopping_options {
    std::size_t patience = 0;  // epochs without improvement before stopping; 0 = off
    double min_delta = 0;      // an improvement is a decrease of the monitored loss by more than min_delta
    bool restore_best = true;  // on stop (and at the end of fit), parameters = those of the best epoch
};  // monitors the validation loss, or the training loss when there is no validation data

class early_stopping_state {
  public:
    // Records epoch `epoch`'s monitored loss; true when it improved on the best so far (the first finite loss
    // always does). A NaN loss is never an improvement.
    bool update(double loss, std::size_t epoch, double min_delta) noexcept {
        const bool improved = std::isfinite(loss) && (best_epoch_ == 0 || loss < best_ - min_delta);
        if (improved) {
            best_ = loss;
            best_epoch_ = epoch;
            bad_epochs_ = 0;
        } else {
            ++bad_epochs_;
        }
        return improved;
    }
    // Whether `patience` epochs in a row have not improved (never when patience is 0).
    [[nodiscard]] bool should_stop(std::size_t patience) const noexcept {
        return patience > 0 && bad_epochs_ >= patience;
    }
    [[nodiscard]] double best() const noexcept { return best_; }
    [[nodiscard]] std::size_t best_epoch() const noexcept { return best_epoch_; }  // 1-based; 0: none yet
    [[nodiscard]] std::size_t bad_epochs() const noexcept { return bad_epochs_; }

  private:
    double best_ = std::numeric_limits<double>::infinity();
    std::size_t best_epoch_ = 0;
    std::size_t bad_epochs_ = 0;
};

}  // namespace ctnn
