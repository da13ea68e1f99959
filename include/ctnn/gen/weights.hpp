// The weight and bias arrays of the generated header, in the plan's layout:
//   scalar: weight[out * in] row-major (PyTorch's weight[o][i] at o * in + i), bias[out];
//   simd:   weight[in * stride], value (i, o) at i * stride + o, zero padded; bias[stride].
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <ctnn/gen/plan.hpp>
#include <ctnn/gen/text.hpp>

namespace ctnn::gen {

// The values of a layer's weight array in the plan's layout (0 for padding).
inline std::vector<double> weight_values(const plan& p, const layer_plan& l) {
    const layer_model& m = p.m->layers[l.index];
    if (!p.is_simd) return m.weight;
    std::vector<double> v(l.weight_size, 0.0);
    for (std::size_t o = 0; o < l.out; ++o)
        for (std::size_t i = 0; i < l.in; ++i) v[i * l.stride + o] = m.weight[o * l.in + i];
    return v;
}

inline std::vector<double> bias_values(const plan& p, const layer_plan& l) {
    std::vector<double> v(l.bias_size, 0.0);
    const layer_model& m = p.m->layers[l.index];
    for (std::size_t o = 0; o < l.out; ++o) v[o] = m.bias[o];
    return v;
}

// An initializer's values, 8 per line; every row of `row` values starts a line.
inline std::string initializer(const plan& p, const std::vector<double>& v, std::size_t row) {
    constexpr std::size_t per_line = 8;
    std::string s;
    for (std::size_t k = 0; k < v.size(); ++k) {
        const std::size_t in_row = k % row;
        s += in_row % per_line == 0 ? (k == 0 ? "    " : "\n    ") : " ";
        s += p.lit(v[k]);
        if (k + 1 < v.size()) s += ',';
    }
    return s;
}

// "alignas(64) inline const float layer0_weight[128] = {...};" (C: static const ... NAME_ALIGNED).
inline std::string array_definition(const plan& p, const std::string& name, const std::vector<double>& v,
                                    std::size_t row) {
    const std::string cv = p.opt.const_weights ? "const " : "";
    const std::string head = p.is_c ? "static " + cv + p.T + " " + name + "[" + str(v.size()) + "] " + p.opt.name +
                                          "_ALIGNED = {\n"
                                    : "alignas(64) inline " + cv + p.T + " " + name + "[" + str(v.size()) + "] = {\n";
    return head + initializer(p, v, row) + "\n};\n";
}

// Both arrays of a layer, with a comment naming the layout.
inline std::string layer_arrays(const plan& p, const layer_plan& l) {
    std::string s = "// layer " + str(l.index) + ": dense " + str(l.in) + " -> " + str(l.out) + ", " + l.activation;
    if (!l.parameter_name.empty()) s += " (" + l.parameter_name + " " + ctnn::detail::number_text(l.parameter) + ")";
    s += p.is_simd ? "; weight[" + str(l.in) + "][" + str(l.stride) + "]: row i = weights from input i to outputs 0 .. " +
                         str(l.out - 1) + (l.stride > l.out ? ", zero padded" : "")
                   : "; weight[" + str(l.out) + "][" + str(l.in) + "] (PyTorch order)";
    s += "\n";
    s += array_definition(p, l.weight_decl, weight_values(p, l), p.is_simd ? l.stride : l.in);
    s += array_definition(p, l.bias_decl, bias_values(p, l), l.bias_size);
    return s;
}

}  // namespace ctnn::gen
