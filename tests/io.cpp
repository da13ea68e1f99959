// Model files: bit-exact round trips, deterministic bytes, hand-written reference files, topology checks, one
// check per kind of bad input with its message, params untouched by a failed load, atomic and validated writes.
#include <ctnn/ctnn.hpp>
#include <ctnn/io.hpp>

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <bit>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <set>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#if defined(__unix__)
#include <unistd.h>  // geteuid: root reads files whatever their permissions
#endif

#include "support/error_message.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path models_dir = fs::path(CTNN_TEST_DATA_DIR) / "data" / "models";

using temp_dir = ctnn_test::temp_dir;

std::string bytes_of(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    REQUIRE(in);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const fs::path& p, const std::string& s) {
    std::ofstream out(p, std::ios::binary);
    out << s;
    REQUIRE(out);
}

std::set<std::string> listing(const fs::path& dir) {
    std::set<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
    return names;
}

template <class F>
std::string model_error_of(F&& f) {
    return ctnn_test::one_line_message_of<ctnn::model_error>(std::forward<F>(f));
}

template <class P>
std::vector<unsigned char> raw(const P& p) {
    std::vector<unsigned char> v(sizeof p.data);
    std::memcpy(v.data(), p.data, sizeof p.data);
    return v;
}

// A random finite value with random bits: every exponent, subnormals included.
template <class T>
T random_finite(ctnn::random_source& r) {
    for (;;) {
        T v;
        if constexpr (sizeof(T) == 4)
            v = std::bit_cast<float>(static_cast<std::uint32_t>(r.next()));
        else
            v = std::bit_cast<double>(r.next());
        if (std::isfinite(v)) return v;
    }
}

// Significant digits of the shortest decimal that reads back as v (std::to_chars, independent of the writer).
template <class T>
int shortest_digits(T v) {
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
    int n = 0;
    for (const char* c = buf; c != r.ptr && *c != 'e'; ++c) n += *c >= '0' && *c <= '9';
    return n;
}

template <class T>
std::vector<T> tricky_values() {
    using L = std::numeric_limits<T>;
    std::vector<T> v{T(0),          -T(0),        L::denorm_min(), -L::denorm_min(), std::nextafter(L::min(), T(0)),
                     L::min(),      -L::min(),    L::max(),        -L::max(),        T(0.1),
                     T(1) / T(3),   T(-2) / T(3), std::nextafter(T(1), T(2)),        std::nextafter(T(1), T(0))};
    if constexpr (sizeof(T) == 4) {
        v.insert(v.end(), {0.100000024f, 100.000015f, 16777216.0f, 3.0e-39f, 6.0221406e23f});
    } else {
        v.insert(v.end(), {0.30000000000000004, 9007199254740992.0, 2.2250738585072009e-308, 1e300, 1e-320});
    }
    return v;
}

template <class Net, class T>
void fill_tricky(typename Net::template parameters<T>& p, std::uint64_t seed) {
    ctnn::random_source r(seed);
    std::vector<T> flat(Net::parameter_count);
    for (auto& x : flat) x = random_finite<T>(r);
    const auto tricky = tricky_values<T>();
    for (std::size_t k = 0; k < tricky.size() && k < flat.size(); ++k) flat[k] = tricky[k];
    ctnn::import_torch(p, std::span<const T, Net::parameter_count>(flat));
}

using Mixed = ctnn::network<ctnn::input<5>, ctnn::dense<7, ctnn::leaky_relu<>>, ctnn::dense<3, ctnn::elu<>>,
                            ctnn::dense<2, ctnn::softmax>>;
using Big = ctnn::network<ctnn::input<33>, ctnn::dense<64, ctnn::tanh>, ctnn::dense<17, ctnn::gelu>>;
// The network of tests/data/models/small_*.ctnn.json and of the bad files.
using Small = ctnn::network<ctnn::input<2>, ctnn::dense<3, ctnn::tanh>, ctnn::dense<1, ctnn::leaky_relu<>>>;
// The network of tests/data/models/golden_*.ctnn.json.
using Golden = ctnn::network<ctnn::input<3>, ctnn::dense<2, ctnn::leaky_relu<>>, ctnn::dense<1, ctnn::elu<>>>;

template <class Net, class T>
void check_round_trip(std::uint64_t seed) {
    temp_dir dir;
    static typename Net::template parameters<T> p, q;
    fill_tricky<Net, T>(p, seed);
    q.fill(T(7));
    const fs::path a = dir.path / "a.ctnn.json", b = dir.path / "b.ctnn.json";
    ctnn::save(a, p);
    ctnn::load(a, q);
    REQUIRE(raw(q) == raw(p));  // every bit, signs of zeros and subnormals included
    ctnn::save(b, q);
    REQUIRE(bytes_of(b) == bytes_of(a));
    ctnn::save(a, p);
    REQUIRE(bytes_of(b) == bytes_of(a));
    REQUIRE(listing(dir.path) == std::set<std::string>{"a.ctnn.json", "b.ctnn.json"});
}

// Loads f into Net::parameters<T> expecting a model_error; the parameters must come out untouched.
template <class Net, class T>
std::string load_error(const fs::path& f) {
    static typename Net::template parameters<T> p;
    fill_tricky<Net, T>(p, 99);
    const auto before = raw(p);
    const std::string message = model_error_of([&] { ctnn::load(f, p); });
    CHECK(raw(p) == before);
    return message;
}

}  // namespace

