// The training test of one option set (test_gen_train_<mode>): every generated header of the set (gen_train.h)
// against the library, from the parameters of its model file:
//   1. gradients: zero_grad, then forward_train + backward for 3 seeded samples (x, dL/dy), accumulating
//      (the second sample through backward(dy, nullptr)); weight_grad / bias_grad, dL/dx and the outputs must
//      equal Net::backward's (SIMD and scalar kernels) within the error measure below;
//   2. zero_grad sets every gradient to exactly 0 (checked before each round, after a round left them non-zero);
//   3. the optimizer: step() after rounds 0, 1, 2 and step(lr2) after round 3 (lr2 = 2.5 x the generated rate,
//      gradients recomputed before each step), against a reference optimizer in double fed with the library's
//      gradients (SGD: w -= lr g; Adam: torch.optim.Adam); the test also asserts that the weights after step(lr2)
//      are told apart from what the generated rate would give;
//   4. afterwards forward and forward_train (with the trained, mutable weights) give the library's outputs there.
//
// Error measure (like tests/gen_diff's): |generated - library| <= max(1e-5 |library|, 1e-6 magnitude) for float
// models (1e-12, 1e-13 for double ones), where magnitude (reference.cpp) bounds what rounding in any evaluation
// order moves the value by, over the unit roundoff: a gradient that is the small difference of large terms is
// compared relative to those terms (to about 8 roundoffs of their size, as gen_diff does), every other one relative
// to itself. The reports print the worst error / allowed error of each kind.
// Weights after a step: from the header's weights before it, the reference steps with three optimizer states fed
// with the library's gradients g and with g +- d, d = the gradient check's own bound + |SIMD - scalar library|;
// the generated update (new - old weight, exact) must lie in their range widened by 1e-5 of the update and the
// rounding of the new weight (epsilon |w|). For SGD the range is tiny; for Adam it matters where a gradient is
// rounding noise (its sign, and so a step of +-lr, is not determined by the float computation). Each round's
// library gradients are taken at the header's weights.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <span>
#include <string_view>
#include <vector>

#include <ctnn/random.hpp>

#include "gen_train.h"
#include "reference.hpp"

namespace {

constexpr double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;  // ctnn-gen's defaults, used by every option set
constexpr std::size_t samples = 3;
constexpr std::size_t rounds = 4;  // gradients + step, 4 times; the last step with step(lr2)
constexpr double lr2_factor = 2.5;

std::uint64_t seed_of(std::string_view name, std::uint64_t round) {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (char c : name) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
    return h ^ (round * 0x9e3779b97f4a7c15ull);
}

struct report {
    const char* net = "";
    double tolerance = 0;        // relative to the value
    double floor_tolerance = 0;  // relative to its magnitude: a tenth of the above, gen_diff's 1e-6 for float
    std::size_t failures = 0;
    std::size_t checked = 0;
    double grad = 0, dx = 0, y = 0, weight = 0;  // worst error / tolerance of each kind

    void fail(const char* what, std::size_t round, std::size_t index, double generated, double expected, double bound) {
        if (failures++ < 12)
            std::printf("  FAIL %s %s: round %zu, index %zu: generated %.17g, expected %.17g (allowed +- %.3g)\n", net,
                        what, round, index, generated, expected, bound);
    }
    // How far the generated value may be from the library's: tolerance |library| or floor_tolerance magnitude.
    double bound(double library, double magnitude) const {
        return std::max(tolerance * std::abs(library), floor_tolerance * magnitude);
    }
    // |generated - library| / max(|library|, magnitude / 10) below the tolerance; worst: the kind's running maximum.
    void compare(const char* what, double& worst, std::size_t round, std::size_t index, double generated,
                 double library, double magnitude) {
        ++checked;
        const double scale = std::max(std::abs(library), floor_tolerance / tolerance * magnitude);
        const double e = std::abs(generated - library) / (scale > 0 ? scale : 1.0);
        if (!(e <= tolerance)) {  // NaN fails too
            fail(what, round, index, generated, library, tolerance * scale);
            return;
        }
        worst = std::max(worst, e / tolerance);
    }
};

// The reference optimizer in double: its state, and the change of the parameters one step makes.
struct optimizer {
    bool adam = false;
    std::vector<double> m, v;
    double beta1_power = 1, beta2_power = 1;

