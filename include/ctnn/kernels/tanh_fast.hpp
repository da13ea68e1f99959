// ctnn::tanh_fast(float): the fast scalar tanh of generated headers built with ctnn-gen --math fast (for
// microcontrollers), for code that wants the same values on the host. Method and error: kernels/tanh_fast.inc.
#pragma once

namespace ctnn {

inline float tanh_fast(float x) noexcept {
#include <ctnn/kernels/tanh_fast.inc>
}

}  // namespace ctnn