TEST_CASE("the tricky values are tricky", "[io]") {
    CHECK(shortest_digits(0.100000024f) == 9);
    CHECK(shortest_digits(100.000015f) == 9);
    CHECK(shortest_digits(0.30000000000000004) == 17);
    CHECK(std::fpclassify(std::numeric_limits<float>::denorm_min()) == FP_SUBNORMAL);
    CHECK(std::fpclassify(3.0e-39f) == FP_SUBNORMAL);
    CHECK(std::fpclassify(1e-320) == FP_SUBNORMAL);
}

TEST_CASE("float and double parameters round-trip bit for bit, and re-saving gives the same bytes", "[io]") {
    for (std::uint64_t seed : {1u, 2u, 3u}) {
        check_round_trip<Mixed, float>(seed);
        check_round_trip<Mixed, double>(seed);
        check_round_trip<Big, float>(seed);
        check_round_trip<Big, double>(seed);
    }
}

TEST_CASE("the file holds PyTorch's weight[out][in] and bias[out], read here by plain nlohmann-json", "[io]") {
    temp_dir dir;
    static Mixed::parameters<double> p;
    fill_tricky<Mixed, double>(p, 11);
    const fs::path f = dir.path / "m.ctnn.json";
    ctnn::save(f, p);
    const auto doc = nlohmann::json::parse(bytes_of(f));
    CHECK(doc["format"] == "ctnn-model");
    CHECK(doc["version"] == 1);
    CHECK(doc["scalar_type"] == "float64");
    CHECK(doc["input_size"] == 5);
    REQUIRE(doc["layers"].size() == 3);
    CHECK(doc["layers"][0]["activation"] == nlohmann::json{{"name", "leaky_relu"}, {"negative_slope", 0.01}});
    CHECK(doc["layers"][1]["activation"] == nlohmann::json{{"name", "elu"}, {"alpha", 1.0}});
    CHECK(doc["layers"][2]["activation"] == nlohmann::json{{"name", "softmax"}});
    for (std::size_t l = 0; l < 3; ++l) {
        const auto& lj = doc["layers"][l];
        const auto& layout = Mixed::layout<double>[l];
        CHECK(lj["kind"] == "dense");
        CHECK(lj["in"] == layout.in);
        CHECK(lj["out"] == layout.out);
        REQUIRE(lj["weight"].size() == layout.out);
        REQUIRE(lj["bias"].size() == layout.out);
        for (std::size_t o = 0; o < layout.out; ++o) {
            REQUIRE(lj["weight"][o].size() == layout.in);
            for (std::size_t i = 0; i < layout.in; ++i)
                CHECK(std::bit_cast<std::uint64_t>(lj["weight"][o][i].get<double>()) ==
                      std::bit_cast<std::uint64_t>(p.weight(l, o, i)));
            CHECK(std::bit_cast<std::uint64_t>(lj["bias"][o].get<double>()) ==
                  std::bit_cast<std::uint64_t>(p.bias(l, o)));
        }
    }
}

TEST_CASE("hand-written files load to the values they spell, and saving reproduces them byte for byte", "[io]") {
    temp_dir dir;
    SECTION("small_float64") {
        static Small::parameters<double> p;
        ctnn::load(models_dir / "small_float64.ctnn.json", p);
        CHECK(p.weight(0, 0, 0) == 0.5);
        CHECK(p.weight(0, 0, 1) == -0.25);
        CHECK(p.weight(0, 1, 0) == 1.0);
        CHECK(p.weight(0, 1, 1) == 2.0);
        CHECK(p.weight(0, 2, 0) == -3.0);
        CHECK(p.weight(0, 2, 1) == 0.125);
        CHECK(p.bias(0, 0) == 0.0);
        CHECK(p.bias(0, 1) == 0.1);
        CHECK(p.bias(0, 2) == -0.1);
        CHECK(p.weight(1, 0, 0) == 1.5);
        CHECK(p.weight(1, 0, 1) == -2.5);
        CHECK(p.weight(1, 0, 2) == 0.75);
        CHECK(p.bias(1, 0) == 0.5);
        ctnn::save(dir.path / "s.ctnn.json", p);
        CHECK(bytes_of(dir.path / "s.ctnn.json") == bytes_of(models_dir / "small_float64.ctnn.json"));
    }
    SECTION("small_float32") {
        static Small::parameters<float> p;
        ctnn::load(models_dir / "small_float32.ctnn.json", p);
        CHECK(p.weight(0, 2, 1) == 0.125f);
        CHECK(p.bias(0, 1) == 0.1f);
        CHECK(p.bias(0, 2) == -0.1f);
        ctnn::save(dir.path / "s.ctnn.json", p);
        CHECK(bytes_of(dir.path / "s.ctnn.json") == bytes_of(models_dir / "small_float32.ctnn.json"));
    }
    SECTION("golden_float32") {
        static Golden::parameters<float> p;
        ctnn::load(models_dir / "golden_float32.ctnn.json", p);
        using L = std::numeric_limits<float>;
        const float expected[] = {0.1f,    -0.0f, L::denorm_min(), L::max(), -L::max(), 0.100000024f,
                                  L::min(), 16777216.0f, 100.000015f, std::nextafter(L::min(), 0.0f), 1.0f / 3.0f};
        float flat[Golden::parameter_count];
        ctnn::export_torch(p, std::span<float, Golden::parameter_count>(flat));
        for (std::size_t k = 0; k < Golden::parameter_count; ++k)
            CHECK(std::bit_cast<std::uint32_t>(flat[k]) == std::bit_cast<std::uint32_t>(expected[k]));
        ctnn::save(dir.path / "g.ctnn.json", p);
        CHECK(bytes_of(dir.path / "g.ctnn.json") == bytes_of(models_dir / "golden_float32.ctnn.json"));
    }
    SECTION("golden_float64") {
        static Golden::parameters<double> p;
        ctnn::load(models_dir / "golden_float64.ctnn.json", p);
        using L = std::numeric_limits<double>;
        const double expected[] = {0.1,      -0.0, L::denorm_min(), L::max(), -L::max(), 0.30000000000000004,
                                   L::min(), 9007199254740992.0, std::nextafter(1.0, 2.0),
                                   std::nextafter(L::min(), 0.0), 1.0 / 3.0};
        double flat[Golden::parameter_count];
        ctnn::export_torch(p, std::span<double, Golden::parameter_count>(flat));
        for (std::size_t k = 0; k < Golden::parameter_count; ++k)
            CHECK(std::bit_cast<std::uint64_t>(flat[k]) == std::bit_cast<std::uint64_t>(expected[k]));
        ctnn::save(dir.path / "g.ctnn.json", p);
        CHECK(bytes_of(dir.path / "g.ctnn.json") == bytes_of(models_dir / "golden_float64.ctnn.json"));
    }
}

