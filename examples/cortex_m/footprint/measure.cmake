# cmake -DQEMU= -DMACHINE="-M ... -cpu ..." -DELF= -DOBJECT= -DHEADER= -DNM= -DSIZE= -DLABEL= [-DMAX_INSTRUCTIONS=]
#       [-DMAX_CODE=] [-DCHECK_ESTIMATE=ON] -P measure.cmake
# One row of the footprint table for a firmware of footprint/: the generated code's object file (size -A: code,
# weights, static RAM; its .su file: the stack frame) next to ctnn-gen's estimate (the header's comment block), and
# the instructions executed from footprint_marker_begin to footprint_marker_end under qemu (-singlestep -d exec: one
# trace line per instruction). Fails on a missed bar: weights or buffers more than 10% off the estimate, RAM beyond
# the buffers (CHECK_ESTIMATE), or more instructions / code bytes than MAX_INSTRUCTIONS / MAX_CODE.
cmake_minimum_required(VERSION 3.25)
set(failures "")

# Addresses of the markers (Thumb functions: nm prints them without the mode bit, as qemu's trace does).
execute_process(COMMAND ${NM} ${ELF} OUTPUT_VARIABLE symbols COMMAND_ERROR_IS_FATAL ANY)
foreach(marker begin end)
  if(NOT symbols MATCHES "([0-9a-f]+) T footprint_marker_${marker}\n")
    message(FATAL_ERROR "${ELF}: no symbol footprint_marker_${marker}")
  endif()
  set(${marker}_address ${CMAKE_MATCH_1})
endforeach()

set(trace ${ELF}.trace)
file(REMOVE ${trace})
separate_arguments(machine UNIX_COMMAND "${MACHINE}")
execute_process(
  COMMAND ${QEMU} ${machine} -nographic -monitor none -serial none -chardev stdio,id=sh0
          -semihosting-config enable=on,target=native,chardev=sh0 -singlestep -d exec,nochain -D ${trace}
          -kernel ${ELF}
  RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE output TIMEOUT 100)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${ELF} exited with ${status} under qemu:\n${output}")
endif()
file(READ ${trace} text)
string(FIND "${text}" "/${begin_address}/" from)
string(FIND "${text}" "/${end_address}/" to)
if(from LESS 0 OR to LESS from)
  message(FATAL_ERROR "${trace}: the markers were not executed in order")
endif()
math(EXPR length "${to} - ${from}")
string(SUBSTRING "${text}" ${from} ${length} window)
string(REGEX MATCHALL "\nTrace " lines "${window}")
list(LENGTH lines instructions)  # from the begin marker's first instruction up to the end marker's (excluded)

# Sections of the generated code's object (-ffunction-sections -fdata-sections: one per function and array).
execute_process(COMMAND ${SIZE} -A ${OBJECT} OUTPUT_VARIABLE sections COMMAND_ERROR_IS_FATAL ANY)
string(REPLACE "\n" ";" sections "${sections}")
set(code 0)
set(weights 0)
set(ram 0)
foreach(line IN LISTS sections)
  if(NOT line MATCHES "^(\\.[A-Za-z0-9_.]+) +([0-9]+) +[0-9]+")
    continue()
  endif()
  set(section ${CMAKE_MATCH_1})
  set(bytes ${CMAKE_MATCH_2})
  if(section MATCHES "footprint_(input|output)_size")  # net.c's own two ints, not the network's
    continue()
  elseif(section MATCHES "^\\.text")
    math(EXPR code "${code} + ${bytes}")
  elseif(section MATCHES "^\\.rodata")
    math(EXPR weights "${weights} + ${bytes}")
  elseif(section MATCHES "^\\.(bss|data)")
    math(EXPR ram "${ram} + ${bytes}")
  endif()
endforeach()

# The stack frame of footprint_forward (which has the generated forward inlined), from -fstack-usage.
set(frame "?")
string(REGEX REPLACE "\\.[^./]+$" ".su" su ${OBJECT})  # GCC writes net.c.su beside net.c.obj
if(EXISTS ${su})
  file(READ ${su} su_text)
  if(su_text MATCHES "footprint_forward\t([0-9]+)\t")
    set(frame ${CMAKE_MATCH_1})
  endif()
endif()

# ctnn-gen's estimate: "// Flash: 1732 B weights + ~4632 B code (estimate); RAM: 128 B activation buffers (...)".
file(READ ${HEADER} header)
if(NOT header MATCHES "Flash: ([0-9]+) B weights \\+ ~([0-9]+) B code \\(estimate\\); RAM: ([0-9]+) B")
  message(FATAL_ERROR "${HEADER}: no size estimate in the comment block")
endif()
set(weights_estimate ${CMAKE_MATCH_1})
set(code_estimate ${CMAKE_MATCH_2})
set(ram_estimate ${CMAKE_MATCH_3})

function(within_10_percent what measured estimate)
  math(EXPR diff "${measured} - ${estimate}")
  if(diff LESS 0)
    math(EXPR diff "-${diff}")
  endif()
  math(EXPR diff10 "${diff} * 10")
  if(diff10 GREATER estimate)
    set(failures "${failures}\n  ${what}: ${measured} B measured, ${estimate} B estimated (more than 10% apart)"
        PARENT_SCOPE)
  endif()
endfunction()
# With the default options the compiler folds the const weights of spelled-out layers into the code's literal
# pools (no arrays left): the estimate is checked on the microcontroller options only (CHECK_ESTIMATE).
if(CHECK_ESTIMATE)
  within_10_percent(weights ${weights} ${weights_estimate})
  within_10_percent("RAM (static buffers)" ${ram} ${ram_estimate})
endif()
if(DEFINED MAX_INSTRUCTIONS AND instructions GREATER MAX_INSTRUCTIONS)
  string(APPEND failures "\n  ${instructions} instructions per inference, more than ${MAX_INSTRUCTIONS}")
endif()
if(DEFINED MAX_CODE AND code GREATER MAX_CODE)
  string(APPEND failures "\n  ${code} B of code beyond the weights, more than ${MAX_CODE}")
endif()

message("| ${LABEL} | ${weights} (${weights_estimate}) | ${code} (~${code_estimate}) | ${ram} (${ram_estimate}) | "
        "${frame} | ${instructions} |")
string(STRIP "${output}" output)
message("firmware: ${output}")
if(failures)
  message(FATAL_ERROR "${LABEL}: bars missed:${failures}")
endif()
