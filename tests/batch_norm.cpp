// ctnn::batch_norm against torch.nn.BatchNorm1d (tests/fixtures/batch_norm/*.json, written by
// tests/fixtures/make_batchnorm_fixtures.py): training-mode outputs, parameter gradients (through the batch mean
// and variance) and running statistics after several batches; inference outputs, gradients and dL/dx. Then
// training gradients against central finite differences, and the buffers' rules (defaults, init, optimizers).
#include <ctnn/ctnn.hpp>
#include <ctnn/io.hpp>
#include <ctnn/train/optimizers.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace {

using json = nlohmann::json;

using dense_bn_tanh = ctnn::network<ctnn::input<3>, ctnn::dense<5>, ctnn::batch_norm<ctnn::tanh, 2, 10, 1, 1000>,
                                    ctnn::dense<2>>;
using bn_only = ctnn::network<ctnn::input<4>, ctnn::batch_norm<>>;
using two_bn = ctnn::network<ctnn::input<2>, ctnn::dense<20, ctnn::relu>, ctnn::batch_norm<ctnn::sigmoid>,
                             ctnn::dense<3>, ctnn::batch_norm<>>;

static_assert(bn_only::parameter_count == 8 && ctnn::buffer_count<bn_only> == 8);
static_assert(dense_bn_tanh::parameter_count == 3 * 5 + 5 + 2 * 5 + 5 * 2 + 2);
static_assert(dense_bn_tanh::layout<float>[1].kind == "batch_norm" && dense_bn_tanh::layout<float>[1].momentum == 0.2 &&
              dense_bn_tanh::layout<float>[1].eps == 1e-3);
static_assert(bn_only::layout<double>[0].momentum == 0.1 && bn_only::layout<double>[0].eps == 1e-5);

json read_fixture(const std::string& name) {
    const auto path = std::filesystem::path(CTNN_TEST_DATA_DIR) / "fixtures" / "batch_norm" / (name + ".json");
    std::ifstream in(path);
    REQUIRE(in.good());
    return json::parse(in);
}

template <class T>
std::vector<T> values(const json& j) {
    std::vector<T> v;
    for (const auto& x : j) v.push_back(static_cast<T>(x.get<double>()));
    return v;
}

template <class T, std::size_t N>
std::vector<std::array<T, N>> rows(const json& j) {
    std::vector<std::array<T, N>> v;
    for (const auto& r : j) {
        REQUIRE(r.size() == N);
        std::array<T, N> a;
        for (std::size_t k = 0; k < N; ++k) a[k] = static_cast<T>(r[k].get<double>());
        v.push_back(a);
    }
    return v;
}

// |got - want| <= tol * max(1, |want|)
void require_close(double got, double want, double tol) {
    INFO("got " << got << ", want " << want);
    REQUIRE(std::abs(got - want) <= tol * std::max(1.0, std::abs(want)));
}

