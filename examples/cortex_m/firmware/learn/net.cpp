// The header generated with ctnn-gen --train sgd --mutable-weights from learn_init.ctnn.json (2 -> 8 tanh -> 1,
// host/learn_init.cpp): forward_train, backward, zero_grad and step (docs/generator.md, "Training").
#include "net.h"

#include "learn_model.hpp"

static_assert(learn_model::input_size == 2 && learn_model::output_size == 1, "the learning example's network");

float learn_train_step(const float (&x)[2], float target, float learning_rate) {
    float y[1];
    learn_model::zero_grad();
    learn_model::forward_train(x, y);
    const float error = y[0] - target;
    const float dy[1] = {2.0f * error};  // d(error^2)/dy
    learn_model::backward(dy, nullptr);
    learn_model::step(learning_rate);
    return error * error;
}

float learn_predict(const float (&x)[2]) {
    float y[1];
    learn_model::forward(x, y);
    return y[0];
}
