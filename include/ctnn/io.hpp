// Model files for network parameters (opt-in: not part of <ctnn/ctnn.hpp>; this header throws and allocates).
//   ctnn::save("net.ctnn.json", params);   // any Net::parameters<float> or <double>; atomic; exact
//   ctnn::load("net.ctnn.json", params);   // checks the file against Net; params change only on success
// Failures throw ctnn::model_error, one line naming the file and the field. Format: docs/model-format.md.
// Without a network type: ctnn::read_model / ctnn::write_model (<ctnn/io/model_file.hpp>).
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

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
        lm.weight.reserve(l.out * l.in);
        for (std::size_t o = 0; o < l.out; ++o)
            for (std::size_t i = 0; i < l.in; ++i) lm.weight.push_back(static_cast<double>(p.weight(layer, o, i)));
        for (std::size_t o = 0; o < l.out; ++o) lm.bias.push_back(static_cast<double>(p.bias(layer, o)));
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
        for (std::size_t o = 0; o < l.out; ++o)
            for (std::size_t i = 0; i < l.in; ++i) p.weight(layer, o, i) = static_cast<T>(l.weight[o * l.in + i]);
        for (std::size_t o = 0; o < l.out; ++o) p.bias(layer, o) = static_cast<T>(l.bias[o]);
    }
}

template <class Net, class T>
void save(const std::filesystem::path& path, const parameters<Net, T>& p) {
    write_model(path, to_model(p));
}

template <class Net, class T>
void load(const std::filesystem::path& path, parameters<Net, T>& p) {
    from_model(read_model(path), p, path.string());
}

}  // namespace ctnn
