// expect: ctnn::dense<N, Activation>: Activation must be an activation such as ctnn::relu or ctnn::tanh
#include <ctnn/ctnn.hpp>

using Net = ctnn::network<ctnn::input<3>, ctnn::dense<4, int>, ctnn::dense<1>>;
static_assert(sizeof(Net) > 0);
