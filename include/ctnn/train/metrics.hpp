// Evaluation metrics with scikit-learn's conventions: accuracy, a confusion matrix with per-class and macro
// precision / recall / F1, and the regression metrics MSE, MAE and R^2. Compile-time shapes, C arrays
// `const T (&)[B][N]` (T = float or double), noexcept, no heap; every metric returns double (sums in double).
// Class indices are std::size_t and must be < C (a precondition, not checked). One line per metric: docs/metrics.md.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <string>
#include <type_traits>

namespace ctnn::metric {

namespace detail {

template <class T>
constexpr void check_element() noexcept {
    static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>,
                  "ctnn::metric: the element type must be float or double");
}

template <std::size_t B, std::size_t B2>
constexpr void check_batch() noexcept {
    static_assert(B > 0, "ctnn::metric: the batch must not be empty");
    static_assert(B == B2, "ctnn::metric: predictions and targets must have the same batch size");
}

template <class T, std::size_t B, std::size_t N, std::size_t B2, std::size_t N2>
constexpr void check_regression() noexcept {
    check_element<T>();
    static_assert(B > 0 && N > 0, "ctnn::metric: the batch and the per-sample size must not be empty");
    static_assert(B == B2 && N == N2, "ctnn::metric: prediction and target must have the same [batch][size] shape");
}

}  // namespace detail

// Index of the largest score; the first one on ties (like numpy.argmax / torch.argmax).
template <class T, std::size_t C>
[[nodiscard]] constexpr std::size_t argmax(const T (&scores)[C]) noexcept {
    detail::check_element<T>();
    static_assert(C > 0, "ctnn::metric::argmax: needs at least one class");
    std::size_t k = 0;
    for (std::size_t c = 1; c < C; ++c)
        if (scores[c] > scores[k]) k = c;
    return k;
}

// Fraction of samples whose predicted class equals the true class.
template <std::size_t B, std::size_t B2>
[[nodiscard]] constexpr double accuracy(const std::size_t (&pred)[B], const std::size_t (&truth)[B2]) noexcept {
    detail::check_batch<B, B2>();
    std::size_t hits = 0;
    for (std::size_t b = 0; b < B; ++b) hits += pred[b] == truth[b] ? 1 : 0;
    return static_cast<double>(hits) / static_cast<double>(B);
}

// Same, with the predicted class = argmax of each row of scores [B][C] (logits or probabilities).
template <class T, std::size_t B, std::size_t C, std::size_t B2>
[[nodiscard]] constexpr double accuracy(const T (&scores)[B][C], const std::size_t (&truth)[B2]) noexcept {
    detail::check_batch<B, B2>();
    std::size_t hits = 0;
    for (std::size_t b = 0; b < B; ++b) hits += argmax(scores[b]) == truth[b] ? 1 : 0;
    return static_cast<double>(hits) / static_cast<double>(B);
}

// Counts of (true class, predicted class) pairs; rows = true class, columns = predicted class (sklearn's layout).
// Ratios that would divide by zero are 0, sklearn's zero_division=0 (its default "warn" also returns 0):
// precision of a class never predicted, recall of a class never true, F1 when 2 TP + FP + FN = 0.
// Macro averages are the unweighted mean over ALL C classes (sklearn with labels=range(C)), also absent ones.
template <std::size_t C>
struct confusion_matrix {
    static_assert(C >= 2, "ctnn::metric::confusion_matrix<C>: needs at least two classes");
    static constexpr std::size_t classes = C;

    std::array<std::size_t, C * C> counts{};  // counts[truth * C + pred]

    constexpr void add(std::size_t pred_class, std::size_t true_class) noexcept { ++counts[true_class * C + pred_class]; }

    template <std::size_t B, std::size_t B2>
    constexpr void add(const std::size_t (&pred)[B], const std::size_t (&truth)[B2]) noexcept {
        detail::check_batch<B, B2>();
        for (std::size_t b = 0; b < B; ++b) add(pred[b], truth[b]);
    }

