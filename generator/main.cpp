// ctnn-gen MODEL.ctnn.json -o OUT.hpp [options]: writes a standalone header that computes the model's forward pass
// (and, with --train, its backward pass and an optimizer step). Options: ctnn-gen --help. Header: docs/generator.md.
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include <ctnn/gen/options.hpp>
#include <ctnn/gen/render.hpp>
#include <ctnn/io/atomic_file.hpp>
#include <ctnn/io/error.hpp>
#include <ctnn/io/model_file.hpp>

#include "command_line.hpp"

namespace {

// "ctnn-gen: <message>" as exactly one line, whatever the message holds (a file or namespace name may contain a
// newline): build logs and scripts read errors line by line. Control characters are shown as \xHH.
int fail(std::string_view message) {
    std::string line = "ctnn-gen: ";
    for (char c : message) {
        const auto u = static_cast<unsigned char>(c);
        if (u >= 0x20 && u != 0x7f) {
            line += c;
        } else {
            char hex[5];
            std::snprintf(hex, sizeof hex, "\\x%02x", u);
            line += hex;
        }
    }
    line += '\n';
    std::fputs(line.c_str(), stderr);
    return 1;
}

int run(int argc, char** argv) {
    const auto request = ctnn_gen::parse_command_line(argc, argv);
    if (!request) return 0;  // --help or --version
    const ctnn::model model = ctnn::read_model(request->model);
    std::error_code ec;
    if (std::filesystem::equivalent(request->model, request->output, ec))
        throw ctnn_gen::usage_error("--output: " + request->output + " is the model file");
    const ctnn::gen::rendered_header header = ctnn::gen::render_header(model, request->options);
    // Nothing is written before the whole header exists, and a failed write leaves no file (not even a temporary).
    ctnn::detail::write_file_atomically(request->output, header.text);
    if (!request->quiet)
        std::printf("wrote %s (%zu bytes, flash ~%zu B, RAM ~%zu B)\n", request->output.c_str(), header.text.size(),
                    header.sizes.flash_bytes(), header.sizes.ram_bytes());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const ctnn_gen::usage_error& e) {
        return fail(e.what());
    } catch (const ctnn::model_error& e) {  // names the file and the field
        return fail(e.what());
    } catch (const ctnn::gen::options_error& e) {
        return fail(e.what());
    } catch (const std::exception& e) {
        return fail(std::string("internal error: ") + e.what());
    }
}
