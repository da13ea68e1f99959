// The four 2-D toy problems of the TensorFlow playground, in its coordinates: points within radius 5 of the
// origin, shown in the square [-6, 6]^2. Each point gets label 1 (blue) or 0 (orange); `noise` (0 to 0.5, the
// playground's slider / 100) jitters the points. Draws come from ctnn::random_source, so a seed gives the same
// points everywhere. The networks see these raw coordinates: scaled down to [-1, 1], the spiral needs far more
// epochs, because small inputs make every tanh unit nearly linear at the start.
#pragma once

#include <ctnn/data/dataset.hpp>
#include <ctnn/random.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <string_view>

namespace playground {

using points = ctnn::data::dataset<2, 1>;  // (x, y) -> label

enum class problem { circle, xor_quadrants, gaussians, spiral };
inline constexpr std::array<problem, 4> problems = {problem::circle, problem::xor_quadrants, problem::gaussians,
                                                    problem::spiral};

constexpr std::string_view name(problem p) noexcept {
    constexpr std::array<std::string_view, 4> names = {"circle", "xor", "gaussians", "spiral"};
    return names[static_cast<std::size_t>(p)];
}

namespace detail {

constexpr double radius = 5;

inline void add(points& d, double x, double y, bool label) {
    d.add({static_cast<float>(x), static_cast<float>(y)}, {label ? 1.0f : 0.0f});
}

// A disc of label 1 inside a ring of label 0, with a gap between them.
inline void circle(points& d, std::size_t n, double noise, ctnn::random_source& rng) {
    for (std::size_t i = 0; i < n; ++i) {
        const bool inside = i % 2 == 0;
        const double r = inside ? rng.uniform(0, 0.5 * radius) : rng.uniform(0.7 * radius, radius);
        const double angle = rng.uniform(0, 2 * std::numbers::pi);
        add(d, r * std::cos(angle) + noise * rng.uniform(-1, 1) * radius,
            r * std::sin(angle) + noise * rng.uniform(-1, 1) * radius, inside);
    }
}

// Label 1 where x and y have the same sign; points keep a small margin from the axes.
inline void xor_quadrants(points& d, std::size_t n, double noise, ctnn::random_source& rng) {
    constexpr double margin = 0.3;
    for (std::size_t i = 0; i < n; ++i) {
        double x = rng.uniform(-radius, radius);
        double y = rng.uniform(-radius, radius);
        x += x > 0 ? margin : -margin;
        y += y > 0 ? margin : -margin;
        const bool same_sign = x * y > 0;  // the label comes from the clean point; the noise may cross an axis
        add(d, x + noise * rng.uniform(-1, 1) * radius, y + noise * rng.uniform(-1, 1) * radius, same_sign);
    }
}

// Two round Gaussian clouds, centred at (2, 2) (label 1) and (-2, -2); noise widens them.
inline void gaussians(points& d, std::size_t n, double noise, ctnn::random_source& rng) {
    const double spread = 0.5 + 2 * noise;
    for (std::size_t i = 0; i < n; ++i) {
        const bool positive = i % 2 == 0;
        const double centre = positive ? 2.0 : -2.0;
        add(d, centre + spread * rng.normal(), centre + spread * rng.normal(), positive);
    }
}

// Two interleaved spirals of 1.75 turns; the second is the first turned by half a revolution.
inline void spiral(points& d, std::size_t n, double noise, ctnn::random_source& rng) {
    const std::size_t per_arm = n / 2;
    for (std::size_t i = 0; i < n; ++i) {
        const bool positive = i % 2 == 0;
        const double t = static_cast<double>(i / 2) / static_cast<double>(per_arm);
        const double r = t * radius;
        const double angle = 1.75 * t * 2 * std::numbers::pi + (positive ? 0 : std::numbers::pi);
        add(d, r * std::sin(angle) + noise * rng.uniform(-1, 1) * radius,
            r * std::cos(angle) + noise * rng.uniform(-1, 1) * radius, positive);
    }
}

}  // namespace detail

// n points of problem p, half of each label (n even), in the order they were drawn.
inline points make(problem p, std::size_t n, double noise, std::uint64_t seed) {
    ctnn::random_source rng(seed);
    points d;
    d.class_names = {"orange", "blue"};
    d.reserve(n);
    switch (p) {
        case problem::circle: detail::circle(d, n, noise, rng); break;
        case problem::xor_quadrants: detail::xor_quadrants(d, n, noise, rng); break;
        case problem::gaussians: detail::gaussians(d, n, noise, rng); break;
        case problem::spiral: detail::spiral(d, n, noise, rng); break;
    }
    return d;
}

}  // namespace playground
