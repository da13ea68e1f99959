// The demo's stopwatch: nanoseconds per call of a small function. C++17 and the standard library only, so the
// program built against the generated header can use it without any ctnn include path.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>

namespace demo {

// Tells the compiler that *p may be read and written here, so work that fills or reads it cannot be skipped,
// merged across iterations or hoisted out of the timing loop.
template <class T>
inline void escape(T* p) noexcept {
#if defined(__GNUC__)
    __asm__ __volatile__("" : : "r"(p) : "memory");
#else
    static T* volatile sink;
    sink = p;
#endif
}

// Nanoseconds per call of f(i), the best of `rounds` rounds of `calls` calls: the minimum drops the rounds that
// another process or an interrupt slowed down.
template <class F>
double ns_per_call(F&& f, std::size_t calls = 1000000, int rounds = 7) {
    double best = 1e300;
    for (int r = 0; r < rounds; ++r) {
        const auto start = std::chrono::steady_clock::now();
        for (std::size_t i = 0; i < calls; ++i) f(i);
        const std::chrono::duration<double, std::nano> elapsed = std::chrono::steady_clock::now() - start;
        best = std::min(best, elapsed.count() / static_cast<double>(calls));
    }
    return best;
}

}  // namespace demo
