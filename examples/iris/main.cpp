// Tutorial: a whole supervised-learning workflow on Fisher's Iris data (150 flowers, 4 measurements, 3 species).
//   load the CSV -> stratified train/validation/test split -> standardize (fitted on the training part only)
//   -> train 4-16relu-3 with cross-entropy and Adam, early stopping on the validation loss
//   -> test accuracy and confusion matrix -> save the model with its normalizer (for ctnn-gen)
//   iris [--data iris.csv] [--out DIR] [--epochs N] [--quiet]
// The CSV is found through --data, else the environment variable CTNN_EXAMPLES_DATA (a directory holding
// iris.csv), else the path CMake compiled in. Writes DIR/iris.ctnn.json (the model), DIR/iris_history.csv and
// .svg (training curves) and DIR/iris_test_outputs.txt (the test set with the saved network's outputs, for
// checking a generated header against the library). Exits non-zero if the test accuracy is below 0.95.
#include <ctnn/ctnn.hpp>
#include <ctnn/data/csv.hpp>
#include <ctnn/data/normalize.hpp>
#include <ctnn/data/split.hpp>
#include <ctnn/io.hpp>
#include <ctnn/train/fit.hpp>
#include <ctnn/train/losses.hpp>
#include <ctnn/train/metrics.hpp>
#include <ctnn/train/optimizers.hpp>
#include <ctnn/torch_layout.hpp>

#include <array>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <string>

#ifndef CTNN_IRIS_CSV
#define CTNN_IRIS_CSV "iris.csv"
#endif

