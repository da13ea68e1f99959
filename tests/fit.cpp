// ctnn::fit: a 1-thread run equals a hand-written mini-batch loop bit for bit (shuffle, last short batch, penalty,
// loss bookkeeping); runs are deterministic per seed and thread count; it learns XOR and a linear map on 1 and 2
// threads; the NaN stop keeps the weights from before the bad batch; history rows, CSV/SVG files, progress output,
// schedules and callbacks do what docs/fit.md says.
#include <ctnn/ctnn.hpp>
#include <ctnn/train/fit.hpp>
#include <ctnn/train/losses.hpp>
#include <ctnn/train/optimizers.hpp>
#include <ctnn/train/schedules.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <memory>
#include <new>
#include <span>
#include <string>
#include <vector>

// Every allocation of this program is counted (for the no-allocation-per-batch test below).
namespace {
std::atomic<std::size_t> allocations{0};
void* counted(std::size_t n, std::size_t align = alignof(std::max_align_t)) {
    ++allocations;
    n = n == 0 ? 1 : n;
    void* p = align <= alignof(std::max_align_t) ? std::malloc(n)
                                                  : std::aligned_alloc(align, (n + align - 1) / align * align);
    if (p == nullptr) throw std::bad_alloc();
    return p;
}
}  // namespace
void* operator new(std::size_t n) { return counted(n); }
void* operator new[](std::size_t n) { return counted(n); }
void* operator new(std::size_t n, std::align_val_t a) { return counted(n, std::size_t(a)); }
void* operator new[](std::size_t n, std::align_val_t a) { return counted(n, std::size_t(a)); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace {

using Net = ctnn::network<ctnn::input<3>, ctnn::dense<5, ctnn::tanh>, ctnn::dense<2>>;
using P = Net::parameters<float>;
using Data = ctnn::data::dataset_for<Net>;

// y = A x + b plus a little deterministic noise.
Data linear_data(std::size_t n, std::uint64_t seed) {
    ctnn::random_source r(seed);
    Data d;
    for (std::size_t i = 0; i < n; ++i) {
        std::array<float, 3> x{};
        for (auto& v : x) v = float(r.uniform(-1, 1));
        const float y0 = 0.5f * x[0] - 0.25f * x[1] + 0.1f + float(r.uniform(-0.01, 0.01));
        const float y1 = -0.3f * x[2] + 0.2f * x[0];
        d.add(x, {y0, y1});
    }
    return d;
}

ctnn::fit_options quiet(std::size_t epochs, std::size_t batch, std::size_t threads) {
    ctnn::fit_options o;
    o.epochs = epochs;
    o.batch_size = batch;
    o.threads = threads;
    o.progress = ctnn::progress_mode::none;
    return o;
}

bool same_bits(const P& a, const P& b) { return std::memcmp(a.data, b.data, sizeof a.data) == 0; }

// docs/fit.md's seeds and shuffle, written out again from the text.
std::uint64_t derived(std::uint64_t seed, std::uint64_t tag, std::uint64_t index) {
    ctnn::random_source a(seed ^ (tag * 0x9E3779B97F4A7C15ull));
    ctnn::random_source b(a.next() ^ index);
    return b.next();
}
std::vector<std::size_t> shuffled(std::uint64_t seed, std::size_t epoch, std::size_t n) {
    std::vector<std::size_t> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = i;
    ctnn::random_source r(derived(seed, 1, epoch));
    for (std::size_t i = n - 1; i > 0; --i) std::swap(v[i], v[r.below(i + 1)]);
    return v;
}

// The mini-batch loop of docs/fit.md by hand, with Net::forward / Net::backward per sample. Returns the epochs'
// training losses.
std::vector<double> reference_loop(P& p, ctnn::optim::sgd<Net, float>& opt, const Data& d, std::size_t epochs,
                                   std::size_t batch, std::uint64_t seed, double l1, double l2) {
    std::vector<double> losses;
    auto ws = std::make_unique<Net::workspace<float>>();
    auto g = std::make_unique<P>();
    for (std::size_t e = 1; e <= epochs; ++e) {
        const auto order = shuffled(seed, e, d.size());
        double epoch_sum = 0;
        for (std::size_t begin = 0; begin < d.size(); begin += batch) {
            const std::size_t count = std::min(batch, d.size() - begin);
            std::fill(std::begin(g->data), std::end(g->data), 0.0f);
            double sum = 0;
            for (std::size_t k = 0; k < count; ++k) {
                const auto& x = d.inputs[order[begin + k]];
                const auto& t = d.targets[order[begin + k]];
                float y[1][2], target[1][2]{{t[0], t[1]}}, grad[1][2];
                Net::forward(p, x, y[0], *ws);
                sum += double(ctnn::loss::mse::value(y, target));
                ctnn::loss::mse::gradient(y, target, grad);
                std::array<float, 2> dy{grad[0][0] * (1.0f / float(count)), grad[0][1] * (1.0f / float(count))};
                Net::backward(p, *ws, dy, *g);
            }
            // The penalty over the weights only, by its formula.
            double abs_sum = 0, sq_sum = 0;
            for (std::size_t layer = 0; layer < Net::layer_count; ++layer) {
                const auto& l = Net::layout<float>[layer];
                for (std::size_t i = 0; i < l.in; ++i)  // the order fit sums in (the sum's last bit depends on it)
                    for (std::size_t o = 0; o < l.out; ++o) {
                        const float w = p.weight(layer, o, i);
                        abs_sum += std::abs(double(w));
                        sq_sum += double(w) * double(w);
                        const float sign = w > 0 ? 1.0f : (w < 0 ? -1.0f : 0.0f);
                        g->weight(layer, o, i) += float(l1) * sign + float(2 * l2) * w;
                    }
            }
            epoch_sum += (sum / double(count) + (l1 * abs_sum + l2 * sq_sum)) * double(count);
            opt.step(p, *g);
        }
        losses.push_back(epoch_sum / double(d.size()));
    }
    return losses;
}

}  // namespace

TEST_CASE("fit on one thread equals the hand-written mini-batch loop bit for bit") {
    const Data d = linear_data(37, 11);  // batches of 8: 8 8 8 8 5
    for (double l1 : {0.0, 1e-3})
        for (double l2 : {0.0, 1e-2}) {
            CAPTURE(l1, l2);
            static P a, b;
            ctnn::initialize(a, ctnn::xavier_uniform{}, 5);
            b = a;
            ctnn::optim::sgd<Net, float> opt_a({.lr = 0.05, .momentum = 0.9}), opt_b = opt_a;
            auto o = quiet(4, 8, 1);
            o.seed = 1234;
            o.l1 = l1;
            o.l2 = l2;
            const auto r = ctnn::fit<ctnn::loss::mse>(a, opt_a, d, nullptr, o);
            const auto losses = reference_loop(b, opt_b, d, 4, 8, 1234, l1, l2);
            CHECK(same_bits(a, b));
            REQUIRE(r.history.epochs.size() == 4);
            // Not bit for bit: the compiler may fuse l1 * a + l2 * b into an fma in one of the two places.
            for (std::size_t e = 0; e < 4; ++e)
                CHECK(r.history.epochs[e].train_loss == Approx(losses[e]).epsilon(1e-14));
            CHECK(r.epochs_run == 4);
            CHECK_FALSE(r.diverged);
            CHECK_FALSE(r.interrupted);
            CHECK_FALSE(r.stopped_early);
        }
}

TEST_CASE("fit is deterministic for a seed and a thread count") {
    const Data d = linear_data(100, 3);
    for (std::size_t threads : {1u, 2u, 3u}) {
        CAPTURE(threads);
        static P a, b;
        ctnn::initialize(a, ctnn::xavier_uniform{}, 9);
        b = a;
        ctnn::optim::adam<Net, float> opt_a({.lr = 1e-2}), opt_b = opt_a;
        auto o = quiet(5, 16, threads);
        o.seed = 77;
        const auto ra = ctnn::fit<ctnn::loss::mse>(a, opt_a, d, &d, o);
        const auto rb = ctnn::fit<ctnn::loss::mse>(b, opt_b, d, &d, o);
        CHECK(same_bits(a, b));
        for (std::size_t e = 0; e < 5; ++e) {
            CHECK(ra.history.epochs[e].train_loss == rb.history.epochs[e].train_loss);
            CHECK(ra.history.epochs[e].val_loss == rb.history.epochs[e].val_loss);
        }
    }
    // Another seed shuffles differently, so the weights differ.
    static P a, c;
    ctnn::initialize(a, ctnn::xavier_uniform{}, 9);
    c = a;
    ctnn::optim::adam<Net, float> opt_a({.lr = 1e-2}), opt_c = opt_a;
    auto o = quiet(2, 16, 1);
    ctnn::fit<ctnn::loss::mse>(a, opt_a, d, nullptr, o);
    o.seed = 2;
    ctnn::fit<ctnn::loss::mse>(c, opt_c, d, nullptr, o);
    CHECK_FALSE(same_bits(a, c));
}

TEST_CASE("fit on 1 and on 2 threads learns a linear map to the same weights up to rounding") {
    const Data train = linear_data(256, 21), val = linear_data(64, 22);
    using Lin = ctnn::network<ctnn::input<3>, ctnn::dense<2>>;
    ctnn::data::dataset_for<Lin> tr, va;
    tr.inputs = train.inputs, tr.targets = train.targets, va.inputs = val.inputs, va.targets = val.targets;
    static Lin::parameters<float> one, two;
    for (auto* p : {&one, &two}) {
        ctnn::initialize(*p, ctnn::zeros{}, 1);
        ctnn::optim::adam<Lin, float> opt({.lr = 2e-2});
        const auto r = ctnn::fit<ctnn::loss::mse>(*p, opt, tr, &va, quiet(60, 16, p == &one ? 1 : 2));
        CHECK(r.history.epochs.back().val_loss < 1e-4);
        CHECK(r.history.epochs.back().val_loss < r.history.epochs.front().val_loss / 100);
    }
    // y0 = 0.5 x0 - 0.25 x1 + 0.1, y1 = 0.2 x0 - 0.3 x2
    for (auto* p : {&one, &two}) {
        CHECK(p->weight(0, 0, 0) == Approx(0.5).margin(0.01));
        CHECK(p->weight(0, 0, 1) == Approx(-0.25).margin(0.01));
        CHECK(p->weight(0, 0, 2) == Approx(0).margin(0.01));
        CHECK(p->bias(0, 0) == Approx(0.1).margin(0.01));
        CHECK(p->weight(0, 1, 0) == Approx(0.2).margin(0.01));
        CHECK(p->weight(0, 1, 2) == Approx(-0.3).margin(0.01));
        CHECK(p->bias(0, 1) == Approx(0).margin(0.01));
    }
    for (std::size_t i = 0; i < Lin::parameters<float>::storage_size; ++i)
        CHECK(one.data[i] == Approx(two.data[i]).margin(1e-3));
}

TEST_CASE("fit learns XOR with accuracy 1 on 1 and 2 threads") {
    using Xor = ctnn::network<ctnn::input<2>, ctnn::dense<8, ctnn::tanh>, ctnn::dense<1, ctnn::sigmoid>>;
    ctnn::data::dataset_for<Xor> d;
    d.add({0, 0}, {0}), d.add({0, 1}, {1}), d.add({1, 0}, {1}), d.add({1, 1}, {0});
    for (std::size_t threads : {1u, 2u}) {
        static Xor::parameters<float> p;
        ctnn::initialize(p, ctnn::xavier_uniform{}, 3);
        ctnn::optim::adam<Xor, float> opt({.lr = 0.05});
        auto o = quiet(400, 4, threads);
        o.metric = ctnn::fit_metric::accuracy;
        const auto r = ctnn::fit<ctnn::loss::binary_cross_entropy>(p, opt, d, &d, o);
        CHECK(r.history.epochs.back().val_metric == 1.0);
        CHECK(r.history.epochs.back().train_metric == 1.0);
        CHECK(r.history.epochs.back().val_loss < 0.05);
        const auto e = ctnn::evaluate<ctnn::loss::binary_cross_entropy>(p, d, ctnn::fit_metric::accuracy);
        CHECK(e.metric == 1.0);
        CHECK(e.loss == Approx(r.history.epochs.back().val_loss).epsilon(1e-12));
        const auto y = ctnn::predict(p, d);
        REQUIRE(y.size() == 4);
        CHECK(y[0][0] < 0.5f);
        CHECK(y[1][0] > 0.5f);
        CHECK(y[2][0] > 0.5f);
        CHECK(y[3][0] < 0.5f);
    }
}

TEST_CASE("the history holds one row per epoch with the validation loss of that epoch's weights") {
    const Data train = linear_data(50, 5), val = linear_data(20, 6);
    static P p;
    ctnn::initialize(p, ctnn::xavier_uniform{}, 2);
    ctnn::optim::sgd<Net, float> opt({.lr = 0.1});
    ctnn::schedule::step_lr sched(0.1, 2, 0.5);
    std::vector<ctnn::evaluation> seen;
    std::vector<std::size_t> epochs_seen;
    auto o = quiet(5, 10, 1);
    o.metric = ctnn::fit_metric::mae;
    const auto dir = std::filesystem::temp_directory_path() / "ctnn_test_fit_history";
    std::filesystem::create_directories(dir);
    o.history_csv = dir / "h.csv";
    o.history_svg = dir / "h.svg";
    const auto r = ctnn::fit<ctnn::loss::mse>(p, opt, train, &val, o, sched, [&](const ctnn::epoch_record& e) {
        epochs_seen.push_back(e.epoch);
        seen.push_back(ctnn::evaluate<ctnn::loss::mse>(p, val, ctnn::fit_metric::mae));
    });
    REQUIRE(r.history.epochs.size() == 5);
    CHECK(r.history.metric_name == "mae");
    CHECK(epochs_seen == std::vector<std::size_t>{1, 2, 3, 4, 5});
    const double lrs[5] = {0.1, 0.1, 0.05, 0.05, 0.025};  // step_lr: the lr used in each epoch
    for (std::size_t e = 0; e < 5; ++e) {
        const auto& row = r.history.epochs[e];
        CHECK(row.epoch == e + 1);
        CHECK(row.val_loss == seen[e].loss);
        CHECK(row.val_metric == seen[e].metric);
        CHECK(std::isfinite(row.train_loss));
        CHECK(row.train_metric > 0);
        CHECK(row.lr == Approx(lrs[e]).epsilon(1e-15));
        CHECK(row.seconds >= 0);
    }
    CHECK(opt.options.lr == Approx(0.025).epsilon(1e-15));  // after the 5th step
    const auto back = ctnn::history::read_csv(o.history_csv);
    REQUIRE(back.epochs.size() == 5);
    CHECK(back.epochs[4].val_loss == r.history.epochs[4].val_loss);
    std::ifstream svg(o.history_svg);
    const std::string text((std::istreambuf_iterator<char>(svg)), std::istreambuf_iterator<char>());
    CHECK(text.find("<svg") != std::string::npos);
    CHECK(text.find("</svg>") != std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST_CASE("a callback returning false stops fit after that epoch") {
    const Data d = linear_data(30, 8);
    static P p;
    ctnn::initialize(p, ctnn::xavier_uniform{}, 2);
    ctnn::optim::sgd<Net, float> opt({.lr = 0.05});
    const auto r = ctnn::fit<ctnn::loss::mse>(p, opt, d, nullptr, quiet(10, 8, 1),
                                              [](const ctnn::epoch_record& e) { return e.epoch < 3; });
    CHECK(r.epochs_run == 3);
    CHECK(r.history.epochs.size() == 3);
    CHECK(r.stopped_early);
    CHECK(r.message.find("callback") != std::string::npos);
}

TEST_CASE("a NaN loss stops fit before that batch's step and keeps the weights from before it") {
    Data d = linear_data(40, 4);
    d.targets[25][1] = std::numeric_limits<float>::quiet_NaN();  // no shuffle, batches of 10: batch 3
    static P p, expected;
    ctnn::initialize(p, ctnn::xavier_uniform{}, 6);
    expected = p;
    ctnn::optim::adam<Net, float> opt({.lr = 1e-2}), opt_ref = opt;
    auto o = quiet(3, 10, 2);
    o.shuffle = false;
    const auto r = ctnn::fit<ctnn::loss::mse>(p, opt, d, nullptr, o);
    CHECK(r.diverged);
    CHECK(r.message.find("epoch 1, batch 3 of 4") != std::string::npos);
    CHECK(r.message.find("NaN") != std::string::npos);
    CHECK(r.history.epochs.empty());
    CHECK(r.epochs_run == 0);
    // The same two good batches alone, as one epoch.
    Data first;
    for (std::size_t i = 0; i < 20; ++i) first.add(d.inputs[i], d.targets[i]);
    o.epochs = 1;
    ctnn::fit<ctnn::loss::mse>(expected, opt_ref, first, nullptr, o);
    CHECK(same_bits(p, expected));
    for (float v : p.data) CHECK(std::isfinite(v));
}

TEST_CASE("an infinite input stops fit in the right epoch") {
    Data d = linear_data(40, 4);
    d.inputs[39][0] = std::numeric_limits<float>::infinity();
    static P p;
    ctnn::initialize(p, ctnn::xavier_uniform{}, 6);
    ctnn::optim::sgd<Net, float> opt({.lr = 1e-2});
    auto o = quiet(3, 16, 1);
    const auto r = ctnn::fit<ctnn::loss::mse>(p, opt, d, nullptr, o);
    CHECK(r.diverged);
    CHECK(r.message.find("epoch 1, batch ") != std::string::npos);
    for (float v : p.data) CHECK(std::isfinite(v));
}

TEST_CASE("progress_mode::none prints nothing; lines prints one line per epoch") {
    const Data d = linear_data(30, 8);
    for (auto mode : {ctnn::progress_mode::none, ctnn::progress_mode::lines, ctnn::progress_mode::automatic,
                      ctnn::progress_mode::bar}) {
        std::FILE* f = std::tmpfile();
        REQUIRE(f != nullptr);
        static P p;
        ctnn::initialize(p, ctnn::xavier_uniform{}, 2);
        ctnn::optim::sgd<Net, float> opt({.lr = 0.05});
        auto o = quiet(4, 8, 1);
        o.progress = mode;
        o.progress_stream = f;
        ctnn::fit<ctnn::loss::mse>(p, opt, d, &d, o);
        std::fflush(f);
        std::rewind(f);
        std::string text;
        for (int c; (c = std::fgetc(f)) != EOF;) text += char(c);
        std::fclose(f);
        if (mode == ctnn::progress_mode::none) {
            CHECK(text.empty());
        } else if (mode == ctnn::progress_mode::bar) {  // forced: redrawn with '\r', a summary line per epoch
            CHECK(std::count(text.begin(), text.end(), '\n') == 4);
            CHECK(text.find("\repoch 1/4 [") != std::string::npos);
            CHECK(text.find("val_loss") != std::string::npos);
        } else {  // a file is not a terminal: automatic means lines
            CHECK(std::count(text.begin(), text.end(), '\n') == 4);
            CHECK(text.find("epoch 1/4") == 0);
            CHECK(text.find("val_loss") != std::string::npos);
            CHECK(text.find('\r') == std::string::npos);
        }
    }
}

TEST_CASE("fit rejects an empty training set and a zero batch size") {
    Data empty;
    static P p;
    ctnn::optim::sgd<Net, float> opt;
    CHECK_THROWS_WITH(ctnn::fit<ctnn::loss::mse>(p, opt, empty, nullptr, quiet(1, 8, 1)),
                      Catch::Contains("training set is empty"));
    const Data d = linear_data(10, 1);
    CHECK_THROWS_WITH(ctnn::fit<ctnn::loss::mse>(p, opt, d, nullptr, quiet(1, 0, 1)), Catch::Contains("batch_size"));
}

TEST_CASE("the batch loop does not allocate: 1 or 25 batches per epoch cost the same allocations") {
    const Data d = linear_data(100, 8);
    std::size_t counts[2][2];
    for (std::size_t threads : {1u, 2u})
        for (std::size_t batch : {100u, 4u}) {
            static P p;
            ctnn::initialize(p, ctnn::xavier_uniform{}, 2);
            ctnn::optim::adam<Net, float> opt;
            auto o = quiet(3, batch, threads);
            o.metric = ctnn::fit_metric::accuracy;
            o.l2 = 1e-3;
            const std::size_t before = allocations.load();
            const auto r = ctnn::fit<ctnn::loss::mse>(p, opt, d, &d, o);
            counts[threads - 1][batch == 4] = allocations.load() - before;
            CHECK(r.epochs_run == 3);
        }
    CHECK(counts[0][0] == counts[0][1]);
    CHECK(counts[1][0] == counts[1][1]);
}

namespace {
using Drop = ctnn::network<ctnn::input<3>, ctnn::dense<16, ctnn::tanh>, ctnn::dropout<30>, ctnn::dense<2>>;
using DP = Drop::parameters<float>;
}  // namespace

TEST_CASE("dropout masks come from (seed, epoch, sample position): 1 thread equals a per-sample loop, 2 threads "
          "differ only by rounding") {
    const Data src = linear_data(40, 12);
    ctnn::data::dataset_for<Drop> d;
    d.inputs = src.inputs, d.targets = src.targets;
    static DP start, one, two, other_seed, ref;
    ctnn::initialize(start, ctnn::xavier_uniform{}, 31);
    one = two = other_seed = ref = start;
    const std::size_t epochs = 3, batch = 10;
    const std::uint64_t seed = 5;
    {
        ctnn::optim::sgd<Drop, float> opt({.lr = 0.1});
        auto o = quiet(epochs, batch, 1);
        o.seed = seed;
        ctnn::fit<ctnn::loss::mse>(one, opt, d, nullptr, o);
        ctnn::optim::sgd<Drop, float> opt2({.lr = 0.1});
        o.threads = 2;
        ctnn::fit<ctnn::loss::mse>(two, opt2, d, nullptr, o);
        ctnn::optim::sgd<Drop, float> opt3({.lr = 0.1});
        o.seed = seed + 1;
        ctnn::fit<ctnn::loss::mse>(other_seed, opt3, d, nullptr, o);
    }
    // The reference: sample k of the epoch's order at run position (epoch - 1) * n + k gets
    // random_source(derive(seed, 2, position)), one forward_train / backward_train call per sample.
    ctnn::optim::sgd<Drop, float> opt({.lr = 0.1});
    auto ws = std::make_unique<Drop::workspace<float>>();
    auto g = std::make_unique<DP>();
    for (std::size_t e = 1; e <= epochs; ++e) {
        const auto order = shuffled(seed, e, d.size());
        for (std::size_t begin = 0; begin < d.size(); begin += batch) {
            std::fill(std::begin(g->data), std::end(g->data), 0.0f);
            for (std::size_t k = begin; k < begin + batch; ++k) {
                std::array<float, 2> y{}, dy{};
                ctnn::random_source rng(derived(seed, 2, (e - 1) * d.size() + k));
                Drop::forward_train(ref, std::span<const std::array<float, 3>>(&d.inputs[order[k]], 1),
                                    std::span<std::array<float, 2>>(&y, 1), std::span(ws.get(), 1), rng);
                const auto& t = d.targets[order[k]];
                float pred[1][2]{{y[0], y[1]}}, target[1][2]{{t[0], t[1]}}, grad[1][2];
                ctnn::loss::mse::gradient(pred, target, grad);
                dy = {grad[0][0] * (1.0f / float(batch)), grad[0][1] * (1.0f / float(batch))};
                Drop::backward_train(ref, std::span(ws.get(), 1), std::span<const std::array<float, 2>>(&dy, 1), *g);
            }
            opt.step(ref, *g);
        }
    }
    CHECK(std::memcmp(one.data, ref.data, sizeof ref.data) == 0);
    double diff_threads = 0, diff_seed = 0;
    for (std::size_t i = 0; i < DP::storage_size; ++i) {
        diff_threads = std::max(diff_threads, double(std::abs(one.data[i] - two.data[i])));
        diff_seed = std::max(diff_seed, double(std::abs(one.data[i] - other_seed.data[i])));
    }
    CHECK(diff_threads < 1e-5);
    CHECK(diff_seed > 1e-3);
}

TEST_CASE("a network with batch_norm trains on 2 threads, deterministically, with finite running statistics") {
    using BN = ctnn::network<ctnn::input<3>, ctnn::dense<8>, ctnn::batch_norm<ctnn::relu>, ctnn::dense<2>>;
    const Data src = linear_data(96, 13);
    ctnn::data::dataset_for<BN> d;
    d.inputs = src.inputs, d.targets = src.targets;
    static BN::parameters<float> a, b, start;
    ctnn::initialize(start, ctnn::xavier_uniform{}, 4);
    a = b = start;
    ctnn::optim::adam<BN, float> opt_a({.lr = 1e-2}), opt_b = opt_a;
    auto o = quiet(30, 16, 2);
    const auto ra = ctnn::fit<ctnn::loss::mse>(a, opt_a, d, &d, o);
    ctnn::fit<ctnn::loss::mse>(b, opt_b, d, &d, o);
    CHECK(std::memcmp(a.data, b.data, sizeof a.data) == 0);
    CHECK(std::memcmp(a.data, start.data, sizeof a.data) != 0);
    for (float v : a.data) CHECK(std::isfinite(v));
    CHECK(ra.history.epochs.back().val_loss < ra.history.epochs.front().val_loss / 4);
}

TEST_CASE("a NaN stop with batch_norm also puts back the running statistics of the bad batch") {
    using BN = ctnn::network<ctnn::input<3>, ctnn::dense<8>, ctnn::batch_norm<ctnn::relu>, ctnn::dense<2>>;
    const Data src = linear_data(48, 13);
    ctnn::data::dataset_for<BN> d, first;
    d.inputs = src.inputs, d.targets = src.targets;
    d.targets[40][0] = std::numeric_limits<float>::quiet_NaN();  // batches of 16, no shuffle: batch 3
    for (std::size_t i = 0; i < 32; ++i) first.add(d.inputs[i], d.targets[i]);
    static BN::parameters<float> a, b;
    ctnn::initialize(a, ctnn::xavier_uniform{}, 4);
    b = a;
    ctnn::optim::adam<BN, float> opt_a({.lr = 1e-2}), opt_b = opt_a;
    auto o = quiet(2, 16, 2);
    o.shuffle = false;
    const auto r = ctnn::fit<ctnn::loss::mse>(a, opt_a, d, nullptr, o);
    CHECK(r.diverged);
    CHECK(r.message.find("epoch 1, batch 3 of 3") != std::string::npos);
    o.epochs = 1;
    ctnn::fit<ctnn::loss::mse>(b, opt_b, first, nullptr, o);
    CHECK(std::memcmp(a.data, b.data, sizeof a.data) == 0);
}
