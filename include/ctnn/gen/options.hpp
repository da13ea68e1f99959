// What the code generator is asked to produce. Shared by ctnn-gen's command line and ctnn::generate<Net>.
#pragma once

#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ctnn::gen {

enum class language { cpp17, c99 };
enum class target { scalar, simd };
// dot (scalar target): a loop over each layer's outputs, each output's dot product spelled out with the inputs in
// locals, the activation applied right away: about two instructions per multiply-add and compact code (MCUs).
enum class unroll { full, automatic, loops, dot };
// fast (scalar target, float models): float tanh is ctnn's tanh_fast (kernels/tanh_fast.inc) instead of libm's.
enum class math { libm, fast };
enum class training { none, sgd, adam };

struct options {
    std::string name = "ctnn_model";  // C++ namespace, or C prefix (NAME_forward, NAME_INPUT_SIZE)
    language lang = language::cpp17;
    target tgt = target::scalar;
    unroll unrolling = unroll::automatic;
    // With unroll::automatic, a layer is spelled out when it needs at most this many multiply-add statements
    // (scalar: in * out; simd: in * registers per row), and becomes loops over packed panels otherwise.
    // 1024: larger unrolled layers outgrow the instruction cache and run slower than loops (docs/generator.md).
    std::size_t unroll_threshold = 1024;
    // Lanes of one SIMD register the simd target is written for (4: SSE/NEON, 8: AVX2, 16: AVX-512).
    std::size_t simd_width = 8;
    math math_functions = math::libm;
    // forward's activation buffers as static arrays (RAM known at link time, forward not reentrant) instead of
    // locals on the stack.
    bool static_buffers = false;
    training train = training::none;
    bool const_weights = true;  // weights in flash/rodata; training (train != none) requires false
    double learning_rate = 0.01;
    double adam_beta1 = 0.9;
    double adam_beta2 = 0.999;
    double adam_epsilon = 1e-8;
    std::string source_name;  // the model file's name, for the header's comment block
};

// Thrown for options that contradict each other or a name that is not an identifier.
struct options_error : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};

constexpr std::string_view to_string(language v) noexcept { return v == language::cpp17 ? "c++17" : "c99"; }
constexpr std::string_view to_string(target v) noexcept { return v == target::scalar ? "scalar" : "simd"; }
constexpr std::string_view to_string(unroll v) noexcept {
    return v == unroll::full ? "full" : v == unroll::loops ? "loops" : v == unroll::dot ? "dot" : "auto";
}
constexpr std::string_view to_string(math v) noexcept { return v == math::libm ? "libm" : "fast"; }
constexpr std::string_view to_string(training v) noexcept {
    return v == training::none ? "none" : v == training::sgd ? "sgd" : "adam";
}

namespace detail {
inline bool is_keyword(std::string_view s) noexcept {
    static constexpr std::string_view words[] = {
        "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break", "case", "catch",
        "char", "char8_t", "char16_t", "char32_t", "class", "compl", "concept", "const", "consteval", "constexpr",
        "constinit", "const_cast", "continue", "co_await", "co_return", "co_yield", "decltype", "default", "delete",
        "do", "double", "dynamic_cast", "else", "enum", "explicit", "export", "extern", "false", "float", "for",
        "friend", "goto", "if", "inline", "int", "long", "mutable", "namespace", "new", "noexcept", "not", "not_eq",
        "nullptr", "operator", "or", "or_eq", "private", "protected", "public", "register", "reinterpret_cast",
        "requires", "restrict", "return", "short", "signed", "sizeof", "static", "static_assert", "static_cast",
        "struct", "switch", "template", "this", "thread_local", "throw", "true", "try", "typedef", "typeid",
        "typename", "union", "unsigned", "using", "virtual", "void", "volatile", "wchar_t", "while", "xor", "xor_eq",
        "_Bool", "_Complex", "_Imaginary", "std", "xsimd"};
    for (auto w : words)
        if (w == s) return true;
    return false;
}
}  // namespace detail

// Why `name` cannot name the generated namespace or prefix; empty when it can. A C++ namespace may be nested
// ("audio::net"); a C prefix may not.
inline std::string identifier_problem(std::string_view name, language lang) {
    if (name.empty()) return "is empty";
    std::size_t start = 0;
    while (true) {
        const std::size_t sep = name.find("::", start);
        if (sep != std::string_view::npos && lang == language::c99) return "contains '::' (a C prefix cannot be nested)";
        const std::string_view part = name.substr(start, sep == std::string_view::npos ? std::string_view::npos : sep - start);
        if (part.empty()) return "has an empty component";
        const auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
        const auto digit = [](char c) { return c >= '0' && c <= '9'; };
        if (!alpha(part[0])) return "'" + std::string(part) + "' does not start with a letter or '_'";
        for (char c : part)
            if (!alpha(c) && !digit(c)) return "'" + std::string(part) + "' contains '" + std::string(1, c) + "'";
        if (detail::is_keyword(part)) return "'" + std::string(part) + "' is a reserved word";
        if (part.size() >= 2 && part[0] == '_' && (part[1] == '_' || (part[1] >= 'A' && part[1] <= 'Z')))
            return "'" + std::string(part) + "' is reserved for the implementation";
        if (part.find("__") != std::string_view::npos) return "'" + std::string(part) + "' contains '__' (reserved)";
        if (sep == std::string_view::npos) break;
        start = sep + 2;
    }
    return {};
}

// Throws options_error for a bad name or a contradiction (e.g. simd with C, training with const weights).
inline void validate(const options& o) {
    if (auto p = identifier_problem(o.name, o.lang); !p.empty())
        throw options_error("name \"" + o.name + "\" " + p);
    if (o.lang == language::c99 && o.tgt == target::simd)
        throw options_error("target simd needs language c++17 (the C99 header is scalar)");
    // Rejected rather than implied: const weights are a promise (flash, rodata) that training would break.
    if (o.train != training::none && o.const_weights)
        throw options_error("training " + std::string(to_string(o.train)) +
                            " needs mutable weights (options::const_weights = false, ctnn-gen --mutable-weights): "
                            "step() updates the weights in place");
    if (o.tgt == target::simd && o.unrolling == unroll::dot)
        throw options_error("unroll dot is for the scalar target (the simd target unrolls over registers)");
    if (o.tgt == target::simd && o.math_functions == math::fast)
        throw options_error("math fast is for the scalar target (the simd target's float tanh is ctnn's tanh_approx)");
    if (o.simd_width != 4 && o.simd_width != 8 && o.simd_width != 16)
        throw options_error("simd width " + std::to_string(o.simd_width) + " is not 4, 8 or 16");
    if (o.unroll_threshold == 0) throw options_error("unroll threshold must be at least 1");
    if (!(o.learning_rate > 0) || !(o.adam_epsilon > 0) || !(o.adam_beta1 >= 0 && o.adam_beta1 < 1) ||
        !(o.adam_beta2 >= 0 && o.adam_beta2 < 1))
        throw options_error("optimizer hyperparameters out of range (learning rate > 0, 0 <= betas < 1, eps > 0)");
    // They become literals of the model's type: keep them normal floats, so that a float header never gets inf or 0.
    const auto normal_float = [](double v) {
        return v >= double(std::numeric_limits<float>::min()) && v <= double(std::numeric_limits<float>::max());
    };
    if (!normal_float(o.learning_rate) || !normal_float(o.adam_epsilon))
        throw options_error("learning rate and eps must lie between 1.2e-38 and 3.4e38 (normal float numbers)");
}

}  // namespace ctnn::gen
