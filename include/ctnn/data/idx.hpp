// IDX files (the MNIST format), plain or gzip-compressed (opt-in header: needs zlib, i.e. the ctnn::train target).
//   auto train = ctnn::data::load_fashion_mnist("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz");
// An IDX file is a 4-byte magic (0, 0, type code, dimension count), one big-endian uint32 per dimension, then the
// values in row-major order. Only type 0x08 (unsigned byte), the type of MNIST and Fashion-MNIST, is read.
// zlib's gzread reads gzip and uncompressed files alike. Every problem throws ctnn::data::data_error naming the file.
#pragma once

#include <array>
#include <cerrno>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include <zlib.h>

#include <ctnn/data/dataset.hpp>
#include <ctnn/data/error.hpp>

namespace ctnn::data {

struct idx_array {
    std::vector<std::size_t> dims;  // e.g. {10000, 28, 28}
    std::vector<std::uint8_t> data;  // the product of dims values, row-major
};

namespace detail {

// zlib's message without the "<path>: " it puts in front.
inline std::string gz_message(const char* msg, const std::string& path) {
    std::string m = msg != nullptr ? msg : "unknown zlib error";
    if (m.starts_with(path + ": ")) m.erase(0, path.size() + 2);
    return m;
}

// The whole (decompressed) content of a plain or gzip file.
inline std::vector<std::uint8_t> read_gz(const std::filesystem::path& path, const std::string& file) {
    errno = 0;
    gzFile in = gzopen(path.string().c_str(), "rb");
    if (in == nullptr)
        data_fail(file, 0, 0,
                  "cannot open: " +
                      (errno != 0 ? std::generic_category().message(errno) : std::string("out of memory")));
    std::vector<std::uint8_t> bytes;
    constexpr unsigned chunk = 1u << 20;
    for (;;) {
        const std::size_t at = bytes.size();
        bytes.resize(at + chunk);
        const int n = gzread(in, bytes.data() + at, chunk);
        if (n < 0) {
            int code = 0;
            const char* msg = gzerror(in, &code);
            const std::string why =
                code == Z_ERRNO ? std::generic_category().message(errno)
                                : gz_message(msg, path.string()) + " (damaged or truncated gzip data)";
            gzclose(in);
            data_fail(file, 0, 0, "cannot read: " + why);
        }
        bytes.resize(at + static_cast<std::size_t>(n));
        if (n == 0) break;
    }
    int code = 0;
    const char* msg = gzerror(in, &code);  // a cut-off gzip stream ends with Z_BUF_ERROR
    const std::string why = code != Z_OK ? gz_message(msg, path.string()) : std::string();
    gzclose(in);
    if (!why.empty()) data_fail(file, 0, 0, "cannot read: " + why + " (damaged or truncated gzip data)");
    return bytes;
}

inline const char* idx_type_name(unsigned code) {
    switch (code) {
        case 0x08: return "unsigned byte";
        case 0x09: return "signed byte";
        case 0x0B: return "short";
        case 0x0C: return "int";
        case 0x0D: return "float";
        case 0x0E: return "double";
        default: return nullptr;
    }
}

inline std::string hex_byte(unsigned v) {
    const char digits[] = "0123456789ABCDEF";
    return std::string("0x") + digits[(v >> 4) & 15] + digits[v & 15];
}

}  // namespace detail

// Reads an IDX file of unsigned bytes.
inline idx_array load_idx(const std::filesystem::path& path) {
    using detail::data_fail;
    const std::string file = path.string();
    const std::vector<std::uint8_t> b = detail::read_gz(path, file);
    if (b.empty()) data_fail(file, 0, 0, "the file is empty");
    if (b.size() < 4)
        data_fail(file, 0, 0, "truncated: " + std::to_string(b.size()) + " bytes, shorter than the 4-byte magic");
    if (b[0] != 0 || b[1] != 0)
        data_fail(file, 0, 0,
                  "bad magic " + detail::hex_byte(b[0]) + " " + detail::hex_byte(b[1]) +
                      " (an IDX file starts with two zero bytes; not an IDX file?)");
    const unsigned type = b[2];
    if (type != 0x08) {
        const char* name = detail::idx_type_name(type);
        data_fail(file, 0, 0,
                  name != nullptr ? "type code " + detail::hex_byte(type) + " (" + name +
                                        ") is not supported (only 0x08, unsigned byte)"
                                  : "unknown type code " + detail::hex_byte(type));
    }
    const std::size_t rank = b[3];
    if (rank == 0) data_fail(file, 0, 0, "the dimension count is 0");
    const std::size_t header = 4 + 4 * rank;
    if (b.size() < header)
        data_fail(file, 0, 0,
                  "truncated: the header of " + std::to_string(rank) + " dimensions needs " + std::to_string(header) +
                      " bytes, the file has " + std::to_string(b.size()));
    idx_array a;
    std::size_t count = 1;
    for (std::size_t k = 0; k < rank; ++k) {
        const std::uint8_t* p = b.data() + 4 + 4 * k;
        const std::size_t d = (std::size_t{p[0]} << 24) | (std::size_t{p[1]} << 16) | (std::size_t{p[2]} << 8) | p[3];
        a.dims.push_back(d);
        if (d != 0 && count > SIZE_MAX / d) data_fail(file, 0, 0, "the dimensions are too large");
        count *= d;
    }
    const std::size_t have = b.size() - header;
    const auto shape = [&] {
        std::string s;
        for (std::size_t d : a.dims) s += (s.empty() ? "" : " x ") + std::to_string(d);
        return s;
    };
    if (have < count)
        data_fail(file, 0, 0,
                  "truncated: " + shape() + " needs " + std::to_string(count) + " data bytes, the file has " +
                      std::to_string(have));
    if (have > count)
        data_fail(file, 0, 0,
                  std::to_string(have - count) + " bytes after the " + std::to_string(count) + " data bytes of " +
                      shape());
    a.data.assign(b.begin() + static_cast<std::ptrdiff_t>(header), b.end());
    return a;
}

inline const std::array<const char*, 10> mnist_class_names{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
// Zalando's names for the Fashion-MNIST labels 0..9.
inline const std::array<const char*, 10> fashion_mnist_class_names{
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};

// MNIST-style images (n x 28 x 28) and labels (n, values 0..9): pixels scaled to [0, 1] (v / 255), one-hot
// targets. max_samples > 0 keeps only the first max_samples.
template <class T = float>
dataset<784, 10, T> load_mnist(const std::filesystem::path& images_path, const std::filesystem::path& labels_path,
                               std::size_t max_samples = 0,
                               const std::array<const char*, 10>& class_names = mnist_class_names) {
    using detail::data_fail;
    const std::string ifile = images_path.string();
    const std::string lfile = labels_path.string();
    const idx_array images = load_idx(images_path);
    const idx_array labels = load_idx(labels_path);
    if (images.dims.size() != 3)
        data_fail(ifile, 0, 0,
                  "expected 3 dimensions (count x 28 x 28), found " + std::to_string(images.dims.size()));
    if (images.dims[1] != 28 || images.dims[2] != 28)
        data_fail(ifile, 0, 0,
                  "expected 28 x 28 images, found " + std::to_string(images.dims[1]) + " x " +
                      std::to_string(images.dims[2]));
    if (labels.dims.size() != 1)
        data_fail(lfile, 0, 0, "expected 1 dimension (count), found " + std::to_string(labels.dims.size()));
    if (images.dims[0] != labels.dims[0])
        data_fail(lfile, 0, 0,
                  std::to_string(labels.dims[0]) + " labels, but " + ifile + " has " + std::to_string(images.dims[0]) +
                      " images");
    std::size_t n = images.dims[0];
    if (max_samples > 0 && max_samples < n) n = max_samples;
    dataset<784, 10, T> d;
    d.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        const unsigned label = labels.data[i];
        if (label > 9)
            data_fail(lfile, 0, 0,
                      "label " + std::to_string(label) + " of sample " + std::to_string(i) + " is not a digit 0..9");
        typename dataset<784, 10, T>::input_type x;
        for (std::size_t k = 0; k < 784; ++k) x[k] = static_cast<T>(images.data[i * 784 + k]) / T(255);
        typename dataset<784, 10, T>::target_type y{};
        y[label] = T(1);
        d.add(x, y);
    }
    d.class_names.assign(class_names.begin(), class_names.end());
    return d;
}

// load_mnist with the Fashion-MNIST class names.
template <class T = float>
dataset<784, 10, T> load_fashion_mnist(const std::filesystem::path& images_path,
                                       const std::filesystem::path& labels_path, std::size_t max_samples = 0) {
    return load_mnist<T>(images_path, labels_path, max_samples, fashion_mnist_class_names);
}

}  // namespace ctnn::data
