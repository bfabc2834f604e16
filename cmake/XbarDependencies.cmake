# Every dependency comes from Debian packages (tools/bootstrap.sh installs them).
# Facts and pitfalls: docs/building.md.
find_package(PkgConfig REQUIRED)
pkg_check_modules(SystemC REQUIRED IMPORTED_TARGET systemc>=2.3.4)
# Debian's SystemC was built as C++17 and exports only the cxx201703L API symbol.
target_compile_definitions(PkgConfig::SystemC INTERFACE SC_CPLUSPLUS=201703L)

find_package(Boost 1.74 REQUIRED CONFIG COMPONENTS headers)
find_package(yaml-cpp 0.7 REQUIRED CONFIG)
find_package(Protobuf REQUIRED)
find_package(ONNX 1.12 REQUIRED CONFIG)
find_package(GTest REQUIRED CONFIG)
find_package(CLI11 REQUIRED CONFIG)
find_package(nlohmann_json REQUIRED CONFIG)
find_package(fmt REQUIRED CONFIG)
find_package(spdlog REQUIRED CONFIG)
# Distributed sweeps (OpenMPI); only the C API is used.
find_package(MPI REQUIRED COMPONENTS C)
# mpi.h included from C++ pulls OpenMPI's deprecated C++ bindings unless told not to.
target_compile_definitions(MPI::MPI_C INTERFACE OMPI_SKIP_MPICXX=1 MPICH_SKIP_MPICXX=1)

# LLVM ADT: take only the definitions and include dirs; llvm-config --cxxflags would
# force -std=c++14 -fno-exceptions.
find_package(LLVM 14 REQUIRED CONFIG)
separate_arguments(XBAR_LLVM_DEFINITIONS NATIVE_COMMAND "${LLVM_DEFINITIONS}")
add_library(xbar_llvm_adt INTERFACE)
target_include_directories(xbar_llvm_adt SYSTEM INTERFACE ${LLVM_INCLUDE_DIRS})
target_compile_definitions(xbar_llvm_adt INTERFACE ${XBAR_LLVM_DEFINITIONS})
target_link_libraries(xbar_llvm_adt INTERFACE LLVM)
