// expect: ctnn::network: every element after ctnn::input<N> must be a layer
// A type that is not a layer in the middle of the list.
#include <ctnn/ctnn.hpp>

using Net = ctnn::network<ctnn::input<3>, ctnn::dense<4>, int, ctnn::dense<1>>;
static_assert(sizeof(Net) > 0);
