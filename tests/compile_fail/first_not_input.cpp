// expect: ctnn::network: the first element must be ctnn::input<N>
// The input size is missing: the list starts with a layer.
#include <ctnn/ctnn.hpp>

using Net = ctnn::network<ctnn::dense<4, ctnn::relu>, ctnn::dense<1>>;
static_assert(sizeof(Net) > 0);