    // theta -= the returned values
    std::vector<double> step(const std::vector<double>& g, double lr) {
        std::vector<double> u(g.size());
        if (!adam) {
            for (std::size_t j = 0; j < g.size(); ++j) u[j] = lr * g[j];
            return u;
        }
        beta1_power *= beta1;
        beta2_power *= beta2;
        for (std::size_t j = 0; j < g.size(); ++j) {
            m[j] = beta1 * m[j] + (1 - beta1) * g[j];
            v[j] = beta2 * v[j] + (1 - beta2) * g[j] * g[j];
            u[j] = lr * (m[j] / (1 - beta1_power)) / (std::sqrt(v[j] / (1 - beta2_power)) + epsilon);
        }
        return u;
    }
};

// The generated header's parameters or gradients, PyTorch order.
std::vector<double> read(const gen_train::reference& r, double (*w)(size_t, size_t, size_t), double (*b)(size_t, size_t)) {
    std::vector<double> v;
    v.reserve(r.parameter_count);
    for (std::size_t k = 0; k < r.layers.size(); ++k) {
        const auto& l = r.layers[k];
        for (std::size_t o = 0; o < l.out; ++o)
            for (std::size_t i = 0; i < l.in; ++i) v.push_back(w(k, o, i));
        for (std::size_t o = 0; o < l.out; ++o) v.push_back(b(k, o));
    }
    return v;
}

template <class T>
std::vector<T> narrow(std::span<const double> v) {
    return std::vector<T>(v.begin(), v.end());
}

template <class T>
report check(const gen_train_generated& g, const gen_train::reference& r, bool adam, double lr) {
    report rep;
    rep.net = r.name;
    rep.tolerance = sizeof(T) == sizeof(float) ? 1e-5 : 1e-12;
    rep.floor_tolerance = rep.tolerance / 10;
    const double eps = std::numeric_limits<T>::epsilon();
    const std::size_t in = r.input_size, out = r.output_size, count = r.parameter_count;
    const T canary = T(12345.678);

    // The header starts at the model's parameters.
    std::vector<optimizer> ref(3);  // fed with g, g + d, g - d
    for (optimizer& o : ref) {
        o.adam = adam;
        o.m.assign(count, 0.0);
        o.v.assign(count, 0.0);
    }
    std::vector<double> theta = read(r, g.weight, g.bias);  // the generated weights, current
    {
        const std::vector<double> initial = r.initial();
        for (std::size_t j = 0; j < count; ++j)
            if (theta[j] != initial[j]) rep.fail("initial parameter", 0, j, theta[j], initial[j], 0);
    }

    for (std::size_t round = 0; round < rounds; ++round) {
        ctnn::random_source rng(seed_of(r.name, round));
        std::vector<double> xs(samples * in), dys(samples * out);
        for (double& x : xs) x = static_cast<double>(static_cast<T>(rng.uniform(-1.5, 1.5)));
        for (double& d : dys) d = static_cast<double>(static_cast<T>(rng.uniform(-1.0, 1.0)));
        // The library at the header's current weights (exactly: they are values of T).
        const gen_train::pass lib = r.run(theta, xs, dys);

        // zero_grad: every gradient exactly 0 (after round 0, the previous round's are not).
        g.zero_grad();
        const std::vector<double> zeros = read(r, g.weight_grad, g.bias_grad);
        for (std::size_t j = 0; j < count; ++j)
            if (zeros[j] != 0) rep.fail("gradient after zero_grad", round, j, zeros[j], 0, 0);

        for (std::size_t s = 0; s < samples; ++s) {
            const std::vector<T> x = narrow<T>(std::span(xs).subspan(s * in, in));
            const std::vector<T> dy = narrow<T>(std::span(dys).subspan(s * out, out));
            std::vector<T> y(out + 1, canary), dx(in + 1, canary);
            g.forward_train(x.data(), y.data());
            if (y[out] != canary) rep.fail("forward_train wrote past output_size", round, s, double(y[out]), 0, 0);
            for (std::size_t o = 0; o < out; ++o)
                rep.compare("forward_train output", rep.y, round, s * out + o, double(y[o]), lib.y[s * out + o],
                            lib.y_magnitude[s * out + o]);
            if (s == 1) {
                g.backward_no_din(dy.data());
                continue;
            }
            g.backward(dy.data(), dx.data());
            if (dx[in] != canary) rep.fail("backward wrote past input_size", round, s, double(dx[in]), 0, 0);
            for (std::size_t i = 0; i < in; ++i) {
                const std::size_t at = s * in + i;
                rep.compare("dloss_din", rep.dx, round, at, double(dx[i]), lib.dx[at], lib.dx_magnitude[at]);
                rep.compare("dloss_din (scalar kernels)", rep.dx, round, at, double(dx[i]), lib.dx_scalar[at],
                            lib.dx_magnitude[at]);
            }
        }

        const std::vector<double> grad = read(r, g.weight_grad, g.bias_grad);
        std::vector<double> plus(count), minus(count);
        for (std::size_t j = 0; j < count; ++j) {
            rep.compare("gradient", rep.grad, round, j, grad[j], lib.grad[j], lib.grad_magnitude[j]);
            rep.compare("gradient (scalar kernels)", rep.grad, round, j, grad[j], lib.grad_scalar[j],
                        lib.grad_magnitude[j]);
            const double d = rep.bound(lib.grad[j], lib.grad_magnitude[j]) + std::abs(lib.grad[j] - lib.grad_scalar[j]);
            plus[j] = lib.grad[j] + d;
            minus[j] = lib.grad[j] - d;
        }

        // The step, generated and reference, from the same weights.
        const bool last = round + 1 == rounds;
        const double rate = last ? lr2_factor * lr : lr;
        optimizer with_default_rate = ref[0];  // to show that step(lr2) differs from step()
        const std::vector<double> u_default = with_default_rate.step(lib.grad, lr);
        const std::vector<double> u[3] = {ref[0].step(lib.grad, rate), ref[1].step(plus, rate), ref[2].step(minus, rate)};
        if (last)
            g.step_lr(rate);
        else
            g.step();

        const std::vector<double> w = read(r, g.weight, g.bias);
        std::size_t told_apart = 0;
        for (std::size_t j = 0; j < count; ++j) {
            const double lo = theta[j] - std::max({u[0][j], u[1][j], u[2][j]});
            const double hi = theta[j] - std::min({u[0][j], u[1][j], u[2][j]});
            const double expected = theta[j] - u[0][j];
            // The update to 1e-5, and the rounding of the new weight.
            const double slack = rep.tolerance * std::abs(u[0][j]) + eps * std::abs(expected) + 1e-300;
            ++rep.checked;
            if (!(w[j] >= lo - slack && w[j] <= hi + slack)) {
                rep.fail(last ? "weight after step(lr2)" : "weight after step()", round, j, w[j], expected,
                         slack + (hi - lo));
                continue;
            }
            const double off = w[j] < lo ? lo - w[j] : w[j] > hi ? w[j] - hi : 0.0;
            rep.weight = std::max(rep.weight, off / slack);
            const double other = theta[j] - u_default[j];
            if (other < lo - slack || other > hi + slack) ++told_apart;
        }
        if (last && told_apart == 0)
            rep.fail("step(lr2): no weight tells it from step() (test too weak)", round, 0, 0, 0, 0);
        theta = w;
    }

    // The trained (mutable) weights in forward and forward_train.
    {
        ctnn::random_source rng(seed_of(r.name, rounds));
        std::vector<double> xs(in), dys(out, 0.0);
        for (double& x : xs) x = static_cast<double>(static_cast<T>(rng.uniform(-1.5, 1.5)));
        const gen_train::pass lib = r.run(theta, xs, dys);
        const std::vector<T> x = narrow<T>(xs);
        std::vector<T> y(out), y_train(out);
        g.forward(x.data(), y.data());
        g.forward_train(x.data(), y_train.data());
        for (std::size_t o = 0; o < out; ++o) {
            rep.compare("forward after training", rep.y, rounds, o, double(y[o]), lib.y[o], lib.y_magnitude[o]);
            rep.compare("forward_train after training", rep.y, rounds, o, double(y_train[o]), lib.y[o],
                        lib.y_magnitude[o]);
        }
    }
    return rep;
}

}  // namespace

