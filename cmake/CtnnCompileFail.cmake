# Compile-fail tests: each tests/compile_fail/<name>.cpp must be rejected by the compiler with the message
# named in its first line (`// expect: <text>`), in as few errors as possible. ctest runs, per snippet,
# tests/compile_fail/run.cmake, which calls the C++ compiler with -fsyntax-only and the flags of ctnn's own
# targets, written at generate time into a small CMake file that the script includes.

# Writes <dir>/compile_flags-<config>.cmake and returns its path (with a $<CONFIG> genex) in out_var.
function(_ctnn_compile_fail_flags_file out_var)
  set(file "${CMAKE_CURRENT_BINARY_DIR}/compile_fail/compile_flags-$<CONFIG>.cmake")
  # Usage requirements of ctnn (transitively, over its dependencies) and the project's own warning flags.
  set(includes "$<TARGET_PROPERTY:ctnn,INTERFACE_INCLUDE_DIRECTORIES>")
  set(defines "$<TARGET_PROPERTY:ctnn,INTERFACE_COMPILE_DEFINITIONS>")
  set(options "$<TARGET_PROPERTY:ctnn,INTERFACE_COMPILE_OPTIONS>;"
              "$<TARGET_PROPERTY:ctnn_project_options,INTERFACE_COMPILE_OPTIONS>")
  string(JOIN "" options ${options})
  file(GENERATE OUTPUT "${file}" CONTENT
"set(CTNN_CF_CXX [==[${CMAKE_CXX_COMPILER}]==])
set(CTNN_CF_CXX_FLAGS [==[${CMAKE_CXX_FLAGS}]==])
set(CTNN_CF_INCLUDES [==[${includes}]==])
set(CTNN_CF_IMPLICIT_INCLUDES [==[${CMAKE_CXX_IMPLICIT_INCLUDE_DIRECTORIES}]==])
set(CTNN_CF_DEFINES [==[${defines}]==])
set(CTNN_CF_OPTIONS [==[${options}]==])
")
  set(${out_var} "${file}" PARENT_SCOPE)
endfunction()

# One ctest test per snippet in <dir> (named compile_fail.<stem>), and compile_fail.control for
# <dir>/control/compiles.cpp, which must compile: it proves that the harness's flags work.
function(ctnn_add_compile_fail_tests dir)
  _ctnn_compile_fail_flags_file(flags_file)
  set(script "${dir}/run.cmake")
  file(GLOB snippets CONFIGURE_DEPENDS "${dir}/*.cpp")
  foreach(snippet IN LISTS snippets)
    get_filename_component(stem "${snippet}" NAME_WE)
    add_test(NAME compile_fail.${stem}
             COMMAND ${CMAKE_COMMAND} -DFLAGS_FILE=${flags_file} -DSOURCE=${snippet} -DMODE=fail -P ${script})
  endforeach()
  add_test(NAME compile_fail.control
           COMMAND ${CMAKE_COMMAND} -DFLAGS_FILE=${flags_file} -DSOURCE=${dir}/control/compiles.cpp
                   -DMODE=compile -P ${script})
endfunction()
