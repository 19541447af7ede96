# tests/tests.mk: host unit tests of the kernel's portable parts.
UNIT_DIR := $(BUILD)/tests/unit

# The kernel's portable code built for the host with tests/unit/hostarch/arch.h in place of the
# architecture's (kernel/arch/$(ARCH)/arch.h): test_kernel_NAME links the kernel files it names.
KERNEL_HOST_CFLAGS := $(HOST_CFLAGS) -Itests/unit/hostarch -Ikernel -Igdbstub -Itests/unit
KERNEL_HOST_TESTS := runqueue page_alloc sync breakpoints balance
test_kernel_runqueue_SRCS := kernel/core/runqueue.c
test_kernel_page_alloc_SRCS := kernel/mm/page_alloc.c
test_kernel_sync_SRCS := kernel/core/sync.c kernel/core/runqueue.c kernel/core/wait.c
test_kernel_breakpoints_SRCS := kernel/debug/breakpoints.c kernel/lib/format.c
test_kernel_balance_SRCS := kernel/core/balance.c
UNIT_TESTS += $(KERNEL_HOST_TESTS:%=$(UNIT_DIR)/test_kernel_%)

.SECONDEXPANSION:
$(UNIT_DIR)/test_kernel_%: tests/unit/test_kernel_%.c $$(test_kernel_%_SRCS) tests/unit/kernel_host.c \
		tests/unit/kernel_host.h tests/unit/hostarch/arch.h
	@mkdir -p $(@D)
	$(HOST_CC) $(KERNEL_HOST_CFLAGS) $(filter %.c,$^) -o $@ -lcmocka
UNIT_TESTS += $(UNIT_DIR)/test_format

UNIT_TESTS += $(UNIT_DIR)/test_debug_ring
$(UNIT_DIR)/test_debug_ring: tests/unit/test_debug_ring.c gdbstub/debug_ring.h kernel/include/hermit/abi.h
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) $< -o $@ -lcmocka

$(UNIT_DIR)/test_format: tests/unit/test_format.c kernel/lib/format.c kernel/lib/format.h
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -Ikernel $(filter %.c,$^) -o $@ -lcmocka

UNIT_TESTS += $(UNIT_DIR)/test_inet_text
$(UNIT_DIR)/test_inet_text: tests/unit/test_inet_text.c net/inet_text.c net/inet_text.h
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) $(filter %.c,$^) -o $@ -lcmocka

# glibc's CPU_* macros and the affinity calls' conversions, with Hermit's <sys/cpuset.h> alone.
UNIT_TESTS += $(UNIT_DIR)/test_cpuset
$(UNIT_DIR)/test_cpuset: tests/unit/test_cpuset.c kernel/libc/cpuset.c kernel/libc/cpuset.h \
		kernel/libc/include/sys/cpuset.h tests/unit/hostlibc/sys/cpuset.h
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -Itests/unit/hostlibc -Ikernel $(filter %.c,$^) -o $@ -lcmocka

UNIT_TESTS += $(UNIT_DIR)/test_pcapng
$(UNIT_DIR)/test_pcapng: tests/unit/test_pcapng.c net/pcapng.c net/pcapng.h
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) $(filter %.c,$^) -o $@ -lcmocka

UNIT_TESTS += $(UNIT_DIR)/test_timegm
$(UNIT_DIR)/test_timegm: tests/unit/test_timegm.c kernel/libc/timegm.c
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) $^ -o $@ -lcmocka

# mman.c's mapping table over a fake frame allocator; its calls renamed, not to shadow the host's.
UNIT_TESTS += $(UNIT_DIR)/test_mman
MMAN_RENAMES := -Dmmap=hermit_mmap -Dmunmap=hermit_munmap -Dmprotect=hermit_mprotect -Dmadvise=hermit_madvise \
	-Dmsync=hermit_msync -Dposix_madvise=hermit_posix_madvise -Dmlock=hermit_mlock -Dmunlock=hermit_munlock \
	-Dmlockall=hermit_mlockall -Dmunlockall=hermit_munlockall
$(UNIT_DIR)/test_mman: tests/unit/test_mman.c kernel/libc/mman.c kernel/include/kernel/mm.h
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -Itests/unit/hostarch -Ikernel $(MMAN_RENAMES) $(filter %.c,$^) -o $@ -lcmocka

UNIT_TESTS += $(UNIT_DIR)/test_mptable
$(UNIT_DIR)/test_mptable: tests/unit/test_mptable.c kernel/arch/x86_64/mptable.c kernel/arch/x86_64/mptable.h
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -Ikernel $(filter %.c,$^) -o $@ -lcmocka

# debug/stopall.c (the gdb stub's stop-all) with host threads as CPUs.
UNIT_TESTS += $(UNIT_DIR)/test_stopall
$(UNIT_DIR)/test_stopall: tests/unit/test_stopall.c kernel/debug/stopall.c kernel/debug/debug_internal.h
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -Ikernel -Ikernel/include -Ikernel/arch/x86_64 -Igdbstub $(filter %.c,$^) -o $@ -lcmocka -lpthread

# core/ipi.c with host threads as CPUs.
UNIT_TESTS += $(UNIT_DIR)/test_ipi
$(UNIT_DIR)/test_ipi: tests/unit/test_ipi.c kernel/core/ipi.c kernel/include/kernel/ipi.h
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -Ikernel/include $(filter %.c,$^) -o $@ -lcmocka -lpthread
