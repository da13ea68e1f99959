// expect: ctnn::dropout<Num, Den>: the drop probability Num/Den must be at least 0 and below 1
#include <ctnn/ctnn.hpp>

using Net = ctnn::network<ctnn::input<3>, ctnn::dense<4, ctnn::relu>, ctnn::dropout<100>, ctnn::dense<1>>;
static_assert(sizeof(Net) > 0);
