// Tutorial: a 2-4-1 network learns XOR with a training loop written by hand on top of ctnn's
// forward and backward passes. Run it with `tools/demo`; it exits non-zero if it did not learn.
#include <ctnn/ctnn.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>

// 1. The topology is a type: 2 inputs, 4 tanh units, 1 sigmoid output. Sizes and the parameter
//    layout are known at compile time, so mistakes are compile errors, not runtime surprises.
using Net = ctnn::network<ctnn::input<2>, ctnn::dense<4, ctnn::tanh>, ctnn::dense<1, ctnn::sigmoid>>;
static_assert(Net::input_size == 2 && Net::output_size == 1);
static_assert(Net::parameter_count == (2 * 4 + 4) + (4 * 1 + 1));

namespace {

// 2. Everything lives in fixed-size, 64-byte aligned buffers; static storage keeps them off the stack.
Net::parameters<float> params;  // the weights and biases
Net::gradients<float> grads;    // dLoss/dparams, same layout as params
Net::workspace<float> ws;       // what forward keeps for backward

// The whole training set: the four rows of XOR's truth table.
constexpr float inputs[4][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
constexpr float targets[4][1] = {{0}, {1}, {1}, {0}};

// Binary cross-entropy of one prediction y in (0, 1) against a target t in {0, 1}, and its derivative
// dLoss/dy. y is clamped away from 0 and 1 so the logarithm and the division stay finite.
constexpr float eps = 1e-6f;
float bce(float y, float t) {
    y = std::clamp(y, eps, 1 - eps);
    return -(t * std::log(y) + (1 - t) * std::log(1 - y));
}
float bce_grad(float y, float t) {
    y = std::clamp(y, eps, 1 - eps);
    return (y - t) / (y * (1 - y));
}

}  // namespace

int main() {
    // 3. Seeded initialization: the same seed gives the same weights on every platform, so the run is
    //    deterministic. Xavier/Glorot suits tanh.
    ctnn::initialize(params, ctnn::xavier_uniform{}, 7);

    constexpr int epochs = 2000;
    constexpr float learning_rate = 0.5f;

    for (int epoch = 0; epoch <= epochs; ++epoch) {
        // 4. backward() ADDS to grads, so clear them once per step ...
        grads = {};
        float loss = 0;
        for (std::size_t s = 0; s < 4; ++s) {
            float y[1];
            // ... forward with a workspace keeps the activations that backward needs ...
            Net::forward(params, inputs[s], y, ws);
            loss += bce(y[0], targets[s][0]) / 4;
            // ... and backward turns dLoss/dy into dLoss/dparams, summed over the four samples.
            //     (With a sigmoid output, bce_grad times sigmoid' is simply y - t.)
            const float dy[1] = {bce_grad(y[0], targets[s][0]) / 4};
            Net::backward(params, ws, dy, grads);
        }
        if (epoch % 250 == 0) std::printf("epoch %4d  loss %.5f\n", epoch, static_cast<double>(loss));
        if (epoch == epochs) break;

        // 5. Plain gradient descent over the raw buffer. The padding is zero in both buffers, so it stays zero.
        for (std::size_t k = 0; k < Net::storage_size<float>; ++k) params.data[k] -= learning_rate * grads.data[k];
    }

    // 6. Inference needs no workspace: forward(params, x, y).
    std::printf("\n  a  b | target  prediction\n");
    int wrong = 0;
    for (std::size_t s = 0; s < 4; ++s) {
        float y[1];
        Net::forward(params, inputs[s], y);
        const bool ok = (y[0] > 0.5f) == (targets[s][0] > 0.5f);
        wrong += ok ? 0 : 1;
        std::printf("  %.0f  %.0f |   %.0f     %.4f%s\n", static_cast<double>(inputs[s][0]),
                    static_cast<double>(inputs[s][1]), static_cast<double>(targets[s][0]), static_cast<double>(y[0]),
                    ok ? "" : "  <- wrong");
    }
    if (wrong != 0) {
        std::printf("\n%d of 4 predictions wrong.\n", wrong);
        return 1;
    }
    std::printf("\nXOR learned.\n");
    return 0;
}
