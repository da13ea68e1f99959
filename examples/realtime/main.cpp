// The real-time example: a generated network called from an audio callback at a fixed rate.
//   realtime_waveshaper_<target> [--blocks N] [--priority P] [--reference REFERENCE.txt]
// A dedicated thread (SCHED_FIFO when permitted) wakes every block period (64 samples at 48 kHz: 1333 us) with
// clock_nanosleep(TIMER_ABSTIME), runs the callback (waveshaper.hpp) on the next block of a test signal, and
// hands its timing to the main thread through a lock-free ring. At the end the program prints blocks processed,
// deadline misses, worst and mean callback time, and checks the outputs: every block identical to the callback
// run again outside the loop, the network within 1e-5 of the library's outputs (--reference, written by
// realtime_train) and close to the distortion curve. Exits non-zero only on wrong output: timing is reported,
// never judged (CI machines are noisy).
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <pthread.h>

#include "curve.hpp"
#include "denormals.hpp"
#include "realtime_thread.hpp"
#include "spsc_ring.hpp"
#include "waveshaper.hpp"

#ifndef REALTIME_TARGET
#define REALTIME_TARGET "?"
#endif

namespace {

using realtime::block;
using realtime::block_size;

constexpr long long period_ns = 1000000000LL * static_cast<long long>(block_size) / realtime::sample_rate;

// What the audio thread reports per block.
struct block_timing {
    long long late_ns;      // woke up this long after the block's start time
    long long callback_ns;  // the callback took this long
    bool missed;            // finished after the deadline (the start time plus one period)
};

// Everything the audio thread touches, set up before it starts.
struct audio_context {
    realtime::waveshaper shaper;
    const block* input = nullptr;  // what the sound card would deliver, block by block
    block* output = nullptr;       // and where the processed blocks go
    std::size_t blocks = 0;
    realtime::spsc_ring<block_timing, 256> timings;
    std::atomic<std::size_t> dropped{0};  // records the ring had no room for
    std::atomic<bool> done{false};
};

audio_context context;  // static storage: the ring is not on any stack

// The audio thread: the fixed-rate loop a driver would run, around the callback.
void* audio_thread(void* arg) noexcept {
    audio_context& c = *static_cast<audio_context*>(arg);
    const realtime::denormals_off ftz;
    realtime::prefault_stack();
    long long start = realtime::now_ns() + period_ns;
    for (std::size_t b = 0; b < c.blocks; ++b) {
        realtime::sleep_until_ns(start);
        const long long t0 = realtime::now_ns();
        c.shaper.process(c.input[b], c.output[b]);  // the callback
        const long long t1 = realtime::now_ns();
        if (!c.timings.try_push(block_timing{t0 - start, t1 - t0, t1 > start + period_ns}))
            c.dropped.fetch_add(1, std::memory_order_relaxed);
        start += period_ns;
        // More than a whole period behind (the thread was not scheduled): continue from now, as a driver
        // would after an underrun, instead of running the missed blocks back to back.
        if (t1 > start + period_ns) start = t1;
    }
    c.done.store(true, std::memory_order_release);
    return nullptr;
}

// The main thread's summary of the records.
struct summary {
    std::size_t blocks = 0, misses = 0;
    long long worst_callback = 0, total_callback = 0, worst_late = 0, total_late = 0;
    void add(const block_timing& t) {
        ++blocks;
        misses += t.missed ? 1 : 0;
        worst_callback = std::max(worst_callback, t.callback_ns);
        total_callback += t.callback_ns;
        worst_late = std::max(worst_late, t.late_ns);
        total_late += t.late_ns;
    }
};

// Drains the ring every few milliseconds until the audio thread is done.
summary collect(audio_context& c) {
    summary s;
    block_timing t;
    for (;;) {
        const bool done = c.done.load(std::memory_order_acquire);  // read before draining: nothing is missed
        while (c.timings.try_pop(t)) s.add(t);
        if (done) return s;
        const timespec pause{0, 5000000};
        nanosleep(&pause, nullptr);
    }
}

// The test signal: a 110 Hz sine whose amplitude rises from 0.05 to 1.6, past the clamp at 1.5.
void make_signal(std::vector<block>& signal) {
    constexpr double pi = 3.14159265358979323846;
    const double total = static_cast<double>(signal.size() * block_size);
    for (std::size_t b = 0; b < signal.size(); ++b)
        for (std::size_t n = 0; n < block_size; ++n) {
            const double k = static_cast<double>(b * block_size + n);
            const double amplitude = 0.05 + 1.55 * k / total;
            signal[b][n] = static_cast<float>(amplitude * std::sin(2 * pi * 110.0 * k / realtime::sample_rate));
        }
}

float network(float x) {
    const float in[1] = {x};
    float out[1];
    waveshaper_model::forward(in, out);
    return out[0];
}

// Largest |network - library| over the points of the reference file; -1 if it cannot be read.
double reference_difference(const char* path, std::size_t& points) {
    std::FILE* f = std::fopen(path, "r");
    if (f == nullptr) return -1;
    double worst = 0;
    points = 0;
    char line[128];
    while (std::fgets(line, sizeof line, f) != nullptr) {
        float x, y;
        if (line[0] == '#') continue;
        if (std::sscanf(line, "%f %f", &x, &y) != 2) {
            points = 0;
            break;
        }
        worst = std::max(worst, std::fabs(static_cast<double>(network(x)) - static_cast<double>(y)));
        ++points;
    }
    std::fclose(f);
    return points == waveshaper_curve::grid_points ? worst : -1;
}

double us(long long ns) { return static_cast<double>(ns) / 1000.0; }
double percent(double ns) { return 100.0 * ns / static_cast<double>(period_ns); }

}  // namespace