namespace {

// Training network: its output is the three logits, which ctnn::loss::cross_entropy turns into probabilities
// itself (softmax inside the loss is exact and stable, like PyTorch's nn.CrossEntropyLoss).
using Net = ctnn::network<ctnn::input<4>, ctnn::dense<16, ctnn::relu>, ctnn::dense<3>>;
// Deployed network: the same weights with a softmax output, so its outputs are the species' probabilities.
using Deployed = ctnn::network<ctnn::input<4>, ctnn::dense<16, ctnn::relu>, ctnn::dense<3, ctnn::softmax>>;
static_assert(Net::parameter_count == Deployed::parameter_count);

Net::parameters<float> params;
Deployed::parameters<float> deployed, reloaded;

struct settings {
    std::filesystem::path data;
    std::filesystem::path out = ".";
    std::size_t epochs = 300;
    bool quiet = false;
};

bool parse(int argc, char** argv, settings& s) {
    if (const char* dir = std::getenv("CTNN_EXAMPLES_DATA"); dir != nullptr && *dir != '\0')
        s.data = std::filesystem::path(dir) / "iris.csv";
    else
        s.data = CTNN_IRIS_CSV;
    for (int i = 1; i < argc; ++i) {
        const bool has_value = i + 1 < argc;
        if (std::strcmp(argv[i], "--data") == 0 && has_value) {
            s.data = argv[++i];
        } else if (std::strcmp(argv[i], "--out") == 0 && has_value) {
            s.out = argv[++i];
        } else if (std::strcmp(argv[i], "--epochs") == 0 && has_value) {
            s.epochs = std::strtoul(argv[++i], nullptr, 10);
            if (s.epochs == 0) return false;
        } else if (std::strcmp(argv[i], "--quiet") == 0) {
            s.quiet = true;
        } else {
            return false;
        }
    }
    return true;
}

// The species with the largest output.
std::size_t predicted_class(const std::array<float, 3>& y) {
    std::size_t k = 0;
    for (std::size_t c = 1; c < 3; ++c)
        if (y[c] > y[k]) k = c;
    return k;
}

// The species of a one-hot target row.
std::size_t true_class(const std::array<float, 3>& one_hot) { return predicted_class(one_hot); }

void print_confusion(const ctnn::metric::confusion_matrix<3>& m, const std::vector<std::string>& names) {
    std::printf("%-16s", "true \\ predicted");
    for (const auto& n : names) std::printf(" %11s", n.c_str());
    std::printf("\n");
    for (std::size_t t = 0; t < 3; ++t) {
        std::printf("%-16s", names[t].c_str());
        for (std::size_t p = 0; p < 3; ++p) std::printf(" %11zu", m.at(t, p));
        std::printf("\n");
    }
}

// One line per test flower: the 4 raw measurements (as in the CSV, before standardization), the true class index
// and the deployed network's 3 probabilities (computed from the standardized measurements), 9 significant digits.
void write_test_outputs(const std::filesystem::path& path, const ctnn::data::dataset<4, 3>& raw_test,
                        const ctnn::data::normalizer<4>& norm) {
    std::FILE* f = std::fopen(path.string().c_str(), "w");
    if (f == nullptr) throw std::runtime_error(path.string() + ": cannot write");
    std::fprintf(f, "# iris test set: sepal_length sepal_width petal_length petal_width (raw), true class, "
                    "then the saved network's softmax outputs for the standardized inputs\n");
    for (std::size_t i = 0; i < raw_test.size(); ++i) {
        std::array<float, 3> y;
        Deployed::forward(deployed, norm.applied(raw_test.inputs[i]), y);
        const auto& x = raw_test.inputs[i];
        std::fprintf(f, "%.9g %.9g %.9g %.9g %zu %.9g %.9g %.9g\n", static_cast<double>(x[0]),
                     static_cast<double>(x[1]), static_cast<double>(x[2]), static_cast<double>(x[3]),
                     true_class(raw_test.targets[i]), static_cast<double>(y[0]), static_cast<double>(y[1]),
                     static_cast<double>(y[2]));
    }
    if (std::fclose(f) != 0) throw std::runtime_error(path.string() + ": cannot write");
}

int run(const settings& s) {
    // 1. Load: the four measurement columns are the inputs, "species" becomes one-hot targets (classes sorted:
    //    setosa, versicolor, virginica).
    ctnn::data::csv_options csv;
    csv.label = "species";
    const auto iris = ctnn::data::load_csv<4, 3>(s.data, csv);

    // 2. Split 60/20/20, stratified: each part keeps the 1:1:1 class balance (30 test flowers, 10 per species).
    //    The validation part picks the epoch to keep (early stopping); the test part is touched once, at the end.
    auto parts = ctnn::data::split(iris, {0.6, 0.2, 0.2}, 42, ctnn::data::stratify::by_class);
    const auto raw_test = parts.test;

    // 3. Standardize each measurement to mean 0, standard deviation 1, with statistics of the training part
    //    only (using the test part's would leak information about it into training).
    ctnn::data::normalizer<4> norm(ctnn::data::normalization::standardize);
    norm.fit(parts.train);
    norm.apply(parts.train);
    norm.apply(parts.validation);
    norm.apply(parts.test);

    // 4. Train. He initialization suits ReLU; Adam with lr 0.01 needs no tuning on data this small. Early stopping
    //    ends training when the validation loss has not improved for 50 epochs and restores the best epoch.
    ctnn::initialize(params, ctnn::he_uniform{}, 1);
    ctnn::optim::adam<Net, float> adam;
    adam.options.lr = 0.01;
    ctnn::fit_options o;
    o.epochs = s.epochs;
    o.batch_size = 16;
    o.threads = 1;  // 90 samples: one thread is fastest
    o.seed = 1;
    o.metric = ctnn::fit_metric::accuracy;
    o.early_stopping = {.patience = 50, .min_delta = 0, .restore_best = true};
    o.progress = ctnn::progress_mode::none;  // instead, the callback below prints every 20th epoch
    std::filesystem::create_directories(s.out);
    o.history_csv = s.out / "iris_history.csv";
    o.history_svg = s.out / "iris_history.svg";
    // A callback sees each epoch's record; returning false would stop training.
    const auto report = [&](const ctnn::epoch_record& e) {
        if (!s.quiet && e.epoch % 20 == 0)
            std::printf("epoch %3zu  loss %.4f  val_loss %.4f  accuracy %.3f  val_accuracy %.3f\n", e.epoch,
                        e.train_loss, e.val_loss, e.train_metric, e.val_metric);
        return true;
    };
    const ctnn::fit_result r =
        ctnn::fit<ctnn::loss::cross_entropy>(params, adam, parts.train, &parts.validation, o, report);
    if (r.message.empty())
        std::printf("Trained all %zu epochs\n", r.epochs_run);
    else
        std::printf("%s\n", r.message.c_str());

    // 5. Evaluate on the test part: accuracy and the confusion matrix (rows: true species, columns: predicted).
    ctnn::metric::confusion_matrix<3> confusion;
    for (std::size_t i = 0; i < parts.test.size(); ++i) {
        std::array<float, 3> logits;
        Net::forward(params, parts.test.inputs[i], logits);
        confusion.add(predicted_class(logits), true_class(parts.test.targets[i]));
    }
    std::printf("\nTest accuracy %.4f (%zu of %zu), macro F1 %.4f\n", confusion.accuracy(),
                confusion.at(0, 0) + confusion.at(1, 1) + confusion.at(2, 2), confusion.total(), confusion.macro_f1());
    print_confusion(confusion, iris.class_names);

    // 6. Deploy: copy the weights into the softmax network (the same layout; export/import in PyTorch's order
    //    keeps it independent of padding) and save it with the normalizer, so a user of the model file (or of
    //    the header ctnn-gen makes from it) feeds raw measurements.
    std::array<float, Net::parameter_count> flat;
    ctnn::export_torch(params, std::span<float, Net::parameter_count>(flat));
    ctnn::import_torch(deployed, std::span<const float, Deployed::parameter_count>(flat));
    const std::filesystem::path model = s.out / "iris.ctnn.json";
    ctnn::save(model, deployed, norm);
    write_test_outputs(s.out / "iris_test_outputs.txt", raw_test, norm);

    // 7. A program that uses the model loads it back, normalizer included, and feeds raw measurements.
    ctnn::data::normalizer<4> reloaded_norm;
    ctnn::load(model, reloaded, reloaded_norm);
    std::size_t same = 0;
    for (std::size_t i = 0; i < raw_test.size(); ++i) {
        std::array<float, 3> a, b;
        Deployed::forward(deployed, norm.applied(raw_test.inputs[i]), a);
        Deployed::forward(reloaded, reloaded_norm.applied(raw_test.inputs[i]), b);
        same += a == b ? 1 : 0;
    }
    if (same != raw_test.size()) {
        std::printf("FAIL: the reloaded model differs from the saved one on %zu test flowers\n",
                    raw_test.size() - same);
        return 1;
    }
    std::printf("\nWrote %s, %s, %s and %s\n", model.string().c_str(), o.history_csv.string().c_str(),
                o.history_svg.string().c_str(), (s.out / "iris_test_outputs.txt").string().c_str());

    if (confusion.accuracy() < 0.95) {
        std::printf("FAIL: test accuracy %.4f is below 0.95\n", confusion.accuracy());
        return 1;
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    settings s;
    if (!parse(argc, argv, s)) {
        std::fprintf(stderr, "usage: iris [--data iris.csv] [--out DIR] [--epochs N] [--quiet]\n");
        return 2;
    }
    try {
        return run(s);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "iris: %s\n", e.what());
        return 1;
    }
}
