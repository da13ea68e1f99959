// A fresh directory under the system's temporary directory, removed with everything in it at scope exit. Its name
// is random, so that two test runs at once (a g++ and a clang++ build, say) never share one.
#pragma once

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <system_error>

namespace ctnn_test {

struct temp_dir {
    std::filesystem::path path;

    explicit temp_dir(const std::string& prefix = "ctnn-test") {
        std::random_device rd;
        path = std::filesystem::temp_directory_path() /
               (prefix + "-" + std::to_string(rd()) + "-" + std::to_string(rd()));
        std::filesystem::remove_all(path);
        std::filesystem::create_directories(path);
    }
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;

    // Writes bytes to path / name; returns that path, or an empty path if the write failed.
    std::filesystem::path write(const std::string& name, const std::string& bytes) const {
        const std::filesystem::path p = path / name;
        std::ofstream out(p, std::ios::binary);
        out << bytes;
        return out ? p : std::filesystem::path{};
    }
};

}  // namespace ctnn_test
