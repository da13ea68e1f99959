# Building firmware for several Cortex-M cores in one build tree, and their tests.
#
# ctnn_firmware(<name> CORES <core>... SOURCES <file>... [NET_SOURCES <file>...] [HEADERS <header target>...]
#               [NO_TEST])
#   One executable <name>_<core>.elf per core, with the core's flags (ctnn_firmware_flags_<core>), the kit
#   (../kit: start-up code, semihosting, printing), the linker script and a map file (<name>_<core>.map).
#   NET_SOURCES are the translation units that include generated headers: they are compiled as an object library
#   <name>_<core>_net, whose objects the test cortex_m_<name>_no_double_<core> checks for double-precision
#   helpers (__aeabi_d*). HEADERS (ctnn_generate_header targets) are linked to SOURCES and NET_SOURCES.
#   Unless NO_TEST, the test cortex_m_<name>_<core> runs the .elf under qemu and passes when it exits with 0.
# Headers: the project's ctnn_generate_header() (cmake/ctnnGenerateHeader.cmake), included here with an imported
#   ctnn::ctnn-gen that is the host build's ctnn-gen (${CTNN_GEN}).
# ctnn_firmware_write_tests(): call once at the end; writes cortex_m_tests.cmake (included by the host's ctest).
#
# Cores: m3 (Cortex-M3, no FPU: soft-float), m4f (Cortex-M4 with single-precision FPU), m7 (Cortex-M7 with its
# single-precision FPU configuration), each with the qemu machine that emulates it.

set(CTNN_KIT_DIR ${CMAKE_CURRENT_LIST_DIR}/../kit)
add_executable(ctnn::ctnn-gen IMPORTED)
set_target_properties(ctnn::ctnn-gen PROPERTIES IMPORTED_LOCATION ${CTNN_GEN})
include(${CMAKE_CURRENT_LIST_DIR}/../../../cmake/ctnnGenerateHeader.cmake)
set(CTNN_FIRMWARE_TEST_TIMEOUT 60 CACHE STRING "ctest TIMEOUT (seconds) of each firmware run")

set(ctnn_core_m3_flags -mcpu=cortex-m3 -mthumb -mfloat-abi=soft)
set(ctnn_core_m3_qemu -M mps2-an385 -cpu cortex-m3)
set(ctnn_core_m4f_flags -mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard)
set(ctnn_core_m4f_qemu -M mps2-an386 -cpu cortex-m4)
# fpv5-sp-d16, not fpv5-d16: a double-precision FPU would hide double arithmetic from the __aeabi_d check.
set(ctnn_core_m7_flags -mcpu=cortex-m7 -mthumb -mfpu=fpv5-sp-d16 -mfloat-abi=hard)
set(ctnn_core_m7_qemu -M mps2-an500 -cpu cortex-m7)
set(CTNN_FIRMWARE_CORES m3 m4f m7)

# Per core: an INTERFACE library with the compile and link flags, and the kit as an object library.
foreach(core IN LISTS CTNN_FIRMWARE_CORES)
  set(flags ctnn_firmware_flags_${core})
  add_library(${flags} INTERFACE)
  target_compile_options(${flags} INTERFACE
    ${ctnn_core_${core}_flags}
    -Wall -Wextra -Wpedantic -Werror -Wdouble-promotion
    -ffunction-sections -fdata-sections  # with --gc-sections: unused functions and data are dropped
    -fstack-usage                        # <object>.su: each function's stack frame
    $<$<COMPILE_LANGUAGE:CXX>:-fno-exceptions -fno-rtti -fno-threadsafe-statics -fno-use-cxa-atexit>)
  target_compile_features(${flags} INTERFACE c_std_99 cxx_std_17)
  target_include_directories(${flags} INTERFACE ${CTNN_KIT_DIR})
  # -nostartfiles: the kit's start-up code instead of crt0; newlib-nano; no nosys.specs, so there is no _sbrk and
  # nothing that allocates can link.
  target_link_options(${flags} INTERFACE
    ${ctnn_core_${core}_flags} -nostartfiles --specs=nano.specs -T${CTNN_KIT_DIR}/link.ld -Wl,--gc-sections)
  target_link_libraries(${flags} INTERFACE m)  # tanhf, expf ... (g++ adds it by itself, gcc does not)

  add_library(ctnn_kit_${core} OBJECT ${CTNN_KIT_DIR}/startup.c ${CTNN_KIT_DIR}/semihosting.c
                                      ${CTNN_KIT_DIR}/print.c)
  target_link_libraries(ctnn_kit_${core} PUBLIC ${flags})
