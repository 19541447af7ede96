/*
 * gdb_monitor.c: monitor commands (qRcmd) and text for gdb's console ('O' packets).
 *
 * The kernel registers commands with gdb_monitor_register(); "monitor <name> <args>" in gdb
 * arrives as qRcmd,<hex of the line>, runs the command's fn, and answers OK (or Exx when fn
 * fails). While fn runs, gdb_console_write() collects its output and sends it as 'O' packets of
 * hex text whenever a packet's worth has gathered, and the rest before the final OK. "help" is
 * built in and lists every command with its help line.
 *
 * Outside a monitor command, console text is sent at once while the target runs under gdb (gdb
 * prints 'O' packets while it waits for a stop) and dropped otherwise.
 */
#include <string.h>

#include "gdb_internal.h"

static struct {
	const struct gdb_monitor_cmd *cmd[GDB_MONITOR_MAX];
	size_t count;
} reg;

static struct {
	bool in_command;
	char buf[(GDB_PACKET_MAX - 1) / 2]; /* 'O' + two hex digits per byte fill one packet */
	size_t len;
	char line[GDB_PACKET_MAX / 2 + 1];  /* the decoded command line */
} con;

void gdb_monitor_reset(void)
{
	reg.count = 0;
	con.in_command = false;
	con.len = 0;
}

static const struct gdb_monitor_cmd *find(const char *name, size_t len)
{
	for (size_t i = 0; i < reg.count; i++) {
		if (strlen(reg.cmd[i]->name) == len && memcmp(reg.cmd[i]->name, name, len) == 0)
			return reg.cmd[i];
	}
	return NULL;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

int gdb_monitor_register(const struct gdb_monitor_cmd *cmd)
{
	size_t len;

	if (cmd == NULL || cmd->name == NULL || cmd->help == NULL || cmd->fn == NULL)
		return GDB_EINVAL;
	len = strlen(cmd->name);
	if (len == 0)
		return GDB_EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (is_blank(cmd->name[i]))
			return GDB_EINVAL;
	}
	if ((len == 4 && memcmp(cmd->name, "help", 4) == 0) || find(cmd->name, len) != NULL)
		return GDB_EEXIST;
	if (reg.count == GDB_MONITOR_MAX)
		return GDB_ENOSPC;
	reg.cmd[reg.count++] = cmd;
	return 0;
}

/* ---- console output ---- */

static void flush_console(void)
{
	if (con.len == 0)
		return;
	rsp_reply_begin();
	sb_putc(rsp_reply(), 'O');
	sb_put_hex_bytes(rsp_reply(), con.buf, con.len);
	rsp_reply_send();
	con.len = 0;
}

void gdb_console_write(const char *text, size_t len)
{
	bool gdb_listens = gdb_sess.state == GDB_STATE_RUNNING && !gdb_sess.attach_pending;

	if (gdb_sess.ops == NULL || text == NULL || (!con.in_command && !gdb_listens))
		return;
	while (len > 0) {
		size_t n = sizeof(con.buf) - con.len;

		if (n > len)
			n = len;
		memcpy(con.buf + con.len, text, n);
		con.len += n;
		text += n;
		len -= n;
		if (con.len == sizeof(con.buf))
			flush_console();
	}
	if (!con.in_command)
		flush_console();
}

void gdb_console_puts(const char *text)
{
	if (text != NULL)
		gdb_console_write(text, strlen(text));
}

/* ---- commands ---- */

static void put_help_line(const char *name, const char *help, size_t width)
{
	size_t n = strlen(name);

	gdb_console_puts(name);
	while (n++ < width + 2)
		gdb_console_write(" ", 1);
	gdb_console_puts(help);
	gdb_console_write("\n", 1);
}

static int help(void)
{
	size_t width = 4; /* "help" */

	for (size_t i = 0; i < reg.count; i++) {
		if (strlen(reg.cmd[i]->name) > width)
			width = strlen(reg.cmd[i]->name);
	}
	put_help_line("help", "list the monitor commands", width);
	for (size_t i = 0; i < reg.count; i++)
		put_help_line(reg.cmd[i]->name, reg.cmd[i]->help, width);
	return 0;
}

/* Split "  name  args" and run it. */
static int run_line(char *line)
{
	const struct gdb_monitor_cmd *cmd;
	char *name, *args;
	size_t len;

	for (name = line; is_blank(*name); name++)
		;
	for (args = name; *args != '\0' && !is_blank(*args); args++)
		;
	len = (size_t)(args - name);
	while (is_blank(*args))
		args++;
	if (len == 0 || (len == 4 && memcmp(name, "help", 4) == 0))
		return help();
	cmd = find(name, len);
	if (cmd == NULL) {
		gdb_console_puts("unknown monitor command '");
		gdb_console_write(name, len);
		gdb_console_puts("'; try 'monitor help'\n");
		return GDB_ENOENT;
	}
	return cmd->fn(gdb_sess.ctx, args);
}

int gdb_cmd_monitor(struct rsp_cur *args) /* qRcmd,hex */
{
	size_t n;
	int rc;

	if (!rsp_eat(args, ',') || rsp_remaining(args) % 2 != 0)
		return GDB_EINVAL;
	n = rsp_remaining(args) / 2;
	if (n >= sizeof(con.line) || rsp_parse_hex_bytes(args, con.line, n) != 0)
		return GDB_EINVAL;
	con.line[n] = '\0';
	con.in_command = true;
	con.len = 0;
	rc = run_line(con.line);
	flush_console();
	con.in_command = false;
	rsp_reply_begin();
	if (rc == 0)
		sb_puts(rsp_reply(), "OK");
	return rc;
}
