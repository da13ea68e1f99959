// Text helpers of the code generator: number literals, the model hash, and a line-by-line code writer.
#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ctnn::gen {

// A C/C++ literal that reads back as exactly v in the generated scalar type: the shortest round-trip digits
// (std::to_chars), always with a '.' or an exponent, and an 'f' suffix for float ("1.0f", "-3.5e-05f", "-0.0f").
inline std::string literal(double v, bool is_float) {
    char buf[64];
    const auto r = is_float ? std::to_chars(buf, buf + sizeof buf, static_cast<float>(v))
                            : std::to_chars(buf, buf + sizeof buf, v);
    std::string s(buf, r.ptr);
    if (s.find_first_of(".e") == std::string::npos) s += ".0";
    if (is_float) s += 'f';
    return s;
}

// FNV-1a, 64 bits: the model's fingerprint in the header's comment block.
constexpr std::uint64_t fnv1a_64(std::string_view bytes) noexcept {
    std::uint64_t h = 14695981039346656037ull;
    for (char c : bytes) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ull;
    }
    return h;
}

inline std::string hex16(std::uint64_t v) {
    std::string s(16, '0');
    for (std::size_t k = 0; k < 16; ++k) s[15 - k] = "0123456789abcdef"[(v >> (4 * k)) & 0xf];
    return s;
}

inline std::string str(std::size_t n) { return std::to_string(n); }

// Lines of code at an indentation level; what the lowering functions return.
class code {
  public:
    explicit code(std::size_t indent = 1) : indent_(indent) {}

    code& line(std::string_view text) {
        if (!text.empty()) text_.append(4 * indent_, ' ');
        text_.append(text);
        text_ += '\n';
        return *this;
    }
    code& open(std::string_view text) {  // "for (...) {", "{"
        line(text);
        ++indent_;
        return *this;
    }
    code& close(std::string_view text = "}") {
        --indent_;
        return line(text);
    }
    code& append(const std::string& other) {  // already indented text
        text_ += other;
        return *this;
    }
    std::size_t indent() const noexcept { return indent_; }
    const std::string& str() const noexcept { return text_; }

  private:
    std::size_t indent_;
    std::string text_;
};

}  // namespace ctnn::gen
