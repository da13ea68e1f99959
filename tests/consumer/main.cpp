// A user's program against the installed ctnn: a 2-2-1 network with hand-set weights, checked against the
// value worked out by hand. Exit code 0 on success.
#include <ctnn/ctnn.hpp>

#include <cmath>
#include <cstdio>

using Net = ctnn::network<ctnn::input<2>, ctnn::dense<2, ctnn::relu>, ctnn::dense<1, ctnn::sigmoid>>;

int main() {
    static Net::parameters<float> p;
    // Hidden: h0 = relu(x0 - x1), h1 = relu(x0 + x1 - 1); output: sigmoid(2 h0 - 3 h1 + 0.5).
    p.weight(0, 0, 0) = 1.0f;
    p.weight(0, 0, 1) = -1.0f;
    p.weight(0, 1, 0) = 1.0f;
    p.weight(0, 1, 1) = 1.0f;
    p.bias(0, 1) = -1.0f;
    p.weight(1, 0, 0) = 2.0f;
    p.weight(1, 0, 1) = -3.0f;
    p.bias(1, 0) = 0.5f;

    const float x[2]{2.0f, 0.5f};  // h = (1.5, 1.5), z = 3 - 4.5 + 0.5 = -1
    float y[1];
    Net::forward(p, x, y);
    const double expected = 1.0 / (1.0 + std::exp(1.0));
    std::printf("consumer: y = %.7f, expected %.7f\n", double(y[0]), expected);
    return std::abs(double(y[0]) - expected) < 1e-5 ? 0 : 1;
}
