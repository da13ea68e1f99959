// ctnn::progress: the exact text of lines mode and bar mode (with an injected clock), redraw rate limiting, ETA,
// messages under a bar, silence in none mode, and the automatic choice between bar and lines.
#include <ctnn/train/progress.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#if defined(__linux__)
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <stdlib.h>  // posix_openpt, grantpt, unlockpt, ptsname
#include <unistd.h>
#endif

#include "support/epoch_record.hpp"

namespace {

constexpr double absent = std::numeric_limits<double>::quiet_NaN();

// A temporary file standing in for stderr; text() is everything written so far.
struct capture {
    std::FILE* file = std::tmpfile();
    capture() { REQUIRE(file != nullptr); }
    ~capture() { std::fclose(file); }
    capture(const capture&) = delete;
    capture& operator=(const capture&) = delete;
    std::string text() const {
        std::fflush(file);
        const long end = std::ftell(file);
        std::string s(static_cast<std::size_t>(end), '\0');
        std::rewind(file);
        const std::size_t got = std::fread(s.data(), 1, s.size(), file);
        s.resize(got);
        std::fseek(file, 0, SEEK_END);
        return s;
    }
};

using ctnn_test::record;

std::size_t count(const std::string& text, char c) {
    std::size_t n = 0;
    for (const char x : text) n += x == c;
    return n;
}

}  // namespace

TEST_CASE("progress lines mode: one plain line per epoch, absent values left out") {
    capture out;
    double t = 0;
    ctnn::progress p(ctnn::progress_mode::lines, out.file, "accuracy", [&] { return t; });
    CHECK(p.mode() == ctnn::progress_mode::lines);
    p.begin_epoch(1, 2, 10, 320);
    for (std::size_t b = 1; b <= 10; ++b) {
        t += 0.05;
        p.batch(b, 32 * b, 0.5, 0.75);
    }
    CHECK(out.text().empty());  // nothing during the epoch
    p.end_epoch(record(1, 0.5, 0.625, 0.75, 0.8125, 0.001, 0.5));
    p.begin_epoch(2, 2, 10, 320);
    p.message("early stopping: val_loss did not improve for 3 epochs");
    p.end_epoch(record(2, 0.4312, absent, 0.912, absent, absent, 12.34));
    CHECK(out.text() ==
          "epoch 1/2  loss 0.5  val_loss 0.625  accuracy 0.75  val_accuracy 0.8125  lr 0.001  640 samples/s  0.5 s\n"
          "early stopping: val_loss did not improve for 3 epochs\n"
          "epoch 2/2  loss 0.4312  accuracy 0.912  26 samples/s  12.3 s\n");
}

TEST_CASE("progress lines mode without a metric ignores metric values") {
    capture out;
    ctnn::progress p(ctnn::progress_mode::lines, out.file, "", [] { return 0.0; });
    p.begin_epoch(7, 100, 4, 1000);
    p.end_epoch(record(7, 12345.678, 23456.5, 0.5, 0.5, 0.0001, 2));
    CHECK(out.text() == "epoch 7/100  loss 1.235e+04  val_loss 2.346e+04  lr 0.0001  500 samples/s  2.0 s\n");
}

