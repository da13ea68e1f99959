// expect: ctnn::fit: each extra argument must be a schedule from ctnn/train/schedules.hpp or a callback
// An extra that is neither a schedule nor a callable taking the epoch's record.
#include <ctnn/ctnn.hpp>
#include <ctnn/train/fit.hpp>
#include <ctnn/train/losses.hpp>
#include <ctnn/train/optimizers.hpp>

using Net = ctnn::network<ctnn::input<2>, ctnn::dense<1>>;

void run(Net::parameters<float>& p, const ctnn::data::dataset_for<Net>& train) {
    ctnn::optim::sgd<Net, float> opt;
    ctnn::fit<ctnn::loss::mse>(p, opt, train, nullptr, {}, [](int epoch) { return epoch < 3; });
}
