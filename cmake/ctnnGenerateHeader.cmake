# ctnn_generate_header(<target> MODEL <file.ctnn.json>
#                      [OUTPUT <name.hpp>] [NAME <namespace or prefix>] [LANGUAGE c++17|c99] [TARGET scalar|simd]
#                      [UNROLL full|auto|loops|dot] [UNROLL_THRESHOLD <n>] [SIMD_WIDTH 4|8|16]
#                      [MATH libm|fast] [STATIC_BUFFERS]
#                      [TRAIN none|sgd|adam] [LEARNING_RATE <x>] [MUTABLE_WEIGHTS])
#
# Runs ctnn-gen at build time (again whenever the model file or ctnn-gen changes) to write
# ${CMAKE_CURRENT_BINARY_DIR}/<target>/<OUTPUT>, and creates the INTERFACE library <target>: linking it puts that
# folder on the include path and builds the header first. A relative MODEL is relative to the current source
# directory. Defaults: OUTPUT <target>.hpp (<target>.h for c99), NAME <target>; every other option is ctnn-gen's
# default. TARGET simd also links xsimd. The custom target <target>_ctnn_gen runs ctnn-gen: when the model file is
# itself made by the build, add_dependencies(<target>_ctnn_gen <the target that makes it>). Works in ctnn's own
# build and after find_package(ctnn) (both through ctnn::ctnn-gen).

function(ctnn_generate_header target)
  set(flags MUTABLE_WEIGHTS STATIC_BUFFERS)
  set(values MODEL OUTPUT NAME LANGUAGE TARGET UNROLL UNROLL_THRESHOLD SIMD_WIDTH MATH TRAIN LEARNING_RATE)
  cmake_parse_arguments(PARSE_ARGV 1 arg "${flags}" "${values}" "")
  set(where "ctnn_generate_header(${target})")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "${where}: unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(arg_KEYWORDS_MISSING_VALUES)
    message(FATAL_ERROR "${where}: no value after ${arg_KEYWORDS_MISSING_VALUES}")
  endif()
  if(NOT arg_MODEL)
    message(FATAL_ERROR "${where}: MODEL <file.ctnn.json> is required")
  endif()
  if(NOT TARGET ctnn::ctnn-gen)
    message(FATAL_ERROR "${where}: ctnn::ctnn-gen is not available (ctnn was built with CTNN_BUILD_GENERATOR=OFF)")
  endif()

  # Values checked here fail at configure time; ctnn-gen checks the rest (the name, combinations) at build time.
  foreach(check "LANGUAGE;c++17;c99" "TARGET;scalar;simd" "UNROLL;full;auto;loops;dot" "MATH;libm;fast" "TRAIN;none;sgd;adam"
                "SIMD_WIDTH;4;8;16")
    list(POP_FRONT check keyword)
    if(DEFINED arg_${keyword} AND NOT arg_${keyword} IN_LIST check)
      string(JOIN ", " allowed ${check})
      message(FATAL_ERROR "${where}: ${keyword} must be one of ${allowed}, not \"${arg_${keyword}}\"")
    endif()
  endforeach()

  if(NOT DEFINED arg_NAME)
    if(NOT target MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
      message(FATAL_ERROR "${where}: the target name is not an identifier; give NAME <namespace or prefix>")
    endif()
    set(arg_NAME "${target}")
  endif()
  if(NOT DEFINED arg_OUTPUT)
    if(arg_LANGUAGE STREQUAL "c99")
      set(arg_OUTPUT "${target}.h")
    else()
      set(arg_OUTPUT "${target}.hpp")
    endif()
  endif()
  if(IS_ABSOLUTE "${arg_OUTPUT}" OR arg_OUTPUT MATCHES "(^|/)\\.\\.(/|$)")
    message(FATAL_ERROR "${where}: OUTPUT must be a relative path inside the target's folder, not \"${arg_OUTPUT}\"")
  endif()

  cmake_path(ABSOLUTE_PATH arg_MODEL BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}" NORMALIZE OUTPUT_VARIABLE model)
  set(include_dir "${CMAKE_CURRENT_BINARY_DIR}/${target}")
  set(header "${include_dir}/${arg_OUTPUT}")
  cmake_path(GET header PARENT_PATH header_dir)
  file(MAKE_DIRECTORY "${header_dir}")  # ctnn-gen creates the file, not its folder

  set(args --name "${arg_NAME}")
  foreach(pair "LANGUAGE;--lang" "TARGET;--target" "UNROLL;--unroll" "UNROLL_THRESHOLD;--unroll-threshold"
               "SIMD_WIDTH;--simd-width" "MATH;--math" "TRAIN;--train" "LEARNING_RATE;--lr")
    list(GET pair 0 keyword)
    list(GET pair 1 option)
    if(DEFINED arg_${keyword})
      list(APPEND args ${option} "${arg_${keyword}}")
    endif()
  endforeach()
  if(arg_MUTABLE_WEIGHTS)
    list(APPEND args --mutable-weights)
  endif()
  if(arg_STATIC_BUFFERS)
    list(APPEND args --static-buffers)
  endif()

  cmake_path(GET model FILENAME model_name)
  cmake_path(RELATIVE_PATH header BASE_DIRECTORY "${CMAKE_BINARY_DIR}" OUTPUT_VARIABLE header_shown)
  add_custom_command(
    OUTPUT "${header}"
    COMMAND ctnn::ctnn-gen "${model}" -o "${header}" ${args}
    DEPENDS "${model}" ctnn::ctnn-gen
    COMMENT "ctnn-gen: ${model_name} -> ${header_shown}"
    VERBATIM)
  add_custom_target(${target}_ctnn_gen DEPENDS "${header}")

  add_library(${target} INTERFACE)
  target_include_directories(${target} INTERFACE "$<BUILD_INTERFACE:${include_dir}>")
  # Dependencies of an INTERFACE library are followed by everything that links it: the header exists before they
  # compile.
  add_dependencies(${target} ${target}_ctnn_gen)
  if(NOT arg_LANGUAGE STREQUAL "c99")
    target_compile_features(${target} INTERFACE cxx_std_17)
  endif()
  if(arg_TARGET STREQUAL "simd")
    if(NOT TARGET xsimd)
      find_package(xsimd 8 REQUIRED)
    endif()
    target_link_libraries(${target} INTERFACE xsimd)
  endif()
endfunction()
