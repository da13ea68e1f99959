// expect: ctnn::fit: the optimizer is for a different network or element type
// Same sizes, different activation: an optimizer sized for Other does not belong to Net.
#include <ctnn/ctnn.hpp>
#include <ctnn/train/fit.hpp>
#include <ctnn/train/losses.hpp>
#include <ctnn/train/optimizers.hpp>

using Net = ctnn::network<ctnn::input<2>, ctnn::dense<4, ctnn::relu>, ctnn::dense<1>>;
using Other = ctnn::network<ctnn::input<2>, ctnn::dense<4, ctnn::tanh>, ctnn::dense<1>>;

void run(Net::parameters<float>& p, const ctnn::data::dataset_for<Net>& train) {
    ctnn::optim::adam<Other, float> opt;
    ctnn::fit<ctnn::loss::mse>(p, opt, train, nullptr, {});
}
