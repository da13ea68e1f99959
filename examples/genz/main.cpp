// Tutorial: function approximation. A small network learns each of Genz's six test functions (genz.hpp) in 2, 5 and
// 10 dimensions from 10, 50, 100 and 500 random samples; we measure how far it is off on 1000 other points.
//   genz [--quick] [--dims 2,5,10] [--samples 10,50,100,500] [--epochs N] [--out DIR]
// --quick: 2-D only, 10 and 500 samples (the test). Prints a table, writes DIR/genz_errors.svg (error vs sample
// count, one panel per function, log-log) and DIR/genz_errors.csv. Exits non-zero if, for a smooth function in 2-D,
// the error with the most samples is not below the error with the fewest, or not below 0.02.
#include <ctnn/ctnn.hpp>
#include <ctnn/plot/svg_chart.hpp>
#include <ctnn/train/fit.hpp>
#include <ctnn/train/losses.hpp>
#include <ctnn/train/optimizers.hpp>
#include <ctnn/train/schedules.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "genz.hpp"

namespace {

struct settings {
    std::vector<std::size_t> dims = {2, 5, 10};
    std::vector<std::size_t> samples = {10, 50, 100, 500};
    std::size_t epochs = 2000;
    std::filesystem::path out = ".";
};

// One experiment's result: mean and maximum |network - f| over the test points.
struct result {
    genz::family family;
    std::size_t dim, samples;
    double mean_error, max_error;
};

// n points drawn uniformly from [0,1]^D with their values f(x). The network sees x scaled to [-1, 1]: inputs
// centred on 0 suit tanh units and xavier-initialized weights.
template <std::size_t D>
ctnn::data::dataset<D, 1> sample(const genz::function<D>& f, std::size_t n, ctnn::random_source& rng) {
    ctnn::data::dataset<D, 1> d;
    d.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        std::array<double, D> x;
        std::array<float, D> scaled;
        for (std::size_t k = 0; k < D; ++k) {
            x[k] = rng.uniform();
            scaled[k] = static_cast<float>(2 * x[k] - 1);
        }
        d.add(scaled, {static_cast<float>(f(x))});
    }
    return d;
}

// The experiments of one dimension D: every family, every sample count.
template <std::size_t D>
void run_dimension(const settings& s, std::vector<result>& results) {
    // d inputs, two hidden layers of 32 tanh units, one linear output: a smooth approximator.
    using Net = ctnn::network<ctnn::input<D>, ctnn::dense<32, ctnn::tanh>, ctnn::dense<32, ctnn::tanh>, ctnn::dense<1>>;
    static typename Net::template parameters<float> p;  // static: off the stack
    static ctnn::optim::adam<Net, float> adam;          // its moment estimates are as large as p

    for (const genz::family fam : genz::families) {
        // The function's coefficients, the training samples and the test points each get their own seed, so
        // changing one setting (say, the sample counts) leaves every other draw the same.
        ctnn::random_source coefficients(1000 * D + static_cast<std::size_t>(fam));
        const genz::function<D> f(fam, coefficients);
        ctnn::random_source test_points(99);
        const auto test = sample(f, 1000, test_points);

        for (const std::size_t n : s.samples) {
            ctnn::random_source draws(1'000'000 + n);  // never the test points' seed
            const auto train = sample(f, n, draws);

            ctnn::initialize(p, ctnn::xavier_uniform{}, 1);
            adam = {};
            adam.options.lr = 0.01;
            ctnn::fit_options o;
            o.epochs = s.epochs;
            o.batch_size = std::min<std::size_t>(n, 50);  // more samples: more (not larger) steps per epoch
            o.threads = 1;  // a net this small gains nothing from more threads
            o.seed = 1;
            o.metric = ctnn::fit_metric::none;
            o.progress = ctnn::progress_mode::none;
            // The learning rate follows a cosine from 0.01 down to 0 over the run: large steps early, and small
            // ones at the end that settle into the minimum instead of rattling around it.
            ctnn::schedule::cosine_annealing_lr cosine(adam.options.lr, static_cast<std::int64_t>(s.epochs));
            ctnn::fit<ctnn::loss::mse>(p, adam, train, nullptr, o, cosine);

            result r{fam, D, n, 0, 0};
            for (std::size_t i = 0; i < test.size(); ++i) {
                float y[1];
                Net::forward(p, test.inputs[i], y);
                const double e = std::abs(static_cast<double>(y[0]) - static_cast<double>(test.targets[i][0]));
                r.mean_error += e;
                r.max_error = std::max(r.max_error, e);
            }
            r.mean_error /= static_cast<double>(test.size());
            std::printf("%-14.*s %3zu %8zu %12.5f %12.5f\n", static_cast<int>(genz::name(fam).size()),
                        genz::name(fam).data(), D, n, r.mean_error, r.max_error);
            std::fflush(stdout);
            results.push_back(r);
        }
    }
}

