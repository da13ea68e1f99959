// Shuffling, splitting and k-fold: the permutation against an independent Python SplitMix64 / Fisher-Yates, exact
// split and fold contents for a small case, coverage (every sample exactly once), class proportions when
// stratified, and the errors.
#include <ctnn/data/split.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

using ctnn::data::data_error;
using ctnn::data::stratify;

#include "support/error_message.hpp"

namespace {

// Sample i has input {i} and target {i % classes} (a class index), or one-hot rows when Out == classes.
template <std::size_t Out>
ctnn::data::dataset<1, Out, double> numbered(std::size_t n, std::size_t classes) {
    ctnn::data::dataset<1, Out, double> d;
    for (std::size_t i = 0; i < n; ++i) {
        std::array<double, Out> y{};
        if constexpr (Out == 1)
            y[0] = static_cast<double>(i % classes);
        else
            y[i % classes] = 1.0;
        d.add({static_cast<double>(i)}, y);
    }
    d.class_names = {"a", "b", "c"};
    return d;
}

template <std::size_t Out>
std::vector<std::size_t> ids(const ctnn::data::dataset<1, Out, double>& d) {
    std::vector<std::size_t> v;
    for (const auto& x : d.inputs) v.push_back(static_cast<std::size_t>(x[0]));
    return v;
}

// Every target still belongs to its input (i % classes).
template <std::size_t Out>
bool consistent(const ctnn::data::dataset<1, Out, double>& d, std::size_t classes) {
    for (std::size_t i = 0; i < d.size(); ++i) {
        const auto id = static_cast<std::size_t>(d.inputs[i][0]);
        if (Out == 1 ? d.targets[i][0] != static_cast<double>(id % classes) : d.targets[i][(id % classes) % Out] != 1.0)
            return false;
    }
    return true;
}

template <std::size_t Out>
std::array<std::size_t, 3> class_counts(const ctnn::data::dataset<1, Out, double>& d) {
    std::array<std::size_t, 3> c{};
    for (std::size_t id : ids(d)) ++c[id % 3];
    return c;
}

std::vector<std::size_t> sorted(std::vector<std::size_t> v) {
    std::sort(v.begin(), v.end());
    return v;
}

std::vector<std::size_t> iota(std::size_t n) {
    std::vector<std::size_t> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = i;
    return v;
}

template <class F>
std::string message_of(F&& f) {
    return ctnn_test::message_of<data_error>(std::forward<F>(f));
}

}  // namespace

TEST_CASE("permutation and shuffle follow SplitMix64 + Fisher-Yates exactly", "[data][split]") {
    // From a Python transcription of ctnn::random_source (next, below) and the loop
    // for i in range(n, 1, -1): j = r.below(i); p[i-1], p[j] = p[j], p[i-1].
    CHECK(ctnn::data::permutation(10, 42) == std::vector<std::size_t>{0, 9, 5, 8, 6, 4, 7, 2, 1, 3});
    CHECK(ctnn::data::permutation(10, 7) == std::vector<std::size_t>{8, 1, 5, 9, 0, 4, 3, 2, 6, 7});
    CHECK(ctnn::data::permutation(1, 5) == std::vector<std::size_t>{0});
    CHECK(ctnn::data::permutation(0, 5).empty());

    auto d = numbered<3>(10, 3);
    ctnn::data::shuffle(d, 42);
    CHECK(ids(d) == ctnn::data::permutation(10, 42));
    CHECK(consistent(d, 3));
    CHECK(d.class_names.size() == 3);
}

TEST_CASE("split: consecutive runs of the seeded permutation, sizes rounded", "[data][split]") {
    const auto d = numbered<1>(10, 3);
    const auto s = ctnn::data::split(d, {0.6, 0.2, 0.2}, 42);
    CHECK(ids(s.train) == std::vector<std::size_t>{0, 9, 5, 8, 6, 4});
    CHECK(ids(s.validation) == std::vector<std::size_t>{7, 2});
    CHECK(ids(s.test) == std::vector<std::size_t>{1, 3});
    CHECK(consistent(s.test, 3));
    CHECK(s.train.class_names == d.class_names);

    // 150 samples: round(105) = 105, round(127.5) = 128 (ties up), so 105 / 23 / 22.
    const auto big = ctnn::data::split(numbered<1>(150, 3), {0.7, 0.15, 0.15}, 1);
    CHECK(big.train.size() == 105);
    CHECK(big.validation.size() == 23);
    CHECK(big.test.size() == 22);
    std::vector<std::size_t> all = ids(big.train);
    for (auto v : {ids(big.validation), ids(big.test)}) all.insert(all.end(), v.begin(), v.end());
    CHECK(sorted(all) == iota(150));

    const auto again = ctnn::data::split(numbered<1>(150, 3), {0.7, 0.15, 0.15}, 1);
    CHECK(ids(again.test) == ids(big.test));
    CHECK(ids(ctnn::data::split(numbered<1>(150, 3), {0.7, 0.15, 0.15}, 2).test) != ids(big.test));

    const auto no_test = ctnn::data::split(d, {0.8, 0.2, 0.0}, 3);
    CHECK(no_test.train.size() == 8);
    CHECK(no_test.validation.size() == 2);
    CHECK(no_test.test.empty());
}

