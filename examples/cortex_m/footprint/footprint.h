#ifndef CTNN_FOOTPRINT_H
#define CTNN_FOOTPRINT_H

/* net.c: the generated network behind a function that is never inlined, and its sizes. */
__attribute__((noinline)) void footprint_forward(const float *in, float *out);
extern const int footprint_input_size, footprint_output_size;

#endif
