// expect: ctnn::metric: the element type must be float or double
#include <ctnn/train/metrics.hpp>

std::size_t f() {
    const int scores[3] = {1, 5, 2};
    return ctnn::metric::argmax(scores);
}
