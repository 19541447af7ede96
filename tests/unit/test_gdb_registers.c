/*
 * test_gdb_registers.c: g, G, p, P, the register table, target.xml and FXSAVE conversion.
 *
 * The expected wire layout is written out here independently of the engine's table: gdb's amd64
 * order, 560 bytes in all.
 */
#include <stdio.h>
#include <string.h>

#include "test_gdb_fake.h"

enum {
	OFF_RAX = 0, OFF_RBP = 48, OFF_RIP = 128, OFF_EFLAGS = 136, OFF_CS = 140, OFF_SS = 144,
	OFF_ST0 = 164, OFF_FCTRL = 244, OFF_FTAG = 252, OFF_FOP = 272, OFF_XMM0 = 276,
	OFF_MXCSR = 532, OFF_FS_BASE = 536, OFF_GS_BASE = 544, G_BYTES = 552,
};

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)le64((const uint8_t[8]){p[0], p[1], p[2], p[3]});
}

static void test_g_layout(void **state)
{
	static uint8_t bytes[1024];
	const char *r;
	(void)state;

	r = transact("g");
	assert_int_equal(strlen(r), 2 * G_BYTES);
	assert_int_equal(hex_decode(bytes, r), G_BYTES);
	assert_true(le64(bytes + OFF_RAX) == (UINT64_C(1) << 32 | 0x1000));
	assert_true(le64(bytes + OFF_RBP) == (UINT64_C(1) << 32 | 0x1006));
	assert_true(le64(bytes + OFF_RIP) == FAKE_MEM_BASE + 0x101);
	assert_int_equal(le32(bytes + OFF_EFLAGS), 0x246);
	assert_int_equal(le32(bytes + OFF_CS), 0x8);
	assert_int_equal(le32(bytes + OFF_SS), 0x10);
	assert_int_equal(le32(bytes + OFF_FCTRL), 0x37f);
	assert_int_equal(le32(bytes + OFF_FTAG), 0xffff);
	assert_int_equal(bytes[OFF_XMM0 + 16 * 3], 3);
	assert_int_equal(le32(bytes + OFF_MXCSR), 0x1f80);
	assert_true(le64(bytes + OFF_FS_BASE) == 0x7f0000001000);
	assert_true(le64(bytes + OFF_GS_BASE) == 0);
}

static void test_table_matches_struct_and_numbers(void **state)
{
	size_t total = 0;
	(void)state;

	/* the g size equals the sum of the register sizes of target.xml, checked below */
	for (int i = 0; i < GDB_REG_COUNT; i++) {
		char pkt[16], *r;

		sprintf(pkt, "p%x", i);
		r = (char *)transact(pkt);
		total += strlen(r) / 2;
	}
	assert_int_equal(total, G_BYTES);
}

