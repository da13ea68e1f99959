// Writes the initial weights of the on-device learning example (firmware/learn): learn_net (nets.hpp) with
// Xavier-uniform weights and zero biases from a fixed seed, as a model file for ctnn-gen.
//   cortex_m_learn_init OUTPUT.ctnn.json
#include <ctnn/ctnn.hpp>
#include <ctnn/io.hpp>

#include <cstdio>
#include <exception>

#include "nets.hpp"

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: cortex_m_learn_init OUTPUT.ctnn.json\n");
        return 2;
    }
    static cortex_m::learn_net::parameters<float> params;
    ctnn::initialize(params, ctnn::xavier_uniform{}, 7);
    try {
        ctnn::save(argv[1], params);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "cortex_m_learn_init: %s\n", e.what());
        return 1;
    }
    return 0;
}
