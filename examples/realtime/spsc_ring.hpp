// A single-producer single-consumer ring of trivially copyable records: the audio thread pushes, another thread
// pops. Neither side ever waits: try_push fails when the ring is full (the producer counts a dropped record) and
// try_pop fails when it is empty. Two atomic counters, no lock, no allocation, no system call.
#ifndef CTNN_EXAMPLES_REALTIME_SPSC_RING_HPP
#define CTNN_EXAMPLES_REALTIME_SPSC_RING_HPP

#include <atomic>
#include <cstddef>
#include <type_traits>

namespace realtime {

template <class T, std::size_t N>
class spsc_ring {
    static_assert(N >= 2 && (N & (N - 1)) == 0, "capacity: a power of two");
    static_assert(std::is_trivially_copyable_v<T>, "records are copied into the slots");
    static_assert(std::atomic<std::size_t>::is_always_lock_free, "a lock-based atomic would defeat the purpose");

public:
    // Producer only.
    bool try_push(const T& record) noexcept {
        const std::size_t head = head_.load(std::memory_order_relaxed);
        if (head - tail_.load(std::memory_order_acquire) == N) return false;  // full
        slots_[head % N] = record;
        head_.store(head + 1, std::memory_order_release);  // publishes the slot
        return true;
    }

    // Consumer only.
    bool try_pop(T& record) noexcept {
        const std::size_t tail = tail_.load(std::memory_order_relaxed);
        if (head_.load(std::memory_order_acquire) == tail) return false;  // empty
        record = slots_[tail % N];
        tail_.store(tail + 1, std::memory_order_release);  // hands the slot back
        return true;
    }

private:
    // Each counter on its own cache line, so that the two threads do not invalidate each other's line.
    alignas(64) std::atomic<std::size_t> head_{0};  // written by the producer
    alignas(64) std::atomic<std::size_t> tail_{0};  // written by the consumer
    alignas(64) T slots_[N]{};
};

}  // namespace realtime

#endif
