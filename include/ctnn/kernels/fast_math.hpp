// Approximations of transcendental functions for SIMD batches, used instead of xsimd's where those are slow.
// Each lives in a header fragment (kernels/*.inc) that generated headers embed verbatim, so a network runs the
// same arithmetic in the library and in its generated header. Accuracy: docs/activations.md.
#pragma once

#include <ctnn/kernels/simd.hpp>

namespace ctnn::simd {
#include <ctnn/kernels/tanh_approx.inc>  // tanh_approx(xsimd::batch<float, A>)
}  // namespace ctnn::simd
