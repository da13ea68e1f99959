// Small, dependency-free SVG line charts (opt-in header: it allocates and may throw).
//   ctnn::plot::line_chart c;
//   c.title = "Error vs samples"; c.x_label = "samples"; c.y_label = "|error|"; c.log_x = c.log_y = true;
//   c.add("midpoint", xs, ys);  c.add("Genz", xs2, ys2);
//   c.write("error.svg");                       // or c.to_svg()
//   ctnn::plot::figure f{"Training curves", {loss_chart, metric_chart}};  // panels side by side (f.columns)
// Ticks are 1-2-5 multiples of a power of ten (log axes: powers of ten), ranges are automatic with a little
// padding unless x_min/x_max/y_min/y_max are set, NaN (and, on a log axis, non-positive) values break a line.
// Output is deterministic: numbers are written with std::to_chars (fixed digits, independent of the C locale).
// The result is a standalone SVG 1.1 file; docs/plots.md.
#pragma once

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <ctnn/io/atomic_file.hpp>

namespace ctnn::plot {

struct series {
    std::string name;          // shown in the legend ("" = not listed)
    std::vector<double> x, y;  // same length
    std::string colour;        // "" = the chart's palette colour for this series' position; else any SVG colour
    bool dashed = false;
    bool markers = false;  // a dot at every point (isolated points always get one, or they would be invisible)
};

namespace detail {

inline constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// Okabe & Ito's colour-blind-safe palette (yellow left out: too pale on white), then a few more.
inline constexpr std::array<std::string_view, 10> palette{"#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00",
                                                          "#56b4e9", "#000000", "#7f3c8d", "#8c6d31", "#666666"};

// Exact powers of ten for |e| <= 22 (10^e is exactly representable up to 1e22; dividing by it rounds correctly).
inline double pow10(int e) {
    double p = 1;
    for (int i = 0; i < (e < 0 ? -e : e); ++i) p *= 10;
    return e < 0 ? 1 / p : p;
}

// value with `decimals` digits after the point; never "-0".
inline std::string format_fixed(double value, int decimals) {
    if (value == 0) value = 0;  // turns -0 into +0
    char buf[400];  // enough for any double in fixed form with a few decimals
    const auto r = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed, decimals);
    if (r.ec != std::errc{}) return "?";
    std::string s(buf, r.ptr);
    if (s.find_first_not_of("-0.") == std::string::npos) s = decimals > 0 ? "0." + std::string(decimals, '0') : "0";
    return s;
}

// Short scientific label: "2e-7", "1.5e+12" -> "1.5e12".
inline std::string format_scientific(double value, int significant) {
    char buf[64];
    const auto r =
        std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific, std::max(0, significant - 1));
    if (r.ec != std::errc{}) return "?";
    std::string s(buf, r.ptr);
    const auto e = s.find('e');
    std::string mant = s.substr(0, e), exp = s.substr(e + 1);
    if (mant.find('.') != std::string::npos) {
        while (mant.back() == '0') mant.pop_back();
        if (mant.back() == '.') mant.pop_back();
    }
    const bool negative = exp[0] == '-';
    exp.erase(0, 1);
    while (exp.size() > 1 && exp[0] == '0') exp.erase(0, 1);
    return mant + "e" + (negative ? "-" : "") + exp;
}

// Coordinates: two decimals are plenty for pixels. Far-off points (outside fixed ranges) are clipped anyway.
inline std::string px(double v) {
    std::string s = format_fixed(std::clamp(v, -1e7, 1e7), 2);
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
    return s;
}

inline std::string escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&apos;"; break;
            default:
                // Control characters are not allowed in XML 1.0.
                if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n') out += ' ';
                else out += c;
        }
    }
    return out;
}

// Rough width of a text in pixels at font size 12 (labels are short; this only sizes margins and the legend).
inline double text_width(std::string_view text, double font_size = 12) {
    std::size_t chars = 0;
    for (const char c : text)
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++chars;  // count UTF-8 code points
    return static_cast<double>(chars) * font_size * 0.6;
}