TEST_CASE("read_model describes a file without a network type; write_model writes it back unchanged", "[io]") {
    const fs::path f = models_dir / "small_float64.ctnn.json";
    const ctnn::model m = ctnn::read_model(f);
    CHECK(m.scalar == ctnn::scalar_type::float64);
    CHECK(m.input_size == 2);
    REQUIRE(m.layers.size() == 2);
    CHECK(m.layers[0].kind == "dense");
    CHECK(m.layers[0].in == 2);
    CHECK(m.layers[0].out == 3);
    CHECK(m.layers[0].activation == "tanh");
    CHECK(m.layers[0].activation_parameter_name.empty());
    CHECK(m.layers[0].weight == std::vector<double>{0.5, -0.25, 1.0, 2.0, -3.0, 0.125});
    CHECK(m.layers[0].bias == std::vector<double>{0.0, 0.1, -0.1});
    CHECK(m.layers[1].activation == "leaky_relu");
    CHECK(m.layers[1].activation_parameter_name == "negative_slope");
    CHECK(m.layers[1].activation_parameter == 0.01);
    CHECK(m.layers[1].weight == std::vector<double>{1.5, -2.5, 0.75});

    temp_dir dir;
    ctnn::write_model(dir.path / "w.ctnn.json", m);
    CHECK(bytes_of(dir.path / "w.ctnn.json") == bytes_of(f));

    // A float32 file's values are floats, widened exactly.
    const ctnn::model m32 = ctnn::read_model(models_dir / "small_float32.ctnn.json");
    CHECK(m32.scalar == ctnn::scalar_type::float32);
    CHECK(m32.layers[0].bias[1] == static_cast<double>(0.1f));
    CHECK(m32.layers[1].activation_parameter == 0.01);  // a topology parameter stays a double
}

TEST_CASE("a float32 file's numbers are rounded once, from the text, not through double", "[io]") {
    // Just above the midpoint between 1 and the next float: the nearest float is 1 + 2^-23, but the nearest double
    // is the midpoint itself, which then rounds (to even) down to 1.
    const std::string text = "1.00000005960464477539062500001";
    CHECK(static_cast<float>(std::strtod(text.c_str(), nullptr)) == 1.0f);  // the trap
    temp_dir dir;
    const fs::path f = dir.path / "m.ctnn.json";
    std::string file = bytes_of(models_dir / "small_float32.ctnn.json");
    file.replace(file.find("[1.0, 2.0]"), 10, "[" + text + ", 2.0]");
    write_bytes(f, file);
    static Small::parameters<float> p;
    ctnn::load(f, p);
    CHECK(p.weight(0, 1, 0) == std::nextafter(1.0f, 2.0f));
}

