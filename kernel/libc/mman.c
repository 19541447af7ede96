/*
 * libc/mman.c: memory mappings in an identity-mapped machine. A mapping is a run of free frames
 * (page_alloc, or page_claim for MAP_FIXED), zeroed, at the address equal to its physical one,
 * with its protection set in the page tables (mmu_protect): a write to a PROT_READ page or any
 * access to a PROT_NONE page is a page fault, which ends the app with the crash report (139).
 * munmap gives the frames back to the kernel (with the ordinary read-write protection), so a
 * stale pointer into them is not caught as on Linux.
 * A private file mapping is a copy of the file read through the descriptor; pages past the end of
 * the file are zeros. A shared file mapping would have to stay coherent with read() and write()
 * on the file (SQLite relies on that) and cannot: it fails with ENODEV. Shared anonymous memory is
 * private anonymous memory, as there is no other process to share it with.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch.h"
#include "kernel/mm.h"
#include "kernel/sync.h"

struct mapping {
	uintptr_t start, end; /* page-aligned, [start, end) */
	int prot;
	bool file;            /* a private copy of a file */
};

static struct kmutex lock; /* guards the table */
static struct mapping *maps; /* sorted by start, never overlapping */
static size_t nr_maps, cap_maps;

static void *fail(int err)
{
	errno = err;
	return MAP_FAILED;
}

static int fail_int(int err)
{
	errno = err;
	return -1;
}

static unsigned access_of(int prot)
{
	if (prot == PROT_NONE)
		return 0;
	/* x86 pages are readable whenever they are present */
	return MMU_READ | (prot & PROT_WRITE ? MMU_WRITE : 0) | (prot & PROT_EXEC ? MMU_EXEC : 0);
}

static bool page_aligned(uintptr_t a) { return (a & (PAGE_SIZE - 1)) == 0; }

/* The page-rounded end of [addr, addr+len), or 0 when it wraps or len is 0. */
static uintptr_t range_end(uintptr_t addr, size_t len)
{
	uintptr_t end = addr + ((len + PAGE_SIZE - 1) & ~(uintptr_t)(PAGE_SIZE - 1));
	return len && end > addr ? end : 0;
}

static int insert_at(size_t i, struct mapping m)
{
	if (nr_maps == cap_maps) {
		size_t cap = cap_maps ? cap_maps * 2 : 16;
		struct mapping *grown = realloc(maps, cap * sizeof(*maps));
		if (!grown)
			return -1;
		maps = grown;
		cap_maps = cap;
	}
	memmove(&maps[i + 1], &maps[i], (nr_maps - i) * sizeof(*maps));
	maps[i] = m;
	nr_maps++;
	return 0;
}

static void remove_at(size_t i)
{
	memmove(&maps[i], &maps[i + 1], (nr_maps - i - 1) * sizeof(*maps));
	nr_maps--;
}

static size_t first_ending_after(uintptr_t addr)
{
	size_t i = 0;
	while (i < nr_maps && maps[i].end <= addr)
		i++;
	return i;
}

/* Splits the mapping that straddles addr, so that a mapping boundary lies there; -1 if no memory. */
static int split_at(uintptr_t addr)
{
	size_t i = first_ending_after(addr);
	if (i == nr_maps || maps[i].start >= addr)
		return 0;
	struct mapping upper = maps[i];
	upper.start = addr;
	if (insert_at(i + 1, upper) < 0)
		return -1;
	maps[i].end = addr;
	return 0;
}

/* True when every page of [start, end) belongs to some mapping. */
static bool fully_mapped(uintptr_t start, uintptr_t end)
{
	uintptr_t covered = start;
	for (size_t i = first_ending_after(start); i < nr_maps && maps[i].start <= covered && covered < end; i++)
		covered = maps[i].end;
	return covered >= end;
}

static bool overlaps_any(uintptr_t start, uintptr_t end)
{
	size_t i = first_ending_after(start);
	return i < nr_maps && maps[i].start < end;
}

