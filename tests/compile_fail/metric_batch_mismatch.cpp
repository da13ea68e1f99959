// expect: ctnn::metric: predictions and targets must have the same batch size
#include <ctnn/train/metrics.hpp>

#include <cstddef>

double f() {
    const std::size_t pred[3] = {0, 1, 2};
    const std::size_t truth[2] = {0, 1};
    return ctnn::metric::accuracy(pred, truth);
}
