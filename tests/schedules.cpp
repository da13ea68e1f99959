// ctnn::schedule against torch.optim.lr_scheduler: the lr after each of 30-60 epochs, from the fixtures that
// tests/fixtures/make_schedule_fixtures.py writes with PyTorch.
#include <ctnn/train/optimizers.hpp>
#include <ctnn/train/schedules.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

namespace schedule = ctnn::schedule;
using nlohmann::json;

namespace {

// Both sides compute in double with the same operations and the same libm cos; only the compiler's contraction of
// CosineAnnealingLR's ratio * (lr - eta_min) + eta_min into a fused multiply-add differs from Python. Measured with
// g++ 12 and clang++ 14 (-march=native): at most 7.5e-16 relative, and 0 with -ffp-contract=off.
constexpr double rel_tolerance = 1e-12;

json load(const std::string& name) {
    const auto path = std::filesystem::path(CTNN_TEST_DATA_DIR) / "fixtures" / "schedules" / (name + ".json");
    std::ifstream in(path);
    INFO("fixture " << path.string());
    REQUIRE(in.good());
    json fixture = json::parse(in);
    REQUIRE(fixture.at("schedule").get<std::string>() == name);
    REQUIRE(fixture.at("cases").size() >= 2);
    return fixture;
}

// Checks sched.lr() against lrs[0], then after each step(k) against lrs[k]; step_once(sched, k) steps it.
template <class Schedule, class Step>
void replay(Schedule sched, const json& c, Step step_once) {
    INFO("case " << c.at("name").get<std::string>());
    const auto want = c.at("lrs").get<std::vector<double>>();
    REQUIRE(want.size() >= 31);
    REQUIRE(sched.lr() == want[0]);
    for (std::size_t k = 1; k < want.size(); ++k) {
        step_once(sched, k);
        INFO("epoch " << k);
        REQUIRE(sched.last_epoch() == static_cast<std::int64_t>(k));
        CHECK(std::abs(sched.lr() - want[k]) <= rel_tolerance * std::abs(want[k]));
    }
    // The cases must really change the lr (a constant schedule would fail here, not pass by tolerance).
    CHECK(std::set<double>(want.begin(), want.end()).size() >= 2);
}

template <class Schedule>
void replay_plain(const json& c, Schedule sched) {
    replay(sched, c, [](Schedule& s, std::size_t) { s.step(); });
}

}  // namespace

TEST_CASE("StepLR matches torch.optim.lr_scheduler.StepLR", "[schedule]") {
    const json fixture = load("step_lr");  // named: a temporary would die before the loop body
    for (const auto& c : fixture.at("cases")) {
        const auto& a = c.at("args");
        const double lr = c.at("lr").get<double>();
        const auto step_size = a.at("step_size").get<std::int64_t>();
        if (a.contains("gamma"))
            replay_plain(c, schedule::step_lr(lr, step_size, a.at("gamma").get<double>()));
        else
            replay_plain(c, schedule::step_lr(lr, step_size));  // torch's default gamma
    }
}

TEST_CASE("ExponentialLR matches torch.optim.lr_scheduler.ExponentialLR", "[schedule]") {
    const json fixture = load("exponential_lr");
    for (const auto& c : fixture.at("cases"))
        replay_plain(c, schedule::exponential_lr(c.at("lr").get<double>(), c.at("args").at("gamma").get<double>()));
}

TEST_CASE("CosineAnnealingLR matches torch's recursive form, past T_max too", "[schedule]") {
    const json fixture = load("cosine_annealing_lr");
    for (const auto& c : fixture.at("cases")) {
        const auto& a = c.at("args");
        const auto t_max = a.at("t_max").get<std::int64_t>();
        REQUIRE(c.at("lrs").size() > std::size_t(3 * t_max));
        replay_plain(c, schedule::cosine_annealing_lr(c.at("lr").get<double>(), t_max, a.at("eta_min").get<double>()));
    }
}

