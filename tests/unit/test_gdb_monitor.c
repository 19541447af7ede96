/*
 * test_gdb_monitor.c: qRcmd monitor commands: the registry, help, output in 'O' packets.
 */
#include <stdio.h>
#include <string.h>

#include "test_gdb_fake.h"

static char last_args[256];
static int calls;

static int cmd_echo(void *ctx, const char *args)
{
	assert_ptr_equal(ctx, &fake);
	calls++;
	snprintf(last_args, sizeof(last_args), "%s", args);
	gdb_console_puts("echo: ");
	gdb_console_puts(args);
	gdb_console_puts("\n");
	return 0;
}

static int cmd_fail(void *ctx, const char *args)
{
	(void)ctx;
	(void)args;
	gdb_console_puts("it went wrong\n");
	return GDB_EIO;
}

/* Prints 20000 bytes: more than one 'O' packet holds. */
static int cmd_big(void *ctx, const char *args)
{
	char line[100];

	(void)ctx;
	(void)args;
	for (int i = 0; i < 200; i++) {
		snprintf(line, sizeof(line), "%04d %093d\n", i, 0);
		gdb_console_write(line, 99);
		gdb_console_write("!", 1);
	}
	return 0;
}

static const struct gdb_monitor_cmd echo = {"echo", "print the arguments", cmd_echo};
static const struct gdb_monitor_cmd fail = {"fail", "always fails", cmd_fail};
static const struct gdb_monitor_cmd big = {"big-output", "print a lot", cmd_big};

static int setup(void **state)
{
	fake_setup(state);
	calls = 0;
	last_args[0] = '\0';
	assert_int_equal(gdb_monitor_register(&echo), 0);
	assert_int_equal(gdb_monitor_register(&fail), 0);
	assert_int_equal(gdb_monitor_register(&big), 0);
	return 0;
}

/* Send "monitor <line>"; return the console text of the 'O' packets and the final reply. */
static const char *monitor(const char *line, const char **final)
{
	static char text[65536];
	char pkt[1024];
	const struct out_summary *s;
	size_t n = 0;

	strcpy(pkt, "qRcmd,");
	hex_encode(pkt + 6, line, strlen(line));
	out_clear();
	send_packet(pkt);
	s = out_parse();
	assert_int_equal(s->acks, 1);
	assert_true(s->count >= 1);
	for (int i = 0; i < s->count - 1; i++) {
		assert_int_equal(s->pkt[i][0], 'O');
		assert_true(s->len[i] <= GDB_PACKET_MAX);
		n += hex_decode(text + n, s->pkt[i] + 1);
	}
	text[n] = '\0';
	*final = s->pkt[s->count - 1];
	return text;
}

static void test_help_lists_commands(void **state)
{
	const char *final;
	(void)state;

	assert_string_equal(monitor("help", &final),
			    "help        list the monitor commands\n"
			    "echo        print the arguments\n"
			    "fail        always fails\n"
			    "big-output  print a lot\n");
	assert_string_equal(final, "OK");
	/* a bare "monitor" shows help too */
	assert_memory_equal(monitor("", &final), "help ", 5);
	assert_memory_equal(monitor("   ", &final), "help ", 5);
}

static void test_command_gets_its_arguments(void **state)
{
	const char *final;
	(void)state;

	assert_string_equal(monitor("echo  hello   world ", &final), "echo: hello   world \n");
	assert_string_equal(final, "OK");
	assert_string_equal(last_args, "hello   world ");
	assert_string_equal(monitor("\techo", &final), "echo: \n");
	assert_string_equal(last_args, "");
	assert_int_equal(calls, 2);
}

static void test_failing_and_unknown_commands(void **state)
{
	const char *final;
	(void)state;

	assert_string_equal(monitor("fail", &final), "it went wrong\n");
	assert_string_equal(final, "E05");
	assert_string_equal(monitor("nope 1 2", &final),
			    "unknown monitor command 'nope'; try 'monitor help'\n");
	assert_string_equal(final, "E02");
	assert_string_equal(monitor("ech", &final),
			    "unknown monitor command 'ech'; try 'monitor help'\n");
	assert_int_equal(calls, 0);
}

