// expect: ctnn::dense<N, Activation>: N (the layer's output size) must be at least 1
#include <ctnn/ctnn.hpp>

using Net = ctnn::network<ctnn::input<3>, ctnn::dense<0, ctnn::relu>, ctnn::dense<1>>;
static_assert(sizeof(Net) > 0);
