// IDX files: tiny hand-made files (plain and gzip, written here with zlib), MNIST loading with scaling and one-hot
// labels, every kind of bad file with its message, and Debian's Fashion-MNIST test set when it is installed.
#include <ctnn/data/idx.hpp>

#include <catch2/catch.hpp>

#include <zlib.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <ctnn/random.hpp>

#include "support/error_message.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using ctnn::data::data_error;

namespace {

using temp_dir = ctnn_test::temp_dir;

using bytes = std::vector<std::uint8_t>;

// An IDX header: magic 0, 0, type, rank, then each dimension as a big-endian uint32.
bytes idx_header(std::uint8_t type, const std::vector<std::uint32_t>& dims) {
    bytes b{0, 0, type, static_cast<std::uint8_t>(dims.size())};
    for (std::uint32_t d : dims)
        for (int shift = 24; shift >= 0; shift -= 8) b.push_back(static_cast<std::uint8_t>(d >> shift));
    return b;
}

bytes idx_file(const std::vector<std::uint32_t>& dims, const bytes& data) {
    bytes b = idx_header(0x08, dims);
    b.insert(b.end(), data.begin(), data.end());
    return b;
}

fs::path write_plain(const fs::path& p, const bytes& b) {
    std::ofstream out(p, std::ios::binary);
    out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
    REQUIRE(out);
    return p;
}

fs::path write_gzip(const fs::path& p, const bytes& b) {
    gzFile f = gzopen(p.string().c_str(), "wb");
    REQUIRE(f != nullptr);
    REQUIRE(gzwrite(f, b.data(), static_cast<unsigned>(b.size())) == static_cast<int>(b.size()));
    REQUIRE(gzclose(f) == Z_OK);
    return p;
}

template <class F>
std::string message_of(F&& f) {
    return ctnn_test::one_line_message_of<data_error>(std::forward<F>(f));
}

// n images of 28 x 28 where pixel k of image i is (i * 7 + k) mod 256.
bytes mnist_pixels(std::size_t n) {
    bytes b;
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t k = 0; k < 784; ++k) b.push_back(static_cast<std::uint8_t>((i * 7 + k) % 256));
    return b;
}

}  // namespace

TEST_CASE("IDX: dimensions and bytes, plain and gzip", "[data][idx]") {
    temp_dir t;
    bytes data;
    for (int k = 0; k < 24; ++k) data.push_back(static_cast<std::uint8_t>(k * 10));
    const bytes file = idx_file({2, 3, 4}, data);
    for (const fs::path& p : {write_plain(t.path / "a.idx", file), write_gzip(t.path / "a.idx.gz", file)}) {
        const ctnn::data::idx_array a = ctnn::data::load_idx(p);
        CHECK(a.dims == std::vector<std::size_t>{2, 3, 4});
        CHECK(a.data == data);
    }
    // Dimensions above 255 and 65535 read big-endian.
    const bytes big(70000, 1);
    const ctnn::data::idx_array a = ctnn::data::load_idx(write_gzip(t.path / "b.gz", idx_file({70000}, big)));
    CHECK(a.dims == std::vector<std::size_t>{70000});
    CHECK(a.data.size() == 70000);
}

