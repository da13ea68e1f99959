// ctnn::loss against PyTorch: mean loss values and d(loss)/d(pred) of the cases in tests/fixtures/losses/*.json,
// which tests/fixtures/make_loss_fixtures.py computed with torch autograd in float64, checked in double and float;
// and each gradient against central finite differences of its own value, in double.
#include <ctnn/random.hpp>
#include <ctnn/train/losses.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace {

using json = nlohmann::json;

// Every fixture case is one batch of this shape.
constexpr std::size_t B = 4;
constexpr std::size_t N = 5;

json load_fixture(std::string_view name) {
    const auto path = std::filesystem::path(CTNN_TEST_DATA_DIR) / "fixtures" / "losses" / (std::string(name) + ".json");
    std::ifstream in(path);
    INFO("fixture file " << path.string());
    REQUIRE(in.good());
    json j = json::parse(in);
    REQUIRE(j.at("name").get<std::string>() == std::string(name));
    REQUIRE(j.at("batch").get<std::size_t>() == B);
    REQUIRE(j.at("size").get<std::size_t>() == N);
    REQUIRE(j.at("cases").size() >= 3);
    return j;
}

template <class T>
void read_matrix(const json& j, T (&m)[B][N]) {
    const auto rows = j.get<std::vector<std::vector<double>>>();
    REQUIRE(rows.size() == B);
    for (std::size_t b = 0; b < B; ++b) {
        REQUIRE(rows[b].size() == N);
        for (std::size_t i = 0; i < N; ++i) {
            m[b][i] = static_cast<T>(rows[b][i]);
            REQUIRE(static_cast<double>(m[b][i]) == rows[b][i]);  // the fixture's inputs are exact in float
        }
    }
}

void read_indices(const json& j, std::size_t (&t)[B]) {
    const auto v = j.get<std::vector<std::size_t>>();
    REQUIRE(v.size() == B);
    for (std::size_t b = 0; b < B; ++b) {
        REQUIRE(v[b] < N);
        t[b] = v[b];
    }
}

// |got - want| <= rel |want| + abs * scale, scale = the largest |want| of the same kind (value, or the case's
// gradient), so that entries that cancel to ~0 (softmax - 1 at a dominating logit) get an absolute floor.
// double: rel 1e-12 (the brief's bound; both sides round only a handful of operations per element, ~1e-15).
// float: rel 1e-5; an element is good to a few eps = 6e-8 of the magnitudes it is computed from.
struct tolerance {
    double rel;
    double abs;
};
template <class T>
constexpr tolerance tolerance_for = std::is_same_v<T, float> ? tolerance{1e-5, 1e-6} : tolerance{1e-12, 1e-14};

class comparison {
  public:
    explicit comparison(tolerance tol) : tol_(tol) {}
    void check(double got, double want, double scale, const std::string& what) {
        const double bound = tol_.rel * std::abs(want) + tol_.abs * scale;
        const double err = std::abs(got - want);
        worst_ = std::max(worst_, bound > 0 ? err / bound : (err > 0 ? 1e300 : 0.0));
        if (!(err <= bound)) {  // also catches NaN
            ++failures_;
            if (failures_ <= 20) report_ << "  " << what << ": got " << got << ", expected " << want << "\n";
        }
    }
    std::size_t failures() const { return failures_; }
    double worst() const { return worst_; }
    std::string report() const { return report_.str(); }

  private:
    tolerance tol_;
    std::size_t failures_ = 0;
    double worst_ = 0;
    std::ostringstream report_;
};

template <class T>
double max_abs(const T (&m)[B][N]) {
    double s = 0;
    for (const auto& row : m)
        for (T v : row) s = std::max(s, std::abs(static_cast<double>(v)));
    return s;
}

// Target kinds: a [B][N] matrix, or class indices [B] (cross_entropy_index).
template <class T>
struct matrix_target {
    T t[B][N];
    void read(const json& j) { read_matrix(j, t); }
};
template <class T>
struct index_target {
    std::size_t t[B];
    void read(const json& j) { read_indices(j, t); }
};

