// What the generator decided for a model and options before writing any text: the scalar type, the dialect
// (C++17 scalar, C++17 xsimd, C99), and per layer the array shapes, names and whether it is unrolled.
// Every lowering function reads this plan; none looks at the options again.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <ctnn/gen/options.hpp>
#include <ctnn/gen/text.hpp>
#include <ctnn/io/model.hpp>

namespace ctnn::gen {

// One distinct activation function of the model, emitted once as a helper.
struct activation_use {
    std::string name;       // "tanh", "leaky_relu", ...
    double parameter = 0;   // negative_slope / alpha; 0 when the activation has none
    std::string function;   // the helper's name as called from the forward pass ("detail::act_tanh")
    std::string declared;   // the helper's name where it is defined ("act_tanh", "NAME_act_tanh")
};

struct layer_plan {
    std::size_t index = 0;
    std::size_t in = 0;
    std::size_t out = 0;
    std::string activation;         // model name ("relu", "softmax", ...)
    std::string parameter_name;     // "negative_slope", "alpha" or empty
    double parameter = 0;
    bool elementwise = true;        // false: softmax, applied to the whole layer after the sums
    std::string act_fn;             // helper applying an elementwise activation; empty for identity and softmax
    bool unrolled = false;          // every multiply-add spelled out (else loops)
    bool dot = false;               // scalar, unroll dot: a loop over outputs, each dot product spelled out
    std::size_t statements = 0;     // multiply-add statements when unrolled (scalar: in*out; simd: in*registers)
    std::size_t lanes = 1;          // simd: values per register of this layer (see narrow_layer_lanes); scalar: 1
    std::string vec;                // simd: the layer's register type, "batch" or "half_batch"
    std::size_t registers = 0;      // simd: registers per weight row, ceil(out / lanes); scalar: out
    // Arrays. scalar: weight[out][in] row-major (PyTorch order), bias[out].
    //         simd:   weight[in][stride], row i = weights from input i to every output, zero padded; bias[stride].
    std::size_t stride = 0;
    std::size_t weight_size = 0;
    std::size_t bias_size = 0;
    std::string weight;       // names as used inside the entry points ("detail::layer0_weight", "NAME_layer0_weight")
    std::string bias;
    std::string weight_decl;  // names where they are defined
    std::string bias_decl;
};

struct plan {
    const model* m = nullptr;
    options opt;
    bool is_float = true;  // float32 model: float code; float64: double code
    bool is_c = false;     // C99 header
    bool is_simd = false;  // xsimd target (C++ only)
    std::string T;         // "float" or "double"
    std::size_t lanes = 1; // simd: Ts per register (simd_width floats or simd_width / 2 doubles); scalar: 1
    bool uses_half = false;  // simd: some layer computes in half-width registers
    std::size_t parameter_count = 0;
    std::vector<layer_plan> layers;
    std::vector<activation_use> activations;  // distinct elementwise activations, in order of first use

    std::size_t input_size() const { return m->input_size; }
    std::size_t output_size() const { return layers.back().out; }

