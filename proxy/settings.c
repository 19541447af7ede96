/*
 * settings.c: the HERMIT_* environment variables that users of the original HermitCore proxy
 * rely on, parsed into struct settings.
 *
 * Pure on purpose (the environment comes in as an array, nothing is opened; HERMIT_ROOT is only
 * looked at with stat) so that every rule is unit-tested. An empty variable counts as unset, as shells make "HERMIT_X= cmd" easy.
 * Anything else that is not understood is refused: a typo must not silently run a different VM.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "proxy.h"
#include "tracing/events.h"
#include "tracing/ring.h"

static const char *env_value(char *const *envp, const char *name)
{
	size_t n = strlen(name);

	for (; envp && *envp; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return (*envp)[n + 1] ? *envp + n + 1 : NULL;
	return NULL;
}

/* Plain decimal digits only: no sign, blanks or base prefixes. */
static int parse_u64(const char *text, const char **end, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = text;

	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned digit = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - digit) / 10)
			return -1;
		v = v * 10 + digit;
	}
	if (p == text)
		return -1;
	*end = p;
	*out = v;
	return 0;
}

int settings_parse_number(const char *text, uint64_t *out)
{
	const char *end;

	return parse_u64(text, &end, out) == 0 && *end == '\0' ? 0 : -1;
}

static int suffix_shift(char c)
{
	switch (c) {
	case '\0': return 0;
	case 'k': case 'K': return 10;
	case 'm': case 'M': return 20;
	case 'g': case 'G': return 30;
	default: return -1;
	}
}

int settings_parse_size(const char *text, uint64_t *bytes)
{
	const char *end;
	uint64_t v;
	int shift;

	if (parse_u64(text, &end, &v) < 0)
		return -1;
	shift = suffix_shift(*end);
	if (shift < 0 || (*end && end[1]))
		return -1;
	if (v == 0 || v > (UINT64_MAX >> shift))
		return -1;
	*bytes = v << shift;
	return 0;
}

static int parse_isle(const char *v, char *err, size_t errlen)
{
	if (!v || strcmp(v, "qemu") == 0)
		return 0;
	if (strcmp(v, "uhyve") == 0)
		snprintf(err, errlen, "hermit: HERMIT_ISLE=uhyve: the uhyve isle is not available yet");
	else
		snprintf(err, errlen, "hermit: HERMIT_ISLE=%s: expected qemu", v);
	return -1;
}

static int parse_bool(const char *name, const char *v, bool *out, char *err, size_t errlen)
{
	if (!v || strcmp(v, "0") == 0) {
		*out = false;
		return 0;
	}
	if (strcmp(v, "1") == 0) {
		*out = true;
		return 0;
	}
	snprintf(err, errlen, "hermit: %s=%s: expected 0 or 1", name, v);
	return -1;
}

static int parse_kvm(const char *v, enum kvm_mode *kvm, char *err, size_t errlen)
{
	bool on;

	if (!v) {
		*kvm = KVM_AUTO;
		return 0;
	}
	if (parse_bool("HERMIT_KVM", v, &on, err, errlen) < 0)
		return -1;
	*kvm = on ? KVM_ON : KVM_OFF;
	return 0;
}

static int parse_mem(const char *v, uint64_t *mem, char *err, size_t errlen)
{
	uint64_t bytes = SETTINGS_MEM_DEFAULT;

	if (v && settings_parse_size(v, &bytes) < 0) {
		snprintf(err, errlen, "hermit: HERMIT_MEM=%s: expected a size such as 512M or 2G", v);
		return -1;
	}
	if (bytes < SETTINGS_MEM_MIN) {
		snprintf(err, errlen, "hermit: HERMIT_MEM=%s: at least %lluM is needed", v,
			 SETTINGS_MEM_MIN / MIB);
		return -1;
	}
	if (bytes > SETTINGS_MEM_MAX) {
		snprintf(err, errlen, "hermit: HERMIT_MEM=%s: at most %lluG is supported", v,
			 SETTINGS_MEM_MAX / GIB);
		return -1;
	}
	/* Round up rather than refuse: "HERMIT_MEM=100000000" should just work. */
	*mem = (bytes + SETTINGS_MEM_ALIGN - 1) / SETTINGS_MEM_ALIGN * SETTINGS_MEM_ALIGN;
	return 0;
}

