// Compiled as C++17 (without GNU extensions): headers from ctnn_generate_header need nothing newer.
#include "generated_cxx17.hpp"

#include <gen_cli_small_full.hpp>
#include <gen_cli_small_loops.hpp>
#include <gen_cli_small_simd.hpp>
#include <nets/small_double.hpp>

#if __cplusplus != 201703L
#error "this file must be compiled as C++17"
#endif

namespace gen_cli {
void forward_loops(const float* in, float* out) { gen_cli_small_loops::forward(in, out); }
void forward_full(const float* in, float* out) { small_full::forward(in, out); }
void forward_simd(const float* in, float* out) { gen::small_simd::forward(in, out); }
void forward_double(const double* in, double* out) { gen_cli_small_double::forward(in, out); }
}  // namespace gen_cli
