// expect: an activation's parameter Num/Den needs a non-zero Den
#include <ctnn/ctnn.hpp>

using Net = ctnn::network<ctnn::input<3>, ctnn::dense<4, ctnn::elu<1, 0>>, ctnn::dense<1>>;
static_assert(sizeof(Net) > 0);
