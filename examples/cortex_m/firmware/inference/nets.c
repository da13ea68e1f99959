/* The C99 headers (ctnn-gen --lang c99 --name iris_model / regression_model: the default scalar target, or with
 * inference_mcu the microcontroller options, named by NETS_OPTIONS). */
#include "nets.h"

#include "iris_model.h"
#include "regression_model.h"

typedef char iris_sizes_ok[iris_model_INPUT_SIZE == 4 && iris_model_OUTPUT_SIZE == 3 ? 1 : -1];
typedef char regression_sizes_ok[regression_model_INPUT_SIZE == 8 && regression_model_OUTPUT_SIZE == 1 ? 1 : -1];

void nets_iris_predict(const float* raw, float* out) { iris_model_predict(raw, out); }

void nets_iris_normalize_forward(const float* raw, float* out) {
    float in[iris_model_INPUT_SIZE];
    iris_model_normalize_input(raw, in);
    iris_model_forward(in, out);
}

void nets_regression_forward(const float* in, float* out) { regression_model_forward(in, out); }

#ifndef NETS_OPTIONS
#define NETS_OPTIONS ""
#endif
const char* nets_language(void) { return "C99" NETS_OPTIONS; }
