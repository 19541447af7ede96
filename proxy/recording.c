/*
 * recording.c: the directory HERMIT_RECORD leaves and HERMIT_REPLAY reads (docs/replay.md):
 * QEMU's record log, the snapshot image, the proxy's hypercall log, the answer disk and the
 * manifest, written last, which names the image by its build id and holds the size and hash of
 * each log so that a replay refuses an incomplete or corrupt recording before it starts.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proxy.h"

#define FNV_PRIME 0x100000001b3ULL

uint64_t rec_hash(uint64_t h, const void *data, size_t len)
{
	const uint8_t *p = data;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * FNV_PRIME;
	return h;
}

void rec_path(char *out, size_t len, const char *dir, const char *name)
{
	snprintf(out, len, "%s/%s", dir, name);
}

int rec_file_sum(const char *path, uint64_t *size, uint64_t *hash, char *err, size_t errlen)
{
	uint8_t *bytes;
	size_t len;

	if (file_map(path, &bytes, &len, err, errlen) < 0)
		return -1;
	*size = len;
	*hash = rec_hash(REC_HASH_SEED, bytes, len);
	file_unmap(bytes, len);
	return 0;
}

void rec_build_id_hex(const struct image *img, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (unsigned i = 0; i < img->build_id_len; i++) {
		out[2 * i] = digits[img->build_id[i] >> 4];
		out[2 * i + 1] = digits[img->build_id[i] & 15];
	}
	out[2 * img->build_id_len] = '\0';
}

/* ---- the manifest: "key value" lines ---- */