static void test_unavailable_registers_are_x(void **state)
{
	const char *r;
	(void)state;

	fake_thread(1)->regs.unavailable = UINT64_C(1) << GDB_REG_ST0 | UINT64_C(1) << GDB_REG_XMM0;
	r = transact("g");
	assert_int_equal(strlen(r), 2 * G_BYTES);
	for (int i = 0; i < 20; i++)
		assert_int_equal(r[2 * OFF_ST0 + i], 'x');
	assert_true(r[2 * OFF_ST0 + 20] != 'x');
	for (int i = 0; i < 32; i++)
		assert_int_equal(r[2 * OFF_XMM0 + i], 'x');
	assert_string_equal(transact("p28"), "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	/* writing the register makes it known */
	assert_string_equal(transact("P28=000102030405060708090a0b0c0d0e0f"), "OK");
	assert_false(fake_thread(1)->regs.unavailable >> GDB_REG_XMM0 & 1);
	assert_true(fake_thread(1)->regs.unavailable >> GDB_REG_ST0 & 1);
	assert_string_equal(transact("p28"), "000102030405060708090a0b0c0d0e0f");
}

static void test_p_single_registers(void **state)
{
	(void)state;
	assert_string_equal(transact("p0"), "0010000001000000");
	assert_string_equal(transact("p10"), "0101010000000000");
	assert_string_equal(transact("p11"), "46020000");
	assert_string_equal(transact("p18"), "00000000000000000000"); /* st0: 10 bytes */
	assert_string_equal(transact("p39"), "00100000007f0000");     /* fs_base */
	assert_string_equal(transact("p3a"), "0000000000000000");     /* gs_base */
}

static void test_p_bad_numbers(void **state)
{
	(void)state;
	assert_string_equal(transact("p3b"), "E16");
	assert_string_equal(transact("pffffffffffffffffff"), "E16");
	assert_string_equal(transact("p"), "E16");
	assert_string_equal(transact("p1x"), "E16");
	assert_string_equal(transact("p-1"), "E16");
}

static void test_P_writes_one_register(void **state)
{
	(void)state;
	assert_string_equal(transact("P10=efbeadde00000000"), "OK");
	assert_true(fake_thread(1)->regs.rip == 0xdeadbeef);
	assert_int_equal(fake.reg_write_regnum, GDB_REG_RIP);
	assert_int_equal(fake.reg_write_tid, 1);
	assert_string_equal(transact("p10"), "efbeadde00000000");
	assert_string_equal(transact("P11=47020000"), "OK");
	assert_int_equal(fake_thread(1)->regs.eflags, 0x247);
}

static void test_P_bad_input(void **state)
{
	(void)state;
	assert_string_equal(transact("P10=efbe"), "E16");          /* short */
	assert_string_equal(transact("P10=efbeadde0000000000"), "E16"); /* long */
	assert_string_equal(transact("P10efbeadde00000000"), "E16");
	assert_string_equal(transact("P10=zzbeadde00000000"), "E16");
	assert_string_equal(transact("P3b=00000000"), "E16");
	assert_int_equal(fake.reg_writes, 0);
}

static void test_G_round_trip(void **state)
{
	static char g[2 * G_BYTES + 2];
	(void)state;

	snprintf(g, sizeof(g), "G%s", transact("g"));
	memcpy(g + 1 + 2 * OFF_RAX, "8877665544332211", 16);
	assert_string_equal(transact(g), "OK");
	assert_int_equal(fake.reg_write_regnum, -1);
	assert_true(fake_thread(1)->regs.rax == 0x1122334455667788);
	assert_true(fake_thread(1)->regs.rip == FAKE_MEM_BASE + 0x101);
	/* short or long G */
	g[2 * G_BYTES] = '\0';
	assert_string_equal(transact(g), "E16");
	assert_string_equal(transact("G00"), "E16");
}

static void test_G_with_unavailable_register_keeps_it(void **state)
{
	static char g[2 * G_BYTES + 2];
	(void)state;

	fake_thread(1)->regs.unavailable = UINT64_C(1) << GDB_REG_XMM0;
	snprintf(g, sizeof(g), "G%s", transact("g"));
	assert_string_equal(transact(g), "OK");
	assert_true(fake_thread(1)->regs.unavailable >> GDB_REG_XMM0 & 1);
	/* a register half 'x' is malformed */
	memcpy(g + 1 + 2 * OFF_XMM0, "00", 2);
	assert_string_equal(transact(g), "E16");
}

static void test_Hg_selects_the_thread(void **state)
{
	(void)state;
	assert_string_equal(transact("Hg2"), "OK");
	assert_string_equal(transact("p0"), "0010000002000000");
	assert_string_equal(transact("P0=0100000000000000"), "OK");
	assert_int_equal(fake.reg_write_tid, 2);
	assert_true(fake_thread(2)->regs.rax == 1);
	assert_string_equal(transact("Hg0"), "OK");
	assert_string_equal(transact("p0"), "0010000001000000");
	assert_string_equal(transact("Hg63"), "E03");
	assert_string_equal(transact("p0"), "0010000001000000");
}

static void test_thread_gone(void **state)
{
	(void)state;
	assert_string_equal(transact("Hg2"), "OK");
	fake_thread(2)->tid = 99; /* the task ended while gdb looked elsewhere */
	assert_string_equal(transact("g"), "E03");
	assert_string_equal(transact("p0"), "E03");
	assert_string_equal(transact("P0=0000000000000000"), "E03");
	assert_string_equal(transact("G00"), "E03");
}

static void test_no_write_hook(void **state)
{
	struct gdb_stop stop = {.reason = GDB_STOP_SIGNAL, .tid = 1, .signal = GDB_SIGTRAP};
	(void)state;

	fake_reset();
	fake_ops.write_regs = NULL;
	fake_init();
	gdb_report_stop(&stop);
	assert_string_equal(transact("P0=0100000000000000"), "");
	assert_string_equal(transact("G00"), "");
	assert_string_equal(transact("c10000"), ""); /* resuming elsewhere needs write_regs */
	assert_int_equal(fake.resumes, 0);
}

/* ---- target.xml ---- */

static const char *read_target_xml(size_t chunk, size_t *len)
{
	static char doc[16384];
	size_t off = 0;

	for (;;) {
		char pkt[64];
		size_t n;
		const char *r;

		sprintf(pkt, "qXfer:features:read:target.xml:%zx,%zx", off, chunk);
		r = transact_n(pkt, strlen(pkt), &n);
		assert_true(r[0] == 'm' || r[0] == 'l');
		assert_true(n - 1 <= chunk);
		assert_true(off + n - 1 < sizeof(doc));
		memcpy(doc + off, r + 1, n - 1);
		off += n - 1;
		if (r[0] == 'l')
			break;
	}
	doc[off] = '\0';
	*len = off;
	return doc;
}

/* Elements nest properly, and every tag closes. */
static void assert_xml_balanced(const char *doc)
{
	char stack[32][32];
	int depth = 0;

	for (const char *p = strchr(doc, '<'); p != NULL; p = strchr(p + 1, '<')) {
		const char *end = strchr(p, '>');
		size_t n;

		assert_non_null(end);
		if (p[1] == '?' || p[1] == '!')
			continue;
		if (p[1] == '/') {
			assert_true(depth > 0);
			depth--;
			n = strlen(stack[depth]);
			assert_memory_equal(p + 2, stack[depth], n);
			assert_int_equal(p[2 + n], '>');
			continue;
		}
		if (end[-1] == '/')
			continue;
		n = strcspn(p + 1, " >");
		assert_true(n < 32 && depth < 32);
		memcpy(stack[depth], p + 1, n);
		stack[depth++][n] = '\0';
	}
	assert_int_equal(depth, 0);
}

static void test_target_xml_content(void **state)
{
	static const char *const names[GDB_REG_COUNT] = {
		"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11",
		"r12", "r13", "r14", "r15", "rip", "eflags", "cs", "ss", "ds", "es", "fs", "gs",
		"st0", "st1", "st2", "st3", "st4", "st5", "st6", "st7", "fctrl", "fstat", "ftag",
		"fiseg", "fioff", "foseg", "fooff", "fop", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4",
		"xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14",
		"xmm15", "mxcsr", "fs_base", "gs_base"};
	const char *doc, *p, *core, *sse, *seg;
	size_t len, bytes = 0;
	(void)state;

	doc = read_target_xml(0x3fff, &len);
	assert_int_equal(strlen(doc), len);
	assert_xml_balanced(doc);
	assert_non_null(strstr(doc, "<architecture>i386:x86-64</architecture>"));
	core = strstr(doc, "<feature name=\"org.gnu.gdb.i386.core\">");
	sse = strstr(doc, "<feature name=\"org.gnu.gdb.i386.sse\">");
	seg = strstr(doc, "<feature name=\"org.gnu.gdb.i386.segments\">");
	assert_true(core != NULL && sse > core && seg > sse);
	assert_null(strstr(doc, "linux"));
	/* every register, in gdb's order, with its number; sizes add up to the g packet */
	p = doc;
	for (int i = 0; i < GDB_REG_COUNT; i++) {
		char want[64];
		unsigned bits, num;
		const char *q;

		sprintf(want, "<reg name=\"%s\" bitsize=\"", names[i]);
		q = strstr(p, want);
		assert_non_null(q);
		assert_int_equal(sscanf(q + strlen(want), "%u", &bits), 1);
		assert_non_null(strstr(q, "regnum=\""));
		assert_int_equal(sscanf(strstr(q, "regnum=\"") + 8, "%u", &num), 1);
		assert_int_equal(num, i);
		assert_true(q < strchr(strstr(q, "regnum"), '>'));
		assert_true((i < GDB_REG_XMM0) == (q < sse));
		assert_true((i >= GDB_REG_FS_BASE) == (q > seg));
		bytes += bits / 8;
		p = q + 1;
	}
	assert_int_equal(bytes, G_BYTES);
	/* the types the registers use are defined */
	assert_non_null(strstr(doc, "<flags id=\"i386_eflags\" size=\"4\">"));
	assert_non_null(strstr(doc, "<union id=\"vec128\">"));
	assert_non_null(strstr(doc, "<flags id=\"i386_mxcsr\" size=\"4\">"));
}

static void test_target_xml_in_chunks(void **state)
{
	static char whole[16384];
	size_t len, len2;
	(void)state;

	strcpy(whole, read_target_xml(0x3fff, &len));
	assert_string_equal(read_target_xml(0x100, &len2), whole);
	assert_string_equal(read_target_xml(7, &len2), whole);
	assert_int_equal(len, len2);
}

static void test_target_xml_edges(void **state)
{
	(void)state;
	assert_string_equal(transact("qXfer:features:read:target.xml:ffff,100"), "l");
	assert_string_equal(transact("qXfer:features:read:target.xml:ffffffffffffffff,100"), "l");
	assert_string_equal(transact("qXfer:features:read:target.xml:0,1"), "m<");
	assert_string_equal(transact("qXfer:features:read:other.xml:0,100"), "E02");
	assert_string_equal(transact("qXfer:features:read:target.xml:0"), "E16");
	assert_string_equal(transact("qXfer:features:read:target.xml:,1"), "E16");
	assert_string_equal(transact("qXfer:features:read"), "E16");
	assert_string_equal(transact("qXfer:features:write:target.xml:0:abc"), "");
	assert_string_equal(transact("qXfer:auxv:read::0,100"), "");
}

/* ---- FXSAVE ---- */

static void test_fxsave_conversion(void **state)
{
	static uint8_t fx[512], back[512];
	struct gdb_regs r;
	(void)state;

	memset(&r, 0, sizeof(r));
	fx[0] = 0x7f; fx[1] = 0x03;  /* fcw */
	fx[2] = 0x00; fx[3] = 0x30;  /* fsw: top = 6 */
	fx[4] = 0xc0;                /* physical 6 and 7 in use: st0 and st1 */
	fx[6] = 0xff; fx[7] = 0xff;  /* fop: 11 bits kept */
	fx[8] = 0x44; fx[9] = 0x33; fx[10] = 0x22; fx[11] = 0x11; /* fip */
	fx[12] = 0x08;               /* fcs */
	fx[16] = 0x88; fx[17] = 0x77; /* fdp */
	fx[20] = 0x10;               /* fds */
	fx[24] = 0x80; fx[25] = 0x1f; /* mxcsr */
	fx[32 + 7] = 0x80; fx[32 + 8] = 0xff; fx[32 + 9] = 0x3f; /* st0 = 1.0 */
	/* st1 = +0.0: all zero */
	for (int i = 0; i < 16; i++)
		fx[160 + 16 * 5 + i] = (uint8_t)(0xa0 + i); /* xmm5 */
	gdb_regs_from_fxsave(&r, fx);
	assert_int_equal(r.fctrl, 0x37f);
	assert_int_equal(r.fstat, 0x3000);
	assert_int_equal(r.ftag, 0x4fff); /* p0-5 empty, p6 valid, p7 zero */
	assert_int_equal(r.fop, 0x7ff);
	assert_int_equal(r.fioff, 0x11223344);
	assert_int_equal(r.fiseg, 8);
	assert_int_equal(r.fooff, 0x7788);
	assert_int_equal(r.foseg, 0x10);
	assert_int_equal(r.mxcsr, 0x1f80);
	assert_int_equal(r.st[0][9], 0x3f);
	assert_int_equal(r.xmm[5][15], 0xaf);
	memset(back, 0x5a, sizeof(back));
	gdb_regs_to_fxsave(&r, back);
	assert_int_equal(back[4], 0xc0);
	assert_int_equal(back[5], 0x5a); /* untouched */
	assert_int_equal(back[6], 0xff);
	assert_int_equal(back[7], 0x07);
	assert_memory_equal(back + 32, fx + 32, 10);
	assert_int_equal(back[32 + 10], 0x5a); /* the slot's padding is left alone */
	assert_memory_equal(back + 160, fx + 160, 256);
	assert_memory_equal(back + 24, fx + 24, 4);
}

static void test_fxsave_special_tags(void **state)
{
	static uint8_t fx[512];
	struct gdb_regs r;
	(void)state;

	fx[4] = 0x0f; /* top 0: st0..st3 = physical 0..3 */
	/* st0: infinity (exponent all ones) */
	fx[32 + 7] = 0x80; fx[32 + 8] = 0xff; fx[32 + 9] = 0x7f;
	/* st1: denormal (exponent 0, mantissa not 0) */
	fx[48 + 0] = 1;
	/* st2: unnormal (integer bit clear, exponent non-zero) */
	fx[64 + 8] = 1;
	/* st3: valid 2.0 */
	fx[80 + 7] = 0x80; fx[80 + 8] = 0x00; fx[80 + 9] = 0x40;
	gdb_regs_from_fxsave(&r, fx);
	assert_int_equal(r.ftag, 0xff00 | 0 << 6 | 2 << 4 | 2 << 2 | 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_g_layout, fake_setup),
		cmocka_unit_test_setup(test_table_matches_struct_and_numbers, fake_setup),
		cmocka_unit_test_setup(test_unavailable_registers_are_x, fake_setup),
		cmocka_unit_test_setup(test_p_single_registers, fake_setup),
		cmocka_unit_test_setup(test_p_bad_numbers, fake_setup),
		cmocka_unit_test_setup(test_P_writes_one_register, fake_setup),
		cmocka_unit_test_setup(test_P_bad_input, fake_setup),
		cmocka_unit_test_setup(test_G_round_trip, fake_setup),
		cmocka_unit_test_setup(test_G_with_unavailable_register_keeps_it, fake_setup),
		cmocka_unit_test_setup(test_Hg_selects_the_thread, fake_setup),
		cmocka_unit_test_setup(test_thread_gone, fake_setup),
		cmocka_unit_test_setup(test_no_write_hook, fake_setup),
		cmocka_unit_test_setup(test_target_xml_content, fake_setup),
		cmocka_unit_test_setup(test_target_xml_in_chunks, fake_setup),
		cmocka_unit_test_setup(test_target_xml_edges, fake_setup),
		cmocka_unit_test(test_fxsave_conversion),
		cmocka_unit_test(test_fxsave_special_tags),
	};
	return cmocka_run_group_tests_name("gdb registers", tests, NULL, NULL);
}
