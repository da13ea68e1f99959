// Setting up a real-time thread on Linux, each step falling back gracefully when the system does not permit it
// (CI machines, containers, users without CAP_SYS_NICE / an rtprio limit): the program still runs, and says how.
#ifndef CTNN_EXAMPLES_REALTIME_REALTIME_THREAD_HPP
#define CTNN_EXAMPLES_REALTIME_REALTIME_THREAD_HPP

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <ctime>

#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>

namespace realtime {

// Locks every page the process has and will have into RAM, so that the audio thread never waits for a page to be
// read back from swap or first faulted in. Returns 0 or the errno; message describes the result.
inline int lock_memory(char (&message)[128]) noexcept {
    if (mlockall(MCL_CURRENT | MCL_FUTURE) == 0) {
        std::snprintf(message, sizeof message, "locked in RAM (mlockall)");
        return 0;
    }
    const int error = errno;
    std::snprintf(message, sizeof message, "not locked (mlockall: %s)", std::strerror(error));
    return error;
}

// Starts body(arg) on a new thread with SCHED_FIFO at the given priority and a stack of stack_bytes; if that is
// not permitted, on a thread with the default policy. Returns pthread_create's result; message says which.
inline int start_thread(pthread_t& thread, void* (*body)(void*), void* arg, int priority, std::size_t stack_bytes,
                        char (&message)[128]) noexcept {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    // A small stack of its own: with mlockall(MCL_FUTURE) the default 8 MiB stack would be locked too.
    pthread_attr_setstacksize(&attr, stack_bytes);
    pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
    pthread_attr_setschedpolicy(&attr, SCHED_FIFO);
    sched_param param{};
    param.sched_priority = priority;
    pthread_attr_setschedparam(&attr, &param);
    int error = pthread_create(&thread, &attr, body, arg);
    if (error == 0) {
        std::snprintf(message, sizeof message, "SCHED_FIFO, priority %d", priority);
    } else if (error == EPERM) {
        pthread_attr_setinheritsched(&attr, PTHREAD_INHERIT_SCHED);
        const int fifo_error = error;
        error = pthread_create(&thread, &attr, body, arg);
        std::snprintf(message, sizeof message, "default policy (SCHED_FIFO: %s)", std::strerror(fifo_error));
    }
    pthread_attr_destroy(&attr);
    return error;
}

// Touches bytes of stack below the caller, so that the pages exist before the first deadline.
inline void prefault_stack() noexcept {
    constexpr std::size_t bytes = 32 * 1024;
    unsigned char pages[bytes];
    for (std::size_t k = 0; k < bytes; k += 4096) pages[k] = 0;
    __asm__ volatile("" : : "r"(pages) : "memory");  // the stores must happen
}

// CLOCK_MONOTONIC in nanoseconds (the vDSO reads it without a system call on x86-64 and AArch64).
inline long long now_ns() noexcept {
    timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return static_cast<long long>(t.tv_sec) * 1000000000LL + t.tv_nsec;
}

// Sleeps until the absolute CLOCK_MONOTONIC time t (ns), resuming after signals.
inline void sleep_until_ns(long long t) noexcept {
    const timespec at{static_cast<time_t>(t / 1000000000LL), static_cast<long>(t % 1000000000LL)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, nullptr) == EINTR) {
    }
}

}  // namespace realtime

#endif
