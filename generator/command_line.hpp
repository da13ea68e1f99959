// ctnn-gen's command line: what to read, what to write, and the generator options.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>

#include <ctnn/gen/options.hpp>

namespace ctnn_gen {

struct request {
    std::string model;   // MODEL, as given
    std::string output;  // -o OUT, as given
    ctnn::gen::options options;
    bool quiet = false;
};

// A command line that cannot be carried out; what() is one line naming the option, e.g. "--name: ...".
struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The request argv asks for, or nothing after --help or --version (their text is on stdout; exit 0). Throws
// usage_error for unknown options, missing or malformed values and options that contradict each other.
std::optional<request> parse_command_line(int argc, const char* const* argv);

}  // namespace ctnn_gen
