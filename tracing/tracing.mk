# tracing/tracing.mk: the tracer's portable parts (ring, catalogue, exporters), built for the
# kernel (into libhermit.a) and for the host (into the proxy), their unit tests, the public
# <hermit/trace.h>, the gdb scripts staged into the sysroot, and the tracer benchmarks.
# Included by the top GNUmakefile after proxy.mk.

TRACING_HEADERS := $(wildcard tracing/*.h) kernel/include/hermit/abi.h
TRACING_HOST_OBJS := $(patsubst %,$(OBJ)/tracing/host/%.o,ring catalogue export)
TRACING_KERNEL_OBJS := $(patsubst %,$(OBJ)/tracing/kernel/%.o,ring catalogue)

$(OBJ)/tracing/host/%.o: tracing/%.c $(TRACING_HEADERS)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -D_GNU_SOURCE -c $< -o $@

$(OBJ)/tracing/kernel/%.o: tracing/%.c $(TRACING_HEADERS) $(HEADERS_STAMP)
	@mkdir -p $(@D)
	$(HOST_CC) $(KERNEL_CFLAGS) -c $< -o $@

# Extra prerequisites join the existing rules' $^ (the archive and the proxy link).
$(SYSROOT)/lib/libhermit.a: $(TRACING_KERNEL_OBJS)
$(BUILD)/bin/proxy: $(TRACING_HOST_OBJS)
PROXY_LIB_OBJS += $(TRACING_HOST_OBJS)
$(PROXY_UNIT_TESTS): $(TRACING_HOST_OBJS)

UNIT_TESTS += $(BUILD)/tests/unit/test_tracing
$(BUILD)/tests/unit/test_tracing: tests/unit/test_tracing.c $(TRACING_HOST_OBJS) $(TRACING_HEADERS)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -D_GNU_SOURCE $< $(TRACING_HOST_OBJS) -lcmocka -o $@

# <hermit/trace.h> for apps.
$(SYSROOT)/include/hermit/trace.h: kernel/include/hermit/trace.h $(HEADERS_STAMP)
	cp $< $@
all: $(SYSROOT)/include/hermit/trace.h
$(APPS): $(SYSROOT)/include/hermit/trace.h

# tests/tracer: an app whose trace the integration tests know in advance.
$(SYSROOT)/extra/tests/tracer: tests/tracer/tracer.c $(HERMIT_SDK) $(SYSROOT)/include/hermit/trace.h
	@mkdir -p $(@D)
	$(HERMIT_CC) $(APP_CFLAGS) $< -o $@ -lpthread
all: $(SYSROOT)/extra/tests/tracer

# The gdb scripts (gdb/hermit), staged into the sysroot with their generated constants, and the
# .debug_gdb_scripts entry that makes gdb load them, linked into every image through crt0.o.
GDB_SHARE := $(SYSROOT)/share/gdb
GDB_PY := $(patsubst gdb/hermit/%,$(GDB_SHARE)/hermit/%,$(wildcard gdb/hermit/*.py))

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

$(OBJ)/gdb/autoload.o: gdb/autoload.S
	@mkdir -p $(@D)
	$(HOST_CC) -DGDB_DIR_BUILD='"$(abspath $(GDB_SHARE))"' -DGDB_DIR_PREFIX='"$(PREFIX)/x86_64-hermit/share/gdb"' \
		-c $< -o $@

$(SYSROOT)/lib/crt0.o: $(OBJ)/gdb/autoload.o
all: $(GDB_PY) $(GDB_SHARE)/hermit/constants.py
$(APPS) $(SYSROOT)/extra/tests/tracer: | $(GDB_PY) $(GDB_SHARE)/hermit/constants.py

# bench/tracecost and `make bench-tracing` (also part of `make bench`).
$(SYSROOT)/extra/benchmarks/tracecost: bench/tracecost/tracecost.c $(HERMIT_SDK) $(SYSROOT)/include/hermit/trace.h
	@mkdir -p $(@D)
	$(HERMIT_CC) $(APP_CFLAGS) $< -o $@ -lpthread
all: $(SYSROOT)/extra/benchmarks/tracecost
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

# make LOGSIZE=1048576: the kernel log ring's size (a power of two; HERMIT_LOGSIZE lowers it).
$(OBJ)/kernel/core/log.c.o: KERNEL_CFLAGS += $(if $(LOGSIZE),-DLOG_RING_SIZE=$(LOGSIZE))
