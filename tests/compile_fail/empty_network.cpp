// expect: ctnn::network: a network needs ctnn::input<N> followed by at least one layer
// A network with no elements at all.
#include <ctnn/ctnn.hpp>

using Net = ctnn::network<>;
static_assert(sizeof(Net) > 0);
