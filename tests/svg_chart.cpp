// ctnn::plot: well-formed SVG (checked by a small XML reader below), points mapped into the plot area, NaN breaks,
// 1-2-5 ticks and powers of ten on log axes, escaping, figures with several panels, deterministic atomic writes.
#include <ctnn/plot/svg_chart.hpp>
#include <ctnn/random.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace fs = std::filesystem;
constexpr double absent = std::numeric_limits<double>::quiet_NaN();

struct element {
    std::string name;
    std::map<std::string, std::string> attributes;  // values with entities decoded
    std::string text;                               // direct text content, decoded
    std::vector<element> children;
};

// A strict little XML reader: one root, balanced tags, quoted unique attributes, only the predefined entities and
// character references, no '<' in attribute values. Throws std::runtime_error naming the offset on any fault.
class xml_reader {
public:
    explicit xml_reader(std::string_view s) : s_(s) {}

    element document() {
        if (s_.substr(0, 5) == "<?xml") {
            const auto end = s_.find("?>");
            if (end == std::string_view::npos) fail("unterminated XML declaration");
            i_ = end + 2;
        }
        skip_space();
        element root = read_element();
        skip_space();
        if (i_ != s_.size()) fail("content after the root element");
        return root;
    }

private:
    [[noreturn]] void fail(const std::string& what) const {
        throw std::runtime_error("XML error at offset " + std::to_string(i_) + ": " + what);
    }
    void skip_space() {
        while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t' || s_[i_] == '\r')) ++i_;
    }
    static bool name_char(char c, bool first) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
               (!first && ((c >= '0' && c <= '9') || c == '-' || c == '.'));
    }
    std::string read_name() {
        const std::size_t start = i_;
        while (i_ < s_.size() && name_char(s_[i_], i_ == start)) ++i_;
        if (i_ == start) fail("expected a name");
        return std::string(s_.substr(start, i_ - start));
    }
    // Decodes text up to (not including) `stop`, checking entities.
    std::string decode(std::string_view raw) const {
        std::string out;
        for (std::size_t k = 0; k < raw.size(); ++k) {
            if (raw[k] == '>' ) fail("unescaped '>'");  // legal in XML, but the writer escapes it: catch a slip
            if (raw[k] != '&') {
                out += raw[k];
                continue;
            }
            const auto semi = raw.find(';', k);
            if (semi == std::string_view::npos) fail("unterminated entity");
            const std::string_view ent = raw.substr(k + 1, semi - k - 1);
            if (ent == "amp") out += '&';
            else if (ent == "lt") out += '<';
            else if (ent == "gt") out += '>';
            else if (ent == "quot") out += '"';
            else if (ent == "apos") out += '\'';
            else if (!ent.empty() && ent[0] == '#') out += '?';
            else fail("unknown entity &" + std::string(ent) + ";");
            k = semi;
        }
        return out;
    }
    element read_element() {
        if (i_ >= s_.size() || s_[i_] != '<') fail("expected '<'");
        ++i_;
        element e;
        e.name = read_name();
        for (;;) {
            const std::size_t before = i_;
            skip_space();
            if (s_.substr(i_, 2) == "/>") {
                i_ += 2;
                return e;
            }
            if (i_ < s_.size() && s_[i_] == '>') {
                ++i_;
                break;
            }
            if (i_ == before) fail("expected a space before an attribute");
            const std::string attr = read_name();
            if (i_ >= s_.size() || s_[i_] != '=') fail("attribute " + attr + " without '='");
            ++i_;
            if (i_ >= s_.size() || (s_[i_] != '"' && s_[i_] != '\'')) fail("attribute " + attr + " is not quoted");
            const char quote = s_[i_++];
            const auto end = s_.find(quote, i_);
            if (end == std::string_view::npos) fail("unterminated attribute value");
            const std::string_view raw = s_.substr(i_, end - i_);
            if (raw.find('<') != std::string_view::npos) fail("'<' in an attribute value");
            if (!e.attributes.emplace(attr, decode(raw)).second) fail("attribute " + attr + " appears twice");
            i_ = end + 1;
        }
        for (;;) {
            const auto lt = s_.find('<', i_);
            if (lt == std::string_view::npos) fail("unclosed element " + e.name);
            e.text += decode(s_.substr(i_, lt - i_));
            i_ = lt;
            if (s_.substr(i_, 2) == "</") {
                i_ += 2;
                if (read_name() != e.name) fail("mismatched closing tag for " + e.name);
                skip_space();
                if (i_ >= s_.size() || s_[i_] != '>') fail("expected '>'");
                ++i_;
                return e;
            }
            e.children.push_back(read_element());
        }
    }

    std::string_view s_;
    std::size_t i_ = 0;
};

