// CSV loading: the Iris file against sums computed independently (Python's csv module), column choice by name
// and index, one-hot / class-index / regression targets, RFC 4180 quoting, CRLF, and one check per kind of bad
// input with its exact message (file, line, column).
#include <ctnn/data/csv.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <utility>

#include <ctnn/random.hpp>

#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using ctnn::data::csv_options;
using ctnn::data::data_error;
using ctnn::data::load_csv;

namespace {

const fs::path csv_dir = fs::path(CTNN_TEST_DATA_DIR) / "data" / "csv";
const fs::path iris_csv = fs::path(CTNN_TEST_DATA_DIR) / ".." / "examples" / "iris" / "iris.csv";

using temp_dir = ctnn_test::temp_dir;

// The data_error that f throws (the test fails if it throws nothing); checks the message is one line.
template <class F>
data_error error_of(F&& f) {
    try {
        f();
    } catch (const data_error& e) {
        CHECK(std::string(e.what()).find('\n') == std::string::npos);
        return e;
    }
    FAIL("no ctnn::data::data_error thrown");
    return data_error("");
}

template <class F>
std::string message_of(F&& f) {
    return error_of(std::forward<F>(f)).what();
}

csv_options label(const char* name) {
    csv_options o;
    o.label = name;
    return o;
}

}  // namespace

TEST_CASE("Iris: four inputs, species as one-hot rows over the sorted class names", "[data][csv]") {
    const auto d = load_csv<4, 3, double>(iris_csv, label("species"));
    REQUIRE(d.size() == 150);
    CHECK(d.class_names == std::vector<std::string>{"setosa", "versicolor", "virginica"});
    CHECK(d.inputs[0] == std::array<double, 4>{5.1, 3.5, 1.4, 0.2});
    CHECK(d.targets[0] == std::array<double, 3>{1, 0, 0});
    CHECK(d.inputs[50] == std::array<double, 4>{7.0, 3.2, 4.7, 1.4});
    CHECK(d.targets[50] == std::array<double, 3>{0, 1, 0});
    CHECK(d.inputs[149] == std::array<double, 4>{5.9, 3.0, 5.1, 1.8});
    CHECK(d.targets[149] == std::array<double, 3>{0, 0, 1});
    // Column sums from Python: sum(float(r[c]) for r in csv.DictReader(open("iris.csv"))).
    const std::array<double, 4> expected{876.5, 458.6, 563.7, 179.9};
    std::array<double, 4> sums{};
    std::array<int, 3> per_class{};
    for (std::size_t i = 0; i < d.size(); ++i) {
        for (std::size_t k = 0; k < 4; ++k) sums[k] += d.inputs[i][k];
        for (std::size_t c = 0; c < 3; ++c) per_class[c] += d.targets[i][c] == 1.0;
    }
    for (std::size_t k = 0; k < 4; ++k) CHECK(sums[k] == Approx(expected[k]).epsilon(1e-12));
    CHECK(per_class == std::array<int, 3>{50, 50, 50});
}

TEST_CASE("Floats are parsed straight from the text: one rounding", "[data][csv]") {
    const auto d = load_csv<4, 3>(iris_csv, label("species"));
    CHECK(d.inputs[0] == std::array<float, 4>{5.1f, 3.5f, 1.4f, 0.2f});
}

TEST_CASE("Out == 1: the label becomes the class index", "[data][csv]") {
    const auto d = load_csv<4, 1>(iris_csv, label("species"));
    CHECK(d.targets[0][0] == 0.0f);
    CHECK(d.targets[50][0] == 1.0f);
    CHECK(d.targets[149][0] == 2.0f);
    CHECK(d.class_names.size() == 3);
}

TEST_CASE("Input columns by name and by index, in the order given", "[data][csv]") {
    csv_options o = label("species");
    o.inputs = {"petal_width", 0};
    const auto d = load_csv<2, 3>(iris_csv, o);
    CHECK(d.inputs[0] == std::array<float, 2>{0.2f, 5.1f});
    CHECK(d.inputs[149] == std::array<float, 2>{1.8f, 5.9f});
    o.label = 4;  // the same column by index
    CHECK(load_csv<2, 3>(iris_csv, o).targets[50] == std::array<float, 3>{0, 1, 0});
}

TEST_CASE("An explicit class list sets the target order", "[data][csv]") {
    csv_options o = label("species");
    o.classes = {"virginica", "setosa", "versicolor"};
    const auto d = load_csv<4, 3>(iris_csv, o);
    CHECK(d.class_names == o.classes);
    CHECK(d.targets[0] == std::array<float, 3>{0, 1, 0});
    CHECK(d.targets[50] == std::array<float, 3>{0, 0, 1});
    CHECK(d.targets[149] == std::array<float, 3>{1, 0, 0});
}

