// Ctrl-C and request_stop(): fit stops after the current batch and saves a checkpoint; a fit that resumes from it
// ends with the weights, optimizer, schedule, early-stopping state and history of the uninterrupted run, bit for
// bit, on 1 and on 2 threads. A damaged or foreign checkpoint is refused with a message naming the file, and fit
// puts the previous SIGINT handler back.
#include <ctnn/ctnn.hpp>
#include <ctnn/train/checkpoint.hpp>
#include <ctnn/train/fit.hpp>
#include <ctnn/train/losses.hpp>
#include <ctnn/train/optimizers.hpp>
#include <ctnn/train/schedules.hpp>
#include <ctnn/train/stop_request.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

using Net = ctnn::network<ctnn::input<4>, ctnn::dense<6, ctnn::tanh>, ctnn::dense<3>>;
using P = Net::parameters<float>;
using Data = ctnn::data::dataset_for<Net>;

// Three classes from the sign pattern of two inputs, one-hot targets.
Data classes(std::size_t n, std::uint64_t seed) {
    ctnn::random_source r(seed);
    Data d;
    for (std::size_t i = 0; i < n; ++i) {
        std::array<float, 4> x{};
        for (auto& v : x) v = float(r.uniform(-1, 1));
        const std::size_t c = x[0] > 0 ? 0 : (x[1] > 0 ? 1 : 2);
        std::array<float, 3> t{};
        t[c] = 1;
        d.add(x, t);
    }
    return d;
}

// Adam that raises SIGINT (a real Ctrl-C, through fit's handler) right after its step number `interrupt_at`.
struct interrupting_adam : ctnn::optim::adam<Net, float> {
    using base = ctnn::optim::adam<Net, float>;
    using base::base;
    std::int64_t interrupt_at = 0;
    void step(P& p, const P& g) noexcept {
        base::step(p, g);
        if (step_count() == interrupt_at) std::raise(SIGINT);
    }
};

ctnn::fit_options options(std::size_t threads, const std::filesystem::path& checkpoint) {
    ctnn::fit_options o;
    o.epochs = 6;
    o.batch_size = 16;
    o.threads = threads;
    o.seed = 99;
    o.metric = ctnn::fit_metric::accuracy;
    o.l2 = 1e-3;
    o.early_stopping = {.patience = 10, .min_delta = 0, .restore_best = true};
    o.progress = ctnn::progress_mode::none;
    o.checkpoint = checkpoint;
    o.resume = true;
    return o;
}

bool same_bits(const P& a, const P& b) { return std::memcmp(a.data, b.data, sizeof a.data) == 0; }

std::filesystem::path scratch(const char* name) {
    const auto dir = std::filesystem::temp_directory_path() / "ctnn_test_checkpoint";
    std::filesystem::create_directories(dir);
    const auto file = dir / name;
    std::filesystem::remove(file);
    return file;
}

// Equal, or both NaN (absent).
bool same(double x, double y) { return x == y || (std::isnan(x) && std::isnan(y)); }

void check_same_history(const ctnn::history& a, const ctnn::history& b) {
    REQUIRE(a.epochs.size() == b.epochs.size());
    for (std::size_t e = 0; e < a.epochs.size(); ++e) {
        CHECK(a.epochs[e].epoch == b.epochs[e].epoch);
        CHECK(same(a.epochs[e].train_loss, b.epochs[e].train_loss));
        CHECK(same(a.epochs[e].val_loss, b.epochs[e].val_loss));
        CHECK(same(a.epochs[e].train_metric, b.epochs[e].train_metric));
        CHECK(same(a.epochs[e].val_metric, b.epochs[e].val_metric));
        CHECK(same(a.epochs[e].lr, b.epochs[e].lr));
    }
}

}  // namespace

