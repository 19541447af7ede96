/*
 * gdb_registers.c: the register packets g, G, p and P.
 *
 * The registers of the thread chosen with Hg (or of the stopped thread) are read whole with the
 * read_regs hook into a struct gdb_regs and converted by walking the architecture's register
 * table: each register is its bytes at table offset, in target (little-endian) order, as hex.
 * A register the kernel marks unavailable travels as 'x' digits. Writes read the file first,
 * merge gdb's values and hand the whole file to write_regs together with the register number
 * (-1 for G).
 */
#include <string.h>

#include "gdb_internal.h"

static struct gdb_regs regs; /* static to spare the stub's stack */

static gdb_tid_t reg_thread(void)
{
	return gdb_sess.g_thread > 0 ? gdb_sess.g_thread : gdb_current_thread();
}

static int load(void)
{
	memset(&regs, 0, sizeof(regs));
	return gdb_sess.ops->read_regs(gdb_sess.ctx, reg_thread(), &regs);
}

static uint8_t *reg_bytes(const struct gdb_reg_desc *r)
{
	return (uint8_t *)&regs + r->offset;
}

static void put_reg(struct gdb_sbuf *sb, const struct gdb_reg_desc *r)
{
	size_t digits = r->bitsize / 4u;

	if (!gdb_arch_reg_available(&regs, r->regnum)) {
		while (digits-- > 0)
			sb_putc(sb, 'x');
		return;
	}
	sb_put_hex_bytes(sb, reg_bytes(r), r->bitsize / 8u);
}

/* One register's value from gdb's hex; all-'x' (unavailable) leaves it as it is. */
static int take_reg(struct rsp_cur *args, const struct gdb_reg_desc *r)
{
	size_t n = r->bitsize / 8u;

	if (rsp_remaining(args) >= 2 * n && args->p[0] == 'x') {
		for (size_t i = 0; i < 2 * n; i++) {
			if (args->p[i] != 'x')
				return GDB_EINVAL;
		}
		args->p += 2 * n;
		return 0;
	}
	if (rsp_parse_hex_bytes(args, reg_bytes(r), n) != 0)
		return GDB_EINVAL;
	regs.unavailable &= ~(UINT64_C(1) << r->regnum);
	return 0;
}

static int parse_regnum(struct rsp_cur *args, const struct gdb_reg_desc **reg)
{
	uint64_t n;

	if (rsp_parse_hex(args, &n) != 0 || n >= gdb_arch_nregs)
		return GDB_EINVAL;
	*reg = &gdb_arch_regs[n];
	return 0;
}

int gdb_cmd_read_regs(struct rsp_cur *args) /* g */
{
	int rc;

	(void)args;
	rc = load();
	if (rc != 0)
		return rc;
	for (size_t i = 0; i < gdb_arch_nregs; i++)
		put_reg(rsp_reply(), &gdb_arch_regs[i]);
	return 0;
}

int gdb_cmd_write_regs(struct rsp_cur *args) /* G XX... */
{
	int rc;

	if (gdb_sess.ops->write_regs == NULL)
		return GDB_ENOTSUP;
	rc = load();
	if (rc != 0)
		return rc;
	for (size_t i = 0; i < gdb_arch_nregs; i++) {
		if (take_reg(args, &gdb_arch_regs[i]) != 0)
			return GDB_EINVAL;
	}
	if (!rsp_at_end(args))
		return GDB_EINVAL;
	rc = gdb_sess.ops->write_regs(gdb_sess.ctx, reg_thread(), &regs, -1);
	if (rc != 0)
		return rc;
	sb_puts(rsp_reply(), "OK");
	return 0;
}

int gdb_cmd_read_reg(struct rsp_cur *args) /* p n */
{
	const struct gdb_reg_desc *r;
	int rc;

	if (parse_regnum(args, &r) != 0 || !rsp_at_end(args))
		return GDB_EINVAL;
	rc = load();
	if (rc != 0)
		return rc;
	put_reg(rsp_reply(), r);
	return 0;
}

int gdb_cmd_write_reg(struct rsp_cur *args) /* P n=XX... */
{
	const struct gdb_reg_desc *r;
	int rc;

	if (parse_regnum(args, &r) != 0 || !rsp_eat(args, '='))
		return GDB_EINVAL;
	if (gdb_sess.ops->write_regs == NULL)
		return GDB_ENOTSUP;
	rc = load();
	if (rc != 0)
		return rc;
	if (take_reg(args, r) != 0 || !rsp_at_end(args))
		return GDB_EINVAL;
	rc = gdb_sess.ops->write_regs(gdb_sess.ctx, reg_thread(), &regs, r->regnum);
	if (rc != 0)
		return rc;
	sb_puts(rsp_reply(), "OK");
	return 0;
}
