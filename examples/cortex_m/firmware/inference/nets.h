/* The generated networks behind plain C functions, so that one driver (main.c) checks both the C++17 headers
 * (nets.cpp, the firmware "inference") and the C99 headers (nets.c, "inference_c"). Keeping the generated code
 * in its own translation unit also lets the tests inspect exactly its object file (no __aeabi_d* symbols). */
#ifndef CORTEX_M_NETS_H
#define CORTEX_M_NETS_H

#ifdef __cplusplus
extern "C" {
#endif

/* Iris, 4 raw measurements -> 3 probabilities: predict() (the header's normalize_input + forward) ... */
void nets_iris_predict(const float* raw, float* out);
/* ... and the two steps called one by one. */
void nets_iris_normalize_forward(const float* raw, float* out);
/* The regression network, 8 inputs -> 1 output. */
void nets_regression_forward(const float* in, float* out);
/* "C++17" or "C99": the language of the headers behind these functions. */
const char* nets_language(void);

#ifdef __cplusplus
}
#endif

#endif
