// The control: correct uses of everything the compile-fail snippets get wrong must compile with the same
// flags, or a failing snippet would prove nothing.
#include <array>
#include <span>

#include <ctnn/ctnn.hpp>

using Net = ctnn::network<ctnn::input<3>, ctnn::dense<4, ctnn::leaky_relu<1, 10>>, ctnn::dense<4, ctnn::elu<1, 2>>,
                          ctnn::dense<2>>;
Net::parameters<float> p;
Net::gradients<float> g;
Net::workspace<float> ws;

int run() {
    const float x[3]{};
    std::array<float, 2> y{};
    Net::forward(p, x, y);
    Net::forward<ctnn::scalar_arch>(p, std::span<const float, 3>(x), y);
    Net::forward(p, x, y, ws);
    const float dy[2]{1, 0};
    float dx[3];
    Net::backward(p, ws, dy, g, dx);
    Net::backward(p, ws, dy, g);
    const float xs[8][3]{};
    float ys[8][2];
    Net::forward_batch(p, xs, ys);
    return static_cast<int>(y[0] + dx[0] + ys[0][0]);
}
