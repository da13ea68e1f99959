/* What links the pieces of one differential test program (C and C++): a wrapper per option set exports the
   generated headers' forward functions (wrap_<mode>.c/.cpp, written by CMakeLists.txt), reference.cpp the
   library's, check.cpp compares them. */
#ifndef GEN_DIFF_H_INCLUDED
#define GEN_DIFF_H_INCLUDED

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* in, out: float or double, as the net's model. */
typedef void (*gen_diff_forward)(const void *in, void *out);

/* W[out][in] and b[out] of a layer, as the header's weight() and bias() accessors return them (widened). */
typedef double (*gen_diff_weight)(size_t layer, size_t out, size_t in);
typedef double (*gen_diff_bias)(size_t layer, size_t out);

/* One generated header: the sizes it declares, its forward and its parameter accessors. */
struct gen_diff_generated {
    const char *name;
    size_t input_size;
    size_t output_size;
    size_t parameter_count;
    gen_diff_forward forward;
    gen_diff_weight weight;
    gen_diff_bias bias;
};

/* Defined by the option set's wrapper. */
extern const char gen_diff_mode[];
extern const struct gen_diff_generated gen_diff_headers[];
extern const size_t gen_diff_header_count;

#ifdef __cplusplus
}
#endif

#endif
