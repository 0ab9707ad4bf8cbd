// SPDX-License-Identifier: GPL-2.0
/*
 * zcrx-recv: receive TCP connections with io_uring zero-copy receive, or
 * with plain recv() (--copy) for comparison.
 *
 * Listens on PORT (IPv6, dual-stack), receives every connection into the
 * area bound to QUEUE of IFNAME with its own RECV_ZC request. With several
 * -q, one ring holds an ifq per queue, each with its own area, and queue
 * number k (in the order given) receives the connections to PORT + k. The
 * area may be a dma-buf (--dmabuf), its buffers larger than a page
 * (--buf-len), or the ifq may have no device (--nodev: every byte is
 * copied into the area, on whatever queue it arrives). Optionally it
 * checks the data against the pattern zcrx-send sends (pattern.h), and
 * gives each buffer back through the refill ring. Prints a progress line
 * every interval and a summary at the end (after -n connections closed,
 * or on SIGINT), as key=value or JSON.
 *
 * What it does with the data is --consume: "none" (nothing beyond what the
 * receive path needs: buffers go back to the refill ring untouched),
 * "read" (every byte read once, into a 64-bit sum) or "verify" (every
 * byte compared with the pattern; --verify is the same). The summary
 * counts what the path cost: the process's CPU time (the scheduler's exact
 * runtime, and its user/system split), completions or recv() calls that
 * carried data, and the system calls made, for 'make bench'.
 *
 * If the queue cannot be registered it reads the device's settings and
 * says what to change, with the ethtool commands that do it.
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "zcrx.h"
#include "pattern.h"
#include "util.h"

#define TAG_ACCEPT	1ULL
#define TAG_RECV	2ULL
#define TAG_SHIFT	56
#define MAX_QUEUES	16

struct conn {
	int			fd;
	unsigned int		zq;	/* the ifq its RECV_ZC names */
	bool			open;
	bool			reported;
	struct zcrx_stream	st;
};

/* One ifq: a queue, its area, the buffers waiting for refill ring room. */
enum consume {
	CONSUME_NONE,
	CONSUME_READ,
	CONSUME_VERIFY,
};

static const char *const consume_names[] = {
	[CONSUME_NONE]		= "none",
	[CONSUME_READ]		= "read",
	[CONSUME_VERIFY]	= "verify",
};

struct zq {
	unsigned int		queue;
	unsigned int		port;
	int			lfd;
	struct zcrx_area	area;
	struct zcrx_ifq		ifq;
	struct io_uring_zcrx_rqe *held;
	unsigned int		nr_held;
	unsigned int		max_held;
};

static struct {
	const char		*ifname;
	unsigned int		queues[MAX_QUEUES];
	unsigned int		nr_queues;
	unsigned int		port;
	unsigned int		conns;
	enum consume		consume;
	bool			json;
	bool			copy;
	bool			user_region;
	bool			huge;
	bool			dmabuf;
	bool			nodev;
	unsigned int		rx_buf_len;
	size_t			area_len;
	unsigned int		rq_entries;
	unsigned int		cq_entries;
	size_t			buf_len;
	double			interval;
} opt = {
	.area_len	= 64 << 20,
	.cq_entries	= 4096,
	.buf_len	= 256 << 10,
	.interval	= 1,
};

static int stop;
static const unsigned char *table;
static struct conn *conns;
static unsigned int nr_conns, closed;
static unsigned long long bytes, errors;
/* --consume read; completions or recv() calls with data; system calls */
static unsigned long long sum, data_calls, syscalls;
static bool verify_failed;
static double t_first;

/* io_uring state */
static struct io_uring ring;
static struct zq zqs[MAX_QUEUES];
static unsigned int nr_zqs;
/* final CQEs re-armed after; buffers that waited for refill ring space */
static unsigned long long rearm_enospc, rearm_enomem, rq_full;