static int parse_cpus(const char *v, unsigned *cpus, char *err, size_t errlen)
{
	uint64_t n = 1;

	if (v && (settings_parse_number(v, &n) < 0 || n == 0)) {
		snprintf(err, errlen, "hermit: HERMIT_CPUS=%s: expected a number of CPUs such as 1", v);
		return -1;
	}
	/* The QEMU isle gives up to HERMIT_MAX_CPUS: the anchor has one hypercall slot per CPU. */
	if (n > HERMIT_MAX_CPUS) {
		snprintf(err, errlen, "hermit: HERMIT_CPUS=%s: at most %d CPUs are supported", v,
			 HERMIT_MAX_CPUS);
		return -1;
	}
	*cpus = (unsigned)n;
	return 0;
}

static int parse_port(const char *name, const char *v, uint16_t def, unsigned max, uint16_t *port,
		      char *err, size_t errlen)
{
	uint64_t n = def;

	if (v && (settings_parse_number(v, &n) < 0 || n < 1 || n > max)) {
		snprintf(err, errlen, "hermit: %s=%s: expected a port from 1 to %u", name, v, max);
		return -1;
	}
	*port = (uint16_t)n;
	return 0;
}

static int parse_ipv4(const char *name, const char *v, const char *def, uint32_t *out, char *err,
		      size_t errlen)
{
	struct in_addr a;

	if (inet_pton(AF_INET, v ? v : def, &a) != 1) {
		snprintf(err, errlen, "hermit: %s=%s: expected an IPv4 address such as %s", name, v, def);
		return -1;
	}
	*out = a.s_addr;
	return 0;
}

/* A mask is ones then zeros. */
static int check_mask(uint32_t mask_be, const char *v, char *err, size_t errlen)
{
	uint32_t m = ntohl(mask_be);

	if (m == 0 || (~m & (~m + 1)) != 0) {
		snprintf(err, errlen, "hermit: HERMIT_MASK=%s: expected a netmask such as 255.255.255.0", v);
		return -1;
	}
	return 0;
}

/* HERMIT_CAPTURE_NET=0|1|live:PATH, HERMIT_CAPTURE_FORMAT=pcapng|pcap, HERMIT_CAPTURE_COMMENTS=0|1. */
static int parse_capture(struct settings *s, char *const *envp, char *err, size_t errlen)
{
	const char *net = env_value(envp, "HERMIT_CAPTURE_NET");
	const char *format = env_value(envp, "HERMIT_CAPTURE_FORMAT");
	const char *comments = env_value(envp, "HERMIT_CAPTURE_COMMENTS");
	bool on = true;

	if (net && strncmp(net, "live:", 5) == 0) {
		if (!net[5]) {
			snprintf(err, errlen, "hermit: HERMIT_CAPTURE_NET=%s: expected live:PATH (a FIFO or a file)", net);
			return -1;
		}
		s->capture_net = true;
		s->capture_live = net + 5;
	} else if (parse_bool("HERMIT_CAPTURE_NET", net, &s->capture_net, err, errlen) < 0) {
		snprintf(err, errlen, "hermit: HERMIT_CAPTURE_NET=%s: expected 0, 1 or live:PATH", net);
		return -1;
	}
	if (format && strcmp(format, "pcap") == 0)
		s->capture_pcap = true;
	else if (format && strcmp(format, "pcapng") != 0) {
		snprintf(err, errlen, "hermit: HERMIT_CAPTURE_FORMAT=%s: expected pcapng or pcap", format);
		return -1;
	}
	if (comments && parse_bool("HERMIT_CAPTURE_COMMENTS", comments, &on, err, errlen) < 0)
		return -1;
	s->capture_bare = !on;
	return 0;
}

