/* Unit tests of proxy/image.c on synthetic ELF files built in memory. */
#include <elf.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "proxy.h"

#define LOAD_ADDR 0x100000ULL
#define LOAD_MEMSZ 0x10000ULL
#define ANCHOR (LOAD_ADDR + 0x2000)
#define NOTES_OFF (sizeof(Elf64_Ehdr) + 2 * sizeof(Elf64_Phdr))

/* A 4 KiB file: ELF header, PT_LOAD at LOAD_ADDR, PT_NOTE holding a GNU note then the anchor. */
struct img {
	_Alignas(8) uint8_t b[4096];
	size_t len;
};

static Elf64_Ehdr *eh(struct img *i)
{
	return (Elf64_Ehdr *)i->b;
}

static Elf64_Phdr *ph(struct img *i, int n)
{
	return (Elf64_Phdr *)(i->b + sizeof(Elf64_Ehdr)) + n;
}

static size_t align_to(size_t v, size_t a)
{
	return (v + a - 1) / a * a;
}

/* Writes one note at off; returns its aligned size. */
static size_t put_note(struct img *i, size_t off, const void *name, uint32_t namesz, uint32_t type,
		       const void *desc, uint32_t descsz, size_t align)
{
	uint32_t hdr[3] = { namesz, descsz, type };
	size_t name_off = off + 12, desc_off = name_off + align_to(namesz, align);

	memcpy(i->b + off, hdr, sizeof(hdr));
	memcpy(i->b + name_off, name, namesz);
	memcpy(i->b + desc_off, desc, descsz);
	return desc_off + align_to(descsz, align) - off;
}

static void make(struct img *i, size_t align)
{
	static const uint8_t build_id[20] = { 1, 2, 3 };
	uint64_t anchor = ANCHOR;
	size_t notes;

	memset(i, 0, sizeof(*i));
	i->len = sizeof(i->b);
	memcpy(eh(i)->e_ident, ELFMAG, SELFMAG);
	eh(i)->e_ident[EI_CLASS] = ELFCLASS64;
	eh(i)->e_ident[EI_DATA] = ELFDATA2LSB;
	eh(i)->e_ident[EI_VERSION] = EV_CURRENT;
	eh(i)->e_ident[EI_OSABI] = HERMIT_ELFOSABI;
	eh(i)->e_type = ET_EXEC;
	eh(i)->e_machine = EM_X86_64;
	eh(i)->e_version = EV_CURRENT;
	eh(i)->e_entry = LOAD_ADDR;
	eh(i)->e_phoff = sizeof(Elf64_Ehdr);
	eh(i)->e_ehsize = sizeof(Elf64_Ehdr);
	eh(i)->e_phentsize = sizeof(Elf64_Phdr);
	eh(i)->e_phnum = 2;
	*ph(i, 0) = (Elf64_Phdr){ .p_type = PT_LOAD, .p_offset = 0, .p_vaddr = LOAD_ADDR,
				  .p_paddr = LOAD_ADDR, .p_filesz = i->len, .p_memsz = LOAD_MEMSZ,
				  .p_align = 0x1000 };
	notes = put_note(i, NOTES_OFF, "GNU", 4, NT_GNU_BUILD_ID, build_id, 20, align);
	notes += put_note(i, NOTES_OFF + notes, HERMIT_NOTE_NAME, 7, HERMIT_NOTE_ANCHOR, &anchor, 8,
			  align);
	*ph(i, 1) = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = NOTES_OFF, .p_vaddr = LOAD_ADDR +
				  NOTES_OFF, .p_filesz = notes, .p_memsz = notes, .p_align = align };
}

static char why[256];

static int check(struct img *i, struct image *out)
{
	why[0] = '\0';
	return image_check(i->b, i->len, out, why, sizeof(why));
}

static void expect_reason(struct img *i, const char *reason)
{
	struct image out = { .anchor = 0xdead };

	assert_int_equal(check(i, &out), -1);
	assert_string_equal(why, reason);
	assert_int_equal(out.anchor, 0xdead);
}

static void test_good_image(void **state)
{
	(void)state;
	struct img i;
	struct image out;

	make(&i, 4);
	assert_int_equal(check(&i, &out), 0);
	assert_int_equal(out.anchor, ANCHOR);
}