/* The process's runtime, every thread's, as the scheduler counts it (ns) */
static double cpu_exact(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_seconds(bool sys)
{
	struct rusage ru;
	struct timeval *tv = sys ? &ru.ru_stime : &ru.ru_utime;

	getrusage(RUSAGE_SELF, &ru);
	return tv->tv_sec + tv->tv_usec / 1e6;
}

static noreturn void die(const char *what)
{
	fprintf(stderr, "zcrx-recv: %s: %s\n", what, strerror(errno));
	exit(1);
}

static noreturn void die_err(const char *what, int err)
{
	fprintf(stderr, "zcrx-recv: %s: %s\n", what, zcrx_strerror(err));
	exit(1);
}

static int listen_on(unsigned int port)
{
	struct sockaddr_in6 a6 = {
		.sin6_family = AF_INET6,
		.sin6_port = htons(port),
		.sin6_addr = IN6ADDR_ANY_INIT,
	};
	int fd, zero = 0, one = 1;

	fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		die("setsockopt");
	if (bind(fd, (struct sockaddr *)&a6, sizeof(a6)))
		die("bind");
	if (listen(fd, 128))
		die("listen");
	return fd;
}

static struct conn *conn_new(int fd)
{
	static unsigned int cap;
	struct conn *c;

	if (nr_conns == cap) {
		cap = cap ? 2 * cap : 16;
		conns = realloc(conns, cap * sizeof(*conns));
		if (!conns)
			die("realloc");
	}
	if (!nr_conns)
		t_first = now();
	c = &conns[nr_conns++];
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->open = true;
	return c;
}

/* --consume read: each byte read once, eight at a time where aligned */
static unsigned long long sum_bytes(const unsigned char *p, size_t len)
{
	unsigned long long s = 0, w;

	for (; len && ((unsigned long)p & 7); len--)
		s += *p++;
	for (; len >= 8; len -= 8, p += 8) {
		memcpy(&w, p, 8);
		s += w;
	}
	while (len--)
		s += *p++;
	return s;
}

static void conn_data(struct conn *c, const void *data, size_t len)
{
	bytes += len;
	data_calls++;
	if (opt.consume != CONSUME_VERIFY) {
		if (opt.consume == CONSUME_READ)
			sum += sum_bytes(data, len);
		c->st.pos += len;
		return;
	}
	if (zcrx_stream_check(table, &c->st, data, len) || c->reported)
		return;
	fprintf(stderr,
		"zcrx-recv: connection %td: byte %llu is 0x%02x, the pattern says 0x%02x\n",
		c - conns, (unsigned long long)c->st.bad_pos, c->st.bad_got,
		c->st.bad_want);
	c->reported = true;
	verify_failed = true;
}

static void conn_close(struct conn *c)
{
	close(c->fd);
	c->open = false;
	closed++;
}

static bool done(void)
{
	return __atomic_load_n(&stop, __ATOMIC_RELAXED) ||
	       (opt.conns && closed >= opt.conns);
}

/* The ifqs' counters, summed; for recv(), every byte is a copy */
static int counters_read(struct zcrx_stats *st)
{
	unsigned int i;

	memset(st, 0, sizeof(*st));
	if (opt.copy) {
		st->copy_bytes = bytes;
		return 0;
	}
	for (i = 0; i < nr_zqs; i++) {
		struct zcrx_stats one;
		int ret = zcrx_stats_read(&zqs[i].ifq, &one);

		if (ret)
			return ret;
		st->free += one.free;
		st->alloc_misses += one.alloc_misses;
		st->rq_rejected += one.rq_rejected;
		st->zc_bytes += one.zc_bytes;
		st->copy_bytes += one.copy_bytes;
	}
	return 0;
}

/* Refill ring entries filled and not yet consumed, and buffers held */
static void refill_state(unsigned int *rq, unsigned int *nr_held)
{
	unsigned int i;

	*rq = 0;
	*nr_held = 0;
	for (i = 0; i < nr_zqs; i++) {
		*rq += zqs[i].ifq.rq.ring_entries - zcrx_rq_space(&zqs[i].ifq);
		*nr_held += zqs[i].nr_held;
	}
}

static double zc_pct(unsigned long long zc, unsigned long long copy)
{
	return zc + copy ? 100.0 * zc / (zc + copy) : 0;
}

static void report_progress(double *t_last)
{
	static unsigned long long last_bytes;
	static struct zcrx_stats last;
	double t = now(), dt = t - *t_last;
	unsigned int rq, nr_held;
	struct zcrx_stats c;

	if (!opt.interval || dt < opt.interval)
		return;
	/* the kernel skips the counters when it cannot lock the ring */
	if (counters_read(&c))
		c = last;
	refill_state(&rq, &nr_held);
	fprintf(stderr,
		"progress t=%.1f bytes=%llu mbit_s=%.1f zc_pct=%.1f held=%u rq=%u free=%llu conns=%u closed=%u\n",
		nr_conns ? t - t_first : 0, bytes,
		(bytes - last_bytes) * 8 / dt / 1e6,
		zc_pct(c.zc_bytes - last.zc_bytes,
		       c.copy_bytes - last.copy_bytes), nr_held, rq,
		c.free, nr_conns - closed, closed);
	last_bytes = bytes;
	last = c;
	*t_last = t;
}

/* One "key=value" of the summary, or one JSON member */
static void sum_key(const char *key)
{
	static bool first = true;

	if (opt.json)
		printf("%s\"%s\": ", first ? "{" : ", ", key);
	else
		printf("%s%s=", first ? "summary " : " ", key);
	first = false;
}

static void sum_u(const char *key, unsigned long long v)
{
	sum_key(key);
	printf("%llu", v);
}

static void sum_f(const char *key, double v)
{
	sum_key(key);
	printf("%.3f", v);
}

static void sum_s(const char *key, const char *v)
{
	sum_key(key);
	printf(opt.json ? "\"%s\"" : "%s", v);
}

static void summary(double cpu_user0, double cpu_sys0, double cpu0)
{
	double wall = nr_conns ? now() - t_first : 0;
	double user = cpu_seconds(false) - cpu_user0;
	double sys = cpu_seconds(true) - cpu_sys0;
	double cpu = cpu_exact() - cpu0;
	struct zcrx_stats c;

	counters_read(&c);
	sum_s("mode", opt.copy ? "copy" : "zc");
	sum_u("conns", closed);
	sum_u("bytes", bytes);
	sum_s("consume", consume_names[opt.consume]);
	sum_s("verified", opt.consume != CONSUME_VERIFY ? "off" :
			  verify_failed ? "no" : "yes");
	sum_u("errors", errors);
	sum_u("zc_bytes", c.zc_bytes);
	sum_u("copy_bytes", c.copy_bytes);
	sum_f("zc_pct", zc_pct(c.zc_bytes, c.copy_bytes));
	sum_f("wall_s", wall);
	sum_f("cpu_user_s", user);
	sum_f("cpu_sys_s", sys);
	sum_f("cpu_s", user + sys);
	sum_f("cpu_s_per_gib",
	      bytes ? (user + sys) / (bytes / (double)(1 << 30)) : 0);
	sum_f("mib_s", wall > 0 ? bytes / wall / (1 << 20) : 0);
	/* exact: the user/sys split above is by sampled ticks */
	sum_key("task_s");
	printf("%.6f", cpu);
	sum_u("data_calls", data_calls);
	sum_u("syscalls", syscalls);
	sum_key("sum");
	printf(opt.json ? "\"%#llx\"" : "%#llx", sum);
	sum_u("rearm_enospc", rearm_enospc);
	sum_u("rearm_enomem", rearm_enomem);
	sum_u("rq_full", rq_full);
	sum_u("alloc_misses", c.alloc_misses);
	sum_u("rq_rejected", c.rq_rejected);
	printf(opt.json ? "}\n" : "\n");
	fflush(stdout);
}

/* recv() into a buffer, connections multiplexed with poll() */
static void run_copy(int lfd)
{
	struct pollfd *pfd = NULL;
	double t_last = now();
	unsigned int i, n;
	int ready;
	char *buf;

	buf = malloc(opt.buf_len);
	if (!buf)
		die("malloc");
	while (!done()) {
		pfd = realloc(pfd, (nr_conns + 1) * sizeof(*pfd));
		if (!pfd)
			die("realloc");
		pfd[0] = (struct pollfd){ .fd = lfd, .events = POLLIN };
		for (i = 0; i < nr_conns; i++)
			pfd[i + 1] = (struct pollfd){
				.fd = conns[i].open ? conns[i].fd : -1,
				.events = POLLIN,
			};
		n = nr_conns;
		ready = poll(pfd, n + 1, opt.interval ? opt.interval * 1000 : -1);
		syscalls++;
		if (ready < 0 && errno != EINTR)
			die("poll");
		for (i = 0; ready > 0 && i < n; i++) {
			struct conn *c = &conns[i];
			ssize_t ret;

			if (!pfd[i + 1].revents)
				continue;
			ret = recv(c->fd, buf, opt.buf_len, 0);
			syscalls++;
			if (ret > 0) {
				conn_data(c, buf, ret);
				continue;
			}
			if (ret < 0) {
				fprintf(stderr, "zcrx-recv: connection %u: recv: %s\n",
					i, strerror(errno));
				errors++;
			}
			conn_close(c);
		}
		if (pfd[0].revents & POLLIN) {
			int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

			syscalls++;
			if (fd >= 0)
				conn_new(fd);
			else if (errno != EINTR)
				fprintf(stderr, "zcrx-recv: accept: %s\n",
					strerror(errno));
		}
		report_progress(&t_last);
	}
	free(pfd);
	free(buf);
}

static struct io_uring_sqe *get_sqe(void)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

	if (!sqe) {
		io_uring_submit(&ring);
		syscalls++;
		sqe = io_uring_get_sqe(&ring);
	}
	if (!sqe)
		die_err("no SQE", -EBUSY);
	return sqe;
}

