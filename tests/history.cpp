// ctnn::history: the CSV text, reading it back bit for bit, error messages, and the SVG chart it writes.
#include <ctnn/train/history.hpp>

#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <string>

#include "support/epoch_record.hpp"
#include "support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
constexpr double absent = std::numeric_limits<double>::quiet_NaN();

using temp_dir = ctnn_test::temp_dir;

std::string read_text(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_text(const fs::path& p, const std::string& text) {
    std::ofstream out(p, std::ios::binary);
    out << text;
}

using ctnn_test::record;

// Same bits, so NaN == NaN and 0.1 + 0.2 != 0.3.
bool same(double a, double b) { return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b); }

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + what.size())) ++n;
    return n;
}

}  // namespace

TEST_CASE("history CSV: header with the metric's name, shortest numbers, empty cells for absent values") {
    ctnn::history h;
    h.metric_name = "accuracy";
    h.epochs.push_back(record(1, 0.5, absent, 0.75, absent, 0.001, 1.5));
    h.epochs.push_back(record(2, 0.1, 0.2, 0.8125, 0.7, 0.001, 2.25));
    h.epochs.push_back(record(3, 1.0 / 3, 0.1 + 0.2, 1, 0.5, absent, 0));
    CHECK(h.to_csv() ==
          "epoch,train_loss,val_loss,train_accuracy,val_accuracy,lr,seconds\n"
          "1,0.5,,0.75,,0.001,1.5\n"
          "2,0.1,0.2,0.8125,0.7,0.001,2.25\n"
          "3,0.3333333333333333,0.30000000000000004,1,0.5,,0\n");

    temp_dir dir;
    h.write_csv(dir.path / "h.csv");
    CHECK(read_text(dir.path / "h.csv") == h.to_csv());
    // Written through a temporary file that is renamed: nothing else is left in the directory.
    CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);
}

TEST_CASE("history CSV without a metric has no metric columns") {
    ctnn::history h;
    h.epochs.push_back(record(1, 2.5, 3, absent, absent, 0.01, 0.125));
    CHECK(h.to_csv() == "epoch,train_loss,val_loss,lr,seconds\n1,2.5,3,0.01,0.125\n");
    ctnn::history empty;
    CHECK(empty.to_csv() == "epoch,train_loss,val_loss,lr,seconds\n");
}

TEST_CASE("history read_csv gives back the same doubles, NaN columns included") {
    ctnn::history h;
    h.metric_name = "mae";
    h.epochs.push_back(record(1, 1.0 / 3, absent, 2.0 / 7, absent, 1e-3, 0.1 + 0.2));
    h.epochs.push_back(record(2, 1e-300, 5e-324, 123456789.123456789, 4.9406564584124654e-300, absent, 12.5));
    h.epochs.push_back(record(10, std::nextafter(1.0, 2.0), 0.1, 0, -0.0, 3e20, 0));

    temp_dir dir;
    const auto file = dir.path / "history.csv";
    h.write_csv(file);
    const auto back = ctnn::history::read_csv(file);
    CHECK(back.metric_name == "mae");
    REQUIRE(back.epochs.size() == h.epochs.size());
    for (std::size_t i = 0; i < h.epochs.size(); ++i) {
        const auto& a = h.epochs[i];
        const auto& b = back.epochs[i];
        INFO("row " << i);
        CHECK(a.epoch == b.epoch);
        CHECK(same(a.train_loss, b.train_loss));
        CHECK(same(a.val_loss, b.val_loss));
        CHECK(same(a.train_metric, b.train_metric));
        CHECK(same(a.val_metric, b.val_metric));
        CHECK(same(a.lr, b.lr));
        CHECK(same(a.seconds, b.seconds));
    }

    // Without a metric: the metric fields read back as NaN.
    ctnn::history plain;
    plain.epochs.push_back(record(1, 0.25, 0.5, absent, absent, absent, 3));
    plain.write_csv(file);
    const auto plain_back = ctnn::history::read_csv(file);
    CHECK(plain_back.metric_name.empty());
    REQUIRE(plain_back.epochs.size() == 1);
    CHECK(plain_back.epochs[0].val_loss == 0.5);
    CHECK(std::isnan(plain_back.epochs[0].train_metric));
    CHECK(std::isnan(plain_back.epochs[0].val_metric));
    CHECK(std::isnan(plain_back.epochs[0].lr));
}

TEST_CASE("history read_csv accepts CRLF line ends and a missing final newline") {
    temp_dir dir;
    const auto file = dir.path / "crlf.csv";
    write_text(file,
               "epoch,train_loss,val_loss,train_accuracy,val_accuracy,lr,seconds\r\n"
               "1,0.5,,0.25,,,2\r\n"
               "2,0.25,0.5,,,0.1,1");
    const auto h = ctnn::history::read_csv(file);
    CHECK(h.metric_name == "accuracy");
    REQUIRE(h.epochs.size() == 2);
    CHECK(h.epochs[0].train_metric == 0.25);
    CHECK(std::isnan(h.epochs[0].val_loss));
    CHECK(h.epochs[1].lr == 0.1);
    CHECK(h.epochs[1].seconds == 1);
}

