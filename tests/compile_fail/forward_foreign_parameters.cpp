// expect: ctnn::network: these parameters belong to a different network type
// Same sizes, different activation: still a different network.
#include <ctnn/ctnn.hpp>

using Net = ctnn::network<ctnn::input<3>, ctnn::dense<4, ctnn::relu>, ctnn::dense<2>>;
using Other = ctnn::network<ctnn::input<3>, ctnn::dense<4, ctnn::tanh>, ctnn::dense<2>>;
Other::parameters<float> p;

void run() {
    const float x[3]{};
    float y[2];
    Net::forward(p, x, y);
}
