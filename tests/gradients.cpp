// Backward against central finite differences of forward, in double, on the SIMD and the scalar architecture:
// every parameter's gradient and every input's dL/dx, for one small network per elementwise activation and for
// structured and seeded random topologies. Loss L = sum over samples of dot(y, dy), random dy.
#include <ctnn/ctnn.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace {

// Every activation; softmax last, it is not elementwise.
using all_activations =
    std::tuple<ctnn::identity, ctnn::binary_step, ctnn::sigmoid, ctnn::tanh, ctnn::relu, ctnn::leaky_relu<>,
               ctnn::leaky_relu<1, 5>, ctnn::elu<>, ctnn::elu<1, 2>, ctnn::selu, ctnn::gelu, ctnn::gelu_tanh,
               ctnn::softplus, ctnn::softsign, ctnn::swish, ctnn::mish, ctnn::sinc, ctnn::log_sigmoid, ctnn::softmax>;
constexpr std::size_t activation_count = std::tuple_size_v<all_activations>;
constexpr std::size_t elementwise_count = activation_count - 1;
static_assert(std::is_same_v<std::tuple_element_t<1, all_activations>, ctnn::binary_step>);

// Activations whose f or f' jumps at 0 (softsign and elu<1>: f''): finite differences are only meaningful with
// every pre-activation of theirs well away from 0. A perturbation of h ~ 1e-6 moves any z by far less than this.
constexpr double kink_margin = 1e-4;
constexpr bool has_kink(std::string_view name) {
    return name == "relu" || name == "leaky_relu" || name == "elu" || name == "selu" || name == "binary_step" ||
           name == "softsign";
}

// ---- topologies --------------------------------------------------------------------------------------------

template <class Act>
using activation_net = ctnn::network<ctnn::input<3>, ctnn::dense<5, Act>, ctnn::dense<2>>;

using deep_narrow = ctnn::network<ctnn::input<1>, ctnn::dense<1, ctnn::tanh>, ctnn::dense<1, ctnn::sigmoid>,
                                  ctnn::dense<1, ctnn::softplus>, ctnn::dense<1>>;
using wide = ctnn::network<ctnn::input<40>, ctnn::dense<64, ctnn::relu>, ctnn::dense<3>>;
using issue_tanh = ctnn::network<ctnn::input<8>, ctnn::dense<16, ctnn::tanh>, ctnn::dense<16, ctnn::tanh>, ctnn::dense<1>>;
using softmax_classifier = ctnn::network<ctnn::input<10>, ctnn::dense<32, ctnn::relu>, ctnn::dense<16, ctnn::relu>,
                                         ctnn::dense<4, ctnn::softmax>>;
using hidden_softmax = ctnn::network<ctnn::input<4>, ctnn::dense<7, ctnn::softmax>, ctnn::dense<6, ctnn::gelu>,
                                     ctnn::dense<2>>;
using single_softmax = ctnn::network<ctnn::input<6>, ctnn::dense<3, ctnn::softmax>>;
using wide_output = ctnn::network<ctnn::input<2>, ctnn::dense<33, ctnn::mish>, ctnn::dense<17, ctnn::log_sigmoid>>;

// Seeded random topologies, drawn at compile time with ctnn's portable generator: input size and 2..4 layers of
// 1..40 units, each with any activation; softmax only last, binary_step never last (all gradients would be 0).
struct random_spec {
    std::size_t input = 0;
    std::size_t depth = 0;
    std::array<std::size_t, 4> out{};
    std::array<std::size_t, 4> activation{};
};
constexpr random_spec draw_spec(std::uint64_t seed) {
    ctnn::random_source r(seed);
    random_spec s;
    s.input = 1 + r.below(40);
    s.depth = 2 + r.below(3);
    for (std::size_t k = 0; k < s.depth; ++k) {
        s.out[k] = 1 + r.below(40);
        if (k + 1 < s.depth)
            s.activation[k] = r.below(elementwise_count);
        else
            s.activation[k] = 2 + r.below(activation_count - 2);  // 0, 1: identity, binary_step
    }
    return s;
}
template <std::uint64_t Seed>
struct random_net {
    static constexpr random_spec spec = draw_spec(Seed);
    template <std::size_t... K>
    static auto make(std::index_sequence<K...>)
        -> ctnn::network<ctnn::input<spec.input>,
                         ctnn::dense<spec.out[K], std::tuple_element_t<spec.activation[K], all_activations>>...>;
    using type = decltype(make(std::make_index_sequence<spec.depth>{}));
};

// ---- the check ---------------------------------------------------------------------------------------------

// PyTorch's default bound 1/sqrt(in), times a gain so that pre-activations spread over a few units.
struct scaled_default {
    double gain;
    double weight_bound(std::size_t in, std::size_t) const noexcept { return gain / std::sqrt(double(in)); }
    double bias_bound(std::size_t in, std::size_t) const noexcept { return gain / std::sqrt(double(in)); }
};

