// ctnn::dropout: the identity in inference; in training (Net::forward_train) inverted dropout with the documented
// draws (sample b: random_source(s_b), s_b the b-th draw of the given rng; a value is kept when its uniform draw
// is at least p, and scaled by exactly 1 / (1 - p)), its drop rate, and its gradients.
#include <ctnn/ctnn.hpp>
#include <ctnn/torch_layout.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <memory>
#include <vector>

namespace {

using only = ctnn::network<ctnn::input<64>, ctnn::dropout<25>>;
static_assert(only::parameter_count == 0 && only::output_size == 64);
static_assert(only::layout<float>[0].kind == "dropout" && only::layout<float>[0].drop_probability == 0.25);
static_assert(ctnn::network<ctnn::input<3>, ctnn::dropout<1, 3>>::layout<double>[0].drop_probability == 1.0 / 3.0);

// The mask the documented scheme gives for sample b of a batch drawn from random_source(seed), `skip` draws into
// the sample's stream (the dropout layers before).
std::vector<bool> expected_keep(std::uint64_t seed, std::size_t b, std::size_t skip, std::size_t n, double p) {
    ctnn::random_source rng(seed);
    std::uint64_t s = 0;
    for (std::size_t k = 0; k <= b; ++k) s = rng.next();
    ctnn::random_source r(s);
    for (std::size_t k = 0; k < skip; ++k) r.next();
    std::vector<bool> keep;
    for (std::size_t k = 0; k < n; ++k) keep.push_back(r.uniform() >= p);
    return keep;
}

}  // namespace

TEST_CASE("dropout is the identity in inference", "[dropout]") {
    std::array<float, 64> x, y;
    for (std::size_t i = 0; i < 64; ++i) x[i] = float(i) - 20.5f;
    only::parameters<float> p;
    only::forward(p, x, y);
    REQUIRE(y == x);

    // Between dense layers: the same outputs and gradients as without it.
    using with = ctnn::network<ctnn::input<5>, ctnn::dense<7, ctnn::tanh>, ctnn::dropout<50>, ctnn::dense<3>>;
    using without = ctnn::network<ctnn::input<5>, ctnn::dense<7, ctnn::tanh>, ctnn::dense<3>>;
    static_assert(with::parameter_count == without::parameter_count);
    with::parameters<double> pw;
    without::parameters<double> po;
    ctnn::initialize(po, ctnn::xavier_uniform{}, 3);
    std::array<double, without::parameter_count> flat;
    ctnn::export_torch(po, std::span<double, without::parameter_count>(flat));
    ctnn::import_torch(pw, std::span<const double, with::parameter_count>(flat));
    const std::array<double, 5> xi{0.5, -1, 2, 0.25, -0.75};
    const std::array<double, 3> dy{1, -2, 0.5};
    std::array<double, 3> yw, yo;
    std::array<double, 5> dxw, dxo;
    auto ww = std::make_unique<with::workspace<double>>();
    auto wo = std::make_unique<without::workspace<double>>();
    with::gradients<double> gw;
    without::gradients<double> go;
    with::forward(pw, xi, yw, *ww);
    without::forward(po, xi, yo, *wo);
    REQUIRE(yw == yo);
    with::backward(pw, *ww, dy, gw, dxw);
    without::backward(po, *wo, dy, go, dxo);
    REQUIRE(dxw == dxo);
    std::array<double, without::parameter_count> fw, fo;
    ctnn::export_torch(gw, std::span<double, with::parameter_count>(fw));
    ctnn::export_torch(go, std::span<double, without::parameter_count>(fo));
    REQUIRE(fw == fo);
}

TEST_CASE("dropout in training: the documented mask, exact scaling, seeds", "[dropout]") {
    const std::size_t n = 5;
    std::vector<std::array<float, 64>> x(n);
    for (std::size_t b = 0; b < n; ++b)
        for (std::size_t i = 0; i < 64; ++i) x[b][i] = 0.1f * float(i + 1) * (b % 2 ? -1.0f : 1.0f) + float(b);
    std::vector<std::array<float, 64>> y(n), y2(n);
    std::vector<only::workspace<float>> ws(n);
    only::parameters<float> p;
    ctnn::random_source rng(123);
    only::forward_train<ctnn::default_arch, float>(p, x, y, ws, rng, nullptr);
    const float scale = static_cast<float>(1.0 / 0.75);
    for (std::size_t b = 0; b < n; ++b) {
        const auto keep = expected_keep(123, b, 0, 64, 0.25);
        for (std::size_t i = 0; i < 64; ++i) REQUIRE(y[b][i] == (keep[i] ? x[b][i] * scale : 0.0f));
    }
    // rng moved on by one draw per sample.
    ctnn::random_source after(123);
    for (std::size_t b = 0; b < n; ++b) after.next();
    REQUIRE(rng.next() == after.next());

    // Same seed, same masks; another seed, other masks.
    ctnn::random_source again(123), other(124);
    only::forward_train<ctnn::default_arch, float>(p, x, y2, ws, again, nullptr);
    REQUIRE(y2 == y);
    only::forward_train<ctnn::scalar_arch, float>(p, x, y2, ws, other, nullptr);
    REQUIRE(y2 != y);
}