// NaN, infinities, absurdly large values and, on a log axis, values <= 0 break a line instead of being drawn.
inline bool plottable(double v, bool log) { return std::abs(v) <= 1e300 && (!log || v > 0); }

struct tick {
    double value;
    std::string label;  // "" for a minor tick
    int exponent = 0;   // with power: drawn as 10 to this exponent (label then holds "1e<exponent>")
    bool power = false;
};

struct axis {
    bool log = false;
    double lo = 0, hi = 1;  // the axis range in data units
    std::vector<tick> ticks;

    double t(double v) const { return log ? std::log10(v) : v; }
    // Fraction 0..1 along the axis.
    double fraction(double v) const { return (t(v) - t(lo)) / (t(hi) - t(lo)); }
};

// Ticks k * step for step = m * 10^e, m in {1, 2, 5}, about `target` of them in [lo, hi].
inline std::vector<tick> linear_ticks(double lo, double hi, double target, bool integer) {
    const double raw = (hi - lo) / std::max(1.0, target);
    if (!(raw > 0) || !std::isfinite(raw)) return {};
    int e = static_cast<int>(std::floor(std::log10(raw)));
    const double f = raw / pow10(e);
    // The 1-2-5 step nearest the raw one (thresholds at the geometric midpoints).
    int m = f < 1.42 ? 1 : f < 3.17 ? 2 : f < 7.08 ? 5 : 10;
    if (m == 10) {
        m = 1;
        ++e;
    }
    if (integer && e < 0) {
        m = 1;
        e = 0;
    }
    // value(k) = k * m * 10^e, computed so that e.g. 0.3 is the double nearest 0.3.
    const auto value = [&](double k) { return e >= 0 ? k * m * pow10(e) : k * m / pow10(-e); };
    const double step = value(1);
    const double first = std::ceil(lo / step - 1e-9), last = std::floor(hi / step + 1e-9);
    const bool scientific = e < -4 || e > 6;
    std::vector<tick> ticks;
    for (double k = first; k <= last && ticks.size() < 1000; ++k) {
        const double v = value(k);
        // Scientific labels get the digits down to the step's: 1.235e-6 next to 1.24e-6, not two "1.24e-6".
        const int digits = v == 0 ? 1 : static_cast<int>(std::floor(std::log10(std::abs(v)) + 1e-9)) - e + 1;
        ticks.push_back({v, scientific ? (k == 0 ? "0" : format_scientific(v, std::max(1, digits)))
                                       : format_fixed(v, std::max(0, -e))});
    }
    return ticks;
}

inline std::string power_label(double mantissa, int e) {
    const double v = e >= 0 ? mantissa * pow10(e) : mantissa / pow10(-e);
    if (e >= -4 && e <= 5) return format_fixed(v, std::max(0, -e));
    return format_scientific(v, 1);
}