element parse(const std::string& svg) { return xml_reader(svg).document(); }

void collect(const element& e, std::string_view name, std::vector<const element*>& out) {
    if (e.name == name) out.push_back(&e);
    for (const auto& c : e.children) collect(c, name, out);
}
std::vector<const element*> all(const element& root, std::string_view name) {
    std::vector<const element*> out;
    collect(root, name, out);
    return out;
}

// All text inside an element (tspans included).
std::string full_text(const element& e) {
    std::string s = e.text;
    for (const auto& c : e.children) s += full_text(c);
    return s;
}

struct point {
    double x, y;
};
std::vector<point> points_of(const element& polyline) {
    std::vector<point> pts;
    std::istringstream in(polyline.attributes.at("points"));
    std::string pair;
    while (in >> pair) {
        const auto comma = pair.find(',');
        pts.push_back({std::stod(pair.substr(0, comma)), std::stod(pair.substr(comma + 1))});
    }
    return pts;
}

struct box {
    double x, y, w, h;
};
box clip_box(const element& root, std::size_t index = 0) {
    const auto clips = all(root, "clipPath");
    REQUIRE(clips.size() > index);
    const element& r = clips[index]->children.at(0);
    return {std::stod(r.attributes.at("x")), std::stod(r.attributes.at("y")), std::stod(r.attributes.at("width")),
            std::stod(r.attributes.at("height"))};
}

std::vector<const element*> polylines_of_series(const element& root, std::size_t i) {
    std::vector<const element*> out;
    for (const element* p : all(root, "polyline"))
        if (p->attributes.at("class") == "series-" + std::to_string(i)) out.push_back(p);
    return out;
}

std::string read_text(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// Is v = k * m * 10^e for an integer k, m in {1, 2, 5}, where step = m * 10^e?
bool is_125_step(double step) {
    const double e = std::floor(std::log10(step) + 1e-9);
    const double m = step / std::pow(10.0, e);
    return std::abs(m - 1) < 1e-9 || std::abs(m - 2) < 1e-9 || std::abs(m - 5) < 1e-9;
}

}  // namespace

TEST_CASE("the XML reader used here rejects what it should") {
    CHECK_NOTHROW(parse("<a x=\"1\"><b y='2'/>t &amp; u</a>"));
    CHECK_THROWS(parse("<a><b></a></b>"));
    CHECK_THROWS(parse("<a x=1/>"));
    CHECK_THROWS(parse("<a x=\"1\" x=\"2\"/>"));
    CHECK_THROWS(parse("<a>&nbsp;</a>"));
    CHECK_THROWS(parse("<a>x < y</a>"));
    CHECK_THROWS(parse("<a/><b/>"));
    CHECK_THROWS(parse("<a x=\"<\"/>"));
    CHECK_THROWS(parse("<a>"));
}

TEST_CASE("line_chart: well-formed standalone SVG 1.1 with escaped text") {
    ctnn::plot::line_chart c;
    c.title = "A <title> & \"quotes\" 'too'";
    c.x_label = "x & y";
    c.y_label = "<y>";
    const std::vector<double> x{1, 2, 3}, y{3, 1, 2};
    c.add("s\"1\" <&>", x, y);
    c.add("", x, x);  // unnamed: drawn, not in the legend
    const std::string svg = c.to_svg();
    CHECK(svg.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"", 0) == 0);
    const element root = parse(svg);
    CHECK(root.name == "svg");
    CHECK(root.attributes.at("xmlns") == "http://www.w3.org/2000/svg");
    CHECK(root.attributes.at("version") == "1.1");
    CHECK(root.attributes.at("width") == "640");
    CHECK(root.attributes.at("viewBox") == "0 0 640 400");

    std::set<std::string> texts;
    for (const element* t : all(root, "text")) texts.insert(full_text(*t));
    CHECK(texts.count("A <title> & \"quotes\" 'too'") == 1);
    CHECK(texts.count("x & y") == 1);
    CHECK(texts.count("<y>") == 1);
    CHECK(texts.count("s\"1\" <&>") == 1);
    CHECK(all(root, "title").at(0)->text == "A <title> & \"quotes\" 'too'");
    CHECK(svg.find("A &lt;title&gt; &amp; &quot;quotes&quot; &apos;too&apos;") != std::string::npos);
    // Legend: one line sample per named series.
    std::size_t legend_lines = 0;
    for (const element* l : all(root, "line"))
        if (l->attributes.count("stroke-width") && l->attributes.at("stroke-width") == "2.5") ++legend_lines;
    CHECK(legend_lines == 1);
    // Distinct colours for the two series.
    CHECK(polylines_of_series(root, 0).at(0)->attributes.at("stroke") !=
          polylines_of_series(root, 1).at(0)->attributes.at("stroke"));
}

