// Tutorial, step 1 of the main demo (tools/demo): a 2-4-1 network learns XOR with a training loop written by
// hand on top of ctnn's forward and backward passes, then is saved to a model file for ctnn-gen.
//   xor_train [--quiet] [--save MODEL.ctnn.json] [--outputs LIBRARY.txt]
// --outputs writes the library's predictions and speed, which use_header.cpp compares the generated header with.
// Exits non-zero if the network did not learn XOR or a file cannot be written.
#include <ctnn/ctnn.hpp>
#include <ctnn/io.hpp>  // ctnn::save; opt-in because it throws and allocates

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <exception>

#include "timing.hpp"

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

struct arguments {
    const char* model = nullptr;    // --save
    const char* outputs = nullptr;  // --outputs
};

bool quiet = false;  // --quiet: only errors are printed

// printf, unless --quiet.
#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
void say(const char* format, ...) {
    if (quiet) return;
    std::va_list args;
    va_start(args, format);
    std::vprintf(format, args);
    va_end(args);
}

bool parse(int argc, char** argv, arguments& a) {
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--quiet") == 0) {
            quiet = true;
        } else if (std::strcmp(argv[i], "--save") == 0 && i + 1 < argc) {
            a.model = argv[++i];
        } else if (std::strcmp(argv[i], "--outputs") == 0 && i + 1 < argc) {
            a.outputs = argv[++i];
        } else {
            std::fprintf(stderr, "usage: xor_train [--quiet] [--save MODEL.ctnn.json] [--outputs LIBRARY.txt]\n");
            return false;
        }
    }
    return true;
}

// The library's predictions for the four inputs and its nanoseconds per forward, with the kernels of Arch.
struct run {
    const char* kernels;
    float y[4];
    double ns;
};

template <class Arch>
run measure(const char* kernels) {
    run r{kernels, {}, 0};
    for (std::size_t s = 0; s < 4; ++s) {
        float y[1];
        Net::forward<Arch>(params, inputs[s], y);
        r.y[s] = y[0];
    }
    r.ns = demo::ns_per_call([](std::size_t i) {
        float x[2] = {inputs[i & 3][0], inputs[i & 3][1]};
        float y[1];
        demo::escape(x);  // the compiler must read the input from memory on every call ...
        Net::forward<Arch>(params, x, y);
        demo::escape(y);  // ... and produce the output
    });
    return r;
}

// One line per kernel set: name, the four predictions (enough digits to round-trip a float), ns per forward.
bool write_outputs(const char* path, const run (&runs)[2]) {
    std::FILE* f = std::fopen(path, "w");
    if (f == nullptr) return false;
    std::fprintf(f, "# ctnn's forward for XOR's inputs (0,0) (0,1) (1,0) (1,1), then ns per forward; by kernels\n");
    for (const run& r : runs)
        std::fprintf(f, "%s %.9g %.9g %.9g %.9g %.3f\n", r.kernels, static_cast<double>(r.y[0]),
                     static_cast<double>(r.y[1]), static_cast<double>(r.y[2]), static_cast<double>(r.y[3]), r.ns);
    return std::fclose(f) == 0;
}

}  // namespace

int main(int argc, char** argv) {
    arguments args;
    if (!parse(argc, argv, args)) return 2;

    // 3. Seeded initialization: the same seed gives the same weights on every platform, so the run is
    //    deterministic. Xavier/Glorot suits tanh.
    ctnn::initialize(params, ctnn::xavier_uniform{}, 7);

    constexpr int steps = 2000;
    constexpr float learning_rate = 0.5f;
    say("Network 2 -> 4 tanh -> 1 sigmoid (%zu parameters), %d steps of gradient descent on XOR\n",
        Net::parameter_count, steps);

    for (int step = 0; step <= steps; ++step) {
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
        if (step % 500 == 0) say("  step %4d   loss %.5f\n", step, static_cast<double>(loss));
        if (step == steps) break;

        // 5. Plain gradient descent over the raw buffer. The padding is zero in both buffers, so it stays zero.
        for (std::size_t k = 0; k < Net::storage_size<float>; ++k) params.data[k] -= learning_rate * grads.data[k];
    }

    // 6. Inference needs no workspace: forward(params, x, y). forward<ctnn::scalar_arch> picks the portable
    //    kernels instead of the SIMD ones (xsimd's best for the compile flags).
    const run runs[2] = {measure<ctnn::default_arch>(ctnn::default_arch::name()),
                         measure<ctnn::scalar_arch>("scalar")};
    say("\n   a  b   target   prediction\n");
    int wrong = 0;
    for (std::size_t s = 0; s < 4; ++s) {
        const float y = runs[0].y[s];
        const bool ok = (y > 0.5f) == (targets[s][0] > 0.5f);
        wrong += ok ? 0 : 1;
        say("   %.0f  %.0f     %.0f       %.4f%s\n", static_cast<double>(inputs[s][0]),
            static_cast<double>(inputs[s][1]), static_cast<double>(targets[s][0]), static_cast<double>(y),
            ok ? "" : "   <- wrong");
    }
    say("\nLibrary speed, ns per forward:  %.2f (%s kernels)   %.2f (scalar kernels)\n", runs[0].ns,
        runs[0].kernels, runs[1].ns);
    if (wrong != 0) {
        std::printf("%d of 4 predictions wrong: the network did not learn XOR.\n", wrong);
        return 1;
    }

    // 7. Save the trained parameters; ctnn-gen turns the file into a standalone header.
    try {
        if (args.model != nullptr) {
            ctnn::save(args.model, params);
            say("Saved the model to %s\n", args.model);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "xor_train: %s\n", e.what());
        return 1;
    }
    if (args.outputs != nullptr && !write_outputs(args.outputs, runs)) {
        std::fprintf(stderr, "xor_train: %s: cannot write\n", args.outputs);
        return 1;
    }
    return 0;
}