TEST_CASE("Regression: numeric target columns", "[data][csv]") {
    csv_options o;
    o.inputs = {"sepal_length", "sepal_width"};
    o.targets = {"petal_length", "petal_width"};
    const auto d = load_csv<2, 2, double>(iris_csv, o);
    CHECK(d.inputs[1] == std::array<double, 2>{4.9, 3.0});
    CHECK(d.targets[1] == std::array<double, 2>{1.4, 0.2});
    CHECK(d.class_names.empty());
}

TEST_CASE("RFC 4180 quoting: delimiters, doubled quotes and line breaks inside quotes; spaces and '+' trimmed",
          "[data][csv]") {
    csv_options o = label("name");
    o.inputs = {"height \"in\"", "width, cm"};
    const auto d = load_csv<2, 1, double>(csv_dir / "quoted.csv", o);
    REQUIRE(d.size() == 4);
    // Sorted by bytes: "plain" < "quote \" inside" < "two\nlines" < "with, comma".
    CHECK(d.class_names == std::vector<std::string>{"plain", "quote \" inside", "two\nlines", "with, comma"});
    CHECK(d.inputs[0] == std::array<double, 2>{2.25, 1.5});
    CHECK(d.inputs[1] == std::array<double, 2>{4, 3});
    CHECK(d.inputs[2] == std::array<double, 2>{0.6, 5});
    CHECK(d.inputs[3] == std::array<double, 2>{8, -7});
    CHECK(d.targets[0][0] == 0);
    CHECK(d.targets[1][0] == 3);
    CHECK(d.targets[2][0] == 2);
    CHECK(d.targets[3][0] == 1);
}

TEST_CASE("CRLF line ends, a byte order mark, blank lines and no final newline are all fine", "[data][csv]") {
    temp_dir t;
    const std::string lf = "x,y,c\n1,2,a\n\n3,4,b\n";
    const std::string crlf = "\xEF\xBB\xBFx,y,c\r\n1,2,a\r\n\r\n3,4,b\r\n";
    const std::string no_final = "x,y,c\r\n1,2,a\r\n3,4,b";
    for (const auto& text : {lf, crlf, no_final}) {
        const auto d = load_csv<2, 2>(t.write("f.csv", text), label("c"));
        REQUIRE(d.size() == 2);
        CHECK(d.inputs[1] == std::array<float, 2>{3, 4});
        CHECK(d.targets[1] == std::array<float, 2>{0, 1});
        CHECK(d.class_names == std::vector<std::string>{"a", "b"});
    }
}

TEST_CASE("No header: columns by index; other delimiters", "[data][csv]") {
    temp_dir t;
    csv_options o;
    o.header = false;
    o.delimiter = ';';
    o.label = 0;
    const auto d = load_csv<2, 2>(t.write("f.csv", "b;1.5;-2\na;0.25;1e3\n"), o);
    REQUIRE(d.size() == 2);
    CHECK(d.inputs[0] == std::array<float, 2>{1.5f, -2.0f});
    CHECK(d.inputs[1] == std::array<float, 2>{0.25f, 1000.0f});
    CHECK(d.targets[0] == std::array<float, 2>{0, 1});
    o.label = "c";
    const fs::path f = t.write("g.csv", "b;1;2\n");
    CHECK(message_of([&] { (void)load_csv<2, 2>(f, o); }) ==
          f.string() +
              ": csv_options: label column \"c\" is chosen by name, but the file has no header (csv_options::header "
              "is false)");
}

TEST_CASE("Numbers too small for the type round to zero, like strtof", "[data][csv]") {
    temp_dir t;
    csv_options o;
    o.targets = {0};
    const auto d = load_csv<1, 1>(t.write("f.csv", "y,x\n1,1e-50\n2,-1e-5000\n3,1e-40\n"), o);
    CHECK(d.inputs[0][0] == 0.0f);
    CHECK(d.inputs[1][0] == 0.0f);
    CHECK(std::signbit(d.inputs[1][0]));
    CHECK(d.inputs[2][0] == 1e-40f);  // a subnormal float
}

