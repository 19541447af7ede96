# gdbstub/gdbstub.mk: the gdb stub's portable engine, built for the host with its tests and fuzzer.
#
#   make unit-tests         builds $(BUILD)/tests/unit/test_gdb_* (in UNIT_TESTS)
#   make gdbstub-check      builds and runs them
#   make fuzz-rsp           runs the RSP fuzzer for FUZZ_SECONDS on tests/fuzz/corpus/rsp
#                           (make fuzz runs it with the proxy's fuzzers, tests/fuzz/fuzz.mk)
#
# The kernel links the same sources: GDBSTUB_SRCS, with -Igdbstub. They need only <stdint.h>,
# <stddef.h>, <stdbool.h> and memcpy/memset/memcmp/strlen from <string.h>; the freestanding check
# below holds them to that before any test is built.

GDBSTUB_SRCS := $(addprefix gdbstub/,rsp_framing.c rsp_parse.c rsp_text.c rsp_encode.c gdb_session.c \
	gdb_commands.c gdb_registers.c gdb_memory.c gdb_threads.c gdb_monitor.c \
	x86_64_regs.c x86_64_tdesc.c)
GDBSTUB_HDRS := $(wildcard gdbstub/*.h)
GDBSTUB_HOST_OBJS := $(GDBSTUB_SRCS:%.c=$(OBJ)/host/%.o)
GDBSTUB_HOST_LIB := $(BUILD)/lib/libgdbstub-host.a
# The framer and the packet text (parsing, building), which the proxy's gdb relay shares.
RSP_SHARED_SRCS := $(addprefix gdbstub/,rsp_framing.c rsp_parse.c rsp_text.c)
RSP_SHARED_HOST_OBJS := $(RSP_SHARED_SRCS:%.c=$(OBJ)/host/%.o)
GDBSTUB_ALLOWED_IMPORTS := memcmp memcpy memset strlen

$(OBJ)/host/gdbstub/%.o: gdbstub/%.c $(GDBSTUB_HDRS)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -Igdbstub -c -o $@ $<

$(GDBSTUB_HOST_LIB): $(GDBSTUB_HOST_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^

# Freestanding check: compiled as the kernel would, the engine may import nothing but the four
# string functions.
GDBSTUB_FREESTANDING_OBJ := $(OBJ)/freestanding/gdbstub.o
$(GDBSTUB_FREESTANDING_OBJ): $(GDBSTUB_SRCS) $(GDBSTUB_HDRS)
	@mkdir -p $(@D)
	$(HOST_CC) -std=gnu11 -O2 -Wall -Wextra -Werror -ffreestanding -fno-builtin -fno-pic \
		-fno-stack-protector -mno-red-zone -Igdbstub -r -nostdlib -o $@ $(GDBSTUB_SRCS)
	@bad=$$(nm -u $@ | awk '{print $$2}' | grep -vxE '$(subst $() ,|,$(GDBSTUB_ALLOWED_IMPORTS))'); \
	if [ -n "$$bad" ]; then echo "gdbstub imports more than it may: $$bad"; rm -f $@; exit 1; fi

# Host unit tests: one binary per tests/unit/test_gdb_*.c, all sharing the fake target.
GDBSTUB_TEST_SRCS := $(filter-out tests/unit/test_gdb_fake.c,$(wildcard tests/unit/test_gdb_*.c))
GDBSTUB_TESTS := $(GDBSTUB_TEST_SRCS:tests/unit/%.c=$(BUILD)/tests/unit/%)
GDBSTUB_FAKE_OBJ := $(OBJ)/host/tests/unit/test_gdb_fake.o
UNIT_TESTS += $(GDBSTUB_TESTS)

$(GDBSTUB_FAKE_OBJ): tests/unit/test_gdb_fake.c tests/unit/test_gdb_fake.h $(GDBSTUB_HDRS)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -Igdbstub -c -o $@ $<

$(BUILD)/tests/unit/test_gdb_%: tests/unit/test_gdb_%.c tests/unit/test_gdb_fake.h \
		$(GDBSTUB_FAKE_OBJ) $(GDBSTUB_HOST_LIB) | $(GDBSTUB_FREESTANDING_OBJ)
	@mkdir -p $(@D)/deps
	$(HOST_CC) $(HOST_CFLAGS) -Igdbstub -Itests/unit -MMD -MP -MF $(UNIT_DEP) -o $@ $< $(GDBSTUB_FAKE_OBJ) \
		$(GDBSTUB_HOST_LIB) -lcmocka

.PHONY: gdbstub-check
gdbstub-check: $(GDBSTUB_TESTS)
	@set -e; for t in $^; do echo "== $$t"; $$t; done

# Fuzzer: libFuzzer with ASan and UBSan over the sources themselves. New inputs go to the
# build tree; the checked-in seeds are only read.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_FLAGS ?=
GDBSTUB_FUZZER := $(BUILD)/fuzz/fuzz_rsp

$(GDBSTUB_FUZZER): tests/fuzz/fuzz_rsp.c $(GDBSTUB_SRCS) $(GDBSTUB_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) -std=gnu11 -g -O1 -Wall -Wextra -Werror -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -Igdbstub -o $@ tests/fuzz/fuzz_rsp.c $(GDBSTUB_SRCS)

.PHONY: fuzz-rsp
fuzz-rsp: $(GDBSTUB_FUZZER)
	@mkdir -p $(BUILD)/fuzz/corpus-rsp
	$(GDBSTUB_FUZZER) -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
		-dict=tests/fuzz/rsp.dict $(FUZZ_FLAGS) $(BUILD)/fuzz/corpus-rsp tests/fuzz/corpus/rsp
