/*
 * gdb_memory.c: the memory packets m, M, X, x and the one accessor they share.
 *
 * Every access to target memory goes through gdb_mem_read() / gdb_mem_write(), which refuse a
 * range that wraps around the top of the address space or exceeds the engine's buffer, and check
 * what the kernel's hook returns. The kernel's hooks in turn check every page (gdbstub.h).
 *
 * Reads are clamped, never refused for their size: gdb accepts a shorter reply and asks for the
 * rest, so "m0,ffffffffffffffff" reads GDB_MEM_READ_MAX bytes. A read that runs into an unmapped
 * page returns the bytes before it; one that cannot read its first byte is an error (E0e).
 *
 *	m addr,len        -> hex bytes          M addr,len:hex  -> OK
 *	x addr,len        -> 'b' binary bytes   X addr,len:bin  -> OK  (binary '}'-escaped)
 */
#include <string.h>

#include "gdb_internal.h"

static uint8_t scratch[GDB_PACKET_MAX];

/* The bytes from addr to the top of the address space, capped at max. */
static size_t clamp(uint64_t addr, uint64_t len, size_t max)
{
	uint64_t to_top = addr == 0 ? UINT64_MAX : 0 - addr;

	if (len > to_top)
		len = to_top;
	return len > max ? max : (size_t)len;
}

static int check_range(uint64_t addr, size_t len)
{
	if (len > GDB_PACKET_MAX)
		return GDB_EINVAL;
	if (addr + (len - 1) < addr)
		return GDB_EFAULT; /* wraps around */
	return 0;
}

int gdb_mem_read(uint64_t addr, void *buf, size_t len)
{
	int rc;

	if (len == 0)
		return 0;
	rc = check_range(addr, len);
	if (rc != 0)
		return rc;
	rc = gdb_sess.ops->read_mem(gdb_sess.ctx, addr, buf, len);
	if (rc == 0)
		return GDB_EFAULT;
	if (rc > 0 && (size_t)rc > len)
		return GDB_EIO; /* the hook claims more than was asked */
	return rc;
}

int gdb_mem_write(uint64_t addr, const void *buf, size_t len)
{
	int rc;

	if (gdb_sess.ops->write_mem == NULL)
		return GDB_ENOTSUP;
	if (len == 0)
		return 0;
	rc = check_range(addr, len);
	if (rc != 0)
		return rc;
	rc = gdb_sess.ops->write_mem(gdb_sess.ctx, addr, buf, len);
	return rc > 0 ? GDB_EIO : rc;
}

static int parse_range(struct rsp_cur *args, uint64_t *addr, uint64_t *len)
{
	if (rsp_parse_hex(args, addr) != 0 || !rsp_eat(args, ',') || rsp_parse_hex(args, len) != 0)
		return GDB_EINVAL;
	return 0;
}

int gdb_cmd_mem_read(struct rsp_cur *args) /* m addr,len */
{
	uint64_t addr, len;
	int n;

	if (parse_range(args, &addr, &len) != 0 || !rsp_at_end(args))
		return GDB_EINVAL;
	n = gdb_mem_read(addr, scratch, clamp(addr, len, GDB_MEM_READ_MAX));
	if (n < 0)
		return n;
	sb_put_hex_bytes(rsp_reply(), scratch, (size_t)n);
	return 0;
}

int gdb_cmd_mem_read_bin(struct rsp_cur *args) /* x addr,len (gdb 16 and lldb) */
{
	uint64_t addr, len;
	int n;

	if (parse_range(args, &addr, &len) != 0 || !rsp_at_end(args))
		return GDB_EINVAL;
	n = gdb_mem_read(addr, scratch, clamp(addr, len, GDB_MEM_READ_MAX));
	if (n < 0)
		return n;
	sb_putc(rsp_reply(), 'b');
	sb_put_binary(rsp_reply(), scratch, (size_t)n);
	return 0;
}

int gdb_cmd_mem_write(struct rsp_cur *args) /* M addr,len:hex */
{
	uint64_t addr, len;
	int rc;

	if (parse_range(args, &addr, &len) != 0 || !rsp_eat(args, ':'))
		return GDB_EINVAL;
	if (len > sizeof(scratch) || rsp_remaining(args) != 2 * len ||
	    rsp_parse_hex_bytes(args, scratch, (size_t)len) != 0)
		return GDB_EINVAL;
	rc = gdb_mem_write(addr, scratch, (size_t)len);
	if (rc != 0)
		return rc;
	sb_puts(rsp_reply(), "OK");
	return 0;
}

int gdb_cmd_mem_write_bin(struct rsp_cur *args) /* X addr,len:binary; "X addr,0:" probes */
{
	uint64_t addr, len;
	int n, rc;

	if (parse_range(args, &addr, &len) != 0 || !rsp_eat(args, ':'))
		return GDB_EINVAL;
	if (gdb_sess.ops->write_mem == NULL)
		return GDB_ENOTSUP;
	n = rsp_parse_binary(args, scratch, sizeof(scratch));
	if (n < 0 || (uint64_t)n != len)
		return GDB_EINVAL;
	rc = gdb_mem_write(addr, scratch, (size_t)n);
	if (rc != 0)
		return rc;
	sb_puts(rsp_reply(), "OK");
	return 0;
}