template <class Net, class T, class Arch>
void check_against_torch(const std::string& name, double tol) {
    INFO("fixture " << name << ", " << (sizeof(T) == 4 ? "float" : "double"));
    const json f = read_fixture(name);
    auto p = std::make_unique<typename Net::template parameters<T>>();
    auto g = std::make_unique<typename Net::template gradients<T>>();
    ctnn::initialize(*p, ctnn::zeros{}, 0);
    const auto flat = values<T>(f["parameters"]);
    REQUIRE(flat.size() == Net::parameter_count);
    ctnn::import_torch(*p, std::span<const T, Net::parameter_count>(flat.data(), Net::parameter_count));
    ctnn::random_source rng(7);

    for (const auto& batch : f["batches"]) {
        const auto x = rows<T, Net::input_size>(batch["x"]);
        const auto dy = rows<T, Net::output_size>(batch["dy"]);
        const auto y_want = rows<double, Net::output_size>(batch["y"]);
        const std::size_t n = x.size();
        INFO("batch of " << n);
        std::vector<std::array<T, Net::output_size>> y(n);
        std::vector<typename Net::template workspace<T>> ws(n);
        Net::template forward_train<Arch, T>(*p, x, y, ws, rng, p.get());
        for (std::size_t b = 0; b < n; ++b)
            for (std::size_t o = 0; o < Net::output_size; ++o) require_close(y[b][o], y_want[b][o], tol);
        g->fill(T(0));
        Net::template backward_train<Arch, T>(*p, ws, dy, *g);
        std::array<T, Net::parameter_count> grad;
        ctnn::export_torch(*g, std::span<T, Net::parameter_count>(grad));
        const auto grad_want = values<double>(batch["grad"]);
        for (std::size_t k = 0; k < grad.size(); ++k) {
            INFO("gradient " << k);
            require_close(grad[k], grad_want[k], tol);
        }
        std::array<T, ctnn::buffer_count<Net>> buffers;
        ctnn::export_torch_buffers(*p, std::span<T, ctnn::buffer_count<Net>>(buffers));
        const auto buffers_want = values<double>(batch["buffers"]);
        REQUIRE(buffers_want.size() == buffers.size());
        for (std::size_t k = 0; k < buffers.size(); ++k) {
            INFO("buffer " << k);
            require_close(buffers[k], buffers_want[k], tol);
        }
    }

    const json& e = f["eval"];
    const auto x = rows<T, Net::input_size>(e["x"]);
    const auto dy = rows<T, Net::output_size>(e["dy"]);
    const auto y_want = rows<double, Net::output_size>(e["y"]);
    const auto dx_want = rows<double, Net::input_size>(e["dx"]);
    auto ws = std::make_unique<typename Net::template workspace<T>>();
    g->fill(T(0));
    for (std::size_t b = 0; b < x.size(); ++b) {
        std::array<T, Net::output_size> y, y_plain;
        std::array<T, Net::input_size> dx;
        Net::template forward<Arch>(*p, x[b], y, *ws);
        Net::template forward<Arch>(*p, x[b], y_plain);
        Net::template backward<Arch>(*p, *ws, dy[b], *g, dx);
        for (std::size_t o = 0; o < Net::output_size; ++o) {
            require_close(y[o], y_want[b][o], tol);
            REQUIRE(y_plain[o] == y[o]);
        }
        for (std::size_t i = 0; i < Net::input_size; ++i) require_close(dx[i], dx_want[b][i], tol);
    }
    std::array<T, Net::parameter_count> grad;
    ctnn::export_torch(*g, std::span<T, Net::parameter_count>(grad));
    const auto grad_want = values<double>(e["grad"]);
    for (std::size_t k = 0; k < grad.size(); ++k) {
        INFO("eval gradient " << k);
        require_close(grad[k], grad_want[k], tol);
    }
}

template <class T, class Arch>
void check_all_fixtures(double tol) {
    check_against_torch<dense_bn_tanh, T, Arch>("dense_bn_tanh", tol);
    check_against_torch<bn_only, T, Arch>("bn_only", tol);
    check_against_torch<two_bn, T, Arch>("two_bn", tol);
}

}  // namespace

TEST_CASE("batch_norm matches torch.nn.BatchNorm1d in training and inference (double)", "[batch_norm]") {
    check_all_fixtures<double, ctnn::default_arch>(1e-10);
    check_all_fixtures<double, ctnn::scalar_arch>(1e-10);
}

TEST_CASE("batch_norm matches torch.nn.BatchNorm1d in training and inference (float)", "[batch_norm]") {
    check_all_fixtures<float, ctnn::default_arch>(2e-4);
    check_all_fixtures<float, ctnn::scalar_arch>(2e-4);
}