TEST_CASE("write_model validates the model and rounds float32 values once", "[io]") {
    temp_dir dir;
    const fs::path f = dir.path / "w.ctnn.json";
    const std::string name = f.string();
    ctnn::model m = ctnn::read_model(models_dir / "small_float32.ctnn.json");

    SECTION("a double that is not a float is rounded to the nearest float") {
        m.layers[0].weight[0] = 0.1;
        m.layers[0].weight[1] = std::nextafter(0x1.ffffffp127, 0.0);  // just below the overflow threshold
        ctnn::write_model(f, m);
        const ctnn::model back = ctnn::read_model(f);
        CHECK(back.layers[0].weight[0] == static_cast<double>(0.1f));
        CHECK(back.layers[0].weight[1] == static_cast<double>(std::numeric_limits<float>::max()));
    }
    SECTION("values that round beyond FLT_MAX are refused") {
        m.layers[0].weight[1] = 0x1.ffffffp127;  // FLT_MAX + ulp/2 rounds to infinity
        CHECK_THAT(model_error_of([&] { ctnn::write_model(f, m); }),
                   Catch::StartsWith(name + ": layers[0].weight[0][1]: ") &&
                       Catch::EndsWith("is out of range for float32"));
        m.layers[0].weight[1] = 1e39;
        CHECK(model_error_of([&] { ctnn::write_model(f, m); }) ==
              name + ": layers[0].weight[0][1]: 1e+39 is out of range for float32");
    }
    SECTION("inconsistent models are refused") {
        m.layers[0].weight.pop_back();
        CHECK(model_error_of([&] { ctnn::write_model(f, m); }) ==
              name + ": layers[0].weight: expected 3 * 2 values (out * in), found 5");
    }
    SECTION("unknown kinds and activations are refused") {
        m.layers[1].kind = "lstm";
        CHECK(model_error_of([&] { ctnn::write_model(f, m); }) ==
              name + ": layers[1].kind: unknown layer kind \"lstm\" (known: \"dense\", \"batch_norm\", \"dropout\")");
        m.layers[1].kind = "dense";
        m.layers[1].activation = "elu";
        CHECK(model_error_of([&] { ctnn::write_model(f, m); }) ==
              name + ": layers[1].activation.negative_slope: unknown field (elu's parameter is \"alpha\")");
    }
    CHECK(listing(dir.path).count(".w.ctnn.json") == 0);
    for (const auto& n : listing(dir.path)) CHECK(n == "w.ctnn.json");
}

TEST_CASE("loading into a network type of another topology names the first difference", "[io]") {
    using namespace ctnn;
    using File = network<input<4>, dense<8, ctnn::tanh>, dense<32, leaky_relu<>>, dense<1>>;
    temp_dir dir;
    const fs::path f = dir.path / "net.ctnn.json";
    const std::string name = f.string();
    static File::parameters<float> saved;
    fill_tricky<File, float>(saved, 5);
    save(f, saved);

    CHECK(load_error<network<input<5>, dense<8, ctnn::tanh>, dense<32, leaky_relu<>>, dense<1>>, float>(f) ==
          name + ": input_size: the file has 4, the network type has 5");
    CHECK(load_error<network<input<4>, dense<8, ctnn::tanh>, dense<32, leaky_relu<>>>, float>(f) ==
          name + ": layers: the file has 3 layers, the network type has 2 layers");
    CHECK(load_error<network<input<4>, dense<8, ctnn::tanh>, dense<32, leaky_relu<>>, dense<1>, dense<1>>, float>(f) ==
          name + ": layers: the file has 3 layers, the network type has 4 layers");
    CHECK(load_error<network<input<4>, dense<8, ctnn::tanh>, dense<16, leaky_relu<>>, dense<1>>, float>(f) ==
          name + ": layers[1].out: the file has 32, the network type has 16");
    CHECK(load_error<network<input<4>, dense<8, relu>, dense<32, leaky_relu<>>, dense<1>>, float>(f) ==
          name + ": layers[0].activation.name: the file has \"tanh\", the network type has \"relu\"");
    CHECK(load_error<network<input<4>, dense<8, ctnn::tanh>, dense<32, leaky_relu<1, 50>>, dense<1>>, float>(f) ==
          name + ": layers[1].activation.negative_slope: the file has 0.01, the network type has 0.02");
    CHECK(load_error<File, double>(f) ==
          name + ": scalar_type: the file has \"float32\", the parameters are \"float64\"");

    using Elu = network<input<4>, dense<8, elu<>>>;
    static Elu::parameters<double> elu_params;
    save(f, elu_params);
    CHECK(load_error<network<input<4>, dense<8, elu<3, 2>>>, double>(f) ==
          name + ": layers[0].activation.alpha: the file has 1, the network type has 1.5");

    // A valid file cannot differ only in kind or in a layer's input size (kinds are known, sizes chain), so
    // these go through check_model with a hand-edited model.
    model m = to_model(saved);
    check_model<File, float>(m, "m");
    m.layers[0].kind = "conv";
    CHECK(model_error_of([&] { check_model<File, float>(m, "m"); }) ==
          "m: layers[0].kind: the file has \"conv\", the network type has \"dense\"");
    m.layers[0].kind = "dense";
    m.layers[2].in = 31;
    CHECK(model_error_of([&] { check_model<File, float>(m, "m"); }) ==
          "m: layers[2].in: the file has 31, the network type has 32");
}

