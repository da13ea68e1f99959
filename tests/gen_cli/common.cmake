# Shared by the gen_cli scripts, which are run as
#   cmake -DGEN=<ctnn-gen> -DWORK=<scratch dir> ... -P <script> -- <ctnn-gen arguments>
# In the arguments, @WORK@ stands for the scratch directory and @EMPTY@ for an empty argument (which a CMake list
# cannot carry).
cmake_minimum_required(VERSION 3.25)

foreach(var GEN WORK)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "-D${var}=... is required")
  endif()
endforeach()

# gen_args: the arguments after "--", each as a bracket argument, so that none is split or dropped.
set(gen_args "")
set(gen_after_dashes FALSE)
math(EXPR gen_last "${CMAKE_ARGC} - 1")
foreach(i RANGE ${gen_last})
  if(gen_after_dashes)
    string(REPLACE "@WORK@" "${WORK}" arg "${CMAKE_ARGV${i}}")
    string(REPLACE "@EMPTY@" "" arg "${arg}")
    string(APPEND gen_args " [==[${arg}]==]")
  elseif(CMAKE_ARGV${i} STREQUAL "--")
    set(gen_after_dashes TRUE)
  endif()
endforeach()

# A fresh, empty scratch directory.
macro(gen_fresh_work)
  file(REMOVE_RECURSE "${WORK}")
  file(MAKE_DIRECTORY "${WORK}")
endmacro()

# Runs ctnn-gen with gen_args in the directory <dir> (default WORK); sets gen_status, gen_out, gen_err.
macro(gen_run)
  set(gen_dir "${WORK}")
  if(${ARGC} GREATER 0)
    set(gen_dir "${ARGV0}")
  endif()
  cmake_language(EVAL CODE "
    execute_process(COMMAND [==[${GEN}]==] ${gen_args} WORKING_DIRECTORY [==[${gen_dir}]==]
                    RESULT_VARIABLE gen_status OUTPUT_VARIABLE gen_out ERROR_VARIABLE gen_err)")
  string(STRIP "${gen_args}" gen_shown)
endmacro()

# Fails the test, showing the command and what it printed.
function(gen_fail why)
  message(FATAL_ERROR "${why}\n  ctnn-gen ${gen_shown}\n  exit status: ${gen_status}\n"
                      "  stdout: [${gen_out}]\n  stderr: [${gen_err}]")
endfunction()

# The names in WORK, hidden ones (temporary files) included, relative to WORK.
function(gen_work_contents out_var)
  file(GLOB_RECURSE entries LIST_DIRECTORIES true RELATIVE "${WORK}" "${WORK}/*")
  list(SORT entries)
  set(${out_var} "${entries}" PARENT_SCOPE)
endfunction()
