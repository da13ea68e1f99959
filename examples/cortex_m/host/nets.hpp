// The networks of the Cortex-M firmware examples, as ctnn types, shared by the host programs in this folder.
#pragma once

#include <ctnn/ctnn.hpp>

#include <cmath>

namespace cortex_m {

// models/iris.ctnn.json (a copy of tests/gen_cli/data/iris_standardized.ctnn.json): 4 raw measurements,
// standardized by the model's own normalization, -> 3 class probabilities.
using iris_net = ctnn::network<ctnn::input<4>, ctnn::dense<16, ctnn::relu>, ctnn::dense<3, ctnn::softmax>>;

// models/regression.ctnn.json, trained by regression_train.cpp on regression_target.
using regression_net = ctnn::network<ctnn::input<8>, ctnn::dense<16, ctnn::tanh>, ctnn::dense<16, ctnn::tanh>,
                                     ctnn::dense<1>>;

// A smooth function of 8 inputs in [-1, 1]: a sum of sines of different frequencies plus two products, so the
// hidden layers have to mix inputs. Range about [-1.3, 1.3].
inline double regression_target(const double (&x)[8]) {
    double y = 0;
    for (int i = 0; i < 8; ++i) y += std::sin((1.0 + 0.25 * i) * x[i]) / 4;
    return y + 0.3 * x[0] * x[1] - 0.2 * x[2] * x[5];
}

// The on-device learning example's network (firmware/learn): 2 inputs -> 8 tanh -> 1, its initial weights written
// by learn_init.cpp.
using learn_net = ctnn::network<ctnn::input<2>, ctnn::dense<8, ctnn::tanh>, ctnn::dense<1>>;

}  // namespace cortex_m