    // A literal of the generated scalar type ("0.5f" / "0.5").
    std::string lit(double v) const { return literal(v, is_float); }
    // A name declared by the generator, as declared ("layer0_weight" in namespace detail; "NAME_layer0_weight"
    // in C) and as referenced from the entry points ("detail::layer0_weight"; "NAME_layer0_weight").
    std::string decl(std::string_view name) const {
        return is_c ? opt.name + "_" + std::string(name) : std::string(name);
    }
    std::string sym(std::string_view name) const {
        return is_c ? opt.name + "_" + std::string(name) : "detail::" + std::string(name);
    }
    // A math function for the generated scalar or batch type: std::exp (float and double overloads), expf / exp
    // in C, xsimd::exp on batches.
    std::string math(std::string_view fn) const {
        if (is_simd) return "xsimd::" + std::string(fn);
        if (!is_c) return "std::" + std::string(fn);
        if (fn == "abs") fn = "fabs";
        return std::string(fn) + (is_float ? "f" : "");
    }
    // C++ functions get noexcept; C has none.
    std::string noexcept_() const { return is_c ? "" : " noexcept"; }
};

// Float tanh is ctnn's own where the library's is (tanh_approx on the simd target), or where --math fast asks for it
// (tanh_fast on the scalar target); elsewhere the C library's or xsimd's.
inline bool is_tanh_approx(const plan& p, std::string_view activation) {
    return p.is_simd && p.is_float && activation == "tanh";
}
inline bool is_tanh_fast(const plan& p, std::string_view activation) {
    return !p.is_simd && p.is_float && activation == "tanh" && p.opt.math_functions == math::fast;
}

inline std::size_t ceil_div(std::size_t a, std::size_t b) { return (a + b - 1) / b; }

// Values per register for a layer of `out` outputs on the simd target. With 512-bit registers, a layer whose
// outputs fit one register computes in 256-bit registers instead (like the library's kernels): such a layer is
// bound by latency, and on AMD Zen 4 (which splits 512-bit operations) 256-bit chains finish sooner.
inline std::size_t narrow_layer_lanes(std::size_t out, std::size_t lanes, bool is_float) {
    const bool wide = lanes * (is_float ? 4 : 8) == 64;
    return wide && out <= lanes ? lanes / 2 : lanes;
}

inline plan make_plan(const model& m, const options& o) {
    plan p;
    p.m = &m;
    p.opt = o;
    p.is_float = m.scalar == scalar_type::float32;
    p.is_c = o.lang == language::c99;
    p.is_simd = o.tgt == target::simd;
    p.T = p.is_float ? "float" : "double";
    // The width option counts floats: a register of simd_width floats holds half as many doubles.
    p.lanes = p.is_simd ? (p.is_float ? o.simd_width : o.simd_width / 2) : 1;

    for (std::size_t k = 0; k < m.layers.size(); ++k) {
        const layer_model& l = m.layers[k];
        layer_plan lp;
        lp.index = k;
        lp.in = l.in;
        lp.out = l.out;
        lp.activation = l.activation;
        lp.parameter_name = l.activation_parameter_name;
        lp.parameter = l.activation_parameter_name.empty() ? 0.0 : l.activation_parameter;
        lp.elementwise = l.activation != "softmax";
        if (lp.elementwise && l.activation != "identity") {
            std::size_t same_name = 0;
            for (const auto& a : p.activations) {
                if (a.name != lp.activation) continue;
                ++same_name;
                // Compared as the generated type sees the parameter: equal literals, one helper.
                if (p.lit(a.parameter) == p.lit(lp.parameter)) lp.act_fn = a.function;
            }
            if (lp.act_fn.empty()) {
                activation_use a;
                a.name = lp.activation;
                a.parameter = lp.parameter;
                const std::string base = "act_" + lp.activation + (same_name ? "_" + str(same_name + 1) : "");
                a.declared = p.decl(base);
                a.function = p.sym(base);
                lp.act_fn = a.function;
                p.activations.push_back(std::move(a));
            }
        }
        if (p.is_simd) {
            // Rows padded to whole full-width registers whatever the layer computes in: one layout per width.
            lp.stride = ceil_div(l.out, p.lanes) * p.lanes;
            lp.lanes = narrow_layer_lanes(l.out, p.lanes, p.is_float);
            lp.vec = lp.lanes == p.lanes ? "batch" : "half_batch";
            p.uses_half = p.uses_half || lp.lanes != p.lanes;
            lp.registers = ceil_div(l.out, lp.lanes);
            lp.weight_size = l.in * lp.stride;
            lp.bias_size = lp.stride;
        } else {
            lp.registers = l.out;
            lp.stride = l.in;
            lp.weight_size = l.out * l.in;
            lp.bias_size = l.out;
        }
        lp.statements = l.in * (p.is_simd ? ceil_div(l.out, p.lanes) : l.out);
        lp.dot = !p.is_simd && o.unrolling == unroll::dot;
        lp.unrolled = o.unrolling == unroll::full ||
                      (o.unrolling == unroll::automatic && lp.statements <= o.unroll_threshold);
        const std::string base = "layer" + str(k);
        lp.weight_decl = p.decl(base + "_weight");
        lp.bias_decl = p.decl(base + "_bias");
        lp.weight = p.sym(base + "_weight");
        lp.bias = p.sym(base + "_bias");
        p.parameter_count += l.out * l.in + l.out;
        p.layers.push_back(std::move(lp));
    }
    return p;
}

}  // namespace ctnn::gen