namespace {

// L = sum_b dot(y_b, dy_b) in training mode, running statistics left alone.
template <class Net>
double train_loss(const typename Net::template parameters<double>& p,
                  const std::vector<std::array<double, Net::input_size>>& x,
                  const std::vector<std::array<double, Net::output_size>>& dy, std::uint64_t seed) {
    std::vector<std::array<double, Net::output_size>> y(x.size());
    std::vector<typename Net::template workspace<double>> ws(x.size());
    ctnn::random_source rng(seed);
    Net::template forward_train<ctnn::default_arch, double>(p, x, y, ws, rng, nullptr);
    double l = 0;
    for (std::size_t b = 0; b < x.size(); ++b)
        for (std::size_t o = 0; o < Net::output_size; ++o) l += y[b][o] * dy[b][o];
    return l;
}

// Every trainable value's training-mode gradient against a central difference (same seed: same dropout masks).
template <class Net>
void check_finite_differences(std::size_t n, std::uint64_t seed) {
    INFO("batch of " << n);
    auto p = std::make_unique<typename Net::template parameters<double>>();
    ctnn::initialize(*p, ctnn::torch_default{}, seed);
    ctnn::random_source r(seed + 1);
    for (std::size_t k = 0; k < Net::layer_count; ++k)  // gamma and beta away from their defaults
        if (Net::template layout<double>[k].kind == "batch_norm")
            for (std::size_t o = 0; o < Net::template layout<double>[k].out; ++o) {
                p->weight(k, o, 0) = r.uniform(0.5, 1.5);
                p->bias(k, o) = r.uniform(-0.5, 0.5);
                p->running_mean(k, o) = r.uniform(-1, 1);
                p->running_var(k, o) = r.uniform(0.5, 2);
            }
    std::vector<std::array<double, Net::input_size>> x(n);
    std::vector<std::array<double, Net::output_size>> dy(n), y(n);
    for (auto& s : x)
        for (auto& v : s) v = r.uniform(-2, 2);
    for (auto& s : dy)
        for (auto& v : s) v = r.uniform(-1, 1);
    std::vector<typename Net::template workspace<double>> ws(n);
    ctnn::random_source rng(99);
    Net::template forward_train<ctnn::default_arch, double>(*p, x, y, ws, rng, nullptr);
    auto g = std::make_unique<typename Net::template gradients<double>>();
    g->fill(0);
    Net::template backward_train<ctnn::default_arch, double>(*p, ws, dy, *g);
    std::array<double, Net::parameter_count> grad, flat;
    ctnn::export_torch(*g, std::span<double, Net::parameter_count>(grad));
    ctnn::export_torch(*p, std::span<double, Net::parameter_count>(flat));
    auto q = std::make_unique<typename Net::template parameters<double>>(*p);
    for (std::size_t k = 0; k < flat.size(); ++k) {
        const double h = 1e-6;
        auto plus = flat, minus = flat;
        plus[k] += h;
        minus[k] -= h;
        ctnn::import_torch(*q, std::span<const double, Net::parameter_count>(plus));
        const double lp = train_loss<Net>(*q, x, dy, 99);
        ctnn::import_torch(*q, std::span<const double, Net::parameter_count>(minus));
        const double lm = train_loss<Net>(*q, x, dy, 99);
        INFO("parameter " << k);
        require_close(grad[k], (lp - lm) / (2 * h), 1e-6);
    }
}

}  // namespace

TEST_CASE("batch_norm training gradients equal finite differences", "[batch_norm]") {
    check_finite_differences<dense_bn_tanh>(6, 1);
    check_finite_differences<dense_bn_tanh>(1, 2);  // a batch of 1: inference statistics
    check_finite_differences<two_bn>(5, 3);
    using with_dropout = ctnn::network<ctnn::input<3>, ctnn::dense<8, ctnn::tanh>, ctnn::dropout<30>,
                                       ctnn::batch_norm<ctnn::softplus>, ctnn::dense<4, ctnn::softmax>>;
    check_finite_differences<with_dropout>(7, 4);
}

