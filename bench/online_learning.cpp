// Online learning: one single-sample SGD step (forward, MSE gradient, backward, parameter update) of the
// 8 - 16 tanh - 16 tanh - 1 network (bench::net_a), float, learning rate 0.01. Timed implementations:
//   library:   Net::forward with a workspace, ctnn::loss::mse's gradient, gradients zeroed, Net::backward,
//              ctnn::optim::sgd<Net, float>::step;
//   generated: the header ctnn-gen writes for the same model with --train sgd --mutable-weights (simd target):
//              zero_grad, forward_train, backward, step.
// Each step reads one of 16 (input, target) pairs in turn; steps depend on each other through the weights, so the
// time per step is the step's latency. bench/online_learning_torch.py times the same steps with PyTorch.
// See bench/README.md ("Online learning").
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>

#include <ctnn/ctnn.hpp>
#include <ctnn/train/losses.hpp>
#include <ctnn/train/optimizers.hpp>

#include <benchmark/benchmark.h>

#include "nets.hpp"

#ifndef CTNN_BENCH_GENERATED
#define CTNN_BENCH_GENERATED 0
#endif
#if CTNN_BENCH_GENERATED
#include "bench_gen_train_a.hpp"
#endif

namespace {

using Net = bench::net_a;
constexpr float learning_rate = 0.01f;  // also the generated header's (bench/CMakeLists.txt: LEARNING_RATE)
constexpr std::size_t sample_count = 16;

// Inputs uniform in [-1, 1], target sin(x0 + x1) / 2: a function the network can learn, so the weights stay sane.
struct samples {
    std::array<std::array<float, Net::input_size>, sample_count> x{};
    std::array<std::array<float, 1>, sample_count> t{};
    samples() {
        ctnn::random_source r(bench::input_seed);
        for (std::size_t s = 0; s < sample_count; ++s) {
            for (auto& v : x[s]) v = float(r.uniform(-1, 1));
            t[s][0] = 0.5f * std::sin(x[s][0] + x[s][1]);
        }
    }
};
const samples data;

void library_step(benchmark::State& state) {
    static Net::parameters<float> p;
    static Net::gradients<float> g;
    static Net::workspace<float> ws;
    static ctnn::optim::sgd<Net, float> opt(ctnn::optim::sgd_options{.lr = learning_rate});
    bench::initialize<Net>(p);
    std::size_t s = 0;
    float loss_sum = 0;
    for (auto _ : state) {
        float y[1][1], dy[1][1];
        const float(&t)[1][1] = reinterpret_cast<const float(&)[1][1]>(data.t[s]);
        g.fill(0);
        Net::forward(p, data.x[s], y[0], ws);
        ctnn::loss::mse::gradient(y, t, dy);
        Net::backward(p, ws, dy[0], g);
        opt.step(p, g);
        loss_sum += (y[0][0] - t[0][0]) * (y[0][0] - t[0][0]);
        s = (s + 1) % sample_count;
    }
    benchmark::DoNotOptimize(loss_sum);
    state.counters["steps/s"] = benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(library_step);

// The library step's parts, each alone on the same buffers: where its time goes.
void library_forward(benchmark::State& state) {
    static Net::parameters<float> p;
    static Net::workspace<float> ws;
    bench::initialize<Net>(p);
    std::size_t s = 0;
    float sum = 0;
    for (auto _ : state) {
        float y[1];
        Net::forward(p, data.x[s], y, ws);
        sum += y[0];
        s = (s + 1) % sample_count;
    }
    benchmark::DoNotOptimize(sum);
}
BENCHMARK(library_forward);

void library_forward_backward(benchmark::State& state) {
    static Net::parameters<float> p;
    static Net::gradients<float> g;
    static Net::workspace<float> ws;
    bench::initialize<Net>(p);
    std::size_t s = 0;
    for (auto _ : state) {
        float y[1], dy[1];
        Net::forward(p, data.x[s], y, ws);
        dy[0] = 2 * (y[0] - data.t[s][0]);
        Net::backward(p, ws, dy, g);
        s = (s + 1) % sample_count;
        benchmark::ClobberMemory();
    }
}
BENCHMARK(library_forward_backward);

void library_zero_gradients(benchmark::State& state) {
    static Net::gradients<float> g;
    for (auto _ : state) {
        g.fill(0);
        benchmark::ClobberMemory();
    }
}
BENCHMARK(library_zero_gradients);

void library_optimizer_step(benchmark::State& state) {
    static Net::parameters<float> p;
    static Net::gradients<float> g;
    static ctnn::optim::sgd<Net, float> opt(ctnn::optim::sgd_options{.lr = learning_rate});
    bench::initialize<Net>(p);
    ctnn::initialize(g, ctnn::uniform{1e-3}, 1);  // small, so that the weights move little
    for (auto _ : state) {
        opt.step(p, g);
        benchmark::ClobberMemory();
    }
}
BENCHMARK(library_optimizer_step);

#if CTNN_BENCH_GENERATED
void generated_step(benchmark::State& state) {
    // The header's weights are the model file's, which bench_models wrote from bench::initialize: the same start.
    std::size_t s = 0;
    float loss_sum = 0;
    for (auto _ : state) {
        float y[1], dy[1];
        gen_train_a::zero_grad();
        gen_train_a::forward_train(data.x[s].data(), y);
        dy[0] = 2 * (y[0] - data.t[s][0]);
        gen_train_a::backward(dy, nullptr);
        gen_train_a::step();
        loss_sum += (y[0] - data.t[s][0]) * (y[0] - data.t[s][0]);
        s = (s + 1) % sample_count;
    }
    benchmark::DoNotOptimize(loss_sum);
    state.counters["steps/s"] = benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(generated_step);
#endif

#if CTNN_BENCH_GENERATED
// Both implementations must train alike: 200 steps of each from the same weights, then every weight compared.
bool same_training() {
    static Net::parameters<float> p;
    static Net::gradients<float> g;
    static Net::workspace<float> ws;
    ctnn::optim::sgd<Net, float> opt(ctnn::optim::sgd_options{.lr = learning_rate});
    bench::initialize<Net>(p);
    for (std::size_t k = 0; k < 200; ++k) {
        const std::size_t s = k % sample_count;
        float y[1], dy[1];
        g.fill(0);
        Net::forward(p, data.x[s], y, ws);
        dy[0] = 2 * (y[0] - data.t[s][0]);
        Net::backward(p, ws, dy, g);
        opt.step(p, g);
        gen_train_a::zero_grad();
        gen_train_a::forward_train(data.x[s].data(), y);
        dy[0] = 2 * (y[0] - data.t[s][0]);
        gen_train_a::backward(dy, nullptr);
        gen_train_a::step();
    }
    for (std::size_t l = 0; l < Net::layer_count; ++l) {
        const auto& lay = Net::layout<float>[l];
        for (std::size_t o = 0; o < lay.out; ++o) {
            const auto close = [](float a, float b) { return std::abs(a - b) <= 1e-4f * std::max(std::abs(a), std::abs(b)) + 1e-5f; };
            if (!close(p.bias(l, o), gen_train_a::bias(l, o))) return false;
            for (std::size_t i = 0; i < lay.in; ++i)
                if (!close(p.weight(l, o, i), gen_train_a::weight(l, o, i))) return false;
        }
    }
    return true;
}
#endif

}  // namespace

int main(int argc, char** argv) {
#if CTNN_BENCH_GENERATED
    if (!same_training()) {
        std::fprintf(stderr, "online_learning: the generated header and the library trained differently\n");
        return 1;
    }
#endif
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
