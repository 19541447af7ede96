/*
 * capture.c: the guest's network capture ring (abi.h, struct hermit_capture) as a pcap file.
 *
 * With HERMIT_CAPTURE_NET=1 the proxy asks the kernel for a ring (CONFIG), drains it while the
 * guest runs (so a long transfer is not cut by the ring's size) and once more after the guest
 * ended, dead or alive: guest memory is the proxy's own mapping. Records go through libpcap's
 * writer with nanosecond timestamps: the kernel clock plus the wall-clock time at its zero.
 * Room is given back to the kernel (tail) only once the ring is half full, and then only as much
 * as keeps the newest half: what is still in guest memory is what `hermit pcap` in gdb and a
 * post-mortem core see.
 * Everything read from the ring is checked; a ring that makes no sense ends the capture, with a
 * message, and never the proxy.
 */
#include <pcap/pcap.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "proxy.h"

void net_capture_init(struct net_capture *c, const struct guestmem *gm, hermit_gpa_t anchor,
		  const char *dir, const char *app, unsigned guest)
{
	const char *base = strrchr(app, '/');
	char tag[16] = "";

	memset(c, 0, sizeof(*c));
	c->gm = gm;
	c->anchor = anchor;
	if (guest > 1)
		snprintf(tag, sizeof(tag), "-%u", guest);
	snprintf(c->path, sizeof(c->path), "%s/hermit-%s-%d%s.pcap", dir ? dir : ".",
		 base ? base + 1 : app, (int)getpid(), tag);
}

static int give_up(struct net_capture *c, const char *why)
{
	if (!c->failed)
		fprintf(stderr, "hermit: network capture stopped: %s\n", why);
	c->failed = true;
	return -1;
}

/* The ring's header, or false when the kernel has none (yet) or it is not one. */
static bool read_ring(struct net_capture *c, struct hermit_capture *r, hermit_gpa_t *at)
{
	hermit_gpa_t where;

	if (!gm_read(c->gm, c->anchor + offsetof(struct hermit_anchor, capture), &where,
		     sizeof(where)) || !where)
		return false;
	if (!gm_read(c->gm, where, r, sizeof(*r)))
		return give_up(c, "the ring's header is outside guest memory"), false;
	if (r->magic != HERMIT_CAPTURE_MAGIC || r->version != HERMIT_CAPTURE_VERSION)
		return give_up(c, "the ring has an unknown magic or version"), false;
	if (r->size < 64 || r->size % 8 || !gm_range(c->gm, r->data, r->size) ||
	    r->head - r->tail > r->size || r->snaplen == 0)
		return give_up(c, "the ring's layout is broken"), false;
	*at = where;
	return true;
}

static int open_file(struct net_capture *c, const struct hermit_capture *r)
{
	c->pcap = pcap_open_dead_with_tstamp_precision((int)r->linktype, (int)r->snaplen,
							PCAP_TSTAMP_PRECISION_NANO);
	if (!c->pcap)
		return give_up(c, "libpcap cannot make a capture handle");
	c->dumper = pcap_dump_open(c->pcap, c->path);
	if (!c->dumper) {
		if (!c->failed)
			fprintf(stderr, "hermit: %s: %s\n", c->path, pcap_geterr(c->pcap));
		pcap_close(c->pcap);
		c->pcap = NULL;
		return give_up(c, "cannot create the pcap file");
	}
	return 0;
}

static void mark(struct net_capture *c, uint64_t pos)
{
	if (c->nmarks == NET_CAPTURE_MARKS) {
		memmove(c->marks, c->marks + 1, (NET_CAPTURE_MARKS - 1) * sizeof(c->marks[0]));
		c->nmarks--;
	}
	c->marks[c->nmarks++] = pos;
}

/* Once more than half the ring is used, frees the oldest written records down to half. */
static void free_room(struct net_capture *c, const struct hermit_capture *r, hermit_gpa_t at)
{
	uint64_t tail = r->tail;
	unsigned i = 0;

	if (r->head - tail <= r->size / 2)
		return;
	while (i < c->nmarks && r->head - tail > r->size / 2 && c->marks[i] <= c->pos)
		tail = c->marks[i++];
	memmove(c->marks, c->marks + i, (c->nmarks - i) * sizeof(c->marks[0]));
	c->nmarks -= i;
	if (tail != r->tail)
		gm_write(c->gm, at + offsetof(struct hermit_capture, tail), &tail, sizeof(tail));
}

