/*
 * capture.c: the guest's network capture ring (abi.h, struct hermit_capture) as a pcapng file
 * (classic pcap with HERMIT_CAPTURE_FORMAT=pcap), written by net/pcapng.c.
 *
 * With HERMIT_CAPTURE_NET the proxy asks the kernel for a ring (CONFIG) and drains it while the
 * guest runs: every CAPTURE_DRAIN_MS (loop.c) and whenever the kernel rings the doorbell because
 * another HERMIT_CAPTURE_NOTIFY_BYTES wait, so a long transfer is not cut by the ring's size; and
 * once more after the guest ended, dead or alive: guest memory is the proxy's own mapping. Each
 * drain's blocks go to the file and, with live:PATH, to a FIFO or file a reader follows
 * (tshark -i PATH), written at once. Each frame's comment says what the kernel knew of it: the
 * task, the CPU, the socket. Room is given back to the kernel (tail) only once the ring is half
 * full, and then only as much as keeps the newest quarter (nothing while the kernel drops): what
 * is still in guest memory is what `hermit pcap` in gdb and a post-mortem core see.
 * Everything read from the ring is checked (its header through guestview.c); a ring that makes
 * no sense ends the capture, with one line, and never the proxy.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/pcapng.h"
#include "proxy.h"

#define BLOCK_MAX (65535 + 1024) /* a frame of snaplen bytes and its options */
#define LIVE_PIPE_BYTES (1024 * 1024)
#define LIVE_WAIT_MS 100

void net_capture_init(struct net_capture *c, const struct guestmem *gm, hermit_gpa_t anchor,
		      const char *dir, const char *app, unsigned guest, const struct settings *s, int live_fd)
{
	const char *base = strrchr(app, '/');
	char tag[16] = "";

	memset(c, 0, sizeof(*c));
	c->gm = gm;
	gv_init(&c->gv, gm, anchor);
	c->pcap = s && s->capture_pcap;
	c->bare = s && s->capture_bare;
	c->live_fd = live_fd;
	c->live_path = s ? s->capture_live : NULL;
	if (guest > 1)
		snprintf(tag, sizeof(tag), "-%u", guest);
	snprintf(c->path, sizeof(c->path), "%s/hermit-%s-%d%s.%s", dir ? dir : ".", base ? base + 1 : app,
		 (int)getpid(), tag, c->pcap ? "pcap" : "pcapng");
}

/* True when the proxy must stop waiting: a signal (left for the loop to take) or an error. */
static bool signalled(int signal_fd)
{
	struct pollfd p = { .fd = signal_fd, .events = POLLIN };
	return signal_fd >= 0 && poll(&p, 1, LIVE_WAIT_MS) != 0;
}

int net_capture_open_live(const char *path, int signal_fd)
{
	struct stat st;
	bool said = false;

	if (stat(path, &st) < 0 || !S_ISFIFO(st.st_mode)) {
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0)
			fprintf(stderr, "hermit: HERMIT_CAPTURE_NET=live:%s: %s\n", path, strerror(errno));
		return fd;
	}
	/* A FIFO: the guest starts once its reader is there, so the reader sees every frame. */
	for (;;) {
		int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd >= 0) {
			fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
			fcntl(fd, F_SETPIPE_SZ, LIVE_PIPE_BYTES); /* bursts wait there, not in the ring */
			return fd;
		}
		if (errno != ENXIO) {
			fprintf(stderr, "hermit: HERMIT_CAPTURE_NET=live:%s: %s\n", path, strerror(errno));
			return -1;
		}
		if (!said)
			fprintf(stderr, "hermit: live capture: waiting for a reader of %s (tshark -i %s)\n", path, path);
		said = true;
		if (signalled(signal_fd)) {
			fprintf(stderr, "hermit: live capture: stopped while waiting for a reader of %s\n", path);
			return -1;
		}
	}
}

/* Once the ring proved broken (said by guestview.c, or here for a record): no more reading. */
static bool broken(struct net_capture *c) { return c->gv.reported & (1u << GV_CAPTURE); }

static int give_up(struct net_capture *c, const char *why)
{
	gv_broken(&c->gv, GV_CAPTURE, "%s", why);
	return -1;
}

/* Room for one more block in this drain's buffer. */
static uint8_t *room(struct net_capture *c)
{
	if (c->cap - c->len < BLOCK_MAX) {
		size_t cap = c->cap ? c->cap * 2 : 4 * BLOCK_MAX;
		uint8_t *b = realloc(c->buf, cap);
		if (!b)
			return NULL;
		c->buf = b;
		c->cap = cap;
	}
	return c->buf + c->len;
}

