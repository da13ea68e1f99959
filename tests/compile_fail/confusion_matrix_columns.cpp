// expect: ctnn::metric::confusion_matrix<C>::add: scores must have C columns
#include <ctnn/train/metrics.hpp>

#include <cstddef>

void f(ctnn::metric::confusion_matrix<3>& m) {
    const float scores[2][4] = {{0, 1, 0, 0}, {1, 0, 0, 0}};
    const std::size_t truth[2] = {1, 0};
    m.add(scores, truth);
}
