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
