// A decision-boundary picture like the TensorFlow playground's, as a standalone SVG file: the square [-6, 6]^2 as a
// grid of cells coloured by the network's probability of label 1 (orange 0 -> white 0.5 -> blue 1), the boundary
// p = 0.5 where the colours meet, and the points on top (training points with a white edge, test points with a
// black one).
#pragma once

#include "datasets.hpp"

#include <cmath>
#include <cstddef>
#include <cstdio>
#include <string>
#include <vector>

namespace playground {

namespace detail {

struct rgb {
    double r, g, b;
};
constexpr rgb orange = {245, 147, 34};  // the playground's colours
constexpr rgb blue = {8, 119, 189};
constexpr rgb white = {255, 255, 255};

constexpr rgb mix(rgb a, rgb b, double t) noexcept {
    return {a.r + (b.r - a.r) * t, a.g + (b.g - a.g) * t, a.b + (b.b - a.b) * t};
}

// The cell colour for probability p: the label colours, faded halfway to white so the points stand out.
constexpr rgb shade(double p) noexcept {
    const rgb c = p < 0.5 ? mix(orange, white, 2 * p) : mix(white, blue, 2 * p - 1);
    return mix(c, white, 0.35);
}

inline void hex(std::FILE* f, rgb c) {
    std::fprintf(f, "#%02x%02x%02x", static_cast<unsigned>(c.r + 0.5), static_cast<unsigned>(c.g + 0.5),
                 static_cast<unsigned>(c.b + 0.5));
}

}  // namespace detail

// Writes the picture to `path`. probability(x, y) is the network's output for the point (x, y); `cells` is the
// number of grid cells along each side; `title` is plain text (no XML markup). Returns false if the file cannot
// be written.
template <class Probability>
bool write_boundary_svg(const std::string& path, const std::string& title, Probability probability,
                        const points& train, const points& test, std::size_t cells = 120) {
    constexpr double size = 480;  // pixels per side of the square
    constexpr double top = 28;    // room for the title
    constexpr double bottom = 24;  // and for the key
    std::FILE* f = std::fopen(path.c_str(), "w");
    if (f == nullptr) return false;
    const double cell = size / static_cast<double>(cells);
    // Pixel coordinates of the point (x, y): y grows upwards in the data, downwards in SVG.
    constexpr double half = 6;  // the square is [-half, half]^2
    const auto px = [&](double x) { return (x + half) / (2 * half) * size; };
    const auto py = [&](double y) { return top + (half - y) / (2 * half) * size; };

    std::fprintf(f,
                 "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
                 "font-family=\"sans-serif\">\n",
                 size, top + size + bottom, size, top + size + bottom);
    std::fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
    std::fprintf(f, "<text x=\"%.1f\" y=\"19\" font-size=\"15\" text-anchor=\"middle\">%s</text>\n", size / 2,
                 title.c_str());

    // The heatmap: each cell coloured by the probability at its centre, rounded to one of 21 shades (like the
    // playground's colour scale), so that runs of equal cells in a row merge into one rectangle and the file stays
    // small. Rectangles overlap by half a pixel so that no background shows through the seams.
    std::fprintf(f, "<g shape-rendering=\"crispEdges\">\n");
    std::vector<long> shades(cells);  // one row's shades, 0..20
    for (std::size_t row = 0; row < cells; ++row) {
        const double y = half - (static_cast<double>(row) + 0.5) * 2 * half / static_cast<double>(cells);
        for (std::size_t col = 0; col < cells; ++col) {
            const double x = -half + (static_cast<double>(col) + 0.5) * 2 * half / static_cast<double>(cells);
            shades[col] = std::lround(probability(x, y) * 20);
        }
        for (std::size_t col = 0, end = 0; col < cells; col = end) {
            for (end = col + 1; end < cells && shades[end] == shades[col];) ++end;
            std::fprintf(f, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"",
                         static_cast<double>(col) * cell, top + static_cast<double>(row) * cell,
                         static_cast<double>(end - col) * cell + 0.5, cell + 0.5);
            detail::hex(f, detail::shade(static_cast<double>(shades[col]) / 20));
            std::fprintf(f, "\"/>\n");
        }
    }
    std::fprintf(f, "</g>\n");

    const auto draw = [&](const points& d, const char* edge) {
        for (std::size_t i = 0; i < d.size(); ++i) {
            std::fprintf(f, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"3.5\" stroke=\"%s\" stroke-width=\"1\" fill=\"",
                         px(static_cast<double>(d.inputs[i][0])), py(static_cast<double>(d.inputs[i][1])), edge);
            detail::hex(f, d.targets[i][0] > 0.5f ? detail::blue : detail::orange);
            std::fprintf(f, "\"/>\n");
        }
    };
    draw(train, "white");
    draw(test, "black");
    std::fprintf(f, "<rect x=\"0.5\" y=\"%.1f\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" stroke=\"#888\"/>\n",
                 top + 0.5, size - 1, size - 1);
    std::fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">", size / 2, top + size + 16);
    std::fprintf(f, "orange: label 0, blue: label 1; white edge: training point, black edge: test point</text>\n");
    std::fprintf(f, "</svg>\n");
    return std::fclose(f) == 0;
}

}  // namespace playground
