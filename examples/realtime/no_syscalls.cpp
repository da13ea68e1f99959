// Test: the real-time example's callback (waveshaper.hpp: the generated forward over a whole block) makes no heap
// allocation, takes no lock and makes no system call.
//   - No system call: the callback runs over many blocks in a forked child that first installs a seccomp filter
//     allowing only exit_group (sandbox.cpp); any other system call kills it with SIGSYS. Run twice: as the first
//     call of the process (lazy symbol binding of tanhf, first touch of the weights and the stack) and warm. The
//     child hands its outputs back through memory shared before the fork, and they must equal the parent's.
//   - No allocation, no lock: counting.cpp replaces malloc and friends, operator new/delete and the lock functions
//     with counting versions; the counts must not change while the callback runs.
//   - Neither check passes vacuously: children that call getpid(), write() or malloc(64 MiB) (mmap) must die
//     with SIGSYS, one that calls nothing must exit 0, and a deliberate new, malloc, std::mutex lock ... must be
//     counted.
// Exits 0 on success, 1 on a failure, 77 (ctest's SKIP_RETURN_CODE) where the sandbox cannot run.
#include <array>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <mutex>
#include <new>
#include <shared_mutex>
#include <utility>

#include <semaphore.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "counting.hpp"
#include "curve.hpp"
#include "sandbox.hpp"
#include "waveshaper.hpp"

#ifndef REALTIME_TARGET
#define REALTIME_TARGET "?"
#endif

