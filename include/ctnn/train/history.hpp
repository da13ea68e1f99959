// Training history: one record per epoch (train / validation loss and metric, learning rate, wall time), written
// as CSV and as an SVG chart of the training curves (opt-in header: it allocates and throws).
//   h.write_csv("history.csv");   // epoch,train_loss,val_loss,train_accuracy,val_accuracy,lr,seconds
//   h.write_svg("history.svg");   // loss panel (train + validation) and, with a metric, a metric panel
//   auto h2 = ctnn::history::read_csv("history.csv");
// NaN means "absent" (no validation data, no metric, no learning rate): an empty CSV cell, no curve point.
// The metric columns exist only when metric_name is not empty. Numbers are written with std::to_chars in their
// shortest round-trip form, so read_csv gives back the same doubles. Files are replaced atomically.
#pragma once

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <ctnn/io/atomic_file.hpp>
#include <ctnn/plot/svg_chart.hpp>

namespace ctnn {

struct epoch_record {
    std::size_t epoch = 0;  // 1-based
    double train_loss = 0;
    double val_loss = std::numeric_limits<double>::quiet_NaN();      // NaN: no validation data
    double train_metric = std::numeric_limits<double>::quiet_NaN();  // NaN: no metric
    double val_metric = std::numeric_limits<double>::quiet_NaN();
    double lr = std::numeric_limits<double>::quiet_NaN();
    double seconds = 0;  // wall time of the epoch
};

struct history {
    std::string metric_name;  // "" (none), "accuracy", "mae", ...
    std::vector<epoch_record> epochs;

    void write_csv(const std::filesystem::path& file) const { detail::write_file_atomically(file, to_csv()); }
    void write_svg(const std::filesystem::path& file, std::string_view title = "Training curves") const {
        chart(title).write(file);
    }
    static history read_csv(const std::filesystem::path& file);

