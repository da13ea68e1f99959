// The counting replacements declared in counting.hpp. Functions defined in the executable come first in the
// dynamic linker's search order, so the C library, libstdc++ (std::mutex, operator new's default) and the program
// all call these. The allocation functions forward to glibc's own entry points (__libc_malloc ...), which exist
// for exactly this purpose; the lock functions forward to the next definition, found with dlsym(RTLD_NEXT).
// Limit: locks the C library takes internally (stdio, its own malloc arenas) do not go through these symbols;
// an uncontended one makes no system call either, a contended one does (and the seccomp sandbox catches that).
#include "counting.hpp"

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <new>

#include <dlfcn.h>
#include <pthread.h>
#include <semaphore.h>
#include <time.h>

extern "C" {
void* __libc_malloc(std::size_t) noexcept;
void* __libc_calloc(std::size_t, std::size_t) noexcept;
void* __libc_realloc(void*, std::size_t) noexcept;
void* __libc_memalign(std::size_t, std::size_t) noexcept;
void* __libc_valloc(std::size_t) noexcept;
void* __libc_pvalloc(std::size_t) noexcept;
void __libc_free(void*) noexcept;
}

namespace {

std::atomic<unsigned long> allocations{0}, news{0}, releases{0}, locks{0};

void* allocated(void* p) noexcept {
    allocations.fetch_add(1, std::memory_order_relaxed);
    return p;
}

bool power_of_two(std::size_t a) noexcept { return a != 0 && (a & (a - 1)) == 0; }

// operator new: one count, glibc's allocator, std::bad_alloc on failure as the standard requires.
void* new_block(std::size_t n, std::size_t alignment) {
    news.fetch_add(1, std::memory_order_relaxed);
    void* p = alignment <= alignof(std::max_align_t) ? __libc_malloc(n == 0 ? 1 : n)
                                                     : __libc_memalign(alignment, n == 0 ? alignment : n);
    if (p == nullptr) throw std::bad_alloc();
    return p;
}
void* new_block_nothrow(std::size_t n, std::size_t alignment) noexcept {
    try {
        return new_block(n, alignment);
    } catch (...) {
        return nullptr;
    }
}
void release(void* p) noexcept {
    if (p == nullptr) return;
    releases.fetch_add(1, std::memory_order_relaxed);
    __libc_free(p);
}

// The real lock functions.
using mutex_fn = int (*)(pthread_mutex_t*);
using timed_mutex_fn = int (*)(pthread_mutex_t*, const timespec*);
using rwlock_fn = int (*)(pthread_rwlock_t*);
using sem_fn = int (*)(sem_t*);
using timed_sem_fn = int (*)(sem_t*, const timespec*);
std::atomic<mutex_fn> real_mutex_lock{nullptr}, real_mutex_trylock{nullptr};
std::atomic<timed_mutex_fn> real_mutex_timedlock{nullptr};
std::atomic<rwlock_fn> real_rdlock{nullptr}, real_wrlock{nullptr};
std::atomic<sem_fn> real_sem_wait{nullptr};
std::atomic<timed_sem_fn> real_sem_timedwait{nullptr};

// The next definition of name after this program's; looked up on first use if resolve() was not called.
template <class F>
F real(std::atomic<F>& slot, const char* name) noexcept {
    F f = slot.load(std::memory_order_acquire);
    if (f == nullptr) {
        f = reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
        if (f == nullptr) std::abort();
        slot.store(f, std::memory_order_release);
    }
    return f;
}

void lock_counted() noexcept { locks.fetch_add(1, std::memory_order_relaxed); }

}  // namespace

namespace counting {

counts now() noexcept {
    return {allocations.load(), news.load(), releases.load(), locks.load()};
}

void resolve() noexcept {
    real(real_mutex_lock, "pthread_mutex_lock");
    real(real_mutex_trylock, "pthread_mutex_trylock");
    real(real_mutex_timedlock, "pthread_mutex_timedlock");
    real(real_rdlock, "pthread_rwlock_rdlock");
    real(real_wrlock, "pthread_rwlock_wrlock");
    real(real_sem_wait, "sem_wait");
    real(real_sem_timedwait, "sem_timedwait");
}

}  // namespace counting

