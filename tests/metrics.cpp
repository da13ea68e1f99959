// ctnn::metric against hand-computed cases (each number derived in a comment), edge cases, and randomized batches
// against a reference that counts (true, pred) pairs in a std::map and works on flattened std::vectors.
#include <ctnn/random.hpp>
#include <ctnn/train/metrics.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <cstddef>
#include <cstdio>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace {

using ctnn::metric::confusion_matrix;

// truth: 0 0 0 1 1 2 2, pred: 0 1 0 1 1 1 0 -> rows = true class, columns = predicted class:
//   t0: [2 1 0]   t1: [0 2 0]   t2: [1 1 0]
// Column sums (predicted): 3 4 0; row sums (actual): 3 2 2; total 7; trace 4.
constexpr std::size_t hand_truth[7] = {0, 0, 0, 1, 1, 2, 2};
constexpr std::size_t hand_pred[7] = {0, 1, 0, 1, 1, 1, 0};

constexpr confusion_matrix<3> hand_matrix() {
    confusion_matrix<3> m;
    m.add(hand_pred, hand_truth);
    return m;
}

// Everything is constexpr: the hand case also holds at compile time.
static_assert(hand_matrix().at(2, 0) == 1 && hand_matrix().total() == 7);
static_assert(ctnn::metric::accuracy(hand_pred, hand_truth) == 4.0 / 7.0);

}  // namespace

TEST_CASE("accuracy from class indices and from argmax of scores", "[metrics]") {
    // 4 hits of 7 (positions 0, 2, 3, 4).
    CHECK(ctnn::metric::accuracy(hand_pred, hand_truth) == Approx(4.0 / 7.0));

    // Row argmaxes: 2, 0 (tie 0/1 -> first), 1, 0 (all equal -> first); truth 2 0 0 0 -> hits at rows 0, 1, 3 -> 3/4.
    const float scores[4][3] = {{0.1f, 0.2f, 0.7f}, {0.5f, 0.5f, 0.0f}, {-1.0f, 3.0f, 2.0f}, {1.0f, 1.0f, 1.0f}};
    const std::size_t truth[4] = {2, 0, 0, 0};
    CHECK(ctnn::metric::argmax(scores[1]) == 0);
    CHECK(ctnn::metric::argmax(scores[2]) == 1);
    CHECK(ctnn::metric::accuracy(scores, truth) == 0.75);

    const std::size_t all_wrong[4] = {1, 1, 2, 1};
    CHECK(ctnn::metric::accuracy(all_wrong, truth) == 0.0);
    CHECK(ctnn::metric::accuracy(truth, truth) == 1.0);
}

TEST_CASE("confusion matrix, precision, recall, F1 by hand", "[metrics]") {
    const auto m = hand_matrix();
    const std::size_t expected[3][3] = {{2, 1, 0}, {0, 2, 0}, {1, 1, 0}};
    for (std::size_t t = 0; t < 3; ++t)
        for (std::size_t p = 0; p < 3; ++p) CHECK(m.at(t, p) == expected[t][p]);
    CHECK(m.predicted(0) == 3);
    CHECK(m.predicted(1) == 4);
    CHECK(m.predicted(2) == 0);
    CHECK(m.actual(0) == 3);
    CHECK(m.actual(1) == 2);
    CHECK(m.actual(2) == 2);
    CHECK(m.accuracy() == Approx(4.0 / 7.0));

    // precision = TP / predicted: 2/3, 2/4, 0 (class 2 never predicted -> 0, sklearn's zero_division).
    CHECK(m.precision(0) == Approx(2.0 / 3.0));
    CHECK(m.precision(1) == Approx(0.5));
    CHECK(m.precision(2) == 0.0);
    // recall = TP / actual: 2/3, 2/2, 0/2.
    CHECK(m.recall(0) == Approx(2.0 / 3.0));
    CHECK(m.recall(1) == 1.0);
    CHECK(m.recall(2) == 0.0);
    // F1 = 2 TP / (predicted + actual): 4/6, 4/6, 0/2.
    CHECK(m.f1(0) == Approx(2.0 / 3.0));
    CHECK(m.f1(1) == Approx(2.0 / 3.0));
    CHECK(m.f1(2) == 0.0);
    // Macro: (2/3 + 1/2 + 0)/3 = 7/18, (2/3 + 1 + 0)/3 = 5/9, (2/3 + 2/3 + 0)/3 = 4/9.
    CHECK(m.macro_precision() == Approx(7.0 / 18.0));
    CHECK(m.macro_recall() == Approx(5.0 / 9.0));
    CHECK(m.macro_f1() == Approx(4.0 / 9.0));
}

