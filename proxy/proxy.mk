# proxy/proxy.mk: the host program that runs a Hermit image (build/bin/proxy) and its unit tests.
# Included by the top GNUmakefile, which provides BUILD, OBJ, HOST_CC and HOST_CFLAGS, after
# tracing.mk (the tracer's host objects: export, ring, catalogue) and gdbstub.mk (the RSP framer
# and packet text).

PROXY_CFLAGS := $(HOST_CFLAGS) -D_GNU_SOURCE -Iproxy
PROXY_HEADERS := proxy/proxy.h proxy/relay.h kernel/include/hermit/abi.h net/pcapng.h
# The gdb relay (HERMIT_DEBUG=1, relay.h) apart: the files its work adds.
PROXY_RELAY_SRCS := gdb_relay.c relay_gdb.c relay_guest.c relay_script.c relay_nmi.c relay_fast.c relay_cache.c \
	relay_prefetch.c relay_monitor.c relay_stats.c guestwalk.c
PROXY_SRCS := $(PROXY_RELAY_SRCS) capture.c clock.c console.c files.c fs.c guestmem.c hcall.c hcall_fs.c \
	image.c loop.c main.c qemu.c settings.c symbols.c tap.c guestview.c logdump.c tracedump.c core.c \
	postmortem.c recording.c record.c replay.c replay_snap.c replay_watch.c qmp.c
# The capture file writer (net/pcapng.c) is host code beside the kernel's network.
PCAPNG_SRC := net/pcapng.c
PCAPNG_HOST_OBJ := $(OBJ)/host/net/pcapng.o
PROXY_OBJS := $(PROXY_SRCS:%.c=$(OBJ)/proxy/%.o) $(TRACING_HOST_OBJS) $(RSP_SHARED_HOST_OBJS) $(PCAPNG_HOST_OBJ)
# Everything but main: what the unit tests link against.
PROXY_LIB_OBJS := $(filter-out $(OBJ)/proxy/main.o,$(PROXY_OBJS))

$(PCAPNG_HOST_OBJ): $(PCAPNG_SRC) net/pcapng.h
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -c $< -o $@

$(OBJ)/proxy/%.o: proxy/%.c $(PROXY_HEADERS)
	@mkdir -p $(@D)
	$(HOST_CC) $(PROXY_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/bin/proxy: $(PROXY_OBJS)
	@mkdir -p $(@D)
	$(HOST_CC) $(PROXY_CFLAGS) $^ -o $@

# The proxy with AddressSanitizer and UndefinedBehaviorSanitizer, beside the ordinary one, from the
# same sources (its own objects): `make test` runs the post-mortem, hypercall and hostile-guest
# tests against it, `make test SANITIZE=1` every integration test.
SANITIZE_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
PROXY_SAN := $(BUILD)/sanitize/bin/proxy
PROXY_SAN_SRCS := $(PROXY_SRCS:%=proxy/%) $(TRACING_HOST_SRCS) $(RSP_SHARED_SRCS) $(PCAPNG_SRC)
PROXY_SAN_OBJS := $(PROXY_SAN_SRCS:%.c=$(OBJ)/sanitize/%.o)

$(OBJ)/sanitize/%.o: %.c
	@mkdir -p $(@D)
	$(HOST_CC) $(PROXY_CFLAGS) $(SANITIZE_FLAGS) -MMD -MP -c $< -o $@

$(PROXY_SAN): $(PROXY_SAN_OBJS)
	@mkdir -p $(@D)
	$(HOST_CC) $(SANITIZE_FLAGS) $^ -o $@

PROXY_UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%, \
	$(wildcard tests/unit/test_proxy_*.c))

# test_proxy_run runs the proxy itself, so every proxy test waits for it.
$(PROXY_UNIT_TESTS): $(BUILD)/tests/unit/%: tests/unit/%.c $(PROXY_LIB_OBJS) $(PROXY_HEADERS) \
	tests/unit/hcall_fixture.h | $(BUILD)/bin/proxy
	@mkdir -p $(@D)/deps
	$(HOST_CC) $(PROXY_CFLAGS) -MMD -MP -MF $(UNIT_DEP) $< $(PROXY_LIB_OBJS) -lcmocka -o $@

UNIT_TESTS += $(PROXY_UNIT_TESTS)

-include $(PROXY_OBJS:.o=.d) $(PROXY_SAN_OBJS:.o=.d)
