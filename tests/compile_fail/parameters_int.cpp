// expect: ctnn::parameters<Net, T>: T must be float or double
#include <ctnn/ctnn.hpp>

using Net = ctnn::network<ctnn::input<3>, ctnn::dense<1>>;
Net::parameters<int> p;