int main(int argc, char** argv) {
    long long blocks = realtime::sample_rate / static_cast<long long>(block_size);  // one second
    int priority = 80;
    const char* reference = nullptr;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--blocks") == 0 && i + 1 < argc) {
            blocks = std::atoll(argv[++i]);
        } else if (std::strcmp(argv[i], "--priority") == 0 && i + 1 < argc) {
            priority = std::atoi(argv[++i]);
        } else if (std::strcmp(argv[i], "--reference") == 0 && i + 1 < argc) {
            reference = argv[++i];
        } else {
            blocks = 0;
            break;
        }
    }
    if (blocks < 1 || blocks > 100000 || priority < 1 || priority > 99) {
        std::fprintf(stderr, "usage: realtime_waveshaper [--blocks 1..100000] [--priority 1..99] "
                             "[--reference REFERENCE.txt]\n");
        return 2;
    }

    // 1. Before the loop: every buffer allocated and filled, memory locked.
    std::vector<block> input(static_cast<std::size_t>(blocks)), output(input.size());
    make_signal(input);
    context.input = input.data();
    context.output = output.data();
    context.blocks = input.size();
    context.shaper.drive = 1.0f;
    context.shaper.level = 0.9f;
    char memory[128], scheduling[128];
    realtime::lock_memory(memory);

    std::printf("Neural waveshaper 1 -> 8 tanh -> 8 tanh -> 1, generated header (%s target)\n", REALTIME_TARGET);
    std::printf("blocks of %zu samples at %ld Hz: one callback every %.1f us\n", block_size, realtime::sample_rate,
                us(period_ns));

    // 2. The loop, on its own thread; this thread only collects the timings.
    pthread_t thread;
    if (const int error = realtime::start_thread(thread, audio_thread, &context, priority, 256 * 1024, scheduling)) {
        std::fprintf(stderr, "realtime_waveshaper: cannot start the audio thread: %s\n", std::strerror(error));
        return 1;
    }
    const summary s = collect(context);
    pthread_join(thread, nullptr);

    // 3. The report. Timing is printed, never judged.
    const std::size_t dropped = context.dropped.load();
    std::printf("audio thread: %s; memory %s; denormals: %s\n", scheduling, memory, realtime::denormals_off::how());
    std::printf("blocks processed: %zu (timing records dropped: %zu)\n", s.blocks + dropped, dropped);
    std::printf("deadline misses: %zu\n", s.misses);
    if (s.blocks > 0) {
        const double mean = static_cast<double>(s.total_callback) / static_cast<double>(s.blocks);
        std::printf("callback time: worst %.2f us (%.2f%% of the period), mean %.2f us (%.2f%%)\n",
                    us(s.worst_callback), percent(static_cast<double>(s.worst_callback)), mean / 1000.0,
                    percent(mean));
        std::printf("wake-up latency: worst %.1f us, mean %.1f us\n", us(s.worst_late),
                    static_cast<double>(s.total_late) / static_cast<double>(s.blocks) / 1000.0);
    }

    // 4. The checks: the only reasons to fail.
    int problems = 0;
    if (s.blocks + dropped != input.size()) {
        std::printf("FAIL: %zu blocks reported, %zu expected\n", s.blocks + dropped, input.size());
        ++problems;
    }
    std::size_t differ = 0;
    {
        const realtime::denormals_off ftz;  // as in the audio thread
        block expected;
        for (std::size_t b = 0; b < input.size(); ++b) {
            context.shaper.process(input[b], expected);
            differ += expected == output[b] ? 0 : 1;
        }
    }
    std::printf("output: %zu samples, %s\n", output.size() * block_size,
                differ == 0 ? "each identical to the callback run again outside the loop" : "DIFFERENT");
    if (differ != 0) {
        std::printf("FAIL: %zu blocks differ from the callback run outside the loop\n", differ);
        ++problems;
    }
    if (reference != nullptr) {
        constexpr double bound = 1e-5;
        std::size_t points = 0;
        const double d = reference_difference(reference, points);
        if (d < 0) {
            std::printf("FAIL: %s: cannot read %zu reference points (written by realtime_train --reference)\n",
                        reference, waveshaper_curve::grid_points);
            ++problems;
        } else {
            std::printf("generated header vs the library: largest difference %.2g on %zu points (bound %g)\n", d,
                        points, bound);
            if (!(d <= bound)) ++problems;
        }
    }
    double curve = 0;
    for (std::size_t k = 0; k < waveshaper_curve::grid_points; ++k) {
        const float x = waveshaper_curve::grid(k);
        curve = std::max(curve, std::fabs(static_cast<double>(network(x) - waveshaper_curve::target(x))));
    }
    std::printf("generated header vs the distortion curve: largest error %.4f (bound %.3f)\n", curve,
                static_cast<double>(waveshaper_curve::max_error));
    if (!(curve <= static_cast<double>(waveshaper_curve::max_error))) ++problems;
    if (problems != 0) std::printf("FAILED: %d problem(s)\n", problems);
    return problems == 0 ? 0 : 1;
}
