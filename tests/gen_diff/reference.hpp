// The library's side of the differential tests: the outputs of each test network (nets.def) for an input.
#pragma once

#include <cstddef>
#include <span>

#include <ctnn/network.hpp>

namespace gen_diff {

struct reference {
    const char* name;
    bool is_double;
    std::size_t input_size;
    std::size_t output_size;
    std::size_t parameter_count;
    // x: input_size values (float or double, as the net). y: Net::forward (xsimd's best kernels);
    // y_scalar: Net::forward<ctnn::scalar_arch>; magnitude: per output, the size of the rounding errors any
    // evaluation order makes, relative to unit roundoff (see magnitudes in reference.cpp).
    void (*run)(const void* x, void* y, void* y_scalar, double* magnitude);
    std::span<const ctnn::layer_layout> layers;  // Net::layout<T>
    double (*weight)(std::size_t layer, std::size_t out, std::size_t in);  // the parameters, widened
    double (*bias)(std::size_t layer, std::size_t out);
};

std::span<const reference> references();

}  // namespace gen_diff
