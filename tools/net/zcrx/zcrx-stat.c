// SPDX-License-Identifier: GPL-2.0
/*
 * zcrx-stat: which rx queues are bound to a memory provider, who holds
 * them, and what zero-copy receive does on them.
 *
 * For every device, or IFNAME, it shows what the kernel reports over
 * netdev netlink: the rx queues bound to a devmem dma-buf or to an
 * io_uring interface queue (ifq), the page pools such providers feed, and
 * for an ifq the process and ring that hold it (from the rings' fdinfo
 * under /proc) and its counters: bytes and fragments received without a
 * copy and copied, refill entries rejected, allocations that found no
 * free buffer. Ifqs bound to no queue (without a device, or whose device
 * went away) are listed after the devices.
 *
 * With -w it prints instead the counters' rates every SECONDS, until
 * interrupted or COUNT intervals have passed. --json prints one JSON
 * document; with -w, one JSON object per line and interval.
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <time.h>
#include <linux/netdev.h>

#include "stat.h"
#include "util.h"

/* fdinfo reads of a ring when a bound queue's ring was not found */
#define RING_TRIES	25

static struct {
	const char	*ifname;
	unsigned int	ifindex;
	double		interval;
	unsigned long	count;
	bool		json;
} opt;

static int stop;

/* What the kernel reports at one time */
struct snap {
	struct zcrx_queue	*qs;
	size_t			nq;
	struct zcrx_page_pool	*pps;
	size_t			npp;
	struct zcrx_ring_ifq	*rings;
	size_t			nr;
	unsigned int		hidden;
	double			t;
};

/* An io_uring ifq whose counters -w follows */
struct entry {
	__u32			ifindex;	/* 0: bound to no queue */
	__u32			queue;
	const struct zcrx_ring_ifq *ring;	/* NULL if not found */
	bool			has_counters;
	struct zcrx_counters	c;
};

static noreturn void show_usage(int status)
{
	fprintf(status ? stderr : stdout,
		"usage: zcrx-stat [-i IFNAME] [-w SECONDS [-c COUNT]] [--json]\n"
		"  -i: one device (default: all)\n"
		"  -w: the counters' rates every SECONDS, until interrupted\n"
		"  -c: stop after COUNT intervals\n"
		"  --json: one JSON document; with -w, one object per interval\n");
	exit(status);
}

/* Say what failed; a hint for what a kernel lacks. */
static void nl_error(const struct zcrx_nl *nl, const char *what, int err)
{
	fprintf(stderr, "zcrx-stat: %s: %s%s%s\n", what, strerror(-err),
		nl && nl->extack[0] ? ": " : "", nl ? nl->extack : "");
	if (err == -EOPNOTSUPP)
		fprintf(stderr,
			"zcrx-stat: this kernel's netdev family cannot dump it (Linux 6.9 or later reports queues and their memory providers)\n");
}

static const char *provider_name(enum zcrx_provider mp)
{
	switch (mp) {
	case ZCRX_MP_DMABUF:
		return "dmabuf";
	case ZCRX_MP_IO_URING:
		return "io_uring";
	default:
		return "none";
	}
}

static bool ring_on_queue(const struct zcrx_ring_ifq *r,
			  const struct zcrx_queue *q)
{
	return r->st.bound && !r->st.nodev && r->st.ifindex == q->ifindex &&
	       r->st.rxq == q->id;
}

static bool ring_unbound(const struct zcrx_ring_ifq *r)
{
	return !r->st.bound || r->st.nodev || !r->st.ifindex;
}

static const struct zcrx_ring_ifq *ring_of(const struct snap *s,
					   const struct zcrx_queue *q)
{
	size_t i;

	for (i = 0; i < s->nr; i++)
		if (ring_on_queue(&s->rings[i], q))
			return &s->rings[i];
	return NULL;
}

/* An io_uring queue without its ring: one whose fdinfo was busy? */
static bool rings_missing(const struct snap *s)
{
	size_t i;

	for (i = 0; i < s->nq; i++)
		if (s->qs[i].mp == ZCRX_MP_IO_URING && !ring_of(s, &s->qs[i]))
			return true;
	return false;
}

