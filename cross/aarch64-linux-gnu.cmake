# Cross build for arm64 (aarch64-linux-gnu) against a Debian bookworm sysroot (cross/make-sysroot.sh arm64):
#   cmake -S . -B build-arm64 --toolchain cross/aarch64-linux-gnu.cmake
# EF_SYSROOT (default: cross/sysroot-arm64) names the sysroot. ctest runs the tests under
# qemu-aarch64 (qemu-user) through CMAKE_CROSSCOMPILING_EMULATOR.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(EF_TRIPLE aarch64-linux-gnu)
if(NOT EF_SYSROOT)
  set(EF_SYSROOT "${CMAKE_CURRENT_LIST_DIR}/sysroot-arm64")
endif()
include("${CMAKE_CURRENT_LIST_DIR}/common.cmake")