TEST_CASE("Ctrl-C mid-epoch, then resume: the same weights as an uninterrupted run") {
    const Data train = classes(100, 1), val = classes(40, 2);  // 7 batches per epoch, the last one of 4
    for (std::size_t threads : {1u, 2u}) {
        // Mid-epoch 1, end of epoch 1, mid-epoch 3, mid-epoch 6, the run's last step (then nothing is left to do).
        for (std::int64_t at : {3, 7, 17, 40, 42}) {
            CAPTURE(threads, at);
            const auto file = scratch("run.ckpt");
            static P a, b;
            ctnn::initialize(a, ctnn::xavier_uniform{}, 4);
            b = a;

            interrupting_adam opt_a({.lr = 1e-2});
            ctnn::schedule::step_lr sched_a(1e-2, 2, 0.5);
            const auto o = options(threads, file);
            const auto ra = ctnn::fit<ctnn::loss::cross_entropy>(a, opt_a, train, &val, o, sched_a);
            REQUIRE(ra.epochs_run == 6);
            CHECK_FALSE(std::filesystem::exists(file));

            interrupting_adam opt_b({.lr = 1e-2});
            opt_b.interrupt_at = at;
            ctnn::schedule::step_lr sched_b(1e-2, 2, 0.5);
            const auto rb1 = ctnn::fit<ctnn::loss::cross_entropy>(b, opt_b, train, &val, o, sched_b);
            if (at == 42) {  // 6 * 7 = 42 steps
                CHECK_FALSE(rb1.interrupted);
                CHECK(same_bits(a, b));
                CHECK_FALSE(ctnn::stop_requested());
            } else {
                CHECK(rb1.interrupted);
                CHECK(rb1.message.find("checkpoint saved to") != std::string::npos);
                CHECK(opt_b.step_count() == at);
                CHECK(std::filesystem::exists(file));
                CHECK_FALSE(ctnn::stop_requested());
                const std::size_t epoch = std::size_t(at + 6) / 7;  // the epoch of step `at`
                CHECK(rb1.history.epochs.size() == (at % 7 == 0 ? epoch : epoch - 1));

                // A new process would start from fresh objects: scramble them, resume must restore everything.
                static P c;
                ctnn::initialize(c, ctnn::xavier_uniform{}, 12345);
                interrupting_adam opt_c({.lr = 0.5});
                ctnn::schedule::step_lr sched_c(0.5, 1, 0.1);
                const auto rc = ctnn::fit<ctnn::loss::cross_entropy>(c, opt_c, train, &val, o, sched_c);
                CHECK_FALSE(rc.interrupted);
                CHECK(same_bits(a, c));
                CHECK(opt_c.step_count() == opt_a.step_count());
                CHECK(sched_c.lr() == sched_a.lr());
                CHECK(rc.best_epoch == ra.best_epoch);
                CHECK(rc.epochs_run == ra.epochs_run);
                check_same_history(ra.history, rc.history);
                CHECK_FALSE(std::filesystem::exists(file));  // a finished run removes the checkpoint it resumed
            }
        }
    }
}

TEST_CASE("request_stop() from a callback stops at the epoch's end; resume continues with the next epoch") {
    const Data train = classes(64, 3);
    const auto file = scratch("callback.ckpt");
    static P a, b;
    ctnn::initialize(a, ctnn::he_uniform{}, 8);
    b = a;
    auto o = options(1, file);
    o.early_stopping = {};
    interrupting_adam opt_a({.lr = 1e-2}), opt_b = opt_a;
    const auto ra = ctnn::fit<ctnn::loss::cross_entropy>(a, opt_a, train, nullptr, o);
    const auto rb = ctnn::fit<ctnn::loss::cross_entropy>(b, opt_b, train, nullptr, o, [](const ctnn::epoch_record& e) {
        if (e.epoch == 2) ctnn::request_stop();
    });
    CHECK(rb.interrupted);
    CHECK(rb.epochs_run == 2);
    CHECK(rb.message.find("after epoch 2") != std::string::npos);
    interrupting_adam opt_c;
    const auto rc = ctnn::fit<ctnn::loss::cross_entropy>(b, opt_c, train, nullptr, o);
    CHECK(rc.history.epochs.size() == 6);
    CHECK(same_bits(a, b));
    check_same_history(ra.history, rc.history);
}

