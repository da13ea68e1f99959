# cmake -DGEN=<ctnn-gen> -DWORK=<scratch dir> -DEXPECT=<text> -P run_info.cmake -- --help|--version
#
# ctnn-gen must exit with status 0, print EXPECT (among other text) on stdout and nothing on stderr, and write no
# file.
include("${CMAKE_CURRENT_LIST_DIR}/common.cmake")

gen_fresh_work()
gen_run()
if(NOT gen_status EQUAL 0 OR NOT gen_err STREQUAL "")
  gen_fail("expected exit status 0 and nothing on stderr")
endif()
string(FIND "${gen_out}" "${EXPECT}" at)
if(at EQUAL -1)
  gen_fail("stdout does not contain ${EXPECT}")
endif()
gen_work_contents(left)
if(left)
  gen_fail("files written: ${left}")
endif()
file(REMOVE_RECURSE "${WORK}")
