// Seeded shuffling, train/validation/test splits and k-fold cross-validation (opt-in header). Every result depends
// only on the seed: ctnn::random_source and integer arithmetic, the same on every platform and compiler.
//   ctnn::data::shuffle(d, 42);
//   auto s = ctnn::data::split(d, {0.7, 0.15, 0.15}, 42, ctnn::data::stratify::by_class);  // s.train, ...
//   for (auto& fold : ctnn::data::k_fold(d, 5, 42)) { ... fold.train ... fold.validation ... }
// Classes (for stratification) are the index of the largest target (the first on ties) when Out > 1, the
// target value itself when Out == 1 (a class index or a 0/1 label).
#pragma once

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include <ctnn/data/dataset.hpp>
#include <ctnn/data/error.hpp>
#include <ctnn/random.hpp>

namespace ctnn::data {

enum class stratify { no, by_class };

// 0, 1, ..., n - 1 in a seeded random order (Fisher-Yates: for i = n-1 down to 1 swap i with below(i + 1)).
inline std::vector<std::size_t> permutation(std::size_t n, std::uint64_t seed) {
    std::vector<std::size_t> p(n);
    std::iota(p.begin(), p.end(), std::size_t{0});
    random_source r(seed);
    for (std::size_t i = n; i > 1; --i) std::swap(p[i - 1], p[static_cast<std::size_t>(r.below(i))]);
    return p;
}

// Reorders d's samples (inputs and targets together) as permutation(d.size(), seed) says: sample i of the result
// is sample permutation[i] of d.
template <std::size_t In, std::size_t Out, class T>
void shuffle(dataset<In, Out, T>& d, std::uint64_t seed) {
    random_source r(seed);
    for (std::size_t i = d.size(); i > 1; --i) {
        const auto j = static_cast<std::size_t>(r.below(i));
        std::swap(d.inputs[i - 1], d.inputs[j]);
        std::swap(d.targets[i - 1], d.targets[j]);
    }
}

struct split_fractions {
    double train = 0.8;
    double validation = 0.1;
    double test = 0.1;
};

template <std::size_t In, std::size_t Out, class T>
struct split_result {
    dataset<In, Out, T> train, validation, test;
};

template <std::size_t In, std::size_t Out, class T>
struct fold {
    dataset<In, Out, T> train, validation;
};

namespace detail {

template <std::size_t Out, class T>
T class_key(const std::array<T, Out>& y) {
    if constexpr (Out == 1) {
        return y[0];
    } else {
        std::size_t best = 0;
        for (std::size_t k = 1; k < Out; ++k)
            if (y[k] > y[best]) best = k;
        return static_cast<T>(best);
    }
}

// The sample indices grouped by class (classes in increasing order), each group in a seeded random order.
template <std::size_t In, std::size_t Out, class T>
std::vector<std::vector<std::size_t>> shuffled_classes(const dataset<In, Out, T>& d, std::uint64_t seed) {
    std::map<T, std::vector<std::size_t>> groups;
    for (std::size_t i : permutation(d.size(), seed)) {
        const T key = class_key<Out, T>(d.targets[i]);
        if (std::isnan(key)) data_fail("", 0, 0, "stratify: targets[" + std::to_string(i) + "] is NaN");
        groups[key].push_back(i);
    }
    std::vector<std::vector<std::size_t>> out;
    for (auto& [key, members] : groups) out.push_back(std::move(members));
    return out;
}

inline std::string shortest(double v) {
    char buf[32];
    return std::string(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

// round(n * f) for f in [0, 1], ties up; exact enough for n below 2^52.
inline std::size_t share(std::size_t n, double f) {
    const auto v = static_cast<std::size_t>(std::floor(static_cast<double>(n) * f + 0.5));
    return v > n ? n : v;
}

}  // namespace detail

// Splits d into train, validation and test parts of about the given fractions (non-negative, summing to 1):
// the first round(n * train) samples of a seeded permutation train, up to round(n * (train + validation))
// validate, the rest test. stratify::by_class splits each class that way, so every part keeps the class
// proportions, then shuffles each part.
template <std::size_t In, std::size_t Out, class T>
split_result<In, Out, T> split(const dataset<In, Out, T>& d, split_fractions f, std::uint64_t seed,
                               stratify how = stratify::no) {
    const auto ok = [](double v) { return std::isfinite(v) && v >= 0 && v <= 1; };
    if (!ok(f.train) || !ok(f.validation) || !ok(f.test) || std::fabs(f.train + f.validation + f.test - 1) > 1e-9)
        detail::data_fail("", 0, 0,
                          "split: the fractions (train " + detail::shortest(f.train) + ", validation " +
                              detail::shortest(f.validation) + ", test " + detail::shortest(f.test) +
                              ") must be between 0 and 1 and sum to 1");
    std::vector<std::vector<std::size_t>> groups;
    if (how == stratify::by_class)
        groups = detail::shuffled_classes(d, seed);
    else
        groups.push_back(permutation(d.size(), seed));
    std::vector<std::size_t> parts[3];
    for (const auto& g : groups) {
        const std::size_t a = detail::share(g.size(), f.train);
        const std::size_t b = std::max(a, detail::share(g.size(), f.train + f.validation));
        const auto at_a = g.begin() + static_cast<std::ptrdiff_t>(a);
        const auto at_b = g.begin() + static_cast<std::ptrdiff_t>(b);
        parts[0].insert(parts[0].end(), g.begin(), at_a);
        parts[1].insert(parts[1].end(), at_a, at_b);
        parts[2].insert(parts[2].end(), at_b, g.end());
    }
    split_result<In, Out, T> r{d.subset(parts[0]), d.subset(parts[1]), d.subset(parts[2])};
    if (how == stratify::by_class) {  // interleave the classes; seeds derived from the one given
        shuffle(r.train, seed ^ 0x5452414Eull);
        shuffle(r.validation, seed ^ 0x56414C49ull);
        shuffle(r.test, seed ^ 0x54455354ull);
    }
    return r;
}

// k folds for cross-validation: sample j of a seeded order goes to the validation set of fold j mod k, so every
// sample validates exactly once and fold sizes differ by at most 1; a fold trains on all the other samples.
// stratify::by_class orders the samples class by class first, so each fold keeps the class proportions, then
// shuffles each fold's parts.
template <std::size_t In, std::size_t Out, class T>
std::vector<fold<In, Out, T>> k_fold(const dataset<In, Out, T>& d, std::size_t k, std::uint64_t seed,
                                     stratify how = stratify::no) {
    if (k < 2 || k > d.size())
        detail::data_fail("", 0, 0,
                          "k_fold: k = " + std::to_string(k) +
                              " must be at least 2 and at most the number of samples (" + std::to_string(d.size()) +
                              ")");
    std::vector<std::size_t> order;
    if (how == stratify::by_class) {
        for (const auto& g : detail::shuffled_classes(d, seed)) order.insert(order.end(), g.begin(), g.end());
    } else {
        order = permutation(d.size(), seed);
    }
    std::vector<fold<In, Out, T>> folds;
    for (std::size_t f = 0; f < k; ++f) {
        std::vector<std::size_t> train, validation;
        for (std::size_t j = 0; j < order.size(); ++j) (j % k == f ? validation : train).push_back(order[j]);
        folds.push_back({d.subset(train), d.subset(validation)});
        if (how == stratify::by_class) {  // the order above runs class by class
            shuffle(folds.back().train, seed ^ (0x464F4C44ull + 2 * f));
            shuffle(folds.back().validation, seed ^ (0x464F4C45ull + 2 * f));
        }
    }
    return folds;
}

}  // namespace ctnn::data