TEST_CASE("dropout in training drops about p of the values", "[dropout]") {
    using Net = ctnn::network<ctnn::input<50>, ctnn::dropout<3, 10>>;
    const std::size_t n = 100;
    std::vector<std::array<double, 50>> x(n), y(n);
    for (auto& s : x) s.fill(1.0);
    std::vector<Net::workspace<double>> ws(n);
    Net::parameters<double> p;
    ctnn::random_source rng(9);
    std::size_t dropped = 0, total = 0;
    for (int round = 0; round < 20; ++round) {
        Net::forward_train<ctnn::default_arch, double>(p, x, y, ws, rng, nullptr);
        for (const auto& s : y)
            for (double v : s) {
                REQUIRE((v == 0.0 || v == 1.0 / 0.7));
                dropped += v == 0.0;
                ++total;
            }
    }
    // 100000 draws: standard deviation of the rate sqrt(0.3 * 0.7 / 1e5) = 0.0014; allow 5 of them.
    const double rate = double(dropped) / double(total);
    REQUIRE(std::abs(rate - 0.3) < 0.007);
}

TEST_CASE("dropout's gradients vanish where it dropped and are scaled where it kept", "[dropout]") {
    using Net = ctnn::network<ctnn::input<4>, ctnn::dense<16, ctnn::tanh>, ctnn::dropout<50>, ctnn::dense<1>>;
    using plain = ctnn::network<ctnn::input<4>, ctnn::dense<16, ctnn::tanh>, ctnn::dense<1>>;
    Net::parameters<double> p;
    plain::parameters<double> q;
    ctnn::initialize(q, ctnn::torch_default{}, 11);
    std::array<double, plain::parameter_count> flat;
    ctnn::export_torch(q, std::span<double, plain::parameter_count>(flat));
    ctnn::import_torch(p, std::span<const double, Net::parameter_count>(flat));

    std::vector<std::array<double, 4>> x{{0.5, -1, 0.25, 2}};
    std::vector<std::array<double, 1>> y(1), dy{{1.0}};
    std::vector<Net::workspace<double>> ws(1);
    ctnn::random_source rng(5);
    Net::forward_train<ctnn::default_arch, double>(p, x, y, ws, rng, nullptr);
    Net::gradients<double> g;
    Net::backward_train<ctnn::default_arch, double>(p, ws, dy, g);

    // The same sample without dropout, for the kept units' gradients.
    auto wq = std::make_unique<plain::workspace<double>>();
    std::array<double, 1> yq;
    plain::forward(q, x[0], yq, *wq);
    plain::gradients<double> gq;
    plain::backward(q, *wq, dy[0], gq);

    const auto keep = expected_keep(5, 0, 0, 16, 0.5);
    std::size_t kept = 0;
    for (std::size_t o = 0; o < 16; ++o) {
        INFO("unit " << o);
        kept += keep[o];
        // First layer: zero when dropped, twice the plain gradient when kept (1 / (1 - 0.5) = 2 exactly).
        REQUIRE(g.bias(0, o) == (keep[o] ? 2 * gq.bias(0, o) : 0.0));
        for (std::size_t i = 0; i < 4; ++i) REQUIRE(g.weight(0, o, i) == (keep[o] ? 2 * gq.weight(0, o, i) : 0.0));
        // Last layer: its input is the dropped-out activation.
        REQUIRE(g.weight(2, 0, o) == (keep[o] ? 2 * gq.weight(1, 0, o) : 0.0));
    }
    REQUIRE(kept > 0);
    REQUIRE(kept < 16);
}

TEST_CASE("dropout draws the same masks when batch_norm makes training go layer by layer", "[dropout]") {
    // Layer by layer over the batch (batch_norm), and sample by sample (no batch_norm): the same documented draws.
    using bn = ctnn::network<ctnn::input<8>, ctnn::dropout<50>, ctnn::batch_norm<>, ctnn::dropout<25>>;
    using plain = ctnn::network<ctnn::input<8>, ctnn::dropout<50>, ctnn::dense<8>, ctnn::dropout<25>>;
    static_assert(bn::has_batch_statistics && !plain::has_batch_statistics);
    const std::size_t n = 4;
    std::vector<std::array<double, 8>> x(n), y(n), y_plain(n);
    for (std::size_t b = 0; b < n; ++b)
        for (std::size_t i = 0; i < 8; ++i) x[b][i] = 1.0 + double(i) + 10.0 * double(b);
    std::vector<bn::workspace<double>> ws(n);
    std::vector<plain::workspace<double>> ws_plain(n);
    bn::parameters<double> p;
    plain::parameters<double> q;
    ctnn::random_source rng(77), rng_plain(77);
    bn::forward_train<ctnn::default_arch, double>(p, x, y, ws, rng, nullptr);
    plain::forward_train<ctnn::default_arch, double>(q, x, y_plain, ws_plain, rng_plain, nullptr);
    REQUIRE(rng.next() == rng_plain.next());
    for (std::size_t b = 0; b < n; ++b) {
        const auto keep1 = expected_keep(77, b, 0, 8, 0.5);
        const auto keep2 = expected_keep(77, b, 8, 8, 0.25);
        for (std::size_t i = 0; i < 8; ++i) {
            const double d1 = ws[b].data[bn::layout<double>[0].y_offset + i];
            REQUIRE(d1 == (keep1[i] ? 2 * x[b][i] : 0.0));
            REQUIRE(ws_plain[b].data[plain::layout<double>[0].y_offset + i] == d1);
            const double m2 = ws[b].data[bn::layout<double>[2].extra_offset + i];
            REQUIRE(m2 == (keep2[i] ? 1.0 / 0.75 : 0.0));
            REQUIRE(ws_plain[b].data[plain::layout<double>[2].extra_offset + i] == m2);
        }
    }
}
