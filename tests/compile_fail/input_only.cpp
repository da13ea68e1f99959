// expect: ctnn::network: a network needs ctnn::input<N> followed by at least one layer
// An input and no layer.
#include <ctnn/ctnn.hpp>

using Net = ctnn::network<ctnn::input<3>>;
static_assert(sizeof(Net) > 0);