namespace {

using realtime::block;
using realtime::block_size;

static_assert(noexcept(std::declval<const realtime::waveshaper&>().process(std::declval<const block&>(),
                                                                              std::declval<block&>())),
              "the callback must be noexcept");

constexpr std::size_t blocks = 1000;  // 64000 samples, 1.3 s of audio

// The child's input and output, shared with the parent (the output is the only way back).
struct shared_buffers {
    block input[blocks];
    block output[blocks];
};

realtime::waveshaper shaper;  // configured in main, before any fork

void run_callback(void* arg) {
    shared_buffers& s = *static_cast<shared_buffers*>(arg);
    for (std::size_t b = 0; b < blocks; ++b) shaper.process(s.input[b], s.output[b]);
}

// Bodies that must die in the sandbox, or must not. Results go to volatile variables so that nothing is elided.
volatile long sink;
void call_getpid(void*) { sink = syscall(SYS_getpid); }
void call_write(void*) { sink = write(STDOUT_FILENO, "", 0); }
void allocate_64_mib(void*) {
    void* volatile p = std::malloc(64u << 20);  // above glibc's largest mmap threshold (32 MiB): always mmap
    sink = p != nullptr ? 1 : 0;
}
void call_nothing(void*) {}

int failures = 0;

void check(bool ok, const char* what) {
    std::printf("  %s %s\n", ok ? "ok:  " : "FAIL:", what);
    failures += ok ? 0 : 1;
}

// The test signal: a sine sweeping the whole curve and beyond its clamp, with the values a buggy upstream might
// deliver (NaN, infinities, subnormals, zeros) in the first block.
void make_input(block (&input)[blocks]) {
    for (std::size_t b = 0; b < blocks; ++b)
        for (std::size_t n = 0; n < block_size; ++n) {
            const double k = static_cast<double>(b * block_size + n);
            input[b][n] = static_cast<float>(2.0 * std::sin(k * 0.0123) * std::cos(k * 0.00071));
        }
    const float odd[] = {NAN, INFINITY, -INFINITY, 1e-40f, -1e-40f, 0.0f, -0.0f, 1e30f, -1e30f};
    for (std::size_t n = 0; n < sizeof odd / sizeof odd[0]; ++n) input[0][n] = odd[n];
}

bool same_bits(const block (&a)[blocks], const block (&b)[blocks]) {
    return std::memcmp(a, b, sizeof a) == 0;
}

// One run of the callback in the sandbox: how the child ended, and the outputs it left in the shared buffer.
struct sandboxed_run {
    sandbox::result result;
    block output[blocks];
};

void run_sandboxed(shared_buffers& shared, sandboxed_run& run) {
    for (block& b : shared.output) b.fill(-12345.0f);  // not a value the callback can produce
    run.result = sandbox::run(run_callback, &shared);
    std::memcpy(run.output, shared.output, sizeof run.output);
}

// The child must have exited with status 0 and computed the parent's outputs, bit for bit.
void check_sandboxed(const sandboxed_run& run, const block (&expected)[blocks], const char* what) {
    char line[200];
    std::snprintf(line, sizeof line, "%s: the child %s", what, sandbox::describe(run.result));
    const bool exited = run.result.what == sandbox::outcome::exited && run.result.status == 0;
    check(exited, line);
    check(exited && same_bits(run.output, expected), "  ... and its outputs are the parent's, bit for bit");
}

// The parent's own outputs: plausible values (finite, near the curve), or the comparison proves little.
void check_outputs(const block (&input)[blocks], const block (&output)[blocks]) {
    constexpr float limit = waveshaper_curve::limit;
    std::size_t bad = 0;
    for (std::size_t b = 0; b < blocks; ++b)
        for (std::size_t n = 0; n < block_size; ++n) {
            const float v = shaper.drive * input[b][n];
            const float x = v >= -limit ? (v <= limit ? v : limit) : -limit;
            const float want = shaper.level * waveshaper_curve::target(x);
            const float got = output[b][n];
            if (!std::isfinite(got) || !(std::fabs(got - want) <= waveshaper_curve::max_error)) ++bad;
        }
    char line[160];
    std::snprintf(line, sizeof line, "the callback's %zu outputs are finite and within %.3f of the curve (%zu not)",
                  blocks * block_size, static_cast<double>(waveshaper_curve::max_error), bad);
    check(bad == 0, line);
}

// The counters see each kind of call they claim to count.
void check_counters() {
    using counting::counts;
    auto delta = [](const counts& a, const counts& b) {
        return counts{b.allocations - a.allocations, b.news - a.news, b.releases - a.releases, b.locks - a.locks};
    };
    counts before = counting::now();
    {
        int* volatile p = new int(1);
        delete p;
        int* volatile q = new int[4];
        delete[] q;
        struct alignas(128) wide {
            char c;
        };
        wide* volatile w = new wide;
        delete w;
        int* volatile n = new (std::nothrow) int(2);
        delete n;
    }
    counts d = delta(before, counting::now());
    check(d.news == 4 && d.releases == 4, "the counters see new, new[], aligned new, nothrow new and their deletes");

    before = counting::now();
    {
        // Called through volatile pointers: the compiler may drop a malloc/free pair it can see.
        void* (*volatile allocate)(std::size_t) = std::malloc;
        void* (*volatile allocate_zeroed)(std::size_t, std::size_t) = std::calloc;
        void* (*volatile reallocate)(void*, std::size_t) = std::realloc;
        void* (*volatile allocate_aligned)(std::size_t, std::size_t) = std::aligned_alloc;
        int (*volatile allocate_posix)(void**, std::size_t, std::size_t) = posix_memalign;
        void (*volatile release)(void*) = std::free;
        void* a = allocate(24);
        void* b = allocate_zeroed(3, 8);
        void* c = reallocate(nullptr, 40);
        void* e = allocate_aligned(64, 128);
        void* f = nullptr;
        const int error = allocate_posix(&f, 64, 100);
        release(a);
        release(b);
        release(c);
        release(e);
        if (error == 0) release(f);
    }
    d = delta(before, counting::now());
    char line[160];
    std::snprintf(line, sizeof line,
                  "the counters see malloc, calloc, realloc, aligned_alloc, posix_memalign (%lu of 5) and free (%lu)",
                  d.allocations, d.releases);
    check(d.allocations == 5 && d.releases == 5, line);

    before = counting::now();
    {
        static std::mutex m;
        m.lock();
        m.unlock();
        if (m.try_lock()) m.unlock();
        static std::shared_mutex s;
        s.lock();
        s.unlock();
        s.lock_shared();
        s.unlock_shared();
        static sem_t sem;
        sem_init(&sem, 0, 2);
        sem_wait(&sem);
        timespec soon{};
        clock_gettime(CLOCK_REALTIME, &soon);
        soon.tv_sec += 1;
        sem_timedwait(&sem, &soon);
        sem_destroy(&sem);
    }
    d = delta(before, counting::now());
    check(d.locks == 6, "the counters see std::mutex lock and try_lock, std::shared_mutex lock and lock_shared, "
                        "sem_wait and sem_timedwait");
}

}  // namespace

