// ctnn::generate: a network's parameters -> a standalone C++17 or C99 header computing its forward pass
// (the same text ctnn-gen writes for the network's model file). Opt-in, like <ctnn/io.hpp>: it throws and
// allocates. The generated API, options and sizes: docs/generator.md.
//   ctnn::gen::options o;  o.name = "tiny";  o.tgt = ctnn::gen::target::simd;
//   std::ofstream f("tiny.hpp");  ctnn::generate(params, o, f);
#pragma once

#include <ostream>

#include <ctnn/gen/options.hpp>
#include <ctnn/gen/render.hpp>
#include <ctnn/io.hpp>
#include <ctnn/network.hpp>

namespace ctnn {

// Writes the header for p's network and weights to out. Throws gen::options_error for invalid options.
template <class Net, class T>
void generate(const parameters<Net, T>& p, const gen::options& o, std::ostream& out) {
    out << gen::render(to_model(p), o);
}

}  // namespace ctnn