TEST_CASE("confusion matrix edge cases: empty, perfect, all wrong, absent class, merge", "[metrics]") {
    confusion_matrix<3> empty;
    CHECK(empty.total() == 0);
    CHECK(empty.accuracy() == 0.0);
    CHECK(empty.macro_precision() == 0.0);
    CHECK(empty.macro_recall() == 0.0);
    CHECK(empty.macro_f1() == 0.0);

    // Perfect on classes 0 and 1; class 2 is absent from truth and predictions, so its scores are 0 and the macro
    // averages over all 3 classes are 2/3 (sklearn with labels=[0, 1, 2]).
    const std::size_t truth[4] = {0, 1, 1, 0};
    confusion_matrix<3> perfect;
    perfect.add(truth, truth);
    CHECK(perfect.accuracy() == 1.0);
    CHECK(perfect.precision(0) == 1.0);
    CHECK(perfect.recall(1) == 1.0);
    CHECK(perfect.f1(1) == 1.0);
    CHECK(perfect.f1(2) == 0.0);
    CHECK(perfect.macro_f1() == Approx(2.0 / 3.0));

    // Swapped labels: every TP is 0, so every score is 0.
    const std::size_t swapped[4] = {1, 0, 0, 1};
    confusion_matrix<2> wrong;
    wrong.add(swapped, truth);
    CHECK(wrong.accuracy() == 0.0);
    CHECK(wrong.at(0, 1) == 2);
    CHECK(wrong.at(1, 0) == 2);
    CHECK(wrong.macro_precision() == 0.0);
    CHECK(wrong.macro_recall() == 0.0);
    CHECK(wrong.macro_f1() == 0.0);

    // Merging the matrices of two halves gives the matrix of the whole.
    confusion_matrix<3> first;
    confusion_matrix<3> second;
    for (std::size_t i = 0; i < 7; ++i) (i < 3 ? first : second).add(hand_pred[i], hand_truth[i]);
    first.merge(second);
    CHECK(first.counts == hand_matrix().counts);
    first.reset();
    CHECK(first.total() == 0);

    // add() from scores uses the row argmax: rows -> 1, 0; truth 1, 1.
    const double scores[2][2] = {{0.0, 2.0}, {3.0, -1.0}};
    const std::size_t t2[2] = {1, 1};
    confusion_matrix<2> from_scores;
    from_scores.add(scores, t2);
    CHECK(from_scores.at(1, 1) == 1);
    CHECK(from_scores.at(1, 0) == 1);
}

TEST_CASE("confusion matrix table: to_string and print agree", "[metrics]") {
    confusion_matrix<2> m;
    m.add(std::size_t{1}, std::size_t{0});  // (true 0, pred 1)
    m.add(std::size_t{1}, std::size_t{1});
    m.add(std::size_t{1}, std::size_t{1});
    const std::string expected = "true\\pred        0        1\n"
                                 "        0        0        1\n"
                                 "        1        0        2\n";
    CHECK(ctnn::metric::to_string(m) == expected);

    std::FILE* f = std::tmpfile();
    REQUIRE(f != nullptr);
    CHECK(m.print(f));
    std::rewind(f);
    std::string printed;
    for (int c = std::fgetc(f); c != EOF; c = std::fgetc(f)) printed += static_cast<char>(c);
    std::fclose(f);
    CHECK(printed == expected);
}

TEST_CASE("MSE, MAE and R^2 by hand", "[metrics]") {
    // Differences p - t: 0, 1, 1, -2 -> squares 0 1 1 4 (sum 6), |.| 0 1 1 2 (sum 4).
    // Target mean (1 + 1 + 2 + 6)/4 = 2.5; SS_tot = 2.25 + 2.25 + 0.25 + 12.25 = 17.
    const double pred[2][2] = {{1, 2}, {3, 4}};
    const double target[2][2] = {{1, 1}, {2, 6}};
    CHECK(ctnn::metric::mse(pred, target) == Approx(6.0 / 4.0));
    CHECK(ctnn::metric::mae(pred, target) == Approx(4.0 / 4.0));
    CHECK(ctnn::metric::r2(pred, target) == Approx(1.0 - 6.0 / 17.0));

    // Same in float.
    const float pf[2][2] = {{1, 2}, {3, 4}};
    const float tf[2][2] = {{1, 1}, {2, 6}};
    CHECK(ctnn::metric::r2(pf, tf) == Approx(11.0 / 17.0));

    // Perfect: 0, 0, 1. Predicting the target mean 2.5 everywhere: SS_res = SS_tot -> R^2 = 0.
    CHECK(ctnn::metric::mse(target, target) == 0.0);
    CHECK(ctnn::metric::mae(target, target) == 0.0);
    CHECK(ctnn::metric::r2(target, target) == 1.0);
    const double mean_pred[2][2] = {{2.5, 2.5}, {2.5, 2.5}};
    CHECK(ctnn::metric::r2(mean_pred, target) == Approx(0.0).margin(1e-15));
    // Worse than the mean: all 10 -> SS_res = 81 + 81 + 64 + 16 = 242 -> 1 - 242/17.
    const double far[2][2] = {{10, 10}, {10, 10}};
    CHECK(ctnn::metric::r2(far, target) == Approx(1.0 - 242.0 / 17.0));
}

