# cmake -DFLAGS_FILE=<file> -DSOURCE=<snippet.cpp> -DMODE=fail|compile -P run.cmake
#
# MODE=fail: passes only if the compiler rejects SOURCE, its output contains the text after `// expect:` on
# the snippet's first line, and it reports at most `// max-errors: N` errors (second line; default 1).
# MODE=compile: passes only if SOURCE compiles cleanly (the control that proves the flags work).
cmake_minimum_required(VERSION 3.25)

foreach(var FLAGS_FILE SOURCE MODE)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run.cmake: -D${var}=... is required")
  endif()
endforeach()
include("${FLAGS_FILE}")

set(args -std=c++20 -fsyntax-only -fdiagnostics-color=never)
separate_arguments(user_flags UNIX_COMMAND "${CTNN_CF_CXX_FLAGS}")
list(APPEND args ${user_flags} ${CTNN_CF_OPTIONS})
list(REMOVE_DUPLICATES CTNN_CF_INCLUDES)
foreach(dir IN LISTS CTNN_CF_INCLUDES)
  # -I/usr/include would reorder the system headers and break libstdc++'s #include_next.
  if(NOT dir IN_LIST CTNN_CF_IMPLICIT_INCLUDES)
    list(APPEND args "-I${dir}")
  endif()
endforeach()
foreach(def IN LISTS CTNN_CF_DEFINES)
  list(APPEND args "-D${def}")
endforeach()

execute_process(COMMAND "${CTNN_CF_CXX}" ${args} "${SOURCE}"
                RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE out)
string(JOIN " " command_line "${CTNN_CF_CXX}" ${args} "${SOURCE}")

# The compiler's output verbatim (message(FATAL_ERROR) would re-wrap it), then the verdict.
function(fail why)
  message(NOTICE "${command_line}\n${out}")
  message(FATAL_ERROR "${SOURCE}: ${why}")
endfunction()

if(MODE STREQUAL "compile")
  if(NOT result EQUAL 0)
    fail("must compile, but did not")
  endif()
  message(STATUS "compiles, as it must")
  return()
endif()

file(STRINGS "${SOURCE}" header LIMIT_COUNT 2)
list(GET header 0 first)
if(NOT first MATCHES "^// expect: (.+)$")
  message(FATAL_ERROR "${SOURCE}: the first line must be `// expect: <message>`")
endif()
set(expected "${CMAKE_MATCH_1}")
set(max_errors 1)
list(LENGTH header lines)
if(lines GREATER 1)
  list(GET header 1 second)
  if(second MATCHES "^// max-errors: ([0-9]+)")
    set(max_errors "${CMAKE_MATCH_1}")
  endif()
endif()

# Diagnostics of GCC and Clang alike: "<file>:<line>:<col>: error: ..." (or "fatal error:").
string(REGEX MATCHALL ": (fatal )?error: " errors "${out}")
list(LENGTH errors error_count)

if(result EQUAL 0)
  fail("compiled, but must not")
endif()
string(FIND "${out}" "${expected}" at)
if(at EQUAL -1)
  fail("rejected, but without the expected message\n  ${expected}")
endif()
if(error_count GREATER max_errors)
  fail("rejected with the expected message, but in ${error_count} errors (at most ${max_errors} allowed)")
endif()
message(STATUS "rejected with the expected message (${error_count} error(s))")
