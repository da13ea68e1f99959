# gen_read_nets(<prefix>): the nets of nets.def, for tests/gen_diff and tests/gen_train. Sets <prefix>_nets (the
# names, in order) and <prefix>_type_<name> (float or double) in the caller's scope; reconfigures when nets.def
# changes.
function(gen_read_nets prefix)
  set(def "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/nets.def")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${def}")
  file(STRINGS "${def}" net_lines REGEX "^GEN_DIFF_NET\\(")
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