/* An ifq's counters as its ring's fdinfo shows them */
static void ring_counters(const struct zcrx_ring_ifq *r,
			  struct zcrx_counters *c)
{
	*c = (struct zcrx_counters){
		.zc_bytes = r->st.zc_bytes,
		.zc_frags = r->st.zc_frags,
		.copy_bytes = r->st.copy_bytes,
		.copy_frags = r->st.copy_frags,
		.rq_rejected = r->st.rq_rejected,
		.alloc_misses = r->st.alloc_misses,
	};
}

/*
 * The counters of an io_uring queue's ifq: netlink's, or from a kernel
 * without them in netlink, its ring's. False if neither has them.
 */
static bool queue_counters(const struct snap *s, const struct zcrx_queue *q,
			   struct zcrx_counters *c)
{
	const struct zcrx_ring_ifq *r;

	if (q->has_counters) {
		*c = q->c;
		return true;
	}
	r = ring_of(s, q);
	if (r)
		ring_counters(r, c);
	return r;
}

static void snap_free(struct snap *s)
{
	free(s->qs);
	free(s->pps);
	free(s->rings);
	memset(s, 0, sizeof(*s));
}

static int snap_take(struct zcrx_nl *nl, struct snap *s)
{
	int ret, i;

	memset(s, 0, sizeof(*s));
	s->t = now();
	/* a dump that raced with a change (-EAGAIN) is taken again */
	for (i = 0; i < 3; i++) {
		ret = zcrx_queues_dump(nl, opt.ifindex, &s->qs, &s->nq);
		if (ret != -EAGAIN)
			break;
	}
	if (ret) {
		nl_error(nl, "dumping the rx queues (netdev queue-get)", ret);
		return ret;
	}
	for (i = 0; i < 3; i++) {
		ret = zcrx_page_pools_dump(nl, opt.ifindex, &s->pps, &s->npp);
		if (ret != -EAGAIN)
			break;
	}
	if (ret) {
		nl_error(nl, "dumping the page pools (netdev page-pool-get)",
			 ret);
		goto err;
	}
	ret = zcrx_rings_scan("/proc", 1, &s->rings, &s->nr, &s->hidden);
	if (!ret && rings_missing(s)) {
		free(s->rings);
		ret = zcrx_rings_scan("/proc", RING_TRIES, &s->rings, &s->nr,
				      &s->hidden);
	}
	if (ret) {
		nl_error(NULL, "reading the rings' fdinfo under /proc", ret);
		goto err;
	}
	return 0;
err:
	snap_free(s);
	return ret;
}

static const char *ifname_of(__u32 ifindex, char *buf)
{
	return if_indextoname(ifindex, buf) ? buf : NULL;
}

/* The ifqs -w follows: those of io_uring queues, and those of no queue */
static size_t entries_build(const struct snap *s, struct entry **out)
{
	struct entry *e;
	size_t i, n = 0;

	e = calloc(s->nq + s->nr + 1, sizeof(*e));
	if (!e) {
		fprintf(stderr, "zcrx-stat: %s\n", strerror(ENOMEM));
		exit(1);
	}
	for (i = 0; i < s->nq; i++) {
		const struct zcrx_queue *q = &s->qs[i];

		if (q->mp != ZCRX_MP_IO_URING)
			continue;
		e[n].ifindex = q->ifindex;
		e[n].queue = q->id;
		e[n].ring = ring_of(s, q);
		e[n].has_counters = queue_counters(s, q, &e[n].c);
		n++;
	}
	for (i = 0; !opt.ifindex && i < s->nr; i++) {
		if (!ring_unbound(&s->rings[i]))
			continue;
		e[n].ring = &s->rings[i];
		e[n].has_counters = true;
		ring_counters(e[n].ring, &e[n].c);
		n++;
	}
	*out = e;
	return n;
}

static bool entry_same(const struct entry *a, const struct entry *b)
{
	if (a->ifindex || b->ifindex)
		return a->ifindex == b->ifindex && a->queue == b->queue;
	return a->ring->pid == b->ring->pid && a->ring->fd == b->ring->fd &&
	       a->ring->st.id == b->ring->st.id;
}

/* JSON, one document on one line */
static struct {
	int	depth;
	bool	more[16];
} js;

