// Single-sample forward pass of four networks, all float with the same weights: ctnn, plain fixed-size Eigen, and
// (when ctnn-gen is built) the headers ctnn-gen generates for them, simd and scalar target. Each is timed back to
// back dependent (latency) and independent (throughput); after google-benchmark's own output a table gives per
// network the ns of each implementation and Eigen/x. See bench/README.md.
// Run with --benchmark_repetitions=5 --benchmark_report_aggregates_only=true to compare medians.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

// ctnn first: its simd.hpp includes xsimd (and the AVX-512 intrinsics) inside GCC 12's PR 105593 suppression,
// which Eigen's later inclusion of the same headers then does not need.
#include <ctnn/ctnn.hpp>

#include <Eigen/Dense>
#include <benchmark/benchmark.h>

#include "nets.hpp"

// The generated headers (bench/CMakeLists.txt runs ctnn-gen on the model files bench_models writes): namespaces
// gen_simd_a .. gen_simd_d and gen_scalar_a .. gen_scalar_d, default options but the target.
#ifndef CTNN_BENCH_GENERATED
#define CTNN_BENCH_GENERATED 0
#endif
#if CTNN_BENCH_GENERATED
#include "bench_gen_scalar_a.hpp"
#include "bench_gen_scalar_b.hpp"
#include "bench_gen_scalar_c.hpp"
#include "bench_gen_scalar_d.hpp"
#include "bench_gen_simd_a.hpp"
#include "bench_gen_simd_b.hpp"
#include "bench_gen_simd_c.hpp"
#include "bench_gen_simd_d.hpp"
#endif

namespace {

using bench::net_a;
using bench::net_b;
using bench::net_c;
using bench::net_d;
using bench::input_seed;

constexpr std::size_t input_count = 16;  // inputs rotated through, so no iteration can reuse the previous result
constexpr bool have_generated = CTNN_BENCH_GENERATED != 0;

// The generated forward passes of each net, by target.
enum class generated_target { simd, scalar };
template <class Net>
struct generated {
    static void forward(generated_target, const float*, float*) noexcept {}
};
#if CTNN_BENCH_GENERATED
#define CTNN_BENCH_GENERATED_NET(net, id)                                                        \
    template <>                                                                                  \
    struct generated<net> {                                                                      \
        static void forward(generated_target t, const float* x, float* y) noexcept {             \
            if (t == generated_target::simd)                                                     \
                gen_simd_##id::forward(x, y);                                                    \
            else                                                                                 \
                gen_scalar_##id::forward(x, y);                                                  \
        }                                                                                        \
    };
CTNN_BENCH_GENERATED_NET(net_a, a)
CTNN_BENCH_GENERATED_NET(net_b, b)
CTNN_BENCH_GENERATED_NET(net_c, c)
CTNN_BENCH_GENERATED_NET(net_d, d)
#undef CTNN_BENCH_GENERATED_NET
#endif

// ---------------------------------------------------------------------------------------------------------------
// The Eigen side: y = act(W x + b) per layer, W an Out x In fixed-size matrix.

// Eigen refuses fixed-size objects above its stack limit (128 KB): those get a fixed-size Map over static storage.
template <int Out, int In, bool Fits = std::size_t(Out) * In * sizeof(float) <= EIGEN_STACK_ALLOCATION_LIMIT>
struct eigen_weights {
    Eigen::Matrix<float, Out, In> m;
    Eigen::Matrix<float, Out, In>& get() { return m; }
    const Eigen::Matrix<float, Out, In>& get() const { return m; }
};
template <int Out, int In>
struct eigen_weights<Out, In, false> {
    alignas(64) float data[std::size_t(Out) * In];
    using map = Eigen::Map<Eigen::Matrix<float, Out, In>, Eigen::Aligned64>;
    using const_map = Eigen::Map<const Eigen::Matrix<float, Out, In>, Eigen::Aligned64>;
    map get() { return map(data); }
    const_map get() const { return const_map(data); }
};

template <int In, int Out, class Act>
struct eigen_dense {
    using out_vector = Eigen::Matrix<float, Out, 1>;
    eigen_weights<Out, In> w;
    out_vector b;

