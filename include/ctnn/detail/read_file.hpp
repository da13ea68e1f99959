// The whole of a file as bytes, for the loaders that report errors in their own exception types.
#pragma once

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>

namespace ctnn::detail {

// Reads path into text and returns true; or returns false with error = "cannot open: <reason>" or
// "cannot read: <reason>".
inline bool read_whole_file(const std::filesystem::path& path, std::string& text, std::string& error) {
    std::FILE* in = std::fopen(path.string().c_str(), "rb");
    if (in == nullptr) {
        error = "cannot open: " + std::generic_category().message(errno);
        return false;
    }
    text.clear();
    char buf[1 << 16];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, in)) > 0) text.append(buf, n);
    const int err = errno;
    const bool failed = std::ferror(in) != 0;
    std::fclose(in);
    if (failed) {
        error = "cannot read: " + std::generic_category().message(err);
        return false;
    }
    return true;
}

}  // namespace ctnn::detail
