# Shared by tests/gen_diff and tests/gen_train. gen_read_nets(<prefix>): the nets of nets.def. Sets <prefix>_nets (the
# names, in order) and <prefix>_type_<name> (float or double) in the caller's scope; reconfigures when nets.def
# changes.
# gen_read_nets(<prefix> <file>...) reads the given .def files of the same directory too (gen_diff:
# nets_inference.def).
function(gen_read_nets prefix)
  set(net_lines)
  foreach(name IN ITEMS nets.def ${ARGN})
    set(def "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/${name}")
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${def}")
    file(STRINGS "${def}" lines REGEX "^GEN_DIFF_NET\\(")
    list(APPEND net_lines ${lines})
  endforeach()
  set(nets)
  foreach(line IN LISTS net_lines)
    if(NOT line MATCHES "^GEN_DIFF_NET\\(([A-Za-z0-9_]+), (float|double),")
      message(FATAL_ERROR "tests/gen_diff/nets.def: cannot read the net's name and type from: ${line}")
    endif()
    list(APPEND nets ${CMAKE_MATCH_1})
    set(${prefix}_type_${CMAKE_MATCH_1} ${CMAKE_MATCH_2} PARENT_SCOPE)
  endforeach()
  set(${prefix}_nets ${nets} PARENT_SCOPE)
endfunction()

# The other compilers the generated headers must satisfy: clang++ and clang when the build uses GCC, g++ and gcc
# when it uses clang. Cache variables GEN_OTHER_CXX and GEN_OTHER_C (empty when not installed).
set(gen_other_cxx clang++)
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  set(gen_other_cxx g++)
endif()
set(gen_other_c clang)
if(CMAKE_C_COMPILER_ID STREQUAL "Clang")
  set(gen_other_c gcc)
endif()
find_program(GEN_OTHER_CXX NAMES ${gen_other_cxx} DOC "The second C++ compiler the generated headers must satisfy")
find_program(GEN_OTHER_C NAMES ${gen_other_c} DOC "The second C compiler the generated headers must satisfy")
