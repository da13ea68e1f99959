// No heap, no exceptions, no locks: forward, forward with a workspace, backward, forward_batch, the training-mode
// forward_train / backward_train (dropout, batch normalization) and the optimizers' step never call operator new
// nor pthread_mutex_lock and are noexcept, for float and double, on the default (SIMD) and the scalar architecture.
// This program replaces every global operator new and delete, and pthread_mutex_lock, with counting versions and
// compares the counts around the calls.
#include <ctnn/ctnn.hpp>
#include <ctnn/train/optimizers.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <mutex>
#include <new>
#include <span>

#include <dlfcn.h>
#include <pthread.h>

namespace {

std::atomic<std::size_t> allocations{0};
std::atomic<std::size_t> deallocations{0};

void* counted_alloc(std::size_t n) noexcept {
    ++allocations;
    return std::malloc(n == 0 ? 1 : n);
}
void* counted_aligned_alloc(std::size_t n, std::align_val_t al) noexcept {
    ++allocations;
    const auto a = static_cast<std::size_t>(al);
    // aligned_alloc wants a non-zero multiple of the alignment.
    return std::aligned_alloc(a, n == 0 ? a : (n + a - 1) / a * a);
}
void counted_free(void* p) noexcept {
    if (p != nullptr) {
        ++deallocations;
        std::free(p);
    }
}
void* or_throw(void* p) {
    if (p == nullptr) throw std::bad_alloc();
    return p;
}

std::atomic<std::size_t> locks{0};
using mutex_lock_fn = int (*)(pthread_mutex_t*);
std::atomic<mutex_lock_fn> real_mutex_lock{nullptr};

}  // namespace

// Interposes the C library's: std::mutex, and any lock taken through pthreads, comes through here.
extern "C" int pthread_mutex_lock(pthread_mutex_t* m) noexcept {
    ++locks;
    mutex_lock_fn f = real_mutex_lock.load();
    if (f == nullptr) {  // no function-local static: its guard could itself lock
        f = reinterpret_cast<mutex_lock_fn>(dlsym(RTLD_NEXT, "pthread_mutex_lock"));
        real_mutex_lock.store(f);
    }
    return f(m);
}

// The replaceable global allocation functions, all standard forms.
void* operator new(std::size_t n) { return or_throw(counted_alloc(n)); }
void* operator new[](std::size_t n) { return or_throw(counted_alloc(n)); }
void* operator new(std::size_t n, std::align_val_t a) { return or_throw(counted_aligned_alloc(n, a)); }
void* operator new[](std::size_t n, std::align_val_t a) { return or_throw(counted_aligned_alloc(n, a)); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return counted_alloc(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return counted_alloc(n); }
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
    return counted_aligned_alloc(n, a);
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
    return counted_aligned_alloc(n, a);
}

