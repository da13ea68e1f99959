// expect: ctnn::network: pass the input as a C array, std::array or fixed-size std::span
// A span without a compile-time extent cannot be size-checked.
#include <span>

#include <ctnn/ctnn.hpp>

using Net = ctnn::network<ctnn::input<3>, ctnn::dense<2>>;
Net::parameters<float> p;

void run(std::span<const float> x) {
    float y[2];
    Net::forward(p, x, y);
}
