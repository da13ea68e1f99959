# The packages ctnn::ctnn needs, found the same way by ctnn's own build and by find_package(ctnn).
include(CMakeFindDependencyMacro)
find_dependency(Boost 1.74)
find_dependency(xsimd 8)
find_dependency(nlohmann_json 3)
find_dependency(Threads)  # ctnn::train
find_dependency(ZLIB)     # ctnn::train
# Debian's xsimd 8.1 links a target "xtl" that its package neither ships nor requires; xsimd compiles without it.
if(NOT TARGET xtl)
  find_package(xtl QUIET)
  if(NOT TARGET xtl)
    add_library(xtl INTERFACE IMPORTED)
  endif()
endif()