static int parse_network(struct settings *s, char *const *envp, char *err, size_t errlen)
{
	const char *mask = env_value(envp, "HERMIT_MASK");
	const char *netif = env_value(envp, "HERMIT_NETIF");

	if (parse_ipv4("HERMIT_IP", env_value(envp, "HERMIT_IP"), SETTINGS_IP_DEFAULT, &s->ip, err,
		       errlen) < 0 ||
	    parse_ipv4("HERMIT_GATEWAY", env_value(envp, "HERMIT_GATEWAY"), SETTINGS_GATEWAY_DEFAULT,
		       &s->gateway, err, errlen) < 0 ||
	    parse_ipv4("HERMIT_MASK", mask, SETTINGS_MASK_DEFAULT, &s->mask, err, errlen) < 0 ||
	    check_mask(s->mask, mask, err, errlen) < 0)
		return -1;
	if (netif) {
		size_t n = strlen(netif);
		if (n >= sizeof(s->netif) || strspn(netif, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					     "0123456789_.-") != n) {
			snprintf(err, errlen, "hermit: HERMIT_NETIF=%s: expected a network interface name "
				 "such as tap0", netif);
			return -1;
		}
		memcpy(s->netif, netif, n + 1);
	}
	if ((s->ip & s->mask) != (s->gateway & s->mask)) {
		snprintf(err, errlen, "hermit: HERMIT_IP and HERMIT_GATEWAY are not in one network "
			 "(HERMIT_MASK)");
		return -1;
	}
	if (env_value(envp, "HERMIT_APP_PORT") &&
	    parse_port("HERMIT_APP_PORT", env_value(envp, "HERMIT_APP_PORT"), 0, 65535, &s->app_port,
		       err, errlen) < 0)
		return -1;
	const char *nic = env_value(envp, "HERMIT_NIC");
	if (nic && strcmp(nic, "rtl8139") == 0)
		s->nic = NIC_RTL8139;
	else if (nic && strcmp(nic, "virtio") != 0) {
		snprintf(err, errlen, "hermit: HERMIT_NIC=%s: expected virtio or rtl8139", nic);
		return -1;
	}
	s->trace_dir = env_value(envp, "HERMIT_TRACE_DIR");
	s->qemu_pcap = env_value(envp, "HERMIT_QEMU_PCAP");
	return parse_capture(s, envp, err, errlen);
}

/* HERMIT_ROOT: an existing directory, which becomes the guest's "/" (fs.c). */
static int parse_root(const char *v, const char **root, char *err, size_t errlen)
{
	struct stat st;

	*root = v;
	if (!v)
		return 0;
	if (stat(v, &st) < 0) {
		snprintf(err, errlen, "hermit: HERMIT_ROOT=%s: %s", v, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "hermit: HERMIT_ROOT=%s: not a directory", v);
		return -1;
	}
	return 0;
}

/* HERMIT_DEBUG: 0 or 1 (the kernel's gdb stub, stopped at boot), "attach" (the stub, the guest
 * running until gdb attaches), or "qemu" for QEMU's own gdbstub. */
static int parse_debug(const char *v, struct settings *s, char *err, size_t errlen)
{
	if (v && strcmp(v, "qemu") == 0) {
		s->debug_qemu = true;
		return 0;
	}
	if (v && strcmp(v, "attach") == 0) {
		s->debug = s->debug_attach = true;
		return 0;
	}
	return parse_bool("HERMIT_DEBUG", v, &s->debug, err, errlen);
}

/* Tracing and post-mortem: HERMIT_TRACE (every pattern must match an event; "1" is all),
 * HERMIT_TIMEOUT seconds, HERMIT_BUNDLE 0 or 1. */
static int parse_postmortem(struct settings *s, char *const *envp, char *err, size_t errlen)
{
	const char *trace = env_value(envp, "HERMIT_TRACE");
	const char *timeout = env_value(envp, "HERMIT_TIMEOUT");
	unsigned char want[HERMIT_TRACE_NEVENTS] = { 0 };
	uint64_t seconds = 0;
	char bad[64];

	if (trace && strcmp(trace, "1") && trace_select(trace, want, bad, sizeof(bad)) < 0) {
		snprintf(err, errlen, "hermit: HERMIT_TRACE=%s: %s matches no event (traces/formats/events.md)",
			 trace, bad);
		return -1;
	}
	s->trace = trace;
	if (timeout && (settings_parse_number(timeout, &seconds) < 0 || seconds == 0 || seconds > UINT32_MAX)) {
		snprintf(err, errlen, "hermit: HERMIT_TIMEOUT=%s: expected a number of seconds", timeout);
		return -1;
	}
	s->timeout = (unsigned)seconds;
	return parse_bool("HERMIT_BUNDLE", env_value(envp, "HERMIT_BUNDLE"), &s->bundle_always, err, errlen);
}

/* HERMIT_REPLAY_STALL: the seconds a replay's instruction count may stand still while the guest
 * runs before the replay counts as one that left its recording (replay_watch.c); 0: forever. */
