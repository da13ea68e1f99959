// Model files for network parameters (opt-in: not part of <ctnn/ctnn.hpp>; this header throws and allocates).
//   ctnn::save("net.ctnn.json", params);   // any Net::parameters<float> or <double>; atomic; exact
//   ctnn::load("net.ctnn.json", params);   // checks the file against Net; params change only on success
//   ctnn::save("net.ctnn.json", params, normalizer);  // with the input scaling (<ctnn/data/normalize.hpp>)
//   ctnn::load("net.ctnn.json", params, normalizer);
// Failures throw ctnn::model_error, one line naming the file and the field. Format: docs/model-format.md.
// Without a network type: ctnn::read_model / ctnn::write_model (<ctnn/io/model_file.hpp>).
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

#include <ctnn/data/normalize.hpp>
#include <ctnn/io/error.hpp>
#include <ctnn/io/model.hpp>
#include <ctnn/io/model_file.hpp>
#include <ctnn/network.hpp>

namespace ctnn {

// The model of p: Net's topology and p's weights.
template <class Net, class T>
model to_model(const parameters<Net, T>& p) {
    model m;
    m.scalar = scalar_type_of<T>;
    m.input_size = Net::input_size;
    for (std::size_t layer = 0; layer < Net::layer_count; ++layer) {
        const layer_layout& l = Net::template layout<T>[layer];
        layer_model lm;
        lm.kind = l.kind;
        lm.in = l.in;
        lm.out = l.out;
        lm.activation = l.activation;
        lm.activation_parameter_name = l.activation_parameter_name;
        lm.activation_parameter = l.activation_parameter;
        lm.momentum = l.momentum;
        lm.eps = l.eps;
        lm.drop_probability = l.drop_probability;
        // weight_rows: dense in, batch_norm 1 (gamma), dropout 0
        lm.weight.reserve(l.out * l.weight_rows);
        for (std::size_t o = 0; o < l.out; ++o)
            for (std::size_t i = 0; i < l.weight_rows; ++i)
                lm.weight.push_back(static_cast<double>(p.weight(layer, o, i)));
        if (l.has_bias)
            for (std::size_t o = 0; o < l.out; ++o) lm.bias.push_back(static_cast<double>(p.bias(layer, o)));
        if (l.buffer_rows == 2)
            for (std::size_t o = 0; o < l.out; ++o) {
                lm.running_mean.push_back(static_cast<double>(p.running_mean(layer, o)));
                lm.running_var.push_back(static_cast<double>(p.running_var(layer, o)));
            }
        m.layers.push_back(std::move(lm));
    }
    return m;
}

// Throws model_error naming the first difference between m and Net's topology (then the scalar type T).
template <class Net, class T>
void check_model(const model& m, const std::string& file) {
    using detail::fail;
    const auto differ = [&](const std::string& field, const std::string& in_file, const std::string& in_net) {
        fail(file, field, "the file has " + in_file + ", the network type has " + in_net);
    };
    if (m.input_size != Net::input_size)
        differ("input_size", std::to_string(m.input_size), std::to_string(Net::input_size));
    if (m.layers.size() != Net::layer_count)
        differ("layers", std::to_string(m.layers.size()) + " layers", std::to_string(Net::layer_count) + " layers");
    for (std::size_t i = 0; i < Net::layer_count; ++i) {
        const layer_layout& n = Net::template layout<T>[i];
        const layer_model& f = m.layers[i];
        const std::string at = detail::layer_path(i);
        if (f.kind != n.kind) differ(at + ".kind", detail::quoted_text(f.kind), detail::quoted_text(n.kind));
        if (f.in != n.in) differ(at + ".in", std::to_string(f.in), std::to_string(n.in));
        if (f.out != n.out) differ(at + ".out", std::to_string(f.out), std::to_string(n.out));
        if (f.activation != n.activation)
            differ(at + ".activation.name", detail::quoted_text(f.activation), detail::quoted_text(n.activation));
        if (f.activation_parameter_name != n.activation_parameter_name)
            differ(at + ".activation", "parameter " + detail::quoted_text(f.activation_parameter_name),
                   "parameter " + detail::quoted_text(n.activation_parameter_name));
        // Exact: the file keeps the parameter as a double, and the type computes it as one.
        if (!n.activation_parameter_name.empty() && f.activation_parameter != n.activation_parameter)
            differ(at + ".activation." + f.activation_parameter_name, detail::number_text(f.activation_parameter),
                   detail::number_text(n.activation_parameter));
        if (n.kind == "batch_norm" && f.momentum != n.momentum)
            differ(at + ".momentum", detail::number_text(f.momentum), detail::number_text(n.momentum));
        if (n.kind == "batch_norm" && f.eps != n.eps)
            differ(at + ".eps", detail::number_text(f.eps), detail::number_text(n.eps));
        if (n.kind == "dropout" && f.drop_probability != n.drop_probability)
            differ(at + ".p", detail::number_text(f.drop_probability), detail::number_text(n.drop_probability));
    }
    if (m.scalar != scalar_type_of<T>)
        fail(file, "scalar_type",
             "the file has \"" + std::string(scalar_type_name(m.scalar)) + "\", the parameters are \"" +
                 std::string(scalar_type_name(scalar_type_of<T>)) + "\"");
}

// Checks m against Net and T (check_model), then copies its weights into p; p is untouched if the check fails.
template <class Net, class T>
void from_model(const model& m, parameters<Net, T>& p, const std::string& file) {
    check_model<Net, T>(m, file);
    validate_values(m, file);
    for (std::size_t layer = 0; layer < Net::layer_count; ++layer) {
        const layer_model& l = m.layers[layer];
        const layer_layout& n = Net::template layout<T>[layer];
        for (std::size_t o = 0; o < l.out; ++o)
            for (std::size_t i = 0; i < n.weight_rows; ++i)
                p.weight(layer, o, i) = static_cast<T>(l.weight[o * n.weight_rows + i]);
        if (n.has_bias)
            for (std::size_t o = 0; o < l.out; ++o) p.bias(layer, o) = static_cast<T>(l.bias[o]);
        if (n.buffer_rows == 2)
            for (std::size_t o = 0; o < l.out; ++o) {
                p.running_mean(layer, o) = static_cast<T>(l.running_mean[o]);
                p.running_var(layer, o) = static_cast<T>(l.running_var[o]);
            }
    }
}

template <class Net, class T>
void save(const std::filesystem::path& path, const parameters<Net, T>& p) {
    write_model(path, to_model(p));
}

// A file that carries input normalization is refused here (running the network on unscaled inputs would give
// wrong outputs without a sign): load it with the overload below.
template <class Net, class T>
void load(const std::filesystem::path& path, parameters<Net, T>& p) {
    const model m = read_model(path);
    check_model<Net, T>(m, path.string());
    if (m.normalization.kind != "none")
        detail::fail(path.string(), "normalization",
                     "the file scales its inputs (" + m.normalization.kind +
                         "); load it with ctnn::load(path, params, normalizer)");
    from_model(m, p, path.string());
}

// With the input normalization it was trained with (<ctnn/data/normalize.hpp>); saved in the file's
// "normalization" object, left out when n.kind is none.
template <class Net, class T, std::size_t In>
void save(const std::filesystem::path& path, const parameters<Net, T>& p, const data::normalizer<In, T>& n) {
    static_assert(In == Net::input_size, "ctnn::save: the normalizer's size differs from the network's input size");
    model m = to_model(p);
    if (n.kind != data::normalization::none) {
        m.normalization.kind = std::string(data::normalization_name(n.kind));
        m.normalization.shift.assign(n.shift.begin(), n.shift.end());
        m.normalization.scale.assign(n.scale.begin(), n.scale.end());
    }
    write_model(path, m);
}

// Loads the parameters and the normalization (kind none, shift 0, scale 1 for a file without one); on any error
// neither p nor n changes. A loaded min_max normalizer has the default lo, hi (they only matter to fit).
template <class Net, class T, std::size_t In>
void load(const std::filesystem::path& path, parameters<Net, T>& p, data::normalizer<In, T>& n) {
    static_assert(In == Net::input_size, "ctnn::load: the normalizer's size differs from the network's input size");
    const model m = read_model(path);
    check_model<Net, T>(m, path.string());
    data::normalizer<In, T> loaded;
    const normalization_model& nm = m.normalization;
    loaded.kind = nm.kind == "standardize" ? data::normalization::standardize
                  : nm.kind == "min_max"   ? data::normalization::min_max
                                           : data::normalization::none;
    for (std::size_t k = 0; k < In && nm.kind != "none"; ++k) {  // lengths checked by read_model
        loaded.shift[k] = static_cast<T>(nm.shift[k]);
        loaded.scale[k] = static_cast<T>(nm.scale[k]);
    }
    from_model(m, p, path.string());
    n = loaded;
}

}  // namespace ctnn
