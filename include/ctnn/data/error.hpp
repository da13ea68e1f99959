// ctnn::data::data_error: what the data loaders (CSV, IDX), normalizers and splitters throw. The message is one
// line naming the file and, where there is one, the line and column, like a compiler's:
//   iris.csv:17:3: "abc" is not a number (column "petal_length")
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace ctnn::data {

struct data_error : std::runtime_error {
    std::string file;        // the path as given; empty when no file is involved
    std::size_t line = 0;    // 1-based; 0 when the problem is not on one line
    std::size_t column = 0;  // 1-based field number in a CSV record; 0 when the problem is not in one cell

    explicit data_error(const std::string& message) : std::runtime_error(message) {}
    data_error(const std::string& message, std::string f, std::size_t l, std::size_t c)
        : std::runtime_error(message), file(std::move(f)), line(l), column(c) {}
};

namespace detail {

// "<file>:<line>:<column>: <what>", leaving out the parts that are 0.
[[noreturn]] inline void data_fail(const std::string& file, std::size_t line, std::size_t column,
                                   const std::string& what) {
    std::string where = file;
    if (line > 0) where += ":" + std::to_string(line);
    if (line > 0 && column > 0) where += ":" + std::to_string(column);
    throw data_error(where.empty() ? what : where + ": " + what, file, line, column);
}

// A short, one-line, quoted rendering of text taken from a file, for messages.
inline std::string quote(std::string_view s) {
    constexpr std::size_t limit = 40;
    std::string out = "\"";
    for (std::size_t k = 0; k < s.size() && k < limit; ++k) {
        const unsigned char c = static_cast<unsigned char>(s[k]);
        if (c == '"' || c == '\\') out += '\\';
        out += (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
    }
    return out + (s.size() > limit ? "...\"" : "\"");
}

}  // namespace detail

}  // namespace ctnn::data
