// bench_roofline: the machine limits bench/README.md compares the networks against, on x86-64 with AVX2 and FMA
// (GCC or clang): the clock (a chain of dependent integer additions, one per cycle), the 256-bit FMA issue rate
// (12 independent chains), and the read bandwidth of an array the size of each network's weights (net c's
// 102 KB come from L2 on a CPU with a 32 KB L1). CPU time of this thread, so time descheduled does not count;
// on a machine shared with other work, rerun and take the best.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <initializer_list>

#if defined(__x86_64__) && defined(__AVX2__) && defined(__FMA__) && defined(__GNUC__)
#include <immintrin.h>

namespace {

double now() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

// n iterations of 4 dependent additions: 4n cycles.
[[gnu::noinline]] std::uint64_t add_chain(std::uint64_t n, std::uint64_t x) {
    for (std::uint64_t i = 0; i < n; ++i) asm volatile("add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0" : "+r"(x));
    return x;
}

// n iterations of 12 independent 256-bit FMAs (registers ymm0-11, operands ymm14, ymm15).
#define CTNN_FMA(r) "vfmadd213ps %%ymm14, %%ymm15, %%ymm" #r "\n\t"
[[gnu::noinline]] void fma_chains(std::uint64_t n) {
    asm volatile("vxorps %%ymm14, %%ymm14, %%ymm14\n\tvxorps %%ymm15, %%ymm15, %%ymm15" ::: "xmm14", "xmm15");
    for (std::uint64_t i = 0; i < n; ++i)
        asm volatile(CTNN_FMA(0) CTNN_FMA(1) CTNN_FMA(2) CTNN_FMA(3) CTNN_FMA(4) CTNN_FMA(5) CTNN_FMA(6) CTNN_FMA(7)
                         CTNN_FMA(8) CTNN_FMA(9) CTNN_FMA(10) CTNN_FMA(11)::
                             : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
                               "xmm10", "xmm11");
}
#undef CTNN_FMA

// Sums `floats` floats (a multiple of 64) `reps` times with 256-bit loads, 8 independent sums.
[[gnu::noinline]] float read_array(const float* p, std::size_t floats, int reps) {
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    for (int r = 0; r < reps; ++r)
        for (std::size_t i = 0; i < floats; i += 64) {
            a0 = _mm256_add_ps(a0, _mm256_load_ps(p + i));
            a1 = _mm256_add_ps(a1, _mm256_load_ps(p + i + 8));
            a2 = _mm256_add_ps(a2, _mm256_load_ps(p + i + 16));
            a3 = _mm256_add_ps(a3, _mm256_load_ps(p + i + 24));
            a4 = _mm256_add_ps(a4, _mm256_load_ps(p + i + 32));
            a5 = _mm256_add_ps(a5, _mm256_load_ps(p + i + 40));
            a6 = _mm256_add_ps(a6, _mm256_load_ps(p + i + 48));
            a7 = _mm256_add_ps(a7, _mm256_load_ps(p + i + 56));
        }
    const __m256 s = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)),
                                   _mm256_add_ps(_mm256_add_ps(a4, a5), _mm256_add_ps(a6, a7)));
    return _mm256_cvtss_f32(s);
}

}  // namespace

int main() {
    const std::uint64_t n = 100000000;
    double t0 = now();
    volatile std::uint64_t sink = add_chain(n, 1);
    const double ghz = 4.0 * double(n) / (now() - t0) / 1e9;
    std::printf("clock: %.2f GHz (dependent integer additions)\n", ghz);

    const std::uint64_t m = 20000000;
    t0 = now();
    fma_chains(m);
    const double fma_per_ns = 12.0 * double(m) / (now() - t0) / 1e9;
    std::printf("256-bit FMA: %.2f per cycle = %.1f float multiply-adds per ns\n", fma_per_ns / ghz, 8 * fma_per_ns);

    alignas(64) static float array[410176 / 4 + 64];
    for (std::size_t i = 0; i < sizeof array / sizeof array[0]; ++i) array[i] = 1e-9f * float(i);
    for (const std::size_t bytes : {16384u, 104512u, 410176u}) {
        const std::size_t floats = (bytes / 4 + 63) / 64 * 64;
        const float* p = array;
        const int reps = int(4e9 / double(floats * 4));
        t0 = now();
        volatile float s = read_array(p, floats, reps);
        const double seconds = (now() - t0) / reps;
        std::printf("read %6zu bytes: %6.0f ns per pass, %5.1f GB/s, %4.1f bytes per cycle\n", floats * 4,
                    seconds * 1e9, double(floats * 4) / seconds / 1e9, double(floats * 4) / seconds / 1e9 / ghz);
        (void)s;
    }
    (void)sink;
    return 0;
}
#else
int main() {
    std::printf("bench_roofline: needs x86-64 with AVX2 and FMA, and GCC or clang\n");
    return 0;
}
#endif
