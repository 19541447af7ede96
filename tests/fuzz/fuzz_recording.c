/*
 * fuzz_recording.c: a recording's files as a replay reads them (recording.c, replay.c): the
 * manifest and the hypercall log, which a user hands over as HERMIT_REPLAY=DIR (the answer disk
 * is read by the guest, not the proxy: here it is empty).
 *
 *	input := manifest text, NUL, hypercall log
 *
 * Each input becomes a recording in a scratch directory in /dev/shm (on a disk, the files' writes
 * made it some thirty times slower), whose manifest gets the size and hash of the logs appended
 * (so that the fuzzer need not find a hash to reach the log). The replay opens
 * it for an image whose build id is 000102...13, as the seeds' manifests say, and hears up to
 * FUZZ_RINGS doorbells from CPU 0 of the fuzzer's guest image.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_guest.h"

#define FUZZ_RINGS 64

static char dir[] = "/dev/shm/hermit-fuzz-recording-XXXXXX";
static struct image img;

static void put(const char *name, const void *data, size_t len)
{
	char path[4200];
	int fd;

	rec_path(path, sizeof(path), dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len)
		abort();
	close(fd);
}

static void remove_dir(void)
{
	static const char *const names[] = { REC_QEMU_LOG, REC_SNAPSHOTS, REC_MANIFEST, REC_HCALL_LOG,
					     REC_ANSWERS };
	char path[4200];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		rec_path(path, sizeof(path), dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (!mkdtemp(dir) || atexit(remove_dir) != 0)
		abort();
	img.build_id_len = 20;
	for (unsigned i = 0; i < img.build_id_len; i++)
		img.build_id[i] = (uint8_t)i;
	put(REC_QEMU_LOG, "", 0);
	put(REC_SNAPSHOTS, "", 0);
	put(REC_ANSWERS, "", 0);
	return 0;
}

/* What a replay may rely on in a manifest it accepted (main.c sizes the guest from it). */
static void check_accepted(const struct rec_manifest *m)
{
	if (m->format != REC_FORMAT || m->mem_size < SETTINGS_MEM_MIN || m->mem_size > SETTINGS_MEM_MAX ||
	    m->mem_size % SETTINGS_MEM_ALIGN || m->nic > NIC_RTL8139 || m->end <= VM_RUNNING ||
	    m->end > VM_KILLED || !memchr(m->app, '\0', sizeof(m->app)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t text_len = nul ? (size_t)(nul - data) : size;
	const uint8_t *log = nul ? nul + 1 : data + size;
	size_t log_len = (size_t)(data + size - log);
	char *manifest = malloc(text_len + 192), err[8192];
	struct hcall_ctx ctx = { .gm = &fuzz_gm, .anchor = FUZZ_ANCHOR };
	struct replayer *p;
	size_t len;

	memcpy(manifest, data, text_len);
	len = text_len + (size_t)snprintf(manifest + text_len, 192, "\n%s 0 %016" PRIx64 "\n%s %zu %016" PRIx64
					  "\n%s 0 %016" PRIx64 "\n", REC_QEMU_LOG, (uint64_t)REC_HASH_SEED,
					  REC_HCALL_LOG, log_len, rec_hash(REC_HASH_SEED, log, log_len),
					  REC_ANSWERS, (uint64_t)REC_HASH_SEED);
	put(REC_MANIFEST, manifest, len);
	put(REC_HCALL_LOG, log, log_len);
	free(manifest);
	fuzz_guest_load(NULL, 0);
	p = replay_open(dir, &img, "app", false, err, sizeof(err));
	if (!p)
		return 0;
	check_accepted(replay_manifest(p));
	for (int i = 0; i < FUZZ_RINGS && replay_doorbell(p, &ctx, 0) == HCALL_ANSWER; i++)
		;
	replay_finish(p, VM_EXITED, 0, fuzz_null());
	return 0;
}
