#include "command_line.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <string_view>
#include <system_error>
#include <vector>

#include <CLI/CLI.hpp>

#include <ctnn/version.hpp>

namespace ctnn_gen {
namespace {

using namespace ctnn::gen;

// An option that takes one of the names to_string gives E's values ("c++17", "c99").
template <class E, std::size_t N>
CLI::Option* add_choice(CLI::App& app, const std::string& flag, E& value, const std::array<E, N>& all,
                        const std::string& help) {
    std::vector<std::string> names;
    std::string shown;  // "c++17|c99"
    for (E e : all) {
        names.emplace_back(to_string(e));
        shown += (shown.empty() ? "" : "|") + names.back();
    }
    const auto set = [&value, all](const std::string& text) {
        for (E e : all)
            if (to_string(e) == text) value = e;
    };
    return app.add_option_function<std::string>(flag, set, help)
        ->check(CLI::IsMember(names).description(""))
        ->type_name(shown)
        ->default_str(std::string(to_string(value)));
}

// Digits only, at least 1, no overflow.
std::optional<std::size_t> positive_integer(const std::string& text) {
    std::size_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || v == 0) return std::nullopt;
    return v;
}

// Finite and above zero.
std::optional<double> positive_number(const std::string& text) {
    double v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v) || !(v > 0)) return std::nullopt;
    return v;
}

// The whole text as a double (from_chars: no spaces, no '+'; "nan" and "inf" parse).
std::optional<double> number(std::string_view text) {
    double v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return v;
}

// Whether validate() (options.hpp, where the ranges are) accepts the default options with this change.
template <class Change>
bool validates(Change change) {
    options o;
    change(o);
    try {
        validate(o);
    } catch (const options_error&) {
        return false;
    }
    return true;
}

// "B1,B2": Adam's two betas, each in the range validate() accepts.
std::optional<std::array<double, 2>> adam_betas(const std::string& text) {
    const std::size_t comma = text.find(',');
    if (comma == std::string::npos) return std::nullopt;
    const auto b1 = number(std::string_view(text).substr(0, comma));
    const auto b2 = number(std::string_view(text).substr(comma + 1));
    const auto set = [&](options& o) {
        o.adam_beta1 = *b1;
        o.adam_beta2 = *b2;
    };
    if (!b1 || !b2 || !validates(set)) return std::nullopt;
    return std::array{*b1, *b2};
}

// The learning rate: finite, and accepted by validate().
std::optional<double> learning_rate(const std::string& text) {
    const auto lr = positive_number(text);
    if (!lr || !validates([&](options& o) { o.learning_rate = *lr; })) return std::nullopt;
    return lr;
}

// Adam's epsilon: finite, and accepted by validate().
std::optional<double> adam_epsilon(const std::string& text) {
    const auto eps = positive_number(text);
    if (!eps || !validates([&](options& o) { o.adam_epsilon = *eps; })) return std::nullopt;
    return eps;
}