static int parse_stall(const char *v, unsigned *seconds, char *err, size_t errlen)
{
	uint64_t n = WATCH_STALL_S_DEFAULT;

	if (v && (settings_parse_number(v, &n) < 0 || n > UINT32_MAX / 1000)) {
		snprintf(err, errlen, "hermit: HERMIT_REPLAY_STALL=%s: expected a number of seconds "
			 "(0: never)", v);
		return -1;
	}
	*seconds = (unsigned)n;
	return 0;
}

/*
 * HERMIT_RECORD=DIR, HERMIT_REPLAY=DIR (docs/replay.md). QEMU records and replays one CPU under
 * single-threaded TCG and nothing else, so what cannot hold is refused here. A replay is debugged
 * with QEMU's gdbstub (HERMIT_DEBUG=1 means that there): the kernel's stub cannot go backwards,
 * and its channel, written by the proxy into guest RAM, would escape the recording.
 */
static int parse_rr(struct settings *s, char *const *envp, char *err, size_t errlen)
{
	const char *name = "HERMIT_RECORD";

	s->record = env_value(envp, "HERMIT_RECORD");
	s->replay = env_value(envp, "HERMIT_REPLAY");
	if (s->record && s->replay) {
		snprintf(err, errlen, "hermit: HERMIT_RECORD and HERMIT_REPLAY: one at a time");
		return -1;
	}
	if (!s->record && !s->replay)
		return 0;
	if (s->replay)
		name = "HERMIT_REPLAY";
	if (s->kvm == KVM_ON) {
		snprintf(err, errlen, "hermit: %s: QEMU records and replays under TCG only, not with "
			 "HERMIT_KVM=1", name);
		return -1;
	}
	if (s->cpus > 1) {
		snprintf(err, errlen, "hermit: %s: HERMIT_CPUS=%u: QEMU records and replays one CPU only "
			 "(single-threaded TCG); use HERMIT_CPUS=1", name, s->cpus);
		return -1;
	}
	if (s->record && (s->debug || s->debug_qemu)) {
		snprintf(err, errlen, "hermit: HERMIT_RECORD: record without gdb, then debug the replay "
			 "(HERMIT_REPLAY=%s HERMIT_DEBUG=1)", s->record);
		return -1;
	}
	s->kvm = KVM_OFF;
	if (s->replay && parse_stall(env_value(envp, "HERMIT_REPLAY_STALL"), &s->replay_stall, err, errlen) < 0)
		return -1;
	if (s->replay && s->debug) {
		s->debug = s->debug_attach = false; /* attach too: QEMU's gdbstub, held at the start */
		s->debug_qemu = true;
	}
	return 0;
}

int settings_parse(struct settings *s, char *const *envp, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	if (parse_isle(env_value(envp, "HERMIT_ISLE"), err, errlen) < 0 ||
	    parse_kvm(env_value(envp, "HERMIT_KVM"), &s->kvm, err, errlen) < 0 ||
	    parse_mem(env_value(envp, "HERMIT_MEM"), &s->mem_size, err, errlen) < 0 ||
	    parse_cpus(env_value(envp, "HERMIT_CPUS"), &s->cpus, err, errlen) < 0 ||
	    parse_bool("HERMIT_VERBOSE", env_value(envp, "HERMIT_VERBOSE"), &s->verbose, err,
		       errlen) < 0 ||
	    parse_bool("HERMIT_MONITOR", env_value(envp, "HERMIT_MONITOR"), &s->monitor, err,
		       errlen) < 0 ||
	    parse_debug(env_value(envp, "HERMIT_DEBUG"), s, err, errlen) < 0 ||
	    parse_root(env_value(envp, "HERMIT_ROOT"), &s->root, err, errlen) < 0)
		return -1;
	/* The monitor takes HERMIT_PORT + 1, so the last port cannot be HERMIT_PORT. */
	if (parse_port("HERMIT_PORT", env_value(envp, "HERMIT_PORT"), SETTINGS_PORT_DEFAULT, 65534,
		       &s->port, err, errlen) < 0 ||
	    parse_port("HERMIT_DEBUG_PORT", env_value(envp, "HERMIT_DEBUG_PORT"),
		       SETTINGS_DEBUG_PORT_DEFAULT, 65535, &s->debug_port, err, errlen) < 0)
		return -1;
	if (parse_postmortem(s, envp, err, errlen) < 0 || parse_rr(s, envp, err, errlen) < 0)
		return -1;
	return parse_network(s, envp, err, errlen);
}
