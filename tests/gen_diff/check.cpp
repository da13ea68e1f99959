// The differential test of one option set: every generated header linked into this program (gen_diff.h) must give
// the library's forward outputs for seeded inputs. One program per option set; `test_gen_diff_<mode>`.
//
// The error of an output is |generated - library| / max(|library|, magnitude), where magnitude (reference.cpp)
// is what rounding in any evaluation order can move that output by, divided by the unit roundoff: an output that is
// the small difference of large terms is compared relative to those terms, every other output relative to itself.
// It must stay below 1e-6 for float models and 1e-12 for double ones, against the library's SIMD kernels and its
// scalar kernels. Also checked: the declared sizes, that forward writes exactly output_size values, leaves its
// input alone, works on unaligned buffers, and gives the same bits when called again; and that the header's
// weight()/bias() accessors return the model's parameters bit for bit.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <span>
#include <string_view>
#include <vector>

#include <ctnn/random.hpp>

#include "gen_diff.h"
#include "reference.hpp"

namespace {

struct stats {
    std::size_t samples = 0;
    std::size_t outputs = 0;
    double error = 0;         // against Net::forward
    double error_scalar = 0;  // against Net::forward<ctnn::scalar_arch>
    double plain = 0;         // |g - r| / |r|, for the report
    std::size_t plain_over = 0;
    std::size_t failures = 0;
    void merge(const stats& s) {
        samples += s.samples;
        outputs += s.outputs;
        error = std::fmax(error, s.error);
        error_scalar = std::fmax(error_scalar, s.error_scalar);
        plain = std::fmax(plain, s.plain);
        plain_over += s.plain_over;
        failures += s.failures;
    }
};

std::uint64_t seed_of(std::string_view name) {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (char c : name) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
    return h;
}

template <class T>
bool same_bits(T a, T b) {
    return std::memcmp(&a, &b, sizeof(T)) == 0;
}

template <class T>
stats check(const gen_diff_generated& g, const gen_diff::reference& r) {
    const double tolerance = sizeof(T) == sizeof(float) ? 1e-6 : 1e-12;
    const T canary = T(12345.678);
    const std::size_t in = r.input_size, out = r.output_size;
    stats st;
    // Sample 0 is all zeros (the biases alone); then input scales 0.5 to 8, two draws each, reaching the
    // activations' saturated ranges.
    const double scales[] = {0, 0.5, 0.5, 1, 1, 2, 2, 4, 4, 8, 8};
    ctnn::random_source rng(seed_of(r.name));
    for (std::size_t s = 0; s < std::size(scales); ++s) {
        // One element in, so neither buffer is aligned beyond T's own alignment.
        std::vector<T> x(in + 1), x_copy, y(out + 2, canary), y_again(out + 2, canary), ref(out), ref_scalar(out);
        std::vector<double> magnitude(out);
        for (std::size_t i = 0; i < in; ++i) x[i + 1] = static_cast<T>(rng.uniform(-scales[s], scales[s]));
        x_copy = x;
        for (std::size_t o = 0; o < out; ++o) y[o + 1] = y_again[o + 1] = std::numeric_limits<T>::quiet_NaN();
        r.run(x.data() + 1, ref.data(), ref_scalar.data(), magnitude.data());
        g.forward(x.data() + 1, y.data() + 1);
        g.forward(x.data() + 1, y_again.data() + 1);
        ++st.samples;
        const auto fail = [&](const char* what, std::size_t o) {
            if (st.failures++ < 10)
                std::printf("  FAIL %s: sample %zu, output %zu: generated %.9g, library %.9g (scalar kernels %.9g), "
                            "magnitude %.3g: %s\n",
                            r.name, s, o, double(y[o + 1]), double(ref[o]), double(ref_scalar[o]), magnitude[o], what);
        };
        if (x != x_copy) fail("forward changed its input", 0);
        if (!same_bits(y[0], canary) || !same_bits(y[out + 1], canary)) fail("forward wrote outside output_size", 0);
        for (std::size_t o = 0; o < out; ++o) {
            const double gv = y[o + 1];
            ++st.outputs;
            if (!same_bits(y[o + 1], y_again[o + 1])) fail("a second call gave different bits", o);
            const auto error = [&](double want) {
                if (gv == want) return 0.0;  // exact, also where both are 0 (dropout alone on a zero input)
                return std::fabs(gv - want) / std::fmax(std::fabs(want), magnitude[o]);
            };
            const double e = error(ref[o]), es = error(ref_scalar[o]);
            if (!(e <= tolerance)) fail("differs from Net::forward", o);
            if (!(es <= tolerance)) fail("differs from Net::forward<ctnn::scalar_arch>", o);
            const double plain = gv == double(ref[o]) ? 0.0 : std::fabs(gv - ref[o]) / std::fabs(double(ref[o]));
            st.error = std::fmax(st.error, e);
            st.error_scalar = std::fmax(st.error_scalar, es);
            st.plain = std::fmax(st.plain, plain);
            st.plain_over += plain > tolerance;
        }
    }
    return st;
}

// The header's weight() and bias() return exactly the model's parameters (so every literal round-trips), and 0
// outside the model. Returns the number of mismatches.
std::size_t check_parameters(const gen_diff_generated& g, const gen_diff::reference& r) {
    std::size_t bad = 0;
    const auto expect = [&](double got, double want, const char* what, std::size_t l, std::size_t o, std::size_t i) {
        if (same_bits(got, want)) return;
        if (bad++ < 10)
            std::printf("  FAIL %s: %s(%zu, %zu, %zu) is %.17g, the model has %.17g\n", r.name, what, l, o, i, got, want);
    };
    const std::size_t layers = r.layers.size();
    for (std::size_t l = 0; l < layers; ++l) {
        const std::size_t in = r.layers[l].in, out = r.layers[l].out;
        for (std::size_t o = 0; o < out; ++o) {
            for (std::size_t i = 0; i < in; ++i) expect(g.weight(l, o, i), r.weight(l, o, i), "weight", l, o, i);
            expect(g.bias(l, o), r.bias(l, o), "bias", l, o, 0);
        }
        expect(g.weight(l, out, 0), 0, "weight", l, out, 0);
        expect(g.weight(l, 0, in), 0, "weight", l, 0, in);
        expect(g.bias(l, out), 0, "bias", l, out, 0);
    }
    expect(g.weight(layers, 0, 0), 0, "weight", layers, 0, 0);
    expect(g.bias(layers, 0), 0, "bias", layers, 0, 0);
    return bad;
}

}  // namespace

