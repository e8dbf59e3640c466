# Cross build for armhf (arm-linux-gnueabihf) against a Debian bookworm sysroot (cross/make-sysroot.sh armhf):
#   cmake -S . -B build-armhf --toolchain cross/arm-linux-gnueabihf.cmake
# EF_SYSROOT (default: cross/sysroot-armhf) names the sysroot. ctest runs the tests under
# qemu-arm (qemu-user) through CMAKE_CROSSCOMPILING_EMULATOR.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR armv7l)
set(EF_TRIPLE arm-linux-gnueabihf)
if(NOT EF_SYSROOT)
  set(EF_SYSROOT "${CMAKE_CURRENT_LIST_DIR}/sysroot-armhf")
endif()
include("${CMAKE_CURRENT_LIST_DIR}/common.cmake")