template <class Loss, class T, template <class> class Target>
void check_fixture(std::string_view name) {
    const json j = load_fixture(name);
    comparison cmp(tolerance_for<T>);
    std::size_t k = 0;
    for (const auto& c : j.at("cases")) {
        T pred[B][N];
        Target<T> target;
        double want_grad[B][N];
        read_matrix(c.at("pred"), pred);
        target.read(c.at("target"));
        read_matrix(c.at("grad"), want_grad);
        const double want_value = c.at("value").get<double>();

        const T value = Loss::value(pred, target.t);
        T grad[B][N];
        Loss::gradient(pred, target.t, grad);

        const std::string where = "case " + std::to_string(k);
        cmp.check(static_cast<double>(value), want_value, std::abs(want_value), where + " value");
        const double scale = max_abs(want_grad);
        for (std::size_t b = 0; b < B; ++b)
            for (std::size_t i = 0; i < N; ++i)
                cmp.check(static_cast<double>(grad[b][i]), want_grad[b][i], scale,
                          where + " grad[" + std::to_string(b) + "][" + std::to_string(i) + "]");
        ++k;
    }
    INFO(name << " in " << (std::is_same_v<T, float> ? "float" : "double") << ", worst error / bound "
              << cmp.worst() << "\n"
              << cmp.report());
    CHECK(cmp.failures() == 0);
    CHECK(cmp.worst() <= 1.0);  // the same, and with -s it shows how close each run came
}

template <class Loss, template <class> class Target = matrix_target>
void check_both(std::string_view name) {
    check_fixture<Loss, double, Target>(name);
    check_fixture<Loss, float, Target>(name);
}

}  // namespace

TEST_CASE("losses match PyTorch: regression", "[losses][torch]") {
    check_both<ctnn::loss::mse>("mse");
    check_both<ctnn::loss::mae>("mae");
    check_both<ctnn::loss::huber<>>("huber");
    check_both<ctnn::loss::huber<1, 2>>("huber_half");
    check_both<ctnn::loss::log_cosh>("log_cosh");
}

TEST_CASE("losses match PyTorch: binary classification", "[losses][torch]") {
    check_both<ctnn::loss::binary_cross_entropy>("binary_cross_entropy");
    check_both<ctnn::loss::binary_cross_entropy_with_logits>("binary_cross_entropy_with_logits");
    check_both<ctnn::loss::hinge>("hinge");
    check_both<ctnn::loss::squared_hinge>("squared_hinge");
}

TEST_CASE("losses match PyTorch: distributions", "[losses][torch]") {
    check_both<ctnn::loss::cross_entropy, index_target>("cross_entropy_index");
    check_both<ctnn::loss::cross_entropy>("cross_entropy_prob");
    check_both<ctnn::loss::kl_div>("kl_div");
    check_both<ctnn::loss::kl_div_batchmean>("kl_div_batchmean");
}

namespace {

// Random inputs away from every loss's kinks and clamps, for the finite-difference check.
struct fd_data {
    double pred[B][N];
    double target[B][N];
    std::size_t index[B];
};

enum class kind { regression, probability, logits, sign, distribution };

fd_data make_fd_data(kind k, std::uint64_t seed) {
    ctnn::random_source r(seed);
    fd_data d{};
    for (std::size_t b = 0; b < B; ++b) {
        d.index[b] = static_cast<std::size_t>(r.below(N));
        for (std::size_t i = 0; i < N; ++i) {
            switch (k) {
                case kind::regression: {
                    d.target[b][i] = r.uniform(-2, 2);
                    // |p - t| in [0.05, 3]: off the kinks of mae (0) and huber (0.5, 1 checked separately).
                    const double mag = r.uniform(0.05, 3);
                    d.pred[b][i] = d.target[b][i] + (r.uniform() < 0.5 ? -mag : mag);
                    break;
                }
                case kind::probability:
                    d.pred[b][i] = r.uniform(0.05, 0.95);
                    d.target[b][i] = r.uniform();
                    break;
                case kind::logits:
                    d.pred[b][i] = r.uniform(-6, 6);
                    d.target[b][i] = r.uniform();
                    break;
                case kind::sign: {
                    d.target[b][i] = r.uniform() < 0.5 ? -1.0 : 1.0;
                    // p t in [-2, 0.9] or [1.1, 3]: off the kink at 1.
                    const double m = r.uniform() < 0.7 ? r.uniform(-2, 0.9) : r.uniform(1.1, 3);
                    d.pred[b][i] = m * d.target[b][i];
                    break;
                }
                case kind::distribution:
                    d.pred[b][i] = r.uniform(-4, 4);
                    d.target[b][i] = r.uniform(0, 1);
                    break;
            }
        }
    }
    return d;
}

// Central differences of value() against gradient(), element by element, step h scaled to |x|.
template <class ValueFn, class GradFn>
void check_finite_differences(std::string_view name, double (&pred)[B][N], ValueFn value, GradFn gradient) {
    double grad[B][N];
    gradient(pred, grad);
    const double scale = max_abs(grad);
    REQUIRE(scale > 0);
    comparison cmp({1e-6, 1e-8});
    for (std::size_t b = 0; b < B; ++b)
        for (std::size_t i = 0; i < N; ++i) {
            const double x = pred[b][i];
            const double h = 1e-5 * std::max(1.0, std::abs(x));
            pred[b][i] = x + h;
            const double up = value(pred);
            pred[b][i] = x - h;
            const double down = value(pred);
            pred[b][i] = x;
            const double fd = (up - down) / (2 * h);
            cmp.check(grad[b][i], fd, scale, "grad[" + std::to_string(b) + "][" + std::to_string(i) + "]");
        }
    INFO(name << ": worst error / bound " << cmp.worst() << "\n" << cmp.report());
    CHECK(cmp.failures() == 0);
    CHECK(cmp.worst() <= 1.0);  // the same, and with -s it shows how close each run came
}

template <class Loss>
void check_fd(std::string_view name, kind k) {
    for (std::uint64_t seed = 1; seed <= 3; ++seed) {
        fd_data d = make_fd_data(k, seed * 977);
        check_finite_differences(
            name, d.pred, [&](const double (&p)[B][N]) { return Loss::value(p, d.target); },
            [&](const double (&p)[B][N], double (&g)[B][N]) { Loss::gradient(p, d.target, g); });
    }
}

}  // namespace

