// ctnn::gen::render: a model and options -> the text of a standalone C++17 or C99 header (docs/generator.md).
// The skeleton of the header is a mustache template (templates/, embedded at build time); the lowering code
// (lower*.hpp, activation_text.hpp, weights.hpp) produces the statements and arrays that fill it.
// Throws ctnn::model_error for an invalid model and ctnn::gen::options_error for invalid options.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include <kainjow/mustache.hpp>

#include <ctnn/gen/activation_text.hpp>
#include <ctnn/gen/embedded_templates.hpp>
#include <ctnn/gen/inference.hpp>
#include <ctnn/gen/lower.hpp>
#include <ctnn/gen/options.hpp>
#include <ctnn/gen/plan.hpp>
#include <ctnn/gen/sizes.hpp>
#include <ctnn/gen/text.hpp>
#include <ctnn/gen/training.hpp>
#include <ctnn/gen/weights.hpp>
#include <ctnn/io/model.hpp>
#include <ctnn/io/model_file.hpp>
#include <ctnn/version.hpp>

namespace ctnn::gen {

struct rendered_header {
    std::string text;
    header_sizes sizes;
};

namespace detail {

namespace mu = kainjow::mustache;

// "8 -> 16 tanh -> 16 tanh -> 1"; the model's layers (before inference_model), so batch_norm and dropout show:
// "4 -> 16 -> batch_norm relu -> dropout(p=0.2) -> 1".
inline std::string topology_text(const model& m) {
    std::string s = str(m.input_size);
    for (const layer_model& l : m.layers) {
        if (l.kind == "dropout") {
            s += " -> dropout(p=" + ctnn::detail::number_text(l.drop_probability) + ")";
            continue;
        }
        s += " -> " + (l.kind == "batch_norm" ? std::string("batch_norm") : str(l.out));
        if (l.activation == "identity") continue;
        s += " " + l.activation;
        if (!l.activation_parameter_name.empty())
            s += "(" + l.activation_parameter_name + "=" + ctnn::detail::number_text(l.activation_parameter) + ")";
    }
    return s;
}

// Generated training code covers dense layers only: a model with others and --train is an error, not a header
// that trains something else.
inline void check_training(const model& m, const options& o) {
    if (o.train == training::none) return;
    const std::size_t k = first_non_dense(m);
    if (k == m.layers.size()) return;
    throw options_error((o.source_name.empty() ? std::string("model") : o.source_name) + ": layers[" + str(k) +
                        "].kind: training " + std::string(to_string(o.train)) + " cannot train a " +
                        m.layers[k].kind +
                        " layer (generated training code covers dense layers only; training dropout and batch_norm "
                        "on the device is future work): generate without --train");
}

// "c++17, scalar, unroll auto (threshold 4096), training none, const weights"
inline std::string options_text(const options& o) {
    std::string s = std::string(to_string(o.lang)) + ", ";
    s += o.tgt == target::simd ? "simd width " + str(o.simd_width) : std::string("scalar");
    s += ", unroll " + std::string(to_string(o.unrolling));
    if (o.unrolling == unroll::automatic) s += " (threshold " + str(o.unroll_threshold) + ")";
    if (o.math_functions == math::fast) s += ", math fast";
    if (o.static_buffers) s += ", static buffers";
    s += ", training " + std::string(to_string(o.train));
    const auto num = [](double v) { return ctnn::detail::number_text(v); };
    if (o.train == training::sgd) s += " (lr " + num(o.learning_rate) + ")";
    if (o.train == training::adam)
        s += " (lr " + num(o.learning_rate) + ", betas " + num(o.adam_beta1) + " " + num(o.adam_beta2) + ", eps " +
             num(o.adam_epsilon) + ")";
    s += o.const_weights ? ", const weights" : ", mutable weights";
    return s;
}

// The model file's name as given, on one comment line.
inline std::string comment_safe(const std::string& s) {
    std::string out;
    for (char ch : s) {
        const unsigned char c = static_cast<unsigned char>(ch);
        out += c < 0x20 || c == 0x7f ? '?' : ch;
    }
    return out;
}

// Whether the generated code calls a <cmath> / <math.h> function.
inline bool needs_math(const plan& p) {
    for (const layer_plan& l : p.layers) {
        const std::string& a = l.activation;
        if (a != "identity" && a != "relu" && a != "leaky_relu" && a != "binary_step" && !is_tanh_fast(p, a))
            return true;
    }
    return false;
}

inline std::string simd_message(const plan& p) {
    const std::size_t bits = p.lanes * (p.is_float ? 32 : 64);
    const std::string what = p.opt.name + ": this header was generated for " + str(bits) + "-bit SIMD registers (" +
                             str(p.lanes) + " " + p.T + "s, --simd-width " + str(p.opt.simd_width) + "); ";
    if (bits == 512) return what + "compile with -mavx512f (or -march=native on a CPU with AVX-512), or regenerate with --simd-width 8 or 4";
    if (bits == 256) return what + "compile with -mavx2 -mfma (or -march=native on a CPU with AVX2), or regenerate with --simd-width 4";
    return what + "compile for x86-64 (SSE2) or AArch64 (NEON)";
}

// The register types of the simd target, a static_assert for each, and detail::madd(x, y, z) = x * y + z fused.
// When the compile flags lack the registers, the type falls back to xsimd's default batch so that the
// assertion's message is the one error reported (the header then does not compile, as intended).
inline std::string simd_definitions(const plan& p) {
    const auto sized = [&](std::size_t n) { return "xsimd::make_sized_batch_t<" + p.T + ", " + str(n) + ">"; };
    const auto type = [&](const std::string& name, std::size_t n, const std::string& condition,
                          const std::string& message) {
        return "using " + name + " = std::conditional_t<std::is_void<" + sized(n) + ">::value, xsimd::batch<" + p.T +
               ">, " + sized(n) + ">;\nstatic_assert(" + condition + "std::is_same<" + name + ", " + sized(n) +
               ">::value,\n              \"" + message + "\");\n";
    };
    std::string s = "// One SIMD register: " + str(p.lanes) + " " + p.T + "s.\n" +
                    type("batch", p.lanes, "", simd_message(p));
    if (p.uses_half)  // asserted only when batch is right: one message
        s += "// Layers with at most " + str(p.lanes) + " outputs compute in 256-bit registers (latency-bound: shorter chains).\n" +
             type("half_batch", p.lanes / 2, "!std::is_same<batch, " + sized(p.lanes) + ">::value || ",
                  p.opt.name + ": this header needs 256-bit SIMD registers too");
    const std::string fma512 = p.is_float ? "_mm512_fmadd_ps" : "_mm512_fmadd_pd";
    s += "// x * y + z, fused where the target has FMA. xsimd 8.1 has no AVX-512 fma kernel (clang does not fuse its\n"
         "// x * y + z there), so 512-bit registers call the instruction.\n"
         "template <class B>\n"
         "[[gnu::always_inline]] inline B madd(B x, B y, B z) noexcept {\n"
         "#if defined(__AVX512F__)\n"
         "    if constexpr (sizeof(B) == 64) return B(" + fma512 + "(x, y, z));\n"
         "#endif\n"
         "    return xsimd::fma(x, y, z);\n"
         "}\n";
    return s;
}

// The model's input scaling, when it has one: two arrays of input_size literals.
inline bool has_normalization(const model& m) { return m.normalization.kind != "none"; }

inline std::string literal_list(const std::vector<double>& v, bool is_float) {
    std::string s;
    for (std::size_t i = 0; i < v.size(); ++i) s += (i == 0 ? "" : ", ") + literal(v[i], is_float);
    return s;
}

inline std::size_t normalization_bytes(const model& m) {
    if (!has_normalization(m)) return 0;
    return 2 * m.input_size * (m.scalar == scalar_type::float32 ? 4 : 8);
}

// Multi-line text for a template line of its own: without its final newline (the template has one).
inline std::string block(std::string s) {
    while (!s.empty() && s.back() == '\n') s.pop_back();
    return s;
}

inline mu::data object(std::initializer_list<std::pair<std::string, mu::data>> fields) {
    mu::data d;
    for (const auto& f : fields) d.set(f.first, f.second);
    return d;
}

inline std::string render_template(const std::string& name, const mu::data& d) {
    const std::string text = embedded::text(name);
    if (text.empty()) throw std::logic_error("ctnn::gen: no embedded template " + name);
    mu::mustache tmpl{text};
    tmpl.set_custom_escape([](const std::string& s) { return s; });  // code, not HTML
    if (!tmpl.is_valid()) throw std::logic_error("ctnn::gen: template " + name + ": " + tmpl.error_message());
    const std::string out = tmpl.render(d);
    if (!tmpl.is_valid()) throw std::logic_error("ctnn::gen: template " + name + ": " + tmpl.error_message());
    // At most one blank line in a row: kainjow leaves the line of a skipped section's closing tag behind.
    std::string tidy;
    tidy.reserve(out.size());
    for (char c : out)
        if (!(c == '\n' && tidy.size() >= 2 && tidy[tidy.size() - 1] == '\n' && tidy[tidy.size() - 2] == '\n'))
            tidy += c;
    return tidy;
}

}  // namespace detail

// The sizes the header's comment block reports, without rendering it.
inline header_sizes estimate_sizes(const model& m, const options& o) {
    validate_model(m, o.source_name);
    validate(o);
    detail::check_training(m, o);
    const model inference = inference_model(m);
    const plan p = make_plan(inference, o);
    header_sizes s = estimate_sizes(p);
    s.weight_bytes += detail::normalization_bytes(m);
    const training_text t = lower_training(p);
    s.training_bytes = t.ram_bytes;
    s.code_bytes += t.code_bytes;
    return s;
}

// The header and its size estimates.
inline rendered_header render_header(const model& m, const options& o) {
    namespace mu = detail::mu;
    validate_model(m, o.source_name);
    validate(o);
    detail::check_training(m, o);
    const model inference = inference_model(m);  // dense only; the plan points into it
    const plan p = make_plan(inference, o);
    const training_text training_code = lower_training(p);
    header_sizes sizes = estimate_sizes(p);
    sizes.weight_bytes += detail::normalization_bytes(m);
    sizes.training_bytes = training_code.ram_bytes;
    sizes.code_bytes += training_code.code_bytes;

    mu::data d;
    // The comment block.
    d.set("comment", embedded::text("comment.mustache"));  // a partial
    d.set("version", std::string(ctnn::version));
    d.set("has_source", !o.source_name.empty());
    d.set("source", detail::comment_safe(o.source_name));
    d.set("hash", hex16(fnv1a_64(ctnn::detail::model_text(m))));
    d.set("topology", detail::topology_text(m));
    d.set("scalar_type", std::string(scalar_type_name(m.scalar)));
    d.set("options", detail::options_text(o));
    d.set("weight_bytes", str(sizes.weight_bytes));
    d.set("code_bytes", str(sizes.code_bytes));
    d.set("buffer_bytes", str(sizes.buffer_bytes));
    d.set("training_bytes", str(sizes.training_bytes));

    // Names, sizes, types.
    d.set("name", o.name);
    d.set("T", p.T);
    d.set("input_size", str(p.input_size()));
    d.set("output_size", str(p.output_size()));
    d.set("parameter_count", str(p.parameter_count));
    d.set("layer_count", str(p.layers.size()));

    mu::data includes{mu::data::type::list};
    const auto include = [&](const std::string& h) { includes.push_back(detail::object({{"header", h}})); };
    if (p.is_c) {
        if (detail::needs_math(p)) include("math.h");
        include("stddef.h");
    } else {
        if (detail::needs_math(p) && !p.is_simd) include("cmath");
        include("cstddef");
        if (p.is_simd) include("type_traits");
    }
    for (const std::string& h : training_code.includes) include(h);
    d.set("includes", includes);

    d.set("simd", p.is_simd);
    if (p.is_simd) d.set("simd_definitions", detail::block(detail::simd_definitions(p)));

    mu::data layers{mu::data::type::list};
    for (const layer_plan& l : p.layers) {
        layers.push_back(detail::object({{"index", str(l.index)},
                                         {"in", str(l.in)},
                                         {"out", str(l.out)},
                                         {"arrays", detail::block(layer_arrays(p, l))},
                                         {"weight_element", weight_element(p, l)},  // in the layer's layout
                                         {"bias_element", l.bias + "[out]"}}));
    }
    d.set("layers", layers);
    d.set("has_helpers", !p.activations.empty());
    d.set("activation_helpers", detail::block(activation_helpers(p)));
    d.set("forward_body", detail::block(forward_body(p)));

    d.set("normalization", detail::has_normalization(m));
    if (detail::has_normalization(m)) {
        d.set("normalization_kind", m.normalization.kind);
        d.set("input_shift", detail::literal_list(m.normalization.shift, p.is_float));
        d.set("input_scale", detail::literal_list(m.normalization.scale, p.is_float));
    }

    d.set("training", o.train != training::none);
    d.set("training_state", detail::block(training_code.state));
    d.set("training_functions", detail::block(training_code.functions));

    return {detail::render_template(p.is_c ? "c99.h.mustache" : "cpp17.hpp.mustache", d), sizes};
}

// The header text: render_header(m, o).text.
inline std::string render(const model& m, const options& o) { return render_header(m, o).text; }

}  // namespace ctnn::gen
