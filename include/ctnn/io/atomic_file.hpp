// Replacing a file so that readers see either the old contents or the new, never a mix or a truncated file.
#pragma once

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <string_view>
#include <system_error>

#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>  // fsync
#endif

#include <ctnn/io/error.hpp>

namespace ctnn::detail {

// Writes contents to a new, uniquely named file in target's directory, flushes it to the disk, then renames it
// over target (atomic within one file system). On any failure the temporary file is removed, target is left as
// it was, and model_error names target and the reason.
inline void write_file_atomically(const std::filesystem::path& target, std::string_view contents) {
    namespace fs = std::filesystem;
    const std::string file = target.string();
    const auto message = [](int err) { return std::generic_category().message(err); };
    if (!target.has_filename()) throw model_error(file + ": not a file name");
    const fs::path dir = target.parent_path();

    // "x": fail rather than open a file that already exists, so two writers never share a temporary.
    static std::atomic<unsigned long long> counter{0};
    std::random_device entropy;
    fs::path tmp;
    std::FILE* out = nullptr;
    int err = 0;
    for (int attempt = 0; attempt < 64 && out == nullptr; ++attempt) {
        const unsigned long long tag =
            ((static_cast<unsigned long long>(entropy()) << 32) ^ entropy()) + counter.fetch_add(1);
        char hex[17];
        std::snprintf(hex, sizeof hex, "%016llx", tag);
        std::string name(".");  // built with += : GCC 12 misreports "literal" + std::string (PR 105329)
        name += target.filename().string();
        name += ".tmp-";
        name += hex;
        tmp = dir / name;
        errno = 0;
        out = std::fopen(tmp.string().c_str(), "wbx");
        err = errno;
        if (out == nullptr && err != EEXIST) break;
    }
    if (out == nullptr)
        throw model_error(file + ": cannot create a temporary file in " +
                          (dir.empty() ? std::string(".") : dir.string()) + ": " + message(err));

    bool ok = std::fwrite(contents.data(), 1, contents.size(), out) == contents.size() && std::fflush(out) == 0;
    if (!ok) err = errno;
#if defined(__unix__) || defined(__APPLE__)
    if (ok && ::fsync(::fileno(out)) != 0) {
        ok = false;
        err = errno;
    }
#endif
    if (std::fclose(out) != 0 && ok) {
        ok = false;
        err = errno;
    }
    std::error_code ec;
    if (!ok) {
        fs::remove(tmp, ec);
        throw model_error(file + ": cannot write " + tmp.string() + ": " + message(err));
    }

    // A replaced file keeps its permissions.
    const auto previous = fs::status(target, ec);
    if (!ec && fs::is_regular_file(previous)) fs::permissions(tmp, previous.permissions(), ec);
    fs::rename(tmp, target, ec);
    if (ec) {
        std::error_code ignored;
        fs::remove(tmp, ignored);
        throw model_error(file + ": cannot replace it: " + ec.message());
    }
}

}  // namespace ctnn::detail
