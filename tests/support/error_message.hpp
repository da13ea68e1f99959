// The message of the exception of type E that f throws; the test fails if f throws nothing (another type
// propagates and fails the test too). one_line_message_of also checks that the message is a single line.
#pragma once

#include <string>
#include <utility>

#include <catch2/catch.hpp>

namespace ctnn_test {

template <class E, class F>
std::string message_of(F&& f) {
    try {
        std::forward<F>(f)();
    } catch (const E& e) {
        return e.what();
    }
    FAIL("no exception of the expected type was thrown");
    return {};
}

template <class E, class F>
std::string one_line_message_of(F&& f) {
    const std::string what = message_of<E>(std::forward<F>(f));
    CHECK(what.find('\n') == std::string::npos);
    return what;
}

}  // namespace ctnn_test
