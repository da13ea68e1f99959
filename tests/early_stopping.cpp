// Early stopping: the counter's rules (first loss, min_delta, NaN, patience), and fit on a case whose validation
// loss is known to fall for 3 epochs and then rise: it stops after epoch 3 + patience and gives back the weights
// it had after epoch 3, bit for bit.
#include <ctnn/ctnn.hpp>
#include <ctnn/train/early_stopping.hpp>
#include <ctnn/train/fit.hpp>
#include <ctnn/train/losses.hpp>
#include <ctnn/train/optimizers.hpp>
#include <ctnn/train/schedules.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <string>

TEST_CASE("early_stopping_state counts epochs without an improvement larger than min_delta") {
    ctnn::early_stopping_state s;
    CHECK(s.best_epoch() == 0);
    CHECK_FALSE(s.should_stop(2));
    CHECK(s.update(1.0, 1, 0.1));  // the first loss always improves
    CHECK(s.best() == 1.0);
    CHECK_FALSE(s.update(0.95, 2, 0.1));  // better, but by less than min_delta
    CHECK(s.bad_epochs() == 1);
    CHECK_FALSE(s.update(0.9, 3, 0.1));  // by exactly min_delta: not more than it
    CHECK(s.bad_epochs() == 2);
    CHECK(s.should_stop(2));
    CHECK_FALSE(s.should_stop(3));
    CHECK_FALSE(s.should_stop(0));  // patience 0: off
    CHECK(s.update(0.85, 4, 0.1));  // 1.0 - 0.85 > 0.1
    CHECK(s.best_epoch() == 4);
    CHECK(s.bad_epochs() == 0);
    CHECK_FALSE(s.update(std::numeric_limits<double>::quiet_NaN(), 5, 0));
    CHECK(s.best_epoch() == 4);
    CHECK(s.bad_epochs() == 1);
}

namespace {

// y = w x + b from w = b = 0 towards the training target 1 at x = 1 (plain SGD, lr 0.05): the sum s = w + b
// after epoch k is 1 - 0.8^k = 0.2, 0.36, 0.488, 0.5904, 0.672, ... The validation target is 0.5, so the
// validation loss (s - 0.5)^2 is smallest after epoch 3 and grows from then on.
using Net = ctnn::network<ctnn::input<1>, ctnn::dense<1>>;
using P = Net::parameters<float>;

struct run {
    ctnn::fit_result result;
    P final_weights{};
    std::map<std::size_t, P> after_epoch;  // the weights each epoch ended with (before any restore)
};

run train(std::size_t patience, double min_delta, bool restore_best, bool with_validation = true) {
    ctnn::data::dataset_for<Net> tr, va;
    tr.add({1}, {1});
    va.add({1}, {0.5f});
    run r;
    P& p = r.final_weights;
    ctnn::initialize(p, ctnn::zeros{}, 1);
    ctnn::optim::sgd<Net, float> opt({.lr = 0.05});
    ctnn::fit_options o;
    o.epochs = 20;
    o.batch_size = 1;
    o.threads = 1;
    o.progress = ctnn::progress_mode::none;
    o.early_stopping = {.patience = patience, .min_delta = min_delta, .restore_best = restore_best};
    r.result = ctnn::fit<ctnn::loss::mse>(p, opt, tr, with_validation ? &va : nullptr, o,
                                          [&](const ctnn::epoch_record& e) { r.after_epoch[e.epoch] = p; });
    return r;
}

bool same_bits(const P& a, const P& b) { return std::memcmp(a.data, b.data, sizeof a.data) == 0; }

}  // namespace