static void test_eight_byte_aligned_notes(void **state)
{
	(void)state;
	struct img i;
	struct image out;

	/* With p_align 8 the anchor's descriptor starts after 8-byte padding of "Hermit\0". */
	make(&i, 8);
	assert_int_equal(check(&i, &out), 0);
	assert_int_equal(out.anchor, ANCHOR);
}

static void test_not_elf(void **state)
{
	(void)state;
	struct img i;

	make(&i, 4);
	i.b[1] = 'X';
	expect_reason(&i, "not an ELF file");
	make(&i, 4);
	i.len = 3;
	expect_reason(&i, "not an ELF file");
	i.len = 0;
	expect_reason(&i, "not an ELF file");
}

static void test_ident(void **state)
{
	(void)state;
	struct img i;

	make(&i, 4);
	i.b[EI_CLASS] = ELFCLASS32;
	expect_reason(&i, "not a 64-bit ELF file");
	make(&i, 4);
	i.b[EI_DATA] = ELFDATA2MSB;
	expect_reason(&i, "not a little-endian ELF file");
	make(&i, 4);
	i.len = sizeof(Elf64_Ehdr) - 1;
	expect_reason(&i, "truncated ELF header");
}

static void test_machine_osabi_type(void **state)
{
	(void)state;
	struct img i;

	make(&i, 4);
	eh(&i)->e_machine = EM_AARCH64;
	expect_reason(&i, "built for ELF machine 183, not x86_64");
	make(&i, 4);
	eh(&i)->e_ident[EI_OSABI] = ELFOSABI_SYSV;
	expect_reason(&i, "EI_OSABI is 0x00, expected 0x42");
	make(&i, 4);
	eh(&i)->e_ident[EI_OSABI] = ELFOSABI_LINUX;
	expect_reason(&i, "EI_OSABI is 0x03, expected 0x42");
	make(&i, 4);
	eh(&i)->e_type = ET_DYN;
	expect_reason(&i, "ELF type 3, expected an executable (ET_EXEC)");
	make(&i, 4);
	eh(&i)->e_type = ET_REL;
	expect_reason(&i, "ELF type 1, expected an executable (ET_EXEC)");
}

static void test_program_headers(void **state)
{
	(void)state;
	struct img i;

	make(&i, 4);
	eh(&i)->e_phentsize = 32;
	expect_reason(&i, "program header size 32, expected 56");
	make(&i, 4);
	eh(&i)->e_phoff = i.len - sizeof(Elf64_Phdr);
	expect_reason(&i, "program headers lie outside the file");
	make(&i, 4);
	eh(&i)->e_phoff = UINT64_MAX - 8; /* offset + size would wrap */
	expect_reason(&i, "program headers lie outside the file");
	make(&i, 4);
	eh(&i)->e_phnum = 0xffff;
	expect_reason(&i, "program headers lie outside the file");
	make(&i, 4);
	eh(&i)->e_phnum = 0;
	expect_reason(&i, "no \"Hermit\" anchor note");
}

static void test_missing_or_wrong_note(void **state)
{
	(void)state;
	struct img i;
	size_t hermit = NOTES_OFF + 12 + 4 + 20; /* after the GNU note */

	make(&i, 4);
	ph(&i, 1)->p_type = PT_NULL;
	expect_reason(&i, "no \"Hermit\" anchor note");
	make(&i, 4);
	i.b[hermit + 12 + 5] = 'x'; /* "Hermix" */
	expect_reason(&i, "no \"Hermit\" anchor note");
	make(&i, 4);
	i.b[hermit + 8] = 2; /* type */
	expect_reason(&i, "no \"Hermit\" anchor note");
	make(&i, 4);
	i.b[hermit] = 6; /* namesz without the NUL: not the same name */
	expect_reason(&i, "no \"Hermit\" anchor note");
	make(&i, 4);
	/* The segment ends before the anchor note: only the GNU note is seen. */
	ph(&i, 1)->p_filesz = hermit - NOTES_OFF;
	expect_reason(&i, "no \"Hermit\" anchor note");
}