int rec_manifest_write(const char *dir, const struct rec_manifest *m, char *err, size_t errlen)
{
	char path[4200], tmp[4300];
	FILE *f;

	rec_path(path, sizeof(path), dir, REC_MANIFEST);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	fprintf(f, "hermit-recording %u\n", m->format);
	fprintf(f, "build-id %s\n", m->build_id);
	fprintf(f, "app %s\n", m->app);
	fprintf(f, "mem %" PRIu64 "\n", m->mem_size);
	fprintf(f, "nic %u\n", m->nic);
	fprintf(f, "capture-kib %u\n", m->capture_kib);
	fprintf(f, "network-in %d\n", m->network_in);
	fprintf(f, "hypercalls %" PRIu64 "\n", m->hcalls);
	fprintf(f, "snapshots %u\n", m->snapshots);
	fprintf(f, "end %d\n", m->end);
	fprintf(f, "status %d\n", (int)m->status);
	fprintf(f, "duration-ms %" PRIu64 "\n", m->duration_ms);
	if (m->icount)
		fprintf(f, "icount %" PRIu64 "\n", m->icount);
	fprintf(f, "%s %" PRIu64 " %016" PRIx64 "\n", REC_QEMU_LOG, m->qemu_log.size, m->qemu_log.hash);
	fprintf(f, "%s %" PRIu64 " %016" PRIx64 "\n", REC_HCALL_LOG, m->hcall_log.size, m->hcall_log.hash);
	fprintf(f, "%s %" PRIu64 " %016" PRIx64 "\n", REC_ANSWERS, m->answers.size, m->answers.hash);
	fprintf(f, "complete 1\n");
	if (fclose(f) != 0 || rename(tmp, path) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* val as a number no larger than max. */
static bool number(const char *val, uint64_t max, uint64_t *n)
{
	return settings_parse_number(val, n) == 0 && *n <= max;
}

/* A log's "SIZE HASH": decimal, then 16 hex digits (as rec_manifest_write writes them). */
static bool log_sum(const char *val, uint64_t *size, uint64_t *hash)
{
	const char *hex = strchr(val, ' ');
	char digits[21];

	if (!hex || hex - val >= (ptrdiff_t)sizeof(digits) || strlen(hex + 1) != 16 ||
	    strspn(hex + 1, "0123456789abcdef") != 16)
		return false;
	memcpy(digits, val, (size_t)(hex - val));
	digits[hex - val] = '\0';
	*hash = strtoull(hex + 1, NULL, 16);
	return settings_parse_number(digits, size) == 0;
}

/* An exit status or crash vector: a number that fits int32_t, maybe negative (a panic). */
static bool status(const char *val, int32_t *out)
{
	uint64_t n;

	if (!number(val + (val[0] == '-'), (uint64_t)INT32_MAX + (val[0] == '-'), &n))
		return false;
	*out = val[0] == '-' ? (int32_t)-(int64_t)n : (int32_t)n;
	return true;
}

/*
 * One "key value" line into m: false when the value is not one a recording has (the replay sizes
 * the guest and picks its machine from these); the keys it does not know are left for newer
 * formats.
 */
static bool take_line(struct rec_manifest *m, const char *key, const char *val, unsigned *seen)
{
	uint64_t n = 0;
	bool ok = true;

	if (!strcmp(key, "hermit-recording"))
		ok = number(val, UINT32_MAX, &n), m->format = (unsigned)n, *seen |= 1;
	else if (!strcmp(key, "build-id"))
		ok = snprintf(m->build_id, sizeof(m->build_id), "%s", val) < (int)sizeof(m->build_id), *seen |= 2;
	else if (!strcmp(key, "app"))
		ok = snprintf(m->app, sizeof(m->app), "%s", val) < (int)sizeof(m->app);
	else if (!strcmp(key, "mem"))
		ok = number(val, SETTINGS_MEM_MAX, &n) && n >= SETTINGS_MEM_MIN && n % SETTINGS_MEM_ALIGN == 0,
		m->mem_size = n, *seen |= 4;
	else if (!strcmp(key, "nic"))
		ok = number(val, NIC_RTL8139, &n), m->nic = (unsigned)n;
	else if (!strcmp(key, "capture-kib"))
		ok = number(val, UINT32_MAX, &n), m->capture_kib = (unsigned)n;
	else if (!strcmp(key, "network-in"))
		ok = number(val, 1, &n), m->network_in = n;
	else if (!strcmp(key, "hypercalls"))
		ok = number(val, UINT64_MAX, &m->hcalls);
	else if (!strcmp(key, "snapshots"))
		ok = number(val, UINT32_MAX, &n), m->snapshots = (unsigned)n;
	else if (!strcmp(key, "end"))
		ok = number(val, VM_KILLED, &n) && n > VM_RUNNING, m->end = (int)n, *seen |= 8;
	else if (!strcmp(key, "status"))
		ok = status(val, &m->status);
	else if (!strcmp(key, "duration-ms"))
		ok = number(val, UINT64_MAX, &m->duration_ms);
	else if (!strcmp(key, "icount"))
		ok = number(val, UINT64_MAX, &m->icount);
	else if (!strcmp(key, REC_QEMU_LOG))
		ok = log_sum(val, &m->qemu_log.size, &m->qemu_log.hash), *seen |= 16;
	else if (!strcmp(key, REC_HCALL_LOG))
		ok = log_sum(val, &m->hcall_log.size, &m->hcall_log.hash), *seen |= 32;
	else if (!strcmp(key, REC_ANSWERS))
		ok = log_sum(val, &m->answers.size, &m->answers.hash), *seen |= 128;
	else if (!strcmp(key, "complete"))
		ok = !strcmp(val, "1"), *seen |= 64;
	return ok;
}

#define MANIFEST_ALL 255u

/* 0, or -1 with the line that is not one a manifest has in bad ("" when one is missing). */
static int parse_manifest(FILE *f, struct rec_manifest *m, char *bad, size_t badlen)
{
	char line[512];
	unsigned seen = 0;

	memset(m, 0, sizeof(*m));
	bad[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		char *nl = strchr(line, '\n'), *sp = strchr(line, ' ');
		if (!nl && !feof(f)) {
			snprintf(bad, badlen, "a line longer than %zu bytes", sizeof(line) - 2);
			return -1;
		}
		if (nl)
			*nl = '\0';
		if (!sp)
			continue;
		*sp = '\0';
		if (!take_line(m, line, sp + 1, &seen)) {
			snprintf(bad, badlen, "\"%.100s %.100s\"", line, sp + 1);
			return -1;
		}
	}
	return seen == MANIFEST_ALL ? 0 : -1;
}

/* A log must be there whole: the size and hash the manifest gives. */
static int check_log(const char *dir, const char *name, const struct rec_file *f, char *err,
		     size_t errlen)
{
	char path[4200], why[4300];
	uint64_t got_size, got_hash;

	rec_path(path, sizeof(path), dir, name);
	if (rec_file_sum(path, &got_size, &got_hash, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	if (got_size != f->size || got_hash != f->hash) {
		snprintf(err, errlen, "%s is corrupt (%" PRIu64 " bytes, hash %016" PRIx64
			 "; the manifest says %" PRIu64 " bytes, hash %016" PRIx64 ")",
			 path, got_size, got_hash, f->size, f->hash);
		return -1;
	}
	return 0;
}

int rec_manifest_read(const char *dir, struct rec_manifest *m, char *err, size_t errlen)
{
	char path[4200], bad[256];
	FILE *f;
	int rc;

	rec_path(path, sizeof(path), dir, REC_MANIFEST);
	f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s (not a recording, or one that never finished)", path,
			 strerror(errno));
		return -1;
	}
	rc = parse_manifest(f, m, bad, sizeof(bad));
	fclose(f);
	if (rc < 0) {
		snprintf(err, errlen, "%s is incomplete or corrupt%s%s", path, bad[0] ? ": " : "", bad);
		return -1;
	}
	if (m->format != REC_FORMAT) {
		snprintf(err, errlen, "%s: recording format %u, this proxy reads %d", path, m->format,
			 REC_FORMAT);
		return -1;
	}
	rec_path(path, sizeof(path), dir, REC_SNAPSHOTS);
	if (access(path, R_OK | W_OK) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (check_log(dir, REC_QEMU_LOG, &m->qemu_log, err, errlen) < 0 ||
	    check_log(dir, REC_HCALL_LOG, &m->hcall_log, err, errlen) < 0 ||
	    check_log(dir, REC_ANSWERS, &m->answers, err, errlen) < 0)
		return -1;
	return 0;
}