int main() {
    const std::span<const gen_train::reference> refs = gen_train::references();
    const bool adam = std::string_view(gen_train_optimizer) == "adam";
    std::size_t failures = 0, nets = 0;
    std::printf("gen_train %s (%s, lr %g): error / tolerance, worst per kind\n", gen_train_mode, gen_train_optimizer,
                gen_train_learning_rate);
    for (std::size_t h = 0; h < gen_train_header_count; ++h) {
        const gen_train_generated& g = gen_train_headers[h];
        const gen_train::reference* r = nullptr;
        for (const auto& c : refs)
            if (std::string_view(c.name) == g.name) r = &c;
        if (!r) {
            std::printf("  FAIL %s: no reference net of that name\n", g.name);
            ++failures;
            continue;
        }
        if (g.input_size != r->input_size || g.output_size != r->output_size ||
            g.parameter_count != r->parameter_count) {
            std::printf("  FAIL %s: the header declares sizes %zu/%zu/%zu, the net has %zu/%zu/%zu\n", g.name,
                        g.input_size, g.output_size, g.parameter_count, r->input_size, r->output_size,
                        r->parameter_count);
            ++failures;
            continue;
        }
        const report rep = r->is_double ? check<double>(g, *r, adam, gen_train_learning_rate)
                                        : check<float>(g, *r, adam, gen_train_learning_rate);
        std::printf("  %-8s gradients %.3f  dx %.3f  outputs %.3f  weights %.3f  (%zu values)%s\n", g.name, rep.grad,
                    rep.dx, rep.y, rep.weight, rep.checked, rep.failures ? "  FAILED" : "");
        failures += rep.failures;
        ++nets;
    }
    if (nets == 0) {
        std::printf("FAIL: no header checked\n");
        return 1;
    }
    std::printf("%zu headers, %zu failures\n", nets, failures);
    return failures ? 1 : 0;
}