// Log axis: powers of ten (every 1, 2, 5, ... decades when there are many), with 2..9 minor ticks when there is
// room; less than two decades: 1-2-5 multiples; less than that: linear 1-2-5 ticks.
inline std::vector<tick> log_ticks(double lo, double hi, double target) {
    const double L = std::log10(lo), H = std::log10(hi);
    const int d0 = static_cast<int>(std::ceil(L - 1e-9)), d1 = static_cast<int>(std::floor(H + 1e-9));
    const auto inside = [&](double v) { return v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9); };
    std::vector<tick> ticks;
    const int powers = d1 - d0 + 1;
    if (powers >= 3 || (powers == 2 && target < 4)) {
        int step = 1;  // label every step-th power of ten: 1, 2, 5, 10, ... decades apart
        for (const int s : {2, 5, 10, 20, 50, 100})
            if (powers / step >= target) step = s;
        // Wide ranges read better as 10^n than as 0.000001 or 1e-6 next to 100.
        const bool powers_of_ten = d0 < -3 || d1 > 4;
        for (int d = d0; d <= d1; ++d) {
            const double v = d >= 0 ? pow10(d) : 1 / pow10(-d);
            if (((d % step) + step) % step != 0) ticks.push_back({v, ""});  // unlabelled decade
            else if (powers_of_ten) ticks.push_back({v, "1e" + std::to_string(d), d, true});
            else ticks.push_back({v, power_label(1, d)});
        }
        if (step == 1 && powers <= 8)
            for (int d = d0 - 1; d <= d1; ++d)
                for (int m = 2; m <= 9; ++m) {
                    const double v = d >= 0 ? m * pow10(d) : m / pow10(-d);
                    if (inside(v)) ticks.push_back({v, ""});
                }
    } else {
        for (int d = d0 - 1; d <= d1; ++d)
            for (const int m : {1, 2, 5}) {
                const double v = d >= 0 ? m * pow10(d) : m / pow10(-d);
                if (inside(v)) ticks.push_back({v, power_label(m, d)});
            }
        if (ticks.size() < 3) ticks = linear_ticks(lo, hi, target, false);
    }
    std::stable_sort(ticks.begin(), ticks.end(), [](const tick& a, const tick& b) { return a.value < b.value; });
    return ticks;
}

}  // namespace detail

class line_chart {
public:
    std::string title, x_label, y_label;
    bool log_x = false, log_y = false;
    bool integer_x = false;  // ticks only at whole numbers on x (e.g. epochs)
    // Fixed axis ends; NaN = automatic (data range plus 4 % on each side). Points outside are clipped.
    double x_min = detail::nan, x_max = detail::nan, y_min = detail::nan, y_max = detail::nan;
    double width = 640, height = 400;  // of the SVG when drawn alone (in a figure: the figure's panel size)
    std::vector<series> lines;

    series& add(std::string name, std::span<const double> x, std::span<const double> y) {
        if (x.size() != y.size())
            throw std::invalid_argument("ctnn::plot::line_chart::add: series \"" + name + "\" has " +
                                        std::to_string(x.size()) + " x values and " + std::to_string(y.size()) +
                                        " y values");
        series s;
        s.name = std::move(name);
        s.x.assign(x.begin(), x.end());
        s.y.assign(y.begin(), y.end());
        lines.push_back(std::move(s));
        return lines.back();
    }
    series& add(std::string name, const std::vector<double>& x, const std::vector<double>& y) {
        return add(std::move(name), std::span<const double>(x), std::span<const double>(y));
    }

    std::string to_svg() const;
    void write(const std::filesystem::path& file) const { ctnn::detail::write_file_atomically(file, to_svg()); }

    // Draws the chart into the box (x, y, w, h) of an SVG being built; `id` makes its clip path's id unique.
    void render(std::string& out, double x, double y, double w, double h, std::size_t id) const;

private:
    detail::axis make_axis(bool is_x, double length) const {
        const bool log = is_x ? log_x : log_y;
        double lo = std::numeric_limits<double>::infinity(), hi = -lo;
        for (const auto& s : lines)
            for (const double v : is_x ? s.x : s.y)
                if (detail::plottable(v, log)) {
                    lo = std::min(lo, v);
                    hi = std::max(hi, v);
                }
        const double fixed_lo = is_x ? x_min : y_min, fixed_hi = is_x ? x_max : y_max;
        const bool has_lo = std::isfinite(fixed_lo) && (!log || fixed_lo > 0);
        const bool has_hi = std::isfinite(fixed_hi) && (!log || fixed_hi > 0);
        if (lo > hi) {  // no data
            lo = log ? 1 : 0;
            hi = log ? 10 : 1;
        }
        if (has_lo) lo = fixed_lo;
        if (has_hi) hi = fixed_hi;
        // Work in the axis' own coordinate (log10 on a log axis) for padding.
        double a = log ? std::log10(lo) : lo, b = log ? std::log10(hi) : hi;
        if (b < a) std::swap(a, b);
        if (b - a <= 1e-12 * std::max(1.0, std::abs(a))) {
            const double half = log ? 0.5 : std::max(std::abs(a) * 0.1, integer_x && is_x ? 1.0 : 0.5);
            if (!has_lo) a -= half;
            if (!has_hi) b += half;
            if (b - a <= 0) b = a + 2 * half;  // both ends fixed to the same value
        }
        const double pad = 0.04 * (b - a);
        if (!has_lo) a -= pad;
        if (!has_hi) b += pad;
        detail::axis ax;
        ax.log = log;
        ax.lo = log ? std::pow(10.0, a) : a;
        ax.hi = log ? std::pow(10.0, b) : b;
        const double target = std::max(2.0, length / (is_x ? 90.0 : 55.0));
        ax.ticks = log ? detail::log_ticks(ax.lo, ax.hi, target)
                       : detail::linear_ticks(ax.lo, ax.hi, target, is_x && integer_x);
        return ax;
    }
};