static void js_key(const char *key)
{
	if (js.more[js.depth])
		fputs(", ", stdout);
	js.more[js.depth] = true;
	if (key)
		printf("\"%s\": ", key);
}

/* Start a document */
static void js_begin(void)
{
	js.depth = 0;
	js.more[0] = false;
}

static void js_open(const char *key, char c)
{
	js_key(key);
	putchar(c);
	js.more[++js.depth] = false;
}

static void js_close(char c)
{
	putchar(c);
	js.depth--;
}

static void js_u64(const char *key, unsigned long long v)
{
	js_key(key);
	printf("%llu", v);
}

static void js_int(const char *key, long long v)
{
	js_key(key);
	printf("%lld", v);
}

static void js_double(const char *key, double v)
{
	js_key(key);
	printf("%.3f", v);
}

static void js_bool(const char *key, bool v)
{
	js_key(key);
	fputs(v ? "true" : "false", stdout);
}

static void js_str(const char *key, const char *s)
{
	js_key(key);
	if (!s) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void js_counters(const char *key, const struct zcrx_counters *c)
{
	js_open(key, '{');
	js_u64("zc_bytes", c->zc_bytes);
	js_u64("zc_frags", c->zc_frags);
	js_u64("copy_bytes", c->copy_bytes);
	js_u64("copy_frags", c->copy_frags);
	js_u64("rq_rejected", c->rq_rejected);
	js_u64("alloc_misses", c->alloc_misses);
	js_close('}');
}

static void js_ring(const char *key, const struct zcrx_ring_ifq *r)
{
	js_open(key, '{');
	js_int("pid", r->pid);
	js_str("comm", r->comm);
	js_int("fd", r->fd);
	js_u64("ifq", r->st.id);
	js_u64("ifindex", r->st.ifindex);
	js_u64("rxq", r->st.rxq);
	js_bool("bound", r->st.bound);
	js_bool("nodev", r->st.nodev);
	js_bool("dmabuf", r->st.dmabuf);
	js_u64("rq_entries", r->st.rq_entries);
	js_u64("area_pages", r->st.area_pages);
	js_u64("buf_len", r->st.buf_len);
	js_u64("free", r->st.free);
	js_u64("users", r->st.users);
	js_close('}');
}

static void json_queue(const struct snap *s, const struct zcrx_queue *q)
{
	struct zcrx_counters c;
	size_t i;

	js_open(NULL, '{');
	js_u64("id", q->id);
	js_u64("napi_id", q->napi_id);
	js_str("provider", provider_name(q->mp));
	if (q->mp == ZCRX_MP_DMABUF)
		js_u64("dmabuf", q->dmabuf);
	if (q->mp == ZCRX_MP_IO_URING) {
		if (queue_counters(s, q, &c)) {
			js_counters("counters", &c);
		} else {
			js_key("counters");
			fputs("null", stdout);
		}
		js_open("rings", '[');
		for (i = 0; i < s->nr; i++)
			if (ring_on_queue(&s->rings[i], q))
				js_ring(NULL, &s->rings[i]);
		js_close(']');
	}
	js_close('}');
}

static void json_pool(const struct zcrx_page_pool *pp)
{
	js_open(NULL, '{');
	js_u64("id", pp->id);
	js_u64("napi_id", pp->napi_id);
	js_str("provider", provider_name(pp->mp));
	if (pp->mp == ZCRX_MP_DMABUF)
		js_u64("dmabuf", pp->dmabuf);
	js_u64("inflight", pp->inflight);
	js_u64("inflight_mem", pp->inflight_mem);
	js_bool("detached", pp->detached);
	js_close('}');
}

static void json_snap(const struct snap *s)
{
	char name[IF_NAMESIZE];
	struct zcrx_counters c;
	size_t i, j, k;

	js_begin();
	js_open(NULL, '{');
	js_open("devices", '[');
	for (i = 0; i < s->nq; i = j) {
		__u32 ifindex = s->qs[i].ifindex;

		for (j = i; j < s->nq && s->qs[j].ifindex == ifindex; j++)
			;
		js_open(NULL, '{');
		js_str("ifname", ifname_of(ifindex, name));
		js_u64("ifindex", ifindex);
		js_u64("rx_queues", j - i);
		js_open("queues", '[');
		for (k = i; k < j; k++)
			if (s->qs[k].mp != ZCRX_MP_NONE)
				json_queue(s, &s->qs[k]);
		js_close(']');
		js_open("page_pools", '[');
		for (k = 0; k < s->npp; k++)
			if (s->pps[k].ifindex == ifindex &&
			    s->pps[k].mp != ZCRX_MP_NONE)
				json_pool(&s->pps[k]);
		js_close(']');
		js_close('}');
	}
	js_close(']');
	js_open("unbound_ifqs", '[');
	for (i = 0; !opt.ifindex && i < s->nr; i++) {
		const struct zcrx_ring_ifq *r = &s->rings[i];

		if (!ring_unbound(r))
			continue;
		ring_counters(r, &c);
		js_open(NULL, '{');
		js_ring("ring", r);
		js_counters("counters", &c);
		js_close('}');
	}
	js_close(']');
	js_u64("hidden_processes", s->hidden);
	js_close('}');
	putchar('\n');
}

static void text_ring(const struct zcrx_ring_ifq *r)
{
	printf("    ring fd %d of pid %d (%s), ifq %u: ", r->fd, r->pid,
	       r->comm, r->st.id);
	printf("%llu buffers of %llu bytes, %llu free, refill ring of %u entries%s\n",
	       (unsigned long long)r->st.area_pages,
	       (unsigned long long)r->st.buf_len,
	       (unsigned long long)r->st.free, r->st.rq_entries,
	       r->st.dmabuf ? ", area a dma-buf" : "");
}

static void text_counters(const struct zcrx_counters *c)
{
	printf("    without a copy: %llu bytes in %llu fragments; ",
	       (unsigned long long)c->zc_bytes,
	       (unsigned long long)c->zc_frags);
	printf("copied: %llu bytes in %llu fragments\n",
	       (unsigned long long)c->copy_bytes,
	       (unsigned long long)c->copy_frags);
	printf("    refill entries rejected: %llu; allocations without a free buffer: %llu\n",
	       (unsigned long long)c->rq_rejected,
	       (unsigned long long)c->alloc_misses);
}

static void text_queue(const struct snap *s, const struct zcrx_queue *q)
{
	struct zcrx_counters c;
	bool ring = false;
	size_t i;

	printf("  rx queue %u: ", q->id);
	if (q->mp == ZCRX_MP_DMABUF)
		printf("dma-buf binding %u", q->dmabuf);
	else
		printf("io_uring");
	if (q->napi_id)
		printf(", napi %u", q->napi_id);
	putchar('\n');
	if (q->mp != ZCRX_MP_IO_URING)
		return;
	for (i = 0; i < s->nr; i++) {
		if (!ring_on_queue(&s->rings[i], q))
			continue;
		text_ring(&s->rings[i]);
		ring = true;
	}
	if (!ring && s->hidden)
		printf("    ring: not found among the processes we may read (run as root)\n");
	else if (!ring)
		printf("    ring: not found under /proc (its fdinfo stayed busy)\n");
	if (queue_counters(s, q, &c))
		text_counters(&c);
	else
		printf("    counters: not reported\n");
}

static void text_snap(const struct snap *s)
{
	char name[IF_NAMESIZE];
	struct zcrx_counters c;
	unsigned int bound;
	size_t i, j, k;
	bool header;

	for (i = 0; i < s->nq; i = j) {
		__u32 ifindex = s->qs[i].ifindex;
		const char *ifname = ifname_of(ifindex, name);

		bound = 0;
		for (j = i; j < s->nq && s->qs[j].ifindex == ifindex; j++)
			bound += s->qs[j].mp != ZCRX_MP_NONE;
		printf("%s (ifindex %u): %zu rx queue%s, ", ifname ? : "?",
		       ifindex, j - i, j - i == 1 ? "" : "s");
		if (bound)
			printf("%u bound to a memory provider\n", bound);
		else
			printf("none bound to a memory provider\n");
		for (k = i; k < j; k++)
			if (s->qs[k].mp != ZCRX_MP_NONE)
				text_queue(s, &s->qs[k]);
		for (k = 0; k < s->npp; k++) {
			const struct zcrx_page_pool *pp = &s->pps[k];

			if (pp->ifindex != ifindex || pp->mp == ZCRX_MP_NONE)
				continue;
			printf("  page pool %llu (%s", (unsigned long long)pp->id,
			       provider_name(pp->mp));
			if (pp->napi_id)
				printf(", napi %u", pp->napi_id);
			printf("): %llu buffers, %llu bytes in flight%s\n",
			       (unsigned long long)pp->inflight,
			       (unsigned long long)pp->inflight_mem,
			       pp->detached ? ", detached" : "");
		}
	}
	if (opt.ifindex && !s->nq)
		printf("%s (ifindex %u): no queues reported: the device is down\n",
		       opt.ifname, opt.ifindex);
	header = false;
	for (i = 0; !opt.ifindex && i < s->nr; i++) {
		const struct zcrx_ring_ifq *r = &s->rings[i];

		if (!ring_unbound(r))
			continue;
		if (!header)
			printf("ifqs bound to no queue:\n");
		header = true;
		printf("  %s\n", r->st.nodev ? "without a device" :
			"its device went away");
		text_ring(r);
		ring_counters(r, &c);
		text_counters(&c);
	}
	if (!s->nq && !header && !opt.ifindex)
		printf("no device reports rx queues (none is up)\n");
}

/* @cur less @prev; all of @cur if the ifq is new or its counters restarted */
static void delta(const struct zcrx_counters *cur,
		  const struct zcrx_counters *prev, struct zcrx_counters *d)
{
	*d = *cur;
	if (!prev || cur->zc_bytes < prev->zc_bytes ||
	    cur->zc_frags < prev->zc_frags ||
	    cur->copy_bytes < prev->copy_bytes ||
	    cur->copy_frags < prev->copy_frags ||
	    cur->rq_rejected < prev->rq_rejected ||
	    cur->alloc_misses < prev->alloc_misses)
		return;
	d->zc_bytes -= prev->zc_bytes;
	d->zc_frags -= prev->zc_frags;
	d->copy_bytes -= prev->copy_bytes;
	d->copy_frags -= prev->copy_frags;
	d->rq_rejected -= prev->rq_rejected;
	d->alloc_misses -= prev->alloc_misses;
}

static void print_rates(const struct snap *cur, const struct snap *prev,
			double t0)
{
	struct entry *ce, *pe;
	size_t cn, pn, i, j;
	double dt = cur->t - prev->t;
	char name[IF_NAMESIZE];

	cn = entries_build(cur, &ce);
	pn = entries_build(prev, &pe);
	if (opt.json) {
		js_begin();
		js_open(NULL, '{');
		js_double("time", cur->t - t0);
		js_double("interval", dt);
		js_open("ifqs", '[');
	} else if (!cn) {
		printf("t=%.1f no io_uring ifq%s%s\n", cur->t - t0,
		       opt.ifname ? " on " : "", opt.ifname ? : "");
	}
	for (i = 0; i < cn; i++) {
		const struct zcrx_counters *p = NULL;
		const struct entry *e = &ce[i];
		struct zcrx_counters d;

		for (j = 0; j < pn; j++)
			if (pe[j].has_counters && entry_same(e, &pe[j]))
				p = &pe[j].c;
		delta(&e->c, p, &d);
		if (opt.json) {
			js_open(NULL, '{');
			js_str("ifname", e->ifindex ?
				ifname_of(e->ifindex, name) : NULL);
			js_u64("ifindex", e->ifindex);
			js_u64("queue", e->queue);
			if (e->ring) {
				js_int("pid", e->ring->pid);
				js_str("comm", e->ring->comm);
				js_int("fd", e->ring->fd);
				js_u64("ifq", e->ring->st.id);
			}
			js_bool("counters", e->has_counters);
			js_counters("delta", &d);
			js_open("per_second", '{');
			js_double("zc_bytes", d.zc_bytes / dt);
			js_double("zc_frags", d.zc_frags / dt);
			js_double("copy_bytes", d.copy_bytes / dt);
			js_double("copy_frags", d.copy_frags / dt);
			js_double("rq_rejected", d.rq_rejected / dt);
			js_double("alloc_misses", d.alloc_misses / dt);
			js_close('}');
			js_close('}');
			continue;
		}
		printf("t=%.1f ", cur->t - t0);
		if (e->ifindex)
			printf("%s rx %u", ifname_of(e->ifindex, name) ? : "?",
			       e->queue);
		else
			printf("ifq %u (bound to no queue)", e->ring->st.id);
		if (e->ring)
			printf(" pid %d (%s) fd %d", e->ring->pid,
			       e->ring->comm, e->ring->fd);
		if (!e->has_counters) {
			printf(": no counters reported\n");
			continue;
		}
		printf(": zc %.2f MB/s %.0f frags/s, copied %.2f MB/s %.0f frags/s",
		       d.zc_bytes / dt / 1e6, d.zc_frags / dt,
		       d.copy_bytes / dt / 1e6, d.copy_frags / dt);
		printf(", refill rejected %.0f/s, alloc misses %.0f/s\n",
		       d.rq_rejected / dt, d.alloc_misses / dt);
	}
	if (opt.json) {
		js_close(']');
		js_close('}');
		putchar('\n');
	}
	fflush(stdout);
	free(ce);
	free(pe);
}

static void on_signal(int sig)
{
	__atomic_store_n(&stop, sig, __ATOMIC_RELAXED);
}

/* Sleep until @t (now()'s clock); false if a signal came first. */
static bool sleep_until(double t)
{
	struct timespec ts = {
		.tv_sec = (time_t)t,
		.tv_nsec = (t - (time_t)t) * 1e9,
	};

	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		int ret = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts,
					  NULL);

		if (!ret)
			return true;
		if (ret != EINTR) {
			fprintf(stderr, "zcrx-stat: clock_nanosleep: %s\n",
				strerror(ret));
			return false;
		}
	}
	return false;
}

