// Trains the Cortex-M examples' regression network (8 -> 16 tanh -> 16 tanh -> 1, nets.hpp) on
// regression_target and saves it. The committed models/regression.ctnn.json was written by
//   build/examples/cortex_m/cortex_m_regression_train examples/cortex_m/models/regression.ctnn.json
// Deterministic: fixed seeds, ctnn::random_source; mini-batch (32) Adam on the mean squared error, 400 epochs of
// 4096 samples, scalar kernels so that the result does not depend on the host's SIMD width (only, in the last
// bits, on the compiler's float contraction). Exits non-zero if the test MSE is not below 5e-4.
#include <ctnn/ctnn.hpp>
#include <ctnn/data/split.hpp>
#include <ctnn/io.hpp>
#include <ctnn/train/optimizers.hpp>

#include <array>
#include <cstddef>
#include <cstdio>
#include <exception>
#include <vector>

#include "nets.hpp"

namespace {

using Net = cortex_m::regression_net;
using arch = ctnn::scalar_arch;

struct sample {
    float x[8];
    float y;
};

std::vector<sample> make_samples(std::size_t n, std::uint64_t seed) {
    ctnn::random_source rng(seed);
    std::vector<sample> s(n);
    for (sample& e : s) {
        double x[8];
        for (std::size_t i = 0; i < 8; ++i) {
            x[i] = rng.uniform(-1.0, 1.0);
            e.x[i] = static_cast<float>(x[i]);
            x[i] = static_cast<double>(e.x[i]);  // the target of the float input the network sees
        }
        e.y = static_cast<float>(cortex_m::regression_target(x));
    }
    return s;
}

Net::parameters<float> params;
Net::gradients<float> grads;
Net::workspace<float> ws;

double mse(const std::vector<sample>& data) {
    double sum = 0;
    for (const sample& e : data) {
        float y[1];
        Net::forward<arch>(params, e.x, y);
        sum += (static_cast<double>(y[0]) - e.y) * (static_cast<double>(y[0]) - e.y);
    }
    return sum / static_cast<double>(data.size());
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: cortex_m_regression_train OUTPUT.ctnn.json\n");
        return 2;
    }
    const std::vector<sample> train = make_samples(4096, 1), test = make_samples(1024, 2);
    ctnn::initialize(params, ctnn::xavier_uniform{}, 3);
    ctnn::optim::adam_options o;
    o.lr = 3e-3;
    static ctnn::optim::adam<Net, float> opt(o);
    constexpr std::size_t batch = 32, epochs = 400;
    for (std::size_t epoch = 1; epoch <= epochs; ++epoch) {
        if (epoch % 100 == 0) opt.options.lr /= 2;  // 3e-3, halved every 100 epochs
        const std::vector<std::size_t> order = ctnn::data::permutation(train.size(), 4 + epoch);
        for (std::size_t b = 0; b + batch <= order.size(); b += batch) {
            grads.fill(0.0f);
            for (std::size_t k = b; k < b + batch; ++k) {
                const sample& e = train[order[k]];
                float y[1];
                Net::forward<arch>(params, e.x, y, ws);
                const float dy[1] = {2 * (y[0] - e.y) / batch};
                Net::backward<arch>(params, ws, dy, grads);
            }
            opt.step(params, grads);
        }
        if (epoch % 50 == 0) std::printf("epoch %3zu: train MSE %.3g, test MSE %.3g\n", epoch, mse(train), mse(test));
    }
    try {
        ctnn::save(argv[1], params);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "cortex_m_regression_train: %s\n", e.what());
        return 1;
    }
    std::printf("wrote %s\n", argv[1]);
    return mse(test) < 5e-4 ? 0 : 1;  // the targets' variance is about 0.2
}