    template <class X>
    out_vector forward(const X& x) const {
        const out_vector z = w.get() * x + b;
        if constexpr (std::is_same_v<Act, ctnn::identity>) {
            return z;
        } else if constexpr (std::is_same_v<Act, ctnn::tanh>) {
            return z.array().tanh().matrix();
        } else if constexpr (std::is_same_v<Act, ctnn::relu>) {
            return z.cwiseMax(0.0f);
        } else {
            static_assert(std::is_same_v<Act, ctnn::softmax>, "add this activation to the Eigen side");
            const out_vector e = (z.array() - z.maxCoeff()).exp().matrix();
            return e / e.sum();
        }
    }
};

template <class Net, std::size_t I>
using eigen_layer_t = eigen_dense<int(Net::template in_size<I>), int(Net::template out_size<I>),
                                  typename Net::template layer<I>::activation>;

template <class Net, class = std::make_index_sequence<Net::layer_count>>
struct eigen_net;
template <class Net, std::size_t... I>
struct eigen_net<Net, std::index_sequence<I...>> {
    using input_vector = Eigen::Matrix<float, int(Net::input_size), 1>;
    std::tuple<eigen_layer_t<Net, I>...> layers;

    // Copies the weights of a ctnn network (PyTorch indexing on both sides).
    void assign(const typename Net::template parameters<float>& p) {
        (
            [&] {
                auto& l = std::get<I>(layers);
                auto&& w = l.w.get();  // a reference, or a Map by value
                for (int o = 0; o < int(Net::template out_size<I>); ++o) {
                    for (int i = 0; i < int(Net::template in_size<I>); ++i) w(o, i) = p.weight(I, o, i);
                    l.b(o) = p.bias(I, o);
                }
            }(),
            ...);
    }

    template <std::size_t L = 0, class X>
    auto forward(const X& x) const {
        auto y = std::get<L>(layers).forward(x);
        if constexpr (L + 1 < sizeof...(I))
            return forward<L + 1>(y);
        else
            return y;
    }
};

// ---------------------------------------------------------------------------------------------------------------
// One network's fixture: the same weights and inputs for both implementations. Static: net d's weights are 400 KB.

template <class Net>
struct fixture {
    static constexpr std::size_t in = Net::input_size;
    static constexpr std::size_t out = Net::output_size;
    typename Net::template parameters<float> p;
    eigen_net<Net> e;
    std::array<std::array<float, in>, input_count> x;
    std::array<typename eigen_net<Net>::input_vector, input_count> ex;

    fixture() {
        bench::initialize<Net>(p);
        e.assign(p);
        ctnn::random_source r(input_seed);
        for (std::size_t k = 0; k < input_count; ++k)
            for (std::size_t i = 0; i < in; ++i) ex[k](int(i)) = x[k][i] = static_cast<float>(r.uniform(-1.0, 1.0));
    }