TEST_CASE("Bad cells name the file, line, column and column name", "[data][csv]") {
    const fs::path bad = csv_dir / "bad_number.csv";
    const data_error e = error_of([&] { (void)load_csv<4, 1>(bad, label("species")); });
    CHECK(std::string(e.what()) == bad.string() + ":3:3: \"abc\" is not a number (column \"petal_length\")");
    CHECK(e.file == bad.string());
    CHECK(e.line == 3);
    CHECK(e.column == 3);

    const fs::path nan = csv_dir / "nan_cell.csv";
    CHECK(message_of([&] { (void)load_csv<2, 2>(nan, label("label")); }) ==
          nan.string() + ":3:2: \"nan\" is not a finite number (column \"b\")");
    const fs::path inf = csv_dir / "inf_cell.csv";
    CHECK(message_of([&] { (void)load_csv<2, 1>(inf, label("label")); }) ==
          inf.string() + ":2:2: \"inf\" is not a finite number (column \"b\")");

    temp_dir t;
    const fs::path f = t.write("f.csv", "a,b,c\n1,,x\n");
    CHECK(message_of([&] { (void)load_csv<2, 1>(f, label("c")); }) ==
          f.string() + ":2:2: empty cell, expected a number (column \"b\")");
    const fs::path g = t.write("g.csv", "a,b,c\n1,1e999,x\n");
    CHECK(message_of([&] { (void)load_csv<2, 1>(g, label("c")); }) ==
          g.string() + ":2:2: \"1e999\" is out of range for float (column \"b\")");
    CHECK(message_of([&] { (void)load_csv<2, 1, double>(g, label("c")); }) ==
          g.string() + ":2:2: \"1e999\" is out of range for double (column \"b\")");
    const fs::path h = t.write("h.csv", "a,b,c\n1,2,\n");
    CHECK(message_of([&] { (void)load_csv<2, 1>(h, label("c")); }) == h.string() + ":2:3: empty label (column \"c\")");
    const fs::path comma = t.write("comma.csv", "a,b,c\n1,\"2,5\",x\n");
    CHECK(message_of([&] { (void)load_csv<2, 1>(comma, label("c")); }) ==
          comma.string() + ":2:2: \"2,5\" is not a number (column \"b\")");
    // Without a header there is no column name.
    csv_options o;
    o.header = false;
    o.label = 2;
    const fs::path n = t.write("n.csv", "1,2,x\n1,2x,y\n");
    CHECK(message_of([&] { (void)load_csv<2, 1>(n, o); }) == n.string() + ":2:2: \"2x\" is not a number");
    // A string column taken as an input by default.
    csv_options r;
    r.targets = {"petal_width"};
    CHECK(message_of([&] { (void)load_csv<4, 1>(iris_csv, r); }) ==
          iris_csv.string() + ":2:5: \"setosa\" is not a number (column \"species\")");
}

TEST_CASE("A record with the wrong number of columns", "[data][csv]") {
    const fs::path f = csv_dir / "wrong_column_count.csv";
    const data_error e = error_of([&] { (void)load_csv<2, 2>(f, label("label")); });
    CHECK(std::string(e.what()) == f.string() + ":4: expected 3 columns, found 2");
    CHECK(e.line == 4);
    CHECK(e.column == 0);
}

TEST_CASE("Quoting errors", "[data][csv]") {
    const fs::path f = csv_dir / "unterminated_quote.csv";
    CHECK(message_of([&] { (void)load_csv<2, 2>(f, label("label")); }) ==
          f.string() + ":3:1: unterminated quoted field (no closing \")");
    temp_dir t;
    const fs::path g = t.write("g.csv", "a,b,c\r\n1,\"2\"x,y\r\n");
    CHECK(message_of([&] { (void)load_csv<2, 1>(g, label("c")); }) ==
          g.string() + ":2:2: unexpected text after a closing quote (a \" inside a quoted field is written \"\")");
    // Line numbers count the line breaks inside quoted fields.
    const fs::path h = t.write("h.csv", "a,b,c\n1,2,\"x\ny\"\n1,z,x\n");
    CHECK(message_of([&] { (void)load_csv<2, 2>(h, label("c")); }) ==
          h.string() + ":4:2: \"z\" is not a number (column \"b\")");
}

TEST_CASE("Missing, unreadable, empty and header-only files", "[data][csv]") {
    const fs::path missing = csv_dir / "no_such_file.csv";
    CHECK(message_of([&] { (void)load_csv<4, 3>(missing, label("species")); }) ==
          missing.string() + ": cannot open: No such file or directory");
    CHECK(message_of([&] { (void)load_csv<4, 3>(csv_dir, label("species")); }) ==
          csv_dir.string() + ": cannot read: Is a directory");
    const fs::path empty = csv_dir / "empty.csv";
    CHECK(message_of([&] { (void)load_csv<4, 3>(empty, label("species")); }) == empty.string() + ": the file is empty");
    temp_dir t;
    const fs::path blank = t.write("blank.csv", "\r\n\n");
    CHECK(message_of([&] { (void)load_csv<4, 3>(blank, label("species")); }) == blank.string() + ": the file is empty");
    const fs::path header_only = csv_dir / "header_only.csv";
    CHECK(message_of([&] { (void)load_csv<2, 1>(header_only, label("label")); }) ==
          header_only.string() + ": no data records after the header");
}