namespace {

struct bad_case {
    const char* file;     // in tests/data/models/bad/
    const char* message;  // what follows "<path>: "
};

const bad_case bad_cases[] = {
    {"empty", "the file is empty"},
    {"truncated", "the file is truncated: parse error at line 14, column 14: "},
    {"malformed", "malformed JSON: parse error at line 4, column 15: "},
    {"trailing_garbage", "malformed JSON: parse error at line 31, column 1: "},
    {"weight_nan_literal", "malformed JSON: parse error at line 14, column 10: "},
    {"not_object", "(top level): expected a JSON object, found an array"},
    {"no_format", "format: missing field"},
    {"wrong_format", "format: expected \"ctnn-model\", found string \"onnx\" (not a ctnn model file)"},
    {"no_version", "version: missing field"},
    {"version_2", "version: unsupported format version 2 (this ctnn reads version 1)"},
    {"version_string", "version: expected an integer, found string \"1\""},
    {"version_float", "version: expected an integer, found 1.0"},
    {"unknown_field", "comment: unknown field"},
    {"unknown_layer_field", "layers[0].dropout: unknown field"},
    {"duplicate_key", "layers[1].bias: duplicate key"},
    {"unknown_scalar_type", "scalar_type: unknown scalar type \"float16\" (expected \"float32\" or \"float64\")"},
    {"scalar_type_number", "scalar_type: expected a string, found 64"},
    {"no_input_size", "input_size: missing field"},
    {"no_layers", "layers: missing field"},
    {"no_kind", "layers[1].kind: missing field"},
    {"no_activation", "layers[0].activation: missing field"},
    {"no_activation_name", "layers[0].activation.name: missing field"},
    {"no_weight", "layers[1].weight: missing field"},
    {"no_bias", "layers[1].bias: missing field"},
    {"in_string", "layers[0].in: expected a positive integer, found string \"2\""},
    {"in_float", "layers[0].in: expected a positive integer, found 2.5"},
    {"out_zero", "layers[0].out: must be at least 1, found 0"},
    {"input_size_negative", "input_size: must be at least 1, found -2"},
    {"layers_not_array", "layers: expected an array, found an object"},
    {"layers_empty", "layers: a model needs at least one layer"},
    {"layer_not_object", "layers[0]: expected an object, found 1"},
    {"unknown_kind", "layers[0].kind: unknown layer kind \"conv2d\" (known: \"dense\", \"batch_norm\", \"dropout\")"},
    {"unknown_activation", "layers[1].activation.name: unknown activation \"swishy\""},
    {"activation_string", "layers[0].activation: expected an object, found string \"tanh\""},
    {"activation_missing_parameter", "layers[1].activation.negative_slope: missing field"},
    {"activation_extra_parameter", "layers[0].activation.alpha: unknown field (tanh has no parameter)"},
    {"activation_wrong_parameter", "layers[1].activation.negative_slope: unknown field (elu's parameter is \"alpha\")"},
    {"activation_parameter_and_extra", "layers[1].activation.inplace: unknown field"},
    {"activation_parameter_null", "layers[1].activation.negative_slope: NaN (null in JSON) is not allowed"},
    {"activation_parameter_string", "layers[1].activation.negative_slope: expected a number, found string \"0.01\""},
    {"in_not_chained", "layers[1].in: 4 does not match layers[0].out (3)"},
    {"first_in_mismatch", "layers[0].in: 2 does not match input_size (5)"},
    {"weight_rows", "layers[0].weight: expected 3 rows (out), found 2"},
    {"weight_cols", "layers[0].weight[1]: expected 2 numbers (in), found 3"},
    {"weight_not_array", "layers[0].weight: expected an array of 3 rows (out), found 0.5"},
    {"weight_row_not_array", "layers[0].weight[0]: expected an array of 2 numbers (in), found 0.5"},
    {"bias_length", "layers[1].bias: expected 1 number (out), found 2"},
    {"bias_not_array", "layers[1].bias: expected an array of 1 number (out), found 0.5"},
    {"weight_string", "layers[0].weight[2][1]: expected a number, found string \"0.125\""},
    {"weight_bool", "layers[0].weight[1][0]: expected a number, found true"},
    {"weight_null", "layers[0].weight[1][0]: NaN (null in JSON) is not allowed"},
    {"bias_null", "layers[1].bias[0]: NaN (null in JSON) is not allowed"},
    {"weight_1e999", "layers[0].weight[0][1]: 1e999 is out of range for float64 (line 13, column 15)"},
    {"weight_float32_1e999", "layers[0].weight[1][1]: 1e999 is out of range for float32 (line 14, column 15)"},
    {"weight_float32_1e39", "layers[0].weight[1][1]: -1e39 is out of range for float32 (line 14, column 15)"},
    {"bias_float32_beyond_max", "layers[1].bias[0]: 3.5e38 is out of range for float32 (line 27, column 16)"},
};

}  // namespace

TEST_CASE("the files the bad ones are made from are good", "[io]") {
    static Small::parameters<double> p64;
    static Small::parameters<float> p32;
    ctnn::load(models_dir / "small_float64.ctnn.json", p64);
    ctnn::load(models_dir / "small_float32.ctnn.json", p32);
    CHECK(p64.weight(1, 0, 2) == 0.75);
    CHECK(p32.weight(1, 0, 2) == 0.75f);
}

TEST_CASE("every bad file fails with a one-line message naming the file and the field", "[io]") {
    std::set<std::string> covered;
    for (const auto& c : bad_cases) {
        const fs::path f = models_dir / "bad" / (std::string(c.file) + ".ctnn.json");
        INFO(f.string());
        REQUIRE(fs::is_regular_file(f));
        covered.insert(f.filename().string());
        const std::string expected = f.string() + ": " + c.message;
        const std::string message = model_error_of([&] { (void)ctnn::read_model(f); });
        CHECK_THAT(message, Catch::StartsWith(expected));
        // load reports the same and leaves the parameters untouched; float32 files go to float parameters
        const bool float32 = std::string(c.file).find("float32") != std::string::npos;
        CHECK(message == (float32 ? load_error<Small, float>(f) : load_error<Small, double>(f)));
    }
    CHECK(covered == listing(models_dir / "bad"));  // no bad file goes unchecked
}