/* Accept on the listener of ifq @k: its connections are received there. */
static void arm_accept(unsigned int k)
{
	struct io_uring_sqe *sqe = get_sqe();

	io_uring_prep_multishot_accept(sqe, zqs[k].lfd, NULL, NULL,
				       SOCK_CLOEXEC);
	io_uring_sqe_set_data64(sqe, TAG_ACCEPT << TAG_SHIFT | k);
}

static void arm_recv(struct conn *c)
{
	struct io_uring_sqe *sqe = get_sqe();

	zcrx_prep_recv(sqe, c->fd, &zqs[c->zq].ifq, 0);
	io_uring_sqe_set_data64(sqe, TAG_RECV << TAG_SHIFT | (c - conns));
}

/* Give a buffer back to @q; keep it while the refill ring is full. */
static void give_back(struct zq *q, __u64 off, __u32 len)
{
	if (!q->nr_held && !zcrx_rq_add(&q->ifq, off, len))
		return;
	rq_full++;
	if (q->nr_held == q->max_held) {
		q->max_held = q->max_held ? 2 * q->max_held : 1024;
		q->held = realloc(q->held, q->max_held * sizeof(*q->held));
		if (!q->held)
			die("realloc");
	}
	q->held[q->nr_held++] = (struct io_uring_zcrx_rqe){
		.off = off,
		.len = len,
	};
}

