// Loading a CSV file into a ctnn::data::dataset<In, Out, T> (opt-in header: it allocates and throws).
//   ctnn::data::csv_options o;
//   o.label = "species";                                   // class names -> one-hot rows (Out = class count)
//   auto iris = ctnn::data::load_csv<4, 3>("iris.csv", o);  // inputs: every other column
// Columns are chosen by header name or by 0-based index. A label column becomes one-hot rows (Out == number of
// classes) or, for Out == 1, the class index; `targets` instead takes Out numeric columns (regression). Class names
// are the sorted distinct labels unless `classes` lists them. Records follow RFC 4180 (quoted fields, "" inside
// quotes, CRLF or LF, blank lines skipped, an optional UTF-8 byte order mark); cells are trimmed of spaces and
// tabs; numbers are read with std::from_chars, whatever the locale. Every problem throws ctnn::data::data_error:
//   iris.csv:17:3: "abc" is not a number (column "petal_length")
#pragma once

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include <ctnn/data/dataset.hpp>
#include <ctnn/data/error.hpp>
#include <ctnn/detail/read_file.hpp>

namespace ctnn::data {

// A CSV column: a header name, or a 0-based index.
struct column {
    std::string name;
    long long index = -1;  // used when name is empty
    bool by_name = false;

    column(const char* n) : name(n), by_name(true) {}
    column(std::string n) : name(std::move(n)), by_name(true) {}
    column(std::string_view n) : name(n), by_name(true) {}
    template <std::integral I>
        requires(!std::same_as<I, bool>)
    column(I i) : index(static_cast<long long>(i)) {}
};

struct csv_options {
    bool header = true;     // the first record names the columns
    char delimiter = ',';
    std::vector<column> inputs;      // the In input columns, in this order; empty: every other column, in file order
    std::optional<column> label;     // classification: the column of class names
    std::vector<column> targets;     // regression: the Out numeric target columns (instead of a label)
    std::vector<std::string> classes;  // class names in target order; empty: the sorted distinct labels
};

namespace detail {

inline std::string read_file_text(const std::filesystem::path& path, const std::string& file) {
    std::string text, error;
    if (!ctnn::detail::read_whole_file(path, text, error)) data_fail(file, 0, 0, error);
    return text;
}

inline std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// Parses a whole cell as a finite T; on failure returns why (without position), else an empty string.
template <class T>
std::string parse_number(std::string_view cell, T& out) {
    const std::string_view s = trim(cell);
    if (s.empty()) return "empty cell, expected a number";
    std::string_view digits = s;
    if (digits.size() > 1 && digits[0] == '+' && digits[1] != '-' && digits[1] != '+') digits.remove_prefix(1);
    const char* end = digits.data() + digits.size();
    auto [ptr, ec] = std::from_chars(digits.data(), end, out);
    if (ec == std::errc::invalid_argument || ptr != end) return quote(s) + " is not a number";
    if (ec == std::errc::result_out_of_range) {
        // from_chars also reports underflow; a number too small for T rounds to zero (or a subnormal), like strtof.
        long double wide = 0;
        const std::errc wec = std::from_chars(digits.data(), end, wide).ec;
        const std::size_t e = digits.find_first_of("eE");
        const bool negative_exponent = e != std::string_view::npos && e + 1 < digits.size() && digits[e + 1] == '-';
        const bool tiny = wec == std::errc{} ? std::fabs(wide) < 1.0L : negative_exponent;
        if (!tiny)
            return quote(s) + " is out of range for " + (std::is_same_v<T, float> ? "float" : "double");
        out = static_cast<T>(wec == std::errc{} ? wide : 0.0L);
        if (digits[0] == '-') out = std::copysign(out, T(-1));
    }
    if (!std::isfinite(out)) return quote(s) + " is not a finite number";
    return {};
}

// RFC 4180 records from a text; tracks line numbers (a quoted field may span lines).
class csv_reader {
  public:
    csv_reader(std::string_view text, char delimiter, const std::string& file)
        : text_(text), delimiter_(delimiter), file_(file) {}

    // The next non-blank record, false at the end. record_line: the line it starts on.
    bool next(std::vector<std::string>& fields, std::size_t& record_line) {
        while (pos_ < text_.size() && (at_newline())) skip_newline();
        if (pos_ >= text_.size()) return false;
        record_line = line_;
        fields.clear();
        for (;;) {
            fields.push_back(read_field(fields.size() + 1));
            if (pos_ >= text_.size()) return true;
            if (text_[pos_] == delimiter_) {
                ++pos_;
                continue;
            }
            skip_newline();
            return true;
        }
    }