    static fixture& get() {
        static fixture f;
        return f;
    }
};

// Aborts unless a and b agree: |a - b| <= 1e-4 max(|a|, |b|) + 1e-6.
void check_close(const char* net, const char* what, std::size_t k, std::size_t o, float a, float b) {
    if (!(std::fabs(a - b) <= 1e-4f * std::max(std::fabs(a), std::fabs(b)) + 1e-6f)) {
        std::fprintf(stderr, "bench_forward: net %s: %s disagrees with ctnn: input %zu, output %zu: ctnn %.9g, "
                     "other %.9g\n", net, what, k, o, double(a), double(b));
        std::abort();
    }
}

// Aborts unless every implementation agrees with ctnn on every input.
template <class Net>
void check_agreement(const char* name) {
    auto& f = fixture<Net>::get();
    for (std::size_t k = 0; k < input_count; ++k) {
        std::array<float, Net::output_size> y{}, g{};
        Net::forward(f.p, f.x[k], y);
        const auto ey = f.e.forward(f.ex[k]);
        for (std::size_t o = 0; o < Net::output_size; ++o) check_close(name, "Eigen", k, o, y[o], ey(int(o)));
        if constexpr (have_generated)
            for (const auto t : {generated_target::simd, generated_target::scalar}) {
                generated<Net>::forward(t, f.x[k].data(), g.data());
                for (std::size_t o = 0; o < Net::output_size; ++o)
                    check_close(name, t == generated_target::simd ? "generated simd" : "generated scalar", k, o,
                                y[o], g[o]);
            }
    }
}

// Two ways to time a pass. In both the input rotates through input_count samples, so no result can be reused,
// and the output is forced to memory.
//   latency:    the next input's index depends on this output (through a zero the compiler cannot see), so a
//               pass starts only once the previous one has finished: input-to-output time, as in a control loop.
//   throughput: passes are independent, so the CPU may overlap one with the next: the cost per call when
//               samples are queued.
enum class timing { latency, throughput };

template <timing M>
std::size_t next_index(std::size_t k, float y0, std::uint32_t zero) {
    if constexpr (M == timing::latency) {
        std::uint32_t bits;
        std::memcpy(&bits, &y0, sizeof bits);
        return (k + 1 + (bits & zero)) % input_count;
    } else {
        return (k + 1) % input_count;
    }
}

// Times pass(k, y) over the inputs in turn; in the latency timing y[0] decides the next input.
template <timing M, class Y, class Pass>
void time_passes(benchmark::State& state, Y& y, Pass pass) {
    std::uint32_t zero = 0;
    benchmark::DoNotOptimize(zero);
    std::size_t k = 0;
    for (auto _ : state) {
        pass(k, y);
        benchmark::DoNotOptimize(y);
        benchmark::ClobberMemory();
        k = next_index<M>(k, y[0], zero);
    }
}

template <class Net, timing M>
void bm_ctnn(benchmark::State& state) {
    auto& f = fixture<Net>::get();
    std::array<float, Net::output_size> y{};
    time_passes<M>(state, y, [&](std::size_t k, auto& out) { Net::forward(f.p, f.x[k], out); });
}

template <class Net, timing M>
void bm_eigen(benchmark::State& state) {
    auto& f = fixture<Net>::get();
    Eigen::Matrix<float, int(Net::output_size), 1> y = Eigen::Matrix<float, int(Net::output_size), 1>::Zero();
    time_passes<M>(state, y, [&](std::size_t k, auto& out) { out = f.e.forward(f.ex[k]); });
}

template <class Net, timing M, generated_target G>
void bm_generated(benchmark::State& state) {
    auto& f = fixture<Net>::get();
    std::array<float, Net::output_size> y{};
    time_passes<M>(state, y,
                   [&](std::size_t k, auto& out) { generated<Net>::forward(G, f.x[k].data(), out.data()); });
}

// ---------------------------------------------------------------------------------------------------------------
// The summary: google-benchmark's console output, plus each run's time kept for the table.

using benchmark_fn = void (*)(benchmark::State&);

// The implementations, in the order of the table's columns; the generated ones only when built.
constexpr const char* impl_names[] = {"ctnn", "eigen", "gen_simd", "gen_scalar"};
constexpr const char* impl_headings[] = {"ctnn", "Eigen", "gen simd", "gen scalar"};
constexpr std::size_t impl_count = have_generated ? 4 : 2;

struct net_entry {
    const char* name;
    void (*check)(const char*);
    benchmark_fn fn[2][4];  // [timing][implementation]
};

template <class Net, timing M>
auto timed() {
    using G = generated_target;
    return std::array<benchmark_fn, 4>{&bm_ctnn<Net, M>, &bm_eigen<Net, M>, &bm_generated<Net, M, G::simd>,
                                       &bm_generated<Net, M, G::scalar>};
}

template <class Net>
net_entry entry(const char* name) {
    net_entry e{name, &check_agreement<Net>, {}};
    const auto l = timed<Net, timing::latency>();
    const auto t = timed<Net, timing::throughput>();
    std::copy(l.begin(), l.end(), e.fn[0]);
    std::copy(t.begin(), t.end(), e.fn[1]);
    return e;
}

constexpr const char* timing_names[2] = {"latency", "throughput"};

// Passes every report on to the display reporter that --benchmark_format asks for, keeping each run's time.
class collecting_reporter : public benchmark::BenchmarkReporter {
  public:
    explicit collecting_reporter(benchmark::BenchmarkReporter* display) : display_(display) {}

