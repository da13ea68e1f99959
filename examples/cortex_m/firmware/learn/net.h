// The generated training code behind two functions (net.cpp), in a translation unit of its own so that the
// tests can check its object file for double arithmetic.
#pragma once

// One SGD step on one sample: forward_train, the squared error's gradient, backward, step(lr). Returns the
// squared error before the step.
float learn_train_step(const float (&x)[2], float target, float learning_rate);
// The network's output for x (forward).
float learn_predict(const float (&x)[2]);