template <class Net>
struct samples {
    std::vector<std::array<double, Net::input_size>> x;
    std::vector<std::array<double, Net::output_size>> dy;
};

// Draws samples whose pre-activations all keep kink_margin away from the kinks; rejects others.
template <class Net, class Arch>
samples<Net> draw_samples(const typename Net::template parameters<double>& p, std::size_t count, std::uint64_t seed) {
    ctnn::random_source r(seed);
    auto ws = std::make_unique<typename Net::template workspace<double>>();
    samples<Net> s;
    for (std::size_t attempt = 0; attempt < 1000 && s.x.size() < count; ++attempt) {
        std::array<double, Net::input_size> x;
        std::array<double, Net::output_size> y, dy;
        for (auto& v : x) v = r.uniform(-2, 2);
        for (auto& v : dy) v = r.uniform(-1, 1);
        Net::template forward<Arch>(p, x, y, *ws);
        bool ok = true;
        for (const auto& l : Net::template layout<double>)
            if (has_kink(l.activation))
                for (std::size_t o = 0; o < l.out; ++o) ok = ok && std::abs(ws->data[l.z_offset + o]) > kink_margin;
        if (ok) {
            s.x.push_back(x);
            s.dy.push_back(dy);
        }
    }
    REQUIRE(s.x.size() == count);
    return s;
}

template <class Net, class Arch>
double loss(const typename Net::template parameters<double>& p, const std::array<double, Net::input_size>& x,
            const std::array<double, Net::output_size>& dy) {
    std::array<double, Net::output_size> y;
    Net::template forward<Arch>(p, x, y);
    double l = 0;
    for (std::size_t o = 0; o < Net::output_size; ++o) l += y[o] * dy[o];
    return l;
}

template <class Net, class Arch>
double loss(const typename Net::template parameters<double>& p, const samples<Net>& s) {
    double l = 0;
    for (std::size_t k = 0; k < s.x.size(); ++k) l += loss<Net, Arch>(p, s.x[k], s.dy[k]);
    return l;
}

// (L(v + h) - L(v - h)) / (2h) for the value v that f evaluates L around, h = 1e-6 max(1, |v|): the error is
// h^2 L''' / 6 ~ 1e-12 plus the rounding noise of L, ~1e-16 |L| / h ~ 1e-10 |L|.
template <class F>
double central_difference(double& v, F&& f) {
    const double v0 = v;
    const double h = 1e-6 * std::max(1.0, std::abs(v0));
    v = v0 + h;
    const double up = v;
    const double lp = f();
    v = v0 - h;
    const double down = v;
    const double lm = f();
    v = v0;
    return (lp - lm) / (up - down);
}

// |backward - finite difference| <= 1e-6 |fd| + 1e-8 (1 + |L|-scale): the floor is ~100x the difference's noise.
class comparison {
  public:
    explicit comparison(double scale) : abs_(1e-8 * (1.0 + scale)) {}
    void check(double got, double want, const std::string& what) {
        const double bound = 1e-6 * std::abs(want) + abs_;
        const double err = std::abs(got - want);
        worst_ = std::max(worst_, err / bound);
        ++count_;
        if (!(err <= bound)) {
            ++failures_;
            if (failures_ <= 20) report_ << "  " << what << ": backward " << got << ", finite difference " << want << "\n";
        }
    }
    std::size_t failures() const { return failures_; }
    std::size_t count() const { return count_; }
    double worst() const { return worst_; }
    std::string report() const { return report_.str(); }

  private:
    double abs_;
    std::size_t failures_ = 0, count_ = 0;
    double worst_ = 0;
    std::ostringstream report_;
};

std::string at(const char* what, std::size_t a, std::size_t b) {
    return std::string(what) + "[" + std::to_string(a) + "][" + std::to_string(b) + "]";
}

template <class Net>
std::string describe() {
    std::string s = std::to_string(Net::input_size);
    for (const auto& l : Net::template layout<double>) {
        s += "-" + std::to_string(l.out) + std::string(l.activation);
        if (!l.activation_parameter_name.empty()) s += "(" + std::to_string(l.activation_parameter) + ")";
    }
    return s;
}