  private:
    bool at_newline() const {
        const char c = text_[pos_];
        return c == '\n' || (c == '\r' && (pos_ + 1 == text_.size() || text_[pos_ + 1] == '\n'));
    }
    void skip_newline() {
        pos_ += text_[pos_] == '\r' ? 2 : 1;
        if (pos_ > text_.size()) pos_ = text_.size();
        ++line_;
    }
    std::string read_field(std::size_t column_number) {
        std::string f;
        if (pos_ < text_.size() && text_[pos_] == '"') {
            const std::size_t open_line = line_;
            ++pos_;
            for (;;) {
                if (pos_ >= text_.size())
                    data_fail(file_, open_line, column_number, "unterminated quoted field (no closing \")");
                const char c = text_[pos_];
                if (c == '"') {
                    if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
                        f += '"';
                        pos_ += 2;
                        continue;
                    }
                    ++pos_;
                    break;
                }
                if (c == '\n') ++line_;
                f += c;
                ++pos_;
            }
            if (pos_ < text_.size() && text_[pos_] != delimiter_ && !at_newline())
                data_fail(file_, line_, column_number,
                          "unexpected text after a closing quote (a \" inside a quoted field is written \"\")");
            return f;
        }
        while (pos_ < text_.size() && text_[pos_] != delimiter_ && !at_newline()) f += text_[pos_++];
        return f;
    }

    std::string_view text_;
    char delimiter_;
    const std::string& file_;
    std::size_t pos_ = 0;
    std::size_t line_ = 1;
};

inline std::string name_list(const std::vector<std::string>& names) {
    std::string s;
    for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
    return s;
}

// Column resolution and the role of each column; everything before the data records.
struct csv_layout {
    std::vector<std::string> names;  // header names (empty without a header)
    std::size_t columns = 0;
    std::vector<std::size_t> inputs;
    std::optional<std::size_t> label;
    std::vector<std::size_t> targets;

    std::string describe(std::size_t c) const {
        return names.empty() ? std::string() : " (column " + quote(names[c]) + ")";
    }
};

inline std::size_t resolve(const column& c, const csv_layout& l, const std::string& file, std::size_t line,
                           const std::string& role) {
    if (c.by_name) {
        if (l.names.empty())
            data_fail(file, 0, 0,
                      "csv_options: " + role + " column " + quote(c.name) +
                          " is chosen by name, but the file has no header (csv_options::header is false)");
        std::optional<std::size_t> found;
        for (std::size_t k = 0; k < l.names.size(); ++k) {
            if (l.names[k] != c.name) continue;
            if (found)
                data_fail(file, line, 0,
                          "the " + role + " column " + quote(c.name) + " appears twice in the header (columns " +
                              std::to_string(*found + 1) + " and " + std::to_string(k + 1) + ")");
            found = k;
        }
        if (!found)
            data_fail(file, line, 0,
                      "unknown " + role + " column " + quote(c.name) + " (the header has: " + name_list(l.names) +
                          ")");
        return *found;
    }
    if (c.index < 0)
        data_fail(file, 0, 0, "csv_options: " + role + " column index " + std::to_string(c.index) + " is negative");
    if (static_cast<unsigned long long>(c.index) >= l.columns)
        data_fail(file, line, 0,
                  role + " column index " + std::to_string(c.index) + " is out of range: the file has " +
                      std::to_string(l.columns) + " columns (indices 0 to " + std::to_string(l.columns - 1) + ")");
    return static_cast<std::size_t>(c.index);
}

inline csv_layout plan_columns(const csv_options& o, std::vector<std::string> names, std::size_t columns,
                               std::size_t first_line, std::size_t in, std::size_t out, const std::string& file) {
    if (o.label && !o.targets.empty())
        data_fail(file, 0, 0, "csv_options: give a label column or target columns, not both");
    if (!o.label && o.targets.empty())
        data_fail(file, 0, 0, "csv_options: no label column and no target columns given");
    csv_layout l;
    l.names = std::move(names);
    l.columns = columns;
    const auto label_of = [&](std::size_t c) {
        return l.names.empty() ? "index " + std::to_string(c) : quote(l.names[c]);
    };
    std::vector<std::string> role(columns);  // what each column is used for, to refuse using one twice
    const auto claim = [&](std::size_t c, const std::string& r) {
        if (!role[c].empty())
            data_fail(file, 0, 0, "csv_options: column " + label_of(c) + " is chosen as " + role[c] + " and as " + r);
        role[c] = r;
    };
    if (o.label) {
        l.label = resolve(*o.label, l, file, first_line, "label");
        claim(*l.label, "the label");
    }
    for (const auto& t : o.targets) {
        l.targets.push_back(resolve(t, l, file, first_line, "target"));
        claim(l.targets.back(), "a target");
    }
    if (!o.targets.empty() && l.targets.size() != out)
        data_fail(file, 0, 0,
                  "csv_options: " + std::to_string(l.targets.size()) + " target columns, the dataset has Out = " +
                      std::to_string(out));
    if (o.inputs.empty()) {
        for (std::size_t c = 0; c < columns; ++c)
            if (role[c].empty()) l.inputs.push_back(c);
    } else {
        for (const auto& c : o.inputs) {
            l.inputs.push_back(resolve(c, l, file, first_line, "input"));
            claim(l.inputs.back(), "an input");
        }
    }
    if (l.inputs.size() != in) {
        std::vector<std::string> chosen;
        for (std::size_t c : l.inputs) chosen.push_back(label_of(c));
        data_fail(file, 0, 0,
                  std::to_string(l.inputs.size()) + " input columns (" + name_list(chosen) +
                      "), the dataset has In = " + std::to_string(in));
    }
    return l;
}

}  // namespace detail