static void add(struct net_capture *c, size_t n) { c->len += n; }

/* A NUL-ended copy of a guest string field, printable ASCII only. */
static void guest_text(char *to, const char *from, size_t size)
{
	size_t i;
	for (i = 0; i < size && from[i]; i++)
		to[i] = from[i] >= 0x20 && from[i] < 0x7f ? from[i] : '?';
	to[i] = 0;
}

static void emit_interfaces(struct net_capture *c, const struct hermit_capture *r)
{
	for (; c->ifaces_written < r->nifaces; c->ifaces_written++) {
		const struct hermit_capture_iface *i = &r->ifaces[c->ifaces_written];
		char name[sizeof(i->name) + 1], model[sizeof(i->model) + 1];
		guest_text(name, i->name, sizeof(i->name));
		guest_text(model, i->model, sizeof(i->model));
		struct pcapng_interface ifc = {
			.linktype = (uint16_t)r->linktype, .snaplen = r->snaplen, .name = name,
			.description = model, .mac = i->mac, .ipv4 = i->ipv4, .ipv4_mask = i->ipv4_mask,
			.nipv6 = i->nipv6 < PCAPNG_IPV6_MAX ? i->nipv6 : PCAPNG_IPV6_MAX,
		};
		memcpy(ifc.ipv6, i->ipv6, sizeof(ifc.ipv6));
		memcpy(ifc.ipv6_prefix, i->ipv6_prefix, sizeof(ifc.ipv6_prefix));
		uint8_t *out = room(c);
		if (out)
			add(c, pcapng_interface(out, BLOCK_MAX, &ifc));
	}
}

static void endpoint(char *to, size_t size, unsigned family, const uint8_t *addr, unsigned port)
{
	char text[INET6_ADDRSTRLEN];
	inet_ntop(family == 6 ? AF_INET6 : AF_INET, addr, text, sizeof(text));
	snprintf(to, size, family == 6 ? "[%s]:%u" : "%s:%u", text, port);
}

/* "sent by task 2 (main) on CPU 0, socket 3: TCP 10.0.5.2:7 > 10.0.5.1:40000"; a received
 * frame of a known socket is "received for" the task that uses the socket, else "received by"
 * the task that took it in; nothing when the kernel recorded no task. gdb/hermit/pcap.py says
 * the same. */
size_t capture_comment(const struct hermit_capture_record *rec, char *out, size_t size)
{
	bool sent = rec->direction == HERMIT_CAPTURE_OUT;
	bool socket = rec->proto && (rec->family == 4 || rec->family == 6) && rec->fd >= 0;
	const char *verb = sent ? "sent by" : socket ? "received for" : "received by";
	char name[sizeof(rec->task_name) + 1];
	int n;

	if (!rec->task) /* HERMIT_CAPTURE_COMMENTS=0: the kernel recorded nothing */
		return 0;
	guest_text(name, rec->task_name, sizeof(rec->task_name));
	n = snprintf(out, size, "%s task %u (%s) on CPU %u", verb, rec->task, name, rec->cpu);
	if (socket && n > 0 && (size_t)n < size) {
		char local[64], remote[64];
		endpoint(local, sizeof(local), rec->family, rec->local_addr, rec->local_port);
		endpoint(remote, sizeof(remote), rec->family, rec->remote_addr, rec->remote_port);
		n += snprintf(out + n, size - (size_t)n, ", socket %d: %s %s %s %s", rec->fd,
			      rec->proto == 6 ? "TCP" : "UDP", local, sent ? ">" : "<", remote);
	}
	return n < 0 ? 0 : (size_t)n;
}

static void emit_frame(struct net_capture *c, const struct hermit_capture *r,
		       const struct hermit_capture_record *rec, const uint8_t *payload)
{
	char comment[256];
	struct pcapng_packet p = {
		.interface = rec->iface, .time_ns = (uint64_t)(r->realtime_at_zero + (int64_t)rec->time_ns),
		.cap_len = rec->cap_len, .orig_len = rec->orig_len, .data = payload,
		.direction = rec->direction == HERMIT_CAPTURE_OUT ? PCAPNG_OUT : PCAPNG_IN,
		.dropcount = rec->dropped_before,
	};
	uint8_t *out = room(c);
	if (!out)
		return;
	c->last_ns = p.time_ns;
	if (c->pcap) {
		add(c, pcap_packet(out, BLOCK_MAX, &p));
		return;
	}
	if (!c->bare && capture_comment(rec, comment, sizeof(comment)))
		p.comment = comment;
	add(c, pcapng_packet(out, BLOCK_MAX, &p));
}