static void test_malformed_notes(void **state)
{
	(void)state;
	struct img i;
	size_t hermit = NOTES_OFF + 12 + 4 + 20;

	make(&i, 4);
	i.b[hermit + 4] = 4; /* descsz 4 */
	expect_reason(&i, "the anchor note holds 4 bytes, expected 8");
	make(&i, 4);
	memset(i.b + NOTES_OFF, 0xff, 4); /* namesz 0xffffffff */
	expect_reason(&i, "a note runs past the end of its segment");
	make(&i, 4);
	memset(i.b + NOTES_OFF + 4, 0xff, 4); /* descsz 0xffffffff */
	expect_reason(&i, "a note runs past the end of its segment");
	make(&i, 4);
	ph(&i, 1)->p_filesz -= 4; /* the anchor's descriptor is cut */
	expect_reason(&i, "a note runs past the end of its segment");
	make(&i, 4);
	ph(&i, 1)->p_offset = i.len - 8;
	expect_reason(&i, "a note segment lies outside the file");
	make(&i, 4);
	ph(&i, 1)->p_offset = UINT64_MAX - 4;
	expect_reason(&i, "a note segment lies outside the file");
}

static void set_anchor(struct img *i, uint64_t anchor)
{
	size_t hermit = NOTES_OFF + 12 + 4 + 20;

	memcpy(i->b + hermit + 12 + 8, &anchor, sizeof(anchor));
}

static void test_anchor_must_be_loaded(void **state)
{
	(void)state;
	struct img i;
	struct image out;
	char msg[128];

	make(&i, 4);
	set_anchor(&i, 0x1000);
	expect_reason(&i, "the anchor 0x1000 is not in a loaded segment");
	/* The whole struct must fit: the last byte of the segment is not enough. */
	make(&i, 4);
	set_anchor(&i, LOAD_ADDR + LOAD_MEMSZ - sizeof(struct hermit_anchor) + 1);
	snprintf(msg, sizeof(msg), "the anchor 0x%llx is not in a loaded segment",
		 LOAD_ADDR + LOAD_MEMSZ - sizeof(struct hermit_anchor) + 1);
	expect_reason(&i, msg);
	make(&i, 4);
	set_anchor(&i, UINT64_MAX - 4);
	expect_reason(&i, "the anchor 0xfffffffffffffffb is not in a loaded segment");
	/* In .bss (beyond p_filesz, within p_memsz) is fine: the kernel zero-fills it. */
	make(&i, 4);
	set_anchor(&i, LOAD_ADDR + LOAD_MEMSZ - sizeof(struct hermit_anchor));
	assert_int_equal(check(&i, &out), 0);
	assert_int_equal(out.anchor, LOAD_ADDR + LOAD_MEMSZ - sizeof(struct hermit_anchor));
	/* A PT_NOTE or other segment does not count as loaded. */
	make(&i, 4);
	ph(&i, 0)->p_type = PT_NULL;
	snprintf(msg, sizeof(msg), "the anchor 0x%llx is not in a loaded segment", ANCHOR);
	expect_reason(&i, msg);
}

static void test_every_truncation_is_refused(void **state)
{
	(void)state;
	struct img i;
	struct image out;

	/* No prefix of the file that stops inside the headers or the notes may pass or crash. */
	make(&i, 4);
	size_t end = NOTES_OFF + ph(&i, 1)->p_filesz;
	for (size_t len = 0; len < end; len++) {
		uint8_t *copy = malloc(len ? len : 1);
		memcpy(copy, i.b, len);
		if (image_check(copy, len, &out, why, sizeof(why)) == 0)
			fail_msg("accepted a file cut at %zu bytes", len);
		free(copy);
	}
}

/* ---- image_load on real files ---- */

static char tmpdir[64];

static int make_tmpdir(void **state)
{
	(void)state;
	strcpy(tmpdir, "/tmp/test_proxy_image.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
	(void)state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *path, const void *bytes, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, bytes, len), (ssize_t)len);
	close(fd);
}