static void give_back_held(void)
{
	unsigned int i, k;

	for (k = 0; k < nr_zqs; k++) {
		struct zq *q = &zqs[k];

		for (i = 0; i < q->nr_held; i++)
			if (zcrx_rq_add(&q->ifq, q->held[i].off,
					q->held[i].len))
				break;
		memmove(q->held, q->held + i,
			(q->nr_held - i) * sizeof(*q->held));
		q->nr_held -= i;
		zcrx_rq_publish(&q->ifq);
	}
}

static void handle_cqe(const struct io_uring_cqe *cqe)
{
	unsigned int tag = cqe->user_data >> TAG_SHIFT;
	unsigned int low = cqe->user_data & ((1ULL << TAG_SHIFT) - 1);
	struct zcrx_cqe rx;
	struct conn *c;
	int ret;

	if (tag == TAG_ACCEPT) {
		if (cqe->res >= 0) {
			c = conn_new(cqe->res);
			c->zq = low;
			arm_recv(c);
		} else {
			fprintf(stderr, "zcrx-recv: accept: %s\n",
				strerror(-cqe->res));
		}
		if (!(cqe->flags & IORING_CQE_F_MORE))
			arm_accept(low);
		return;
	}

	c = &conns[low];
	ret = zcrx_cqe_decode(&zqs[c->zq].ifq, cqe, &rx);
	if (ret)
		die_err("RECV_ZC completion", ret);
	if (rx.len) {
		conn_data(c, rx.data, rx.len);
		give_back(&zqs[c->zq], rx.off, rx.len);
	}
	if (!rx.final)
		return;
	switch (rx.error) {
	case 0:
		conn_close(c);
		break;
	case -ENOSPC:
		/* the CQ was full: it is being drained */
		rearm_enospc++;
		arm_recv(c);
		break;
	case -ENOMEM:
		/* no free buffer for data to copy: give them back first */
		rearm_enomem++;
		give_back_held();
		arm_recv(c);
		break;
	default:
		fprintf(stderr,
			"zcrx-recv: connection %td: RECV_ZC after %llu bytes: %s\n",
			c - conns, (unsigned long long)c->st.pos,
			strerror(-rx.error));
		errors++;
		conn_close(c);
		break;
	}
}

