/*
 * relay_cache.c: replies of the stub that the relay keeps, to answer the same packet again
 * itself. Two lifetimes:
 *	the guest's      target.xml (qXfer:features:read), qAttached, vCont?: fixed by the kernel
 *	                 image, kept until the guest ends;
 *	the stop's       ?, g, p, T, qC, qThreadExtraInfo and a whole qXfer:threads document:
 *	                 the state of a stopped guest, dropped at every resume, at every stop, and
 *	                 as soon as gdb sends anything that may change the target (writes of memory
 *	                 or registers, breakpoints, monitor commands, any packet not known to be a
 *	                 pure read).
 * g and p answer for the thread the stub took with Hg, so that thread is part of their key. A
 * reply that is an error is not kept. A qXfer:threads reply is kept only when it holds the whole
 * document ('l' at offset 0): the stub serves later pieces from the snapshot it made at offset 0.
 */
#include <stdlib.h>

#include "relay.h"

static bool one_of(const char *p, size_t len, const char *const *words)
{
	for (; *words; words++)
		if (relay_is_word(p, len, *words))
			return true;
	return false;
}

static bool per_guest(const char *p, size_t len)
{
	static const char *const words[] = { "qXfer:features:read", "qAttached", "vCont?", NULL };
	return one_of(p, len, words);
}

static bool per_stop(const char *p, size_t len)
{
	static const char *const words[] = { "?", "g", "qC", "qThreadExtraInfo", NULL };
	return one_of(p, len, words) || (len > 1 && (p[0] == 'p' || p[0] == 'T')) ||
	       relay_starts(p, len, "qXfer:threads:read::0,");
}

/* Packets that change nothing in the target: the cache outlives them. */
static bool pure_read(const char *p, size_t len)
{
	static const char *const words[] = { "qfThreadInfo", "qsThreadInfo", "qXfer:threads:read", NULL };
	return per_guest(p, len) || per_stop(p, len) || one_of(p, len, words) ||
	       (len > 0 && (p[0] == 'm' || p[0] == 'x' || p[0] == 'H'));
}

/* The key of a cacheable packet into key[RELAY_ASKED_MAX]; 0 when it is not cacheable. */
static size_t make_key(const struct relay_fast *f, const char *p, size_t len, char *key)
{
	size_t thread = 0;

	if (!per_guest(p, len) && !per_stop(p, len))
		return 0;
	if (p[0] == 'g' || p[0] == 'p')
		thread = strlen(f->hg) + 1;
	if (thread + len > RELAY_ASKED_MAX)
		return 0;
	if (thread) {
		memcpy(key, f->hg, thread - 1);
		key[thread - 1] = '|';
	}
	memcpy(key + thread, p, len);
	return thread + len;
}

static bool is_error(const char *p, size_t len)
{
	return len == 0 || (len == 3 && p[0] == 'E');
}

const struct relay_cached *relay_cache_get(const struct relay_fast *f, const char *key, size_t n)
{
	for (unsigned i = 0; n && i < f->ncached; i++)
		if (f->cache[i].key_len == n && memcmp(f->cache[i].key, key, n) == 0)
			return &f->cache[i];
	return NULL;
}

const struct relay_cached *relay_cache_find(const struct relay_fast *f, const char *p, size_t len)
{
	char key[RELAY_ASKED_MAX];

	return relay_cache_get(f, key, make_key(f, p, len, key));
}

void relay_cache_put(struct relay_fast *f, const char *key, size_t key_len, const char *reply,
		     size_t reply_len, bool guest_long)
{
	struct relay_cached *c;

	if (f->ncached == RELAY_CACHE_MAX)
		return; /* a gdb that reads this much between resumes gets the stub's answers */
	c = &f->cache[f->ncached];
	c->key = malloc(key_len);
	c->reply = malloc(reply_len ? reply_len : 1);
	if (!c->key || !c->reply) {
		free(c->key);
		free(c->reply);
		return;
	}
	memcpy(c->key, key, key_len);
	memcpy(c->reply, reply, reply_len);
	c->key_len = key_len;
	c->reply_len = reply_len;
	c->per_guest = guest_long;
	f->ncached++;
}

void relay_cache_clear(struct relay_fast *f, bool guest_too)
{
	unsigned kept = 0;

	f->gen++;
	for (unsigned i = 0; i < f->ncached; i++) {
		if (f->cache[i].per_guest && !guest_too) {
			f->cache[kept++] = f->cache[i];
			continue;
		}
		free(f->cache[i].key);
		free(f->cache[i].reply);
	}
	f->ncached = kept;
}

void relay_cache_asking(struct relay_fast *f, const char *p, size_t len)
{
	f->asked_len = 0;
	f->asked_hg = false;
	if (!pure_read(p, len))
		relay_cache_clear(f, false);
	if (relay_starts(p, len, "Hg") && len - 2 < sizeof(f->hg)) {
		f->asked_hg = true;
		f->asked_len = len - 2;
		memcpy(f->asked, p + 2, len - 2);
	} else if (!relay_cache_find(f, p, len)) {
		f->asked_len = make_key(f, p, len, f->asked);
	}
}

void relay_cache_answered(struct relay_fast *f, const char *p, size_t len)
{
	size_t n = f->asked_len;

	f->asked_len = 0;
	if (!n || is_error(p, len))
		return;
	if (f->asked_hg) {
		if (len == 2 && memcmp(p, "OK", 2) == 0) {
			memcpy(f->hg, f->asked, n);
			f->hg[n] = '\0';
		}
		return;
	}
	if (relay_starts(f->asked, n, "qXfer:threads:") && (len == 0 || p[0] != 'l'))
		return;
	relay_cache_put(f, f->asked, n, p, len, per_guest(f->asked, n));
}
