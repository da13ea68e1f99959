// ctnn against PyTorch: forward outputs, accumulated parameter gradients and dL/dx of the networks in
// tests/fixtures/*.json, which tests/fixtures/make_fixtures.py computed with torch autograd in float64.
// Each fixture is checked in float and double, on the default SIMD architecture and on ctnn::scalar_arch.
#include <ctnn/ctnn.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace {

using json = nlohmann::json;

// One type per fixture file: its name and the ctnn network it must describe.
struct issue_tanh {
    static constexpr std::string_view name = "issue_tanh";
    using net = ctnn::network<ctnn::input<8>, ctnn::dense<16, ctnn::tanh>, ctnn::dense<16, ctnn::tanh>, ctnn::dense<1>>;
};
struct issue_softmax_classifier {
    static constexpr std::string_view name = "issue_softmax_classifier";
    using net = ctnn::network<ctnn::input<10>, ctnn::dense<32, ctnn::relu>, ctnn::dense<16, ctnn::relu>,
                              ctnn::dense<4, ctnn::softmax>>;
};
struct sigmoid_family {
    static constexpr std::string_view name = "sigmoid_family";
    using net = ctnn::network<ctnn::input<5>, ctnn::dense<12, ctnn::sigmoid>, ctnn::dense<9, ctnn::log_sigmoid>,
                              ctnn::dense<7, ctnn::softplus>, ctnn::dense<3, ctnn::identity>>;
};
struct elu_family {
    static constexpr std::string_view name = "elu_family";
    using net = ctnn::network<ctnn::input<7>, ctnn::dense<20, ctnn::elu<>>, ctnn::dense<11, ctnn::elu<1, 2>>,
                              ctnn::dense<6, ctnn::selu>, ctnn::dense<2>>;
};
struct gelu_family {
    static constexpr std::string_view name = "gelu_family";
    using net = ctnn::network<ctnn::input<3>, ctnn::dense<17, ctnn::gelu>, ctnn::dense<13, ctnn::gelu_tanh>,
                              ctnn::dense<1>>;
};
struct smooth_wide {
    static constexpr std::string_view name = "smooth_wide";
    using net = ctnn::network<ctnn::input<12>, ctnn::dense<40, ctnn::swish>, ctnn::dense<23, ctnn::mish>,
                              ctnn::dense<8, ctnn::softsign>, ctnn::dense<4>>;
};
struct step_sinc {
    static constexpr std::string_view name = "step_sinc";
    using net = ctnn::network<ctnn::input<2>, ctnn::dense<5, ctnn::binary_step>, ctnn::dense<10, ctnn::sinc>,
                              ctnn::dense<6, ctnn::leaky_relu<1, 5>>, ctnn::dense<3>>;
};
struct leaky_mix {
    static constexpr std::string_view name = "leaky_mix";
    using net = ctnn::network<ctnn::input<9>, ctnn::dense<24, ctnn::leaky_relu<>>, ctnn::dense<15, ctnn::relu>,
                              ctnn::dense<1, ctnn::sigmoid>>;
};
struct tiny {
    static constexpr std::string_view name = "tiny";
    using net = ctnn::network<ctnn::input<1>, ctnn::dense<1, ctnn::sigmoid>>;
};
struct softmax_wide {
    static constexpr std::string_view name = "softmax_wide";
    using net = ctnn::network<ctnn::input<33>, ctnn::dense<38, ctnn::tanh>, ctnn::dense<10, ctnn::softmax>>;
};

using all_fixtures = std::tuple<issue_tanh, issue_softmax_classifier, sigmoid_family, elu_family, gelu_family,
                                smooth_wide, step_sinc, leaky_mix, tiny, softmax_wide>;

// Every fixture holds this many samples (forward_batch needs the count at compile time).
constexpr std::size_t sample_count = 4;

std::filesystem::path fixture_dir() { return std::filesystem::path(CTNN_TEST_DATA_DIR) / "fixtures"; }

json load_fixture(std::string_view name) {
    const auto path = fixture_dir() / (std::string(name) + ".json");
    std::ifstream in(path);
    INFO("fixture file " << path.string());
    REQUIRE(in.good());
    return json::parse(in);
}

// The fixture's numbers, all double (exact: the JSON holds each value's shortest round-trip repr).
struct reference {
    std::vector<std::vector<std::vector<double>>> weight, grad_weight;  // [layer][out][in]
    std::vector<std::vector<double>> bias, grad_bias;                   // [layer][out]
    std::vector<std::vector<double>> x, y, dy, dx;                      // [sample][...]
};