static void emit_header(struct net_capture *c, const struct hermit_capture *r)
{
	uint8_t *out = room(c);
	if (out)
		add(c, c->pcap ? pcap_header(out, BLOCK_MAX, (uint16_t)r->linktype, r->snaplen)
			       : pcapng_section(out, BLOCK_MAX));
	c->header_written = true;
}

/* Statistics at the end: frames per interface, and the ring's drops on the first (the ring is
 * shared by all interfaces), stamped with the last frame's time. */
static void emit_statistics(struct net_capture *c, const struct hermit_capture *r)
{
	uint64_t t = c->last_ns; /* as of the last frame: the same file from the same ring */
	for (unsigned i = 0; i < c->ifaces_written; i++) {
		uint8_t *out = room(c);
		if (out)
			add(c, pcapng_statistics(out, BLOCK_MAX, i, t, c->iface_frames[i], i ? 0 : r->dropped));
	}
}

static void stop_live(struct net_capture *c, const char *why)
{
	fprintf(stderr, "hermit: live capture to %s stopped: %s (the file goes on)\n", c->live_path, why);
	close(c->live_fd);
	c->live_fd = -1;
}

/* This drain's blocks to the file, and to the live reader at once. */
static void flush_blocks(struct net_capture *c)
{
	if (!c->len)
		return;
	if (c->file && (fwrite(c->buf, 1, c->len, c->file) != c->len || fflush(c->file) != 0)) {
		fprintf(stderr, "hermit: %s: %s; the capture stops\n", c->path, strerror(errno));
		c->failed = true;
	}
	for (size_t done = 0; c->live_fd >= 0 && done < c->len;) {
		ssize_t n = write(c->live_fd, c->buf + done, c->len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			stop_live(c, errno == EPIPE ? "its reader went away" : strerror(errno));
			break;
		}
		done += (size_t)n;
	}
	c->len = 0;
}

static void mark(struct net_capture *c, uint64_t pos)
{
	if (c->nmarks == NET_CAPTURE_MARKS) {
		memmove(c->marks, c->marks + 1, (NET_CAPTURE_MARKS - 1) * sizeof(c->marks[0]));
		c->nmarks--;
	}
	c->marks[c->nmarks++] = pos;
}

/* Says how far the proxy has read, and once more than half the ring is used, frees the oldest
 * written records down to the newest quarter (kept for gdb and cores); while the kernel drops
 * frames (dropping), everything written, since the file comes first. */
static void free_room(struct net_capture *c, const struct hermit_capture *r, hermit_gpa_t at, bool dropping)
{
	uint64_t tail = r->tail;
	unsigned i = 0;

	gm_write(c->gm, at + offsetof(struct hermit_capture, read), &c->pos, sizeof(c->pos));
	if (r->head - tail <= r->size / 2 && !dropping)
		return;
	while (i < c->nmarks && r->head - tail > r->size / 4 && c->marks[i] <= c->pos)
		tail = c->marks[i++];
	memmove(c->marks, c->marks + i, (c->nmarks - i) * sizeof(c->marks[0]));
	c->nmarks -= i;
	if (dropping) {
		tail = c->pos; /* a record boundary */
		c->nmarks = 0;
	}
	if (tail != r->tail)
		gm_write(c->gm, at + offsetof(struct hermit_capture, tail), &tail, sizeof(tail));
}

enum record_step { RECORD_END, RECORD_FRAME, RECORD_BROKEN };

/*
 * Takes the ring's next record at *pos (before head): skips the padding and wrap markers at the
 * end of the buffer, checks the record's lengths and interface, and on RECORD_FRAME returns its
 * header and payload and advances *pos past it.
 */
static enum record_step next_record(const struct hermit_capture *r, const uint8_t *data, uint64_t head,
				    uint64_t *pos, struct hermit_capture_record *rec, const uint8_t **payload)
{
	while (*pos != head) {
		uint64_t off = *pos % r->size, left = r->size - off;
		if (head - *pos > r->size)
			return RECORD_BROKEN; /* a skip went past head: the markers lie */
		if (left < sizeof(*rec)) {
			*pos += left;
			continue;
		}
		memcpy(rec, data + off, sizeof(*rec));
		if (rec->cap_len == HERMIT_CAPTURE_WRAP) {
			*pos += left;
			continue;
		}
		uint64_t need = sizeof(*rec) + ((rec->cap_len + 7ull) & ~7ull);
		if (rec->cap_len > r->snaplen || rec->cap_len > rec->orig_len || need > left ||
		    *pos + need > head || rec->iface >= r->nifaces)
			return RECORD_BROKEN;
		*payload = data + off + sizeof(*rec);
		*pos += need;
		return RECORD_FRAME;
	}
	return RECORD_END;
}

