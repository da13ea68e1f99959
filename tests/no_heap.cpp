// No heap, no exceptions: forward, forward with a workspace, backward and forward_batch never call operator new
// and are noexcept, for float and double, on the default (SIMD) and the scalar architecture. This program
// replaces every global operator new and delete with counting versions and compares the counts around the calls.
#include <ctnn/ctnn.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <new>

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

}  // namespace

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
