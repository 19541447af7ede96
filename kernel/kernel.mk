# kernel/kernel.mk: newlib, the kernel library (crt0.o + libhermit.a), the staged headers, the
# toolchain wrapper and the apps. Included by the top GNUmakefile.

NEWLIB_DIR := $(BUILD)/newlib
NEWLIB_STAMP := $(NEWLIB_DIR)/.installed
HERMIT_CC := $(BUILD)/bin/x86_64-hermit-gcc
GCC_INCLUDE := $(shell $(HOST_CC) -print-file-name=include)
MTUNE ?=

ARCH := x86_64
KERNEL_CFLAGS := -O2 -g -std=gnu11 -ffreestanding -fno-pie -fno-stack-protector -mno-red-zone \
	-fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -Wall -Wextra -Werror -nostdinc -isystem $(SYSROOT)/include/overlay \
	-isystem $(SYSROOT)/include -isystem $(GCC_INCLUDE) -I. -Ikernel/include -Ikernel -Ikernel/arch/$(ARCH) \
	$(if $(MTUNE),-mtune=$(MTUNE))
APP_CFLAGS := -O2 -g -Wall -Wextra -Werror $(if $(MTUNE),-mtune=$(MTUNE))

# Objects that must win over newlib's defaults (entry, debug anchor, per-task state, locks) are
# linked into every image as crt0.o; the rest is an ordinary archive.
CRT0_SRCS := kernel/arch/x86_64/boot_pvh.S kernel/core/hcall.c kernel/libc/reent.c kernel/libc/locks.c \
	kernel/libc/signal.c