// Several charts in one SVG, `columns` per row (1 = stacked), each panel_width x panel_height.
struct figure {
    std::string title;
    std::vector<line_chart> panels;
    std::size_t columns = 2;
    double panel_width = 560, panel_height = 380;

    std::string to_svg() const;
    void write(const std::filesystem::path& file) const { ctnn::detail::write_file_atomically(file, to_svg()); }
};

namespace detail {

inline void svg_begin(std::string& out, double w, double h, std::string_view title) {
    out += "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n";
    out += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" + px(w) + "\" height=\"" + px(h) +
           "\" viewBox=\"0 0 " + px(w) + " " + px(h) +
           "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"12\">\n";
    if (!title.empty()) out += "<title>" + escape(title) + "</title>\n";
    out += "<rect x=\"0\" y=\"0\" width=\"" + px(w) + "\" height=\"" + px(h) + "\" fill=\"#ffffff\"/>\n";
}

}  // namespace detail

inline void line_chart::render(std::string& out, double x, double y, double w, double h, std::size_t id) const {
    using detail::escape;
    using detail::px;
    constexpr double tick_font = 11, legend_row = 18;

    const auto label_width = [&](const detail::tick& t) {
        return t.power ? detail::text_width("10", tick_font) +
                             detail::text_width(std::to_string(t.exponent), tick_font * 0.75)
                       : detail::text_width(t.label, tick_font);
    };
    const auto left_margin = [&](const detail::axis& a) {
        double label_w = 0;
        for (const auto& t : a.ticks) label_w = std::max(label_w, label_width(t));
        return (y_label.empty() ? 8 : 28) + label_w + 8;
    };
    const double right = 18, bottom_space = x_label.empty() ? 28 : 46;
    const double title_space = title.empty() ? 10 : 30;

    // The y tick labels (hence the left margin) for a plot height guessed with one legend row; the legend then
    // fills rows above the plot (never on top of the curves), starting at the plot's left edge.
    double left = left_margin(make_axis(false, std::max(40.0, h - title_space - legend_row - 6 - bottom_space)));
    struct legend_entry {
        std::size_t index;
        double dx, dy;  // from the plot's left edge and the legend's top
    };
    std::vector<legend_entry> legend;
    double legend_h = 0;
    {
        double lx = 0, row = 0;
        const double room = w - left - right;
        for (std::size_t i = 0; i < lines.size(); ++i) {
            if (lines[i].name.empty()) continue;
            const double ew = 30 + detail::text_width(lines[i].name) + 18;
            if (lx > 0 && lx + ew - 18 > room) {
                lx = 0;
                ++row;
            }
            legend.push_back({i, lx, row * legend_row});
            lx += ew;
        }
        if (!legend.empty()) legend_h = (row + 1) * legend_row;
    }
    const double top = title_space + legend_h + 6;
    const double ph = std::max(40.0, h - top - bottom_space);
    const detail::axis ya = make_axis(false, ph);
    left = std::max(left, left_margin(ya));
    const double pw = std::max(40.0, w - left - right);
    const double x0 = x + left, y0 = y + top;
    const detail::axis xa = make_axis(true, pw);
    const auto X = [&](double v) { return x0 + xa.fraction(v) * pw; };
    const auto Y = [&](double v) { return y0 + (1 - ya.fraction(v)) * ph; };

    out += "<g>\n";
    const std::string clip = "ctnn-plot-clip-" + std::to_string(id);
    out += "<defs><clipPath id=\"" + clip + "\"><rect x=\"" + px(x0) + "\" y=\"" + px(y0) + "\" width=\"" + px(pw) +
           "\" height=\"" + px(ph) + "\"/></clipPath></defs>\n";
    if (!title.empty())
        out += "<text x=\"" + px(x0 + pw / 2) + "\" y=\"" + px(y + 20) +
               "\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\" fill=\"#222222\">" + escape(title) +
               "</text>\n";

    // Grid: major lines darker than minor ones.
    out += "<g stroke-width=\"1\" shape-rendering=\"crispEdges\">\n";
    for (const auto& t : xa.ticks) {
        const double gx = X(t.value);
        if (gx < x0 - 0.5 || gx > x0 + pw + 0.5) continue;
        out += "<line x1=\"" + px(gx) + "\" y1=\"" + px(y0) + "\" x2=\"" + px(gx) + "\" y2=\"" + px(y0 + ph) +
               "\" stroke=\"" + (t.label.empty() ? "#f2f2f2" : "#dddddd") + "\"/>\n";
    }
    for (const auto& t : ya.ticks) {
        const double py = Y(t.value);
        if (py < y0 - 0.5 || py > y0 + ph + 0.5) continue;
        out += "<line x1=\"" + px(x0) + "\" y1=\"" + px(py) + "\" x2=\"" + px(x0 + pw) + "\" y2=\"" + px(py) +
               "\" stroke=\"" + (t.label.empty() ? "#f2f2f2" : "#dddddd") + "\"/>\n";
    }
    out += "</g>\n";

    // Tick labels.
    out += "<g fill=\"#333333\" font-size=\"" + px(tick_font) + "\">\n";
    // 10 with a raised exponent, or the label as it is.
    const auto label_text = [&](const detail::tick& t) {
        if (!t.power) return escape(t.label);
        return "10<tspan dy=\"-5\" font-size=\"" + px(tick_font * 0.75) + "\">" + std::to_string(t.exponent) +
               "</tspan>";
    };
    for (const auto& t : xa.ticks)
        if (!t.label.empty())
            out += "<text x=\"" + px(X(t.value)) + "\" y=\"" + px(y0 + ph + 17) + "\" text-anchor=\"middle\">" +
                   label_text(t) + "</text>\n";
    for (const auto& t : ya.ticks)
        if (!t.label.empty())
            out += "<text x=\"" + px(x0 - 6) + "\" y=\"" + px(Y(t.value) + 4) + "\" text-anchor=\"end\">" +
                   label_text(t) + "</text>\n";
    out += "</g>\n";
    if (!x_label.empty())
        out += "<text x=\"" + px(x0 + pw / 2) + "\" y=\"" + px(y0 + ph + 38) +
               "\" text-anchor=\"middle\" fill=\"#222222\">" + escape(x_label) + "</text>\n";
    if (!y_label.empty()) {
        const double lx = x + 16, ly = y0 + ph / 2;
        out += "<text x=\"" + px(lx) + "\" y=\"" + px(ly) + "\" transform=\"rotate(-90 " + px(lx) + " " + px(ly) +
               ")\" text-anchor=\"middle\" fill=\"#222222\">" + escape(y_label) + "</text>\n";
    }

    // Series: one polyline per run of plottable points.
    out += "<g clip-path=\"url(#" + clip + ")\" fill=\"none\" stroke-width=\"2\" stroke-linejoin=\"round\" "
           "stroke-linecap=\"round\">\n";
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const series& s = lines[i];
        const std::string colour =
            s.colour.empty() ? std::string(detail::palette[i % detail::palette.size()]) : escape(s.colour);
        const std::size_t n = std::min(s.x.size(), s.y.size());
        std::vector<std::pair<double, double>> run, dots;
        const auto flush = [&] {
            if (run.size() >= 2) {
                out += "<polyline class=\"series-" + std::to_string(i) + "\" stroke=\"" + colour + "\"" +
                       (s.dashed ? " stroke-dasharray=\"6 4\"" : "") + " points=\"";
                for (std::size_t k = 0; k < run.size(); ++k) {
                    if (k) out += ' ';
                    out += px(run[k].first) + "," + px(run[k].second);
                }
                out += "\"/>\n";
            }
            if (run.size() == 1 || (s.markers && !run.empty())) dots.insert(dots.end(), run.begin(), run.end());
            run.clear();
        };
        for (std::size_t k = 0; k < n; ++k) {
            if (detail::plottable(s.x[k], xa.log) && detail::plottable(s.y[k], ya.log))
                run.emplace_back(X(s.x[k]), Y(s.y[k]));
            else flush();
        }
        flush();
        for (const auto& [cx, cy] : dots)
            out += "<circle cx=\"" + px(cx) + "\" cy=\"" + px(cy) + "\" r=\"3\" fill=\"" + colour +
                   "\" stroke=\"none\"/>\n";
    }
    out += "</g>\n";
    out += "<rect x=\"" + px(x0) + "\" y=\"" + px(y0) + "\" width=\"" + px(pw) + "\" height=\"" + px(ph) +
           "\" fill=\"none\" stroke=\"#555555\" stroke-width=\"1\" shape-rendering=\"crispEdges\"/>\n";

    // Legend.
    for (const auto& e : legend) {
        const series& s = lines[e.index];
        const std::string colour =
            s.colour.empty() ? std::string(detail::palette[e.index % detail::palette.size()]) : escape(s.colour);
        const double ly = y + title_space + e.dy + legend_row / 2, lx = x0 + e.dx;
        out += "<line x1=\"" + px(lx) + "\" y1=\"" + px(ly) + "\" x2=\"" + px(lx + 24) + "\" y2=\"" + px(ly) +
               "\" stroke=\"" + colour + "\" stroke-width=\"2.5\"" + (s.dashed ? " stroke-dasharray=\"6 4\"" : "") +
               "/>\n";
        out += "<text x=\"" + px(lx + 30) + "\" y=\"" + px(ly + 4) + "\" fill=\"#222222\">" + escape(s.name) +
               "</text>\n";
    }
    out += "</g>\n";
}

