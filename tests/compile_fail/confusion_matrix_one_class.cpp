// expect: ctnn::metric::confusion_matrix<C>: needs at least two classes
#include <ctnn/train/metrics.hpp>

ctnn::metric::confusion_matrix<1> m;