TEST_CASE("progress bar mode: exact lines, redraws limited, ETA from the epoch's rate, summary at the end") {
    capture out;
    double t = 0;
    ctnn::progress p(ctnn::progress_mode::bar, out.file, "accuracy", [&] { return t; });
    CHECK(p.mode() == ctnn::progress_mode::bar);

    p.begin_epoch(3, 10, 1875, 60000);
    const std::string begin = "\repoch 3/10 [............] 0/1875\x1b[K";
    CHECK(out.text() == begin);

    t = 0.0625;  // < 0.1 s after the last drawing: not redrawn
    p.batch(20, 640, 0.5, 0.75);
    CHECK(out.text() == begin);

    t = 2;  // 600 batches in 2 s: 9600 samples/s, 1275 batches left -> 4.25 s
    p.batch(600, 19200, 0.4312, 0.912);
    // The full "samples/s" would make the line 84 columns; "/s" keeps it under 80.
    const std::string at600 = "\repoch 3/10 [###.........] 600/1875  loss 0.4312  acc 0.912  9.6k/s  ETA 0:04\x1b[K";
    CHECK(out.text() == begin + at600);

    p.message("checkpoint saved");  // above the bar, which is drawn again
    const std::string msg = "\rcheckpoint saved\x1b[K\n" + at600.substr(1);
    CHECK(out.text() == begin + at600 + msg);

    t = 2.0625;
    p.batch(610, 19520, 0.43, 0.91);
    CHECK(out.text() == begin + at600 + msg);

    t = 6.5;  // the last batch is always drawn: 60000 / 6.5 s = 9231 samples/s
    p.batch(1875, 60000, 0.4, 0.9);
    const std::string last = "\repoch 3/10 [############] 1875/1875  loss 0.4  acc 0.9  9.23k samples/s\x1b[K";
    CHECK(out.text() == begin + at600 + msg + last);

    p.end_epoch(record(3, 0.4, 0.45, 0.9, 0.88, 0.001, 6.5));
    const std::string summary =
        "\repoch 3/10  loss 0.4  val_loss 0.45  accuracy 0.9  val_accuracy 0.88  lr 0.001  9231 samples/s  6.5 s"
        "\x1b[K\n";
    CHECK(out.text() == begin + at600 + msg + last + summary);

    // After the epoch's line is finished, a message is a plain line (no bar to redraw).
    p.message("done");
    CHECK(out.text() == begin + at600 + msg + last + summary + "done\n");

    // Every bar line fits 80 columns (the summary may be longer: it is not redrawn).
    std::string line;
    std::size_t bars = 0;
    for (const char c : out.text() + "\n") {
        if (c != '\r' && c != '\n') {
            line += c;
            continue;
        }
        if (line.size() >= 3 && line.compare(line.size() - 3, 3, "\x1b[K") == 0) line.resize(line.size() - 3);
        if (line.rfind("epoch 3/10 [", 0) == 0) {
            ++bars;
            CHECK(line.size() <= 79);
        }
        line.clear();
    }
    CHECK(bars == 4);
}

TEST_CASE("progress bar mode: at most about 10 redraws a second, whatever the batch rate") {
    capture out;
    double t = 0;
    ctnn::progress p(ctnn::progress_mode::bar, out.file, "", [&] { return t; });
    constexpr std::size_t batches = 1000;
    p.begin_epoch(1, 1, batches, batches * 8);
    // Reference: a drawing when 0.1 s have passed since the previous one, and at the last batch.
    std::size_t expected = 1;  // begin_epoch draws the empty bar
    double last = 0;
    for (std::size_t b = 1; b <= batches; ++b) {
        t = static_cast<double>(b) / 128;  // exact binary fractions: no rounding in the comparisons
        p.batch(b, 8 * b, 1.0, absent);
        if (t - last >= 0.1 || b == batches) {
            ++expected;
            last = t;
        }
    }
    const std::string text = out.text();
    CHECK(count(text, '\r') == expected);
    CHECK(expected <= 1 + static_cast<std::size_t>(batches / 128.0 / 0.1) + 1);  // ~10 a second
    CHECK(count(text, '\n') == 0);
    CHECK(text.find("1000/1000  loss 1  1.02k samples/s\x1b[K") != std::string::npos);
}

TEST_CASE("progress bar mode: hours in the ETA, no metric, no rate before the first batch") {
    capture out;
    double t = 0;
    ctnn::progress p(ctnn::progress_mode::bar, out.file, "", [&] { return t; });
    p.begin_epoch(1, 1, 100, 3200);
    t = 40;  // 40 s for 1 batch, 99 left: 3960 s
    p.batch(1, 32, 1.5, 0.25);
    CHECK(out.text() == "\repoch 1/1 [...................] 0/100\x1b[K"
                        "\repoch 1/1 [...................] 1/100  loss 1.5  1 samples/s  ETA 1:06:00\x1b[K");
}

