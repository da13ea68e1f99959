// expect: ctnn::dropout<Num, Den>: the drop probability Num/Den must be at least 0 and below 1
// The layer spec on its own, outside a network: its own check speaks.
#include <ctnn/ctnn.hpp>

static_assert(ctnn::dropout<3, 2>::probability > 0);