/* Register ifq @k on its queue (or without a device), or say why not. */
static void setup_ifq(unsigned int k, unsigned int ifindex)
{
	struct zcrx_ifq_params p = {
		.ifindex = ifindex,
		.rq_entries = opt.rq_entries,
		.rx_buf_len = opt.rx_buf_len,
	};
	struct zq *q = &zqs[k];
	struct zcrx_dev_settings s;
	unsigned int flags = 0;
	char why[4096];
	int ret;

	q->queue = opt.nodev ? 0 : opt.queues[k];
	q->port = opt.port + k;
	p.rxq = q->queue;
	if (opt.huge)
		flags |= ZCRX_AREA_HUGETLB;
	if (opt.dmabuf)
		flags |= ZCRX_AREA_DMABUF;
	ret = zcrx_area_alloc(&q->area, opt.area_len, flags);
	if (ret == -ENOMEM && opt.huge)
		fprintf(stderr,
			"zcrx-recv: no huge pages for the area: reserve them (sysctl vm.nr_hugepages=%zu), or drop -H\n",
			opt.area_len / ZCRX_HUGE_PAGE_SIZE + 1);
	if (ret)
		die_err(opt.dmabuf ? "dma-buf area (udmabuf)" : "area", ret);
	if (!p.rq_entries) {
		/* room for every buffer twice: fragments share buffers */
		p.rq_entries = 2 * q->area.len / sysconf(_SC_PAGESIZE);
		if (p.rq_entries > ZCRX_RQ_MAX_ENTRIES)
			p.rq_entries = ZCRX_RQ_MAX_ENTRIES;
	}
	if (opt.user_region)
		p.flags |= ZCRX_IFQ_USER_REGION;
	if (opt.nodev) {
		p.flags |= ZCRX_IFQ_NODEV;
		ret = zcrx_ifq_register(&q->ifq, &ring, &q->area, &p);
		if (ret)
			die_err("ifq without a device", ret);
		fprintf(stderr,
			"zcrx-recv: ifq %u without a device: every byte is copied into the area\n",
			q->ifq.reg.zcrx_id);
		return;
	}

	ret = zcrx_ifq_register(&q->ifq, &ring, &q->area, &p);
	zcrx_dev_read(&s, opt.ifname, q->queue, q->port);
	if (zcrx_diagnose(&s, opt.ifname, q->queue, q->port, ret, why,
			  sizeof(why))) {
		if (ret)
			fprintf(stderr,
				"zcrx-recv: cannot receive zero-copy on %s queue %u: %s\n",
				opt.ifname, q->queue, zcrx_strerror(ret));
		else
			fprintf(stderr,
				"zcrx-recv: warning: %s queue %u is bound, but:\n",
				opt.ifname, q->queue);
		fputs(why, stderr);
	}
	if (ret == -EINVAL && (opt.rx_buf_len || opt.dmabuf))
		fprintf(stderr,
			"zcrx-recv: --buf-len must be a power of two the driver can post, the area whole buffers; --dmabuf needs the whole dma-buf\n");
	if (ret == -ERANGE && opt.rx_buf_len)
		fprintf(stderr,
			"zcrx-recv: --buf-len %u: a buffer must be physically contiguous: use -H (huge pages)\n",
			opt.rx_buf_len);
	if (ret)
		exit(1);
	fprintf(stderr,
		"zcrx-recv: %s queue %u, port %u: ifq %u, area %zu MiB%s%s, buffers of %u bytes, refill ring %u entries in %s memory\n",
		opt.ifname, q->queue, q->port, q->ifq.reg.zcrx_id,
		q->area.len >> 20, q->area.hugetlb ? " (huge pages)" : "",
		q->area.dmabuf ? " (dma-buf)" : "",
		opt.rx_buf_len ? opt.rx_buf_len : (unsigned int)sysconf(_SC_PAGESIZE),
		q->ifq.rq.ring_entries, opt.user_region ? "our" : "kernel");
}

