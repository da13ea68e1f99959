// expect: ctnn::batch_norm<Activation, ...>: Activation must be an activation such as ctnn::relu
#include <ctnn/ctnn.hpp>

using Net = ctnn::network<ctnn::input<3>, ctnn::dense<4>, ctnn::batch_norm<float>>;
static_assert(sizeof(Net) > 0);
