// expect: ctnn::fit: Loss must be a loss type such as ctnn::loss::mse
// A metric is not a loss: it has no gradient.
#include <ctnn/ctnn.hpp>
#include <ctnn/train/fit.hpp>
#include <ctnn/train/optimizers.hpp>

using Net = ctnn::network<ctnn::input<2>, ctnn::dense<1>>;

struct not_a_loss {
    template <class T, std::size_t B, std::size_t N>
    static T value(const T (&)[B][N], const T (&)[B][N]) noexcept { return 0; }
};

void run(Net::parameters<float>& p, const ctnn::data::dataset_for<Net>& train) {
    ctnn::optim::sgd<Net, float> opt;
    ctnn::fit<not_a_loss>(p, opt, train, nullptr, {});
}