TEST_CASE("R^2 of a constant target: 1 if exact, else 0 (sklearn force_finite)", "[metrics]") {
    const double target[3][1] = {{2.5}, {2.5}, {2.5}};
    const double off[3][1] = {{2.5}, {3.0}, {2.5}};
    CHECK(ctnn::metric::r2(target, target) == 1.0);
    CHECK(ctnn::metric::r2(off, target) == 0.0);
}

TEST_CASE("randomized metrics against a std::map / std::vector reference", "[metrics]") {
    constexpr std::size_t B = 57;
    constexpr std::size_t C = 5;
    constexpr std::size_t N = 3;
    ctnn::random_source rng(20261121);
    for (int round = 0; round < 50; ++round) {
        std::size_t truth[B];
        std::size_t pred[B];
        float pf[B][N];
        float tf[B][N];
        // Classes 0..3 only in truth, so class 4 has no true samples (recall 0) and is sometimes never predicted.
        for (std::size_t b = 0; b < B; ++b) {
            truth[b] = rng.below(C - 1);
            pred[b] = rng.below(4) == 0 ? truth[b] : rng.below(round % 2 == 0 ? C : C - 1);
            for (std::size_t i = 0; i < N; ++i) {
                tf[b][i] = static_cast<float>(rng.uniform(-2.0, 3.0));
                pf[b][i] = tf[b][i] + static_cast<float>(rng.uniform(-1.0, 1.0));
            }
        }
        confusion_matrix<C> m;
        m.add(pred, truth);

        std::map<std::pair<std::size_t, std::size_t>, int> pairs;  // (truth, pred) -> count
        for (std::size_t b = 0; b < B; ++b) ++pairs[{truth[b], pred[b]}];
        int hits = 0;
        double sum_p = 0, sum_r = 0, sum_f = 0;
        for (std::size_t c = 0; c < C; ++c) {
            int tp = 0, fp = 0, fn = 0;
            for (const auto& [key, n] : pairs) {
                if (key.first == c && key.second == c) tp += n;
                if (key.first != c && key.second == c) fp += n;
                if (key.first == c && key.second != c) fn += n;
            }
            hits += tp;
            const double p = tp + fp > 0 ? double(tp) / (tp + fp) : 0.0;
            const double r = tp + fn > 0 ? double(tp) / (tp + fn) : 0.0;
            const double f = p + r > 0 ? 2 * p * r / (p + r) : 0.0;  // harmonic-mean form, unlike the library's
            CHECK(m.precision(c) == Approx(p));
            CHECK(m.recall(c) == Approx(r));
            CHECK(m.f1(c) == Approx(f));
            sum_p += p;
            sum_r += r;
            sum_f += f;
            for (std::size_t q = 0; q < C; ++q) {
                const auto it = pairs.find({c, q});
                CHECK(m.at(c, q) == (it == pairs.end() ? 0u : static_cast<std::size_t>(it->second)));
            }
        }
        CHECK(m.recall(C - 1) == 0.0);
        CHECK(ctnn::metric::accuracy(pred, truth) == Approx(double(hits) / B));
        CHECK(m.accuracy() == Approx(double(hits) / B));
        CHECK(m.macro_precision() == Approx(sum_p / C));
        CHECK(m.macro_recall() == Approx(sum_r / C));
        CHECK(m.macro_f1() == Approx(sum_f / C));

        // Regression reference: flattened vectors, long double, R^2 via SS_tot = sum t^2 - n mean^2.
        std::vector<long double> p, t;
        for (std::size_t b = 0; b < B; ++b)
            for (std::size_t i = 0; i < N; ++i) {
                p.push_back(pf[b][i]);
                t.push_back(tf[b][i]);
            }
        long double se = 0, ae = 0, st = 0, st2 = 0;
        for (std::size_t k = 0; k < p.size(); ++k) {
            se += (p[k] - t[k]) * (p[k] - t[k]);
            ae += std::fabs(p[k] - t[k]);
            st += t[k];
            st2 += t[k] * t[k];
        }
        const long double n = static_cast<long double>(p.size());
        const long double ss_tot = st2 - st * st / n;
        CHECK(ctnn::metric::mse(pf, tf) == Approx(static_cast<double>(se / n)).epsilon(1e-12));
        CHECK(ctnn::metric::mae(pf, tf) == Approx(static_cast<double>(ae / n)).epsilon(1e-12));
        CHECK(ctnn::metric::r2(pf, tf) == Approx(static_cast<double>(1 - se / ss_tot)).epsilon(1e-10));
    }
}
