# CMake toolchain file for bare-metal Arm (Cortex-M) with the GNU Arm Embedded toolchain (Debian 12:
# gcc-arm-none-eabi 12.2, libnewlib-arm-none-eabi, libstdc++-arm-none-eabi-newlib).
#   cmake -S examples/cortex_m/firmware -B build-fw -DCMAKE_TOOLCHAIN_FILE=cmake/arm-none-eabi.cmake
# No CPU flags here: each firmware target sets its own -mcpu / -mfpu / -mfloat-abi (examples/cortex_m/firmware),
# so one build tree holds programs for several cores. CTNN_ARM_TOOLCHAIN_PREFIX overrides the tools' prefix
# (e.g. /opt/arm-gnu/bin/arm-none-eabi-).
set(CMAKE_SYSTEM_NAME Generic)  # no operating system
set(CMAKE_SYSTEM_PROCESSOR arm)

if(NOT CTNN_ARM_TOOLCHAIN_PREFIX)
  set(CTNN_ARM_TOOLCHAIN_PREFIX arm-none-eabi-)
endif()
set(CMAKE_C_COMPILER ${CTNN_ARM_TOOLCHAIN_PREFIX}gcc)
set(CMAKE_CXX_COMPILER ${CTNN_ARM_TOOLCHAIN_PREFIX}g++)
set(CMAKE_ASM_COMPILER ${CTNN_ARM_TOOLCHAIN_PREFIX}gcc)
# try_compile must not link: a bare-metal program needs a linker script and startup code.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
# Try-compiles and ExternalProject builds see the prefix too.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES CTNN_ARM_TOOLCHAIN_PREFIX)

# Programs (the host's) from the host; libraries, headers and packages only for the target.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
