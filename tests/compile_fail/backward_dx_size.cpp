// expect: ctnn::network: dLoss/dInput must hold input_size values
#include <ctnn/ctnn.hpp>

using Net = ctnn::network<ctnn::input<3>, ctnn::dense<4, ctnn::relu>, ctnn::dense<2>>;
Net::parameters<float> p;
Net::gradients<float> g;
Net::workspace<float> ws;

void run() {
    const float x[3]{};
    float y[2];
    Net::forward(p, x, y, ws);
    const float dy[2]{};
    float dx[2];
    Net::backward(p, ws, dy, g, dx);
}
