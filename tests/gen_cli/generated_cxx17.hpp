// The generated headers' forward functions, called through a translation unit compiled as C++17.
#pragma once

namespace gen_cli {
void forward_loops(const float* in, float* out);
void forward_full(const float* in, float* out);
void forward_simd(const float* in, float* out);
void forward_double(const double* in, double* out);
}  // namespace gen_cli
