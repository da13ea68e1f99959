// The file format of ctnn::fit's checkpoints: a flat list of byte blocks behind a magic, a length and a checksum,
// written atomically (ctnn/io/atomic_file.hpp). Values must be trivially copyable; a checkpoint belongs to one
// program build (same types, same compiler ABI), which a signature string of type names and sizes checks.
//   "CTNNFIT1" | u64 payload length | u64 FNV-1a of the payload | payload
// Reading a damaged, truncated or foreign file throws ctnn::checkpoint_error naming the file and the problem.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

#include <ctnn/io/atomic_file.hpp>

namespace ctnn {

struct checkpoint_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

namespace detail {

inline constexpr char checkpoint_magic[8] = {'C', 'T', 'N', 'N', 'F', 'I', 'T', '1'};

inline std::uint64_t fnv1a(std::string_view bytes) noexcept {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (unsigned char c : bytes) h = (h ^ c) * 0x100000001b3ull;
    return h;
}

class checkpoint_writer {
  public:
    void raw(const void* data, std::size_t n) { payload_.append(static_cast<const char*>(data), n); }
    template <class V>
    void value(const V& v) {
        static_assert(std::is_trivially_copyable_v<V>, "ctnn checkpoint: only trivially copyable values");
        raw(&v, sizeof v);
    }
    void text(std::string_view s) {
        value(std::uint64_t(s.size()));
        raw(s.data(), s.size());
    }
    // Header + payload, replacing `file` atomically; throws checkpoint_error on failure.
    void save(const std::filesystem::path& file) const {
        std::string out(checkpoint_magic, sizeof checkpoint_magic);
        const std::uint64_t length = payload_.size(), sum = fnv1a(payload_);
        out.append(reinterpret_cast<const char*>(&length), sizeof length);
        out.append(reinterpret_cast<const char*>(&sum), sizeof sum);
        out += payload_;
        try {
            write_file_atomically(file, out);
        } catch (const std::exception& e) {
            throw checkpoint_error(std::string("ctnn::fit: cannot save the checkpoint: ") + e.what());
        }
    }

  private:
    std::string payload_;
};

class checkpoint_reader {
  public:
    // Reads and verifies the whole file.
    explicit checkpoint_reader(const std::filesystem::path& file) : file_(file.string()) {
        std::FILE* in = std::fopen(file_.c_str(), "rb");
        if (in == nullptr) fail("cannot open it");
        std::string bytes;
        char buf[1 << 16];
        std::size_t n = 0;
        while ((n = std::fread(buf, 1, sizeof buf, in)) > 0) bytes.append(buf, n);
        const bool read_error = std::ferror(in) != 0;
        std::fclose(in);
        if (read_error) fail("cannot read it");
        constexpr std::size_t header = sizeof checkpoint_magic + 2 * sizeof(std::uint64_t);
        if (bytes.size() < header || std::memcmp(bytes.data(), checkpoint_magic, sizeof checkpoint_magic) != 0)
            fail("not a ctnn::fit checkpoint");
        std::uint64_t length = 0, sum = 0;
        std::memcpy(&length, bytes.data() + sizeof checkpoint_magic, sizeof length);
        std::memcpy(&sum, bytes.data() + sizeof checkpoint_magic + sizeof length, sizeof sum);
        if (bytes.size() - header != length) fail("truncated or damaged (its length does not match its header)");
        payload_ = bytes.substr(header);
        if (fnv1a(payload_) != sum) fail("damaged (checksum mismatch)");
    }

    void raw(void* data, std::size_t n) {
        if (payload_.size() - pos_ < n) fail("damaged (it ends too early)");
        std::memcpy(data, payload_.data() + pos_, n);
        pos_ += n;
    }
    template <class V>
    void value(V& v) {
        static_assert(std::is_trivially_copyable_v<V>, "ctnn checkpoint: only trivially copyable values");
        raw(&v, sizeof v);
    }
    template <class V>
    V get() {
        V v{};
        value(v);
        return v;
    }
    std::string text() {
        const auto n = get<std::uint64_t>();
        if (payload_.size() - pos_ < n) fail("damaged (it ends too early)");
        std::string s = payload_.substr(pos_, n);
        pos_ += n;
        return s;
    }
    void expect_end() {
        if (pos_ != payload_.size()) fail("damaged (unexpected data at its end)");
    }
    [[noreturn]] void fail(const std::string& what) const {
        throw checkpoint_error(file_ + ": checkpoint: " + what);
    }
    const std::string& file() const noexcept { return file_; }

  private:
    std::string file_;
    std::string payload_;
    std::size_t pos_ = 0;
};

}  // namespace detail

}  // namespace ctnn
