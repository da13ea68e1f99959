// expect: ctnn::network: the gradients must be this network's Net::gradients<T>
#include <ctnn/ctnn.hpp>

using Net = ctnn::network<ctnn::input<3>, ctnn::dense<4, ctnn::relu>, ctnn::dense<2>>;
Net::parameters<float> p;
Net::gradients<double> g;
Net::workspace<float> ws;

void run() {
    const float x[3]{};
    float y[2];
    Net::forward(p, x, y, ws);
    const float dy[2]{};
    Net::backward(p, ws, dy, g);
}
