// expect: ctnn::network: the workspace must be this network's Net::workspace<T>
#include <ctnn/ctnn.hpp>

using Net = ctnn::network<ctnn::input<3>, ctnn::dense<4, ctnn::relu>, ctnn::dense<2>>;
using Other = ctnn::network<ctnn::input<3>, ctnn::dense<5, ctnn::relu>, ctnn::dense<2>>;
Net::parameters<float> p;
Other::workspace<float> ws;

void run() {
    const float x[3]{};
    float y[2];
    Net::forward(p, x, y, ws);
}
