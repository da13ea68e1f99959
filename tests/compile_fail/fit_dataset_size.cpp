// expect: ctnn::fit: the dataset's input size (In) differs from the network's input_size
#include <ctnn/ctnn.hpp>
#include <ctnn/train/fit.hpp>
#include <ctnn/train/losses.hpp>
#include <ctnn/train/optimizers.hpp>

using Net = ctnn::network<ctnn::input<2>, ctnn::dense<1>>;

void run(Net::parameters<float>& p, const ctnn::data::dataset<3, 1>& train) {
    ctnn::optim::sgd<Net, float> opt;
    ctnn::fit<ctnn::loss::mse>(p, opt, train, nullptr, {});
}