// One panel per family: error vs sample count, a colour per dimension, mean solid and maximum dashed.
void write_plot(const std::vector<result>& results, const settings& s) {
    constexpr std::array<const char*, 3> colours = {"#0072b2", "#d55e00", "#009e73"};
    ctnn::plot::figure fig;
    fig.title = "Genz functions: error on 1000 test points vs training samples (solid: mean, dashed: max)";
    fig.columns = 3;
    for (const genz::family fam : genz::families) {
        ctnn::plot::line_chart c;
        c.title = std::string(genz::name(fam));
        c.x_label = "training samples";
        c.y_label = "|error|";
        c.log_x = c.log_y = true;
        for (std::size_t k = 0; k < s.dims.size(); ++k) {
            std::vector<double> n, mean, max;
            for (const result& r : results)
                if (r.family == fam && r.dim == s.dims[k]) {
                    n.push_back(static_cast<double>(r.samples));
                    mean.push_back(r.mean_error);
                    max.push_back(r.max_error);
                }
            const std::string d = "d = " + std::to_string(s.dims[k]);
            auto& solid = c.add(d + " mean", n, mean);
            solid.colour = colours[k % colours.size()];
            solid.markers = true;
            auto& dashed = c.add(d + " max", n, max);
            dashed.colour = colours[k % colours.size()];
            dashed.dashed = true;
        }
        fig.panels.push_back(std::move(c));
    }
    fig.write(s.out / "genz_errors.svg");
}

void write_csv(const std::vector<result>& results, const settings& s) {
    const std::filesystem::path path = s.out / "genz_errors.csv";
    std::FILE* f = std::fopen(path.string().c_str(), "w");
    if (f == nullptr) throw std::runtime_error(path.string() + ": cannot write");
    std::fprintf(f, "function,dim,samples,mean_error,max_error\n");
    for (const result& r : results)
        std::fprintf(f, "%.*s,%zu,%zu,%.6g,%.6g\n", static_cast<int>(genz::name(r.family).size()),
                     genz::name(r.family).data(), r.dim, r.samples, r.mean_error, r.max_error);
    if (std::fclose(f) != 0) throw std::runtime_error(path.string() + ": cannot write");
}

// The test's bar: with the most samples, every smooth function in 2-D is learned to a mean error below 0.02 and
// better than with the fewest. (The continuous and discontinuous ones have kinks and jumps a smooth network
// can only blur, so they are reported but not judged.)
int check(const std::vector<result>& results, const settings& s) {
    if (std::find(s.dims.begin(), s.dims.end(), 2) == s.dims.end() || s.samples.size() < 2) return 0;
    const std::size_t fewest = *std::min_element(s.samples.begin(), s.samples.end());
    const std::size_t most = *std::max_element(s.samples.begin(), s.samples.end());
    constexpr double bound = 0.02;
    int failures = 0;
    for (const genz::family fam : {genz::family::oscillatory, genz::family::product_peak, genz::family::corner_peak,
                                   genz::family::gaussian}) {
        double few = 0, many = 0;
        for (const result& r : results)
            if (r.family == fam && r.dim == 2) {
                if (r.samples == fewest) few = r.mean_error;
                if (r.samples == most) many = r.mean_error;
            }
        if (!(many < few && many < bound)) {
            std::printf("FAIL: %.*s in 2-D: mean error %.5f with %zu samples, %.5f with %zu (bar: below both %.2f "
                        "and the former)\n",
                        static_cast<int>(genz::name(fam).size()), genz::name(fam).data(), many, most, few, fewest,
                        bound);
            ++failures;
        }
    }
    return failures;
}

bool parse_list(const char* text, std::vector<std::size_t>& out) {
    out.clear();
    for (const char* p = text; *p != '\0';) {
        char* end = nullptr;
        const unsigned long v = std::strtoul(p, &end, 10);
        if (end == p || v == 0) return false;
        out.push_back(v);
        p = *end == ',' ? end + 1 : end;
        if (*end != ',' && *end != '\0') return false;
    }
    return !out.empty();
}

}  // namespace

int main(int argc, char** argv) {
    settings s;
    bool ok = true;
    for (int i = 1; i < argc && ok; ++i) {
        const bool has_value = i + 1 < argc;
        if (std::strcmp(argv[i], "--quick") == 0) {
            s.dims = {2};
            s.samples = {10, 500};
        } else if (std::strcmp(argv[i], "--dims") == 0 && has_value) {
            ok = parse_list(argv[++i], s.dims);
            for (std::size_t d : s.dims) ok = ok && (d == 2 || d == 5 || d == 10);
        } else if (std::strcmp(argv[i], "--samples") == 0 && has_value) {
            ok = parse_list(argv[++i], s.samples);
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
        std::fprintf(stderr, "usage: genz [--quick] [--dims 2,5,10] [--samples 10,50,100,500] [--epochs N] "
                             "[--out DIR]\n");
        return 2;
    }

    try {
        std::printf("%-14s %3s %8s %12s %12s\n", "function", "d", "samples", "mean error", "max error");
        std::vector<result> results;
        // The dimension is part of the network's type, so each one is its own instantiation.
        for (const std::size_t d : s.dims) {
            if (d == 2) run_dimension<2>(s, results);
            if (d == 5) run_dimension<5>(s, results);
            if (d == 10) run_dimension<10>(s, results);
        }
        std::filesystem::create_directories(s.out);
        write_plot(results, s);
        write_csv(results, s);
        std::printf("Wrote %s and %s\n", (s.out / "genz_errors.svg").string().c_str(),
                    (s.out / "genz_errors.csv").string().c_str());
        return check(results, s) == 0 ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "genz: %s\n", e.what());
        return 1;
    }
}