static void test_load(void **state)
{
	(void)state;
	char path[128], err[512], expect[512];
	struct image out;
	struct img i;

	make(&i, 4);
	snprintf(path, sizeof(path), "%s/good", tmpdir);
	write_file(path, i.b, i.len);
	assert_int_equal(image_load(path, &out, err, sizeof(err)), 0);
	assert_int_equal(out.anchor, ANCHOR);

	eh(&i)->e_ident[EI_OSABI] = 0;
	snprintf(path, sizeof(path), "%s/linux", tmpdir);
	write_file(path, i.b, i.len);
	assert_int_equal(image_load(path, &out, err, sizeof(err)), -1);
	snprintf(expect, sizeof(expect),
		 "hermit: %s: not a Hermit image (EI_OSABI is 0x00, expected 0x42)", path);
	assert_string_equal(err, expect);

	snprintf(path, sizeof(path), "%s/empty", tmpdir);
	write_file(path, "", 0);
	assert_int_equal(image_load(path, &out, err, sizeof(err)), -1);
	snprintf(expect, sizeof(expect), "hermit: %s: not a Hermit image (empty file)", path);
	assert_string_equal(err, expect);

	snprintf(path, sizeof(path), "%s/missing", tmpdir);
	assert_int_equal(image_load(path, &out, err, sizeof(err)), -1);
	snprintf(expect, sizeof(expect), "hermit: %s: No such file or directory", path);
	assert_string_equal(err, expect);

	assert_int_equal(image_load(tmpdir, &out, err, sizeof(err)), -1);
	snprintf(expect, sizeof(expect), "hermit: %s: Is a directory", tmpdir);
	assert_string_equal(err, expect);

	assert_int_equal(image_load("/dev/null", &out, err, sizeof(err)), -1);
	assert_string_equal(err, "hermit: /dev/null: not a regular file");
}

/* Bug: opening a FIFO waited for a writer, for ever, before the file was found no image. */
static void test_a_fifo_is_refused_not_waited_on(void **state)
{
	(void)state;
	char path[128], err[512], expect[512];
	struct image out;

	snprintf(path, sizeof(path), "%s/fifo", tmpdir);
	assert_int_equal(mkfifo(path, 0600), 0);
	alarm(10); /* a wait fails the test (SIGALRM) instead of hanging it */
	assert_int_equal(image_load(path, &out, err, sizeof(err)), -1);
	alarm(0);
	snprintf(expect, sizeof(expect), "hermit: %s: not a regular file", path);
	assert_string_equal(err, expect);
}

static void count_segment(void *arg, uint64_t lo, uint64_t hi)
{
	uint64_t *seen = arg;

	assert_int_equal(lo, LOAD_ADDR);
	assert_int_equal(hi, LOAD_ADDR + LOAD_MEMSZ);
	(*seen)++;
}

/* The core writer's segments come from the image's own checked headers (image_segments). */
static void test_segments(void **state)
{
	(void)state;
	char path[128];
	uint64_t seen = 0;
	struct img i;

	make(&i, 4);
	snprintf(path, sizeof(path), "%s/good", tmpdir);
	write_file(path, i.b, i.len);
	assert_int_equal(image_segments(path, count_segment, &seen), 0);
	assert_int_equal(seen, 1);

	eh(&i)->e_phoff = i.len; /* program headers outside the file: none taken */
	write_file(path, i.b, i.len);
	assert_int_equal(image_segments(path, count_segment, &seen), -1);
	snprintf(path, sizeof(path), "%s/missing", tmpdir);
	assert_int_equal(image_segments(path, count_segment, &seen), -1);
	assert_int_equal(seen, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_image),
		cmocka_unit_test(test_eight_byte_aligned_notes),
		cmocka_unit_test(test_not_elf),
		cmocka_unit_test(test_ident),
		cmocka_unit_test(test_machine_osabi_type),
		cmocka_unit_test(test_program_headers),
		cmocka_unit_test(test_missing_or_wrong_note),
		cmocka_unit_test(test_malformed_notes),
		cmocka_unit_test(test_anchor_must_be_loaded),
		cmocka_unit_test(test_every_truncation_is_refused),
		cmocka_unit_test_setup_teardown(test_load, make_tmpdir, remove_tmpdir),
		cmocka_unit_test_setup_teardown(test_a_fifo_is_refused_not_waited_on, make_tmpdir, remove_tmpdir),
		cmocka_unit_test_setup_teardown(test_segments, make_tmpdir, remove_tmpdir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