    bool ReportContext(const Context& context) override { return display_->ReportContext(context); }
    void Finalize() override { display_->Finalize(); }
    void ReportRuns(const std::vector<Run>& runs) override {
        for (const auto& r : runs) {
            if (r.error_occurred) continue;
            auto& s = series_[r.run_name.function_name];
            if (r.run_type == Run::RT_Aggregate && r.aggregate_name == "median")
                s.median = nanoseconds(r);
            else if (r.run_type == Run::RT_Iteration)
                s.runs.push_back(nanoseconds(r));
        }
        display_->ReportRuns(runs);
    }
    bool console() const { return dynamic_cast<benchmark::ConsoleReporter*>(display_) != nullptr; }

    // The reported median over repetitions, else the median of the runs seen; negative when the name never ran.
    double median_ns(const std::string& name) const {
        const auto it = series_.find(name);
        if (it == series_.end()) return -1;
        if (it->second.median >= 0) return it->second.median;
        auto v = it->second.runs;
        if (v.empty()) return -1;
        std::sort(v.begin(), v.end());
        return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
    }

  private:
    benchmark::BenchmarkReporter* display_;  // owned by the library
    struct series {
        double median = -1;
        std::vector<double> runs;
    };
    std::map<std::string, series> series_;

    static double nanoseconds(const Run& r) {
        const double t = r.GetAdjustedCPUTime();
        switch (r.time_unit) {
            case benchmark::kSecond: return t * 1e9;
            case benchmark::kMillisecond: return t * 1e6;
            case benchmark::kMicrosecond: return t * 1e3;
            default: return t;
        }
    }
};

}  // namespace

int main(int argc, char** argv) {
    const std::vector<net_entry> nets = {
        entry<net_a>("a_8-16tanh-16tanh-1"),
        entry<net_b>("b_16-64relu-64relu-8"),
        entry<net_c>("c_64-128relu-128relu-10"),
        entry<net_d>("d_784-128relu-10softmax"),
    };
    for (const auto& n : nets) n.check(n.name);

    const auto full_name = [](int t, const net_entry& n, const char* impl) {
        return std::string(timing_names[t]) + "/" + n.name + "/" + impl;
    };
    for (int t = 0; t < 2; ++t)
        for (const auto& n : nets)
            for (std::size_t i = 0; i < impl_count; ++i)
                benchmark::RegisterBenchmark(full_name(t, n, impl_names[i]).c_str(), n.fn[t][i])
                    ->Unit(benchmark::kNanosecond);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

    collecting_reporter reporter(benchmark::CreateDefaultDisplayReporter());
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();

    // The summary goes to stdout after console output, to stderr after JSON or CSV (keeping those parseable).
    std::FILE* out = reporter.console() ? stdout : stderr;
    std::fprintf(out, "\nmedian CPU time per forward pass, ns (Eigen/x > 1: x faster than Eigen); ctnn arch: %s\n",
                 ctnn::default_arch::name());
    if (!have_generated) std::fprintf(out, "(no generated headers: ctnn was configured with CTNN_BUILD_GENERATOR=OFF)\n");
    std::fprintf(out, "%-11s %-24s", "timing", "net");
    for (std::size_t i = 0; i < impl_count; ++i) std::fprintf(out, " %10s", impl_headings[i]);
    for (std::size_t i = 0; i < impl_count; ++i)
        if (i != 1) std::fprintf(out, " %11s", (std::string("E/") + impl_headings[i]).c_str());
    std::fprintf(out, "\n");
    for (int t = 0; t < 2; ++t)
        for (const auto& n : nets) {
            double ns[4];
            bool any = false;
            for (std::size_t i = 0; i < impl_count; ++i) any = (ns[i] = reporter.median_ns(full_name(t, n, impl_names[i]))) >= 0 || any;
            if (!any) continue;  // filtered out by --benchmark_filter
            std::fprintf(out, "%-11s %-24s", timing_names[t], n.name);
            for (std::size_t i = 0; i < impl_count; ++i)
                if (ns[i] < 0)
                    std::fprintf(out, " %10s", "-");
                else
                    std::fprintf(out, " %10.1f", ns[i]);
            for (std::size_t i = 0; i < impl_count; ++i) {
                if (i == 1) continue;
                if (ns[i] < 0 || ns[1] < 0)
                    std::fprintf(out, " %11s", "-");
                else
                    std::fprintf(out, " %11.2f", ns[1] / ns[i]);
            }
            std::fprintf(out, "\n");
        }
    return 0;
}