static void test_long_output_is_split(void **state)
{
	const char *final, *text;
	(void)state;

	text = monitor("big-output", &final);
	assert_int_equal(strlen(text), 200 * 100);
	assert_memory_equal(text, "0000 0", 6);
	assert_memory_equal(text + 199 * 100, "0199 0", 6);
	assert_int_equal(text[200 * 100 - 1], '!');
	assert_string_equal(final, "OK");
	assert_true(out_parse()->count >= 4);
}

static void test_malformed_qrcmd(void **state)
{
	(void)state;
	assert_string_equal(transact("qRcmd"), "E16");
	assert_string_equal(transact("qRcmd,6"), "E16");
	assert_string_equal(transact("qRcmd,zz"), "E16");
	assert_int_equal(calls, 0);
	/* a NUL byte ends the line */
	out_clear();
	send_packet("qRcmd,6563686f0041");
	assert_int_equal(out_parse()->count, 2);
	assert_string_equal(out_parse()->pkt[0], "O6563686f3a200a");
	assert_string_equal(out_parse()->pkt[1], "OK");
	assert_string_equal(last_args, "");
}

static void test_registry_rules(void **state)
{
	static const struct gdb_monitor_cmd dup = {"echo", "again", cmd_echo};
	static const struct gdb_monitor_cmd help = {"help", "mine", cmd_echo};
	static const struct gdb_monitor_cmd blank = {"two words", "x", cmd_echo};
	static const struct gdb_monitor_cmd empty = {"", "x", cmd_echo};
	static const struct gdb_monitor_cmd no_fn = {"nofn", "x", NULL};
	static const struct gdb_monitor_cmd no_help = {"nohelp", NULL, cmd_echo};
	static struct gdb_monitor_cmd many[GDB_MONITOR_MAX];
	static char names[GDB_MONITOR_MAX][16];
	int i;
	(void)state;

	assert_int_equal(gdb_monitor_register(&dup), GDB_EEXIST);
	assert_int_equal(gdb_monitor_register(&help), GDB_EEXIST);
	assert_int_equal(gdb_monitor_register(&blank), GDB_EINVAL);
	assert_int_equal(gdb_monitor_register(&empty), GDB_EINVAL);
	assert_int_equal(gdb_monitor_register(&no_fn), GDB_EINVAL);
	assert_int_equal(gdb_monitor_register(&no_help), GDB_EINVAL);
	assert_int_equal(gdb_monitor_register(NULL), GDB_EINVAL);
	for (i = 0; i < GDB_MONITOR_MAX - 3; i++) {
		snprintf(names[i], sizeof(names[i]), "c%d", i);
		many[i] = (struct gdb_monitor_cmd){names[i], "filler", cmd_echo};
		assert_int_equal(gdb_monitor_register(&many[i]), 0);
	}
	snprintf(names[i], sizeof(names[i]), "c%d", i);
	many[i] = (struct gdb_monitor_cmd){names[i], "filler", cmd_echo};
	assert_int_equal(gdb_monitor_register(&many[i]), GDB_ENOSPC);
	/* gdb_init forgets them all */
	fake_init();
	assert_int_equal(gdb_monitor_register(&echo), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_help_lists_commands, setup),
		cmocka_unit_test_setup(test_command_gets_its_arguments, setup),
		cmocka_unit_test_setup(test_failing_and_unknown_commands, setup),
		cmocka_unit_test_setup(test_long_output_is_split, setup),
		cmocka_unit_test_setup(test_malformed_qrcmd, setup),
		cmocka_unit_test_setup(test_registry_rules, setup),
	};
	return cmocka_run_group_tests_name("gdb monitor", tests, NULL, NULL);
}