TEST_CASE("line_chart: every point is mapped into the plot area by the padded linear range") {
    ctnn::plot::line_chart c;
    const std::vector<double> x{0, 1, 2, 3, 4}, y{10, 20, 30, 40, 50};
    const std::vector<double> x2{0.5, 1.5, 2.5, 3.5, 4, 4, 1}, y2{12, 48, 30, 30, 10, 50, 25};
    c.add("a", x, y);
    c.add("b", x2, y2);
    const element root = parse(c.to_svg());
    const box b = clip_box(root);
    // Independent reference: the data range plus 4 % on each side.
    const double xlo = 0 - 0.04 * 4, xhi = 4 + 0.04 * 4, ylo = 10 - 0.04 * 40, yhi = 50 + 0.04 * 40;
    const auto expect_point = [&](point p, double vx, double vy) {
        CHECK(p.x == Approx(b.x + (vx - xlo) / (xhi - xlo) * b.w).margin(0.006));
        CHECK(p.y == Approx(b.y + (yhi - vy) / (yhi - ylo) * b.h).margin(0.006));
        CHECK(p.x > b.x);
        CHECK(p.x < b.x + b.w);
        CHECK(p.y > b.y);
        CHECK(p.y < b.y + b.h);
    };
    for (std::size_t s = 0; s < 2; ++s) {
        const auto lines = polylines_of_series(root, s);
        REQUIRE(lines.size() == 1);
        const auto pts = points_of(*lines[0]);
        const auto& xs = s == 0 ? x : x2;
        const auto& ys = s == 0 ? y : y2;
        REQUIRE(pts.size() == xs.size());
        for (std::size_t k = 0; k < pts.size(); ++k) expect_point(pts[k], xs[k], ys[k]);
    }
}

TEST_CASE("line_chart: NaN points break a line; an isolated point becomes a dot") {
    ctnn::plot::line_chart c;
    const std::vector<double> x{1, 2, 3, 4, 5, 6, 7, 8, 9};
    const std::vector<double> y{1, 2, absent, 4, 5, 6, absent, 8, absent};
    c.add("gappy", x, y);
    std::vector<double> xn{1, 2, 3};
    std::vector<double> yn{absent, 3, std::numeric_limits<double>::infinity()};
    c.add("lonely", xn, yn);
    const element root = parse(c.to_svg());
    const auto runs = polylines_of_series(root, 0);
    REQUIRE(runs.size() == 2);
    CHECK(points_of(*runs[0]).size() == 2);
    CHECK(points_of(*runs[1]).size() == 3);
    CHECK(polylines_of_series(root, 1).empty());
    const auto dots = all(root, "circle");
    CHECK(dots.size() == 2);  // (8, 8) of the first series and (2, 3) of the second
}

