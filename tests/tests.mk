# tests/tests.mk: host unit tests of the kernel's portable parts.
UNIT_DIR := $(BUILD)/tests/unit

# Compiles and links a test from the .c files among its prerequisites, with flags $(1) and
# libraries $(2). The headers they include are listed in $(UNIT_DEP) (-MM -MP: the kernel's -MMD
# -MP files, written apart because gcc -MMD over several sources keeps only the last one's),
# included at the end, so that a changed header rebuilds every test that includes it.
unit_cc = $(HOST_CC) $(1) -MM -MP -MT $@ $(filter %.c,$^) > $(UNIT_DEP) && $(HOST_CC) $(1) $(filter %.c,$^) -o $@ $(2)

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
$(UNIT_DIR)/test_kernel_%: tests/unit/test_kernel_%.c $$(test_kernel_%_SRCS) tests/unit/kernel_host.c
	@mkdir -p $(@D)/deps
	$(call unit_cc,$(KERNEL_HOST_CFLAGS),-lcmocka)
UNIT_TESTS += $(UNIT_DIR)/test_format

UNIT_TESTS += $(UNIT_DIR)/test_debug_ring
$(UNIT_DIR)/test_debug_ring: tests/unit/test_debug_ring.c
	@mkdir -p $(@D)/deps
	$(call unit_cc,$(HOST_CFLAGS),-lcmocka)

$(UNIT_DIR)/test_format: tests/unit/test_format.c kernel/lib/format.c
	@mkdir -p $(@D)/deps
	$(call unit_cc,$(HOST_CFLAGS) -Ikernel,-lcmocka)

UNIT_TESTS += $(UNIT_DIR)/test_inet_text
$(UNIT_DIR)/test_inet_text: tests/unit/test_inet_text.c net/inet_text.c
	@mkdir -p $(@D)/deps
	$(call unit_cc,$(HOST_CFLAGS),-lcmocka)

# glibc's CPU_* macros and the affinity calls' conversions, with Hermit's <sys/cpuset.h> alone.
UNIT_TESTS += $(UNIT_DIR)/test_cpuset
$(UNIT_DIR)/test_cpuset: tests/unit/test_cpuset.c kernel/libc/cpuset.c
	@mkdir -p $(@D)/deps
	$(call unit_cc,$(HOST_CFLAGS) -Itests/unit/hostlibc -Ikernel,-lcmocka)

UNIT_TESTS += $(UNIT_DIR)/test_pcapng
$(UNIT_DIR)/test_pcapng: tests/unit/test_pcapng.c net/pcapng.c
	@mkdir -p $(@D)/deps
	$(call unit_cc,$(HOST_CFLAGS),-lcmocka)

UNIT_TESTS += $(UNIT_DIR)/test_timegm
$(UNIT_DIR)/test_timegm: tests/unit/test_timegm.c kernel/libc/timegm.c
	@mkdir -p $(@D)/deps
	$(call unit_cc,$(HOST_CFLAGS),-lcmocka)

# mman.c's mapping table over a fake frame allocator; its calls renamed, not to shadow the host's.
UNIT_TESTS += $(UNIT_DIR)/test_mman
MMAN_RENAMES := -Dmmap=hermit_mmap -Dmunmap=hermit_munmap -Dmprotect=hermit_mprotect -Dmadvise=hermit_madvise \
	-Dmsync=hermit_msync -Dposix_madvise=hermit_posix_madvise -Dmlock=hermit_mlock -Dmunlock=hermit_munlock \
	-Dmlockall=hermit_mlockall -Dmunlockall=hermit_munlockall
$(UNIT_DIR)/test_mman: tests/unit/test_mman.c kernel/libc/mman.c
	@mkdir -p $(@D)/deps
	$(call unit_cc,$(HOST_CFLAGS) -Itests/unit/hostarch -Ikernel $(MMAN_RENAMES),-lcmocka)

UNIT_TESTS += $(UNIT_DIR)/test_mptable
$(UNIT_DIR)/test_mptable: tests/unit/test_mptable.c kernel/arch/x86_64/mptable.c
	@mkdir -p $(@D)/deps
	$(call unit_cc,$(HOST_CFLAGS) -Ikernel,-lcmocka)

# debug/stopall.c (the gdb stub's stop-all) with host threads as CPUs (host_cpus.h).
UNIT_TESTS += $(UNIT_DIR)/test_stopall
$(UNIT_DIR)/test_stopall: tests/unit/test_stopall.c kernel/debug/stopall.c tests/unit/host_cpus.c
	@mkdir -p $(@D)/deps
	$(call unit_cc,$(HOST_CFLAGS) -Ikernel -Ikernel/include -Ikernel/arch/x86_64 -Igdbstub,-lcmocka -lpthread)

# core/ipi.c with host threads as CPUs (host_cpus.h).
UNIT_TESTS += $(UNIT_DIR)/test_ipi
$(UNIT_DIR)/test_ipi: tests/unit/test_ipi.c kernel/core/ipi.c tests/unit/host_cpus.c
	@mkdir -p $(@D)/deps
	$(call unit_cc,$(HOST_CFLAGS) -Ikernel/include -Itests/unit/hostarch -Ikernel,-lcmocka -lpthread)

# net/capture.c (the capture ring) with host threads as its writers.
UNIT_TESTS += $(UNIT_DIR)/test_capture_ring
$(UNIT_DIR)/test_capture_ring: tests/unit/test_capture_ring.c net/capture.c
	@mkdir -p $(@D)/deps
	$(call unit_cc,$(KERNEL_HOST_CFLAGS),-lcmocka -lpthread)

# Every unit test's header dependencies, those of proxy.mk, gdbstub.mk and tracing.mk included
# (their tests are built from one .c file each, with gcc -MMD -MP).
-include $(foreach t,$(UNIT_TESTS),$(dir $(t))deps/$(notdir $(t)).d)
