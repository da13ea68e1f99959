# cmake -DGENERATOR=ctnn-gen -DMODELS=<dir> -DNET=<net> -DFLAGS=<a,b,...> -DEXPECTED=<header> -DOUT_DIR=<dir>
#       -P rerun.cmake
# Runs ctnn-gen on NET's model twice more and requires both outputs to equal, byte for byte, the header the
# build generated (EXPECTED): the generator's output does not depend on when or how often it runs.
string(REPLACE "," ";" flags "${FLAGS}")
file(MAKE_DIRECTORY "${OUT_DIR}")
get_filename_component(ext "${EXPECTED}" LAST_EXT)
foreach(run 1 2)
  set(out "${OUT_DIR}/${NET}${ext}.${run}")
  file(REMOVE "${out}")
  execute_process(COMMAND "${GENERATOR}" ${NET}.ctnn.json -o "${out}" ${flags} --quiet
                  WORKING_DIRECTORY "${MODELS}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "ctnn-gen failed (${rc}) on ${NET}.ctnn.json ${flags}")
  endif()
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files "${EXPECTED}" "${out}" RESULT_VARIABLE differ)
  if(differ)
    message(FATAL_ERROR "run ${run}: ${out} differs from the build's ${EXPECTED}")
  endif()
endforeach()
message("${NET} ${flags}: two more runs, identical bytes")
