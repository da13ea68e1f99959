// Training progress display (opt-in header: it allocates). Bar mode rewrites one terminal line with '\r':
//   epoch 3/10 [###.........] 600/1875  loss 0.4312  acc 0.912  9.6k/s  ETA 0:04
// at most 79 columns (fewer on a narrower terminal: the rate, the metric and the ETA give way, in that order;
// "samples/s" is written out when it fits), redrawn at most 10 times a second, the ETA from the current epoch's own
// rate; at the end of the epoch the line is replaced by the epoch's summary. Lines mode (output is a file or a pipe)
// writes only the summary, one plain line per epoch:
//   epoch 3/10  loss 0.4312  val_loss 0.4511  accuracy 0.912  val_accuracy 0.905  lr 0.001  12034 samples/s  1.2 s
// Absent values (NaN) are left out. Numbers are formatted with std::to_chars (independent of the C locale).
// Everything goes to the given stream only, flushed after each write. The clock is injectable for tests.
#pragma once

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#if defined(__unix__) || defined(__APPLE__)
#include <sys/ioctl.h>  // TIOCGWINSZ
#include <unistd.h>     // isatty
#endif

#include <ctnn/train/history.hpp>

namespace ctnn {

enum class progress_mode { automatic, bar, lines, none };  // automatic: bar on a terminal, else lines

class progress {
public:
    // Seconds from any fixed origin; must not go backwards.
    using clock_function = std::function<double()>;

    progress(progress_mode mode, std::FILE* stream, std::string metric_name, clock_function now = {})
        : mode_(resolve(mode, stream)),
          out_(stream),
          metric_(std::move(metric_name)),
          now_(std::move(now)),
          max_columns_(columns(stream)) {
        if (!now_)
            now_ = [] {
                return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
            };
    }

    progress_mode mode() const noexcept { return mode_; }

    void begin_epoch(std::size_t epoch, std::size_t epochs, std::size_t batches, std::size_t samples) {
        epoch_ = epoch;
        epochs_ = epochs;
        batches_ = batches;
        samples_ = samples;
        if (mode_ == progress_mode::none) return;
        start_ = now_();
        last_line_.clear();
        if (mode_ == progress_mode::bar) draw(bar_line(0, 0, nan(), nan(), start_), start_);
    }

    // After each batch; cheap when called every batch: redraws the bar at most ~10 times a second (bar mode only).
    void batch(std::size_t batches_done, std::size_t samples_done, double mean_loss_so_far, double metric_so_far) {
        if (mode_ != progress_mode::bar) return;
        const double t = now_();
        if (t - last_draw_ < redraw_interval && batches_done < batches_) return;
        draw(bar_line(batches_done, samples_done, mean_loss_so_far, metric_so_far, t), t);
    }

    // Bar: the line becomes the epoch's summary (below) and the cursor moves to the next line; lines: the summary.
    void end_epoch(const epoch_record& r) {
        if (mode_ == progress_mode::none) return;
        std::string line = summary_line(r);
        if (mode_ == progress_mode::bar) {
            line = "\r" + line + "\x1b[K\n";
            bar_visible_ = false;
            last_line_.clear();
        } else {
            line += '\n';
        }
        put(line);
    }

    // A line that does not break the bar (e.g. "early stopping: ..."): the bar is redrawn below it.
    void message(std::string_view line) {
        if (mode_ == progress_mode::none) return;
        std::string text;
        if (bar_visible_) text = "\r";
        text += line;
        if (bar_visible_) text += "\x1b[K";
        text += '\n';
        if (bar_visible_) text += last_line_ + "\x1b[K";
        put(text);
    }

    // The texts end_epoch and the bar show (also for tests and for callers who print elsewhere).
    std::string summary_line(const epoch_record& r) const {
        std::string s = "epoch " + std::to_string(r.epoch);
        if (epochs_ != 0) s += "/" + std::to_string(epochs_);
        s += "  loss " + general(r.train_loss, 4);
        if (!std::isnan(r.val_loss)) s += "  val_loss " + general(r.val_loss, 4);
        if (!metric_.empty() && !std::isnan(r.train_metric)) s += "  " + metric_ + " " + general(r.train_metric, 4);
        if (!metric_.empty() && !std::isnan(r.val_metric)) s += "  val_" + metric_ + " " + general(r.val_metric, 4);
        if (!std::isnan(r.lr)) s += "  lr " + general(r.lr, 4);
        if (r.seconds > 0 && samples_ > 0)
            s += "  " + fixed(static_cast<double>(samples_) / r.seconds, 0) + " samples/s";
        s += "  " + (r.seconds >= 1 ? fixed(r.seconds, 1) : general(r.seconds, 2)) + " s";
        return s;
    }

private:
    static constexpr double redraw_interval = 0.1;  // seconds
    static constexpr std::size_t default_columns = 79;  // one less than 80, so a terminal never wraps the line
    static constexpr std::size_t min_bar = 5;

    static double nan() { return std::numeric_limits<double>::quiet_NaN(); }

    // One less than the terminal's width when it is narrower than 80 columns, else 79.
    static std::size_t columns(std::FILE* stream) {
#if defined(__unix__) || defined(__APPLE__)
        winsize size{};
        if (stream != nullptr && ::ioctl(::fileno(stream), TIOCGWINSZ, &size) == 0 && size.ws_col >= 40 &&
            size.ws_col <= default_columns)
            return static_cast<std::size_t>(size.ws_col) - 1;
#endif
        (void)stream;
        return default_columns;
    }

