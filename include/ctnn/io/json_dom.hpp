// Parsing a model file's text into an nlohmann-json document, with messages that say where things went wrong.
// A SAX handler builds the document so that it knows the path of the value being parsed (a number too large for
// the scalar type is reported as "layers[0].weight[1][2]: 1e999 is out of range for float64") and can reject
// duplicate keys, which nlohmann's own parser silently resolves.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include <ctnn/io/error.hpp>

namespace ctnn::detail {

// Numbers are read with strtod into json64 and with strtof into json32: a float file's weights are rounded once,
// straight from the decimal text, never through double.
using json64 = nlohmann::basic_json<std::map, std::vector, std::string, bool, std::int64_t, std::uint64_t, double>;
using json32 = nlohmann::basic_json<std::map, std::vector, std::string, bool, std::int64_t, std::uint64_t, float>;

template <class Json>
class json_dom_builder {
  public:
    using number_integer_t = typename Json::number_integer_t;
    using number_unsigned_t = typename Json::number_unsigned_t;
    using number_float_t = typename Json::number_float_t;
    using string_t = typename Json::string_t;
    using binary_t = typename Json::binary_t;

    json_dom_builder(std::string_view text, std::string_view scalar_name) : text_(text), scalar_name_(scalar_name) {}
    json_dom_builder(const json_dom_builder&) = delete;  // the stack points into root
    json_dom_builder& operator=(const json_dom_builder&) = delete;

    Json root;
    std::string error;  // why parsing stopped, without the file name

    bool null() { return put(Json(nullptr)) != nullptr; }
    bool boolean(bool v) { return put(Json(v)) != nullptr; }
    bool number_integer(number_integer_t v) { return put(Json(v)) != nullptr; }
    bool number_unsigned(number_unsigned_t v) { return put(Json(v)) != nullptr; }
    bool number_float(number_float_t v, const string_t&) { return put(Json(v)) != nullptr; }
    bool string(string_t& v) {
        if (stack_.size() == 1 && stack_.back().key == "scalar_type") declared_scalar_ = v;
        return put(Json(std::move(v))) != nullptr;
    }
    bool binary(binary_t& v) { return put(Json::binary(std::move(v))) != nullptr; }

    bool start_object(std::size_t) { return open(Json::value_t::object); }
    bool start_array(std::size_t) { return open(Json::value_t::array); }
    bool end_object() { return close(); }
    bool end_array() { return close(); }

    bool key(string_t& k) {
        frame& f = stack_.back();
        f.key = std::move(k);
        if (f.node->contains(f.key)) {
            error = path() + ": duplicate key";
            return false;
        }
        return true;
    }

    bool parse_error(std::size_t position, const std::string& token, const typename Json::exception& ex) {
        if (ex.id == 406)  // nlohmann's "number overflow": beyond the parsed type, so beyond the file's type too
            error = path() + ": " + token + " is out of range for " +
                    (declared_scalar_ == "float32" ? declared_scalar_ : std::string(scalar_name_)) + " (" +
                    line_column(position - (token.size() < position ? token.size() : 0)) + ")";
        else if (position > text_.size())
            error = "the file is truncated: " + nlohmann_message(ex);
        else
            error = "malformed JSON: " + nlohmann_message(ex);
        return false;
    }

  private:
    struct frame {
        Json* node;
        std::string key;  // objects: the key of the value being parsed
    };
    std::string_view text_;
    std::string_view scalar_name_;
    std::string declared_scalar_;  // the file's "scalar_type", once parsed
    std::vector<frame> stack_;

    // Adds v where the parser is; containers stay put while open, as only the innermost one grows.
    Json* put(Json&& v) {
        if (stack_.empty()) {
            root = std::move(v);
            return &root;
        }
        frame& f = stack_.back();
        if (f.node->is_array()) {
            f.node->push_back(std::move(v));
            return &f.node->back();
        }
        return &((*f.node)[f.key] = std::move(v));
    }
    bool open(typename Json::value_t t) {
        Json* node = put(Json(t));
        stack_.push_back({node, {}});
        return true;
    }
    bool close() {
        stack_.pop_back();
        return true;
    }

    // "layers[0].weight[1][2]": where the value being parsed will go.
    std::string path() const {
        std::string p;
        for (std::size_t i = 0; i < stack_.size(); ++i) {
            const frame& f = stack_[i];
            if (f.node->is_array()) {
                const std::size_t n = f.node->size();
                p += '[';
                p += std::to_string(i + 1 == stack_.size() ? n : n - 1);
                p += ']';
            } else {
                if (!p.empty()) p += '.';
                p += f.key;
            }
        }
        return p.empty() ? "(top level)" : p;
    }

    std::string line_column(std::size_t position) const {
        std::size_t line = 1, column = 1;
        for (std::size_t k = 0; k < position && k < text_.size(); ++k) {
            if (text_[k] == '\n') {
                ++line;
                column = 1;
            } else {
                ++column;
            }
        }
        return "line " + std::to_string(line) + ", column " + std::to_string(column);
    }

    // nlohmann's text without its "[json.exception.parse_error.101] " prefix; it names line and column.
    static std::string nlohmann_message(const typename Json::exception& ex) {
        const std::string what = ex.what();
        const auto end = what.find("] ");
        return end == std::string::npos ? what : what.substr(end + 2);
    }
};

// The document in text; throws model_error "<file>: <what>" if it is empty or not JSON.
template <class Json>
Json parse_json(const std::string& text, const std::string& file, std::string_view scalar_name) {
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) throw model_error(file + ": the file is empty");
    json_dom_builder<Json> builder(text, scalar_name);
    if (!Json::sax_parse(text, &builder)) throw model_error(file + ": " + builder.error);
    return std::move(builder.root);
}

}  // namespace ctnn::detail