int main() {
    const auto refs = gen_diff::references();
    stats total;
    std::size_t headers = 0;
    std::printf("%s: %zu generated headers\n", gen_diff_mode, gen_diff_header_count);
    std::printf("  %-10s %7s %7s %11s %11s %11s\n", "net", "samples", "outputs", "error", "vs scalar", "plain rel");
    for (const auto& g : std::span(gen_diff_headers, gen_diff_header_count)) {
        const gen_diff::reference* r = nullptr;
        for (const auto& c : refs)
            if (std::string_view(c.name) == g.name) r = &c;
        if (r == nullptr) {
            std::printf("  FAIL %s: no such network in nets.def\n", g.name);
            ++total.failures;
            continue;
        }
        if (g.input_size != r->input_size || g.output_size != r->output_size || g.parameter_count != r->parameter_count) {
            std::printf("  FAIL %s: the header declares input_size %zu, output_size %zu, parameter_count %zu; "
                        "the network has %zu, %zu, %zu\n",
                        g.name, g.input_size, g.output_size, g.parameter_count, r->input_size, r->output_size,
                        r->parameter_count);
            ++total.failures;
            continue;
        }
        stats s = r->is_double ? check<double>(g, *r) : check<float>(g, *r);
        s.failures += check_parameters(g, *r);
        std::printf("  %-10s %7zu %7zu %11.3g %11.3g %11.3g%s\n", g.name, s.samples, s.outputs, s.error,
                    s.error_scalar, s.plain, s.failures ? "  FAILED" : "");
        total.merge(s);
        ++headers;
    }
    std::printf("%s: %zu headers, %zu samples, %zu outputs; max error %.3g (vs scalar kernels %.3g), "
                "max plain relative error %.3g (%zu outputs above the tolerance by that measure); %zu failures\n",
                gen_diff_mode, headers, total.samples, total.outputs, total.error, total.error_scalar, total.plain,
                total.plain_over, total.failures);
    return total.failures == 0 ? 0 : 1;
}