/* Gives [start, end) back, whatever part of it is mapped. Lock held; the bounds were split. */
static void unmap_range(uintptr_t start, uintptr_t end)
{
	size_t i = first_ending_after(start);
	while (i < nr_maps && maps[i].start < end) {
		struct mapping m = maps[i];
		if (access_of(m.prot) != MMU_RAM) /* untouched pages keep their large page tables */
			mmu_protect(m.start, m.end - m.start, MMU_RAM);
		page_free((void *)m.start, (m.end - m.start) / PAGE_SIZE);
		remove_at(i);
	}
}

/* Copies the file from offset into the fresh mapping; the descriptor's offset is kept. */
static int read_file(int fd, off_t offset, char *dst, size_t len)
{
	off_t saved = lseek(fd, 0, SEEK_CUR);
	if (saved < 0 || lseek(fd, offset, SEEK_SET) < 0)
		return -1;
	size_t done = 0;
	while (done < len) {
		ssize_t n = read(fd, dst + done, len - done);
		if (n < 0) {
			lseek(fd, saved, SEEK_SET);
			return errno == EBADF ? fail_int(EACCES) : -1; /* open, but not for reading */
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return lseek(fd, saved, SEEK_SET) < 0 ? -1 : 0;
}

/* Where the mapping goes: the frames at addr for MAP_FIXED (replacing our mappings there), else
 * any free run. 0 with errno set when there is none. */
static uintptr_t place(uintptr_t addr, size_t len, int flags)
{
	size_t pages = len / PAGE_SIZE;
	if (!(flags & (MAP_FIXED | MAP_FIXED_NOREPLACE))) {
		void *p = page_alloc(pages);
		return p ? (uintptr_t)p : (errno = ENOMEM, 0);
	}
	if (!addr || !page_aligned(addr))
		return errno = EINVAL, 0;
	if (overlaps_any(addr, addr + len)) {
		if (flags & MAP_FIXED_NOREPLACE)
			return errno = EEXIST, 0;
		if (split_at(addr) < 0 || split_at(addr + len) < 0)
			return errno = ENOMEM, 0;
		unmap_range(addr, addr + len);
	}
	/* frames the kernel, the heap or a stack uses cannot be taken */
	if (page_claim(addr, pages) < 0)
		return errno = (flags & MAP_FIXED_NOREPLACE) ? EEXIST : ENOMEM, 0;
	return addr;
}

static int check_file(int fd, int flags)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return fail_int(EBADF);
	if (S_ISDIR(st.st_mode) || (flags & MAP_TYPE) != MAP_PRIVATE)
		return fail_int(ENODEV);
	return 0;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t offset)
{
	int type = flags & MAP_TYPE;
	bool anonymous = flags & MAP_ANONYMOUS;
	size_t size = range_end(0, len);
	if (len && (!size || size > page_ram_end()))
		return fail(ENOMEM);
	if (!size || (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) ||
	    (type != MAP_PRIVATE && type != MAP_SHARED && type != MAP_SHARED_VALIDATE) ||
	    (!anonymous && (offset < 0 || !page_aligned((uintptr_t)offset))))
		return fail(EINVAL);
	if (!anonymous && check_file(fd, flags) < 0)
		return MAP_FAILED;
	kmutex_lock(&lock, 0);
	uintptr_t start = place((uintptr_t)addr, size, flags);
	int err = errno;
	if (start) {
		memset((void *)start, 0, size);
		if ((!anonymous && read_file(fd, offset, (void *)start, size) < 0) ||
		    insert_at(first_ending_after(start), (struct mapping){ start, start + size, prot, !anonymous }) < 0) {
			err = errno;
			page_free((void *)start, size / PAGE_SIZE);
			start = 0;
		} else if (access_of(prot) != MMU_RAM) {
			mmu_protect(start, size, access_of(prot));
		}
	}
	kmutex_unlock(&lock);
	return start ? (void *)start : fail(err);
}

int munmap(void *addr, size_t len)
{
	uintptr_t start = (uintptr_t)addr, end = range_end(start, len);
	if (!page_aligned(start) || !end)
		return fail_int(EINVAL);
	kmutex_lock(&lock, 0);
	int ok = split_at(start) == 0 && split_at(end) == 0;
	if (ok)
		unmap_range(start, end);
	kmutex_unlock(&lock);
	return ok ? 0 : fail_int(ENOMEM);
}

/* Applies fn to every mapping in [start, end), all of which must be mapped (else ENOMEM). */
static int for_each_in(uintptr_t start, uintptr_t end, void (*fn)(struct mapping *, int), int arg, bool split)
{
	kmutex_lock(&lock, 0);
	int err = !fully_mapped(start, end) ? ENOMEM : split && (split_at(start) < 0 || split_at(end) < 0) ? ENOMEM : 0;
	for (size_t i = first_ending_after(start); !err && i < nr_maps && maps[i].start < end; i++)
		fn(&maps[i], arg);
	kmutex_unlock(&lock);
	return err ? fail_int(err) : 0;
}

static void set_prot(struct mapping *m, int prot)
{
	m->prot = prot;
	mmu_protect(m->start, m->end - m->start, access_of(prot));
}

int mprotect(void *addr, size_t len, int prot)
{
	uintptr_t start = (uintptr_t)addr, end = range_end(start, len);
	if (!page_aligned(start) || (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)))
		return fail_int(EINVAL);
	return end ? for_each_in(start, end, set_prot, prot, true) : 0;
}