static void setup_zc(void)
{
	struct io_uring_query_zcrx z;
	unsigned int ifindex = 0, k;
	int ret;

	if (!opt.nodev) {
		ifindex = if_nametoindex(opt.ifname);
		if (!ifindex)
			die(opt.ifname);
	}
	/* say what this kernel cannot do before it refuses */
	ret = zcrx_query(&z);
	if (!ret) {
		if (opt.dmabuf && !(z.area_flags & IORING_ZCRX_AREA_DMABUF))
			die_err("--dmabuf: the kernel has no dma-buf areas",
				-EOPNOTSUPP);
		if (opt.rx_buf_len && !(z.features & ZCRX_FEATURE_RX_PAGE_SIZE))
			die_err("--buf-len: the kernel has no rx_buf_len",
				-EOPNOTSUPP);
		if (opt.nodev && !(z.register_flags & ZCRX_REG_NODEV))
			die_err("--nodev: the kernel has no ZCRX_REG_NODEV",
				-EOPNOTSUPP);
	}
	ret = zcrx_ring_init(&ring, 64, opt.cq_entries);
	if (ret)
		die_err("io_uring setup", ret);
	nr_zqs = opt.nodev ? 1 : opt.nr_queues;
	for (k = 0; k < nr_zqs; k++)
		setup_ifq(k, ifindex);
}

static void run_zc(void)
{
	double t_last = now();
	struct io_uring_cqe *cqe;
	unsigned int head, n, k;
	int ret;

	for (k = 0; k < nr_zqs; k++)
		arm_accept(k);
	while (!done()) {
		double wait = opt.interval ? opt.interval : 1;
		struct __kernel_timespec ts = {
			.tv_sec = wait,
			.tv_nsec = (wait - (long long)wait) * 1e9,
		};

		give_back_held();
		/* liburing enters the kernel to submit, or when no CQE waits */
		if (io_uring_sq_ready(&ring) || !io_uring_cq_ready(&ring))
			syscalls++;
		ret = io_uring_submit_and_wait_timeout(&ring, &cqe, 1, &ts, NULL);
		if (ret < 0 && ret != -ETIME && ret != -EINTR)
			die_err("io_uring wait", ret);
		n = 0;
		io_uring_for_each_cqe(&ring, head, cqe) {
			handle_cqe(cqe);
			n++;
		}
		io_uring_cq_advance(&ring, n);
		report_progress(&t_last);
	}
}

static void on_signal(int sig)
{
	__atomic_store_n(&stop, sig, __ATOMIC_RELAXED);
}

static noreturn void show_usage(int status)
{
	fprintf(status ? stderr : stdout,
		"usage: zcrx-recv -i IFNAME -q QUEUE [-q QUEUE]... -p PORT [-n CONNS]\n"
		"                 [--consume MODE] [--json] [-a AREA_BYTES] [-r RQ_ENTRIES]\n"
		"                 [-C CQ_ENTRIES] [-u] [-H | --dmabuf] [--buf-len BYTES]\n"
		"                 [-t SECONDS]\n"
		"       zcrx-recv --nodev -p PORT [-n CONNS] [--consume MODE] [--json] [...]\n"
		"       zcrx-recv --copy -p PORT [-n CONNS] [--consume MODE] [--json]\n"
		"                 [-b BUF_BYTES] [-t SECONDS]\n"
		"  -q: several queues: queue k (in order) receives PORT + k\n"
		"  -n: exit after CONNS connections closed (default: at SIGINT)\n"
		"  -u: refill ring in our memory; -H: area in huge pages\n"
		"  --dmabuf: the area a dma-buf (udmabuf over a memfd)\n"
		"  --buf-len: rx buffers of BYTES, a power of two (with -H)\n"
		"  --nodev: an ifq without a device: every byte copied\n"
		"  -t: progress interval, 0 for none (default 1)\n"
		"  --consume: none (default), read (a sum of every byte) or verify\n"
		"             (every byte against zcrx-send's pattern; = --verify)\n");
	exit(status);
}

static const struct option longopts[] = {
	{ "verify", no_argument, NULL, 'v' },
	{ "consume", required_argument, NULL, 'm' },
	{ "json", no_argument, NULL, 'j' },
	{ "copy", no_argument, NULL, 'c' },
	{ "dmabuf", no_argument, NULL, 'D' },
	{ "buf-len", required_argument, NULL, 'L' },
	{ "nodev", no_argument, NULL, 'N' },
	{ "help", no_argument, NULL, 'h' },
	{ }
};