TEST_CASE("ReduceLROnPlateau matches torch.optim.lr_scheduler.ReduceLROnPlateau", "[schedule]") {
    std::set<std::string> seen;  // every option must be exercised by some case
    const json fixture = load("reduce_lr_on_plateau");
    for (const auto& c : fixture.at("cases")) {
        schedule::plateau_options o;
        for (const auto& [key, value] : c.at("options").items()) {
            seen.insert(key);
            if (key == "mode") o.mode = value == "max" ? schedule::plateau_mode::max : schedule::plateau_mode::min;
            else if (key == "threshold_mode")
                o.threshold_mode = value == "abs" ? schedule::threshold_kind::abs : schedule::threshold_kind::rel;
            else if (key == "factor") o.factor = value.get<double>();
            else if (key == "patience") o.patience = value.get<std::int64_t>();
            else if (key == "threshold") o.threshold = value.get<double>();
            else if (key == "cooldown") o.cooldown = value.get<std::int64_t>();
            else if (key == "min_lr") o.min_lr = value.get<double>();
            else if (key == "eps") o.eps = value.get<double>();
            else FAIL("unknown option " << key);
        }
        const auto metrics = c.at("metrics").get<std::vector<double>>();
        REQUIRE(metrics.size() + 1 == c.at("lrs").size());
        replay(schedule::reduce_lr_on_plateau(c.at("lr").get<double>(), o), c,
               [&](schedule::reduce_lr_on_plateau& s, std::size_t k) { s.step(metrics[k - 1]); });
    }
    for (const char* key : {"mode", "factor", "patience", "threshold", "threshold_mode", "cooldown", "min_lr", "eps"}) {
        INFO("option " << key);
        CHECK(seen.count(key) == 1);
    }
}

TEST_CASE("defaults are torch's", "[schedule]") {
    constexpr schedule::plateau_options o;
    STATIC_REQUIRE(o.mode == schedule::plateau_mode::min);
    STATIC_REQUIRE(o.factor == 0.1);
    STATIC_REQUIRE(o.patience == 10);
    STATIC_REQUIRE(o.threshold == 1e-4);
    STATIC_REQUIRE(o.threshold_mode == schedule::threshold_kind::rel);
    STATIC_REQUIRE(o.cooldown == 0);
    STATIC_REQUIRE(o.min_lr == 0);
    STATIC_REQUIRE(o.eps == 1e-8);
    // StepLR's gamma = 0.1, CosineAnnealingLR's eta_min = 0.
    schedule::step_lr s(1.0, 1);
    s.step();
    CHECK(s.lr() == 0.1);
    schedule::cosine_annealing_lr cos(1.0, 2);
    cos.step();
    cos.step();
    CHECK(cos.lr() == 0.0);
}

TEST_CASE("the schedules are constexpr value types and plateau treats the first metric as an improvement",
          "[schedule]") {
    constexpr double exp3 = [] {
        schedule::exponential_lr e(1.0, 0.5);
        for (int i = 0; i < 3; ++i) e.step();
        return e.lr();
    }();
    STATIC_REQUIRE(exp3 == 0.125);
    // The first metric always improves on +inf; with patience 0 the first epoch without improvement reduces.
    constexpr auto plateau = [] {
        schedule::reduce_lr_on_plateau p(1.0, {.factor = 0.5, .patience = 0});
        p.step(3.0);
        p.step(3.0);
        return p;
    }();
    STATIC_REQUIRE(plateau.best() == 3.0);
    STATIC_REQUIRE(plateau.lr() == 0.5);
    STATIC_REQUIRE(plateau.num_bad_epochs() == 0);
    STATIC_REQUIRE(std::is_trivially_copyable_v<schedule::cosine_annealing_lr>);
    STATIC_REQUIRE(std::is_trivially_copyable_v<schedule::reduce_lr_on_plateau>);
}

namespace {
using Net = ctnn::network<ctnn::input<3>, ctnn::dense<2>>;
}

TEST_CASE("apply sets the optimizer's options.lr, which its next step uses", "[schedule]") {
    ctnn::optim::basic_sgd<double, 2> sgd{{.lr = 1.0}};
    schedule::step_lr sched(sgd.options.lr, 1, 0.25);
    std::array<double, 2> p{1.0, 2.0};
    const std::array<double, 2> g{1.0, 1.0};
    sched.step();
    schedule::apply(sched, sgd);
    CHECK(sgd.options.lr == 0.25);
    sgd.step(p, g);
    CHECK(p[0] == 0.75);
    CHECK(p[1] == 1.75);

    // Every optimizer, flat and network form, takes it the same way.
    ctnn::optim::adam<Net, float> adam;
    ctnn::optim::adagrad<Net, float> adagrad;
    schedule::reduce_lr_on_plateau plateau(0.3);
    schedule::apply(plateau, adam);
    schedule::apply(plateau, adagrad);
    CHECK(adam.options.lr == 0.3);
    CHECK(adagrad.options.lr == 0.3);
}
