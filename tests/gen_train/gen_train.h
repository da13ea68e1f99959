/* What links the pieces of one training test program (C and C++): a wrapper per option set exports the generated
   headers' entry points (wrap_<mode>.c/.cpp, written by CMakeLists.txt), reference.cpp the library's results,
   check.cpp compares them. Values cross as void pointers to float or double, as the net's model. */
#ifndef GEN_TRAIN_H_INCLUDED
#define GEN_TRAIN_H_INCLUDED

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One generated header with --train: its sizes and every entry point (accessors widened to double). */
struct gen_train_generated {
    const char *name;
    size_t input_size;
    size_t output_size;
    size_t parameter_count;
    void (*forward)(const void *in, void *out);
    void (*forward_train)(const void *in, void *out);
    void (*backward)(const void *dloss_dout, void *dloss_din);
    void (*backward_no_din)(const void *dloss_dout); /* backward(dloss_dout, nullptr / NULL) spelled literally */
    void (*zero_grad)(void);
    void (*step)(void);
    void (*step_lr)(double learning_rate);
    double (*weight)(size_t layer, size_t out, size_t in);
    double (*bias)(size_t layer, size_t out);
    double (*weight_grad)(size_t layer, size_t out, size_t in);
    double (*bias_grad)(size_t layer, size_t out);
};

/* Defined by the option set's wrapper. */
extern const char gen_train_mode[];
extern const char gen_train_optimizer[]; /* "sgd" or "adam" */
extern const double gen_train_learning_rate; /* as given to ctnn-gen --lr; Adam's betas and eps are the defaults */
extern const struct gen_train_generated gen_train_headers[];
extern const size_t gen_train_header_count;

#ifdef __cplusplus
}
#endif

#endif
