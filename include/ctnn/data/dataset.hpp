// A dataset with compile-time sample sizes: In input values and Out target values per sample (opt-in header:
// it allocates). Classification targets are one-hot rows (or a single 0/1 value for a one-output network).
//   ctnn::data::dataset<4, 3> iris;             // or ctnn::data::dataset_for<Net>
//   iris.add({5.1f, 3.5f, 1.4f, 0.2f}, {1, 0, 0});
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

namespace ctnn::data {

template <std::size_t In, std::size_t Out, class T = float>
struct dataset {
    static_assert(In >= 1 && Out >= 1, "ctnn::data::dataset<In, Out, T>: In and Out must be at least 1");
    static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>,
                  "ctnn::data::dataset<In, Out, T>: T must be float or double");
    static constexpr std::size_t input_size = In;
    static constexpr std::size_t target_size = Out;
    using value_type = T;
    using input_type = std::array<T, In>;
    using target_type = std::array<T, Out>;

    std::vector<input_type> inputs;
    std::vector<target_type> targets;
    std::vector<std::string> class_names;  // for classification data: the name of each target column

    [[nodiscard]] std::size_t size() const noexcept { return inputs.size(); }
    [[nodiscard]] bool empty() const noexcept { return inputs.empty(); }
    void reserve(std::size_t n) {
        inputs.reserve(n);
        targets.reserve(n);
    }
    void add(const input_type& x, const target_type& y) {
        inputs.push_back(x);
        targets.push_back(y);
    }
    // The samples at `indices`, in that order (indices may repeat).
    [[nodiscard]] dataset subset(std::span<const std::size_t> indices) const {
        dataset d;
        d.class_names = class_names;
        d.reserve(indices.size());
        for (std::size_t i : indices) d.add(inputs[i], targets[i]);
        return d;
    }
};

// The dataset type that fits network Net.
template <class Net, class T = float>
using dataset_for = dataset<Net::input_size, Net::output_size, T>;

}  // namespace ctnn::data