static int open_file(struct net_capture *c)
{
	c->file = fopen(c->path, "wb");
	if (!c->file) {
		fprintf(stderr, "hermit: %s: %s; no network capture\n", c->path, strerror(errno));
		c->failed = true;
		return -1;
	}
	return 0;
}

/* The records from c->pos to head as blocks; RECORD_BROKEN or RECORD_END. */
static enum record_step take(struct net_capture *c, const struct hermit_capture *r, bool keep_marks)
{
	const uint8_t *data = gm_range(c->gm, r->data, r->size);
	struct hermit_capture_record rec;
	const uint8_t *payload;
	enum record_step step;

	if (!c->header_written)
		emit_header(c, r);
	while ((step = next_record(r, data, r->head, &c->pos, &rec, &payload)) == RECORD_FRAME) {
		if (!c->pcap)
			emit_interfaces(c, r);
		emit_frame(c, r, &rec, payload);
		c->frames++;
		c->iface_frames[rec.iface]++;
		if (keep_marks && (c->nmarks == 0 || c->pos - c->marks[c->nmarks - 1] >= r->size / NET_CAPTURE_MARKS * 4))
			mark(c, c->pos);
	}
	return step;
}

int net_capture_drain(struct net_capture *c)
{
	struct hermit_capture r;
	hermit_gpa_t at;

	if (c->failed || broken(c))
		return -1;
	if (!gv_capture(&c->gv, &r, &at))
		return broken(c) ? -1 : 0;
	if (!c->file && open_file(c) < 0)
		return -1;
	if (!c->started || c->pos - r.tail > r.size || r.head - c->pos > r.size) {
		c->pos = r.tail;
		c->started = true;
	}
	enum record_step step = take(c, &r, true);
	flush_blocks(c);
	bool dropping = r.dropped != c->dropped;
	c->dropped = r.dropped;
	if (step == RECORD_BROKEN)
		return give_up(c, "a record before its head is broken");
	free_room(c, &r, at, dropping);
	return 0;
}

static void close_outputs(struct net_capture *c, const struct hermit_capture *r)
{
	if (r && !c->pcap)
		emit_statistics(c, r);
	flush_blocks(c);
	if (c->file)
		fclose(c->file);
	c->file = NULL;
	if (c->live_fd >= 0)
		close(c->live_fd);
	c->live_fd = -1;
	free(c->buf);
	c->buf = NULL;
	c->len = c->cap = 0;
}

/* What is still in the ring, [tail, head), as a pcapng file at path (the post-mortem bundle's
 * capture.pcapng; gdb's `hermit pcap` writes the same from a core). Frames written, or -1. */
long net_capture_save(const struct guestmem *gm, hermit_gpa_t anchor, const char *path)
{
	struct net_capture c;
	struct hermit_capture r;
	hermit_gpa_t at;

	net_capture_init(&c, gm, anchor, NULL, "save", 1, NULL, -1);
	c.gv.reported = ~0u; /* quiet: a bundle without a ring is no error, a broken one was said live */
	if (!gv_capture(&c.gv, &r, &at))
		return -1;
	snprintf(c.path, sizeof(c.path), "%s", path);
	if (open_file(&c) < 0)
		return -1;
	c.pos = r.tail;
	take(&c, &r, false); /* a broken record ends the file: what came before it is still worth having */
	close_outputs(&c, &r);
	return (long)c.frames;
}

void net_capture_finish(struct net_capture *c, FILE *out)
{
	struct hermit_capture r;
	hermit_gpa_t at;

	net_capture_drain(c);
	bool ring = !c->failed && !broken(c) && gv_capture(&c->gv, &r, &at);
	if (!c->file) {
		if (!c->failed && !broken(c))
			fprintf(out, "hermit: no network capture: the guest set up no capture ring\n");
		close_outputs(c, NULL);
		return;
	}
	close_outputs(c, ring ? &r : NULL);
	fprintf(out, "hermit: network capture in %s (%llu frames, %llu dropped)\n", c->path,
		(unsigned long long)c->frames, (unsigned long long)c->dropped);
}
