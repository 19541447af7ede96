#!/bin/sh
# Builds newlib from Debian's newlib-source tarball for the Hermit target with the host gcc.
# Usage: build-newlib.sh BUILD_DIR INSTALL_PREFIX
# Result: INSTALL_PREFIX/x86_64-elf/{lib/libc.a,lib/libm.a,include/}
set -eu
mkdir -p "$1" && build=$(cd "$1" && pwd)
prefix=$2
tarball=$(ls /usr/src/newlib/newlib-*.tar.* 2>/dev/null | head -n 1)
[ -n "$tarball" ] || { echo "newlib-source is not installed (apt-get install newlib-source)" >&2; exit 1; }
rm -rf "$build" && mkdir -p "$build"
tar -C "$build" -xf "$tarball"
src=$(ls -d "$build"/newlib-*/)
# Linux's widths for dev_t, ino_t, uid_t and gid_t (see the header).
cp "$(dirname "$0")/newlib-machine-types.h" "$src/newlib/libc/include/machine/_types.h"
# Everything runs in ring 0 beside interrupt handlers: no red zone. Frame pointers keep the
# kernel's backtraces and gdb's unwinding cheap and reliable. __DYNAMIC_REENT__ gives each task
# its own errno and stdio state through __getreent().
# HAVE_MKDIR: mkdtemp() makes its directory with mkdir() (libc/paths.c) instead of failing with ENOSYS.
cflags="-O2 -g -mno-red-zone -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -fno-stack-protector -fno-pie -ffreestanding -D__DYNAMIC_REENT__ -DHAVE_MKDIR"
mkdir -p "$build/obj"
cd "$build/obj"
"$src/configure" --target=x86_64-elf --prefix="$prefix" \
    --disable-multilib --disable-newlib-supplied-syscalls \
    --enable-newlib-retargetable-locking --enable-newlib-io-long-long \
    --enable-newlib-io-c99-formats --enable-newlib-global-stdio-streams \
    --disable-nls \
    CC_FOR_TARGET=gcc AR_FOR_TARGET=ar AS_FOR_TARGET=as RANLIB_FOR_TARGET=ranlib \
    LD_FOR_TARGET=ld NM_FOR_TARGET=nm OBJDUMP_FOR_TARGET=objdump \
    CFLAGS_FOR_TARGET="$cflags" >configure.log 2>&1 || { tail -20 configure.log; exit 1; }
make -j"$(nproc)" all-target-newlib >make.log 2>&1 || { tail -40 make.log; exit 1; }
make install-target-newlib >install.log 2>&1 || { tail -20 install.log; exit 1; }
