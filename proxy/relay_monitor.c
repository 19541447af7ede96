/*
 * relay_monitor.c: the proxy's own monitor commands, which the relay answers (qRcmd) instead of
 * the stub: `fastmem` switches the fast path (relay_fast.c: memory reads, kept replies) off and on,
 * so that a test or a doubtful user can compare its answers with the stub's own; `relay-stats` says how many packets
 * went where and where the time went. `monitor help` lists them before the kernel's commands.
 */
#include <stdio.h>

#include "gdbstub/rsp_text.h"
#include "relay.h"

static const struct {
	const char *name, *help;
} commands[] = {
	{ "fastmem", "[on|off]: the proxy answers memory reads and kept replies (on), or the stub all" },
	{ "relay-stats", "[reset]: packets relayed and answered, time in the guest, relay and gdb" },
};

/* Text for gdb's console: an 'O' packet. */
static void say(struct relay *r, const char *text)
{
	char buf[1 + 2 * 1024];
	struct gdb_sbuf sb;

	sb_init(&sb, buf, sizeof(buf));
	sb_putc(&sb, 'O');
	sb_put_hex_bytes(&sb, text, strlen(text));
	relay_to_gdb_packet(r, buf, sb.len);
}

static void help(struct relay *r)
{
	char line[160];

	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		snprintf(line, sizeof(line), "%-13s%s (the proxy's)\n", commands[i].name, commands[i].help);
		say(r, line);
	}
}

static void fastmem(struct relay *r, const char *arg)
{
	if (strcmp(arg, "on") == 0)
		r->fast.off = false;
	else if (strcmp(arg, "off") == 0)
		r->fast.off = true;
	else if (arg[0])
		say(r, "usage: monitor fastmem [on|off]\n");
	say(r, r->fast.off ? "fastmem: off, the stub answers every packet\n"
			   : "fastmem: on, the proxy reads memory for gdb while the guest is stopped\n");
}

static void relay_stats(struct relay *r, const char *arg)
{
	char text[512];

	relay_stats_text(&r->fast.stats, text, sizeof(text));
	say(r, text);
	if (strcmp(arg, "reset") == 0)
		memset(&r->fast.stats, 0, sizeof(r->fast.stats));
}

bool relay_monitor(struct relay *r, const char *p, size_t len)
{
	struct rsp_cur c = { p + 6, p + len }; /* after "qRcmd," */
	size_t n = rsp_remaining(&c) / 2, word;
	char line[64];

	if (n >= sizeof(line) || rsp_remaining(&c) % 2 || rsp_parse_hex_bytes(&c, line, n) != 0)
		return false;
	line[n] = '\0';
	word = strcspn(line, " ");
	if (strcmp(line, "help") == 0) {
		help(r);
		return false; /* the stub lists the kernel's commands and ends the answer */
	}
	if (word == 7 && memcmp(line, "fastmem", 7) == 0)
		fastmem(r, line + word + strspn(line + word, " "));
	else if (word == 11 && memcmp(line, "relay-stats", 11) == 0)
		relay_stats(r, line + word + strspn(line + word, " "));
	else
		return false;
	relay_reply(r, "OK");
	return true;
}
