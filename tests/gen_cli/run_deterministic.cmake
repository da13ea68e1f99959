# cmake -DGEN=<ctnn-gen> -DWORK=<scratch dir> -DMODEL=<model file> -P run_deterministic.cmake -- <more arguments>
#
# The same model and options must give byte-identical headers, wherever the model file and the output are, from
# whichever working directory, and when an existing header is replaced. Copies of MODEL (same file name) go to
# WORK/a and WORK/b/c; ctnn-gen runs from WORK/a with a relative model path, from WORK with an absolute one, and
# once more over the first header.
include("${CMAKE_CURRENT_LIST_DIR}/common.cmake")
if(NOT DEFINED MODEL)
  message(FATAL_ERROR "-DMODEL=... is required")
endif()
cmake_path(GET MODEL FILENAME name)

gen_fresh_work()
file(COPY "${MODEL}" DESTINATION "${WORK}/a")
file(COPY "${MODEL}" DESTINATION "${WORK}/b/c")
set(options "${gen_args}")

function(generate model out dir)
  set(gen_args "[==[${model}]==] -o [==[${out}]==] ${options}")
  gen_run("${dir}")
  if(NOT gen_status EQUAL 0)
    gen_fail("expected exit status 0")
  endif()
endfunction()

generate("${name}" "first.hpp" "${WORK}/a")
generate("${WORK}/b/c/${name}" "${WORK}/b/second.hpp" "${WORK}")
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files "${WORK}/a/first.hpp" "${WORK}/b/second.hpp"
                RESULT_VARIABLE differ)
if(differ)
  message(FATAL_ERROR "two runs gave different headers: ${WORK}/a/first.hpp ${WORK}/b/second.hpp")
endif()
file(COPY_FILE "${WORK}/a/first.hpp" "${WORK}/first_copy.hpp")
generate("${name}" "first.hpp" "${WORK}/a")
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files "${WORK}/a/first.hpp" "${WORK}/first_copy.hpp"
                RESULT_VARIABLE differ)
if(differ)
  message(FATAL_ERROR "replacing a header gave a different one: ${WORK}/a/first.hpp ${WORK}/first_copy.hpp")
endif()
file(REMOVE_RECURSE "${WORK}")