TEST_CASE("batch_norm buffers: defaults, initialization, optimizers and batches of one", "[batch_norm]") {
    using Net = two_bn;
    auto p = std::make_unique<Net::parameters<float>>();
    for (std::size_t o = 0; o < 20; ++o) {
        REQUIRE(p->running_mean(1, o) == 0.0f);
        REQUIRE(p->running_var(1, o) == 1.0f);
    }
    static constexpr Net::parameters<float> constant{};  // constant-initialized, buffers included
    static_assert(constant.running_var(3, 2) == 1.0f && constant.running_mean(3, 2) == 0.0f);

    p->running_mean(1, 4) = 3;
    p->running_var(1, 4) = 5;
    ctnn::initialize(*p, ctnn::uniform{0.3}, 5);
    for (std::size_t o = 0; o < 20; ++o) {
        REQUIRE(p->weight(1, o, 0) == 1.0f);
        REQUIRE(p->bias(1, o) == 0.0f);
        REQUIRE(p->running_mean(1, o) == 0.0f);
        REQUIRE(p->running_var(1, o) == 1.0f);
    }
    // Dense layers draw as before: the same values as a network without the batch_norm layers.
    using plain = ctnn::network<ctnn::input<2>, ctnn::dense<20, ctnn::relu>, ctnn::dense<3>>;
    auto q = std::make_unique<plain::parameters<float>>();
    ctnn::initialize(*q, ctnn::uniform{0.3}, 5);
    REQUIRE(q->weight(0, 7, 1) == p->weight(0, 7, 1));
    REQUIRE(q->bias(1, 2) == p->bias(2, 2));

    // An optimizer step moves gamma and beta, never the buffers.
    p->running_mean(3, 1) = 0.25f;
    p->running_var(3, 1) = 2.0f;
    auto g = std::make_unique<Net::gradients<float>>();
    g->fill(1.0f);
    for (float& v : g->data) v = 1.0f;  // even a gradient buffer full of junk
    ctnn::optim::sgd<Net, float> opt(ctnn::optim::sgd_options{.lr = 0.5});
    opt.step(*p, *g);
    REQUIRE(p->weight(3, 1, 0) == 0.5f);
    REQUIRE(p->bias(3, 1) == -0.5f);
    REQUIRE(p->running_mean(3, 1) == 0.25f);
    REQUIRE(p->running_var(3, 1) == 2.0f);

    // A training batch of one sample is normalized with the running statistics, which stay.
    std::vector<std::array<float, 2>> x{{0.5f, -1.5f}};
    std::vector<std::array<float, 3>> y(1);
    std::vector<Net::workspace<float>> ws(1);
    ctnn::random_source rng(1);
    const auto before = *p;
    Net::forward_train<ctnn::default_arch, float>(*p, x, y, ws, rng, p.get());
    std::array<float, 3> y_eval;
    Net::forward(*p, x[0], y_eval);
    for (std::size_t o = 0; o < 3; ++o) REQUIRE(y[0][o] == y_eval[o]);
    for (std::size_t k = 0; k < Net::storage_size<float>; ++k) REQUIRE(p->data[k] == before.data[k]);

    // Without running_stats (the other shards of a mini-batch) nothing moves either.
    std::vector<std::array<float, 2>> x3{{0.5f, -1.5f}, {1, 2}, {-3, 0.25f}};
    std::vector<std::array<float, 3>> y3(3);
    std::vector<Net::workspace<float>> ws3(3);
    Net::forward_train<ctnn::default_arch, float>(*p, x3, y3, ws3, rng, nullptr);
    for (std::size_t k = 0; k < Net::storage_size<float>; ++k) REQUIRE(p->data[k] == before.data[k]);
    Net::forward_train<ctnn::default_arch, float>(*p, x3, y3, ws3, rng, p.get());
    REQUIRE(p->running_mean(1, 0) != before.running_mean(1, 0));
}

