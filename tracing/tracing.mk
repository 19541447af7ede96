# tracing/tracing.mk: the tracer's portable parts (ring, catalogue, exporters), built for the
# kernel (TRACING_KERNEL_OBJS, linked by kernel.mk) and for the host (TRACING_HOST_OBJS, linked by
# proxy.mk), their unit tests, the gdb scripts staged into the sysroot (GDB_SCRIPTS, and
# GDB_AUTOLOAD_OBJ that crt0.o carries), and the tracer benchmarks. Included before kernel.mk.

TRACING_HEADERS := $(wildcard tracing/*.h) kernel/include/hermit/abi.h
TRACING_HOST_SRCS := $(patsubst %,tracing/%.c,ring catalogue export)
TRACING_HOST_OBJS := $(patsubst %,$(OBJ)/tracing/host/%.o,ring catalogue export)
TRACING_KERNEL_OBJS := $(patsubst %,$(OBJ)/tracing/kernel/%.o,ring catalogue)

$(OBJ)/tracing/host/%.o: tracing/%.c $(TRACING_HEADERS)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -D_GNU_SOURCE -c $< -o $@

$(OBJ)/tracing/kernel/%.o: tracing/%.c $(TRACING_HEADERS) $(HEADERS_STAMP)
	@mkdir -p $(@D)
	$(HOST_CC) $(KERNEL_CFLAGS) -c $< -o $@

UNIT_TESTS += $(BUILD)/tests/unit/test_tracing
$(BUILD)/tests/unit/test_tracing: tests/unit/test_tracing.c $(TRACING_HOST_OBJS) $(TRACING_HEADERS)
	@mkdir -p $(@D)/deps
	$(HOST_CC) $(HOST_CFLAGS) -D_GNU_SOURCE -MMD -MP -MF $(UNIT_DEP) $< $(TRACING_HOST_OBJS) -lcmocka -o $@

# The gdb scripts (gdb/hermit), staged into the sysroot with their generated constants, and the
# .debug_gdb_scripts entry that makes gdb load them, linked into every image through crt0.o.
GDB_SHARE := $(SYSROOT)/share/gdb
GDB_PY := $(patsubst gdb/hermit/%,$(GDB_SHARE)/hermit/%,$(wildcard gdb/hermit/*.py))
GDB_SCRIPTS := $(GDB_PY) $(GDB_SHARE)/hermit/constants.py
GDB_AUTOLOAD_OBJ := $(OBJ)/gdb/autoload.o

$(BUILD)/tools/ctf-metadata: tracing/ctf_metadata.c $(TRACING_HOST_OBJS)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -D_GNU_SOURCE $< $(TRACING_HOST_OBJS) -o $@

$(BUILD)/tools/ctf-metadata.txt: $(BUILD)/tools/ctf-metadata
	$< > $@

$(GDB_SHARE)/hermit/constants.py: gdb/gen_constants.py kernel/include/hermit/abi.h tracing/events.h \
	$(BUILD)/tools/ctf-metadata.txt
	@mkdir -p $(@D)
	$(PYTHON) gdb/gen_constants.py kernel/include/hermit/abi.h tracing/events.h $(BUILD)/tools/ctf-metadata.txt $@

$(GDB_PY): $(GDB_SHARE)/hermit/%: gdb/hermit/%
	@mkdir -p $(@D)
	cp $< $@

$(GDB_AUTOLOAD_OBJ): gdb/autoload.S
	@mkdir -p $(@D)
	$(HOST_CC) -DGDB_DIR_BUILD='"$(abspath $(GDB_SHARE))"' -DGDB_DIR_PREFIX='"$(PREFIX)/x86_64-hermit/share/gdb"' \
		-c $< -o $@
all: $(GDB_SCRIPTS)

# `make bench-tracing` (also part of `make bench`) runs bench/tracecost (an app, kernel.mk).
.PHONY: bench-tracing
bench-tracing: all
	$(PYTHON) bench/tracing.py
bench: bench-tracing
$(BUILD)/bench/tracing-host: bench/tracing_host.c $(TRACING_HEADERS)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -D_GNU_SOURCE $< -o $@
bench-tracing: $(BUILD)/bench/tracing-host

# The reference trace's generator (traces/reference/, tests/integration/test_tracing.py).
$(BUILD)/tools/trace-reference: tracing/reference.c $(TRACING_HOST_OBJS)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -D_GNU_SOURCE $< $(TRACING_HOST_OBJS) -o $@
all: $(BUILD)/tools/trace-reference
