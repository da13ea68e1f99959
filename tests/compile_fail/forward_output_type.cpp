// expect: ctnn::network: the output's element type differs from the parameters' type (or is const)
#include <ctnn/ctnn.hpp>

using Net = ctnn::network<ctnn::input<3>, ctnn::dense<4, ctnn::relu>, ctnn::dense<2>>;
Net::parameters<double> p;

void run() {
    const double x[3]{};
    float y[2];
    Net::forward(p, x, y);
}