TEST_CASE("MNIST: pixels scaled to [0, 1], one-hot labels, digit class names, max_samples", "[data][idx]") {
    temp_dir t;
    const fs::path images = write_gzip(t.path / "images.gz", idx_file({3, 28, 28}, mnist_pixels(3)));
    const fs::path labels = write_plain(t.path / "labels", idx_file({3}, {3, 0, 9}));
    const auto d = ctnn::data::load_mnist(images, labels);
    REQUIRE(d.size() == 3);
    CHECK(d.inputs[0][0] == 0.0f);
    CHECK(d.inputs[0][255] == 1.0f);
    CHECK(d.inputs[0][1] == 1.0f / 255.0f);
    CHECK(d.inputs[1][0] == 7.0f / 255.0f);
    CHECK(d.inputs[2][783] == static_cast<float>((2 * 7 + 783) % 256) / 255.0f);
    CHECK(d.targets[0] == std::array<float, 10>{0, 0, 0, 1, 0, 0, 0, 0, 0, 0});
    CHECK(d.targets[1] == std::array<float, 10>{1, 0, 0, 0, 0, 0, 0, 0, 0, 0});
    CHECK(d.targets[2] == std::array<float, 10>{0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
    CHECK(d.class_names == std::vector<std::string>{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"});

    const auto two = ctnn::data::load_fashion_mnist<double>(images, labels, 2);
    REQUIRE(two.size() == 2);
    CHECK(two.inputs[1][1] == 8.0 / 255.0);
    CHECK(two.class_names[0] == "T-shirt/top");
    CHECK(two.class_names[9] == "Ankle boot");
}

TEST_CASE("IDX: every kind of bad file names the file and the problem", "[data][idx]") {
    temp_dir t;
    const auto load = [](const fs::path& p) { return message_of([&] { (void)ctnn::data::load_idx(p); }); };
    const auto plain = [&](const std::string& name, const bytes& b) { return write_plain(t.path / name, b); };

    const fs::path missing = t.path / "missing.gz";
    CHECK(load(missing) == missing.string() + ": cannot open: No such file or directory");
    CHECK(load(t.path) == t.path.string() + ": cannot read: Is a directory");
    const fs::path empty = plain("empty", {});
    CHECK(load(empty) == empty.string() + ": the file is empty");
    const fs::path short_magic = plain("short", {0, 0});
    CHECK(load(short_magic) == short_magic.string() + ": truncated: 2 bytes, shorter than the 4-byte magic");
    const fs::path magic = plain("magic", {0x50, 0x4B, 3, 4, 0, 0, 0, 0});
    CHECK(load(magic) ==
          magic.string() + ": bad magic 0x50 0x4B (an IDX file starts with two zero bytes; not an IDX file?)");
    const fs::path floats = plain("floats", idx_header(0x0D, {1}));
    CHECK(load(floats) == floats.string() + ": type code 0x0D (float) is not supported (only 0x08, unsigned byte)");
    const fs::path unknown = plain("unknown", idx_header(0x42, {1}));
    CHECK(load(unknown) == unknown.string() + ": unknown type code 0x42");
    const fs::path rank0 = plain("rank0", {0, 0, 8, 0});
    CHECK(load(rank0) == rank0.string() + ": the dimension count is 0");
    const fs::path header = plain("header", {0, 0, 8, 3, 0, 0, 0, 2, 0, 0});
    CHECK(load(header) == header.string() + ": truncated: the header of 3 dimensions needs 16 bytes, the file has 10");
    const fs::path data = plain("data", idx_file({2, 3}, {1, 2, 3, 4, 5}));
    CHECK(load(data) == data.string() + ": truncated: 2 x 3 needs 6 data bytes, the file has 5");
    const fs::path extra = plain("extra", idx_file({2}, {1, 2, 3}));
    CHECK(load(extra) == extra.string() + ": 1 bytes after the 2 data bytes of 2");

    // A gzip stream cut short: zlib reports it, and the message says what it likely is.
    bytes gz;
    {
        const fs::path whole = write_gzip(t.path / "whole.gz", idx_file({1000}, bytes(1000, 7)));
        std::ifstream in(whole, std::ios::binary);
        gz.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    gz.resize(gz.size() - 6);
    const fs::path cut = plain("cut.gz", gz);
    CHECK(load(cut) == cut.string() + ": cannot read: unexpected end of file (damaged or truncated gzip data)");
    // Damaged compressed data (bytes in the middle of the deflate stream flipped).
    gz.resize(gz.size() + 6);
    for (std::size_t k = 12; k < 20; ++k) gz[k] ^= 0xFF;
    const fs::path damaged = plain("damaged.gz", gz);
    const std::string m = load(damaged);
    CHECK(m.starts_with(damaged.string() + ": cannot read: "));
    CHECK(m.ends_with(" (damaged or truncated gzip data)"));
}

TEST_CASE("MNIST: shapes, counts and labels that do not fit", "[data][idx]") {
    temp_dir t;
    const fs::path images = write_plain(t.path / "images", idx_file({2, 28, 28}, mnist_pixels(2)));
    const fs::path labels = write_plain(t.path / "labels", idx_file({2}, {1, 2}));
    const auto load = [](const fs::path& i, const fs::path& l) {
        return message_of([&] { (void)ctnn::data::load_mnist(i, l); });
    };
    const fs::path flat = write_plain(t.path / "flat", idx_file({2, 784}, mnist_pixels(2)));
    CHECK(load(flat, labels) == flat.string() + ": expected 3 dimensions (count x 28 x 28), found 2");
    const fs::path small = write_plain(t.path / "small", idx_file({2, 27, 28}, bytes(2 * 27 * 28, 0)));
    CHECK(load(small, labels) == small.string() + ": expected 28 x 28 images, found 27 x 28");
    const fs::path labels2d = write_plain(t.path / "labels2d", idx_file({2, 1}, {1, 2}));
    CHECK(load(images, labels2d) == labels2d.string() + ": expected 1 dimension (count), found 2");
    const fs::path three = write_plain(t.path / "three", idx_file({3}, {1, 2, 3}));
    CHECK(load(images, three) == three.string() + ": 3 labels, but " + images.string() + " has 2 images");
    const fs::path ten = write_plain(t.path / "ten", idx_file({2}, {1, 10}));
    CHECK(load(images, ten) == ten.string() + ": label 10 of sample 1 is not a digit 0..9");
}

TEST_CASE("Fashion-MNIST test set from Debian's dataset-fashion-mnist", "[data][idx][fashion]") {
    const fs::path dir = "/usr/share/datasets/fashion-mnist";
    if (!fs::exists(dir / "t10k-images-idx3-ubyte.gz")) {
        WARN("dataset-fashion-mnist is not installed; skipped");
        return;
    }
    const fs::path images = dir / "t10k-images-idx3-ubyte.gz";
    const fs::path labels = dir / "t10k-labels-idx1-ubyte.gz";
    // Reference values from Python: b = gzip.open(images).read()[16:]; l = gzip.open(labels).read()[8:];
    // sum(b) == 573469082, sum(b[:784]) == 33456, [l.count(i) for i in range(10)] == [1000] * 10,
    // list(l[:10]) == [9, 2, 1, 1, 6, 1, 4, 6, 5, 7].
    const ctnn::data::idx_array raw = ctnn::data::load_idx(images);
    CHECK(raw.dims == std::vector<std::size_t>{10000, 28, 28});
    std::uint64_t sum = 0;
    for (std::uint8_t v : raw.data) sum += v;
    CHECK(sum == 573469082u);

    const auto d = ctnn::data::load_fashion_mnist<double>(images, labels);
    REQUIRE(d.size() == 10000);
    std::array<int, 10> histogram{};
    for (const auto& y : d.targets)
        for (std::size_t c = 0; c < 10; ++c) histogram[c] += y[c] == 1.0;
    CHECK(histogram == std::array<int, 10>{1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000});
    const std::array<std::size_t, 10> first{9, 2, 1, 1, 6, 1, 4, 6, 5, 7};
    for (std::size_t i = 0; i < 10; ++i) CHECK(d.targets[i][first[i]] == 1.0);
    double image0 = 0;
    for (double v : d.inputs[0]) image0 += v;
    CHECK(image0 * 255.0 == Approx(33456.0).epsilon(1e-12));
    CHECK(d.class_names[9] == "Ankle boot");
}
