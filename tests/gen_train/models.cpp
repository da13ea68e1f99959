// gen_train_models DIR: writes DIR/<net>.ctnn.json (ctnn::save) for every net of tests/gen_diff/nets.def, with the
// parameters reference.cpp starts from. Run at build time; ctnn-gen turns the files into headers.
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>

#include <ctnn/io.hpp>

#include "nets.hpp"

int main(int argc, char** argv) try {
    if (argc != 2) {
        std::fprintf(stderr, "usage: gen_train_models DIR\n");
        return 2;
    }
    const std::filesystem::path dir = argv[1];
    std::filesystem::create_directories(dir);
#define GEN_DIFF_NET(name, T, seed, ...) \
    ctnn::save(dir / (std::string(#name) + ".ctnn.json"), gen_diff::parameters_of<__VA_ARGS__, T, seed>());
#include "nets.def"
#undef GEN_DIFF_NET
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "gen_train_models: %s\n", e.what());
    return 1;
}