static int watch(struct zcrx_nl *nl)
{
	struct snap prev, cur;
	unsigned long k;
	double t0;
	int ret;

	ret = snap_take(nl, &prev);
	if (ret)
		return ret;
	t0 = prev.t;
	for (k = 1; !opt.count || k <= opt.count; k++) {
		if (!sleep_until(t0 + k * opt.interval))
			break;
		ret = snap_take(nl, &cur);
		if (ret)
			break;
		print_rates(&cur, &prev, t0);
		snap_free(&prev);
		prev = cur;
	}
	snap_free(&prev);
	return ret;
}

static const struct option longopts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ }
};

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct zcrx_nl nl;
	char *end;
	int c, ret;

	while ((c = getopt_long(argc, argv, "i:w:c:jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			opt.ifname = optarg;
			break;
		case 'w':
			opt.interval = strtod(optarg, &end);
			if (*end || !(opt.interval > 0) || opt.interval > 1e6)
				show_usage(1);
			break;
		case 'c':
			opt.count = strtoul(optarg, &end, 0);
			if (*end || !opt.count)
				show_usage(1);
			break;
		case 'j':
			opt.json = true;
			break;
		case 'h':
			show_usage(0);
		default:
			show_usage(1);
		}
	}
	if (optind != argc || (opt.count && !opt.interval))
		show_usage(1);
	if (opt.ifname) {
		if (strlen(opt.ifname) >= IF_NAMESIZE) {
			fprintf(stderr, "zcrx-stat: no device %s: the name is too long\n",
				opt.ifname);
			return 1;
		}
		opt.ifindex = if_nametoindex(opt.ifname);
		if (!opt.ifindex) {
			fprintf(stderr, "zcrx-stat: no device %s: %s\n",
				opt.ifname, strerror(errno));
			return 1;
		}
	}

	ret = zcrx_nl_open(&nl, NETDEV_FAMILY_NAME);
	if (ret == -ENOENT) {
		fprintf(stderr,
			"zcrx-stat: this kernel has no \"%s\" generic netlink family: it does not report queues and their memory providers\n",
			NETDEV_FAMILY_NAME);
		return 1;
	}
	if (ret) {
		nl_error(NULL, "netlink (the netdev family)", ret);
		return 1;
	}

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (opt.interval) {
		ret = watch(&nl);
	} else {
		struct snap s;

		ret = snap_take(&nl, &s);
		if (!ret) {
			if (opt.json)
				json_snap(&s);
			else
				text_snap(&s);
			snap_free(&s);
		}
	}
	zcrx_nl_close(&nl);
	return ret ? 1 : 0;
}