enum record_step { RECORD_END, RECORD_FRAME, RECORD_BROKEN };

/*
 * Takes the ring's next record at *pos (before head): skips the padding and wrap markers at the
 * end of the buffer, checks the record's lengths, and on RECORD_FRAME returns its header and
 * payload and advances *pos past it.
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
		if (rec->cap_len > r->snaplen || rec->cap_len > rec->orig_len || need > left || *pos + need > head)
			return RECORD_BROKEN;
		*payload = data + off + sizeof(*rec);
		*pos += need;
		return RECORD_FRAME;
	}
	return RECORD_END;
}

/* One frame into the pcap file, stamped with the guest's wall clock (nanosecond precision). */
static void dump_frame(pcap_dumper_t *dumper, const struct hermit_capture *r,
		       const struct hermit_capture_record *rec, const uint8_t *payload)
{
	int64_t t = r->realtime_at_zero + (int64_t)rec->time_ns;
	struct pcap_pkthdr h = { .caplen = rec->cap_len, .len = rec->orig_len };
	h.ts.tv_sec = t / 1000000000;
	h.ts.tv_usec = t % 1000000000;
	pcap_dump((u_char *)dumper, &h, payload);
}

int net_capture_drain(struct net_capture *c)
{
	struct hermit_capture r;
	hermit_gpa_t at;

	if (c->failed || !read_ring(c, &r, &at))
		return c->failed ? -1 : 0;
	if (!c->dumper && open_file(c, &r) < 0)
		return -1;
	const uint8_t *data = gm_range(c->gm, r.data, r.size);
	if (!c->started || c->pos - r.tail > r.size || r.head - c->pos > r.size) {
		c->pos = r.tail;
		c->started = true;
	}
	uint64_t tail = c->pos;
	struct hermit_capture_record rec;
	const uint8_t *payload;
	enum record_step step;
	while ((step = next_record(&r, data, r.head, &tail, &rec, &payload)) == RECORD_FRAME) {
		dump_frame(c->dumper, &r, &rec, payload);
		c->frames++;
		if (c->nmarks == 0 || tail - c->marks[c->nmarks - 1] >= r.size / NET_CAPTURE_MARKS * 4)
			mark(c, tail);
	}
	if (step == RECORD_BROKEN)
		return give_up(c, "a record in the ring is broken");
	c->pos = tail;
	c->dropped = r.dropped;
	free_room(c, &r, at);
	return 0;
}

/* What is still in the ring, [tail, head), as a pcap file at path (the post-mortem bundle's
 * capture.pcap; gdb's `hermit pcap` writes the same from a core). Frames written, or -1. */
long net_capture_save(const struct guestmem *gm, hermit_gpa_t anchor, const char *path)
{
	struct net_capture c;
	struct hermit_capture r;
	hermit_gpa_t at;

	net_capture_init(&c, gm, anchor, NULL, "save", 1);
	c.failed = true; /* quiet: a bundle without a ring is no error, a broken one was said live */
	if (!read_ring(&c, &r, &at))
		return -1;
	snprintf(c.path, sizeof(c.path), "%s", path);
	if (open_file(&c, &r) < 0)
		return -1;
	const uint8_t *data = gm_range(gm, r.data, r.size);
	uint64_t pos = r.tail;
	struct hermit_capture_record rec;
	const uint8_t *payload;
	/* a broken record ends the file: what came before it is still worth having */
	while (next_record(&r, data, r.head, &pos, &rec, &payload) == RECORD_FRAME) {
		dump_frame(c.dumper, &r, &rec, payload);
		c.frames++;
	}
	pcap_dump_close(c.dumper);
	pcap_close(c.pcap);
	return (long)c.frames;
}

void net_capture_finish(struct net_capture *c, FILE *out)
{
	net_capture_drain(c);
	if (!c->dumper) {
		if (!c->failed)
			fprintf(out, "hermit: no network capture: the guest set up no capture ring\n");
		return;
	}
	pcap_dump_close(c->dumper);
	pcap_close(c->pcap);
	c->dumper = c->pcap = NULL;
	fprintf(out, "hermit: network capture in %s (%llu frames, %llu dropped)\n", c->path,
		(unsigned long long)c->frames, (unsigned long long)c->dropped);
}
