// bench_models DIR: writes DIR/{a,b,c,d}.ctnn.json, the benchmark's networks with its weights (nets.hpp), for
// ctnn-gen to turn into the generated headers bench_forward times. Run by the build (bench/CMakeLists.txt).
#include <cstdio>
#include <exception>
#include <filesystem>
#include <type_traits>

#include <ctnn/io.hpp>

#include "nets.hpp"

int main(int argc, char** argv) try {
    if (argc != 2) {
        std::fprintf(stderr, "usage: bench_models DIR\n");
        return 2;
    }
    const std::filesystem::path dir = argv[1];
    std::filesystem::create_directories(dir);
    const auto save = [&](auto& p, const char* file) {
        bench::initialize<typename std::remove_reference_t<decltype(p)>::network_type>(p);
        ctnn::save(dir / file, p);
    };
    static bench::net_a::parameters<float> a;  // static: d's are 400 KB
    static bench::net_b::parameters<float> b;
    static bench::net_c::parameters<float> c;
    static bench::net_d::parameters<float> d;
    save(a, "a.ctnn.json");
    save(b, "b.ctnn.json");
    save(c, "c.ctnn.json");
    save(d, "d.ctnn.json");
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "bench_models: %s\n", e.what());
    return 1;
}
