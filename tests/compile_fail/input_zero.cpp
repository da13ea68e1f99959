// expect: ctnn::input<N>: N (the number of inputs) must be at least 1
#include <ctnn/ctnn.hpp>

using Net = ctnn::network<ctnn::input<0>, ctnn::dense<1>>;
static_assert(sizeof(Net) > 0);