    // The text write_csv writes.
    std::string to_csv() const;
    // The figure write_svg writes: the loss panel (log scale when the loss spans more than two decades) and, with
    // a metric, the metric panel beside it.
    plot::figure chart(std::string_view title = "Training curves") const;
};

namespace detail {

// Shortest text that reads back as the same double; "" for NaN (an absent value).
inline std::string csv_number(double v) {
    if (std::isnan(v)) return {};
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

inline std::vector<std::string> split_csv_line(std::string_view line) {
    std::vector<std::string> cells;
    std::size_t start = 0;
    for (;;) {
        const auto comma = line.find(',', start);
        const auto length = comma == std::string_view::npos ? std::string_view::npos : comma - start;
        cells.emplace_back(line.substr(start, length));
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    for (auto& c : cells) {  // tolerate spaces around values
        const auto b = c.find_first_not_of(" \t");
        const auto e = c.find_last_not_of(" \t");
        c = b == std::string::npos ? std::string() : c.substr(b, e - b + 1);
    }
    return cells;
}

}  // namespace detail

inline std::string history::to_csv() const {
    using detail::csv_number;
    const bool metric = !metric_name.empty();
    std::string out = "epoch,train_loss,val_loss";
    if (metric) out += ",train_" + metric_name + ",val_" + metric_name;
    out += ",lr,seconds\n";
    for (const auto& e : epochs) {
        out += std::to_string(e.epoch) + ',' + csv_number(e.train_loss) + ',' + csv_number(e.val_loss);
        if (metric) out += ',' + csv_number(e.train_metric) + ',' + csv_number(e.val_metric);
        out += ',' + csv_number(e.lr) + ',' + csv_number(e.seconds) + '\n';
    }
    return out;
}

inline history history::read_csv(const std::filesystem::path& file) {
    const std::string name = file.string();
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error(name + ": cannot open the file");
    const auto fail = [&](std::size_t line, const std::string& what) {
        return std::runtime_error(name + ":" + std::to_string(line) + ": " + what);
    };

    std::string line;
    std::size_t line_no = 1;
    if (!std::getline(in, line)) throw fail(1, "the file is empty (expected the header line)");
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto header = detail::split_csv_line(line);

    history h;
    // Column index of each field, or npos.
    constexpr auto npos = std::string::npos;
    std::size_t col_epoch = npos, col_train = npos, col_val = npos, col_tm = npos, col_vm = npos, col_lr = npos,
                col_sec = npos;
    for (std::size_t i = 0; i < header.size(); ++i) {
        const std::string& c = header[i];
        std::size_t* slot = nullptr;
        if (c == "epoch") slot = &col_epoch;
        else if (c == "train_loss") slot = &col_train;
        else if (c == "val_loss") slot = &col_val;
        else if (c == "lr") slot = &col_lr;
        else if (c == "seconds") slot = &col_sec;
        else if (c.rfind("train_", 0) == 0 && h.metric_name.empty()) {
            h.metric_name = c.substr(6);
            slot = &col_tm;
        } else if (c.rfind("val_", 0) == 0 && c.substr(4) == h.metric_name) slot = &col_vm;
        else throw fail(1, "unexpected column \"" + c + "\"");
        if (*slot != npos) throw fail(1, "column \"" + c + "\" appears twice");
        *slot = i;
    }
    if (col_epoch == npos || col_train == npos)
        throw fail(1, "the header must have the columns epoch and train_loss");

    while (std::getline(in, line)) {
        ++line_no;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        const auto cells = detail::split_csv_line(line);
        if (cells.size() != header.size())
            throw fail(line_no, "expected " + std::to_string(header.size()) + " cells, found " +
                                    std::to_string(cells.size()));
        const auto number = [&](std::size_t col) {
            if (col == npos || cells[col].empty()) return std::numeric_limits<double>::quiet_NaN();
            const std::string& s = cells[col];
            if (s == "inf" || s == "-inf")
                return s[0] == '-' ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
            double v = 0;
            const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
            if (r.ec != std::errc{} || r.ptr != s.data() + s.size())
                throw fail(line_no, header[col] + ": \"" + s + "\" is not a number");
            return v;
        };
        epoch_record e;
        {
            const std::string& s = cells[col_epoch];
            unsigned long long v = 0;
            const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
            if (s.empty() || r.ec != std::errc{} || r.ptr != s.data() + s.size())
                throw fail(line_no, "epoch: \"" + s + "\" is not a whole number");
            e.epoch = static_cast<std::size_t>(v);
        }
        e.train_loss = number(col_train);
        e.val_loss = number(col_val);
        e.train_metric = number(col_tm);
        e.val_metric = number(col_vm);
        e.lr = number(col_lr);
        const double sec = number(col_sec);
        e.seconds = std::isnan(sec) ? 0 : sec;
        h.epochs.push_back(e);
    }
    if (in.bad()) throw std::runtime_error(name + ": read error");
    return h;
}

inline plot::figure history::chart(std::string_view title) const {
    const auto panel = [&](const std::string& name, double epoch_record::*train, double epoch_record::*val,
                           bool log_if_wide) {
        plot::line_chart c;
        c.title = name;
        c.x_label = "epoch";
        c.y_label = name;
        c.integer_x = true;
        // Epochs without a value (e.g. validation every few epochs) are left out, so the curve joins the others.
        std::vector<double> xt, yt, xv, yv;
        for (const auto& e : epochs) {
            if (!std::isnan(e.*train)) {
                xt.push_back(static_cast<double>(e.epoch));
                yt.push_back(e.*train);
            }
            if (!std::isnan(e.*val)) {
                xv.push_back(static_cast<double>(e.epoch));
                yv.push_back(e.*val);
            }
        }
        const bool markers = epochs.size() <= 40;  // dots help reading short runs
        // A loss falling over more than two decades (typical for regression) reads better on a log axis.
        double lo = std::numeric_limits<double>::infinity(), hi = 0;
        bool positive = true;
        for (const auto& v : {&yt, &yv})
            for (const double y : *v)
                if (std::isfinite(y)) {
                    positive = positive && y > 0;
                    lo = std::min(lo, y);
                    hi = std::max(hi, y);
                }
        c.log_y = log_if_wide && positive && lo > 0 && hi / lo > 100;
        c.add("train", xt, yt).markers = markers;
        if (!xv.empty()) c.add("validation", xv, yv).markers = markers;
        return c;
    };
    plot::figure f;
    f.title = std::string(title);
    f.panels.push_back(panel("loss", &epoch_record::train_loss, &epoch_record::val_loss, true));
    if (!metric_name.empty())
        f.panels.push_back(panel(metric_name, &epoch_record::train_metric, &epoch_record::val_metric, false));
    f.columns = 2;
    return f;
}

}  // namespace ctnn