TEST_CASE("without a checkpoint path an interrupt just stops; a stale request does not stop the next fit") {
    const Data train = classes(64, 3);
    static P p;
    ctnn::initialize(p, ctnn::he_uniform{}, 8);
    auto o = options(2, {});
    interrupting_adam opt({.lr = 1e-2});
    opt.interrupt_at = 2;
    const auto r = ctnn::fit<ctnn::loss::cross_entropy>(p, opt, train, nullptr, o);
    CHECK(r.interrupted);
    CHECK(r.message.find("epoch 1 after batch 2 of 4") != std::string::npos);
    CHECK(r.message.find("checkpoint") == std::string::npos);

    ctnn::request_stop();  // outside any fit: dropped when the next one starts
    interrupting_adam opt2({.lr = 1e-2});
    const auto r2 = ctnn::fit<ctnn::loss::cross_entropy>(p, opt2, train, nullptr, o);
    CHECK_FALSE(r2.interrupted);
    CHECK(r2.epochs_run == 6);
}

namespace {
extern "C" void counting_handler(int) {}
}  // namespace

TEST_CASE("fit restores the SIGINT handler it found") {
    const auto previous = std::signal(SIGINT, &counting_handler);
    const Data train = classes(32, 3);
    static P p;
    ctnn::initialize(p, ctnn::he_uniform{}, 8);
    interrupting_adam opt({.lr = 1e-2});
    ctnn::fit<ctnn::loss::cross_entropy>(p, opt, train, nullptr, options(1, {}));
    CHECK(std::signal(SIGINT, previous) == &counting_handler);
}

TEST_CASE("a damaged, truncated or foreign checkpoint is refused with the file's name") {
    const Data train = classes(100, 1);
    const auto file = scratch("bad.ckpt");
    static P p;
    ctnn::initialize(p, ctnn::xavier_uniform{}, 4);
    interrupting_adam opt({.lr = 1e-2});
    opt.interrupt_at = 3;
    REQUIRE(ctnn::fit<ctnn::loss::cross_entropy>(p, opt, train, nullptr, options(1, file)).interrupted);
    std::string bytes;
    {
        std::ifstream in(file, std::ios::binary);
        bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    const auto write = [&](const std::string& b) {
        std::ofstream out(file, std::ios::binary | std::ios::trunc);
        out << b;
    };
    const auto resume_error = [&](auto&& run) {
        try {
            run();
        } catch (const ctnn::checkpoint_error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    const auto resume_same = [&] {
        interrupting_adam o2;
        ctnn::fit<ctnn::loss::cross_entropy>(p, o2, train, nullptr, options(1, file));
    };

    std::string flipped = bytes;
    flipped[bytes.size() / 2] ^= 0x10;
    write(flipped);
    auto msg = resume_error(resume_same);
    CHECK(msg.find(file.string()) == 0);
    CHECK(msg.find("checksum") != std::string::npos);

    write(bytes.substr(0, bytes.size() - 5));
    msg = resume_error(resume_same);
    CHECK(msg.find(file.string()) == 0);
    CHECK(msg.find("truncated") != std::string::npos);

    write("hello, world, this is not a checkpoint at all");
    CHECK(resume_error(resume_same).find("not a ctnn::fit checkpoint") != std::string::npos);

    write(bytes);
    msg = resume_error([&] {  // another seed: not the same run
        interrupting_adam o2;
        auto o = options(1, file);
        o.seed = 100;
        ctnn::fit<ctnn::loss::cross_entropy>(p, o2, train, nullptr, o);
    });
    CHECK(msg.find(file.string()) == 0);
    CHECK(msg.find("seed 99, this fit has 100") != std::string::npos);

    msg = resume_error([&] {  // another optimizer type
        ctnn::optim::adam<Net, float> o2;
        ctnn::fit<ctnn::loss::cross_entropy>(p, o2, train, nullptr, options(1, file));
    });
    CHECK(msg.find("different network, element type, optimizer or schedules") != std::string::npos);

    // The intact file still resumes.
    CHECK(resume_error(resume_same) == "no error");
    CHECK_FALSE(std::filesystem::exists(file));
}
