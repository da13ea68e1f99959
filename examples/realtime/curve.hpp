// The distortion curve the real-time example's network imitates, and the grid the outputs are checked on.
// Shared by the trainer (C++20, with ctnn) and the real-time programs (C++17, the generated header only).
#ifndef CTNN_EXAMPLES_REALTIME_CURVE_HPP
#define CTNN_EXAMPLES_REALTIME_CURVE_HPP

#include <cmath>
#include <cstddef>

namespace waveshaper_curve {

// An asymmetric soft clipper, like a diode pair with different thresholds: positive half-waves saturate towards
// 1 with slope 3 at zero, negative ones towards -0.6 with slope 1.2. The kink at 0 and the two different limits
// are what a single tanh cannot do.
inline float target(float x) noexcept {
    return x >= 0.0f ? 1.0f - std::exp(-3.0f * x) : -0.6f * (1.0f - std::exp(2.0f * x));
}

// The network is trained on [-limit, limit]; the callback clamps its input there, since outside that range the
// network extrapolates and nothing bounds its output.
constexpr float limit = 1.5f;

// The check grid: grid_points values evenly spaced over [-limit, limit], both ends included.
constexpr std::size_t grid_points = 301;
constexpr float grid(std::size_t k) noexcept {
    return -limit + 2.0f * limit * static_cast<float>(k) / static_cast<float>(grid_points - 1);
}

// How far the trained network may be from target() anywhere on the grid (the trainer fails above it).
constexpr float max_error = 0.025f;

}  // namespace waveshaper_curve

#endif
