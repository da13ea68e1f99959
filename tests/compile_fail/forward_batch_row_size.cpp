// expect: ctnn::network: the input's size differs from the network's input_size
#include <ctnn/ctnn.hpp>

using Net = ctnn::network<ctnn::input<3>, ctnn::dense<4, ctnn::relu>, ctnn::dense<2>>;
Net::parameters<float> p;

void run() {
    const float xs[8][4]{};
    float ys[8][2];
    Net::forward_batch(p, xs, ys);
}
