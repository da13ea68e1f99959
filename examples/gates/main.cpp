// Tutorial: the two classic first networks of every neural-network lecture.
//   1. AND with a single perceptron (Rosenblatt's step unit and learning rule) -- a straight line separates it.
//   2. XOR with a 2-2-1 sigmoid network trained by ctnn::fit -- no straight line does, so it needs a hidden layer.
//   gates [--quiet] [--epochs N]
// Prints both truth tables; exits non-zero if either network gets a row wrong.
#include <ctnn/ctnn.hpp>
#include <ctnn/train/fit.hpp>
#include <ctnn/train/losses.hpp>
#include <ctnn/train/optimizers.hpp>

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

constexpr float inputs[4][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};

// Prints a truth table of a two-input network and returns how many rows disagree with `truth`.
template <class Net, class Params>
int truth_table(const char* title, const Params& p, const float (&truth)[4], bool quiet) {
    if (!quiet) std::printf("%s\n   a  b   target   output\n", title);
    int wrong = 0;
    for (std::size_t s = 0; s < 4; ++s) {
        float y[1];
        Net::forward(p, inputs[s], y);
        const bool ok = (y[0] > 0.5f) == (truth[s] > 0.5f);
        wrong += ok ? 0 : 1;
        if (!quiet)
            std::printf("   %.0f  %.0f     %.0f       %.4f%s\n", static_cast<double>(inputs[s][0]),
                        static_cast<double>(inputs[s][1]), static_cast<double>(truth[s]), static_cast<double>(y[0]),
                        ok ? "" : "   <- wrong");
    }
    return wrong;
}

// ---------------------------------------------------------------------------------------------- 1. AND
// A perceptron: y = step(w . x + b), step(z) = 1 for z >= 0, else 0.
using Perceptron = ctnn::network<ctnn::input<2>, ctnn::dense<1, ctnn::binary_step>>;
Perceptron::parameters<float> perceptron;  // zero-initialized: the rule needs no random start

// Rosenblatt's rule: after each sample, w += lr (t - y) x and b += lr (t - y). The step has no useful
// derivative, so this rule, not backpropagation, trains it; it converges whenever a line separates the classes.
// Returns the number of passes over the data it needed.
int train_perceptron(const float (&truth)[4], bool quiet) {
    constexpr float learning_rate = 0.1f;
    for (int pass = 1; pass <= 100; ++pass) {
        int mistakes = 0;
        for (std::size_t s = 0; s < 4; ++s) {
            float y[1];
            Perceptron::forward(perceptron, inputs[s], y);
            const float error = truth[s] - y[0];
            if (error == 0) continue;
            ++mistakes;
            for (std::size_t i = 0; i < 2; ++i) perceptron.weight(0, 0, i) += learning_rate * error * inputs[s][i];
            perceptron.bias(0, 0) += learning_rate * error;
        }
        if (!quiet)
            std::printf("  pass %d: %d mistakes   w = (%.1f, %.1f)  b = %.1f\n", pass, mistakes,
                        static_cast<double>(perceptron.weight(0, 0, 0)),
                        static_cast<double>(perceptron.weight(0, 0, 1)), static_cast<double>(perceptron.bias(0, 0)));
        if (mistakes == 0) return pass;
    }
    return -1;
}

// ---------------------------------------------------------------------------------------------- 2. XOR
using XorNet = ctnn::network<ctnn::input<2>, ctnn::dense<2, ctnn::sigmoid>, ctnn::dense<1, ctnn::sigmoid>>;
XorNet::parameters<float> xor_net;

}  // namespace

int main(int argc, char** argv) {
    bool quiet = false;
    std::size_t epochs = 3000;  // for XOR
    bool ok = true;
    for (int i = 1; i < argc && ok; ++i) {
        if (std::strcmp(argv[i], "--quiet") == 0) {
            quiet = true;
        } else if (std::strcmp(argv[i], "--epochs") == 0 && i + 1 < argc) {
            epochs = std::strtoul(argv[++i], nullptr, 10);
            ok = epochs > 0;
        } else {
            ok = false;
        }
    }
    if (!ok) {
        std::fprintf(stderr, "usage: gates [--quiet] [--epochs N]\n");
        return 2;
    }

    // 1. AND
    constexpr float and_truth[4] = {0, 0, 0, 1};
    if (!quiet) std::printf("AND with one perceptron (Rosenblatt's rule, learning rate 0.1):\n");
    const int passes = train_perceptron(and_truth, quiet);
    const char* and_title = passes > 0 ? "AND, learned:" : "AND, NOT learned:";
    int wrong = truth_table<Perceptron>(and_title, perceptron, and_truth, quiet);

    // 2. XOR
    constexpr float xor_truth[4] = {0, 1, 1, 0};
    ctnn::data::dataset_for<XorNet> xor_data;
    for (std::size_t s = 0; s < 4; ++s) xor_data.add({inputs[s][0], inputs[s][1]}, {xor_truth[s]});

    // Plain full-batch gradient descent (SGD over all four rows at once) on binary cross-entropy, the loss of a
    // probability. A 2-2-1 sigmoid net has a local minimum (loss 0.35) where two rows are stuck at 0.5: with lr 1,
    // 7 of the seeds 1..20 end there (1, 4, 5, 9, 14, 15, 19). Seed 2 reaches the global minimum.
    ctnn::initialize(xor_net, ctnn::xavier_uniform{}, 2);
    ctnn::optim::sgd<XorNet, float> sgd;
    sgd.options.lr = 1.0;
    ctnn::fit_options o;
    o.epochs = epochs;
    o.batch_size = 4;
    o.threads = 1;  // four samples: more threads would only add overhead
    o.metric = ctnn::fit_metric::accuracy;
    o.progress = ctnn::progress_mode::none;
    const ctnn::fit_result r = ctnn::fit<ctnn::loss::binary_cross_entropy>(xor_net, sgd, xor_data, nullptr, o);
    if (!quiet)
        std::printf("\nXOR with 2-2-1 sigmoid units: %zu epochs of gradient descent, final loss %.4f\n", r.epochs_run,
                    r.history.epochs.back().train_loss);
    wrong += truth_table<XorNet>("\nXOR, 2-2-1 sigmoid:", xor_net, xor_truth, quiet);

    if (wrong != 0) {
        std::printf("%d truth-table rows wrong\n", wrong);
        return 1;
    }
    return 0;
}
