// The library's side of the training tests: for a test network (tests/gen_diff/nets.def) at given parameters,
// Net::forward(ws) + Net::backward over a few samples, with the SIMD kernels and with the scalar ones.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include <ctnn/network.hpp>

namespace gen_train {

// What the library computes for samples (x_s, dL/dy_s), s = 0 .. S-1, gradients accumulated from zero.
// Everything widened to double; parameter-shaped vectors in PyTorch order (per layer weight[out][in], bias[out]).
struct pass {
    std::vector<double> grad, grad_scalar;  // Net::backward (xsimd's best kernels) / Net::backward<scalar_arch>
    std::vector<double> dx, dx_scalar;      // dL/dx, S x input_size
    std::vector<double> y;                  // Net::forward<scalar_arch> outputs, S x output_size
    // What rounding in any evaluation order can move each value by, divided by the unit roundoff
    // (see magnitudes in reference.cpp): the floor of the relative error measure.
    std::vector<double> grad_magnitude, dx_magnitude, y_magnitude;
};

struct reference {
    const char* name;
    bool is_double;
    std::size_t input_size;
    std::size_t output_size;
    std::size_t parameter_count;
    std::span<const ctnn::layer_layout> layers;  // Net::layout<T>
    std::vector<double> (*initial)();            // the net's parameters (as in its model file), PyTorch order
    // params: PyTorch order (rounded to the net's type); xs: S x input_size; dys: S x output_size.
    pass (*run)(const std::vector<double>& params, const std::vector<double>& xs, const std::vector<double>& dys);
};

std::span<const reference> references();

}  // namespace gen_train