TEST_CASE("missing and unreadable files", "[io]") {
    const fs::path missing = models_dir / "no_such_model.ctnn.json";
    CHECK(load_error<Small, float>(missing) == missing.string() + ": cannot open: No such file or directory");
    const fs::path directory = models_dir / "bad";
    CHECK(load_error<Small, float>(directory) == directory.string() + ": cannot read: Is a directory");
#if defined(__unix__)
    if (::geteuid() != 0) {
        temp_dir dir;
        const fs::path f = dir.path / "locked.ctnn.json";
        fs::copy_file(models_dir / "small_float32.ctnn.json", f);
        fs::permissions(f, fs::perms::none);
        CHECK(load_error<Small, float>(f) == f.string() + ": cannot open: Permission denied");
    }
#endif
}

TEST_CASE("save refuses NaN and infinity, naming layer and index, and leaves the previous file alone", "[io]") {
    temp_dir dir;
    const fs::path f = dir.path / "net.ctnn.json";
    const std::string name = f.string();
    static Mixed::parameters<float> p;
    fill_tricky<Mixed, float>(p, 21);
    ctnn::save(f, p);
    const std::string before = bytes_of(f);

    static Mixed::parameters<float> bad;
    bad = p;
    bad.weight(1, 0, 2) = std::numeric_limits<float>::quiet_NaN();
    CHECK(model_error_of([&] { ctnn::save(f, bad); }) ==
          name + ": layers[1].weight[0][2]: NaN (null in JSON) is not allowed");
    bad = p;
    bad.bias(0, 2) = std::numeric_limits<float>::infinity();
    CHECK(model_error_of([&] { ctnn::save(f, bad); }) == name + ": layers[0].bias[2]: inf is out of range for float32");
    static Mixed::parameters<double> bad64;
    bad64.weight(2, 1, 0) = -std::numeric_limits<double>::infinity();
    CHECK(model_error_of([&] { ctnn::save(f, bad64); }) ==
          name + ": layers[2].weight[1][0]: -inf is out of range for float64");

    CHECK(bytes_of(f) == before);
    CHECK(listing(dir.path) == std::set<std::string>{"net.ctnn.json"});
}

TEST_CASE("a write that fails after the temporary file exists removes it and leaves the target alone", "[io]") {
    temp_dir dir;
    static Small::parameters<float> p;
    // The target is a non-empty directory: the temporary file is written, the rename over the target fails.
    const fs::path target = dir.path / "net.ctnn.json";
    fs::create_directories(target);
    write_bytes(target / "keep", "x");
    const std::string message = model_error_of([&] { ctnn::save(target, p); });
    CHECK_THAT(message, Catch::StartsWith(target.string() + ": cannot replace it: "));
    CHECK(listing(dir.path) == std::set<std::string>{"net.ctnn.json"});
    CHECK(listing(target) == std::set<std::string>{"keep"});
}

TEST_CASE("an unwritable path gives a model_error naming it", "[io]") {
    temp_dir dir;
    static Small::parameters<float> p;
    const fs::path target = dir.path / "no_such_directory" / "net.ctnn.json";
    CHECK(model_error_of([&] { ctnn::save(target, p); }) ==
          target.string() + ": cannot create a temporary file in " + target.parent_path().string() +
              ": No such file or directory");
    CHECK(listing(dir.path).empty());
}

