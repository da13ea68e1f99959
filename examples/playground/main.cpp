// Tutorial: the TensorFlow playground's four 2-D classification problems (datasets.hpp), each learned by a small
// tanh network with a sigmoid output, and drawn like the playground: the decision boundary and the points.
//   playground [--quick] [--points N] [--noise X] [--epochs N] [--out DIR]
// Prints each problem's test accuracy and writes DIR/playground_<problem>.svg. Exits non-zero if a test accuracy
// is below its bar (0.95; 0.85 for the spiral).
#include <ctnn/ctnn.hpp>
#include <ctnn/train/fit.hpp>
#include <ctnn/train/losses.hpp>
#include <ctnn/train/optimizers.hpp>

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "boundary_svg.hpp"
#include "datasets.hpp"

namespace {

struct settings {
    std::size_t points = 500;  // training points per problem; as many again for the test
    double noise = 0.05;  // jitter of 0.25 in the playground's units
    std::size_t epochs = 300;  // the spiral gets three times as many
    std::filesystem::path out = ".";
};

// Two hidden layers of 8 tanh units draw circles, quadrants and lines; the spiral's curls need 16.
using small_net = ctnn::network<ctnn::input<2>, ctnn::dense<8, ctnn::tanh>, ctnn::dense<8, ctnn::tanh>,
                                ctnn::dense<1, ctnn::sigmoid>>;
using spiral_net = ctnn::network<ctnn::input<2>, ctnn::dense<16, ctnn::tanh>, ctnn::dense<16, ctnn::tanh>,
                                 ctnn::dense<1, ctnn::sigmoid>>;

// Fraction of the points whose label the network gets right (output above 0.5 means label 1).
template <class Net>
double accuracy(const typename Net::template parameters<float>& p, const playground::points& d) {
    std::size_t hits = 0;
    for (std::size_t i = 0; i < d.size(); ++i) {
        float y[1];
        Net::forward(p, d.inputs[i], y);
        hits += (y[0] > 0.5f) == (d.targets[i][0] > 0.5f) ? 1 : 0;
    }
    return static_cast<double>(hits) / static_cast<double>(d.size());
}

// Trains Net on one problem, prints the accuracies, writes the picture; returns the test accuracy.
template <class Net>
double solve(playground::problem problem, const settings& s, std::size_t epochs) {
    static typename Net::template parameters<float> p;
    static ctnn::optim::adam<Net, float> adam;
    // Training and test points come from the same generator with different seeds.
    const playground::points train = playground::make(problem, s.points, s.noise, 1);
    const playground::points test = playground::make(problem, s.points, s.noise, 2);

    ctnn::initialize(p, ctnn::xavier_uniform{}, 1);
    adam = {};
    adam.options.lr = 0.01;
    ctnn::fit_options o;
    o.epochs = epochs;
    o.batch_size = 16;
    o.threads = 1;  // a net this small gains nothing from more threads
    o.seed = 1;
    o.metric = ctnn::fit_metric::accuracy;
    o.progress = ctnn::progress_mode::none;
    // A sigmoid output with binary cross-entropy: the loss of a yes/no answer given as a probability.
    ctnn::fit<ctnn::loss::binary_cross_entropy>(p, adam, train, nullptr, o);

    const double train_accuracy = accuracy<Net>(p, train);
    const double test_accuracy = accuracy<Net>(p, test);
    const std::string name(playground::name(problem));
    std::printf("%-10s %2zu-%zu tanh  %5zu epochs   train accuracy %.3f   test accuracy %.3f\n", name.c_str(),
                Net::template out_size<0>, Net::template out_size<1>, epochs, train_accuracy, test_accuracy);

    char title[128];
    std::snprintf(title, sizeof title, "%s: test accuracy %.3f", name.c_str(), test_accuracy);
    const auto probability = [&](double x, double y) {
        const float in[2] = {static_cast<float>(x), static_cast<float>(y)};
        float out[1];
        Net::forward(p, in, out);
        return static_cast<double>(out[0]);
    };
    const std::filesystem::path svg = s.out / ("playground_" + name + ".svg");
    if (!playground::write_boundary_svg(svg.string(), title, probability, train, test))
        throw std::runtime_error(svg.string() + ": cannot write");
    return test_accuracy;
}

}  // namespace

int main(int argc, char** argv) {
    settings s;
    bool ok = true;
    for (int i = 1; i < argc && ok; ++i) {
        const bool has_value = i + 1 < argc;
        if (std::strcmp(argv[i], "--quick") == 0) {
            s.points = 300;
            s.epochs = 200;
        } else if (std::strcmp(argv[i], "--points") == 0 && has_value) {
            s.points = std::strtoul(argv[++i], nullptr, 10) / 2 * 2;  // even: half of each label
            ok = s.points > 0;
        } else if (std::strcmp(argv[i], "--noise") == 0 && has_value) {
            s.noise = std::strtod(argv[++i], nullptr);
            ok = s.noise >= 0 && s.noise <= 0.5;
        } else if (std::strcmp(argv[i], "--epochs") == 0 && has_value) {
            s.epochs = std::strtoul(argv[++i], nullptr, 10);
            ok = s.epochs > 0;
        } else if (std::strcmp(argv[i], "--out") == 0 && has_value) {
            s.out = argv[++i];
        } else {
            ok = false;
        }
    }
    if (!ok) {
        std::fprintf(stderr, "usage: playground [--quick] [--points N] [--noise X] [--epochs N] [--out DIR]\n");
        return 2;
    }

    try {
        std::filesystem::create_directories(s.out);
        int failures = 0;
        for (const playground::problem problem : playground::problems) {
            const bool spiral = problem == playground::problem::spiral;
            const double bar = spiral ? 0.85 : 0.95;
            const double acc =
                spiral ? solve<spiral_net>(problem, s, 3 * s.epochs) : solve<small_net>(problem, s, s.epochs);
            if (acc < bar) {
                std::printf("FAIL: %.*s test accuracy %.3f is below %.2f\n",
                            static_cast<int>(playground::name(problem).size()), playground::name(problem).data(), acc,
                            bar);
                ++failures;
            }
        }
        std::printf("Wrote %s/playground_{circle,xor,gaussians,spiral}.svg\n", s.out.string().c_str());
        return failures == 0 ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "playground: %s\n", e.what());
        return 1;
    }
}