endforeach()
set_property(GLOBAL PROPERTY CTNN_FIRMWARE_TESTS "")

function(ctnn_firmware name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "NO_TEST" "" "CORES;SOURCES;NET_SOURCES;HEADERS")
  if(NOT arg_CORES OR NOT arg_SOURCES OR arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "ctnn_firmware(${name}): needs CORES and SOURCES (${arg_UNPARSED_ARGUMENTS})")
  endif()
  foreach(core IN LISTS arg_CORES)
    if(NOT core IN_LIST CTNN_FIRMWARE_CORES)
      message(FATAL_ERROR "ctnn_firmware(${name}): unknown core ${core} (known: ${CTNN_FIRMWARE_CORES})")
    endif()
    set(target ${name}_${core})
    set(objects $<TARGET_OBJECTS:ctnn_kit_${core}>)
    if(arg_NET_SOURCES)
      add_library(${target}_net OBJECT ${arg_NET_SOURCES})
      target_link_libraries(${target}_net PRIVATE ctnn_firmware_flags_${core} ${arg_HEADERS})
      list(APPEND objects $<TARGET_OBJECTS:${target}_net>)
      # Runs at ctest time: the object files' undefined symbols must include no __aeabi_d* helper.
      string(CONCAT test
        "add_test(cortex_m_${name}_no_double_${core} \"${CMAKE_COMMAND}\" \"-DNM=${CMAKE_NM}\" "
        "\"-DOBJECTS=$<TARGET_OBJECTS:${target}_net>\" -P \"${CMAKE_CURRENT_FUNCTION_LIST_DIR}/check_no_double.cmake\")\n")
      set_property(GLOBAL APPEND_STRING PROPERTY CTNN_FIRMWARE_TESTS "${test}")
    endif()
    add_executable(${target} ${arg_SOURCES} ${objects})
    target_link_libraries(${target} PRIVATE ctnn_firmware_flags_${core} ${arg_HEADERS})
    target_link_options(${target} PRIVATE -Wl,-Map=$<TARGET_FILE_DIR:${target}>/${target}.map)
    set_target_properties(${target} PROPERTIES SUFFIX .elf LINK_DEPENDS ${CTNN_KIT_DIR}/link.ld)
    if(NOT arg_NO_TEST)
      string(REPLACE ";" " " qemu "${ctnn_core_${core}_qemu}")
      string(CONCAT test
        "add_test(cortex_m_${name}_${core} \"${CTNN_QEMU}\" ${qemu} -nographic -monitor none -serial none "
        "-chardev stdio,id=sh0 -semihosting-config enable=on,target=native,chardev=sh0 "
        "-kernel \"$<TARGET_FILE:${target}>\")\n"
        "set_tests_properties(cortex_m_${name}_${core} PROPERTIES TIMEOUT ${CTNN_FIRMWARE_TEST_TIMEOUT})\n")
      set_property(GLOBAL APPEND_STRING PROPERTY CTNN_FIRMWARE_TESTS "${test}")
    endif()
  endforeach()
endfunction()

function(ctnn_firmware_write_tests)
  get_property(tests GLOBAL PROPERTY CTNN_FIRMWARE_TESTS)
  file(GENERATE OUTPUT ${CMAKE_BINARY_DIR}/cortex_m_tests.cmake
       CONTENT "# Written by examples/cortex_m/firmware (ctnn_firmware.cmake); included by the host build's ctest.\n${tests}")
endfunction()