std::string shortest(double v) {
    char buf[32];
    return std::string(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

// `"3net" does not start with a letter or '_'`: identifier_problem's text, said of the whole name.
std::string name_problem(const std::string& name, language lang) {
    const std::string problem = identifier_problem(name, lang);
    if (problem.empty()) return {};
    const std::string quoted = "\"" + name + "\"";
    const std::string whole = "'" + name + "' ";
    if (problem.rfind(whole, 0) == 0) return quoted + " " + problem.substr(whole.size());
    if (problem.front() == '\'') return quoted + ": " + problem;  // about one component of "a::b"
    return quoted + " " + problem;
}

// The checks that need several options; each message names the option to change.
void check_combination(const options& o) {
    if (auto p = name_problem(o.name, o.lang); !p.empty()) throw usage_error("--name: " + p);
    if (o.lang == language::c99 && o.tgt == target::simd)
        throw usage_error("--target: simd needs --lang c++17 (the C99 header is scalar)");
    if (o.train != training::none && o.const_weights)
        throw usage_error("--train: " + std::string(to_string(o.train)) +
                          " needs --mutable-weights (training updates the weights in place)");
    try {
        validate(o);  // whatever else options.hpp rejects
    } catch (const options_error& e) {
        throw usage_error(e.what());
    }
}

}  // namespace

std::optional<request> parse_command_line(int argc, const char* const* argv) {
    request r;
    options& o = r.options;
    bool mutable_weights = false;

    CLI::App app("Turns a .ctnn.json model file into a standalone C++17 or C99 header. Exit status 0 on success, "
                 "1 on any error (one line on stderr; no output file is left behind).",
                 "ctnn-gen");
    app.set_version_flag("--version", std::string("ctnn-gen ") + ctnn::version);
    app.add_option("MODEL", r.model, "Model file (.ctnn.json)")->required()->type_name("FILE");
    app.add_option("-o,--output", r.output, "Header to write (replaced atomically)")->required()->type_name("OUT");
    app.add_option("--name", o.name, "C++ namespace (may be nested: a::b) or C prefix")
        ->type_name("NS_OR_PREFIX")
        ->capture_default_str();
    add_choice(app, "--lang", o.lang, std::array{language::cpp17, language::c99}, "Language of the header");
    add_choice(app, "--target", o.tgt, std::array{target::scalar, target::simd},
               "Portable scalar code, or xsimd batches (C++ only)");
    add_choice(app, "--unroll", o.unrolling, std::array{unroll::full, unroll::automatic, unroll::loops, unroll::dot},
               "Spell out every multiply-add, use loops, decide per layer (auto: full up to the threshold), or "
               "loop over outputs with each dot product spelled out (dot: scalar, for microcontrollers)");
    app.add_option_function<std::string>(
           "--unroll-threshold",
           [&o](const std::string& text) { o.unroll_threshold = *positive_integer(text); },
           "With --unroll auto: the most multiply-add statements a layer may spell out")
        ->check(CLI::Validator(
            [](std::string& text) {
                return positive_integer(text) ? std::string() : "expected a positive integer, found \"" + text + "\"";
            },
            ""))
        ->type_name("N")
        ->default_str(std::to_string(o.unroll_threshold));
    app.add_option_function<std::string>(
           "--simd-width", [&o](const std::string& text) { o.simd_width = *positive_integer(text); },
           "Lanes per SIMD register with --target simd (4: SSE/NEON, 8: AVX2, 16: AVX-512)")
        ->check(CLI::IsMember({"4", "8", "16"}).description(""))
        ->type_name("4|8|16")
        ->default_str(std::to_string(o.simd_width));
    add_choice(app, "--math", o.math_functions, std::array{math::libm, math::fast},
               "Float tanh from the C library, or ctnn's tanh_fast (scalar target; ~14 instructions on a Cortex-M4)");
    app.add_flag("--static-buffers", o.static_buffers,
                 "Activation buffers as static arrays (RAM counted at link time; forward is not reentrant)");
    add_choice(app, "--train", o.train, std::array{training::none, training::sgd, training::adam},
               "Also generate backward and an optimizer step (needs --mutable-weights)");
    app.add_option_function<std::string>(
           "--lr", [&o](const std::string& text) { o.learning_rate = *learning_rate(text); },
           "Learning rate of the generated optimizer step")
        ->check(CLI::Validator(
            [](std::string& text) {
                if (learning_rate(text)) return std::string();
                return "expected a positive number from 1.2e-38 to 3.4e38, found \"" + text + "\"";
            },
            ""))
        ->type_name("X")
        ->default_str(shortest(o.learning_rate));
    app.add_option_function<std::string>(
           "--adam-betas",
           [&o](const std::string& text) {
               const auto betas = *adam_betas(text);
               o.adam_beta1 = betas[0];
               o.adam_beta2 = betas[1];
           },
           "Adam's decay rates of the gradient's first and second moment estimates")
        ->check(CLI::Validator(
            [](std::string& text) {
                if (adam_betas(text)) return std::string();
                return "expected two comma-separated numbers, each >= 0 and < 1, found \"" + text + "\"";
            },
            ""))
        ->type_name("B1,B2")
        ->default_str(shortest(o.adam_beta1) + "," + shortest(o.adam_beta2));
    app.add_option_function<std::string>(
           "--adam-eps", [&o](const std::string& text) { o.adam_epsilon = *adam_epsilon(text); },
           "Adam's epsilon, added to the denominator of its step")
        ->check(CLI::Validator(
            [](std::string& text) {
                if (adam_epsilon(text)) return std::string();
                return "expected a positive number from 1.2e-38 to 3.4e38, found \"" + text + "\"";
            },
            ""))
        ->type_name("X")
        ->default_str(shortest(o.adam_epsilon));
    app.add_flag("--mutable-weights", mutable_weights, "Weights in writable memory (needed for training)");
    app.add_flag("--quiet", r.quiet, "Print nothing on success");

    try {
        app.parse(argc, argv);
    } catch (const CLI::Success& e) {  // --help, --version
        app.exit(e);
        return std::nullopt;
    } catch (const CLI::ParseError& e) {
        throw usage_error(e.what());
    }
    o.const_weights = !mutable_weights;
    // The model's file name without its directory: the header must not depend on where the build happens.
    o.source_name = std::filesystem::path(r.model).filename().string();
    check_combination(o);
    return r;
}

}  // namespace ctnn_gen
