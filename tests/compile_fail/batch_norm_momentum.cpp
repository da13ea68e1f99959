// expect: the momentum MomentumNum/MomentumDen must be in [0, 1] and eps EpsNum/EpsDen above 0
#include <ctnn/ctnn.hpp>

// momentum 3/2
using Net = ctnn::network<ctnn::input<3>, ctnn::dense<4>, ctnn::batch_norm<ctnn::relu, 3, 2>, ctnn::dense<1>>;
static_assert(sizeof(Net) > 0);
