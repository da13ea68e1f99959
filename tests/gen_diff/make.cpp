// The differential tests' model maker (run at build time):
//   gen_diff_make models DIR                  writes DIR/<net>.ctnn.json for every net of nets.def and
//                                             nets_inference.def (ctnn::save)
//   gen_diff_make header NET OUT [OPTION...]  writes NET's header through ctnn::generate<Net>, the C++ path;
//                                             OPTIONs as ctnn-gen's: --name --lang --target --unroll
//                                             --unroll-threshold --simd-width --math --static-buffers
// The header names its source "<net>.ctnn.json", as ctnn-gen does when run on the model file, so both paths can be
// compared byte for byte. It is generated twice, and the two must be identical.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <string_view>

#include <ctnn/generate.hpp>
#include <ctnn/io.hpp>

#include "nets.hpp"

namespace {

struct net_entry {
    std::function<void(const std::filesystem::path&)> save;
    std::function<void(const ctnn::gen::options&, std::ostream&)> generate;
};

template <class Net, class T, std::uint64_t Seed>
net_entry entry() {
    return {[](const std::filesystem::path& file) { ctnn::save(file, gen_diff::parameters_of<Net, T, Seed>()); },
            [](const ctnn::gen::options& o, std::ostream& os) {
                ctnn::generate(gen_diff::parameters_of<Net, T, Seed>(), o, os);
            }};
}

const std::map<std::string, net_entry>& nets() {
#define GEN_DIFF_NET(name, T, seed, ...) {#name, entry<__VA_ARGS__, T, seed>()},
    static const std::map<std::string, net_entry> all{
#include "nets.def"
#include "nets_inference.def"
    };
#undef GEN_DIFF_NET
    return all;
}

[[noreturn]] void usage(const std::string& problem) {
    std::fprintf(stderr, "gen_diff_make: %s\nusage: gen_diff_make models DIR | header NET OUT [OPTION VALUE...]\n",
                 problem.c_str());
    std::exit(2);
}

ctnn::gen::options parse_options(int argc, char** argv, int first) {
    namespace g = ctnn::gen;
    g::options o;
    for (int a = first; a < argc; a += 2) {
        const std::string_view key = argv[a];
        if (key == "--static-buffers") {  // the one flag without a value
            o.static_buffers = true;
            --a;
            continue;
        }
        if (a + 1 >= argc) usage(std::string(key) + " needs a value");
        const std::string value = argv[a + 1];
        if (key == "--name") o.name = value;
        else if (key == "--lang" && (value == "c++17" || value == "c99"))
            o.lang = value == "c99" ? g::language::c99 : g::language::cpp17;
        else if (key == "--target" && (value == "scalar" || value == "simd"))
            o.tgt = value == "simd" ? g::target::simd : g::target::scalar;
        else if (key == "--unroll" && (value == "full" || value == "auto" || value == "loops" || value == "dot"))
            o.unrolling = value == "full"    ? g::unroll::full
                          : value == "loops" ? g::unroll::loops
                          : value == "dot"   ? g::unroll::dot
                                             : g::unroll::automatic;
        else if (key == "--math" && (value == "libm" || value == "fast"))
            o.math_functions = value == "fast" ? g::math::fast : g::math::libm;
        else if (key == "--unroll-threshold") o.unroll_threshold = std::stoul(value);
        else if (key == "--simd-width") o.simd_width = std::stoul(value);
        else usage("unknown option " + std::string(key) + " " + value);
    }
    return o;
}

}  // namespace

int main(int argc, char** argv) try {
    if (argc < 3) usage("missing arguments");
    const std::string_view command = argv[1];
    if (command == "models" && argc == 3) {
        std::filesystem::create_directories(argv[2]);
        for (const auto& [name, net] : nets()) net.save(std::filesystem::path(argv[2]) / (name + ".ctnn.json"));
        return 0;
    }
    if (command == "header" && argc >= 4) {
        const auto it = nets().find(argv[2]);
        if (it == nets().end()) usage(std::string("no net ") + argv[2] + " in nets.def");
        ctnn::gen::options o = parse_options(argc, argv, 4);
        o.source_name = it->first + ".ctnn.json";
        std::ostringstream first, second;
        it->second.generate(o, first);
        it->second.generate(o, second);
        if (first.str() != second.str()) {
            std::fprintf(stderr, "gen_diff_make: %s: generating the header twice gave different text\n", argv[2]);
            return 1;
        }
        const std::filesystem::path out = argv[3];
        if (out.has_parent_path()) std::filesystem::create_directories(out.parent_path());
        std::ofstream file(out, std::ios::binary);
        file << first.str();
        if (!file.flush()) {
            std::fprintf(stderr, "gen_diff_make: cannot write %s\n", argv[3]);
            return 1;
        }
        return 0;
    }
    usage("unknown command " + std::string(command));
} catch (const std::exception& e) {
    std::fprintf(stderr, "gen_diff_make: %s\n", e.what());
    return 1;
}