int main(int argc, char **argv)
{
	double cpu_user0, cpu_sys0, cpu0;
	struct sigaction sa = { };
	int c, lfd = -1;
	unsigned int k;

	while ((c = getopt_long(argc, argv, "i:q:p:n:a:r:C:b:t:uHvjch",
				longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			opt.ifname = optarg;
			break;
		case 'q':
			if (opt.nr_queues == MAX_QUEUES)
				show_usage(1);
			opt.queues[opt.nr_queues++] = strtoul(optarg, NULL, 0);
			break;
		case 'D':
			opt.dmabuf = true;
			break;
		case 'L':
			opt.rx_buf_len = parse_size(optarg);
			break;
		case 'N':
			opt.nodev = true;
			break;
		case 'p':
			opt.port = strtoul(optarg, NULL, 0);
			break;
		case 'n':
			opt.conns = strtoul(optarg, NULL, 0);
			break;
		case 'a':
			opt.area_len = parse_size(optarg);
			break;
		case 'r':
			opt.rq_entries = strtoul(optarg, NULL, 0);
			break;
		case 'C':
			opt.cq_entries = strtoul(optarg, NULL, 0);
			break;
		case 'b':
			opt.buf_len = parse_size(optarg);
			break;
		case 't':
			opt.interval = strtod(optarg, NULL);
			break;
		case 'u':
			opt.user_region = true;
			break;
		case 'H':
			opt.huge = true;
			break;
		case 'v':
			opt.consume = CONSUME_VERIFY;
			break;
		case 'm':
			for (k = 0; k < ARRAY_SIZE(consume_names); k++)
				if (!strcmp(optarg, consume_names[k]))
					break;
			if (k == ARRAY_SIZE(consume_names))
				show_usage(1);
			opt.consume = k;
			break;
		case 'j':
			opt.json = true;
			break;
		case 'c':
			opt.copy = true;
			break;
		case 'h':
			show_usage(0);
		default:
			show_usage(1);
		}
	}
	if (optind != argc || !opt.port || opt.port > 65535 || !opt.buf_len ||
	    opt.rq_entries > ZCRX_RQ_MAX_ENTRIES || !opt.area_len ||
	    opt.port + opt.nr_queues > 65536 || (opt.huge && opt.dmabuf) ||
	    (opt.copy && (opt.nodev || opt.dmabuf || opt.rx_buf_len)) ||
	    (opt.nodev && (opt.ifname || opt.nr_queues)) ||
	    (!opt.copy && !opt.nodev && (!opt.ifname || !opt.nr_queues)))
		show_usage(1);
	if (opt.consume == CONSUME_VERIFY) {
		table = zcrx_pattern_table();
		if (!table)
			die("pattern");
	}

	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	if (!opt.copy)
		setup_zc();
	if (opt.copy) {
		lfd = listen_on(opt.port);
	} else {
		for (k = 0; k < nr_zqs; k++)
			zqs[k].lfd = listen_on(zqs[k].port);
	}
	fprintf(stderr, "zcrx-recv: listening on port %u%s (%s)\n", opt.port,
		nr_zqs > 1 ? " and up" : "",
		opt.copy ? "recv() copy" : "RECV_ZC");
	cpu_user0 = cpu_seconds(false);
	cpu_sys0 = cpu_seconds(true);
	cpu0 = cpu_exact();

	if (opt.copy)
		run_copy(lfd);
	else
		run_zc();

	summary(cpu_user0, cpu_sys0, cpu0);
	for (c = 0; c < (int)nr_conns; c++)
		if (conns[c].open)
			close(conns[c].fd);
	if (opt.copy)
		close(lfd);
	for (k = 0; k < nr_zqs; k++) {
		close(zqs[k].lfd);
		zcrx_ifq_release(&zqs[k].ifq);
	}
	if (!opt.copy)
		io_uring_queue_exit(&ring);
	for (k = 0; k < nr_zqs; k++) {
		zcrx_area_free(&zqs[k].area);
		free(zqs[k].held);
	}
	return errors || verify_failed;
}