TEST_CASE("model files keep batch_norm and dropout layers", "[batch_norm][io]") {
    using Net = ctnn::network<ctnn::input<3>, ctnn::dense<4, ctnn::relu>, ctnn::dropout<1, 4>,
                              ctnn::batch_norm<ctnn::leaky_relu<1, 5>, 3, 10, 1, 1000>, ctnn::dense<2>>;
    auto p = std::make_unique<Net::parameters<float>>();
    ctnn::initialize(*p, ctnn::uniform{0.7}, 3);
    for (std::size_t o = 0; o < 4; ++o) {
        p->weight(2, o, 0) = 0.5f + 0.25f * float(o);
        p->bias(2, o) = -0.125f * float(o);
        p->running_mean(2, o) = 0.3f * float(o);
        p->running_var(2, o) = 1.5f + float(o);
    }
    const auto dir = std::filesystem::temp_directory_path() / "ctnn_test_batch_norm";
    std::filesystem::create_directories(dir);
    const auto file = dir / "net.ctnn.json";
    ctnn::save(file, *p);

    const ctnn::model m = ctnn::read_model(file);
    REQUIRE(m.layers.size() == 4);
    REQUIRE(m.layers[1].kind == "dropout");
    REQUIRE(m.layers[1].drop_probability == 0.25);
    REQUIRE(m.layers[2].kind == "batch_norm");
    REQUIRE(m.layers[2].activation == "leaky_relu");
    REQUIRE(m.layers[2].momentum == 0.3);
    REQUIRE(m.layers[2].eps == 1e-3);
    REQUIRE(m.layers[2].weight == std::vector<double>{0.5, 0.75, 1.0, 1.25});
    REQUIRE(m.layers[2].running_var == std::vector<double>{1.5, 2.5, 3.5, 4.5});
    std::ifstream in(file);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    REQUIRE(text.find("\"kind\": \"dropout\",\n      \"in\": 4,\n      \"out\": 4,\n      \"p\": 0.25\n") !=
            std::string::npos);
    REQUIRE(text.find("\"momentum\": 0.3,\n      \"eps\": 0.001,\n      \"gamma\": [0.5, 0.75, 1.0, 1.25],\n") !=
            std::string::npos);

    auto q = std::make_unique<Net::parameters<float>>();
    ctnn::load(file, *q);
    for (std::size_t k = 0; k < Net::storage_size<float>; ++k) REQUIRE(q->data[k] == p->data[k]);

    // Another momentum, eps or drop probability: the file does not fit the type.
    using other_momentum = ctnn::network<ctnn::input<3>, ctnn::dense<4, ctnn::relu>, ctnn::dropout<1, 4>,
                                         ctnn::batch_norm<ctnn::leaky_relu<1, 5>>, ctnn::dense<2>>;
    auto r = std::make_unique<other_momentum::parameters<float>>();
    REQUIRE_THROWS_WITH(ctnn::load(file, *r), Catch::Contains("layers[2].momentum: the file has 0.3"));
    using other_p = ctnn::network<ctnn::input<3>, ctnn::dense<4, ctnn::relu>, ctnn::dropout<1, 2>,
                                  ctnn::batch_norm<ctnn::leaky_relu<1, 5>, 3, 10, 1, 1000>, ctnn::dense<2>>;
    auto s = std::make_unique<other_p::parameters<float>>();
    REQUIRE_THROWS_WITH(ctnn::load(file, *s), Catch::Contains("layers[1].p: the file has 0.25"));

    // Broken files name the field.
    const auto broken = [&](const std::string& from, const std::string& to, const std::string& message) {
        std::string t = text;
        const auto at = t.find(from);
        REQUIRE(at != std::string::npos);
        t.replace(at, from.size(), to);
        const auto bad = dir / "bad.ctnn.json";
        std::ofstream(bad) << t;
        REQUIRE_THROWS_WITH(ctnn::read_model(bad), Catch::Contains(message));
    };
    broken("\"p\": 0.25", "\"p\": 1.0", "layers[1].p: the drop probability must be at least 0 and below 1");
    broken("\"p\": 0.25", "\"q\": 0.25", "layers[1].q: unknown field");
    broken("\"momentum\": 0.3", "\"momentum\": 1.5", "layers[2].momentum: must be in [0, 1]");
    broken("\"eps\": 0.001", "\"eps\": 0", "layers[2].eps: must be above 0");
    broken("\"gamma\": [0.5, 0.75, 1.0, 1.25]", "\"gamma\": [0.5, 0.75, 1.0]", "layers[2].gamma: expected 4 numbers");
    broken("\"running_var\": [1.5, 2.5, 3.5, 4.5]", "\"running_var\": [1.5, -2.5, 3.5, 4.5]",
           "layers[2].running_var[1]: a variance cannot be negative");
    std::filesystem::remove_all(dir);
}
