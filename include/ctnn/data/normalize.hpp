// Input normalization fitted on the training split and applied to every other input (opt-in header).
//   ctnn::data::normalizer<4> n(ctnn::data::normalization::standardize);
//   n.fit(split.train);                 // training data only
//   n.apply(split.train); n.apply(split.validation); n.apply(split.test);
//   ctnn::save("net.ctnn.json", params, n);   // <ctnn/io.hpp>: a deployed model carries its input scaling
// Every kind is stored in one form, per feature: x' = (x - shift) * scale.
//   standardize: shift = mean, scale = 1 / standard deviation (population, divide by n); a constant feature gets
//                scale 1 (it becomes 0).
//   min_max:     maps [min, max] onto [lo, hi] (default [0, 1]): scale = (hi - lo) / (max - min),
//                shift = min - lo / scale; a constant feature gets scale 1 (it becomes lo).
//   none:        shift 0, scale 1.
// Statistics are computed in double and stored as T.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>

#include <ctnn/data/dataset.hpp>
#include <ctnn/data/error.hpp>

namespace ctnn::data {

enum class normalization { none, standardize, min_max };

constexpr std::string_view normalization_name(normalization k) noexcept {
    return k == normalization::standardize ? "standardize" : k == normalization::min_max ? "min_max" : "none";
}

template <std::size_t In, class T = float>
struct normalizer {
    static_assert(In >= 1, "ctnn::data::normalizer<In, T>: In must be at least 1");
    static constexpr std::size_t input_size = In;
    using value_type = T;

    normalization kind = normalization::none;
    T lo = 0, hi = 1;  // min_max's target range (used by fit only; not saved in model files)
    std::array<T, In> shift{};
    std::array<T, In> scale = ones();

    normalizer() = default;
    explicit normalizer(normalization k, T range_lo = 0, T range_hi = 1) : kind(k), lo(range_lo), hi(range_hi) {}

    // Computes shift and scale from d's inputs. Throws data_error for an empty dataset, a NaN or infinite input
    // (naming inputs[sample][feature]) or a bad min_max range.
    template <std::size_t Out>
    void fit(const dataset<In, Out, T>& d) {
        using detail::data_fail;
        if (d.empty()) data_fail("", 0, 0, "normalizer::fit: the dataset is empty");
        for (std::size_t i = 0; i < d.size(); ++i)
            for (std::size_t k = 0; k < In; ++k)
                if (!std::isfinite(d.inputs[i][k]))
                    data_fail("", 0, 0,
                              "normalizer::fit: inputs[" + std::to_string(i) + "][" + std::to_string(k) + "] is " +
                                  (std::isnan(d.inputs[i][k]) ? "NaN" : "infinite"));
        if (kind == normalization::min_max && !(std::isfinite(lo) && std::isfinite(hi) && lo < hi))
            data_fail("", 0, 0, "normalizer::fit: min_max needs finite lo < hi");
        std::array<T, In> new_shift{};
        std::array<T, In> new_scale = ones();
        for (std::size_t k = 0; k < In; ++k) {
            if (kind == normalization::standardize) {
                double sum = 0;
                for (const auto& x : d.inputs) sum += static_cast<double>(x[k]);
                const double mean = sum / static_cast<double>(d.size());
                double squares = 0;  // two passes: no cancellation
                for (const auto& x : d.inputs) {
                    const double dev = static_cast<double>(x[k]) - mean;
                    squares += dev * dev;
                }
                const double sd = std::sqrt(squares / static_cast<double>(d.size()));
                new_shift[k] = static_cast<T>(mean);
                const T s = static_cast<T>(1.0 / sd);
                new_scale[k] = sd > 0 && std::isfinite(s) && s != 0 ? s : T(1);
            } else if (kind == normalization::min_max) {
                double mn = static_cast<double>(d.inputs[0][k]);
                double mx = mn;
                for (const auto& x : d.inputs) {
                    mn = std::fmin(mn, static_cast<double>(x[k]));
                    mx = std::fmax(mx, static_cast<double>(x[k]));
                }
                const double s = (static_cast<double>(hi) - static_cast<double>(lo)) / (mx - mn);
                const bool usable = mx > mn && std::isfinite(static_cast<T>(s)) && static_cast<T>(s) != 0;
                const double scale_k = usable ? s : 1.0;
                new_scale[k] = static_cast<T>(scale_k);
                new_shift[k] = static_cast<T>(mn - static_cast<double>(lo) / scale_k);
            }
        }
        shift = new_shift;
        scale = new_scale;
    }

    void apply(std::array<T, In>& x) const noexcept {
        for (std::size_t k = 0; k < In; ++k) x[k] = (x[k] - shift[k]) * scale[k];
    }
    [[nodiscard]] std::array<T, In> applied(std::array<T, In> x) const noexcept {
        apply(x);
        return x;
    }
    template <std::size_t Out>
    void apply(dataset<In, Out, T>& d) const noexcept {
        for (auto& x : d.inputs) apply(x);
    }

    friend bool operator==(const normalizer&, const normalizer&) = default;

  private:
    static constexpr std::array<T, In> ones() {
        std::array<T, In> a{};
        for (auto& v : a) v = T(1);
        return a;
    }
};

}  // namespace ctnn::data
