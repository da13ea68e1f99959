// expect: ctnn::network: every element after ctnn::input<N> must be a layer
// A second ctnn::input in the middle of the list: inputs are not layers.
#include <ctnn/ctnn.hpp>

using Net = ctnn::network<ctnn::input<3>, ctnn::dense<4>, ctnn::input<3>, ctnn::dense<1>>;
static_assert(sizeof(Net) > 0);
