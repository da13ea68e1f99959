// Model files (.ctnn.json, docs/model-format.md): read_model parses and validates one into a ctnn::model;
// write_model validates a model and writes it atomically. Every failure throws ctnn::model_error naming the file
// and the field.
#pragma once

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <initializer_list>
#include <limits>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <ctnn/detail/read_file.hpp>
#include <ctnn/io/atomic_file.hpp>
#include <ctnn/io/error.hpp>
#include <ctnn/io/json_dom.hpp>
#include <ctnn/io/model.hpp>

namespace ctnn {

namespace detail {

inline std::string read_text(const std::filesystem::path& path, const std::string& file) {
    std::string text, error;
    if (!read_whole_file(path, text, error)) throw model_error(file + ": " + error);
    return text;
}

// "found string \"8\"", "found 3.5", "found an array": what a field holds, for messages.
template <class Json>
std::string found(const Json& j) {
    switch (j.type()) {
        case Json::value_t::null: return "found null";
        case Json::value_t::boolean: return j.template get<bool>() ? "found true" : "found false";
        case Json::value_t::string: return "found string " + quoted_text(j.template get_ref<const std::string&>());
        case Json::value_t::array: return "found an array";
        case Json::value_t::object: return "found an object";
        case Json::value_t::number_float: {
            std::string t = number_text(j.template get<double>());
            if (t.find_first_of(".en") == std::string::npos) t += ".0";  // 1.0 is not the integer 1
            return "found " + t;
        }
        case Json::value_t::number_integer:
        case Json::value_t::number_unsigned: return "found " + j.dump();
        default: return "found " + std::string(j.type_name());
    }
}

// "layers[0]" + "in" -> "layers[0].in"
inline std::string child(const std::string& at, std::string_view key) {
    return at.empty() ? std::string(key) : at + "." + std::string(key);
}

template <class Json>
const Json& field(const Json& obj, std::string_view key, const std::string& file, const std::string& at) {
    const auto it = obj.find(key);
    if (it == obj.end()) fail(file, child(at, key), "missing field");
    return *it;
}

template <class Json>
void expect_object(const Json& j, const std::string& file, const std::string& at) {
    if (!j.is_object()) fail(file, at, "expected an object, " + found(j));
}

template <class Json>
void only_keys(const Json& obj, std::initializer_list<std::string_view> allowed, const std::string& file,
               const std::string& at) {
    for (const auto& [key, value] : obj.items()) {
        bool ok = false;
        for (auto a : allowed) ok = ok || a == key;
        if (!ok) fail(file, child(at, key), "unknown field");
    }
}

inline const std::string& get_string(const json64& j, const std::string& file, const std::string& at) {
    if (!j.is_string()) fail(file, at, "expected a string, " + found(j));
    return j.get_ref<const std::string&>();
}

inline std::size_t get_size(const json64& j, const std::string& file, const std::string& at) {
    if (j.is_number_unsigned()) {
        const auto v = j.get<std::uint64_t>();
        if (v == 0) fail(file, at, "must be at least 1, found 0");
        if (v > std::numeric_limits<std::size_t>::max()) fail(file, at, "too large, " + found(j));
        return static_cast<std::size_t>(v);
    }
    if (j.is_number_integer()) fail(file, at, "must be at least 1, " + found(j));  // negative
    fail(file, at, "expected a positive integer, " + found(j));
}

// A number, or NaN for null (validate_values then names it); T's rounding applies once, from the decimal text.
template <class T, class Json>
double get_value(const Json& j, const std::string& file, const std::string& at) {
    if (j.is_null()) return std::numeric_limits<double>::quiet_NaN();
    if (j.is_number_float()) return static_cast<double>(j.template get<T>());
    if (j.is_number_unsigned()) return static_cast<double>(static_cast<T>(j.template get<std::uint64_t>()));
    if (j.is_number_integer()) return static_cast<double>(static_cast<T>(j.template get<std::int64_t>()));
    fail(file, at, "expected a number, " + found(j));
}

// Header and topology; the weights are read by read_values.
inline model read_topology(const json64& doc, const std::string& file) {
    if (!doc.is_object()) fail(file, "(top level)", "expected a JSON object, " + found(doc));
    const auto& format = field(doc, "format", file, "");
    if (!format.is_string() || format.get_ref<const std::string&>() != model_format_marker)
        fail(file, "format", "expected \"ctnn-model\", " + found(format) + " (not a ctnn model file)");
    const auto& version = field(doc, "version", file, "");
    if (!version.is_number_integer()) fail(file, "version", "expected an integer, " + found(version));
    const bool supported = version.is_number_unsigned()
                               ? version.get<std::uint64_t>() == static_cast<std::uint64_t>(model_format_version)
                               : version.get<std::int64_t>() == model_format_version;
    if (!supported)
        fail(file, "version",
             "unsupported format version " + version.dump() + " (this ctnn reads version " +
                 std::to_string(model_format_version) + ")");
    only_keys(doc, {"format", "version", "scalar_type", "input_size", "normalization", "layers"}, file, "");

    model m;
    const std::string& scalar = get_string(field(doc, "scalar_type", file, ""), file, "scalar_type");
    if (scalar == "float32")
        m.scalar = scalar_type::float32;
    else if (scalar == "float64")
        m.scalar = scalar_type::float64;
    else
        fail(file, "scalar_type",
             "unknown scalar type " + quoted_text(scalar) + " (expected \"float32\" or \"float64\")");
    m.input_size = get_size(field(doc, "input_size", file, ""), file, "input_size");
    const auto& layers = field(doc, "layers", file, "");
    if (!layers.is_array()) fail(file, "layers", "expected an array, " + found(layers));

    for (std::size_t i = 0; i < layers.size(); ++i) {
        const std::string at = layer_path(i);
        const auto& lj = layers[i];
        expect_object(lj, file, at);
        const auto kind_it = lj.find("kind");
        const std::string kind_guess =
            kind_it != lj.end() && kind_it->is_string() ? kind_it->template get<std::string>() : std::string("dense");
        if (kind_guess == "batch_norm")
            only_keys(lj, {"kind", "in", "out", "activation", "momentum", "eps", "gamma", "beta", "running_mean",
                           "running_var"}, file, at);
        else if (kind_guess == "dropout")
            only_keys(lj, {"kind", "in", "out", "p"}, file, at);
        else
            only_keys(lj, {"kind", "in", "out", "activation", "weight", "bias"}, file, at);
        layer_model l;
        l.kind = get_string(field(lj, "kind", file, at), file, child(at, "kind"));
        l.in = get_size(field(lj, "in", file, at), file, child(at, "in"));
        l.out = get_size(field(lj, "out", file, at), file, child(at, "out"));
        if (l.kind == "dropout") {  // no activation, no values
            l.drop_probability = get_value<double>(field(lj, "p", file, at), file, child(at, "p"));
            m.layers.push_back(std::move(l));
            continue;
        }
        if (l.kind == "batch_norm") {
            l.momentum = get_value<double>(field(lj, "momentum", file, at), file, child(at, "momentum"));
            l.eps = get_value<double>(field(lj, "eps", file, at), file, child(at, "eps"));
        }
        const std::string aat = child(at, "activation");
        const auto& aj = field(lj, "activation", file, at);
        expect_object(aj, file, aat);
        l.activation = get_string(field(aj, "name", file, aat), file, child(aat, "name"));
        const activation_info* info = find_activation(l.activation);
        std::string extra;  // a key that is neither "name" nor the activation's parameter
        for (const auto& [key, value] : aj.items()) {
            if (key == "name") continue;
            if (info != nullptr && key == info->parameter_name) {
                l.activation_parameter_name = key;
                l.activation_parameter = get_value<double>(value, file, child(aat, key));
            } else if (extra.empty()) {
                extra = key;
            } else {
                fail(file, child(aat, key), "unknown field");
            }
        }
        // A lone stray key passes as the parameter's name, for validate_topology to explain what is expected.
        if (!extra.empty()) {
            if (!l.activation_parameter_name.empty()) fail(file, child(aat, extra), "unknown field");
            l.activation_parameter_name = extra;
        }
        if (l.kind == "batch_norm") {
            for (const char* key : {"gamma", "beta", "running_mean", "running_var"}) (void)field(lj, key, file, at);
        } else {
            (void)field(lj, "weight", file, at);
            (void)field(lj, "bias", file, at);
        }
        m.layers.push_back(std::move(l));
    }
    validate_topology(m, file);
    return m;
}

// `n` numbers of field `key` of a layer, with T's rounding.
template <class T, class Json>
void read_numbers(const Json& lj, const char* key, std::size_t n, std::vector<double>& v, const std::string& file,
                  const std::string& at) {
    const std::string fat = at + "." + key;
    const auto& a = lj.at(key);
    if (!a.is_array()) fail(file, fat, "expected an array of " + count_of(n, "number") + " (out), " + found(a));
    if (a.size() != n)
        fail(file, fat, "expected " + count_of(n, "number") + " (out), found " + std::to_string(a.size()));
    for (std::size_t o = 0; o < n; ++o) v.push_back(get_value<T>(a[o], file, fat + "[" + std::to_string(o) + "]"));
}

// Weights and biases, with T's rounding, from doc (json32 for float32 files, json64 for float64).
template <class T, class Json>
void read_values(const Json& doc, model& m, const std::string& file) {
    const auto& layers = doc.at("layers");
    for (std::size_t i = 0; i < m.layers.size(); ++i) {
        layer_model& l = m.layers[i];
        const std::string at = layer_path(i);
        if (l.kind == "dropout") continue;
        if (l.kind == "batch_norm") {
            read_numbers<T>(layers[i], "gamma", l.out, l.weight, file, at);
            read_numbers<T>(layers[i], "beta", l.out, l.bias, file, at);
            read_numbers<T>(layers[i], "running_mean", l.out, l.running_mean, file, at);
            read_numbers<T>(layers[i], "running_var", l.out, l.running_var, file, at);
            continue;
        }
        const auto& w = layers[i].at("weight");
        if (!w.is_array())
            fail(file, at + ".weight", "expected an array of " + count_of(l.out, "row") + " (out), " + found(w));
        if (w.size() != l.out)
            fail(file, at + ".weight",
                 "expected " + count_of(l.out, "row") + " (out), found " + std::to_string(w.size()));
        l.weight.reserve(l.out * l.in);
        for (std::size_t o = 0; o < l.out; ++o) {
            const std::string rat = at + ".weight[" + std::to_string(o) + "]";
            const auto& row = w[o];
            if (!row.is_array())
                fail(file, rat, "expected an array of " + count_of(l.in, "number") + " (in), " + found(row));
            if (row.size() != l.in)
                fail(file, rat, "expected " + count_of(l.in, "number") + " (in), found " + std::to_string(row.size()));
            for (std::size_t k = 0; k < l.in; ++k)
                l.weight.push_back(get_value<T>(row[k], file, rat + "[" + std::to_string(k) + "]"));
        }
        const auto& b = layers[i].at("bias");
        if (!b.is_array())
            fail(file, at + ".bias", "expected an array of " + count_of(l.out, "number") + " (out), " + found(b));
        if (b.size() != l.out)
            fail(file, at + ".bias",
                 "expected " + count_of(l.out, "number") + " (out), found " + std::to_string(b.size()));
        for (std::size_t o = 0; o < l.out; ++o)
            l.bias.push_back(get_value<T>(b[o], file, at + ".bias[" + std::to_string(o) + "]"));
    }
    validate_values(m, file);
}

// The optional "normalization" object, with T's rounding (json32 for float32 files, json64 for float64).
template <class T, class Json>
void read_normalization(const Json& doc, model& m, const std::string& file) {
    const auto it = doc.find("normalization");
    if (it == doc.end()) return;  // kind "none"
    const Json& nj = *it;
    expect_object(nj, file, "normalization");
    const Json& kind = field(nj, "kind", file, "normalization");
    if (!kind.is_string()) fail(file, "normalization.kind", "expected a string, " + found(kind));
    normalization_model n;
    n.kind = kind.template get<std::string>();
    if (n.kind == "none") {
        only_keys(nj, {"kind"}, file, "normalization");
    } else {
        only_keys(nj, {"kind", "shift", "scale"}, file, "normalization");
        for (const char* key : {"shift", "scale"}) {
            const std::string at = std::string("normalization.") + key;
            const Json& a = field(nj, key, file, "normalization");
            if (!a.is_array())
                fail(file, at,
                     "expected an array of " + count_of(m.input_size, "number") + " (input_size), " + found(a));
            std::vector<double>& v = std::string_view(key) == "shift" ? n.shift : n.scale;
            for (std::size_t k = 0; k < a.size(); ++k)
                v.push_back(get_value<T>(a[k], file, at + "[" + std::to_string(k) + "]"));
        }
    }
    m.normalization = std::move(n);
    validate_normalization(m, file);
}

// A short text (Grisu2 on the value in its own type) that strtof / strtod read back as the same value.
inline std::string value_text(double v, scalar_type t) {
    return t == scalar_type::float32 ? json32(static_cast<float>(v)).dump() : json64(v).dump();
}

// The file's text: fixed key order, one weight row per line, so equal models give equal bytes.
inline std::string model_text(const model& m) {
    std::string s = "{\n";
    s += "  \"format\": " + json64(model_format_marker).dump() + ",\n";
    s += "  \"version\": " + std::to_string(model_format_version) + ",\n";
    s += "  \"scalar_type\": " + json64(scalar_type_name(m.scalar)).dump() + ",\n";
    s += "  \"input_size\": " + std::to_string(m.input_size) + ",\n";
    if (m.normalization.kind != "none") {  // absent means "none": files without it stay as they were
        const auto numbers = [&](const std::vector<double>& v) {
            std::string t;
            for (std::size_t k = 0; k < v.size(); ++k) t += (k == 0 ? "" : ", ") + value_text(v[k], m.scalar);
            return "[" + t + "]";
        };
        s += "  \"normalization\": {\n";
        s += "    \"kind\": " + json64(m.normalization.kind).dump() + ",\n";
        s += "    \"shift\": " + numbers(m.normalization.shift) + ",\n";
        s += "    \"scale\": " + numbers(m.normalization.scale) + "\n";
        s += "  },\n";
    }
    s += "  \"layers\": [\n";
    for (std::size_t i = 0; i < m.layers.size(); ++i) {
        const layer_model& l = m.layers[i];
        s += "    {\n";
        s += "      \"kind\": " + json64(l.kind).dump() + ",\n";
        s += "      \"in\": " + std::to_string(l.in) + ",\n";
        if (l.kind == "dropout") {
            s += "      \"out\": " + std::to_string(l.out) + ",\n";
            s += "      \"p\": " + json64(l.drop_probability).dump() + "\n";
            s += i + 1 < m.layers.size() ? "    },\n" : "    }\n";
            continue;
        }
        if (l.kind == "batch_norm") {
            const auto numbers = [&](const char* key, const std::vector<double>& v, bool last) {
                s += std::string("      \"") + key + "\": [";
                for (std::size_t o = 0; o < v.size(); ++o) s += (o == 0 ? "" : ", ") + value_text(v[o], m.scalar);
                s += last ? "]\n" : "],\n";
            };
            s += "      \"out\": " + std::to_string(l.out) + ",\n";
            s += "      \"activation\": {\"name\": " + json64(l.activation).dump();
            if (!l.activation_parameter_name.empty())
                s += ", " + json64(l.activation_parameter_name).dump() + ": " + json64(l.activation_parameter).dump();
            s += "},\n";
            s += "      \"momentum\": " + json64(l.momentum).dump() + ",\n";
            s += "      \"eps\": " + json64(l.eps).dump() + ",\n";
            numbers("gamma", l.weight, false);
            numbers("beta", l.bias, false);
            numbers("running_mean", l.running_mean, false);
            numbers("running_var", l.running_var, true);
            s += i + 1 < m.layers.size() ? "    },\n" : "    }\n";
            continue;
        }
        s += "      \"out\": " + std::to_string(l.out) + ",\n";
        s += "      \"activation\": {\"name\": " + json64(l.activation).dump();
        if (!l.activation_parameter_name.empty())
            s += ", " + json64(l.activation_parameter_name).dump() + ": " + json64(l.activation_parameter).dump();
        s += "},\n";
        s += "      \"weight\": [\n";
        for (std::size_t o = 0; o < l.out; ++o) {
            s += "        [";
            for (std::size_t k = 0; k < l.in; ++k)
                s += (k == 0 ? "" : ", ") + value_text(l.weight[o * l.in + k], m.scalar);
            s += o + 1 < l.out ? "],\n" : "]\n";
        }
        s += "      ],\n";
        s += "      \"bias\": [";
        for (std::size_t o = 0; o < l.out; ++o) s += (o == 0 ? "" : ", ") + value_text(l.bias[o], m.scalar);
        s += "]\n";
        s += i + 1 < m.layers.size() ? "    },\n" : "    }\n";
    }
    s += "  ]\n}\n";
    return s;
}

}  // namespace detail

// Reads and validates a model file. Throws model_error on any problem.
inline model read_model(const std::filesystem::path& path) {
    const std::string file = path.string();
    const std::string text = detail::read_text(path, file);
    const auto doc = detail::parse_json<detail::json64>(text, file, "float64");
    model m = detail::read_topology(doc, file);
    if (m.scalar == scalar_type::float32) {
        const auto doc32 = detail::parse_json<detail::json32>(text, file, "float32");
        detail::read_values<float>(doc32, m, file);
        detail::read_normalization<float>(doc32, m, file);
    } else {
        detail::read_values<double>(doc, m, file);
        detail::read_normalization<double>(doc, m, file);
    }
    return m;
}

// Validates m and writes it atomically: on failure (model_error) nothing at path has changed. A float32 model's
// values are rounded to float.
inline void write_model(const std::filesystem::path& path, const model& m) {
    const std::string file = path.string();
    validate_model(m, file);
    detail::write_file_atomically(path, detail::model_text(m));
}

}  // namespace ctnn