TEST_CASE("linear ticks are 1-2-5 multiples inside the range, about as many as asked for") {
    ctnn::random_source rng(2024);
    for (int trial = 0; trial < 2000; ++trial) {
        const double scale = std::pow(10.0, rng.uniform(-8, 8));
        const double lo = rng.uniform(-1, 1) * scale;
        const double hi = lo + rng.uniform(0.001, 3) * scale;
        const double target = 3 + static_cast<double>(rng.below(8));
        const auto ticks = ctnn::plot::detail::linear_ticks(lo, hi, target, false);
        INFO("lo " << lo << " hi " << hi << " target " << target);
        REQUIRE(ticks.size() >= 2);
        CHECK(static_cast<double>(ticks.size()) <= target * 1.5 + 1);
        const double step = ticks[1].value - ticks[0].value;
        CHECK(is_125_step(step));
        for (std::size_t k = 0; k < ticks.size(); ++k) {
            const double v = ticks[k].value;
            CHECK(v >= lo - 1e-9 * std::abs(step));
            CHECK(v <= hi + 1e-9 * std::abs(step));
            CHECK(std::abs(v / step - std::round(v / step)) < 1e-6);
            if (k > 0) CHECK(ticks[k].value - ticks[k - 1].value == Approx(step).epsilon(1e-9));
            // The label reads back as the value.
            CHECK(std::stod(ticks[k].label) == Approx(v).margin(step * 1e-6));
        }
    }
    // Tenths are the doubles nearest to the decimals, and labelled with one decimal.
    const auto t = ctnn::plot::detail::linear_ticks(0, 1, 10, false);
    REQUIRE(t.size() == 11);
    CHECK(t[3].value == 0.3);
    CHECK(t[3].label == "0.3");
    CHECK(t[0].label == "0.0");
    const auto neg = ctnn::plot::detail::linear_ticks(-25, 25, 5, false);
    std::vector<std::string> labels;
    for (const auto& k : neg) labels.push_back(k.label);
    CHECK(labels == std::vector<std::string>{"-20", "-10", "0", "10", "20"});
    // Whole numbers only (epochs) even for a short range.
    const auto whole = ctnn::plot::detail::linear_ticks(0.5, 3.5, 10, true);
    labels.clear();
    for (const auto& k : whole) labels.push_back(k.label);
    CHECK(labels == std::vector<std::string>{"1", "2", "3"});
}

TEST_CASE("log ticks: labelled powers of ten, 2..9 minor ticks, 1-2-5 within a decade") {
    using ctnn::plot::detail::log_ticks;
    const auto labelled = [](const std::vector<ctnn::plot::detail::tick>& ticks) {
        std::vector<std::string> out;
        for (const auto& t : ticks)
            if (!t.label.empty()) out.push_back(t.label);
        return out;
    };
    const auto a = log_ticks(1e-3, 1e3, 8);
    CHECK(labelled(a) == std::vector<std::string>{"0.001", "0.01", "0.1", "1", "10", "100", "1000"});
    for (const auto& t : a) {
        const double l = std::log10(t.value);
        if (!t.label.empty()) CHECK(l == Approx(std::round(l)).margin(1e-12));
        else {
            const double m = t.value / std::pow(10.0, std::floor(l + 1e-12));
            CHECK(m == Approx(std::round(m)).margin(1e-9));  // 2..9 times a power of ten
        }
    }
    CHECK(a.size() == 7 + 6 * 8);

    // Many decades: every other power labelled, as 10^n.
    const auto b = log_ticks(1.5e-7, 0.9, 5);
    std::vector<int> exponents;
    for (const auto& t : b)
        if (!t.label.empty()) {
            CHECK(t.power);
            exponents.push_back(t.exponent);
        }
    CHECK(exponents == std::vector<int>{-6, -4, -2});
    CHECK(b.size() == 6);  // the unlabelled powers -5, -3, -1 keep their grid lines

    CHECK(labelled(log_ticks(2, 80, 5)) == std::vector<std::string>{"2", "5", "10", "20", "50"});
    // Less than that: plain 1-2-5 linear ticks.
    const auto narrow = log_ticks(2.1, 3.9, 5);
    REQUIRE(narrow.size() >= 3);
    CHECK(is_125_step(narrow[1].value - narrow[0].value));
}

