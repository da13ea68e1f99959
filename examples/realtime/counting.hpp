// Counters for the no-system-call test: counting.cpp replaces the C library's allocation functions, every global
// operator new and delete, and the pthread/semaphore lock functions with versions that count the calls and then
// do the real work. Linked into the test program only.
#ifndef CTNN_EXAMPLES_REALTIME_COUNTING_HPP
#define CTNN_EXAMPLES_REALTIME_COUNTING_HPP

namespace counting {

struct counts {
    unsigned long allocations;  // malloc, calloc, realloc, aligned_alloc, posix_memalign, memalign, valloc, pvalloc
    unsigned long news;         // every form of operator new and new[]
    unsigned long releases;     // free, and every form of operator delete and delete[] (of non-null pointers)
    unsigned long locks;        // pthread_mutex_lock/trylock/timedlock, pthread_rwlock_rd/wrlock, sem_wait/timedwait
};

counts now() noexcept;

// Looks up the real lock functions (dlsym may allocate): call once before measuring anything.
void resolve() noexcept;

}  // namespace counting

#endif
