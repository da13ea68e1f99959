// The weight and bias arrays of the generated header, each layer's once, in the layout its forward pass reads:
//   scalar: weight[out * in] row-major (PyTorch's weight[o][i] at o * in + i), bias[out];
//   simd:   simd_layer_arrays (lower_simd.hpp): packed panels, value (i, o) at i * row + o, or for a dot-product
//           layer value (i, o) at o * row + i; zero padded; bias padded to the registers that read it.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <ctnn/gen/lower_simd.hpp>
#include <ctnn/gen/plan.hpp>
#include <ctnn/gen/text.hpp>

namespace ctnn::gen {

// The values of a layer's weight array in its layout (0 for padding).
inline std::vector<double> weight_values(const plan& p, const layer_plan& l) {
    const layer_model& m = p.m->layers[l.index];
    if (!p.is_simd) return m.weight;
    const simd_arrays a = simd_layer_arrays(p, l);
    std::vector<double> v(a.weight_values(), 0.0);
    for (std::size_t o = 0; o < l.out; ++o)
        for (std::size_t i = 0; i < l.in; ++i) v[a.dot ? o * a.row + i : i * a.row + o] = m.weight[o * l.in + i];
    return v;
}

// The values of a layer's bias array (0 for padding); never shorter than the layer's outputs.
inline std::vector<double> bias_values(const plan& p, const layer_plan& l) {
    std::vector<double> v(p.is_simd ? simd_layer_arrays(p, l).bias : l.bias_size, 0.0);
    const layer_model& m = p.m->layers[l.index];
    for (std::size_t o = 0; o < l.out; ++o) v[o] = m.bias[o];
    return v;
}

// Bytes of every layer's weight and bias arrays, padding included: what the header defines.
inline std::size_t weight_array_bytes(const plan& p) {
    if (p.is_simd) return simd_weight_bytes(p);
    std::size_t values = 0;
    for (const layer_plan& l : p.layers) values += l.weight_size + l.bias_size;
    return values * (p.is_float ? 4 : 8);
}

// weight(layer, out, in)'s element of a layer: the array indexed by `out` and `in` in its layout.
inline std::string weight_element(const plan& p, const layer_plan& l) {
    if (!p.is_simd) return l.weight + "[out * " + str(l.in) + " + in]";
    const simd_arrays a = simd_layer_arrays(p, l);
    return l.weight + (a.dot ? "[out * " : "[in * ") + str(a.row) + (a.dot ? " + in]" : " + out]");
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

// "alignas(64) inline const float layer0_weight[128] = {...};" (C: static const ... NAME_ALIGNED). Without
// `aligned`, no alignment: an array only ever read one value at a time.
inline std::string array_definition(const plan& p, const std::string& name, const std::vector<double>& v,
                                    std::size_t row, bool aligned = true) {
    const std::string cv = p.opt.const_weights ? "const " : "";
    const std::string head = p.is_c ? "static " + cv + p.T + " " + name + "[" + str(v.size()) + "] " + p.opt.name +
                                          "_ALIGNED = {\n"
                                    : (aligned ? "alignas(64) inline " : "inline ") + cv + p.T + " " + name + "[" +
                                          str(v.size()) + "] = {\n";
    return head + initializer(p, v, row) + "\n};\n";
}

// The comment naming a layer's weight layout: "weight[16][8]: row i = ...".
inline std::string layout_comment(const plan& p, const layer_plan& l) {
    if (!p.is_simd) return std::string("weight[") + str(l.out) + "][" + str(l.in) + "] (PyTorch order)";
    const simd_arrays a = simd_layer_arrays(p, l);
    std::string s = std::string("weight[") + str(a.rows) + "][" + str(a.row) + "]: ";
    if (a.dot) {
        s += std::string("row o = W[o][0 .. ") + str(l.in - 1) + "] (PyTorch order)";
        if (a.row > l.in) s += ", zero padded";
        return s + ", read by forward's dot products";
    }
    s += std::string("row i = weights from input i to outputs 0 .. ") + str(l.out - 1);
    return a.row > l.out ? s + ", zero padded" : s;
}

// Both arrays of a layer, with a comment naming the layout.
inline std::string layer_arrays(const plan& p, const layer_plan& l) {
    std::string s = std::string("// layer ") + str(l.index) + ": dense " + str(l.in) + " -> " + str(l.out) + ", " +
                    l.activation;
    if (!l.parameter_name.empty()) s += " (" + l.parameter_name + " " + ctnn::detail::number_text(l.parameter) + ")";
    s += "; ";
    s += layout_comment(p, l);
    s += '\n';
    const std::vector<double> bias = bias_values(p, l);
    s += array_definition(p, l.weight_decl, weight_values(p, l), p.is_simd ? simd_layer_arrays(p, l).row : l.in);
    // A plain sum's one bias value is read as a scalar: no alignment padding for it.
    const bool plain_sum = p.is_simd && simd_layer_arrays(p, l).dot && simd_dot_plain_sum(p, l);
    s += array_definition(p, l.bias_decl, bias, bias.size(), !plain_sum);
    return s;
}

}  // namespace ctnn::gen