/* MADV_DONTNEED: the next access finds zeros, as for anonymous memory on Linux. */
static void discard(struct mapping *m, int unused)
{
	(void)unused;
	bool writable = access_of(m->prot) == MMU_RAM;
	if (!writable)
		mmu_protect(m->start, m->end - m->start, MMU_RAM);
	memset((void *)m->start, 0, m->end - m->start);
	if (!writable)
		mmu_protect(m->start, m->end - m->start, access_of(m->prot));
}

static void keep(struct mapping *m, int unused) { (void)m, (void)unused; }

static bool any_file_mapping(uintptr_t start, uintptr_t end)
{
	kmutex_lock(&lock, 0);
	bool file = false;
	for (size_t i = first_ending_after(start); i < nr_maps && maps[i].start < end; i++)
		file |= maps[i].file;
	kmutex_unlock(&lock);
	return file;
}

/* All memory is resident and stays so: the hints need no work. Discarding a private file copy
 * would have to read the file again, which the mapping no longer can (EINVAL). */
int madvise(void *addr, size_t len, int advice)
{
	uintptr_t start = (uintptr_t)addr, end = range_end(start, len);
	if (!page_aligned(start))
		return fail_int(EINVAL);
	switch (advice) {
	case MADV_NORMAL:
	case MADV_RANDOM:
	case MADV_SEQUENTIAL:
	case MADV_WILLNEED:
	case MADV_FREE:
		return end ? for_each_in(start, end, keep, 0, false) : 0;
	case MADV_DONTNEED:
		if (end && any_file_mapping(start, end))
			return fail_int(EINVAL);
		return end ? for_each_in(start, end, discard, 0, true) : 0;
	default:
		return fail_int(EINVAL);
	}
}

int posix_madvise(void *addr, size_t len, int advice)
{
	if (advice == POSIX_MADV_DONTNEED) /* only a hint in POSIX: the pages keep their contents */
		advice = MADV_NORMAL;
	return madvise(addr, len, advice) < 0 ? errno : 0;
}

/* No mapping is written back to a file (there are no shared file mappings), so there is nothing
 * to flush; the range must be mapped. */
int msync(void *addr, size_t len, int flags)
{
	uintptr_t start = (uintptr_t)addr, end = range_end(start, len);
	if (!page_aligned(start) || (flags & ~(MS_ASYNC | MS_SYNC | MS_INVALIDATE)) ||
	    ((flags & MS_ASYNC) && (flags & MS_SYNC)))
		return fail_int(EINVAL);
	return end ? for_each_in(start, end, keep, 0, false) : 0;
}

/* Nothing is ever paged out: every page is locked already. */
int mlock(const void *addr, size_t len)
{
	(void)addr, (void)len;
	return 0;
}
int munlock(const void *addr, size_t len) { return mlock(addr, len); }
int mlockall(int flags) { return flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) || !flags ? fail_int(EINVAL) : 0; }
int munlockall(void) { return 0; }