inline std::string line_chart::to_svg() const {
    std::string out;
    detail::svg_begin(out, width, height, title);
    render(out, 0, 0, width, height, 0);
    out += "</svg>\n";
    return out;
}

inline std::string figure::to_svg() const {
    const std::size_t cols = std::max<std::size_t>(1, std::min(columns, std::max<std::size_t>(1, panels.size())));
    const std::size_t rows = (panels.size() + cols - 1) / cols;
    const double head = title.empty() ? 0 : 34;
    const double w = static_cast<double>(cols) * panel_width;
    const double h = head + static_cast<double>(std::max<std::size_t>(1, rows)) * panel_height;
    std::string out;
    detail::svg_begin(out, w, h, title);
    if (!title.empty())
        out += "<text x=\"" + detail::px(w / 2) +
               "\" y=\"24\" text-anchor=\"middle\" font-size=\"17\" font-weight=\"bold\" fill=\"#111111\">" +
               detail::escape(title) + "</text>\n";
    for (std::size_t i = 0; i < panels.size(); ++i)
        panels[i].render(out, static_cast<double>(i % cols) * panel_width,
                         head + static_cast<double>(i / cols) * panel_height, panel_width, panel_height, i);
    out += "</svg>\n";
    return out;
}

}  // namespace ctnn::plot
