// The six test functions of Genz (1984), "Testing multidimensional integration routines", on the unit cube [0,1]^d:
//   oscillatory    cos(2 pi u_1 + sum a_i x_i)
//   product peak   prod (a_i^-2 + (x_i - u_i)^2)^-1
//   corner peak    (1 + sum a_i x_i)^-(d+1)
//   Gaussian       exp(-sum a_i^2 (x_i - u_i)^2)
//   continuous     exp(-sum a_i |x_i - u_i|)
//   discontinuous  0 if x_1 > u_1 or x_2 > u_2, else exp(sum a_i x_i)
// As is customary, u is drawn uniformly from [0,1]^d (it moves a feature, not its difficulty) and a is drawn
// uniformly, then scaled so that sum a_i = b_j, the family's difficulty. The b_j below are the ones Barthelmann,
// Novak and Ritter (2000) use for function approximation ("High dimensional polynomial interpolation on sparse
// grids"); Genz's integration suite uses much harder ones.
// Every function is divided by its maximum over the cube, so all six peak at 1 and their errors compare directly.
#pragma once

#include <ctnn/random.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <numbers>
#include <string_view>

namespace genz {

enum class family { oscillatory, product_peak, corner_peak, gaussian, continuous, discontinuous };
inline constexpr std::array<family, 6> families = {family::oscillatory, family::product_peak, family::corner_peak,
                                                   family::gaussian,    family::continuous,   family::discontinuous};

constexpr std::string_view name(family f) noexcept {
    constexpr std::array<std::string_view, 6> names = {"oscillatory", "product peak", "corner peak",
                                                       "Gaussian",    "continuous",   "discontinuous"};
    return names[static_cast<std::size_t>(f)];
}

// sum a_i for each family (Barthelmann, Novak, Ritter 2000).
constexpr double difficulty(family f) noexcept {
    constexpr std::array<double, 6> b = {9.0, 7.25, 1.85, 7.03, 20.4, 4.3};
    return b[static_cast<std::size_t>(f)];
}

// One member of a family in D dimensions: its coefficients and the scale that makes its maximum 1.
template <std::size_t D>
class function {
    static_assert(D >= 2, "genz::function: the discontinuous family needs at least two dimensions");

  public:
    function(family f, ctnn::random_source& rng) : family_(f) {
        double sum = 0;
        for (std::size_t i = 0; i < D; ++i) {
            a_[i] = rng.uniform();
            u_[i] = rng.uniform();
            sum += a_[i];
        }
        for (double& ai : a_) ai *= difficulty(f) / sum;
        scale_ = 1 / maximum();
    }

    family kind() const noexcept { return family_; }

    // f(x) / max f, for x in [0,1]^D.
    double operator()(const std::array<double, D>& x) const noexcept { return scale_ * raw(x); }

  private:
    double raw(const std::array<double, D>& x) const noexcept {
        double s = 0;
        switch (family_) {
            case family::oscillatory:
                for (std::size_t i = 0; i < D; ++i) s += a_[i] * x[i];
                return std::cos(2 * std::numbers::pi * u_[0] + s);
            case family::product_peak: {
                double p = 1;
                for (std::size_t i = 0; i < D; ++i) p /= 1 / (a_[i] * a_[i]) + (x[i] - u_[i]) * (x[i] - u_[i]);
                return p;
            }
            case family::corner_peak:
                for (std::size_t i = 0; i < D; ++i) s += a_[i] * x[i];
                return std::pow(1 + s, -static_cast<double>(D + 1));
            case family::gaussian:
                for (std::size_t i = 0; i < D; ++i) s += a_[i] * a_[i] * (x[i] - u_[i]) * (x[i] - u_[i]);
                return std::exp(-s);
            case family::continuous:
                for (std::size_t i = 0; i < D; ++i) s += a_[i] * std::abs(x[i] - u_[i]);
                return std::exp(-s);
            case family::discontinuous:
                if (x[0] > u_[0] || x[1] > u_[1]) return 0;
                for (std::size_t i = 0; i < D; ++i) s += a_[i] * x[i];
                return std::exp(s);
        }
        return 0;
    }

    // The maximum over the cube, where it is known in closed form.
    double maximum() const noexcept {
        switch (family_) {
            case family::product_peak: {  // at x = u
                double p = 1;
                for (double ai : a_) p *= ai * ai;
                return p;
            }
            case family::discontinuous: {  // x_1 = u_1, x_2 = u_2, every other x_i = 1
                double s = a_[0] * u_[0] + a_[1] * u_[1];
                for (std::size_t i = 2; i < D; ++i) s += a_[i];
                return std::exp(s);
            }
            default:  // cos <= 1; the corner peak is 1 at x = 0; the Gaussian and the continuous one are 1 at x = u
                return 1;
        }
    }

    family family_;
    std::array<double, D> a_{}, u_{};
    double scale_ = 1;
};

}  // namespace genz