template <class Net, class Arch>
void check_gradients(std::uint64_t seed, double gain = 2.0, std::size_t sample_count = 3) {
    using params_t = typename Net::template parameters<double>;
    auto p = std::make_unique<params_t>();
    auto g = std::make_unique<params_t>();
    auto ws = std::make_unique<typename Net::template workspace<double>>();
    ctnn::initialize(*p, scaled_default{gain}, seed);
    const samples<Net> s = draw_samples<Net, Arch>(*p, sample_count, seed + 1);

    std::vector<std::array<double, Net::input_size>> dx(sample_count);
    for (std::size_t k = 0; k < sample_count; ++k) {
        std::array<double, Net::output_size> y;
        Net::template forward<Arch>(*p, s.x[k], y, *ws);
        Net::template backward<Arch>(*p, *ws, s.dy[k], *g, dx[k]);
    }

    double scale = 0;  // sum of |y dy|: the size of L's terms, which sets the rounding noise
    for (std::size_t k = 0; k < sample_count; ++k) {
        std::array<double, Net::output_size> y;
        Net::template forward<Arch>(*p, s.x[k], y);
        for (std::size_t o = 0; o < Net::output_size; ++o) scale += std::abs(y[o] * s.dy[k][o]);
    }
    comparison cmp(scale);
    const auto total = [&] { return loss<Net, Arch>(*p, s); };
    for (std::size_t layer = 0; layer < Net::layer_count; ++layer) {
        const auto& l = Net::template layout<double>[layer];
        for (std::size_t o = 0; o < l.out; ++o) {
            for (std::size_t i = 0; i < l.in; ++i)
                cmp.check(g->weight(layer, o, i), central_difference(p->weight(layer, o, i), total),
                          "dL/dweight[" + std::to_string(layer) + "]" + at("", o, i));
            cmp.check(g->bias(layer, o), central_difference(p->bias(layer, o), total),
                      "dL/dbias" + at("", layer, o));
        }
    }
    for (std::size_t k = 0; k < sample_count; ++k) {
        auto x = s.x[k];
        for (std::size_t i = 0; i < Net::input_size; ++i)
            cmp.check(dx[k][i], central_difference(x[i], [&] { return loss<Net, Arch>(*p, x, s.dy[k]); }),
                      at("dL/dx", k, i));
    }

    // Gradients keep the parameters' zero padding: an optimizer may then update the whole buffer at once.
    std::vector<bool> real(Net::template storage_size<double>, false);
    for (const auto& l : Net::template layout<double>)
        for (std::size_t o = 0; o < l.out; ++o) {
            for (std::size_t i = 0; i < l.in; ++i) real[l.weight_offset + i * l.stride + o] = true;
            real[l.bias_offset + o] = true;
        }
    std::size_t padding_nonzero = 0;
    for (std::size_t k = 0; k < real.size(); ++k) padding_nonzero += !real[k] && g->data[k] != 0.0;

    INFO("network " << describe<Net>() << ", arch " << Arch::name() << ", seed " << seed << ": " << cmp.failures()
                    << " of " << cmp.count() << " gradients off; worst error / allowed = " << cmp.worst() << "\n"
                    << cmp.report());
    CHECK(cmp.failures() == 0);
    CHECK(cmp.count() == Net::parameter_count + sample_count * Net::input_size);
    CHECK(padding_nonzero == 0);
}

template <class Net>
void check_both_archs(std::uint64_t seed, double gain = 2.0, std::size_t sample_count = 3) {
    check_gradients<Net, ctnn::default_arch>(seed, gain, sample_count);
    check_gradients<Net, ctnn::scalar_arch>(seed, gain, sample_count);
}

// Distinct random topologies: else the test would check one network twice.
constexpr bool random_specs_distinct() {
    std::array<random_spec, 6> s{};
    for (std::size_t k = 0; k < s.size(); ++k) s[k] = draw_spec(k + 1);
    for (std::size_t a = 0; a < s.size(); ++a)
        for (std::size_t b = a + 1; b < s.size(); ++b)
            if (s[a].input == s[b].input && s[a].depth == s[b].depth && s[a].out == s[b].out &&
                s[a].activation == s[b].activation)
                return false;
    return true;
}
static_assert(random_specs_distinct());

}  // namespace

TEMPLATE_LIST_TEST_CASE("backward matches finite differences for each activation (3-5act-2)", "[gradients]",
                        all_activations) {
    // Gain 3 and 6 samples: 30 pre-activations per activation, spread over several units on both sides of 0.
    check_both_archs<activation_net<TestType>>(11, 3.0, 6);
}

TEST_CASE("backward matches finite differences on structured topologies", "[gradients]") {
    check_both_archs<deep_narrow>(21, 3.0, 6);
    check_both_archs<wide>(22);
    check_both_archs<issue_tanh>(23);
    check_both_archs<softmax_classifier>(24);
    check_both_archs<hidden_softmax>(25);
    check_both_archs<single_softmax>(26);
    check_both_archs<wide_output>(27);
}

TEMPLATE_TEST_CASE("backward matches finite differences on seeded random topologies", "[gradients]",
                   random_net<1>, random_net<2>, random_net<3>, random_net<4>, random_net<5>, random_net<6>) {
    check_both_archs<typename TestType::type>(100 + TestType::spec.input);
}
