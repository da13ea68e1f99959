// The C++17 headers (ctnn-gen --name iris_model / regression_model, default scalar target).
#include "nets.h"

#include "iris_model.hpp"
#include "regression_model.hpp"

static_assert(iris_model::input_size == 4 && iris_model::output_size == 3, "the Iris network");
static_assert(regression_model::input_size == 8 && regression_model::output_size == 1, "the regression network");

extern "C" {

void nets_iris_predict(const float* raw, float* out) { iris_model::predict(raw, out); }

void nets_iris_normalize_forward(const float* raw, float* out) {
    float in[iris_model::input_size];
    iris_model::normalize_input(raw, in);
    iris_model::forward(in, out);
}

void nets_regression_forward(const float* in, float* out) { regression_model::forward(in, out); }

const char* nets_language(void) { return "C++17"; }

}  // extern "C"