TEST_CASE("saving over an existing file replaces it and keeps its permissions", "[io]") {
    temp_dir dir;
    const fs::path f = dir.path / "net.ctnn.json";
    write_bytes(f, "old");
    fs::permissions(f, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
    static Small::parameters<float> p;
    ctnn::load(models_dir / "small_float32.ctnn.json", p);
    ctnn::save(f, p);
    CHECK(bytes_of(f) == bytes_of(models_dir / "small_float32.ctnn.json"));
    CHECK((fs::status(f).permissions() & fs::perms::all) ==
          (fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read));
    CHECK(listing(dir.path) == std::set<std::string>{"net.ctnn.json"});
}

// ---- Input normalization (the optional "normalization" object) ----

namespace {

// small_<scalar>.ctnn.json with `block` inserted after "input_size", as a new file in dir.
fs::path with_normalization(const temp_dir& dir, const std::string& scalar, const std::string& block) {
    std::string text = bytes_of(models_dir / ("small_" + scalar + ".ctnn.json"));
    const std::string after = "\"input_size\": 2,\n";
    text.insert(text.find(after) + after.size(), block);
    const fs::path f = dir.path / ("norm_" + scalar + ".ctnn.json");
    write_bytes(f, text);
    return f;
}

}  // namespace

TEST_CASE("save and load carry the input normalization, exactly", "[io][normalization]") {
    temp_dir dir;
    static Small::parameters<float> p;
    REQUIRE_NOTHROW(ctnn::load(models_dir / "small_float32.ctnn.json", p));
    ctnn::data::normalizer<2, float> n(ctnn::data::normalization::standardize);
    n.shift = {1.5f, -2.0f};
    n.scale = {0.1f, 3.0f};
    const fs::path f = dir.path / "n.ctnn.json";
    ctnn::save(f, p, n);
    const std::string text = bytes_of(f);
    CHECK(text.find("  \"input_size\": 2,\n"
                    "  \"normalization\": {\n"
                    "    \"kind\": \"standardize\",\n"
                    "    \"shift\": [1.5, -2.0],\n"
                    "    \"scale\": [0.1, 3.0]\n"
                    "  },\n"
                    "  \"layers\": [\n") != std::string::npos);

    static Small::parameters<float> q;
    ctnn::data::normalizer<2, float> m;
    ctnn::load(f, q, m);
    CHECK(raw(q) == raw(p));
    CHECK(m == n);
    // Read by plain nlohmann-json too.
    const auto doc = nlohmann::json::parse(text);
    CHECK(doc["normalization"]["scale"][0].get<float>() == 0.1f);

    // A model with normalization reads and writes back byte for byte.
    const fs::path g = dir.path / "g.ctnn.json";
    ctnn::write_model(g, ctnn::read_model(f));
    CHECK(bytes_of(g) == text);
    CHECK(ctnn::read_model(f).normalization.kind == "standardize");

    // double, min_max, fitted values
    static Small::parameters<double> pd;
    REQUIRE_NOTHROW(ctnn::load(models_dir / "small_float64.ctnn.json", pd));
    ctnn::data::dataset<2, 1, double> d;
    d.add({1.0, 0.3}, {0.0});
    d.add({4.0, 0.1}, {1.0});
    ctnn::data::normalizer<2, double> nd(ctnn::data::normalization::min_max);
    nd.fit(d);
    ctnn::save(f, pd, nd);
    ctnn::data::normalizer<2, double> md;
    ctnn::load(f, pd, md);
    CHECK(md.kind == ctnn::data::normalization::min_max);
    CHECK(md.shift == nd.shift);
    CHECK(md.scale == nd.scale);
    CHECK(md.applied({4.0, 0.1})[0] == 1.0);
}

TEST_CASE("without normalization: the field is left out and old files load with kind none", "[io][normalization]") {
    temp_dir dir;
    static Small::parameters<double> p;
    ctnn::data::normalizer<2, double> n(ctnn::data::normalization::standardize);
    n.shift = {3.0, 4.0};
    ctnn::load(models_dir / "small_float64.ctnn.json", p, n);
    CHECK(n == ctnn::data::normalizer<2, double>{});
    CHECK(ctnn::read_model(models_dir / "small_float64.ctnn.json").normalization.kind == "none");
    const fs::path a = dir.path / "a.ctnn.json";
    const fs::path b = dir.path / "b.ctnn.json";
    ctnn::save(a, p);
    ctnn::save(b, p, ctnn::data::normalizer<2, double>{});
    CHECK(bytes_of(a) == bytes_of(b));
    CHECK(bytes_of(a) == bytes_of(models_dir / "small_float64.ctnn.json"));
    // An explicit {"kind": "none"} is accepted too.
    const fs::path none = with_normalization(dir, "float64", "  \"normalization\": {\"kind\": \"none\"},\n");
    CHECK_NOTHROW(ctnn::load(none, p, n));
    CHECK_NOTHROW(ctnn::load(none, p));
}

TEST_CASE("load without a normalizer refuses a file that scales its inputs", "[io][normalization]") {
    temp_dir dir;
    const fs::path f = with_normalization(
        dir, "float64", "  \"normalization\": {\"kind\": \"min_max\", \"shift\": [0, 1], \"scale\": [2, 3]},\n");
    static Small::parameters<double> p;
    p.fill(7.0);
    CHECK(model_error_of([&] { ctnn::load(f, p); }) ==
          f.string() + ": normalization: the file scales its inputs (min_max); load it with ctnn::load(path, params, "
                       "normalizer)");
    CHECK(p.bias(0, 0) == 7.0);
}

TEST_CASE("bad normalization objects name the field", "[io][normalization]") {
    temp_dir dir;
    const std::pair<std::string, std::string> cases[] = {
        {"\"normalization\": [1, 2],", "normalization: expected an object, found an array"},
        {"\"normalization\": {\"shift\": [0, 0], \"scale\": [1, 1]},", "normalization.kind: missing field"},
        {"\"normalization\": {\"kind\": 1},", "normalization.kind: expected a string, found 1"},
        {"\"normalization\": {\"kind\": \"zscore\", \"shift\": [0, 0], \"scale\": [1, 1]},",
         "normalization.kind: unknown normalization kind \"zscore\" (known: \"none\", \"standardize\", \"min_max\")"},
        {"\"normalization\": {\"kind\": \"standardize\", \"scale\": [1, 1]},", "normalization.shift: missing field"},
        {"\"normalization\": {\"kind\": \"standardize\", \"shift\": [0, 0]},", "normalization.scale: missing field"},
        {"\"normalization\": {\"kind\": \"standardize\", \"shift\": [0, 0], \"scale\": [1, 1], \"mean\": 0},",
         "normalization.mean: unknown field"},
        {"\"normalization\": {\"kind\": \"none\", \"shift\": [0, 0]},", "normalization.shift: unknown field"},
        {"\"normalization\": {\"kind\": \"standardize\", \"shift\": [0, 0, 0], \"scale\": [1, 1]},",
         "normalization.shift: expected 2 numbers (input_size), found 3"},
        {"\"normalization\": {\"kind\": \"standardize\", \"shift\": [0, 0], \"scale\": 1},",
         "normalization.scale: expected an array of 2 numbers (input_size), found 1"},
        {"\"normalization\": {\"kind\": \"standardize\", \"shift\": [0, null], \"scale\": [1, 1]},",
         "normalization.shift[1]: NaN (null in JSON) is not allowed"},
        {"\"normalization\": {\"kind\": \"standardize\", \"shift\": [0, \"1\"], \"scale\": [1, 1]},",
         "normalization.shift[1]: expected a number, found string \"1\""},
        {"\"normalization\": {\"kind\": \"standardize\", \"shift\": [0, 0], \"scale\": [1, 0]},",
         "normalization.scale[1]: a scale must not be 0"},
        {"\"normalization\": {\"kind\": \"standardize\", \"shift\": [0, 0], \"scale\": [-0.0, 1]},",
         "normalization.scale[0]: a scale must not be 0"},
        {"\"normalization\": {\"kind\": \"standardize\", \"shift\": [0, 0], \"scale\": [1e999, 1]},",
         "normalization.scale[0]: 1e999 is out of range for float64 (line 6, column 71)"},
    };
    for (const auto& [block, expected] : cases) {
        const fs::path f = with_normalization(dir, "float64", "  " + block + "\n");
        INFO(block);
        CHECK(model_error_of([&] { (void)ctnn::read_model(f); }) == f.string() + ": " + expected);
    }
    // float32 files round each value once, to float: 1e-50 becomes 0 and 1e39 overflows. (Columns: 1-based
    // position of the number in the inserted line.)
    const fs::path tiny = with_normalization(
        dir, "float32",
        "  \"normalization\": {\"kind\": \"standardize\", \"shift\": [0, 0], \"scale\": [1e-50, 1]},\n");
    CHECK(model_error_of([&] { (void)ctnn::read_model(tiny); }) ==
          tiny.string() + ": normalization.scale[0]: a scale must not be 0");
    const fs::path huge = with_normalization(
        dir, "float32", "  \"normalization\": {\"kind\": \"standardize\", \"shift\": [1e39, 0], \"scale\": [1, 1]},\n");
    CHECK(model_error_of([&] { (void)ctnn::read_model(huge); }) ==
          huge.string() + ": normalization.shift[0]: 1e39 is out of range for float32 (line 6, column 54)");
}

TEST_CASE("saving refuses a normalization that does not fit; a failed load changes nothing", "[io][normalization]") {
    temp_dir dir;
    const fs::path f = dir.path / "n.ctnn.json";
    static Small::parameters<float> p;
    ctnn::load(models_dir / "small_float32.ctnn.json", p);
    ctnn::data::normalizer<2, float> n(ctnn::data::normalization::standardize);
    n.scale[1] = std::numeric_limits<float>::quiet_NaN();
    CHECK(model_error_of([&] { ctnn::save(f, p, n); }) ==
          f.string() + ": normalization.scale[1]: NaN (null in JSON) is not allowed");
    n.scale[1] = 0.0f;
    CHECK(model_error_of([&] { ctnn::save(f, p, n); }) ==
          f.string() + ": normalization.scale[1]: a scale must not be 0");
    CHECK_FALSE(fs::exists(f));

    ctnn::model m = ctnn::read_model(models_dir / "small_float32.ctnn.json");
    m.normalization.kind = "standardize";
    m.normalization.shift = {0.0};
    m.normalization.scale = {1.0, 1.0};
    CHECK(model_error_of([&] { ctnn::write_model(f, m); }) ==
          f.string() + ": normalization.shift: expected 2 numbers (input_size), found 1");
    m.normalization.shift = {0.0, 1e-50};
    m.normalization.scale = {1.0, 1e-50};
    CHECK(model_error_of([&] { ctnn::write_model(f, m); }) ==
          f.string() + ": normalization.scale[1]: a scale must not be 0, and 1e-50 rounds to 0 in float32");
    m.normalization.kind = "none";
    CHECK(model_error_of([&] { ctnn::write_model(f, m); }) ==
          f.string() + ": normalization.shift: kind \"none\" has no values, found 2");

    // A file for another network: neither the parameters nor the normalizer change.
    n.scale[1] = 2.0f;
    ctnn::save(f, p, n);
    static ctnn::network<ctnn::input<2>, ctnn::dense<4, ctnn::tanh>, ctnn::dense<1, ctnn::leaky_relu<>>>::parameters<
        float>
        other;
    other.fill(5.0f);
    ctnn::data::normalizer<2, float> untouched(ctnn::data::normalization::min_max);
    untouched.shift = {9.0f, 9.0f};
    CHECK(model_error_of([&] { ctnn::load(f, other, untouched); }) ==
          f.string() + ": layers[0].out: the file has 3, the network type has 4");
    CHECK(other.bias(0, 0) == 5.0f);
    CHECK(untouched.kind == ctnn::data::normalization::min_max);
    CHECK(untouched.shift[0] == 9.0f);
}
