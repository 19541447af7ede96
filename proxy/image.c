/*
 * image.c: decides whether APP is a Hermit image before anything is started, and finds the
 * guest address of its struct hermit_anchor (abi.h) in the anchor note.
 *
 * image_check works on bytes in memory so that it can be unit-tested on synthetic ELF files.
 * The file is untrusted: every offset and size is checked against the file's length, fields
 * are copied out with memcpy (a crafted file need not be aligned), and sums cannot overflow
 * because they are done in 64 bits on 32-bit inputs or checked first.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proxy.h"

#define NOTE_HEADER_SIZE 12 /* namesz, descsz, type: three 32-bit words in both ELF classes */

/* True when [off, off + size) lies inside a buffer of len bytes. */
static bool within(uint64_t off, uint64_t size, uint64_t len)
{
	return off <= len && size <= len - off;
}

/* The identification bytes, before the header can be read with the right layout. */
static int check_ident(const uint8_t *bytes, size_t len, char *why, size_t whylen)
{
	if (len < EI_NIDENT || memcmp(bytes, ELFMAG, SELFMAG) != 0)
		snprintf(why, whylen, "not an ELF file");
	else if (bytes[EI_CLASS] != ELFCLASS64)
		snprintf(why, whylen, "not a 64-bit ELF file");
	else if (bytes[EI_DATA] != ELFDATA2LSB)
		snprintf(why, whylen, "not a little-endian ELF file");
	else if (len < sizeof(Elf64_Ehdr))
		snprintf(why, whylen, "truncated ELF header");
	else
		return 0;
	return -1;
}

static int check_header(const uint8_t *bytes, size_t len, Elf64_Ehdr *eh, char *why,
			size_t whylen)
{
	if (check_ident(bytes, len, why, whylen) < 0)
		return -1;
	memcpy(eh, bytes, sizeof(*eh));
	/* OSABI before the type: a Linux program is better told "wrong OS" than "not ET_EXEC". */
	if (eh->e_machine != EM_X86_64)
		snprintf(why, whylen, "built for ELF machine %u, not x86_64", eh->e_machine);
	else if (eh->e_ident[EI_OSABI] != HERMIT_ELFOSABI)
		snprintf(why, whylen, "EI_OSABI is 0x%02x, expected 0x%02x", eh->e_ident[EI_OSABI],
			 HERMIT_ELFOSABI);
	else if (eh->e_type != ET_EXEC)
		snprintf(why, whylen, "ELF type %u, expected an executable (ET_EXEC)", eh->e_type);
	else if (eh->e_phentsize != sizeof(Elf64_Phdr))
		snprintf(why, whylen, "program header size %u, expected %zu", eh->e_phentsize,
			 sizeof(Elf64_Phdr));
	else if (!within(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr), len))
		snprintf(why, whylen, "program headers lie outside the file");
	else
		return 0;
	return -1;
}

static void get_phdr(const uint8_t *bytes, const Elf64_Ehdr *eh, unsigned i, Elf64_Phdr *ph)
{
	memcpy(ph, bytes + eh->e_phoff + (uint64_t)i * sizeof(*ph), sizeof(*ph));
}

static uint64_t align_up(uint64_t v, uint64_t align)
{
	return (v + align - 1) & ~(align - 1);
}

static bool is_anchor_note(const uint8_t *name, uint32_t namesz, uint32_t type)
{
	return type == HERMIT_NOTE_ANCHOR && namesz == sizeof(HERMIT_NOTE_NAME) &&
	       memcmp(name, HERMIT_NOTE_NAME, sizeof(HERMIT_NOTE_NAME)) == 0;
}

/* The linker's NT_GNU_BUILD_ID note: what a recording names the image by (replay.c). */
static void take_build_id(const uint8_t *name, uint32_t namesz, uint32_t type, const uint8_t *desc,
			  uint32_t descsz, struct image *img)
{
	if (type == NT_GNU_BUILD_ID && namesz == sizeof(ELF_NOTE_GNU) &&
	    memcmp(name, ELF_NOTE_GNU, sizeof(ELF_NOTE_GNU)) == 0 && descsz > 0 &&
	    descsz <= sizeof(img->build_id)) {
		memcpy(img->build_id, desc, descsz);
		img->build_id_len = descsz;
	}
}

/*
 * Walks the notes of one PT_NOTE segment, taking the build id on the way. Returns 1 and sets
 * *anchor when the anchor note is there, 0 when it is not, -1 (why set) when the segment or the
 * anchor note is malformed. Notes are 4-byte aligned unless the segment says 8, as binutils and
 * Linux read them.
 */
static int scan_notes(const uint8_t *bytes, size_t len, const Elf64_Phdr *ph, uint64_t *anchor,
		      struct image *img, char *why, size_t whylen)
{
	int found = 0;
	uint64_t align = ph->p_align == 8 ? 8 : 4;
	const uint8_t *seg = bytes + ph->p_offset;
	uint64_t pos = 0;

