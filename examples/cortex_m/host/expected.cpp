// Writes the expected values that the inference firmware (firmware/inference) checks the generated headers
// against: fixed inputs for each model and the library's Net::forward of them, as a C header of float literals.
//   cortex_m_expected IRIS.ctnn.json REGRESSION.ctnn.json OUTPUT.h
// Iris: raw measurements (8 flowers of examples/iris/iris.csv); the expected outputs are forward of the inputs
// standardized with the model's normalizer, so the firmware checks predict() (normalize_input + forward).
// Regression: 8 fixed points of [-1, 1]^8 from ctnn::random_source.
#include <ctnn/ctnn.hpp>
#include <ctnn/data/normalize.hpp>
#include <ctnn/io.hpp>
#include <ctnn/io/atomic_file.hpp>

#include <array>
#include <cstddef>
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>

#include "nets.hpp"

namespace {

constexpr std::size_t cases = 8;

constexpr float iris_inputs[cases][4] = {
    {5.1f, 3.5f, 1.4f, 0.2f}, {4.9f, 3.0f, 1.4f, 0.2f}, {7.0f, 3.2f, 4.7f, 1.4f}, {6.1f, 2.8f, 4.7f, 1.2f},
    {5.6f, 3.0f, 4.1f, 1.3f}, {6.3f, 3.3f, 6.0f, 2.5f}, {6.4f, 2.8f, 5.6f, 2.1f}, {5.9f, 3.0f, 5.1f, 1.8f},
};

// printf into a string.
template <class... Args>
void append(std::string& text, const char* format, Args... args) {
    char buffer[256];
    const int n = std::snprintf(buffer, sizeof buffer, format, args...);
    if (n < 0 || static_cast<std::size_t>(n) >= sizeof buffer) throw std::logic_error("cortex_m_expected: line too long");
    text += buffer;
}

// 9 significant digits: enough to give back the same float (and always a valid C float literal).
void write_array(std::string& text, const char* name, const float* v, std::size_t rows, std::size_t columns) {
    append(text, "static const float %s[%zu][%zu] = {\n", name, rows, columns);
    for (std::size_t r = 0; r < rows; ++r) {
        text += "    {";
        for (std::size_t c = 0; c < columns; ++c)
            append(text, "%s%.8ef", c == 0 ? "" : ", ", static_cast<double>(v[r * columns + c]));
        text += "},\n";
    }
    text += "};\n";
}

void write(const std::string& iris_path, const std::string& regression_path, const std::string& out_path) {
    using cortex_m::iris_net;
    using cortex_m::regression_net;
    static iris_net::parameters<float> iris;
    ctnn::data::normalizer<4, float> norm;
    ctnn::load(iris_path, iris, norm);
    static regression_net::parameters<float> regression;
    ctnn::load(regression_path, regression);

    float iris_out[cases][3];
    for (std::size_t k = 0; k < cases; ++k) {
        std::array<float, 4> x{iris_inputs[k][0], iris_inputs[k][1], iris_inputs[k][2], iris_inputs[k][3]};
        norm.apply(x);
        iris_net::forward(iris, x, iris_out[k]);
    }
    float regression_in[cases][8], regression_out[cases][1];
    ctnn::random_source rng(2026);
    for (std::size_t k = 0; k < cases; ++k) {
        for (float& v : regression_in[k]) v = static_cast<float>(rng.uniform(-1.0, 1.0));
        regression_net::forward(regression, regression_in[k], regression_out[k]);
    }

    std::string text =
        "/* Written by cortex_m_expected (examples/cortex_m/host/expected.cpp); do not edit.\n"
        " * Inputs and the ctnn library's Net::forward outputs for iris.ctnn.json and regression.ctnn.json. */\n"
        "#ifndef CORTEX_M_EXPECTED_H\n#define CORTEX_M_EXPECTED_H\n\n#define EXPECTED_CASES " +
        std::to_string(cases) + "\n\n";
    write_array(text, "iris_inputs", &iris_inputs[0][0], cases, 4);  // raw measurements, for predict()
    write_array(text, "iris_expected", &iris_out[0][0], cases, 3);
    write_array(text, "regression_inputs", &regression_in[0][0], cases, 8);
    write_array(text, "regression_expected", &regression_out[0][0], cases, 1);
    text += "\n#endif\n";
    ctnn::detail::write_file_atomically(out_path, text);  // all or nothing: no half-written header
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: cortex_m_expected IRIS.ctnn.json REGRESSION.ctnn.json OUTPUT.h\n");
        return 2;
    }
    try {
        write(argv[1], argv[2], argv[3]);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "cortex_m_expected: %s\n", e.what());
        return 1;
    }
    return 0;
}