    static progress_mode resolve(progress_mode mode, std::FILE* stream) {
        if (stream == nullptr) return progress_mode::none;
        if (mode != progress_mode::automatic) return mode;
#if defined(__unix__) || defined(__APPLE__)
        return ::isatty(::fileno(stream)) ? progress_mode::bar : progress_mode::lines;
#else
        return progress_mode::lines;
#endif
    }

    static std::string general(double v, int significant) {
        if (std::isnan(v)) return "nan";
        char buf[64];
        const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, significant);
        return r.ec == std::errc{} ? std::string(buf, r.ptr) : std::string("?");
    }
    static std::string fixed(double v, int decimals) {
        if (!std::isfinite(v)) return general(v, 4);
        char buf[400];
        const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, decimals);
        return r.ec == std::errc{} ? std::string(buf, r.ptr) : std::string("?");
    }
    // 950, 10.5k, 1.23M: three digits at most (999.7 is "1k", not "1e+03").
    static std::string rate(double per_second) {
        if (!(per_second < 999.5)) {
            for (const char* unit : {"k", "M", "G"}) {
                per_second /= 1e3;
                if (per_second < 999.5 || *unit == 'G') return general(per_second, 3) + unit;
            }
        }
        return fixed(per_second, 0);
    }
    // m:ss, or h:mm:ss from an hour on.
    static std::string clock_text(double seconds) {
        if (!(seconds < 1e7)) return "-:--";  // infinite, NaN or months away
        const long long s = std::llround(std::max(0.0, seconds));
        char buf[64];
        if (s >= 3600)
            std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
        else
            std::snprintf(buf, sizeof buf, "%lld:%02lld", s / 60, s % 60);
        return buf;
    }

    // The bar's width for this epoch, from a typical line, so that it does not jump while the numbers change.
    std::size_t bar_width() const {
        std::size_t typical = ("epoch " + std::to_string(epoch_) + "/" + std::to_string(epochs_) + " []").size() +
                              2 * std::to_string(batches_).size() + 2 + std::string_view("  loss 0.4312").size() +
                              std::string_view("  10.5k samples/s  ETA 0:07").size();
        if (!metric_.empty()) typical += 3 + metric_label().size() + std::string_view("0.9123").size();
        return std::clamp<std::size_t>(typical < max_columns_ ? max_columns_ - typical : 0, 12, 30);
    }
    std::string metric_label() const { return metric_ == "accuracy" ? "acc" : metric_; }

    std::string bar_line(std::size_t done, std::size_t samples_done, double loss, double metric, double t) const {
        const std::string head = "epoch " + std::to_string(epoch_) + "/" + std::to_string(epochs_) + " ";
        const std::string count = " " + std::to_string(done) + "/" + std::to_string(batches_);
        const std::string loss_text = std::isnan(loss) ? "" : "  loss " + general(loss, 4);
        const std::string metric_text =
            metric_.empty() || std::isnan(metric) ? "" : "  " + metric_label() + " " + general(metric, 4);
        const double elapsed = t - start_;
        std::string speed, short_speed, eta;
        if (done > 0 && elapsed > 0) {
            const std::string r = rate(static_cast<double>(samples_done) / elapsed);
            speed = "  " + r + " samples/s";
            short_speed = "  " + r + "/s";
            if (done < batches_)
                eta = "  ETA " + clock_text(elapsed / static_cast<double>(done) * static_cast<double>(batches_ - done));
        }
        // The first text that fits beside the full bar: "10.5k/s" for "10.5k samples/s" first; then, with a bar
        // shrunk down to min_bar, without the rate, the metric, the ETA; the last resort is cut.
        const std::string tails[] = {loss_text + metric_text + speed + eta, loss_text + metric_text + short_speed + eta,
                                     loss_text + metric_text + eta, loss_text + eta, loss_text};
        const std::size_t fixed_len = head.size() + 2 + count.size();  // 2: the brackets
        const auto fits = [&](const std::string& text, std::size_t bar) {
            return fixed_len + text.size() + bar <= max_columns_;
        };
        const std::size_t full = bar_width();
        std::size_t i = fits(tails[0], full) ? 0 : 1;
        while (i > 0 && i < 4 && !fits(tails[i], min_bar)) ++i;
        const std::string& tail = tails[i];
        const std::size_t width =
            fits(tail, min_bar) ? std::min(full, max_columns_ - fixed_len - tail.size()) : min_bar;
        const std::size_t filled =
            batches_ == 0 ? width : std::min(width, width * std::min(done, batches_) / batches_);
        std::string line =
            head + "[" + std::string(filled, '#') + std::string(width - filled, '.') + "]" + count + tail;
        if (line.size() > max_columns_) line.resize(max_columns_);
        return line;
    }

    void draw(std::string line, double t) {
        last_draw_ = t;
        last_line_ = std::move(line);
        bar_visible_ = true;
        put("\r" + last_line_ + "\x1b[K");
    }

    void put(const std::string& text) {
        std::fwrite(text.data(), 1, text.size(), out_);
        std::fflush(out_);
    }

    progress_mode mode_;
    std::FILE* out_;
    std::string metric_;
    clock_function now_;
    std::size_t max_columns_;
    std::size_t epoch_ = 0, epochs_ = 0, batches_ = 0, samples_ = 0;
    double start_ = 0, last_draw_ = -1e300;
    bool bar_visible_ = false;
    std::string last_line_;
};

}  // namespace ctnn
