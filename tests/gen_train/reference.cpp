// The library's gradients for the test networks (tests/gen_diff/nets.def, parameters as in their model files),
// computed in-process at whatever parameters the test's reference optimizer has reached.
#include "reference.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include <ctnn/torch_layout.hpp>

#include "nets.hpp"

namespace gen_train {
namespace {

// One layer of one sample, widened: input a, pre-activation z, output y, f'(z), f''(z), and the magnitudes
// (error bounds over the unit roundoff) of a, z and y.
struct layer_values {
    std::vector<double> a, z, y, df, ddf, ma, mz, my;
    bool softmax = false;
};

// f''(z) by a central difference of the library's df: how far an error in z moves f'. Large across a kink
// (relu's 0), which makes the few values that depend on one tolerant of it.
template <class Act>
double second_derivative(double z) {
    const double h = 1e-4 * std::max(1.0, std::abs(z));
    const auto d = [](double t) { return Act::df(t, Act::f(t)); };
    return (d(z + h) - d(z - h)) / (2 * h);
}

// How far a correct evaluation may stray, in units of the roundoff, to first order: a sum is off by eps times
// the sum of its terms' magnitudes (whatever the order of its additions), errors of the inputs propagate through
// the weights, f' and (for the derivative) f'', softmax through its Jacobian; activations and derivatives
// themselves are allowed a few ulps (4 |value|). Forward like tests/gen_diff/reference.cpp; then backward:
//   dz = g f'(z):  m(dz) = |f'| m(g) + |g| (4 |f'| + |f''| m(z));   softmax: dz = y (g - g.y), likewise
//   dL/db += dz, dL/dW += dz a, dL/dx = W^T dz: each term |w| (m(dz) + |dz|), |dz| m(a) + m(dz) |a| + |dz a|.
// grad_magnitude (PyTorch order) accumulates over the samples; dx_magnitude and y_magnitude are per sample.
template <class Net, class T, std::size_t... L>
void magnitudes(const typename Net::template parameters<T>& p, const T* ws, const T* dy, double* grad_magnitude,
                double* dx_magnitude, double* y_magnitude, std::index_sequence<L...>) {
    std::vector<layer_values> layers;
    std::vector<double> a(Net::input_size), ma(Net::input_size, 0.0);
    for (std::size_t i = 0; i < Net::input_size; ++i) a[i] = double(ws[i]);
    const auto forward = [&]<std::size_t I>(std::integral_constant<std::size_t, I>) {
        using Act = typename Net::template layer<I>::activation;
        constexpr auto l = Net::template layout<T>[I];
        layer_values v;
        v.a = a;
        v.ma = ma;
        v.softmax = !Act::elementwise;
        for (auto* values : {&v.z, &v.y, &v.df, &v.ddf, &v.mz, &v.my}) values->resize(l.out);
        for (std::size_t o = 0; o < l.out; ++o) {
            v.z[o] = double(ws[l.z_offset + o]);
            v.y[o] = double(ws[l.y_offset + o]);
            double s = std::abs(double(p.bias(I, o)));
            for (std::size_t i = 0; i < l.in; ++i) s += std::abs(double(p.weight(I, o, i))) * (std::abs(a[i]) + ma[i]);
            v.mz[o] = s;
        }
        if constexpr (Act::elementwise) {
            for (std::size_t o = 0; o < l.out; ++o) {
                v.df[o] = double(Act::df(ws[l.z_offset + o], ws[l.y_offset + o]));
                v.ddf[o] = second_derivative<Act>(v.z[o]);
                v.my[o] = std::abs(v.df[o]) * v.mz[o] + 4 * std::abs(v.y[o]);
            }
        } else {
            double dot = 0;
            for (std::size_t o = 0; o < l.out; ++o) dot += v.y[o] * v.mz[o];
            for (std::size_t o = 0; o < l.out; ++o) v.my[o] = v.y[o] * (v.mz[o] + dot) + 4 * v.y[o];
        }
        a = v.y;
        ma = v.my;
        layers.push_back(std::move(v));
    };
    (forward(std::integral_constant<std::size_t, L>{}), ...);
    for (std::size_t o = 0; o < Net::output_size; ++o) y_magnitude[o] = ma[o];

    // Backward, from dL/dy (exact) to dL/dx.
    std::vector<std::size_t> offset(Net::layer_count + 1, 0);
    for (std::size_t k = 0; k < Net::layer_count; ++k)
        offset[k + 1] = offset[k] + Net::template layout<T>[k].out * (Net::template layout<T>[k].in + 1);
    std::vector<double> g(dy, dy + Net::output_size), mg(Net::output_size, 0.0);
    for (std::size_t k = Net::layer_count; k-- > 0;) {
        const layer_values& v = layers[k];
        const std::size_t in = v.a.size(), out = v.y.size();
        std::vector<double> dz(out), mdz(out);
        if (!v.softmax) {
            for (std::size_t o = 0; o < out; ++o) {
                dz[o] = g[o] * v.df[o];
                mdz[o] = std::abs(v.df[o]) * mg[o] +
                         std::abs(g[o]) * (4 * std::abs(v.df[o]) + std::abs(v.ddf[o]) * v.mz[o]);
            }
        } else {
            double dot = 0, mdot = 0;
            for (std::size_t o = 0; o < out; ++o) {
                dot += g[o] * v.y[o];
                mdot += mg[o] * v.y[o] + std::abs(g[o]) * v.my[o] + std::abs(g[o]) * v.y[o];
            }
            for (std::size_t o = 0; o < out; ++o) {
                dz[o] = v.y[o] * (g[o] - dot);
                mdz[o] = v.my[o] * std::abs(g[o] - dot) + v.y[o] * (mg[o] + mdot + std::abs(g[o]) + std::abs(dot));
            }
        }
        std::vector<double> gx(in, 0.0), mgx(in, 0.0);
        for (std::size_t o = 0; o < out; ++o) {
            for (std::size_t i = 0; i < in; ++i) {
                const double w = std::abs(double(p.weight(k, o, i)));
                grad_magnitude[offset[k] + o * in + i] +=
                    mdz[o] * std::abs(v.a[i]) + std::abs(dz[o]) * v.ma[i] + std::abs(dz[o] * v.a[i]);
                gx[i] += double(p.weight(k, o, i)) * dz[o];
                mgx[i] += w * (mdz[o] + std::abs(dz[o]));
            }
            grad_magnitude[offset[k] + out * in + o] += mdz[o] + std::abs(dz[o]);
        }
        g = std::move(gx);
        mg = std::move(mgx);
    }
    for (std::size_t i = 0; i < Net::input_size; ++i) dx_magnitude[i] = mg[i];
}

template <class Net, class T>
std::vector<double> widen(const typename Net::template parameters<T>& p) {
    std::vector<T> flat(Net::parameter_count);
    ctnn::export_torch(p, std::span<T, Net::parameter_count>(flat.data(), Net::parameter_count));
    return {flat.begin(), flat.end()};
}

template <class Net, class T, std::uint64_t Seed>
std::vector<double> initial() {
    return widen<Net, T>(gen_diff::parameters_of<Net, T, Seed>());
}

template <class Net, class T, std::uint64_t Seed>
pass run(const std::vector<double>& params, const std::vector<double>& xs, const std::vector<double>& dys) {
    constexpr std::size_t in = Net::input_size, out = Net::output_size, count = Net::parameter_count;
    // Static: the largest net's buffers do not belong on the stack.
    static typename Net::template parameters<T> p;
    static typename Net::template gradients<T> g, g_scalar;
    static typename Net::template workspace<T> ws, ws_scalar;
    std::vector<T> flat(count);
    for (std::size_t j = 0; j < count; ++j) flat[j] = static_cast<T>(params[j]);
    ctnn::import_torch(p, std::span<const T, count>(flat.data(), count));
    g.fill(T(0));
    g_scalar.fill(T(0));
    const std::size_t samples = xs.size() / in;
    pass r;
    r.dx.resize(samples * in), r.dx_scalar.resize(samples * in), r.dx_magnitude.resize(samples * in);
    r.y.resize(samples * out), r.y_magnitude.resize(samples * out);
    r.grad_magnitude.assign(count, 0.0);
    for (std::size_t s = 0; s < samples; ++s) {
        std::array<T, in> x, dx, dx_scalar;
        std::array<T, out> y, y_scalar, dy;
        for (std::size_t i = 0; i < in; ++i) x[i] = static_cast<T>(xs[s * in + i]);
        for (std::size_t o = 0; o < out; ++o) dy[o] = static_cast<T>(dys[s * out + o]);
        Net::forward(p, x, y, ws);
        Net::backward(p, ws, dy, g, dx);
        Net::template forward<ctnn::scalar_arch>(p, x, y_scalar, ws_scalar);
        Net::template backward<ctnn::scalar_arch>(p, ws_scalar, dy, g_scalar, dx_scalar);
        magnitudes<Net, T>(p, ws_scalar.data, dy.data(), r.grad_magnitude.data(), r.dx_magnitude.data() + s * in,
                           r.y_magnitude.data() + s * out, std::make_index_sequence<Net::layer_count>{});
        for (std::size_t i = 0; i < in; ++i) {
            r.dx[s * in + i] = double(dx[i]);
            r.dx_scalar[s * in + i] = double(dx_scalar[i]);
        }
        for (std::size_t o = 0; o < out; ++o) r.y[s * out + o] = double(y_scalar[o]);
    }
    r.grad = widen<Net, T>(g);
    r.grad_scalar = widen<Net, T>(g_scalar);
    return r;
}

#define GEN_DIFF_NET(name, T, seed, ...)                                                                      \
    reference{#name,                                                                                          \
              sizeof(T) == sizeof(double),                                                                    \
              __VA_ARGS__::input_size,                                                                        \
              __VA_ARGS__::output_size,                                                                       \
              __VA_ARGS__::parameter_count,                                                                   \
              __VA_ARGS__::layout<T>,                                                                         \
              &initial<__VA_ARGS__, T, seed>,                                                                 \
              &run<__VA_ARGS__, T, seed>},
const reference all[] = {
#include "nets.def"
};
#undef GEN_DIFF_NET

}  // namespace

std::span<const reference> references() { return all; }

}  // namespace gen_train
