# cmake/aarch64-linux-gnu.cmake: cross-compile for arm64 (Jetson, aarch64
# Linux) with Debian's cross toolchain and multiarch libraries.
#
#   apt-get install crossbuild-essential-arm64 qemu-user
#   dpkg --add-architecture arm64 && apt-get update
#   apt-get install libopenblas-dev:arm64 libzmq3-dev:arm64 libyaml-dev:arm64
#   cmake -S . -B build-arm64 -DHWNAS_AGENT_ONLY=ON \
#         -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake
#
# Libraries and headers come from the arm64 multiarch directories
# (/usr/lib/aarch64-linux-gnu, /usr/include/aarch64-linux-gnu) only; programs
# (cmake helpers, pkg-config) from the build host. Binaries run here under
# qemu-aarch64 (CMAKE_CROSSCOMPILING_EMULATOR).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

# With the multiarch libc6:arm64 installed (as the arm64 -dev packages pull
# in), /lib/ld-linux-aarch64.so.1 is its loader and qemu needs no -L: mixing
# the cross package's loader (-L /usr/aarch64-linux-gnu) with the multiarch
# libc.so.6 hangs in thread creation when their versions differ.
find_program(HWNAS_QEMU_AARCH64 qemu-aarch64)
if(HWNAS_QEMU_AARCH64 AND EXISTS /lib/ld-linux-aarch64.so.1)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${HWNAS_QEMU_AARCH64})
elseif(HWNAS_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${HWNAS_QEMU_AARCH64} -L /usr/aarch64-linux-gnu)
endif()

# Multiarch: the target's libraries live beside the host's under /usr, so the
# root is / and the architecture subdirectories pick arm64.
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu /)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(CMAKE_IGNORE_PATH /usr/lib/x86_64-linux-gnu /usr/include/x86_64-linux-gnu)

# pkg-config must read the arm64 .pc files, never the host's.
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