    // Predicted class = argmax of each row of scores [B][C].
    template <class T, std::size_t B, std::size_t C2, std::size_t B2>
    constexpr void add(const T (&scores)[B][C2], const std::size_t (&truth)[B2]) noexcept {
        detail::check_batch<B, B2>();
        static_assert(C2 == C, "ctnn::metric::confusion_matrix<C>::add: scores must have C columns");
        for (std::size_t b = 0; b < B; ++b) add(argmax(scores[b]), truth[b]);
    }

    // Adds the counts of another matrix (e.g. one per thread or per batch).
    constexpr void merge(const confusion_matrix& other) noexcept {
        for (std::size_t i = 0; i < C * C; ++i) counts[i] += other.counts[i];
    }
    constexpr void reset() noexcept { counts.fill(0); }

    [[nodiscard]] constexpr std::size_t at(std::size_t true_class, std::size_t pred_class) const noexcept {
        return counts[true_class * C + pred_class];
    }
    [[nodiscard]] constexpr std::size_t total() const noexcept {
        std::size_t n = 0;
        for (std::size_t v : counts) n += v;
        return n;
    }
    [[nodiscard]] constexpr std::size_t true_positives(std::size_t c) const noexcept { return at(c, c); }
    // Column sum: samples predicted as c (TP + FP).
    [[nodiscard]] constexpr std::size_t predicted(std::size_t c) const noexcept {
        std::size_t n = 0;
        for (std::size_t t = 0; t < C; ++t) n += at(t, c);
        return n;
    }
    // Row sum: samples whose true class is c (TP + FN).
    [[nodiscard]] constexpr std::size_t actual(std::size_t c) const noexcept {
        std::size_t n = 0;
        for (std::size_t p = 0; p < C; ++p) n += at(c, p);
        return n;
    }

    // Trace / total; 0 for an empty matrix.
    [[nodiscard]] constexpr double accuracy() const noexcept {
        std::size_t hits = 0;
        for (std::size_t c = 0; c < C; ++c) hits += at(c, c);
        return ratio(hits, total());
    }
    [[nodiscard]] constexpr double precision(std::size_t c) const noexcept { return ratio(at(c, c), predicted(c)); }
    [[nodiscard]] constexpr double recall(std::size_t c) const noexcept { return ratio(at(c, c), actual(c)); }
    // 2 TP / (2 TP + FP + FN): the harmonic mean of precision and recall, 0 when both are 0.
    [[nodiscard]] constexpr double f1(std::size_t c) const noexcept {
        return ratio(2 * at(c, c), predicted(c) + actual(c));
    }
    [[nodiscard]] constexpr double macro_precision() const noexcept { return mean_of(&confusion_matrix::precision); }
    [[nodiscard]] constexpr double macro_recall() const noexcept { return mean_of(&confusion_matrix::recall); }
    // Mean of the per-class F1 (sklearn's f1_score(average='macro')), not the F1 of the macro precision and recall.
    [[nodiscard]] constexpr double macro_f1() const noexcept { return mean_of(&confusion_matrix::f1); }

    // Writes the table (header row of predicted classes, one row per true class) with std::fprintf.
    // Not for hot paths: stdio may lock and buffer. Returns false if a write failed.
    bool print(std::FILE* out) const noexcept {
        bool ok = std::fprintf(out, "true\\pred") >= 0;
        for (std::size_t p = 0; p < C; ++p) ok = ok && std::fprintf(out, " %8zu", p) >= 0;
        ok = ok && std::fprintf(out, "\n") >= 0;
        for (std::size_t t = 0; t < C; ++t) {
            ok = ok && std::fprintf(out, "%9zu", t) >= 0;
            for (std::size_t p = 0; p < C; ++p) ok = ok && std::fprintf(out, " %8zu", at(t, p)) >= 0;
            ok = ok && std::fprintf(out, "\n") >= 0;
        }
        return ok;
    }