int main() {
    std::printf("realtime_no_syscalls (%s target): the callback processes %zu blocks of %zu samples\n",
                REALTIME_TARGET, blocks, block_size);
    if (!sandbox::supported()) {
        std::printf("SKIP: the seccomp filter does not know this architecture\n");
        return 77;
    }
    counting::resolve();
    shaper.drive = 1.25f;
    shaper.level = 0.8f;

    // Input and output shared with the children; mapped and touched before any fork.
    void* map = mmap(nullptr, sizeof(shared_buffers), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED) {
        std::printf("FAIL: mmap: %s\n", std::strerror(errno));
        return 1;
    }
    shared_buffers& shared = *new (map) shared_buffers;
    make_input(shared.input);
    static block expected[blocks];

    std::printf("sandbox: seccomp filter allowing only exit_group (%s system call ABI)\n", sandbox::architecture());
    // 1. A child that calls nothing must survive (the filter lets exit_group through). Then the callback, before
    //    anything in this process has called it: the child makes the process's first call.
    const sandbox::result probe = sandbox::run(call_nothing, nullptr);
    if (probe.what == sandbox::outcome::no_seccomp) {
        std::printf("SKIP: the kernel has no seccomp filters\n");
        return 77;
    }
    check(probe.what == sandbox::outcome::exited && probe.status == 0,
          "a child that makes no system call exits with status 0");
    static sandboxed_run cold, warm;
    run_sandboxed(shared, cold);

    // 2. The parent's outputs (the reference), then the same in the sandbox after that warm-up.
    for (std::size_t b = 0; b < blocks; ++b) shaper.process(shared.input[b], expected[b]);
    check_outputs(shared.input, expected);
    check_sandboxed(cold, expected, "the callback as the process's first call");
    run_sandboxed(shared, warm);
    check_sandboxed(warm, expected, "the callback after a warm-up");

    // 3. The sandbox really catches system calls.
    const struct {
        void (*body)(void*);
        const char* what;
    } forbidden[] = {{call_getpid, "getpid()"}, {call_write, "write() of 0 bytes"},
                     {allocate_64_mib, "malloc(64 MiB) (mmap)"}};
    for (const auto& f : forbidden) {
        const sandbox::result r = sandbox::run(f.body, nullptr);
        char line[160];
        std::snprintf(line, sizeof line, "a child that calls %s %s", f.what, sandbox::describe(r));
        check(r.what == sandbox::outcome::killed && r.status == SIGSYS, line);
    }

    // 4. No allocation and no lock, counted in this process around many calls.
    std::printf("counters: allocation functions, operator new/delete, lock functions\n");
    check_counters();
    constexpr int rounds = 20;
    const counting::counts before = counting::now();
    for (int r = 0; r < rounds; ++r)
        for (std::size_t b = 0; b < blocks; ++b) shaper.process(shared.input[b], shared.output[b]);
    const counting::counts after = counting::now();
    char line[200];
    std::snprintf(line, sizeof line,
                  "%d x %zu blocks: %lu allocations, %lu operator new, %lu frees or deletes, %lu locks", rounds,
                  blocks, after.allocations - before.allocations, after.news - before.news,
                  after.releases - before.releases, after.locks - before.locks);
    check(after.allocations == before.allocations && after.news == before.news &&
              after.releases == before.releases && after.locks == before.locks,
          line);
    check(same_bits(shared.output, expected), "  ... and the outputs are unchanged");

    munmap(map, sizeof(shared_buffers));
    if (failures != 0) std::printf("FAILED: %d check(s)\n", failures);
    return failures == 0 ? 0 : 1;
}