TEST_CASE("progress bar mode: the rate has at most three digits and a unit") {
    const auto rate_shown = [](std::size_t samples_done, double seconds) {
        capture out;
        double t = 0;
        ctnn::progress p(ctnn::progress_mode::bar, out.file, "", [&] { return t; });
        p.begin_epoch(1, 1, 10, 100000000);
        t = seconds;
        p.batch(1, samples_done, 0.5, absent);
        const std::string text = out.text();
        const auto end = text.find(" samples/s");
        REQUIRE(end != std::string::npos);
        const auto begin = text.rfind("  ", end);
        return text.substr(begin + 2, end - begin - 2);
    };
    CHECK(rate_shown(3, 4) == "1");  // 0.75 samples/s
    CHECK(rate_shown(950, 1) == "950");
    CHECK(rate_shown(9997, 10) == "1k");  // 999.7: rounds up to the next unit, not "1000"
    CHECK(rate_shown(12345, 1) == "12.3k");
    CHECK(rate_shown(999600, 1) == "1M");
    CHECK(rate_shown(2500000, 1) == "2.5M");
    CHECK(rate_shown(500000000, 0.125) == "4G");
}

TEST_CASE("progress none mode and a null stream print nothing") {
    capture out;
    ctnn::progress p(ctnn::progress_mode::none, out.file, "accuracy", [] { return 1.0; });
    p.begin_epoch(1, 2, 3, 4);
    p.batch(1, 2, 0.5, 0.5);
    p.batch(3, 4, 0.5, 0.5);
    p.message("early stopping");
    p.end_epoch(record(1, 0.5, 0.5, 0.5, 0.5, 0.1, 1));
    CHECK(out.text().empty());

    ctnn::progress q(ctnn::progress_mode::bar, nullptr, "accuracy");
    CHECK(q.mode() == ctnn::progress_mode::none);
    q.begin_epoch(1, 1, 1, 1);
    q.batch(1, 1, 0.5, 0.5);
    q.message("nothing");
    q.end_epoch(record(1, 0.5, 0.5, 0.5, 0.5, 0.1, 1));
}

TEST_CASE("progress automatic mode: lines for a file, a bar for a terminal") {
    capture out;
    CHECK(ctnn::progress(ctnn::progress_mode::automatic, out.file, "").mode() == ctnn::progress_mode::lines);
#if defined(__linux__)
    // A pseudo-terminal is a terminal to isatty().
    const int master = ::posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0) {
        WARN("no pseudo-terminal available; the terminal half of this test is skipped");
    } else {
        const int slave = ::open(::ptsname(master), O_RDWR | O_NOCTTY);
        REQUIRE(slave >= 0);
        std::FILE* tty = ::fdopen(slave, "w");
        REQUIRE(tty != nullptr);
        CHECK(ctnn::progress(ctnn::progress_mode::automatic, tty, "").mode() == ctnn::progress_mode::bar);

        // A terminal narrower than 80 columns: the bar stays within its width.
        winsize size{};
        size.ws_col = 50;
        size.ws_row = 24;
        REQUIRE(::ioctl(master, TIOCSWINSZ, &size) == 0);
        double t = 0;
        ctnn::progress p(ctnn::progress_mode::automatic, tty, "accuracy", [&] { return t; });
        p.begin_epoch(12, 100, 60000, 1920000);
        t = 3;
        p.batch(25000, 800000, 0.123456, 0.987654);
        std::fclose(tty);
        // A pty hands data over asynchronously: read until both drawings have arrived (or a second has passed).
        std::string text;
        for (int wait = 0; wait < 100 && std::count(text.begin(), text.end(), '\r') < 2; ++wait) {
            pollfd ready{master, POLLIN, 0};
            if (::poll(&ready, 1, 10) <= 0) continue;
            char chunk[4096];
            const auto got = ::read(master, chunk, sizeof chunk);
            if (got > 0) text.append(chunk, static_cast<std::size_t>(got));
        }
        std::size_t longest = 0, bars = 0, start = 0;
        for (std::size_t k = 0; k <= text.size(); ++k)
            if (k == text.size() || text[k] == '\r' || text[k] == '\n') {
                std::string line = text.substr(start, k - start);
                if (line.size() >= 3 && line.compare(line.size() - 3, 3, "\x1b[K") == 0) line.resize(line.size() - 3);
                bars += line.rfind("epoch 12/100 [", 0) == 0;
                longest = std::max(longest, line.size());
                start = k + 1;
            }
        CHECK(bars == 2);
        CHECK(longest <= 49);
    }
    if (master >= 0) ::close(master);
#endif
}