  private:
    static constexpr double ratio(std::size_t num, std::size_t den) noexcept {
        return den == 0 ? 0.0 : static_cast<double>(num) / static_cast<double>(den);
    }
    constexpr double mean_of(double (confusion_matrix::*per_class)(std::size_t) const noexcept) const noexcept {
        double sum = 0;
        for (std::size_t c = 0; c < C; ++c) sum += (this->*per_class)(c);
        return sum / static_cast<double>(C);
    }
};

// The same table as print(), as a string. ALLOCATES (std::string): for logs and reports, never in a hot path.
template <std::size_t C>
[[nodiscard]] std::string to_string(const confusion_matrix<C>& m) {
    std::string s;
    char cell[32];
    const auto put = [&](const char* fmt, std::size_t v) {
        std::snprintf(cell, sizeof cell, fmt, v);
        s += cell;
    };
    s += "true\\pred";
    for (std::size_t p = 0; p < C; ++p) put(" %8zu", p);
    s += '\n';
    for (std::size_t t = 0; t < C; ++t) {
        put("%9zu", t);
        for (std::size_t p = 0; p < C; ++p) put(" %8zu", m.at(t, p));
        s += '\n';
    }
    return s;
}

// mean((p - t)^2) over all B*N elements (sklearn mean_squared_error of the flattened arrays).
template <class T, std::size_t B, std::size_t N, std::size_t B2, std::size_t N2>
[[nodiscard]] double mse(const T (&pred)[B][N], const T (&target)[B2][N2]) noexcept {
    detail::check_regression<T, B, N, B2, N2>();
    double sum = 0;
    for (std::size_t b = 0; b < B; ++b)
        for (std::size_t i = 0; i < N; ++i) {
            const double d = static_cast<double>(pred[b][i]) - static_cast<double>(target[b][i]);
            sum += d * d;
        }
    return sum / static_cast<double>(B * N);
}

// mean(|p - t|) over all B*N elements.
template <class T, std::size_t B, std::size_t N, std::size_t B2, std::size_t N2>
[[nodiscard]] double mae(const T (&pred)[B][N], const T (&target)[B2][N2]) noexcept {
    detail::check_regression<T, B, N, B2, N2>();
    double sum = 0;
    for (std::size_t b = 0; b < B; ++b)
        for (std::size_t i = 0; i < N; ++i)
            sum += std::abs(static_cast<double>(pred[b][i]) - static_cast<double>(target[b][i]));
    return sum / static_cast<double>(B * N);
}

// R^2 = 1 - SS_res / SS_tot over ALL B*N elements flattened (one mean of the whole target), i.e. sklearn's
// r2_score(target.ravel(), pred.ravel()). For N == 1 this is r2_score(target, pred); for N > 1 it differs from
// sklearn's multioutput='uniform_average' (mean of per-column R^2). Constant target (SS_tot == 0): 1 if the
// prediction is exact (SS_res == 0), else 0 -- sklearn's force_finite=True. Can be negative (worse than the mean).
template <class T, std::size_t B, std::size_t N, std::size_t B2, std::size_t N2>
[[nodiscard]] double r2(const T (&pred)[B][N], const T (&target)[B2][N2]) noexcept {
    detail::check_regression<T, B, N, B2, N2>();
    double mean = 0;
    for (std::size_t b = 0; b < B; ++b)
        for (std::size_t i = 0; i < N; ++i) mean += static_cast<double>(target[b][i]);
    mean /= static_cast<double>(B * N);
    double ss_res = 0;
    double ss_tot = 0;
    for (std::size_t b = 0; b < B; ++b)
        for (std::size_t i = 0; i < N; ++i) {
            const double t = static_cast<double>(target[b][i]);
            const double d = static_cast<double>(pred[b][i]) - t;
            ss_res += d * d;
            ss_tot += (t - mean) * (t - mean);
        }
    if (ss_tot == 0.0) return ss_res == 0.0 ? 1.0 : 0.0;
    return 1.0 - ss_res / ss_tot;
}

}  // namespace ctnn::metric