void operator delete(void* p) noexcept { counted_free(p); }
void operator delete[](void* p) noexcept { counted_free(p); }
void operator delete(void* p, std::size_t) noexcept { counted_free(p); }
void operator delete[](void* p, std::size_t) noexcept { counted_free(p); }
void operator delete(void* p, std::align_val_t) noexcept { counted_free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { counted_free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { counted_free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { counted_free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { counted_free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { counted_free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { counted_free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { counted_free(p); }

namespace {

using Small = ctnn::network<ctnn::input<8>, ctnn::dense<16, ctnn::tanh>, ctnn::dense<16, ctnn::tanh>, ctnn::dense<1>>;
using Classifier = ctnn::network<ctnn::input<5>, ctnn::dense<12, ctnn::relu>, ctnn::dense<4, ctnn::softmax>>;
using Wide = ctnn::network<ctnn::input<37>, ctnn::dense<515, ctnn::gelu>, ctnn::dense<70, ctnn::leaky_relu<>>,
                          ctnn::dense<10, ctnn::softmax>>;

constexpr std::size_t batch = 5;

// Everything the calls touch, in static storage: nothing here comes from the heap either.
template <class Net, class T>
struct state {
    static inline typename Net::template parameters<T> p;
    static inline typename Net::template gradients<T> g;
    static inline typename Net::template workspace<T> ws;
    static inline T x[Net::input_size];
    static inline T y[Net::output_size];
    static inline T dy[Net::output_size];
    static inline T dx[Net::input_size];
    static inline T xs[batch][Net::input_size];
    static inline T ys[batch][Net::output_size];
};

template <class Net, class T, class Arch>
void check_no_heap() {
    using S = state<Net, T>;
    static_assert(noexcept(Net::template forward<Arch>(S::p, S::x, S::y)));
    static_assert(noexcept(Net::template forward<Arch>(S::p, S::x, S::y, S::ws)));
    static_assert(noexcept(Net::template backward<Arch>(S::p, S::ws, S::dy, S::g, S::dx)));
    static_assert(noexcept(Net::template backward<Arch>(S::p, S::ws, S::dy, S::g)));
    static_assert(noexcept(Net::template forward_batch<Arch>(S::p, S::xs, S::ys)));

    ctnn::initialize(S::p, ctnn::xavier_uniform{}, 11);
    S::g.fill(T(0));
    ctnn::random_source r(5);
    for (auto& v : S::x) v = static_cast<T>(r.uniform(-1, 1));
    for (auto& v : S::dy) v = static_cast<T>(r.uniform(-1, 1));
    for (auto& row : S::xs)
        for (std::size_t i = 0; i < Net::input_size; ++i) row[i] = S::x[i];

    bool threw = false;
    const std::size_t allocated_before = allocations;
    const std::size_t freed_before = deallocations;
    const std::size_t locks_before = locks;
    try {
        Net::template forward<Arch>(S::p, S::x, S::y);
        Net::template forward<Arch>(S::p, S::x, S::y, S::ws);
        Net::template backward<Arch>(S::p, S::ws, S::dy, S::g, S::dx);
        Net::template backward<Arch>(S::p, S::ws, S::dy, S::g);
        Net::template forward_batch<Arch>(S::p, S::xs, S::ys);
    } catch (...) {
        threw = true;
    }
    const std::size_t allocated = allocations - allocated_before;
    const std::size_t freed = deallocations - freed_before;

    CHECK(allocated == 0);
    CHECK(freed == 0);
    CHECK(locks - locks_before == 0);
    CHECK_FALSE(threw);
    // The calls did their work: every batch row is the single-sample result, and the gradients are not all 0.
    for (const auto& row : S::ys)
        for (std::size_t o = 0; o < Net::output_size; ++o) {
            CHECK(std::isfinite(row[o]));
            CHECK(row[o] == S::y[o]);
        }
    bool any_gradient = false;
    for (const T v : S::g.data) any_gradient = any_gradient || v != T(0);
    CHECK(any_gradient);
}

template <class Net>
void check_all() {
    check_no_heap<Net, float, ctnn::default_arch>();
    check_no_heap<Net, double, ctnn::default_arch>();
    check_no_heap<Net, float, ctnn::scalar_arch>();
    check_no_heap<Net, double, ctnn::scalar_arch>();
}

// Written through volatile pointers so that the compiler cannot elide the allocations (it may, since C++14).
int* volatile int_sink;
struct alignas(128) over_aligned {
    char c;
};
over_aligned* volatile aligned_sink;

}  // namespace

TEST_CASE("the counting pthread_mutex_lock sees std::mutex", "[no_heap]") {
    static std::mutex m;
    const std::size_t before = locks;
    m.lock();
    m.unlock();
    CHECK(locks - before == 1);
}

TEST_CASE("the counting operator new and delete see every form", "[no_heap]") {
    const std::size_t allocated_before = allocations;
    const std::size_t freed_before = deallocations;
    int_sink = new int(1);
    delete int_sink;
    int_sink = new int[3];
    delete[] int_sink;
    int_sink = new (std::nothrow) int(2);
    delete int_sink;
    aligned_sink = new over_aligned;
    delete aligned_sink;
    aligned_sink = new over_aligned[2];
    delete[] aligned_sink;
    CHECK(allocations - allocated_before == 5);
    CHECK(deallocations - freed_before == 5);
}

TEST_CASE("forward, backward and forward_batch allocate nothing and throw nothing", "[no_heap]") {
    SECTION("small tanh network") { check_all<Small>(); }
    SECTION("softmax classifier") { check_all<Classifier>(); }
    SECTION("wide layers") { check_all<Wide>(); }
}

namespace {

using Regularized = ctnn::network<ctnn::input<6>, ctnn::dense<16>, ctnn::batch_norm<ctnn::relu>, ctnn::dropout<25>,
                                  ctnn::dense<3, ctnn::softmax>>;

// Training-mode state for a mini-batch, in static storage.
template <class Net, class T>
struct train_state {
    static inline typename Net::template parameters<T> p;
    static inline typename Net::template gradients<T> g;
    static inline typename Net::template workspace<T> ws[batch];
    static inline std::array<T, Net::input_size> x[batch];
    static inline std::array<T, Net::output_size> y[batch];
    static inline std::array<T, Net::output_size> dy[batch];
};

template <class Net, class T, class Arch>
void check_training_no_heap() {
    using S = train_state<Net, T>;
    ctnn::random_source rng(3);
    static_assert(noexcept(Net::template forward_train<Arch>(S::p, S::x, S::y, S::ws, rng, &S::p)));
    static_assert(noexcept(Net::template backward_train<Arch>(S::p, S::ws, std::span<const std::array<T, Net::output_size>>(S::dy), S::g)));
    static ctnn::optim::sgd<Net, T> sgd(ctnn::optim::sgd_options{.lr = 0.01, .momentum = 0.9, .weight_decay = 1e-4});
    static ctnn::optim::adam<Net, T> adam;
    static_assert(noexcept(sgd.step(S::p, S::g)) && noexcept(adam.step(S::p, S::g)));

    ctnn::initialize(S::p, ctnn::he_uniform{}, 7);
    ctnn::random_source r(9);
    for (std::size_t b = 0; b < batch; ++b) {
        for (auto& v : S::x[b]) v = static_cast<T>(r.uniform(-1, 1));
        for (auto& v : S::dy[b]) v = static_cast<T>(r.uniform(-1, 1));
    }
    const T before = Net::has_buffers ? S::p.running_mean(1, 0) : T(0);

    bool threw = false;
    const std::size_t allocated_before = allocations;
    const std::size_t locks_before = locks;
    try {
        S::g.fill(T(0));
        Net::template forward_train<Arch>(S::p, S::x, S::y, S::ws, rng, &S::p);
        Net::template backward_train<Arch>(S::p, S::ws, std::span<const std::array<T, Net::output_size>>(S::dy), S::g);
        sgd.step(S::p, S::g);
        adam.step(S::p, S::g);
    } catch (...) {
        threw = true;
    }
    CHECK(allocations - allocated_before == 0);
    CHECK(locks - locks_before == 0);
    CHECK_FALSE(threw);
    // The calls did their work: finite outputs, some gradient, and (batch_norm) the running statistics moved.
    for (const auto& row : S::y)
        for (const T v : row) CHECK(std::isfinite(v));
    bool any_gradient = false;
    for (const T v : S::g.data) any_gradient = any_gradient || v != T(0);
    CHECK(any_gradient);
    if constexpr (Net::has_buffers) CHECK(S::p.running_mean(1, 0) != before);
}

}  // namespace

TEST_CASE("training mode (dropout, batch_norm) and optimizer steps allocate, lock and throw nothing", "[no_heap]") {
    check_training_no_heap<Regularized, float, ctnn::default_arch>();
    check_training_no_heap<Regularized, double, ctnn::default_arch>();
    check_training_no_heap<Regularized, float, ctnn::scalar_arch>();
    check_training_no_heap<Small, float, ctnn::default_arch>();
}
