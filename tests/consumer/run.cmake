# cmake -DCTNN_BUILD_DIR=<ctnn build> -DCONSUMER_SOURCE_DIR=<this dir> -DWORK_DIR=<scratch root>
#       -DCXX=<compiler> -DGENERATOR=<generator> [-DMAKE_PROGRAM=<path>] [-DBUILD_TYPE=<config>] -P run.cmake
#
# Installs the ctnn build into a fresh prefix, then configures, builds and runs the consumer project against it
# with find_package(ctnn). Any failing step fails the test; the scratch directory is removed on success.
cmake_minimum_required(VERSION 3.25)

foreach(var CTNN_BUILD_DIR CONSUMER_SOURCE_DIR WORK_DIR CXX GENERATOR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run.cmake: -D${var}=... is required")
  endif()
endforeach()
if(NOT BUILD_TYPE)
  set(BUILD_TYPE Release)
endif()

# A directory of its own, so that concurrent runs never share an install prefix or a build tree.
string(RANDOM LENGTH 12 tag)
set(work "${WORK_DIR}/run-${tag}")
set(prefix "${work}/prefix")
set(build "${work}/build")
file(MAKE_DIRECTORY "${work}")

function(step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT result EQUAL 0)
    string(JOIN " " command ${ARGN})
    message(FATAL_ERROR "consumer test: ${what} failed (${result}):\n${command}\n${out}\n"
                        "(scratch directory kept: ${work})")
  endif()
  message(STATUS "${what}: ok")
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

step("install" ${CMAKE_COMMAND} --install "${CTNN_BUILD_DIR}" --prefix "${prefix}" --config ${BUILD_TYPE})

set(configure ${CMAKE_COMMAND} -S "${CONSUMER_SOURCE_DIR}" -B "${build}" -G "${GENERATOR}"
              "-DCMAKE_CXX_COMPILER=${CXX}" "-DCMAKE_PREFIX_PATH=${prefix}" "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}"
              -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON)
if(MAKE_PROGRAM)
  list(APPEND configure "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()
step("configure" ${configure})
step("build" ${CMAKE_COMMAND} --build "${build}" --config ${BUILD_TYPE})

find_program(consumer consumer PATHS "${build}" "${build}/${BUILD_TYPE}" NO_DEFAULT_PATH REQUIRED)
step("run" "${consumer}")
message(STATUS "${step_output}")

# find_package must have used the fresh prefix, not some other ctnn on the system.
file(STRINGS "${build}/CMakeCache.txt" ctnn_dir REGEX "^ctnn_DIR:")
string(FIND "${ctnn_dir}" "${prefix}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "consumer test: find_package(ctnn) did not use ${prefix}: ${ctnn_dir}")
endif()

file(REMOVE_RECURSE "${work}")