template <std::size_t In, std::size_t Out, class T = float>
dataset<In, Out, T> load_csv(const std::filesystem::path& path, const csv_options& o = {}) {
    using detail::data_fail;
    using detail::quote;
    const std::string file = path.string();
    std::string text = detail::read_file_text(path, file);
    if (text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);  // UTF-8 byte order mark, as spreadsheets write it

    detail::csv_reader reader(text, o.delimiter, file);
    std::vector<std::string> fields;
    std::size_t line = 0;
    if (!reader.next(fields, line)) data_fail(file, 0, 0, "the file is empty");
    std::vector<std::string> names;
    if (o.header)
        for (const auto& f : fields) names.emplace_back(detail::trim(f));
    const detail::csv_layout l = detail::plan_columns(o, names, fields.size(), line, In, Out, file);

    if (l.label && !o.classes.empty()) {
        if (Out != 1 && o.classes.size() != Out)
            data_fail(file, 0, 0,
                      "csv_options::classes has " + std::to_string(o.classes.size()) +
                          " names, the dataset has Out = " + std::to_string(Out));
        for (std::size_t a = 0; a < o.classes.size(); ++a)
            for (std::size_t b = a + 1; b < o.classes.size(); ++b)
                if (o.classes[a] == o.classes[b])
                    data_fail(file, 0, 0, "csv_options::classes names " + quote(o.classes[a]) + " twice");
    }

    dataset<In, Out, T> d;
    std::vector<std::string> labels;  // per sample, when there is a label column
    bool have = !o.header;  // without a header the first record is data
    for (;;) {
        if (have) {
            if (fields.size() != l.columns)
                data_fail(file, line, 0,
                          "expected " + std::to_string(l.columns) + " columns, found " + std::to_string(fields.size()));
            typename dataset<In, Out, T>::input_type x{};
            typename dataset<In, Out, T>::target_type y{};
            for (std::size_t k = 0; k < In; ++k) {
                const std::size_t c = l.inputs[k];
                const std::string why = detail::parse_number(fields[c], x[k]);
                if (!why.empty()) data_fail(file, line, c + 1, why + l.describe(c));
            }
            for (std::size_t k = 0; k < l.targets.size(); ++k) {
                const std::size_t c = l.targets[k];
                const std::string why = detail::parse_number(fields[c], y[k]);
                if (!why.empty()) data_fail(file, line, c + 1, why + l.describe(c));
            }
            if (l.label) {
                const std::size_t c = *l.label;
                const std::string_view name = detail::trim(fields[c]);
                if (name.empty()) data_fail(file, line, c + 1, "empty label" + l.describe(c));
                if (!o.classes.empty() && std::find(o.classes.begin(), o.classes.end(), name) == o.classes.end())
                    data_fail(file, line, c + 1,
                              "unknown class " + quote(name) + l.describe(c) +
                                  "; csv_options::classes has: " + detail::name_list(o.classes));
                labels.emplace_back(name);
            }
            d.add(x, y);
        }
        have = reader.next(fields, line);
        if (!have) break;
    }
    if (d.empty()) data_fail(file, 0, 0, "no data records after the header");

    if (l.label) {
        std::vector<std::string> classes = o.classes;
        if (classes.empty()) {
            classes = labels;
            std::sort(classes.begin(), classes.end());
            classes.erase(std::unique(classes.begin(), classes.end()), classes.end());
            if (Out != 1 && classes.size() != Out)
                data_fail(file, 0, 0,
                          "the label column " +
                              (l.names.empty() ? "(index " + std::to_string(*l.label) + ")"
                                               : quote(l.names[*l.label])) +
                              " has " + std::to_string(classes.size()) +
                              " classes (" + detail::name_list(classes) + "), the dataset has Out = " +
                              std::to_string(Out));
        }
        for (std::size_t i = 0; i < d.size(); ++i) {
            // The sorted list is searched by bisection; an explicit list need not be sorted.
            const auto at = o.classes.empty() ? std::lower_bound(classes.begin(), classes.end(), labels[i])
                                              : std::find(classes.begin(), classes.end(), labels[i]);
            const auto cls = static_cast<std::size_t>(at - classes.begin());
            if constexpr (Out == 1)
                d.targets[i][0] = static_cast<T>(cls);
            else
                d.targets[i][cls] = T(1);
        }
        d.class_names = std::move(classes);
    }
    return d;
}

}  // namespace ctnn::data
