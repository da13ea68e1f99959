// expect: the momentum MomentumNum/MomentumDen must be in [0, 1] and eps EpsNum/EpsDen above 0
#include <ctnn/ctnn.hpp>

using Net = ctnn::network<ctnn::input<3>, ctnn::batch_norm<ctnn::identity, 1, 10, 0, 1>>;
static_assert(sizeof(Net) > 0);
