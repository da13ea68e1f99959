// Training code for the generated header (options::train = sgd or adam): the extension point render() calls.
// It returns text for the templates' {{#training}} sections and the bytes it adds to the size estimates.
//   state:     definitions inside the C++ detail namespace (C: at file scope, NAME_-prefixed): derivative helpers
//              (backward_text.hpp), the kept input and per-layer z / y buffers (simd: `stride` values), gradient
//              arrays shaped like the weights, two dL/dy buffers, Adam's moments and step count. All
//              static and zero-initialized (no constructors), 64-byte aligned;
//   functions: the entry points after forward: forward_train, backward, zero_grad, step(lr) / NAME_step_lr, step,
//              weight_grad, bias_grad (docs/generator.md, "Training").
// The passes: backward.hpp (forward_train, backward) and optimizer.hpp (zero_grad, step).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <ctnn/gen/backward.hpp>
#include <ctnn/gen/backward_text.hpp>
#include <ctnn/gen/options.hpp>
#include <ctnn/gen/optimizer.hpp>
#include <ctnn/gen/plan.hpp>
#include <ctnn/gen/sizes.hpp>
#include <ctnn/gen/text.hpp>

namespace ctnn::gen {

struct training_text {
    std::string state;
    std::string functions;
    std::vector<std::string> includes;  // extra standard headers, e.g. "cstring" / "string.h"
    std::size_t ram_bytes = 0;          // gradients, kept activations, optimizer state
    std::size_t code_bytes = 0;         // estimate, like header_sizes::code_bytes
};

namespace detail {

// "alignas(64) inline float name[n] = {};" (C: "static float NAME_name[n] NAME_ALIGNED;", zero as a static).
inline std::string zero_array(const plan& p, const std::string& name, std::size_t n) {
    if (p.is_c) return "static " + p.T + " " + p.decl(name) + "[" + str(n) + "] " + p.opt.name + "_ALIGNED;";
    return "alignas(64) inline " + p.T + " " + name + "[" + str(n) + "] = {};";
}

inline std::string state_text(const plan& p, const training_layout& t) {
    code c(0);
    c.append(derivative_helpers(p));
    if (!p.activations.empty()) c.line("");
    c.line("// Training state: static, zero-initialized. forward_train keeps its input and each layer's z and y;");
    c.line("// backward accumulates into the gradient arrays (laid out like the weights) through two dL/dy buffers.");
    c.line(zero_array(p, t.input, p.input_size()));
    for (std::size_t k = 0; k < p.layers.size(); ++k) {
        const layer_plan& l = p.layers[k];
        const training_layout::layer& n = t.layers[k];
        c.line(zero_array(p, n.z, n.values));
        c.line(zero_array(p, n.y, n.values));
        c.line(zero_array(p, n.weight_grad, l.weight_size));
        c.line(zero_array(p, n.bias_grad, l.bias_size));
    }
    for (std::size_t b = 0; b < t.buffers; ++b) c.line(zero_array(p, t.buffer[b], t.buffer_values));
    if (p.opt.train == training::adam) {
        c.line("// Adam: first and second moments, and the step count t.");
        for (std::size_t k = 0; k < p.layers.size(); ++k) {
            const layer_plan& l = p.layers[k];
            const training_layout::layer& n = t.layers[k];
            c.line(zero_array(p, n.weight_m, l.weight_size));
            c.line(zero_array(p, n.weight_v, l.weight_size));
            c.line(zero_array(p, n.bias_m, l.bias_size));
            c.line(zero_array(p, n.bias_v, l.bias_size));
        }
        c.line((p.is_c ? "static " : "inline ") + detail::size_type(p) + " " + p.decl(adam_state{}.steps) + " = 0;");
    }
    return c.str();
}

// weight_grad / bias_grad: like weight / bias (the templates), on the gradient arrays.
inline void grad_accessors(code& c, const plan& p, const training_layout& t) {
    const std::string size = detail::size_type(p), T = p.T;
    const std::string fn = p.is_c ? "static inline " + T + " " + p.opt.name + "_" : "inline " + T + " ";
    c.line("// dLoss/dW[out][in] and dLoss/db[out] of a layer as accumulated by backward, PyTorch indexing; 0 outside");
    c.line("// the model.");
    c.open(fn + "weight_grad(" + size + " layer, " + size + " out, " + size + " in)" + p.noexcept_() + " {");
    c.open("switch (layer) {");
    for (std::size_t k = 0; k < p.layers.size(); ++k) {
        const layer_plan& l = p.layers[k];
        const std::string at = p.is_simd ? "in * " + str(l.stride) + " + out" : "out * " + str(l.in) + " + in";
        c.line("case " + str(k) + ": return out < " + str(l.out) + " && in < " + str(l.in) + " ? " +
               p.sym(t.layers[k].weight_grad) + "[" + at + "] : 0;");
    }
    c.line("default: return 0;");
    c.close();
    c.close();
    c.line("");
    c.open(fn + "bias_grad(" + size + " layer, " + size + " out)" + p.noexcept_() + " {");
    c.open("switch (layer) {");
    for (std::size_t k = 0; k < p.layers.size(); ++k)
        c.line("case " + str(k) + ": return out < " + str(p.layers[k].out) + " ? " + p.sym(t.layers[k].bias_grad) +
               "[out] : 0;");
    c.line("default: return 0;");
    c.close();
    c.close();
}

inline std::string functions_text(const plan& p, const training_layout& t) {
    code c(0);
    const std::string T = p.T;
    const std::string fn = p.is_c ? "static inline void " + p.opt.name + "_" : "inline void ";
    const std::string ne = p.noexcept_(), null = p.is_c ? "NULL" : "nullptr";
    const std::string opt = std::string(to_string(p.opt.train));
    c.line("// Training (" + opt + ", learning rate " + p.lit(p.opt.learning_rate) +
           "). The training functions share static state: call them from one thread.");
    c.line("// out = the network's output for in, like forward, keeping what backward needs (the input and every");
    c.line("// layer's z and y).");
    c.open(fn + "forward_train(const " + T + (p.is_c ? " *in, " : "* in, ") + T + (p.is_c ? " *out)" : "* out)") + ne +
           " {");
    c.append(forward_train_body(p, t));
    c.close();
    c.line("");
    c.line("// After forward_train: ADDS dLoss/dparameters to the gradients (weight_grad, bias_grad) for dLoss/dout =");
    c.line("// dloss_dout (output_size values), and writes dLoss/din to dloss_din (input_size values; may be " + null +
           ").");
    c.open(fn + "backward(const " + T + (p.is_c ? " *dloss_dout, " : "* dloss_dout, ") + T +
           (p.is_c ? " *dloss_din)" : "* dloss_din)") + ne + " {");
    c.append(backward_body(p, t));
    c.close();
    c.line("");
    c.line("// Sets every gradient to 0 (the optimizer's state stays).");
    c.open(fn + "zero_grad(" + std::string(p.is_c ? "void" : "") + ")" + ne + " {");
    c.append(zero_grad_body(p, t));
    c.close();
    c.line("");
    c.line(p.opt.train == training::sgd
               ? "// One SGD step with the accumulated gradients: w -= learning_rate * g. Gradients are not cleared."
               : "// One Adam step (torch.optim.Adam) with the accumulated gradients. Gradients are not cleared.");
    c.open(fn + (p.is_c ? "step_lr(" : "step(") + T + " learning_rate)" + ne + " {");
    c.append(step_body(p, t));
    c.close();
    c.line("");
    c.line("// The same with the learning rate the header was generated with.");
    c.line(fn + "step(" + std::string(p.is_c ? "void" : "") + ")" + ne + " { " +
           (p.is_c ? p.opt.name + "_step_lr(" : "step(") + p.lit(p.opt.learning_rate) + "); }");
    c.line("");
    grad_accessors(c, p, t);
    return c.str();
}

// Bytes of the static training state.
inline std::size_t training_ram(const plan& p, const training_layout& t) {
    const std::size_t size = p.is_float ? 4 : 8;
    std::size_t values = p.input_size() + t.buffers * t.buffer_values, params = 0;
    for (std::size_t k = 0; k < p.layers.size(); ++k) {
        values += 2 * t.layers[k].values;
        params += p.layers[k].weight_size + p.layers[k].bias_size;
    }
    values += params;  // gradients
    std::size_t bytes = values * size;
    if (p.opt.train == training::adam) bytes += 2 * params * size + 8;  // moments, t
    return bytes;
}

// Machine code of the training functions, in the per-statement spirit of estimate_sizes: forward_train is forward
// again; backward a fixed cost per layer plus the inlined derivatives; step and zero_grad a loop per array.
inline std::size_t training_code(const plan& p) {
    std::size_t code = estimate_sizes(p).code_bytes + 128;
    for (const layer_plan& l : p.layers) {
        code += p.is_simd ? 320 : 240;
        code += detail::activation_code_bytes(p, l.activation);
        if (!l.elementwise) code += 96;
        code += 2 * (p.opt.train == training::adam ? 160 : 48) + 2 * 24;  // step, zero_grad
        code += 48;                                                       // the accessors
    }
    return code;
}

}  // namespace detail

inline training_text lower_training(const plan& p) {
    if (p.opt.train == training::none) return {};
    if (p.opt.const_weights)  // validate() rejects this first
        throw options_error("training code needs mutable weights (options::const_weights = false)");
    const training_layout t = make_training_layout(p);
    training_text r;
    r.state = detail::state_text(p, t);
    r.functions = detail::functions_text(p, t);
    // Adam's sqrt and expm1; the derivatives use only functions forward already calls (render includes the math
    // header for those, except on the simd target).
    bool math = false;
    for (const layer_plan& l : p.layers) {
        const std::string& a = l.activation;
        math = math || (a != "identity" && a != "relu" && a != "leaky_relu" && a != "binary_step");
    }
    if (p.opt.train == training::adam && (!math || p.is_simd)) r.includes.push_back(p.is_c ? "math.h" : "cmath");
    r.ram_bytes = detail::training_ram(p, t);
    r.code_bytes = detail::training_code(p);
    return r;
}

}  // namespace ctnn::gen
