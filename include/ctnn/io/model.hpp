// ctnn::model: a network described at run time (scalar type, topology, weights), independent of any network
// type. Model files (<ctnn/io/model_file.hpp>) are read into and written from it; validate_model is the one set of
// rules every model obeys, whether it comes from a file or is about to be written. Format: docs/model-format.md.
#pragma once

#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <ctnn/activations.hpp>
#include <ctnn/io/error.hpp>
#include <ctnn/layers/dense.hpp>

namespace ctnn {

enum class scalar_type { float32, float64 };

constexpr std::string_view scalar_type_name(scalar_type t) noexcept {
    return t == scalar_type::float32 ? "float32" : "float64";
}

template <class T>
inline constexpr scalar_type scalar_type_of = std::is_same_v<T, float> ? scalar_type::float32 : scalar_type::float64;

// kind "dense": weight and bias. "batch_norm" (out == in): weight = gamma[out], bias = beta[out], the buffers
// running_mean[out] and running_var[out], momentum and eps. "dropout" (out == in, identity activation): the drop
// probability; no values.
struct layer_model {
    std::string kind = "dense";
    std::size_t in = 0;
    std::size_t out = 0;
    std::string activation = "identity";
    std::string activation_parameter_name;  // PyTorch's name ("negative_slope", "alpha"); empty when none
    double activation_parameter = 0.0;
    std::vector<double> weight;  // PyTorch's weight[out][in], row-major: weight[o * in + i] (batch_norm: gamma[out])
    std::vector<double> bias;    // bias[out] (batch_norm: beta[out])
    std::vector<double> running_mean;  // batch_norm
    std::vector<double> running_var;   // batch_norm
    double momentum = 0.0;             // batch_norm
    double eps = 0.0;                  // batch_norm
    double drop_probability = 0.0;     // dropout ("p" in the file)
};

// Weights are held as double whatever the scalar type: a float widens to double exactly.
// The input scaling a model was trained with, per input: x' = (x - shift) * scale (ctnn::data::normalizer).
struct normalization_model {
    std::string kind = "none";  // "none" (no scaling; shift and scale empty), "standardize" or "min_max"
    std::vector<double> shift;  // input_size values
    std::vector<double> scale;  // input_size values, none of them 0
};

inline constexpr std::array<std::string_view, 3> model_normalization_kinds{"none", "standardize", "min_max"};

struct model {
    scalar_type scalar = scalar_type::float32;
    std::size_t input_size = 0;
    std::vector<layer_model> layers;
    normalization_model normalization;  // optional in files: absent means kind "none"
};

inline constexpr std::string_view model_format_marker = "ctnn-model";
inline constexpr long long model_format_version = 1;

struct activation_info {
    std::string_view name;
    std::string_view parameter_name;  // empty when the activation has none
};

namespace detail {
template <class... A>
constexpr std::array<activation_info, sizeof...(A)> activation_table() {
    return {activation_info{A::name, A::parameter_name}...};
}
}  // namespace detail

// Every activation a model may name, taken from the activation types themselves.
inline constexpr auto model_activations =
    detail::activation_table<identity, binary_step, sigmoid, tanh, relu, leaky_relu<>, elu<>, selu, gelu, gelu_tanh,
                             softplus, softsign, swish, mish, sinc, log_sigmoid, softmax>();

inline constexpr std::array<std::string_view, 3> model_layer_kinds{"dense", "batch_norm", "dropout"};

constexpr const activation_info* find_activation(std::string_view name) noexcept {
    for (const auto& a : model_activations)
        if (a.name == name) return &a;
    return nullptr;
}

namespace detail {

// A short, one-line, quoted rendering of a string taken from a file.
inline std::string quoted_text(std::string_view s) {
    constexpr std::size_t limit = 60;
    std::string out = "\"";
    for (std::size_t k = 0; k < s.size() && k < limit; ++k) {
        const unsigned char c = static_cast<unsigned char>(s[k]);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20 || c == 0x7f) {
            out += '?';
        } else {
            out += static_cast<char>(c);
        }
    }
    return out + (s.size() > limit ? "...\"" : "\"");
}

// Shortest text that reads back as the same double, for messages.
inline std::string number_text(double v) {
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

inline std::string count_of(std::size_t n, std::string_view noun) {
    return std::to_string(n) + " " + std::string(noun) + (n == 1 ? "" : "s");
}

inline std::string layer_path(std::size_t i) { return "layers[" + std::to_string(i) + "]"; }

[[noreturn]] inline void fail(const std::string& file, const std::string& field, const std::string& what) {
    throw model_error(file + ": " + field + ": " + what);
}

// The largest magnitude that still rounds to a finite float is just below FLT_MAX + ulp(FLT_MAX) / 2.
constexpr bool fits(double v, scalar_type t) noexcept {
    if (!(v == v)) return false;
    const double a = v < 0 ? -v : v;
    return t == scalar_type::float32 ? a < 0x1.ffffffp127 : a <= 0x1.fffffffffffffp1023;
}

inline void check_value(double v, scalar_type t, const std::string& file, const std::string& field) {
    if (std::isnan(v)) fail(file, field, "NaN (null in JSON) is not allowed");
    if (!fits(v, t))
        fail(file, field, number_text(v) + " is out of range for " + std::string(scalar_type_name(t)));
}

}  // namespace detail

// Sizes, kinds, activations and how the layers chain. Throws model_error naming the first offending field.
inline void validate_topology(const model& m, const std::string& file) {
    using detail::fail;
    if (m.input_size < 1) fail(file, "input_size", "must be at least 1, found 0");
    if (m.layers.empty()) fail(file, "layers", "a model needs at least one layer");
    for (std::size_t i = 0; i < m.layers.size(); ++i) {
        const auto& l = m.layers[i];
        const std::string at = detail::layer_path(i);
        bool known_kind = false;
        std::string known;
        for (auto k : model_layer_kinds) {
            known_kind = known_kind || k == l.kind;
            known += (known.empty() ? "" : ", ") + detail::quoted_text(k);
        }
        if (!known_kind)
            fail(file, at + ".kind", "unknown layer kind " + detail::quoted_text(l.kind) + " (known: " + known + ")");
        if (l.in < 1) fail(file, at + ".in", "must be at least 1, found 0");
        if (l.out < 1) fail(file, at + ".out", "must be at least 1, found 0");
        if (l.kind != "dense" && l.out != l.in)
            fail(file, at + ".out",
                 std::to_string(l.out) + " differs from in (" + std::to_string(l.in) + "): a " + l.kind +
                     " layer keeps its size");
        if (l.kind == "dropout" && !(l.drop_probability >= 0.0 && l.drop_probability < 1.0))
            fail(file, at + ".p", "the drop probability must be at least 0 and below 1, found " +
                                      detail::number_text(l.drop_probability));
        if (l.kind == "batch_norm") {
            if (!(l.momentum >= 0.0 && l.momentum <= 1.0))
                fail(file, at + ".momentum", "must be in [0, 1], found " + detail::number_text(l.momentum));
            if (!(l.eps > 0.0) || !detail::fits(l.eps, m.scalar))
                fail(file, at + ".eps", "must be above 0 and finite, found " + detail::number_text(l.eps));
        }
        const std::size_t expected_in = i == 0 ? m.input_size : m.layers[i - 1].out;
        if (l.in != expected_in)
            fail(file, at + ".in",
                 std::to_string(l.in) + " does not match " +
                     (i == 0 ? std::string("input_size") : detail::layer_path(i - 1) + ".out") + " (" +
                     std::to_string(expected_in) + ")");
        if (l.kind == "dropout" && l.activation != "identity")
            fail(file, at + ".activation.name", "a dropout layer has no activation, found " +
                                                    detail::quoted_text(l.activation));
        const activation_info* a = find_activation(l.activation);
        if (a == nullptr)
            fail(file, at + ".activation.name", "unknown activation " + detail::quoted_text(l.activation));
        if (l.activation_parameter_name != a->parameter_name) {
            if (l.activation_parameter_name.empty())
                fail(file, at + ".activation." + std::string(a->parameter_name), "missing field");
            fail(file, at + ".activation." + l.activation_parameter_name,
                 "unknown field (" +
                     (a->parameter_name.empty()
                          ? std::string(a->name) + " has no parameter"
                          : std::string(a->name) + "'s parameter is \"" + std::string(a->parameter_name) + "\"") +
                     ")");
        }
        if (!a->parameter_name.empty())
            detail::check_value(l.activation_parameter, m.scalar, file,
                                at + ".activation." + l.activation_parameter_name);
    }
}

// Weight and bias lengths, and every value finite and within the scalar type's range.
inline void validate_values(const model& m, const std::string& file) {
    for (std::size_t i = 0; i < m.layers.size(); ++i) {
        const auto& l = m.layers[i];
        const std::string at = detail::layer_path(i);
        if (l.kind != "dense") {
            const bool bn = l.kind == "batch_norm";
            const std::size_t want = bn ? l.out : 0;
            const std::pair<const char*, const std::vector<double>*> fields[] = {
                {bn ? "gamma" : "weight", &l.weight}, {bn ? "beta" : "bias", &l.bias},
                {"running_mean", &l.running_mean}, {"running_var", &l.running_var}};
            for (const auto& [name, v] : fields) {
                if (v->size() != want)
                    detail::fail(file, at + "." + name,
                                 "expected " + detail::count_of(want, "value") + (bn ? " (out)" : " (a " + l.kind +
                                 " layer has none)") + ", found " + std::to_string(v->size()));
                for (std::size_t o = 0; o < v->size(); ++o)
                    if (!detail::fits((*v)[o], m.scalar))
                        detail::check_value((*v)[o], m.scalar, file, at + "." + name + "[" + std::to_string(o) + "]");
            }
            for (std::size_t o = 0; o < l.running_var.size(); ++o)
                if (l.running_var[o] < 0)
                    detail::fail(file, at + ".running_var[" + std::to_string(o) + "]",
                                 "a variance cannot be negative, found " + detail::number_text(l.running_var[o]));
            continue;
        }
        if (l.in == 0 || l.weight.size() % l.in != 0 || l.weight.size() / l.in != l.out)
            detail::fail(file, at + ".weight",
                         "expected " + std::to_string(l.out) + " * " + std::to_string(l.in) +
                             " values (out * in), found " + std::to_string(l.weight.size()));
        if (l.bias.size() != l.out)
            detail::fail(file, at + ".bias",
                         "expected " + detail::count_of(l.out, "value") + " (out), found " +
                             std::to_string(l.bias.size()));
        for (std::size_t k = 0; k < l.weight.size(); ++k)
            if (!detail::fits(l.weight[k], m.scalar))
                detail::check_value(l.weight[k], m.scalar, file,
                                    at + ".weight[" + std::to_string(k / l.in) + "][" + std::to_string(k % l.in) + "]");
        for (std::size_t o = 0; o < l.bias.size(); ++o)
            if (!detail::fits(l.bias[o], m.scalar))
                detail::check_value(l.bias[o], m.scalar, file, at + ".bias[" + std::to_string(o) + "]");
    }
}

// The normalization's kind, lengths (input_size) and values (finite, in range; scale not 0).
inline void validate_normalization(const model& m, const std::string& file) {
    const normalization_model& n = m.normalization;
    std::string known;
    bool known_kind = false;
    for (auto k : model_normalization_kinds) {
        known_kind = known_kind || k == n.kind;
        known += (known.empty() ? "" : ", ") + detail::quoted_text(k);
    }
    if (!known_kind)
        detail::fail(file, "normalization.kind",
                     "unknown normalization kind " + detail::quoted_text(n.kind) + " (known: " + known + ")");
    const std::pair<const char*, const std::vector<double>*> fields[] = {{"shift", &n.shift}, {"scale", &n.scale}};
    for (const auto& [name, v] : fields) {
        const std::string at = std::string("normalization.") + name;
        if (n.kind == "none") {
            if (!v->empty())
                detail::fail(file, at, "kind \"none\" has no values, found " + std::to_string(v->size()));
            continue;
        }
        if (v->size() != m.input_size)
            detail::fail(file, at,
                         "expected " + detail::count_of(m.input_size, "number") + " (input_size), found " +
                             std::to_string(v->size()));
        for (std::size_t k = 0; k < v->size(); ++k) {
            const std::string vat = at + "[" + std::to_string(k) + "]";
            detail::check_value((*v)[k], m.scalar, file, vat);
            const double x = (*v)[k];
            if (v == &n.scale && x == 0) detail::fail(file, vat, "a scale must not be 0");
            if (v == &n.scale && m.scalar == scalar_type::float32 && static_cast<float>(x) == 0)
                detail::fail(file, vat,
                             "a scale must not be 0, and " + detail::number_text(x) + " rounds to 0 in float32");
        }
    }
}

inline void validate_model(const model& m, const std::string& file) {
    validate_topology(m, file);
    validate_values(m, file);
    validate_normalization(m, file);
}

}  // namespace ctnn