TEST_CASE("loss gradients match central finite differences of the values", "[losses][fd]") {
    using namespace ctnn::loss;
    check_fd<mse>("mse", kind::regression);
    check_fd<mae>("mae", kind::regression);
    check_fd<huber<>>("huber", kind::regression);
    check_fd<huber<1, 2>>("huber<1, 2>", kind::regression);
    check_fd<huber<3>>("huber<3>", kind::regression);
    check_fd<log_cosh>("log_cosh", kind::regression);
    check_fd<binary_cross_entropy>("binary_cross_entropy", kind::probability);
    check_fd<binary_cross_entropy_with_logits>("binary_cross_entropy_with_logits", kind::logits);
    check_fd<hinge>("hinge", kind::sign);
    check_fd<squared_hinge>("squared_hinge", kind::sign);
    check_fd<kl_div>("kl_div", kind::distribution);
    check_fd<kl_div_batchmean>("kl_div_batchmean", kind::distribution);
    check_fd<cross_entropy>("cross_entropy (probabilities)", kind::distribution);
    for (std::uint64_t seed = 1; seed <= 3; ++seed) {
        fd_data d = make_fd_data(kind::distribution, seed);
        check_finite_differences(
            "cross_entropy (indices)", d.pred,
            [&](const double (&p)[B][N]) { return cross_entropy::value(p, d.index); },
            [&](const double (&p)[B][N], double (&g)[B][N]) { cross_entropy::gradient(p, d.index, g); });
    }
}

TEST_CASE("losses are zero where prediction equals target, and hinge losses vanish past the margin", "[losses]") {
    using namespace ctnn::loss;
    const float p[2][3] = {{1.5f, -2.0f, 0.0f}, {3.0f, 0.25f, -1.0f}};
    float g[2][3];
    CHECK(mse::value(p, p) == 0.0f);
    CHECK(mae::value(p, p) == 0.0f);
    CHECK(huber<>::value(p, p) == 0.0f);
    CHECK(log_cosh::value(p, p) == 0.0f);
    mae::gradient(p, p, g);  // sign(0) = 0, as torch.sign
    for (const auto& row : g)
        for (float v : row) CHECK(v == 0.0f);
    const double y[1][4] = {{1, -1, 1, -1}};
    const double s[1][4] = {{1.5, -2, 1, -1}};  // p t >= 1 everywhere
    double dg[1][4];
    CHECK(hinge::value(s, y) == 0.0);
    CHECK(squared_hinge::value(s, y) == 0.0);
    squared_hinge::gradient(s, y, dg);
    for (double v : dg[0]) CHECK(v == 0.0);
    // One-hot probabilities and class indices give the same cross-entropy.
    const double logits[2][3] = {{0.5, -1, 2}, {3, 3, -40}};
    const double one_hot[2][3] = {{0, 1, 0}, {1, 0, 0}};
    const std::size_t idx[2] = {1, 0};
    double g1[2][3], g2[2][3];
    CHECK(cross_entropy::value(logits, one_hot) == Approx(cross_entropy::value(logits, idx)).epsilon(1e-15));
    cross_entropy::gradient(logits, one_hot, g1);
    cross_entropy::gradient(logits, idx, g2);
    for (std::size_t b = 0; b < 2; ++b)
        for (std::size_t c = 0; c < 3; ++c) CHECK(g1[b][c] == Approx(g2[b][c]).epsilon(1e-15).margin(1e-17));
}