TEST_CASE("Column choices that do not fit the file or the dataset", "[data][csv]") {
    const std::string iris = iris_csv.string();
    CHECK(message_of([&] { (void)load_csv<4, 3>(iris_csv, label("Species")); }) ==
          iris + ":1: unknown label column \"Species\" (the header has: sepal_length, sepal_width, petal_length, "
                 "petal_width, species)");
    csv_options o = label("species");
    o.inputs = {"petal_lenght"};
    CHECK(message_of([&] { (void)load_csv<1, 3>(iris_csv, o); }) ==
          iris + ":1: unknown input column \"petal_lenght\" (the header has: sepal_length, sepal_width, "
                 "petal_length, petal_width, species)");
    o.inputs = {7};
    CHECK(message_of([&] { (void)load_csv<1, 3>(iris_csv, o); }) ==
          iris + ":1: input column index 7 is out of range: the file has 5 columns (indices 0 to 4)");
    o.inputs = {-1};
    CHECK(message_of([&] { (void)load_csv<1, 3>(iris_csv, o); }) ==
          iris + ": csv_options: input column index -1 is negative");
    o.inputs = {0, "species"};
    CHECK(message_of([&] { (void)load_csv<2, 3>(iris_csv, o); }) ==
          iris + ": csv_options: column \"species\" is chosen as the label and as an input");
    o.inputs = {0, 0};
    CHECK(message_of([&] { (void)load_csv<2, 3>(iris_csv, o); }) ==
          iris + ": csv_options: column \"sepal_length\" is chosen as an input and as an input");
    CHECK(message_of([&] { (void)load_csv<3, 3>(iris_csv, label("species")); }) ==
          iris + ": 4 input columns (\"sepal_length\", \"sepal_width\", \"petal_length\", \"petal_width\"), the "
                 "dataset has In = 3");
    CHECK(message_of([&] { (void)load_csv<4, 2>(iris_csv, label("species")); }) ==
          iris + ": the label column \"species\" has 3 classes (setosa, versicolor, virginica), the dataset has "
                 "Out = 2");

    csv_options both = label("species");
    both.targets = {0};
    CHECK(message_of([&] { (void)load_csv<3, 1>(iris_csv, both); }) ==
          iris + ": csv_options: give a label column or target columns, not both");
    CHECK(message_of([&] { (void)load_csv<3, 1>(iris_csv, csv_options{}); }) ==
          iris + ": csv_options: no label column and no target columns given");
    csv_options targets;
    targets.inputs = {0, 1};
    targets.targets = {2, 3};
    CHECK(message_of([&] { (void)load_csv<2, 1>(iris_csv, targets); }) ==
          iris + ": csv_options: 2 target columns, the dataset has Out = 1");

    temp_dir t;
    const fs::path dup = t.write("dup.csv", "a,a,c\n1,2,x\n");
    CHECK(message_of([&] {
              csv_options d = label("c");
              d.inputs = {"a"};
              (void)load_csv<1, 1>(dup, d);
          }) == dup.string() + ":1: the input column \"a\" appears twice in the header (columns 1 and 2)");
}

TEST_CASE("Explicit class lists: unknown labels and wrong sizes", "[data][csv]") {
    const std::string iris = iris_csv.string();
    csv_options o = label("species");
    o.classes = {"setosa", "versicolor"};
    const data_error e = error_of([&] { (void)load_csv<4, 2>(iris_csv, o); });
    CHECK(std::string(e.what()) == iris + ":102:5: unknown class \"virginica\" (column \"species\"); "
                                          "csv_options::classes has: setosa, versicolor");
    CHECK(e.line == 102);
    CHECK(e.column == 5);
    CHECK(message_of([&] { (void)load_csv<4, 3>(iris_csv, o); }) ==
          iris + ": csv_options::classes has 2 names, the dataset has Out = 3");
    o.classes = {"setosa", "versicolor", "setosa"};
    CHECK(message_of([&] { (void)load_csv<4, 3>(iris_csv, o); }) ==
          iris + ": csv_options::classes names \"setosa\" twice");
}
