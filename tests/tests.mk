# tests/tests.mk: host unit tests of the kernel's portable parts.
UNIT_DIR := $(BUILD)/tests/unit
UNIT_TESTS += $(UNIT_DIR)/test_format

UNIT_TESTS += $(UNIT_DIR)/test_debug_ring
$(UNIT_DIR)/test_debug_ring: tests/unit/test_debug_ring.c gdbstub/debug_ring.h kernel/include/hermit/abi.h
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) $< -o $@ -lcmocka

$(UNIT_DIR)/test_format: tests/unit/test_format.c kernel/lib/format.c kernel/lib/format.h
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -Ikernel $(filter %.c,$^) -o $@ -lcmocka

UNIT_TESTS += $(UNIT_DIR)/test_timegm
$(UNIT_DIR)/test_timegm: tests/unit/test_timegm.c kernel/libc/timegm.c
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) $^ -o $@ -lcmocka