TEST_CASE("log-log chart: points land where log10 puts them, non-positive values break the line") {
    ctnn::plot::line_chart c;
    c.log_x = c.log_y = true;
    std::vector<double> x, y;
    for (int i = 0; i <= 6; ++i) {
        x.push_back(std::pow(10.0, i));
        y.push_back(std::pow(10.0, -i));
    }
    y[3] = 0;  // cannot be drawn on a log axis
    c.add("err", x, y);
    const std::string svg = c.to_svg();
    const element root = parse(svg);
    const box b = clip_box(root);
    const auto runs = polylines_of_series(root, 0);
    REQUIRE(runs.size() == 2);
    std::vector<point> pts = points_of(*runs[0]);
    const auto second = points_of(*runs[1]);
    pts.insert(pts.end(), second.begin(), second.end());
    REQUIRE(pts.size() == 6);
    // log10 range 0..6 on x, -6..0 on y, each padded by 4 %.
    const std::vector<int> kept{0, 1, 2, 4, 5, 6};
    for (std::size_t k = 0; k < kept.size(); ++k) {
        const double i = kept[k];
        CHECK(pts[k].x == Approx(b.x + (i + 0.24) / 6.48 * b.w).margin(0.006));
        CHECK(pts[k].y == Approx(b.y + (i + 0.24) / 6.48 * b.h).margin(0.006));
    }
    // Tick labels: 10^n with a raised exponent (many decades).
    std::set<std::string> texts;
    for (const element* t : all(root, "text")) texts.insert(full_text(*t));
    CHECK(texts.count("106") == 1);   // 10^6: "10" then the raised "6"
    CHECK(texts.count("10-6") == 1);  // 10^-6
    CHECK(svg.find("10<tspan") != std::string::npos);
}

TEST_CASE("figure: panels side by side or stacked, unique clip paths, deterministic, atomic write") {
    ctnn::plot::line_chart a, b;
    a.title = "loss";
    b.title = "accuracy";
    const std::vector<double> x{1, 2, 3}, y{0.5, 0.25, 0.125};
    a.add("train", x, y);
    b.add("train", x, y);
    ctnn::plot::figure f;
    f.title = "Training";
    f.panels = {a, b};
    const std::string svg = f.to_svg();
    const element root = parse(svg);
    CHECK(root.attributes.at("width") == "1120");
    CHECK(root.attributes.at("height") == "414");  // 34 for the title + one row of 380
    const auto clips = all(root, "clipPath");
    REQUIRE(clips.size() == 2);
    CHECK(clips[0]->attributes.at("id") != clips[1]->attributes.at("id"));
    CHECK(clip_box(root, 1).x > clip_box(root, 0).x + clip_box(root, 0).w);  // second panel to the right

    f.columns = 1;
    const element stacked = parse(f.to_svg());
    CHECK(stacked.attributes.at("width") == "560");
    CHECK(stacked.attributes.at("height") == "794");
    CHECK(clip_box(stacked, 1).y > clip_box(stacked, 0).y + clip_box(stacked, 0).h);  // below

    f.columns = 2;
    CHECK(f.to_svg() == svg);  // same data, same bytes

    const fs::path dir = fs::temp_directory_path() / ("ctnn-svg-chart-test-" + std::to_string(std::random_device{}()) +
                                                      "-" + std::to_string(std::random_device{}()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    f.write(dir / "figure.svg");
    a.write(dir / "chart.svg");
    CHECK(read_text(dir / "figure.svg") == svg);
    CHECK(read_text(dir / "chart.svg") == a.to_svg());
    CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 2);  // no temporaries left
    fs::remove_all(dir);
}

TEST_CASE("line_chart: edge cases draw something sensible") {
    ctnn::plot::line_chart empty;
    CHECK_NOTHROW(parse(empty.to_svg()));

    ctnn::plot::line_chart flat;  // one value: the range is widened around it
    const std::vector<double> x{5}, y{7};
    flat.add("one", x, y);
    const element root = parse(flat.to_svg());
    const auto dots = all(root, "circle");
    REQUIRE(dots.size() == 1);
    const box b = clip_box(root);
    CHECK(std::stod(dots[0]->attributes.at("cx")) == Approx(b.x + b.w / 2).margin(0.01));
    CHECK(std::stod(dots[0]->attributes.at("cy")) == Approx(b.y + b.h / 2).margin(0.01));

    ctnn::plot::line_chart fixed;  // fixed ranges: points outside are clipped, not rescaled
    fixed.y_min = 0;
    fixed.y_max = 1;
    const std::vector<double> fx{0, 1}, fy{0, 1};
    fixed.add("diag", fx, fy);
    const element froot = parse(fixed.to_svg());
    const box fb = clip_box(froot);
    const auto pts = points_of(*polylines_of_series(froot, 0).at(0));
    CHECK(pts[0].y == Approx(fb.y + fb.h).margin(0.006));
    CHECK(pts[1].y == Approx(fb.y).margin(0.006));

    const std::vector<double> two{1, 2}, three{1, 2, 3};
    CHECK_THROWS_AS(fixed.add("bad", two, three), std::invalid_argument);
}
