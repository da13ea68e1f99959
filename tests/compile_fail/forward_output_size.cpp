// expect: ctnn::network: the output's size differs from the network's output_size
#include <array>

#include <ctnn/ctnn.hpp>

using Net = ctnn::network<ctnn::input<3>, ctnn::dense<4, ctnn::relu>, ctnn::dense<2>>;
Net::parameters<float> p;

void run() {
    const std::array<float, 3> x{};
    std::array<float, 1> y;
    Net::forward(p, x, y);
}
