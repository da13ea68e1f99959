// expect: ctnn::network: the input's element type differs from the parameters' type
// double samples with float parameters: no silent conversion.
#include <ctnn/ctnn.hpp>

using Net = ctnn::network<ctnn::input<3>, ctnn::dense<4, ctnn::relu>, ctnn::dense<2>>;
Net::parameters<float> p;

void run() {
    const double x[3]{};
    float y[2];
    Net::forward(p, x, y);
}