	if (!within(ph->p_offset, ph->p_filesz, len)) {
		snprintf(why, whylen, "a note segment lies outside the file");
		return -1;
	}
	while (within(pos, NOTE_HEADER_SIZE, ph->p_filesz)) {
		uint32_t word[3];
		memcpy(word, seg + pos, sizeof(word));
		uint64_t name_off = pos + NOTE_HEADER_SIZE;
		uint64_t desc_off = name_off + align_up(word[0], align);
		if (!within(name_off, word[0], ph->p_filesz) ||
		    !within(desc_off, word[1], ph->p_filesz)) {
			snprintf(why, whylen, "a note runs past the end of its segment");
			return -1;
		}
		if (is_anchor_note(seg + name_off, word[0], word[2])) {
			if (word[1] != sizeof(uint64_t)) {
				snprintf(why, whylen, "the anchor note holds %u bytes, expected 8",
					 word[1]);
				return -1;
			}
			memcpy(anchor, seg + desc_off, sizeof(*anchor));
			found = 1;
		}
		take_build_id(seg + name_off, word[0], word[2], seg + desc_off, word[1], img);
		pos = desc_off + align_up(word[1], align);
	}
	return found;
}

/* The anchor must lie in memory the image loads, or the kernel cannot have put it there. */
static bool anchor_loaded(const uint8_t *bytes, const Elf64_Ehdr *eh, uint64_t anchor)
{
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr ph;
		get_phdr(bytes, eh, i, &ph);
		if (ph.p_type == PT_LOAD && anchor >= ph.p_vaddr &&
		    within(anchor - ph.p_vaddr, sizeof(struct hermit_anchor), ph.p_memsz))
			return true;
	}
	return false;
}

int image_check(const uint8_t *bytes, size_t len, struct image *img, char *why, size_t whylen)
{
	Elf64_Ehdr eh;
	uint64_t anchor = 0;
	int found = 0;

	if (check_header(bytes, len, &eh, why, whylen) < 0)
		return -1;
	img->build_id_len = 0;
	for (unsigned i = 0; i < eh.e_phnum && !found; i++) {
		Elf64_Phdr ph;
		get_phdr(bytes, &eh, i, &ph);
		if (ph.p_type == PT_NOTE)
			found = scan_notes(bytes, len, &ph, &anchor, img, why, whylen);
		if (found < 0)
			return -1;
	}
	if (!found) {
		snprintf(why, whylen, "no \"%s\" anchor note", HERMIT_NOTE_NAME);
		return -1;
	}
	if (!anchor_loaded(bytes, &eh, anchor)) {
		snprintf(why, whylen, "the anchor 0x%llx is not in a loaded segment",
			 (unsigned long long)anchor);
		return -1;
	}
	img->anchor = anchor;
	return 0;
}

int file_map(const char *path, uint8_t **bytes, size_t *len, char *err, size_t errlen)
{
	/* O_NONBLOCK: a FIFO is refused below instead of blocking the open until a writer comes. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;

	*bytes = NULL;
	*len = 0;
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: %s", path, S_ISDIR(st.st_mode) ? strerror(EISDIR) : "not a regular file");
		goto fail;
	}
	if (st.st_size > 0) {
		*bytes = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (*bytes == MAP_FAILED) {
			*bytes = NULL;
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto fail;
		}
		*len = (size_t)st.st_size;
	}
	close(fd);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	return -1;
}

void file_unmap(uint8_t *bytes, size_t len)
{
	if (len)
		munmap(bytes, len);
}

int image_segments(const char *path, void (*take)(void *arg, uint64_t lo, uint64_t hi), void *arg)
{
	char why[4200];
	uint8_t *bytes;
	size_t len;
	Elf64_Ehdr eh;
	int rc;

	if (file_map(path, &bytes, &len, why, sizeof(why)) < 0)
		return -1;
	rc = check_header(bytes, len, &eh, why, sizeof(why));
	for (unsigned i = 0; rc == 0 && i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		get_phdr(bytes, &eh, i, &ph);
		if (ph.p_type == PT_LOAD && ph.p_memsz)
			take(arg, ph.p_vaddr, ph.p_vaddr + ph.p_memsz);
	}
	file_unmap(bytes, len);
	return rc;
}

int image_load(const char *path, struct image *img, char *err, size_t errlen)
{
	char why[4200];
	uint8_t *bytes;
	size_t len;
	int rc;

	if (file_map(path, &bytes, &len, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "hermit: %s", why);
		return -1;
	}
	if (len == 0) {
		snprintf(err, errlen, "hermit: %s: not a Hermit image (empty file)", path);
		return -1;
	}
	rc = image_check(bytes, len, img, why, sizeof(why));
	file_unmap(bytes, len);
	if (rc < 0)
		snprintf(err, errlen, "hermit: %s: not a Hermit image (%s)", path, why);
	return rc;
}