TEST_CASE("fit stops `patience` epochs after the best validation loss and restores that epoch's weights") {
    for (std::size_t patience : {1u, 2u, 4u}) {
        CAPTURE(patience);
        const run r = train(patience, 0, true);
        CHECK(r.result.stopped_early);
        CHECK(r.result.epochs_run == 3 + patience);
        CHECK(r.result.history.epochs.size() == 3 + patience);
        CHECK(r.result.best_epoch == 3);
        CHECK(same_bits(r.final_weights, r.after_epoch.at(3)));
        CHECK(double(r.final_weights.weight(0, 0, 0) + r.final_weights.bias(0, 0)) == Approx(0.488).epsilon(1e-5));
        CHECK(r.result.message.find("restored the weights of epoch 3") != std::string::npos);
    }
}

TEST_CASE("without restore_best fit keeps the last epoch's weights") {
    const run r = train(2, 0, false);
    CHECK(r.result.stopped_early);
    CHECK(r.result.epochs_run == 5);
    CHECK(r.result.best_epoch == 3);
    CHECK(same_bits(r.final_weights, r.after_epoch.at(5)));
}

TEST_CASE("min_delta: an improvement must exceed it") {
    // Validation losses: 0.09, 0.0196, 0.000144, ... min_delta 0.05 accepts epoch 1 (first) and epoch 2
    // (0.0704 better); epoch 3 improves by only 0.0195.
    const run r = train(1, 0.05, true);
    CHECK(r.result.epochs_run == 3);
    CHECK(r.result.best_epoch == 2);
    CHECK(same_bits(r.final_weights, r.after_epoch.at(2)));
}

TEST_CASE("without validation data early stopping watches the training loss") {
    // The training loss keeps falling for 20 epochs: no stop.
    const run r = train(2, 0, true, false);
    CHECK_FALSE(r.result.stopped_early);
    CHECK(r.result.epochs_run == 20);
    CHECK(r.result.best_epoch == 20);
    CHECK(same_bits(r.final_weights, r.after_epoch.at(20)));
}

TEST_CASE("patience 0 turns early stopping off") {
    const run r = train(0, 0, true);
    CHECK_FALSE(r.result.stopped_early);
    CHECK(r.result.epochs_run == 20);
    CHECK(same_bits(r.final_weights, r.after_epoch.at(20)));
}

TEST_CASE("reduce_lr_on_plateau gets the monitored loss: the validation loss when there is validation data") {
    // The validation loss rises from epoch 4 on: with patience 1 the second bad epoch (5) halves the lr, so epoch 6
    // runs with 0.025. (The training loss falls all along: had the schedule seen it, the lr would stay 0.05.)
    ctnn::data::dataset_for<Net> tr, va;
    tr.add({1}, {1});
    va.add({1}, {0.5f});
    static P p;
    ctnn::initialize(p, ctnn::zeros{}, 1);
    ctnn::optim::sgd<Net, float> opt({.lr = 0.05});
    ctnn::schedule::reduce_lr_on_plateau plateau(0.05, {.factor = 0.5, .patience = 1});
    ctnn::fit_options o;
    o.epochs = 6;
    o.batch_size = 1;
    o.threads = 1;
    o.progress = ctnn::progress_mode::none;
    const auto r = ctnn::fit<ctnn::loss::mse>(p, opt, tr, &va, o, plateau);
    REQUIRE(r.history.epochs.size() == 6);
    for (std::size_t e = 0; e < 5; ++e) CHECK(r.history.epochs[e].lr == 0.05);
    CHECK(r.history.epochs[5].lr == 0.025);
    CHECK(plateau.best() == r.history.epochs[2].val_loss);

    static P q;
    ctnn::initialize(q, ctnn::zeros{}, 1);
    ctnn::optim::sgd<Net, float> opt2({.lr = 0.05});
    ctnn::schedule::reduce_lr_on_plateau plateau2(0.05, {.factor = 0.5, .patience = 1});
    const auto r2 = ctnn::fit<ctnn::loss::mse>(q, opt2, tr, nullptr, o, plateau2);
    for (const auto& e : r2.history.epochs) CHECK(e.lr == 0.05);
}
