# Warnings as errors on project code only; dependencies are included as SYSTEM.
add_library(xbar_warnings INTERFACE)
# Designated initializers leave defaulted members out on purpose.
target_compile_options(xbar_warnings INTERFACE -Wall -Wextra -Wpedantic -Werror
                                               -Wno-missing-field-initializers)

if(XBAR_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "XBAR_FUZZ needs clang (libFuzzer): configure with CXX=clang++-14")
  endif()
  # Coverage for the fuzzer in every library; ASan and UBSan catch what it provokes.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

if(XBAR_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# xbar_add_library(NAME SOURCES... DEPS ...): one library per pipeline stage.
function(xbar_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/compiler/include)
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE xbar_warnings)
endfunction()