// A stale fixture (a network changed on one side only) must fail here, before any number is compared.
template <class Net>
reference read_reference(const json& j, std::string_view name) {
    INFO("fixture " << name << ": its topology must match the C++ network type");
    REQUIRE(j.at("name").get<std::string>() == std::string(name));
    REQUIRE(j.at("input_size").get<std::size_t>() == Net::input_size);
    const auto& layers = j.at("layers");
    REQUIRE(layers.size() == Net::layer_count);
    reference r;
    for (std::size_t k = 0; k < Net::layer_count; ++k) {
        const auto& l = Net::template layout<double>[k];
        const auto& jl = layers[k];
        INFO("layer " << k);
        REQUIRE(jl.at("out").get<std::size_t>() == l.out);
        // As std::string: Catch2's main may be built without its std::string_view printer (C++14 mode).
        REQUIRE(jl.at("activation").get<std::string>() == std::string(l.activation));
        REQUIRE(jl.at("parameter").get<double>() == l.activation_parameter);
        r.weight.push_back(jl.at("weight").get<std::vector<std::vector<double>>>());
        r.grad_weight.push_back(jl.at("grad_weight").get<std::vector<std::vector<double>>>());
        r.bias.push_back(jl.at("bias").get<std::vector<double>>());
        r.grad_bias.push_back(jl.at("grad_bias").get<std::vector<double>>());
        for (const auto* w : {&r.weight.back(), &r.grad_weight.back()}) {
            REQUIRE(w->size() == l.out);
            for (const auto& row : *w) REQUIRE(row.size() == l.in);
        }
        REQUIRE(r.bias.back().size() == l.out);
        REQUIRE(r.grad_bias.back().size() == l.out);
    }
    const auto& samples = j.at("samples");
    REQUIRE(samples.size() == sample_count);
    for (const auto& s : samples) {
        r.x.push_back(s.at("x").get<std::vector<double>>());
        r.y.push_back(s.at("y").get<std::vector<double>>());
        r.dy.push_back(s.at("dy").get<std::vector<double>>());
        r.dx.push_back(s.at("dx").get<std::vector<double>>());
        REQUIRE(r.x.back().size() == Net::input_size);
        REQUIRE(r.dx.back().size() == Net::input_size);
        REQUIRE(r.y.back().size() == Net::output_size);
        REQUIRE(r.dy.back().size() == Net::output_size);
    }
    return r;
}

// |got - want| <= rel |want| + abs.
// float, rel 1e-5, abs 2e-6: the float path rounds every product, sum and activation to 24 bits (eps 6e-8); a
// value passes through at most 4 layers of dot products of <= 40 terms, each adding ~sqrt(n) eps relative to its
// terms, and through activation derivatives that cancel (1 + tanh(u), y + alpha) and so are only accurate to
// ~eps absolute: results are good to ~1e-6 of the magnitudes involved (O(1) here). The floor covers results
// that cancel to near 0: the largest error seen, 9.4e-7 (0.47 of the bound), is elu_family's dL/dweight[1][6][16]
// = 0.0068, a sum of four per-sample terms of about 0.4. PyTorch's own float32 autograd on the same data stays
// within the bound too, except on step_sinc (sin(z)/z near 0).
// double, rel 1e-12, abs 1e-13: the same count with eps 1.1e-16 gives ~1e-14; the reference differs from exact
// only by torch's own float64 rounding, of the same order (measured: at most 0.09 of the bound).
struct tolerance {
    double rel;
    double abs;
};
template <class T>
constexpr tolerance tolerance_for = std::is_same_v<T, float> ? tolerance{1e-5, 2e-6} : tolerance{1e-12, 1e-13};

// Collects every mismatch of one run, so that a failure names all wrong values at once.
class comparison {
  public:
    explicit comparison(tolerance tol) : tol_(tol) {}
    void check(double got, double want, const std::string& what) {
        const double bound = tol_.rel * std::abs(want) + tol_.abs;
        const double err = std::abs(got - want);
        worst_ = std::max(worst_, err / bound);
        ++count_;
        if (!(err <= bound)) {  // also catches NaN
            ++failures_;
            if (failures_ <= 20) report_ << "  " << what << ": got " << got << ", expected " << want << "\n";
        }
    }
    std::size_t failures() const { return failures_; }
    std::size_t count() const { return count_; }
    double worst() const { return worst_; }  // largest error / allowed error
    std::string report() const { return report_.str(); }

  private:
    tolerance tol_;
    std::size_t failures_ = 0;
    std::size_t count_ = 0;
    double worst_ = 0;
    std::ostringstream report_;
};

std::string at(const char* what, std::size_t a) { return std::string(what) + "[" + std::to_string(a) + "]"; }
std::string at(const char* what, std::size_t a, std::size_t b) { return at(what, a) + "[" + std::to_string(b) + "]"; }
std::string at(const char* what, std::size_t a, std::size_t b, std::size_t c) {
    return at(what, a, b) + "[" + std::to_string(c) + "]";
}

template <class Arch>
const char* arch_name() {
    return Arch::name();
}

