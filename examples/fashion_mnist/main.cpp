// Tutorial: image classification on Fashion-MNIST (Zalando's 28x28 grey pictures of 10 kinds of clothing; 60000
// for training, 10000 for testing) with a 784-128relu-10 network, plain SGD (lr 0.1, batches of 32), 5 epochs.
//   fashion_mnist [--data DIR] [--train N] [--test N] [--epochs N] [--threads N] [--min-accuracy X] [--quick]
//                 [--save MODEL.ctnn.json]
// --data: the folder with the four .gz files (default /usr/share/datasets/fashion-mnist, Debian's
// dataset-fashion-mnist). --quick: 6000 training and 1000 test images, 2 epochs, bar 0.75 (the test).
// Prints progress per epoch, the test accuracy and the confusion matrix. Exits non-zero if the test accuracy is
// below the bar (default 0.85), 77 if the data files are missing (the test counts that as skipped).
#include <ctnn/ctnn.hpp>
#include <ctnn/data/idx.hpp>
#include <ctnn/io.hpp>
#include <ctnn/train/fit.hpp>
#include <ctnn/train/losses.hpp>
#include <ctnn/train/metrics.hpp>
#include <ctnn/train/optimizers.hpp>

#include <array>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <string>

namespace {

// 784 pixels in, 128 ReLU units, 10 logits out (cross_entropy applies the softmax inside the loss).
using Net = ctnn::network<ctnn::input<784>, ctnn::dense<128, ctnn::relu>, ctnn::dense<10>>;
// 100 k parameters, 400 KB: static storage, never on the stack (the optimizer holds a momentum buffer as large).
Net::parameters<float> params;
ctnn::optim::sgd<Net, float> sgd;

constexpr int missing_data = 77;  // ctest's SKIP_RETURN_CODE for this test

struct settings {
    std::filesystem::path data = "/usr/share/datasets/fashion-mnist";
    std::size_t train = 60000, test = 10000, epochs = 5, threads = 2;
    double min_accuracy = 0.85;
    std::filesystem::path model;  // --save
};

bool parse(int argc, char** argv, settings& s) {
    for (int i = 1; i < argc; ++i) {
        const bool has_value = i + 1 < argc;
        const auto count = [&](std::size_t& v) {
            v = std::strtoul(argv[++i], nullptr, 10);
            return v > 0;
        };
        if (std::strcmp(argv[i], "--quick") == 0) {
            s.train = 6000;
            s.test = 1000;
            s.epochs = 2;
            s.min_accuracy = 0.75;
        } else if (std::strcmp(argv[i], "--data") == 0 && has_value) {
            s.data = argv[++i];
        } else if (std::strcmp(argv[i], "--train") == 0 && has_value) {
            if (!count(s.train)) return false;
        } else if (std::strcmp(argv[i], "--test") == 0 && has_value) {
            if (!count(s.test)) return false;
        } else if (std::strcmp(argv[i], "--epochs") == 0 && has_value) {
            if (!count(s.epochs)) return false;
        } else if (std::strcmp(argv[i], "--threads") == 0 && has_value) {
            if (!count(s.threads)) return false;
        } else if (std::strcmp(argv[i], "--min-accuracy") == 0 && has_value) {
            s.min_accuracy = std::strtod(argv[++i], nullptr);
        } else if (std::strcmp(argv[i], "--save") == 0 && has_value) {
            s.model = argv[++i];
        } else {
            return false;
        }
    }
    return true;
}

std::size_t argmax(const std::array<float, 10>& v) {
    std::size_t k = 0;
    for (std::size_t c = 1; c < 10; ++c)
        if (v[c] > v[k]) k = c;
    return k;
}

int run(const settings& s) {
    const auto file = [&](const char* name) { return s.data / name; };
    for (const char* name : {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                             "t10k-labels-idx1-ubyte.gz"})
        if (!std::filesystem::exists(file(name))) {
            std::printf("SKIPPED: %s is missing (Debian: apt install dataset-fashion-mnist, or pass --data DIR)\n",
                        file(name).string().c_str());
            return missing_data;
        }

    // 1. Load: pixels scaled to [0, 1], labels as one-hot rows. The first N of each file (the files are not sorted
    //    by class, so a prefix is a fair sample).
    const auto train = ctnn::data::load_fashion_mnist(file("train-images-idx3-ubyte.gz"),
                                                      file("train-labels-idx1-ubyte.gz"), s.train);
    const auto test = ctnn::data::load_fashion_mnist(file("t10k-images-idx3-ubyte.gz"),
                                                     file("t10k-labels-idx1-ubyte.gz"), s.test);
    std::printf("Fashion-MNIST: %zu training and %zu test images; network 784-128relu-10 (%zu parameters)\n",
                train.size(), test.size(), Net::parameter_count);

    // 2. Train: mini-batch SGD. fit splits each batch of 32 over `threads` threads and sums their gradients in a
    //    fixed order, so a given thread count always gives the same result.
    ctnn::initialize(params, ctnn::he_uniform{}, 1);
    sgd.options.lr = 0.1;
    ctnn::fit_options o;
    o.epochs = s.epochs;
    o.batch_size = 32;
    o.threads = s.threads;
    o.seed = 1;
    o.metric = ctnn::fit_metric::accuracy;
    o.progress = ctnn::progress_mode::automatic;  // a live bar on a terminal, one line per epoch otherwise
    o.progress_stream = stdout;
    ctnn::fit<ctnn::loss::cross_entropy>(params, sgd, train, nullptr, o);

    // 3. Test: accuracy and the confusion matrix (rows: true class, columns: predicted class).
    ctnn::metric::confusion_matrix<10> confusion;
    for (std::size_t i = 0; i < test.size(); ++i) {
        std::array<float, 10> logits;
        Net::forward(params, test.inputs[i], logits);
        confusion.add(argmax(logits), argmax(test.targets[i]));
    }
    std::printf("\nTest accuracy %.4f, macro F1 %.4f\n\n", confusion.accuracy(), confusion.macro_f1());
    std::printf("%-12s", "true \\ pred");
    for (std::size_t p = 0; p < 10; ++p) std::printf(" %5zu", p);
    std::printf("   recall\n");
    for (std::size_t t = 0; t < 10; ++t) {
        std::printf("%zu %-10s", t, test.class_names[t].c_str());
        for (std::size_t p = 0; p < 10; ++p) std::printf(" %5zu", confusion.at(t, p));
        std::printf("   %.3f\n", confusion.recall(t));
    }

    if (!s.model.empty()) {
        ctnn::save(s.model, params);
        std::printf("\nSaved the model to %s\n", s.model.string().c_str());
    }
    if (confusion.accuracy() < s.min_accuracy) {
        std::printf("FAIL: test accuracy %.4f is below %.2f\n", confusion.accuracy(), s.min_accuracy);
        return 1;
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    settings s;
    if (!parse(argc, argv, s)) {
        std::fprintf(stderr, "usage: fashion_mnist [--data DIR] [--train N] [--test N] [--epochs N] [--threads N] "
                             "[--min-accuracy X] [--quick] [--save MODEL.ctnn.json]\n");
        return 2;
    }
    try {
        return run(s);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fashion_mnist: %s\n", e.what());
        return 1;
    }
}