TEST_CASE("split by class keeps the class proportions in every part", "[data][split]") {
    // 3 classes of 50 (one-hot): 40 / 5 / 5 of each class.
    const auto d = numbered<3>(150, 3);
    const auto s = ctnn::data::split(d, {0.8, 0.1, 0.1}, 9, stratify::by_class);
    CHECK(class_counts(s.train) == std::array<std::size_t, 3>{40, 40, 40});
    CHECK(class_counts(s.validation) == std::array<std::size_t, 3>{5, 5, 5});
    CHECK(class_counts(s.test) == std::array<std::size_t, 3>{5, 5, 5});
    CHECK(consistent(s.train, 3));
    std::vector<std::size_t> all = ids(s.train);
    for (auto v : {ids(s.validation), ids(s.test)}) all.insert(all.end(), v.begin(), v.end());
    CHECK(sorted(all) == iota(150));
    // The parts are shuffled, not class after class.
    const auto t = ids(s.train);
    CHECK_FALSE(std::is_sorted(t.begin(), t.end(), [](std::size_t a, std::size_t b) { return a % 3 < b % 3; }));

    // Class indices (Out == 1) work the same way.
    const auto c = ctnn::data::split(numbered<1>(150, 3), {0.8, 0.1, 0.1}, 9, stratify::by_class);
    CHECK(class_counts(c.validation) == std::array<std::size_t, 3>{5, 5, 5});
}

TEST_CASE("k_fold: sample j of the permutation validates in fold j mod k", "[data][split]") {
    const auto d = numbered<1>(10, 3);
    const auto folds = ctnn::data::k_fold(d, 3, 42);
    REQUIRE(folds.size() == 3);
    // permutation(10, 42) = 0 9 5 8 6 4 7 2 1 3
    CHECK(ids(folds[0].validation) == std::vector<std::size_t>{0, 8, 7, 3});
    CHECK(ids(folds[1].validation) == std::vector<std::size_t>{9, 6, 2});
    CHECK(ids(folds[2].validation) == std::vector<std::size_t>{5, 4, 1});
    CHECK(ids(folds[1].train) == std::vector<std::size_t>{0, 5, 8, 4, 7, 1, 3});
    std::vector<std::size_t> validated;
    for (const auto& f : folds) {
        CHECK(f.train.size() + f.validation.size() == 10);
        std::vector<std::size_t> both = ids(f.train);
        for (std::size_t id : ids(f.validation)) both.push_back(id);
        CHECK(sorted(both) == iota(10));
        for (std::size_t id : ids(f.validation)) validated.push_back(id);
        CHECK(consistent(f.train, 3));
    }
    CHECK(sorted(validated) == iota(10));
}

TEST_CASE("k_fold by class: each fold validates on the class proportions", "[data][split]") {
    const auto d = numbered<3>(150, 3);
    const auto folds = ctnn::data::k_fold(d, 5, 11, stratify::by_class);
    std::vector<std::size_t> validated;
    for (const auto& f : folds) {
        CHECK(class_counts(f.validation) == std::array<std::size_t, 3>{10, 10, 10});
        CHECK(class_counts(f.train) == std::array<std::size_t, 3>{40, 40, 40});
        for (std::size_t id : ids(f.validation)) validated.push_back(id);
    }
    CHECK(sorted(validated) == iota(150));
}

TEST_CASE("split and k_fold errors", "[data][split]") {
    const auto d = numbered<1>(10, 3);
    CHECK(message_of([&] { (void)ctnn::data::split(d, {0.8, 0.1, 0.2}, 1); }) ==
          "split: the fractions (train 0.8, validation 0.1, test 0.2) must be between 0 and 1 and sum to 1");
    CHECK(message_of([&] { (void)ctnn::data::split(d, {1.2, -0.1, -0.1}, 1); }) ==
          "split: the fractions (train 1.2, validation -0.1, test -0.1) must be between 0 and 1 and sum to 1");
    CHECK(message_of([&] { (void)ctnn::data::k_fold(d, 1, 1); }) ==
          "k_fold: k = 1 must be at least 2 and at most the number of samples (10)");
    CHECK(message_of([&] { (void)ctnn::data::k_fold(d, 11, 1); }) ==
          "k_fold: k = 11 must be at least 2 and at most the number of samples (10)");
    auto nan = d;
    nan.targets[4][0] = std::numeric_limits<double>::quiet_NaN();
    CHECK(message_of([&] { (void)ctnn::data::split(nan, {0.8, 0.1, 0.1}, 1, stratify::by_class); }) ==
          "stratify: targets[4] is NaN");
}