TEST_CASE("history read_csv errors name the file and the line") {
    temp_dir dir;
    const auto file = dir.path / "bad.csv";
    const std::string name = file.string();
    const auto message_for = [&](const std::string& text) -> std::string {
        write_text(file, text);
        try {
            (void)ctnn::history::read_csv(file);
        } catch (const std::runtime_error& e) {
            return e.what();
        }
        return "(no error)";
    };
    CHECK(message_for("epoch,train_loss,val_loss,lr,seconds\n1,0.5,,,1\n2,zero,,,1\n") ==
          name + ":3: train_loss: \"zero\" is not a number");
    CHECK(message_for("epoch,train_loss,val_loss,lr,seconds\n1,0.5,,1\n") == name + ":2: expected 5 cells, found 4");
    CHECK(message_for("epoch,train_loss,val_loss,lr,seconds\n1.5,0.5,,,1\n") ==
          name + ":2: epoch: \"1.5\" is not a whole number");
    CHECK(message_for("epoch,train_loss,wobble\n") == name + ":1: unexpected column \"wobble\"");
    CHECK(message_for("epoch,val_loss\n") == name + ":1: the header must have the columns epoch and train_loss");
    CHECK(message_for("") == name + ":1: the file is empty (expected the header line)");
    CHECK(message_for("epoch,train_loss,train_loss\n") == name + ":1: column \"train_loss\" appears twice");

    const auto missing = dir.path / "missing.csv";
    CHECK_THROWS_WITH(ctnn::history::read_csv(missing), missing.string() + ": cannot open the file");
}

TEST_CASE("history SVG: a loss panel, a metric panel when there is a metric, one point per epoch") {
    ctnn::history h;
    h.metric_name = "accuracy";
    for (std::size_t e = 1; e <= 6; ++e)
        h.epochs.push_back(record(e, 1.0 / static_cast<double>(e), 1.2 / static_cast<double>(e),
                                  1 - 0.5 / static_cast<double>(e), 1 - 0.6 / static_cast<double>(e), 0.01, 1));
    temp_dir dir;
    h.write_svg(dir.path / "h.svg", "MLP <fashion> & \"friends\"");
    const std::string svg = read_text(dir.path / "h.svg");
    CHECK(svg == h.chart("MLP <fashion> & \"friends\"").to_svg());
    CHECK(svg.rfind("<?xml", 0) == 0);
    CHECK(svg.find("xmlns=\"http://www.w3.org/2000/svg\"") != std::string::npos);
    CHECK(svg.find("MLP &lt;fashion&gt; &amp; &quot;friends&quot;") != std::string::npos);
    CHECK(count(svg, "<clipPath") == 2);  // two panels
    CHECK(count(svg, "<polyline") == 4);  // train + validation in each
    CHECK(count(svg, ">validation</text>") == 2);
    CHECK(count(svg, ">accuracy</text>") >= 1);
    // Each polyline has one point per epoch.
    for (std::size_t p = svg.find("points=\""); p != std::string::npos; p = svg.find("points=\"", p + 1)) {
        const auto end = svg.find('"', p + 8);
        CHECK(count(svg.substr(p + 8, end - p - 8), ",") == 6);
    }

    // No validation data, no metric: one panel with one curve.
    ctnn::history plain;
    for (std::size_t e = 1; e <= 3; ++e)
        plain.epochs.push_back(record(e, 1.0 / static_cast<double>(e), absent, absent, absent, absent, 1));
    const std::string one = plain.chart().to_svg();
    CHECK(count(one, "<clipPath") == 1);
    CHECK(count(one, "<polyline") == 1);
    CHECK(count(one, ">validation</text>") == 0);
    CHECK(one.find("Training curves") != std::string::npos);
}

TEST_CASE("history SVG: sparse validation is joined up, a loss spanning decades gets a log axis") {
    ctnn::history h;
    for (std::size_t e = 1; e <= 6; ++e)
        h.epochs.push_back(record(e, 100 * std::pow(0.1, static_cast<double>(e - 1)),
                                  e % 2 == 0 ? 2 * std::pow(0.1, static_cast<double>(e - 1)) : absent, absent, absent,
                                  absent, 1));
    const auto f = h.chart();
    REQUIRE(f.panels.size() == 1);
    CHECK(f.panels[0].log_y);  // 100 .. 2e-5
    REQUIRE(f.panels[0].lines.size() == 2);
    CHECK(f.panels[0].lines[1].x == std::vector<double>{2, 4, 6});
    const std::string svg = f.to_svg();
    std::size_t p = svg.find("class=\"series-1\"");
    REQUIRE(p != std::string::npos);
    p = svg.find("points=\"", p);
    CHECK(count(svg.substr(p, svg.find("\"/>", p) - p), ",") == 3);  // one polyline through the three values
    CHECK(svg.find(">10<tspan") != std::string::npos);  // 2e-5 .. 100: labelled as powers of ten

    ctnn::history narrow;
    for (std::size_t e = 1; e <= 4; ++e)
        narrow.epochs.push_back(record(e, 1.0 / static_cast<double>(e), absent, absent, absent, absent, 1));
    CHECK_FALSE(narrow.chart().panels[0].log_y);
}