KERNEL_SRCS := $(filter-out $(CRT0_SRCS),$(wildcard kernel/arch/x86_64/*.c kernel/arch/x86_64/*.S \
	kernel/core/*.c kernel/mm/*.c kernel/libc/*.c kernel/lib/*.c kernel/debug/*.c))
obj_of = $(patsubst kernel/%,$(OBJ)/kernel/%.o,$(1))
CRT0_OBJS := $(call obj_of,$(CRT0_SRCS))
KERNEL_OBJS := $(call obj_of,$(KERNEL_SRCS))
# The gdb stub's portable engine (gdbstub.mk) and the tracer's ring and catalogue (tracing.mk),
# built again with the kernel's flags.
GDBSTUB_KERNEL_OBJS := $(patsubst gdbstub/%.c,$(OBJ)/kernel-gdbstub/%.c.o,$(GDBSTUB_SRCS))
KERNEL_OBJS += $(GDBSTUB_KERNEL_OBJS) $(TRACING_KERNEL_OBJS)
$(OBJ)/kernel/debug/%: KERNEL_CFLAGS += -Igdbstub
# The network (lwIP, drivers, sockets): NET_OBJS and LWIP_OBJS join libhermit.a.
include net/net.mk

$(NEWLIB_STAMP): kernel/toolchain/build-newlib.sh kernel/toolchain/newlib-machine-types.h
	kernel/toolchain/build-newlib.sh $(NEWLIB_DIR)/work $(abspath $(NEWLIB_DIR)/install)
	touch $@

LIBC_HEADERS := $(shell find kernel/libc/include -type f)
# The apps' headers: newlib's, the overlay, and <hermit/abi.h>, <hermit/trace.h>.
$(HEADERS_STAMP): $(NEWLIB_STAMP) $(LIBC_HEADERS) kernel/include/hermit/abi.h kernel/include/hermit/trace.h
	mkdir -p $(SYSROOT)/include $(SYSROOT)/lib $(SYSROOT)/include/hermit
	cp -a $(NEWLIB_DIR)/install/x86_64-elf/include/. $(SYSROOT)/include/
	@# gcc's own <stdatomic.h> works, newlib's does not; newlib has no C11 threads behind <threads.h>
	rm -f $(SYSROOT)/include/stdatomic.h $(SYSROOT)/include/threads.h
	cp -a kernel/libc/include/. $(SYSROOT)/include/
	cp kernel/include/hermit/abi.h kernel/include/hermit/trace.h $(SYSROOT)/include/hermit/
	cp $(NEWLIB_DIR)/install/x86_64-elf/lib/libc.a $(NEWLIB_DIR)/install/x86_64-elf/lib/libm.a $(SYSROOT)/lib/
	touch $@

$(OBJ)/kernel/%.c.o: kernel/%.c $(HEADERS_STAMP)
	@mkdir -p $(@D)
	$(HOST_CC) $(KERNEL_CFLAGS) -MMD -MP -c $< -o $@

$(OBJ)/kernel/%.S.o: kernel/%.S $(HEADERS_STAMP)
	@mkdir -p $(@D)
	$(HOST_CC) $(KERNEL_CFLAGS) -MMD -MP -c $< -o $@

$(OBJ)/kernel-gdbstub/%.c.o: gdbstub/%.c $(HEADERS_STAMP)
	@mkdir -p $(@D)
	$(HOST_CC) $(KERNEL_CFLAGS) -Igdbstub -MMD -MP -c $< -o $@

# gdb's autoload entry (tracing.mk) makes every image load the gdb scripts.
$(SYSROOT)/lib/crt0.o: $(CRT0_OBJS) $(GDB_AUTOLOAD_OBJ)
	ld -r -o $@ $^

$(SYSROOT)/lib/libhermit.a: $(KERNEL_OBJS) $(NET_OBJS) $(LWIP_OBJS)
	@rm -f $@
	ar rcs $@ $^

# -lpthread works as with glibc 2.34+: the threads are in the C library proper.
$(SYSROOT)/lib/libpthread.a:
	@mkdir -p $(@D)
	ar rcs $@

$(SYSROOT)/lib/hermit.ld $(SYSROOT)/lib/hermit.specs: $(SYSROOT)/lib/%: kernel/toolchain/%
	cp $< $@

$(HERMIT_CC): kernel/toolchain/x86_64-hermit-gcc
	@mkdir -p $(@D)
	cp $< $@

$(SYSROOT)/share/hermit.mk $(SYSROOT)/share/HermitCore-Application.cmake: $(SYSROOT)/share/%: kernel/toolchain/%
	@mkdir -p $(@D)
	cp $< $@

HERMIT_SDK := $(HERMIT_CC) $(SYSROOT)/lib/crt0.o $(SYSROOT)/lib/libhermit.a $(SYSROOT)/lib/libpthread.a \
	$(SYSROOT)/lib/hermit.ld $(SYSROOT)/lib/hermit.specs $(SYSROOT)/share/hermit.mk $(SYSROOT)/share/HermitCore-Application.cmake

# Apps: tests/<name>/*.c -> extra/tests/<name>, bench/<name>/*.c -> extra/benchmarks/<name>.
TEST_APPS := hello threads crash files status debuggee tcp-echo http udp tcp-client tracer posix many-conns sockapi duplex \
	hostile fsops smp-stress deadlock smp-debuggee scribble
BENCH_APPS := stream netbench tracecost fsbench primes pingpong contend
APPS := $(TEST_APPS:%=$(SYSROOT)/extra/tests/%) $(BENCH_APPS:%=$(SYSROOT)/extra/benchmarks/%)
# Images name their gdb scripts; they are staged first so that gdb finds them at once.
$(APPS): | $(GDB_SCRIPTS)

.SECONDEXPANSION:
$(SYSROOT)/extra/tests/%: $$(wildcard tests/%/*.c) $(HERMIT_SDK)
	@mkdir -p $(@D)
	$(HERMIT_CC) $(APP_CFLAGS) $(filter %.c,$^) -o $@ -lpthread

$(SYSROOT)/extra/benchmarks/%: $$(wildcard bench/%/*.c) bench/now.h $(HERMIT_SDK)
	@mkdir -p $(@D)
	$(HERMIT_CC) $(APP_CFLAGS) $(filter %.c,$^) -o $@ -lpthread -lm

# make LOGSIZE=1048576: the kernel log ring's size (a power of two; HERMIT_LOGSIZE lowers it).
$(OBJ)/kernel/core/log.c.o: KERNEL_CFLAGS += $(if $(LOGSIZE),-DLOG_RING_SIZE=$(LOGSIZE))

-include $(KERNEL_OBJS:.o=.d) $(CRT0_OBJS:.o=.d)
