// Fashion-MNIST epochs with ctnn::fit, the same training as bench/fashion_mnist_torch.py (bench/README.md,
// "Fashion-MNIST"): 784 - 128 relu - 10, softmax cross-entropy on the logits (mean over the mini-batch),
// mini-batches of 32 from a fresh shuffle every epoch, SGD lr 0.1 or Adam lr 1e-3, float, PyTorch's default
// initialization. Prints each epoch's seconds (fit's history: shuffle, forward, loss, backward, step) and the test
// accuracy after the last epoch.
//   bench_fashion_mnist [--threads N] [--optimizer sgd|adam] [--epochs N] [--seed N] [--data DIR]
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include <ctnn/ctnn.hpp>
#include <ctnn/data/idx.hpp>
#include <ctnn/train/fit.hpp>
#include <ctnn/train/losses.hpp>
#include <ctnn/train/optimizers.hpp>

namespace {

using Net = ctnn::network<ctnn::input<784>, ctnn::dense<128, ctnn::relu>, ctnn::dense<10>>;

struct arguments {
    std::size_t threads = 1;
    std::string optimizer = "sgd";
    std::size_t epochs = 5;
    std::uint64_t seed = 1;
    std::string data = "/usr/share/datasets/fashion-mnist";
};

[[noreturn]] void usage(const char* why) {
    std::fprintf(stderr,
                 "bench_fashion_mnist: %s\nusage: bench_fashion_mnist [--threads N] [--optimizer sgd|adam] "
                 "[--epochs N] [--seed N] [--data DIR]\n",
                 why);
    std::exit(2);
}

arguments parse(int argc, char** argv) {
    arguments a;
    for (int i = 1; i < argc; ++i) {
        const std::string key = argv[i];
        if (i + 1 >= argc) usage(("no value after " + key).c_str());
        const std::string value = argv[++i];
        const auto number = [&] {
            char* end = nullptr;
            const unsigned long long v = std::strtoull(value.c_str(), &end, 10);
            if (value.empty() || *end != '\0') usage((key + " needs a number").c_str());
            return v;
        };
        if (key == "--threads")
            a.threads = std::size_t(number());
        else if (key == "--optimizer")
            a.optimizer = value;
        else if (key == "--epochs")
            a.epochs = std::size_t(number());
        else if (key == "--seed")
            a.seed = number();
        else if (key == "--data")
            a.data = value;
        else
            usage(("unknown option " + key).c_str());
    }
    if (a.optimizer != "sgd" && a.optimizer != "adam") usage("--optimizer must be sgd or adam");
    if (a.threads == 0 || a.epochs == 0) usage("--threads and --epochs must be at least 1");
    return a;
}

template <class Optimizer>
int run(const arguments& a, Optimizer& opt) {
    const auto train = ctnn::data::load_fashion_mnist(a.data + "/train-images-idx3-ubyte.gz",
                                                      a.data + "/train-labels-idx1-ubyte.gz");
    const auto test = ctnn::data::load_fashion_mnist(a.data + "/t10k-images-idx3-ubyte.gz",
                                                     a.data + "/t10k-labels-idx1-ubyte.gz");
    auto p = std::make_unique<Net::parameters<float>>();  // 400 KB: not on the stack
    ctnn::initialize(*p, ctnn::torch_default{}, a.seed);

    ctnn::fit_options o;
    o.epochs = a.epochs;
    o.batch_size = 32;
    o.threads = a.threads;
    o.seed = a.seed;
    o.progress = ctnn::progress_mode::none;
    std::printf("ctnn, %zu thread(s), %s, batch 32, %zu training / %zu test samples\n", a.threads,
                a.optimizer.c_str(), train.size(), test.size());
    std::vector<double> seconds;
    const auto report = [&](const ctnn::epoch_record& e) {
        std::printf("epoch %zu: %.3f s, training loss %.4f\n", e.epoch, e.seconds, e.train_loss);
        std::fflush(stdout);
        seconds.push_back(e.seconds);
    };
    const ctnn::fit_result r = ctnn::fit<ctnn::loss::cross_entropy>(*p, opt, train, nullptr, o, report);
    if (r.epochs_run != a.epochs) {
        std::fprintf(stderr, "bench_fashion_mnist: %s\n", r.message.c_str());
        return 1;
    }
    std::sort(seconds.begin(), seconds.end());
    const std::size_t n = seconds.size();
    const double median = n % 2 == 1 ? seconds[n / 2] : (seconds[n / 2 - 1] + seconds[n / 2]) / 2;
    const auto e = ctnn::evaluate<ctnn::loss::cross_entropy>(*p, test, ctnn::fit_metric::accuracy);
    std::printf("median epoch %.3f s; test accuracy after %zu epochs: %.2f%%\n", median, a.epochs, 100 * e.metric);
    return 0;
}

}  // namespace

int main(int argc, char** argv) try {
    const arguments a = parse(argc, argv);
    // The optimizers hold their state in arrays the size of the parameters: static, not on the stack.
    if (a.optimizer == "sgd") {
        static ctnn::optim::sgd<Net, float> opt(ctnn::optim::sgd_options{.lr = 0.1});
        return run(a, opt);
    }
    static ctnn::optim::adam<Net, float> opt(ctnn::optim::adam_options{.lr = 1e-3});
    return run(a, opt);
} catch (const std::exception& e) {
    std::fprintf(stderr, "bench_fashion_mnist: %s\n", e.what());
    return 1;
}