template <class Net, class T, class Arch>
void check_network(const reference& ref, std::string_view name) {
    using params_t = typename Net::template parameters<T>;
    auto p = std::make_unique<params_t>();
    auto g = std::make_unique<params_t>();  // zero-initialized: backward accumulates into it
    auto ws = std::make_unique<typename Net::template workspace<T>>();
    for (std::size_t k = 0; k < Net::layer_count; ++k)
        for (std::size_t o = 0; o < ref.weight[k].size(); ++o) {
            for (std::size_t i = 0; i < ref.weight[k][o].size(); ++i)
                p->weight(k, o, i) = static_cast<T>(ref.weight[k][o][i]);
            p->bias(k, o) = static_cast<T>(ref.bias[k][o]);
        }

    comparison cmp(tolerance_for<T>);
    T xs[sample_count][Net::input_size];
    T ys[sample_count][Net::output_size];
    for (std::size_t s = 0; s < sample_count; ++s) {
        std::array<T, Net::input_size> x;
        std::array<T, Net::output_size> y, y_ws, dy;
        std::array<T, Net::input_size> dx;
        for (std::size_t i = 0; i < Net::input_size; ++i) xs[s][i] = x[i] = static_cast<T>(ref.x[s][i]);
        for (std::size_t o = 0; o < Net::output_size; ++o) dy[o] = static_cast<T>(ref.dy[s][o]);
        Net::template forward<Arch>(*p, x, y);
        Net::template forward<Arch>(*p, x, y_ws, *ws);
        Net::template backward<Arch>(*p, *ws, dy, *g, dx);
        for (std::size_t o = 0; o < Net::output_size; ++o) {
            cmp.check(y[o], ref.y[s][o], at("forward y", s, o));
            cmp.check(y_ws[o], ref.y[s][o], at("forward (workspace) y", s, o));
        }
        for (std::size_t i = 0; i < Net::input_size; ++i) cmp.check(dx[i], ref.dx[s][i], at("dL/dx", s, i));
    }
    for (std::size_t k = 0; k < Net::layer_count; ++k)
        for (std::size_t o = 0; o < ref.weight[k].size(); ++o) {
            for (std::size_t i = 0; i < ref.weight[k][o].size(); ++i)
                cmp.check(g->weight(k, o, i), ref.grad_weight[k][o][i], at("dL/dweight", k, o, i));
            cmp.check(g->bias(k, o), ref.grad_bias[k][o], at("dL/dbias", k, o));
        }
    Net::template forward_batch<Arch>(*p, xs, ys);
    for (std::size_t s = 0; s < sample_count; ++s)
        for (std::size_t o = 0; o < Net::output_size; ++o) cmp.check(ys[s][o], ref.y[s][o], at("forward_batch y", s, o));

    INFO("fixture " << name << ", " << (std::is_same_v<T, float> ? "float" : "double") << ", arch "
                    << arch_name<Arch>() << ": " << cmp.failures() << " of " << cmp.count()
                    << " values outside tolerance; worst error / allowed = " << cmp.worst() << "\n"
                    << cmp.report());
    CHECK(cmp.failures() == 0);
    // The comparison must have covered every output, dx, parameter gradient (and the batch outputs).
    CHECK(cmp.count() == sample_count * (3 * Net::output_size + Net::input_size) + Net::parameter_count);
}

}  // namespace

TEMPLATE_LIST_TEST_CASE("forward, backward and forward_batch match PyTorch float64 autograd", "[torch]",
                        all_fixtures) {
    const json j = load_fixture(TestType::name);
    const reference ref = read_reference<typename TestType::net>(j, TestType::name);
    using Net = typename TestType::net;
    check_network<Net, double, ctnn::default_arch>(ref, TestType::name);
    check_network<Net, double, ctnn::scalar_arch>(ref, TestType::name);
    check_network<Net, float, ctnn::default_arch>(ref, TestType::name);
    check_network<Net, float, ctnn::scalar_arch>(ref, TestType::name);
}

TEST_CASE("every fixture file has a matching network type, and the fixtures use every activation", "[torch]") {
    std::set<std::string> declared;
    std::set<std::string> activations;
    std::apply(
        [&](auto... f) {
            (declared.insert(std::string(decltype(f)::name)), ...);
            (
                [&] {
                    for (const auto& l : decltype(f)::net::template layout<double>)
                        activations.insert(std::string(l.activation) + "/" + std::to_string(l.activation_parameter));
                }(),
                ...);
        },
        all_fixtures{});
    std::set<std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(fixture_dir()))
        if (e.path().extension() == ".json") files.insert(e.path().stem().string());
    REQUIRE(files == declared);

    const std::set<std::string> expected = {
        "identity/0.000000", "binary_step/0.000000", "sigmoid/0.000000",    "tanh/0.000000",
        "relu/0.000000",     "leaky_relu/0.010000",  "leaky_relu/0.200000", "elu/1.000000",
        "elu/0.500000",      "selu/0.000000",        "gelu/0.000000",       "gelu_tanh/0.000000",
        "softplus/0.000000", "softsign/0.000000",    "swish/0.000000",      "mish/0.000000",
        "sinc/0.000000",     "log_sigmoid/0.000000", "softmax/0.000000"};
    REQUIRE(activations == expected);
}
