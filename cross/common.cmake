# What both toolchain files share: compilers for EF_TRIPLE, the sysroot EF_SYSROOT, find rules
# that look for libraries and headers only in the sysroot, pkg-config inside it, and qemu-user
# to run the tests. Included by aarch64-linux-gnu.cmake and arm-linux-gnueabihf.cmake.
# try_compile projects re-read the toolchain file: hand them the sysroot too.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES EF_SYSROOT)
set(CMAKE_C_COMPILER ${EF_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${EF_TRIPLE}-g++)
set(CMAKE_SYSROOT "${EF_SYSROOT}")
set(CMAKE_FIND_ROOT_PATH "${EF_SYSROOT}")
set(CMAKE_LIBRARY_ARCHITECTURE ${EF_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(ENV{PKG_CONFIG_LIBDIR}
    "${EF_SYSROOT}/usr/lib/${EF_TRIPLE}/pkgconfig:${EF_SYSROOT}/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "${EF_SYSROOT}")
if(CMAKE_SYSTEM_PROCESSOR STREQUAL "aarch64")
  set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L "${EF_SYSROOT}")
else()
  set(CMAKE_CROSSCOMPILING_EMULATOR qemu-arm -L "${EF_SYSROOT}")
  # GCC's note that the ABI of passing some structs changed in GCC 7.1 (harmless here).
  add_compile_options(-Wno-psabi)
endif()
