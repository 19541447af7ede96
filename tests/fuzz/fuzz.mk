# tests/fuzz/fuzz.mk: libFuzzer harnesses (clang, ASan + UBSan) for every reader the proxy has of
# what a guest controls, of QEMU's machine protocol (qmp) and of a user's recording (recording),
# built against the proxy's own sources (after proxy.mk, whose sources it reads), each with a
# small checked-in seed corpus; new inputs go to the build tree.
#
#   make fuzz                   every harness, the gdb stub's included, FUZZ_SECONDS each (60)
#   make fuzz-logdump ...       one of them: logdump tasks core trace capture hcall relay fastmem
#                               qmp recording, or rsp
#   make fuzz-check             every proxy harness once over its seeds (make test: the findings
#                               kept as seeds must stay fixed)
#
# FUZZ_CC, FUZZ_SECONDS and FUZZ_FLAGS are gdbstub.mk's.

PROXY_FUZZERS := logdump tasks core trace capture hcall relay fastmem qmp recording
PROXY_FUZZ_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -D_GNU_SOURCE -I. -Ikernel/include -Iproxy \
	-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
PROXY_FUZZ_SRCS := $(filter-out proxy/main.c,$(PROXY_SAN_SRCS)) tests/fuzz/fuzz_guest.c
PROXY_FUZZ_OBJS := $(PROXY_FUZZ_SRCS:%.c=$(OBJ)/fuzz/%.o)
# Kept: make would delete them after the run and print that last, after pytest's closing line.
.SECONDARY: $(PROXY_FUZZ_OBJS)

$(OBJ)/fuzz/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(PROXY_FUZZ_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(PROXY_FUZZ_OBJS) tests/fuzz/fuzz_guest.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(PROXY_FUZZ_CFLAGS) -fsanitize=fuzzer $< $(PROXY_FUZZ_OBJS) -o $@

.PHONY: fuzz $(PROXY_FUZZERS:%=fuzz-%)
$(PROXY_FUZZERS:%=fuzz-%): fuzz-%: $(BUILD)/fuzz/fuzz_%
	@mkdir -p $(BUILD)/fuzz/corpus-$*
	$< -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 -close_fd_mask=3 -timeout=10 \
		-artifact_prefix=$(abspath $(BUILD)/fuzz)/$*- $(FUZZ_FLAGS) \
		$(abspath $(BUILD)/fuzz/corpus-$*) $(abspath tests/fuzz/corpus/$*)
fuzz: fuzz-rsp $(PROXY_FUZZERS:%=fuzz-%)

.PHONY: fuzz-check
fuzz-check: $(PROXY_FUZZERS:%=$(BUILD)/fuzz/fuzz_%)
	@for h in $(PROXY_FUZZERS); do \
		out=$$($(BUILD)/fuzz/fuzz_$$h -close_fd_mask=3 -timeout=10 $(CURDIR)/tests/fuzz/corpus/$$h/* 2>&1) \
			|| { echo "$$out"; exit 1; }; \
		echo "fuzz_$$h: $$(echo "$$out" | grep -c '^Executed') seeds, no finding"; done

-include $(PROXY_FUZZ_OBJS:.o=.d)