// The C library's allocation functions (the set glibc's manual says a replacement must provide, and the aligned
// ones).
extern "C" {

void* malloc(std::size_t n) noexcept { return allocated(__libc_malloc(n)); }
void* calloc(std::size_t count, std::size_t n) noexcept { return allocated(__libc_calloc(count, n)); }
void* realloc(void* p, std::size_t n) noexcept { return allocated(__libc_realloc(p, n)); }
void free(void* p) noexcept { release(p); }
void* aligned_alloc(std::size_t alignment, std::size_t n) noexcept {
    return allocated(__libc_memalign(alignment, n));
}
void* memalign(std::size_t alignment, std::size_t n) noexcept { return allocated(__libc_memalign(alignment, n)); }
void* valloc(std::size_t n) noexcept { return allocated(__libc_valloc(n)); }
void* pvalloc(std::size_t n) noexcept { return allocated(__libc_pvalloc(n)); }
int posix_memalign(void** p, std::size_t alignment, std::size_t n) noexcept {
    if (!power_of_two(alignment) || alignment % sizeof(void*) != 0) return EINVAL;
    void* q = allocated(__libc_memalign(alignment, n));
    if (q == nullptr) return ENOMEM;
    *p = q;
    return 0;
}

int pthread_mutex_lock(pthread_mutex_t* m) noexcept {
    lock_counted();
    return real(real_mutex_lock, "pthread_mutex_lock")(m);
}
int pthread_mutex_trylock(pthread_mutex_t* m) noexcept {
    lock_counted();
    return real(real_mutex_trylock, "pthread_mutex_trylock")(m);
}
int pthread_mutex_timedlock(pthread_mutex_t* m, const timespec* t) noexcept {
    lock_counted();
    return real(real_mutex_timedlock, "pthread_mutex_timedlock")(m, t);
}
int pthread_rwlock_rdlock(pthread_rwlock_t* l) noexcept {
    lock_counted();
    return real(real_rdlock, "pthread_rwlock_rdlock")(l);
}
int pthread_rwlock_wrlock(pthread_rwlock_t* l) noexcept {
    lock_counted();
    return real(real_wrlock, "pthread_rwlock_wrlock")(l);
}
int sem_wait(sem_t* s) {  // not noexcept: a cancellation point, declared without __THROW
    lock_counted();
    return real(real_sem_wait, "sem_wait")(s);
}
int sem_timedwait(sem_t* s, const timespec* t) {
    lock_counted();
    return real(real_sem_timedwait, "sem_timedwait")(s, t);
}

}  // extern "C"

// Every replaceable global allocation and deallocation function.
void* operator new(std::size_t n) { return new_block(n, 0); }
void* operator new[](std::size_t n) { return new_block(n, 0); }
void* operator new(std::size_t n, std::align_val_t a) { return new_block(n, static_cast<std::size_t>(a)); }
void* operator new[](std::size_t n, std::align_val_t a) { return new_block(n, static_cast<std::size_t>(a)); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return new_block_nothrow(n, 0); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return new_block_nothrow(n, 0); }
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
    return new_block_nothrow(n, static_cast<std::size_t>(a));
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
    return new_block_nothrow(n, static_cast<std::size_t>(a));
}
void operator delete(void* p) noexcept { release(p); }
void operator delete[](void* p) noexcept { release(p); }
void operator delete(void* p, std::size_t) noexcept { release(p); }
void operator delete[](void* p, std::size_t) noexcept { release(p); }
void operator delete(void* p, std::align_val_t) noexcept { release(p); }
void operator delete[](void* p, std::align_val_t) noexcept { release(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { release(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { release(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { release(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { release(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { release(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { release(p); }
