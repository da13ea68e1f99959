/* The generated header alone in its translation unit, behind one function that is never inlined: its object file
 * is what the footprint measures (code, weights, buffers), and the markers around the call bound the count. */
#include "model.h"

#include "footprint.h"

const int footprint_input_size = net_INPUT_SIZE, footprint_output_size = net_OUTPUT_SIZE;

void footprint_forward(const float *in, float *out) { net_forward(in, out); }
