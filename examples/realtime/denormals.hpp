// Flush-to-zero for the calling thread while an object of denormals_off lives. Subnormal floats (below 1.2e-38)
// take a slow microcode path on many x86 CPUs (and traps or slow paths on some ARM cores), so a decaying signal
// can make a callback many times slower just before it falls silent; audio code treats them as zero instead.
// x86: MXCSR bits FTZ (15, results) and DAZ (6, inputs). AArch64: FPCR.FZ (bit 24). 32-bit ARM VFP: FPSCR.FZ
// (bit 24). Elsewhere: nothing (how() says so). The setting is per thread: call it in the audio thread.
#ifndef CTNN_EXAMPLES_REALTIME_DENORMALS_HPP
#define CTNN_EXAMPLES_REALTIME_DENORMALS_HPP

#include <cstdint>

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

namespace realtime {

class denormals_off {
public:
#if defined(__x86_64__) || defined(__i386__)
    denormals_off() noexcept : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | 0x8040u); }
    ~denormals_off() { _mm_setcsr(saved_); }
    static const char* how() noexcept { return "flush-to-zero and denormals-are-zero (MXCSR)"; }

private:
    unsigned saved_;
#elif defined(__aarch64__)
    denormals_off() noexcept {
        __asm__ volatile("mrs %0, fpcr" : "=r"(saved_));
        __asm__ volatile("msr fpcr, %0" : : "r"(saved_ | (std::uint64_t{1} << 24)));
    }
    ~denormals_off() { __asm__ volatile("msr fpcr, %0" : : "r"(saved_)); }
    static const char* how() noexcept { return "flush-to-zero (FPCR.FZ)"; }

private:
    std::uint64_t saved_;
#elif defined(__arm__) && defined(__ARM_FP)
    denormals_off() noexcept {
        __asm__ volatile("vmrs %0, fpscr" : "=r"(saved_));
        __asm__ volatile("vmsr fpscr, %0" : : "r"(saved_ | (std::uint32_t{1} << 24)));
    }
    ~denormals_off() { __asm__ volatile("vmsr fpscr, %0" : : "r"(saved_)); }
    static const char* how() noexcept { return "flush-to-zero (FPSCR.FZ)"; }

private:
    std::uint32_t saved_;
#else
    denormals_off() noexcept = default;
    static const char* how() noexcept { return "left as they are (no known control register)"; }
#endif

public:
    denormals_off(const denormals_off&) = delete;
    denormals_off& operator=(const denormals_off&) = delete;
};

}  // namespace realtime

#endif
