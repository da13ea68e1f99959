// Trains the real-time example's network on the host: 1 -> 8 tanh -> 8 tanh -> 1 learns the distortion curve of
// curve.hpp, then is saved for ctnn-gen. Deterministic (fixed seed, full-batch Adam, no shuffling); well under a
// second, so the build runs it.
//   realtime_train [--quiet] [--save MODEL.ctnn.json] [--reference REFERENCE.txt]
// --reference writes the library's output at each point of the check grid ("x y" per line, exact floats), which the
// real-time program compares the generated header with. Exits non-zero if the fit is worse than
// waveshaper_curve::max_error or a file cannot be written.
#include <ctnn/ctnn.hpp>
#include <ctnn/io.hpp>  // ctnn::save; opt-in because it throws and allocates
#include <ctnn/io/atomic_file.hpp>
#include <ctnn/train/optimizers.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include "curve.hpp"

using Net = ctnn::network<ctnn::input<1>, ctnn::dense<8, ctnn::tanh>, ctnn::dense<8, ctnn::tanh>, ctnn::dense<1>>;

namespace {

constexpr std::size_t samples = 256;  // training points, evenly spaced over [-limit, limit]
constexpr int steps = 15000;          // full-batch Adam steps (about half a second)
constexpr unsigned seed = 20261121;

Net::parameters<float> params;
Net::gradients<float> grads;
Net::workspace<float> ws;
ctnn::optim::adam<Net, float> adam(ctnn::optim::adam_options{.lr = 0.01});

float training_x(std::size_t k) {
    using waveshaper_curve::limit;
    return -limit + 2.0f * limit * static_cast<float>(k) / static_cast<float>(samples - 1);
}

float predict(float x) {
    const float in[1] = {x};
    float out[1];
    Net::forward(params, in, out);
    return out[0];
}

// One full-batch step of mean squared error; returns the loss before the step.
float step() {
    grads = {};
    float loss = 0;
    for (std::size_t k = 0; k < samples; ++k) {
        const float x[1] = {training_x(k)};
        float y[1];
        Net::forward(params, x, y, ws);
        const float e = y[0] - waveshaper_curve::target(x[0]);
        loss += e * e / samples;
        const float dy[1] = {2 * e / samples};
        Net::backward(params, ws, dy, grads);  // accumulates over the batch
    }
    adam.step(params, grads);
    return loss;
}

// All or nothing (a temporary file renamed over the target): a failed run leaves no half-written reference.
bool write_reference(const char* path) {
    std::string text = "# ctnn's forward on the check grid of curve.hpp: x y\n";
    for (std::size_t k = 0; k < waveshaper_curve::grid_points; ++k) {
        const float x = waveshaper_curve::grid(k);
        char line[64];
        std::snprintf(line, sizeof line, "%.9g %.9g\n", static_cast<double>(x), static_cast<double>(predict(x)));
        text += line;
    }
    try {
        ctnn::detail::write_file_atomically(path, text);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return false;
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    bool quiet = false;
    const char* model = nullptr;
    const char* reference = nullptr;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--quiet") == 0) {
            quiet = true;
        } else if (std::strcmp(argv[i], "--save") == 0 && i + 1 < argc) {
            model = argv[++i];
        } else if (std::strcmp(argv[i], "--reference") == 0 && i + 1 < argc) {
            reference = argv[++i];
        } else {
            std::fprintf(stderr, "usage: realtime_train [--quiet] [--save MODEL.ctnn.json] [--reference FILE]\n");
            return 2;
        }
    }

    ctnn::initialize(params, ctnn::xavier_uniform{}, seed);
    for (int s = 0; s <= steps; ++s) {
        const float loss = step();
        if (!quiet && s % 3000 == 0) std::printf("  step %4d   mse %.3g\n", s, static_cast<double>(loss));
    }

    float worst = 0;
    for (std::size_t k = 0; k < waveshaper_curve::grid_points; ++k) {
        const float x = waveshaper_curve::grid(k);
        worst = std::max(worst, std::fabs(predict(x) - waveshaper_curve::target(x)));
    }
    if (!quiet) std::printf("largest error on the check grid: %.4f (bound %.3f)\n", static_cast<double>(worst),
                            static_cast<double>(waveshaper_curve::max_error));
    if (!(worst <= waveshaper_curve::max_error)) {
        std::fprintf(stderr, "realtime_train: the network did not learn the curve (error %.4f)\n",
                     static_cast<double>(worst));
        return 1;
    }
    try {
        if (model != nullptr) ctnn::save(model, params);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "realtime_train: %s\n", e.what());
        return 1;
    }
    if (reference != nullptr && !write_reference(reference)) {
        std::fprintf(stderr, "realtime_train: %s: cannot write\n", reference);
        return 1;
    }
    return 0;
}
