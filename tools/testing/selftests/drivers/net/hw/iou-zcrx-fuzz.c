// SPDX-License-Identifier: GPL-2.0
/*
 * iou-zcrx-fuzz: fuzz the io_uring zero-copy receive uapi.
 *
 * Binds rx queue QUEUE of IFNAME (header split on, a TCP flow to PORT
 * steered to it by the caller) and runs ITERATIONS system calls with
 * random and boundary values, each one of:
 *
 *  - an io_uring_enter() that submits one IORING_OP_RECV_ZC SQE, every
 *    field of it random or a boundary value, on the connection the remote
 *    end streams to PORT, on a loopback TCP connection (data copied), or
 *    on files that take no zero-copy receive: UDP, AF_UNIX, listening and
 *    unconnected TCP sockets, a pipe, /dev/null, the ring itself, closed
 *    and invalid descriptors;
 *  - a refill batch: entries that give back buffers received, twice or
 *    with __pad set, offsets never handed out or outside the area, the
 *    tail moved far past the head, the head overwritten; then every buffer
 *    still held goes back, so that the queue keeps receiving, and an
 *    io_uring_enter() runs the ring's task work;
 *  - an IORING_REGISTER_ZCRX_IFQ with random and boundary values in the
 *    registration, area and region structures, the pointers to them, the
 *    ring and the system call's arguments.
 *
 * A registration that succeeds restarts the queue, so nearly all of them
 * are invalid and fail early. Every 20000 iterations or so, and soon
 * after the refill tail was moved, the ring is closed and created again,
 * with a new connection; its first registration is a fuzzed one that may
 * bind the queue, else a valid one does.
 *
 * Every call and completion is checked against what the uapi allows for
 * its input: an errno outside the allowed set, a registration that
 * succeeds where it must fail or returns inconsistent results, results
 * written back by a failed one, data on a file that has none, a
 * completion outside its ifq's area or beyond its request's len, an
 * unexpected res or flag, a crash, or 30 s without progress ends the run:
 * the fuzzer prints the seed, the iteration and the input as one line and
 * exits 1 (a parent process watches the one that makes the calls, for the
 * crashes and hangs). At the end it waits for the areas to be unpinned
 * and prints a summary. Kernel warnings, KASAN reports and leaks are for
 * the caller to find in the kernel log.
 *
 * Reproducing: the same seed (-s) draws the same inputs; only the
 * kernel's timing (which buffers arrive when) differs between runs. The
 * line a failure prints runs alone from a corpus file (-c), whose inputs
 * run in order before the random ones. In a line, fields left out take
 * the value of a valid input; addresses and devices are symbolic: area,
 * region, hole (unmapped), ro (read-only), end (the area's length), dev,
 * lo, q, nq (the number of rx queues), with an optional +/- offset:
 *
 *   sqe ioprio=0x0
 *   refill ifq=0 rqes=held,dup,pad:0x1,raw:end:4096:0x0 tail+=0x40000000
 *   reg rq_entries=0
 *   reg fresh=1 addr=0xfffffffffffff000 len=0x2000
 *
 * An sqe's fd is one of data, loop, udp, unix, listen, tcp, pipe, null,
 * ring, closed, neg (-1) and huge. A refill line's rqes go in the ring
 * before every buffer still held: held (the oldest buffer held), dup (the
 * same, twice), pad:P (the same with __pad P, then as it should be),
 * raw:OFF:LEN:PAD (that entry); tail+=N moves the tail N entries further,
 * head=H overwrites the head. "fresh=1" runs a registration first thing
 * on a new ring, where it may bind the queue. -v prints every input
 * before it runs.
 *
 * Usage: iou-zcrx-fuzz -i IFNAME -q QUEUE [-p PORT] [-s SEED]
 *                      [-n ITERATIONS] [-T SECONDS] [-c CORPUS] [-v]
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/io_uring.h>

#include "../../../kselftest.h"

#define KIB		1024ULL
#define MIB		(1024 * KIB)
/* the area of the valid registration, and of the cheap fuzzed ones */
#define AREA_SIZE	(4 * MIB)
#define SMALL_AREA	(64 * KIB)
/* user memory for refill regions */
#define REGION_MAP	(1 * MIB)
/*
 * All of it inside one reservation, with PROT_NONE around it: a range
 * that runs past the area or the region faults, whatever else is mapped.
 */
#define RES_SIZE	(32 * MIB)
#define HOLE_OFF	(1 * MIB)
#define AREA_OFF	(4 * MIB)
#define REGION_OFF	(12 * MIB)
/* the read-only view of the arena: what follows it faults too */
#define RO_OFF		(20 * MIB)
/* where the structures of a registration go in the arena page */
#define ARENA_REG	0
#define ARENA_AREA	512
#define ARENA_RD	1024
/* an aligned kernel address: copy_from_user() refuses it */
#define KERNEL_ADDR	0xffff888000000000ULL

#define RQ_ENTRIES	256
#define SMALL_RQ	64
#define RQ_MAX		32768
#define CQ_ENTRIES	512
#define SQ_ENTRIES	8
#define MAX_IFQS	8
#define MAX_REQS	4096
#define MAX_ITEMS	16
#define MAX_HELD	65536
#define ERRNO_MAX	128

#define RECREATE_ODDS	20000
#define JUMP_RECREATE	500
#define RETRY_MS	10000
#define ACCEPT_MS	10000
#define HELD_WAIT_MS	3000
#define HANG_S		30
#define LOOP_EVERY	256

#define SQE_VALID_FLAGS	(IOSQE_FIXED_FILE | IOSQE_IO_DRAIN | IOSQE_IO_LINK | \
			 IOSQE_IO_HARDLINK | IOSQE_ASYNC | IOSQE_BUFFER_SELECT | \
			 IOSQE_CQE_SKIP_SUCCESS)
#define RING_FLAGS	(IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | \
			 IORING_SETUP_CQE32)

#define load_acquire(p)		__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define store_release(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELEASE)

/* Files an SQE may name. */
enum fd_kind {
	FD_DATA, FD_LOOP, FD_UDP, FD_UNIX, FD_LISTEN, FD_TCP, FD_PIPE,
	FD_NULL, FD_RING, FD_CLOSED, FD_NEG, FD_HUGE, FD_NR,
};

static const char * const fd_names[FD_NR] = {
	"data", "loop", "udp", "unix", "listen", "tcp", "pipe", "null",
	"ring", "closed", "neg", "huge",
};

/* Rings a registration may go to. */
enum ring_kind {
	RING_MAIN, RING_NOCQE32, RING_NODEFER, RING_BADFD, RING_NOTRING,
	RING_NR,
};

static const char * const ring_names[RING_NR] = {
	"main", "nocqe32", "nodefer", "badfd", "notring",
};

/* What a pointer in a registration points to. */
enum ptr_kind {
	PTR_OK, PTR_NULL, PTR_LOW, PTR_HOLE, PTR_KERNEL, PTR_RO, PTR_NR,
};

static const char * const ptr_names[PTR_NR] = {
	"ok", "null", "low", "hole", "kernel", "ro",
};

/* The symbols of a value, resolved when the input runs. */
enum sym {
	SYM_NONE, SYM_AREA, SYM_END, SYM_HOLE, SYM_REGION, SYM_RO, SYM_DEV,
	SYM_LO, SYM_Q, SYM_NQ, SYM_NR,
};

static const char * const sym_names[SYM_NR] = {
	"", "area", "end", "hole", "region", "ro", "dev", "lo", "q", "nq",
};

struct expr {
	__u8 sym;
	__u64 add;
};

struct sqe_input {
	__u8 opcode;
	__u8 flags;
	__u16 ioprio;
	__u8 fd;
	__u32 len;
	__u64 off;
	__u64 addr;
	__u32 msg_flags;
	__u16 buf_index;
	__u16 personality;
	__u32 ifq;
	__u64 addr3;
	__u64 pad2;
};

enum rqe_kind { RQE_HELD, RQE_DUP, RQE_PAD, RQE_RAW };

struct rqe_item {
	__u8 kind;
	struct expr off;
	__u32 len;
	__u32 pad;
};

struct refill_input {
	__u32 ifq;
	__u8 nr;
	struct rqe_item items[MAX_ITEMS];
	bool has_tail;
	__u32 tail_add;
	bool has_head;
	__u32 head;
};

struct reg_input {
	bool fresh;
	__u8 ring;
	__u32 op;
	__u32 nr;
	__u8 arg;
	struct expr if_idx;
	struct expr if_rxq;
	__u32 rq_entries;
	__u32 flags;
	__u32 zcrx_id;
	__u32 rx_buf_len;
	__u64 resv[3];
	__u64 offs[6];
	__u8 area_ptr;
	struct expr addr;
	__u64 len;
	__u64 token;
	__u32 aflags;
	__u32 dmabuf_fd;
	__u64 aresv[2];
	__u8 region_ptr;
	struct expr user_addr;
	__u64 size;
	__u32 rflags;
	__u32 rid;
	__u64 mmap_offset;
	__u64 rresv[4];
};

enum input_kind { IN_NONE, IN_SQE, IN_REFILL, IN_REG };

struct input {
	int kind;
	union {
		struct sqe_input sqe;
		struct refill_input rf;
		struct reg_input reg;
	};
};

/* Shared with the supervising parent, which reports crashes and hangs. */
struct shared {
	__u64 heartbeat;
	__u64 iteration;
	unsigned int corpus_line;
	struct input in;
};

/* A set of errnos. */
struct eset {
	__u64 m[ERRNO_MAX / 64];
};

/* A buffer the kernel handed over in a CQE, not given back yet. */
struct held {
	__u64 off;
	__u32 len;
};

/* A registered ifq of the current ring. */
struct ifq {
	bool used;
	__u32 id;
	__u64 area_len;
	__u64 token;
	__u32 entries;
	__u32 *head;
	__u32 *tail;
	struct io_uring_zcrx_rqe *rqes;
	void *map;
	size_t map_len;
	__u32 local_tail;
	bool jumped;
	struct held *held;
	unsigned int held_first;
	unsigned int held_nr;
};

/* A submitted RECV_ZC request and what it may complete with. */
struct req {
	bool used;
	__u32 gen;
	__u64 iteration;
	struct sqe_input in;
	int kind;
	bool armed;
	struct eset allowed;
	bool data_ok;
	bool zero_ok;
	__u64 bytes;
};

struct ring {
	int fd;
	unsigned int sq_mask;
	unsigned int cq_mask;
	unsigned int *sq_head;
	unsigned int *sq_tail;
	unsigned int *sq_array;
	unsigned int *cq_head;
	unsigned int *cq_tail;
	struct io_uring_sqe *sqes;
	void *cqes;
	void *sq_ring;
	void *cq_ring;
	size_t sq_ring_len;
	size_t cq_ring_len;
	size_t sqes_len;
};

/* io_init_req()'s drain state of the ring */
struct drain {
	bool disabled;
	bool active;
};

static const char *ifname;
static unsigned int ifindex;
static unsigned int queue;
static unsigned int nr_queues;
static const char *port;
static __u64 seed;
static __u64 max_iterations = 100000;
static unsigned int time_limit;
static const char *corpus;
static bool verbose;
static long page_size;

static __u64 rng_state;
static struct shared *sh;
static unsigned int corpus_line;

static struct {
	struct ring ring;
	bool ring_open;
	bool clamp;
	int nocqe32_fd;
	int nodefer_fd;
	struct ifq ifqs[MAX_IFQS];
	struct req reqs[MAX_REQS];
	unsigned int next_req;
	__u32 gen;
	unsigned int armed[FD_NR];
	struct drain drain;
	bool q_bound;
	__u32 main_id;
	int fds[FD_NR];
	int port_fd;
	int loop_peer;
	int pipe_w;
	void *res;
	void *area;
	void *region;
	void *arena_rw;
	void *arena_ro;
	__u64 recreate_at;
} fz;

static struct {
	__u64 iterations;
	__u64 regs;
	__u64 regs_ok;
	__u64 sqes;
	__u64 refills;
	__u64 rqes;
	__u64 cqes;
	__u64 data_bytes;
	__u64 zc_bytes;
	__u64 copy_bytes;
	__u64 rq_rejected;
	__u64 rings;
	__u64 connections;
	__u64 corpus;
	__u64 sqe_res[ERRNO_MAX];
	__u64 reg_res[ERRNO_MAX];
} st;

static const struct {
	int err;
	const char *name;
} errnos[] = {
	{ EPERM, "EPERM" }, { EINTR, "EINTR" }, { E2BIG, "E2BIG" },
	{ EBADF, "EBADF" }, { EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" },
	{ EFAULT, "EFAULT" }, { EBUSY, "EBUSY" }, { EEXIST, "EEXIST" },
	{ ENODEV, "ENODEV" }, { EINVAL, "EINVAL" }, { ENOSPC, "ENOSPC" },
	{ EPIPE, "EPIPE" }, { ERANGE, "ERANGE" }, { ENODATA, "ENODATA" },
	{ EOVERFLOW, "EOVERFLOW" }, { EBADFD, "EBADFD" },
	{ ENOTSOCK, "ENOTSOCK" }, { EPROTONOSUPPORT, "EPROTONOSUPPORT" },
	{ EOPNOTSUPP, "EOPNOTSUPP" }, { ECONNRESET, "ECONNRESET" },
	{ ENOTCONN, "ENOTCONN" }, { ETIMEDOUT, "ETIMEDOUT" },
	{ ECANCELED, "ECANCELED" },
};

static const char *errname(int err)
{
	static char buf[16];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(errnos); i++)
		if (errnos[i].err == err)
			return errnos[i].name;
	snprintf(buf, sizeof(buf), "errno %d", err);
	return buf;
}

static void eset_add(struct eset *e, int err)
{
	if (err > 0 && err < ERRNO_MAX)
		e->m[err / 64] |= 1ULL << (err % 64);
}

static bool eset_has(const struct eset *e, int err)
{
	return err > 0 && err < ERRNO_MAX && (e->m[err / 64] >> (err % 64)) & 1;
}

/* The set as "EINVAL|EFAULT", into @buf. */
static const char *eset_str(const struct eset *e, char *buf, size_t len)
{
	size_t n = 0;
	int err;

	buf[0] = '\0';
	for (err = 1; err < ERRNO_MAX && n < len; err++)
		if (eset_has(e, err))
			n += snprintf(buf + n, len - n, "%s%s", n ? "|" : "",
				      errname(err));
	if (!n)
		snprintf(buf, len, "none");
	return buf;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void beat(void)
{
	__atomic_add_fetch(&sh->heartbeat, 1, __ATOMIC_RELAXED);
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (ms % 1000) * 1000000L,
	};

	nanosleep(&ts, NULL);
	beat();
}

/* splitmix64: the only source of randomness, seeded by -s */
static __u64 rnd(void)
{
	__u64 z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static __u64 rnd_below(__u64 n)
{
	return n ? rnd() % n : 0;
}

static bool one_in(__u64 n)
{
	return !rnd_below(n);
}

static const __u64 boundaries[] = {
	0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0xfff, 0x1000, 0x1001, 0xffff,
	0x10000, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ULL,
	0x7fffffffffffffffULL, 0x8000000000000000ULL,
	0xfffffffffffff000ULL, ~0ULL,
};

static __u64 pick_u64(void)
{
	switch (rnd_below(4)) {
	case 0:
		return rnd();
	case 1:
		return rnd() >> rnd_below(64);
	}
	return boundaries[rnd_below(ARRAY_SIZE(boundaries))];
}

/* random or a boundary value, never 0 */
static __u64 pick_nonzero(void)
{
	__u64 v = pick_u64();

	return v ? v : 1;
}

static __u64 pick_of(const __u64 *vals, size_t nr)
{
	return vals[rnd_below(nr)];
}

/* one of the values, all of which are evaluated */
#define PICK(...) ({							\
	const __u64 __vals[] = { __VA_ARGS__ };				\
	pick_of(__vals, ARRAY_SIZE(__vals));				\
})

static __u64 round_page(__u64 v)
{
	return (v + page_size - 1) & ~(__u64)(page_size - 1);
}

static __u64 region_size(__u64 entries)
{
	return round_page(entries * sizeof(struct io_uring_zcrx_rqe) + page_size);
}

static __u64 roundup_pow2(__u64 v)
{
	__u64 r = 1;

	while (r < v)
		r <<= 1;
	return r;
}

static long vm_pinned_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f;

	f = fopen("/proc/self/status", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPin: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* Formatting inputs: the one-line form of the corpus. */

struct buf {
	char *p;
	size_t len;
	size_t n;
};

static void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	if (b->n >= b->len)
		return;
	va_start(ap, fmt);
	b->n += vsnprintf(b->p + b->n, b->len - b->n, fmt, ap);
	va_end(ap);
}

static void put_expr(struct buf *b, const char *key, const struct expr *e)
{
	const char *sep = *key ? "=" : "";

	if (e->sym == SYM_NONE)
		put(b, "%s%s0x%llx", key, sep, (unsigned long long)e->add);
	else if (!e->add)
		put(b, "%s%s%s", key, sep, sym_names[e->sym]);
	else if ((__s64)e->add < 0)
		put(b, "%s%s%s-0x%llx", key, sep, sym_names[e->sym],
		    (unsigned long long)-e->add);
	else
		put(b, "%s%s%s+0x%llx", key, sep, sym_names[e->sym],
		    (unsigned long long)e->add);
}

static void format_sqe(struct buf *b, const struct sqe_input *s)
{
	put(b, "sqe op=%u flags=0x%x ioprio=0x%x fd=%s len=%u", s->opcode,
	    s->flags, s->ioprio, fd_names[s->fd % FD_NR], s->len);
	put(b, " off=0x%llx addr=0x%llx msg_flags=0x%x buf_index=%u",
	    (unsigned long long)s->off, (unsigned long long)s->addr,
	    s->msg_flags, s->buf_index);
	put(b, " personality=%u ifq=%u addr3=0x%llx pad2=0x%llx",
	    s->personality, s->ifq, (unsigned long long)s->addr3,
	    (unsigned long long)s->pad2);
}

static void format_refill(struct buf *b, const struct refill_input *f)
{
	unsigned int i;

	put(b, "refill ifq=%u rqes=", f->ifq);
	if (!f->nr)
		put(b, "-");
	for (i = 0; i < f->nr && i < MAX_ITEMS; i++) {
		const struct rqe_item *it = &f->items[i];

		put(b, "%s", i ? "," : "");
		switch (it->kind) {
		case RQE_HELD:
			put(b, "held");
			break;
		case RQE_DUP:
			put(b, "dup");
			break;
		case RQE_PAD:
			put(b, "pad:0x%x", it->pad);
			break;
		default:
			put(b, "raw:");
			put_expr(b, "", &it->off);
			put(b, ":%u:0x%x", it->len, it->pad);
		}
	}
	if (f->has_tail)
		put(b, " tail+=0x%x", f->tail_add);
	if (f->has_head)
		put(b, " head=0x%x", f->head);
}

static void format_reg(struct buf *b, const struct reg_input *r)
{
	put(b, "reg fresh=%d ring=%s op=%u nr=%u arg=%s ", r->fresh,
	    ring_names[r->ring % RING_NR], r->op, r->nr,
	    ptr_names[r->arg % PTR_NR]);
	put_expr(b, "if_idx", &r->if_idx);
	put_expr(b, " if_rxq", &r->if_rxq);
	put(b, " rq_entries=%u flags=0x%x zcrx_id=%u rx_buf_len=%u",
	    r->rq_entries, r->flags, r->zcrx_id, r->rx_buf_len);
	put(b, " resv=0x%llx,0x%llx,0x%llx",
	    (unsigned long long)r->resv[0], (unsigned long long)r->resv[1],
	    (unsigned long long)r->resv[2]);
	put(b, " offsets=0x%llx,0x%llx,0x%llx,0x%llx,0x%llx,0x%llx",
	    (unsigned long long)r->offs[0], (unsigned long long)r->offs[1],
	    (unsigned long long)r->offs[2], (unsigned long long)r->offs[3],
	    (unsigned long long)r->offs[4], (unsigned long long)r->offs[5]);
	put(b, " area_ptr=%s ", ptr_names[r->area_ptr % PTR_NR]);
	put_expr(b, "addr", &r->addr);
	put(b, " len=0x%llx token=0x%llx aflags=0x%x dmabuf_fd=%u",
	    (unsigned long long)r->len, (unsigned long long)r->token,
	    r->aflags, r->dmabuf_fd);
	put(b, " aresv=0x%llx,0x%llx", (unsigned long long)r->aresv[0],
	    (unsigned long long)r->aresv[1]);
	put(b, " region_ptr=%s ", ptr_names[r->region_ptr % PTR_NR]);
	put_expr(b, "user_addr", &r->user_addr);
	put(b, " size=0x%llx rflags=0x%x rid=%u mmap_offset=0x%llx",
	    (unsigned long long)r->size, r->rflags, r->rid,
	    (unsigned long long)r->mmap_offset);
	put(b, " rresv=0x%llx,0x%llx,0x%llx,0x%llx",
	    (unsigned long long)r->rresv[0], (unsigned long long)r->rresv[1],
	    (unsigned long long)r->rresv[2], (unsigned long long)r->rresv[3]);
}

static const char *format_input(const struct input *in, char *p, size_t len)
{
	struct buf b = { .p = p, .len = len };

	p[0] = '\0';
	switch (in->kind) {
	case IN_SQE:
		format_sqe(&b, &in->sqe);
		break;
	case IN_REFILL:
		format_refill(&b, &in->rf);
		break;
	case IN_REG:
		format_reg(&b, &in->reg);
		break;
	default:
		put(&b, "(none)");
	}
	return p;
}

/* Report a failure of the input that ran at @iteration, and stop. */
static __noreturn __printf(3, 4) void
fail_input(const struct input *in, __u64 iteration, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "FAIL: seed %llu iteration %llu: ",
		(unsigned long long)seed, (unsigned long long)st.iterations);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	if (corpus_line)
		fprintf(stderr, "corpus %s line %u\n", corpus, corpus_line);
	if (iteration != st.iterations)
		fprintf(stderr, "input (iteration %llu): %s\n",
			(unsigned long long)iteration,
			format_input(in, line, sizeof(line)));
	else
		fprintf(stderr, "input: %s\n",
			format_input(in, line, sizeof(line)));
	exit(1);
}

/* A system call the fuzzer needs failed: not a finding, but the end. */
#define die(fmt, ...) do {						\
	fprintf(stderr, "FAIL: seed %llu: " fmt ": %s\n",		\
		(unsigned long long)seed, ##__VA_ARGS__,		\
		strerror(errno));					\
	exit(1);							\
} while (0)

/* Record the input about to run, for the parent's crash and hang reports. */
static void snapshot(const struct input *in)
{
	char line[1024];

	sh->iteration = st.iterations + 1;
	sh->corpus_line = corpus_line;
	sh->in = *in;
	beat();
	if (verbose)
		printf("%llu: %s\n", (unsigned long long)st.iterations + 1,
		       format_input(in, line, sizeof(line)));
}

/* Parsing inputs */

static bool parse_u64(const char *s, __u64 *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return !errno && end != s && !*end;
}

static bool parse_u32(const char *s, __u32 *v)
{
	__u64 x;

	if (!parse_u64(s, &x) || x > UINT32_MAX)
		return false;
	*v = x;
	return true;
}

static bool parse_u16(const char *s, __u16 *v)
{
	__u64 x;

	if (!parse_u64(s, &x) || x > UINT16_MAX)
		return false;
	*v = x;
	return true;
}

static bool parse_u8(const char *s, __u8 *v)
{
	__u64 x;

	if (!parse_u64(s, &x) || x > UINT8_MAX)
		return false;
	*v = x;
	return true;
}

static bool parse_name(const char *s, const char * const *names, int nr,
		       __u8 *v)
{
	int i;

	for (i = 0; i < nr; i++) {
		if (!strcmp(s, names[i])) {
			*v = i;
			return true;
		}
	}
	return false;
}

/* "0x10", "area", "end+0x10", "hole-0x1000" */
static bool parse_expr(const char *s, struct expr *e)
{
	size_t n = strcspn(s, "+-");
	int i;

	e->sym = SYM_NONE;
	e->add = 0;
	for (i = 1; i < SYM_NR; i++)
		if (strlen(sym_names[i]) == n && !strncmp(s, sym_names[i], n))
			break;
	if (i == SYM_NR)
		return parse_u64(s, &e->add);
	e->sym = i;
	if (!s[n])
		return true;
	if (!parse_u64(s + n + 1, &e->add))
		return false;
	if (s[n] == '-')
		e->add = -e->add;
	return true;
}

static bool parse_list(const char *s, __u64 *v, int nr)
{
	char tmp[256], *save, *tok;
	int i = 0;

	snprintf(tmp, sizeof(tmp), "%s", s);
	for (tok = strtok_r(tmp, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (i == nr || !parse_u64(tok, &v[i++]))
			return false;
	}
	return i == nr;
}

static bool parse_item(char *s, struct rqe_item *it)
{
	char *f[4], *save, *tok;
	int n = 0;

	memset(it, 0, sizeof(*it));
	if (!strcmp(s, "held")) {
		it->kind = RQE_HELD;
		return true;
	}
	if (!strcmp(s, "dup")) {
		it->kind = RQE_DUP;
		return true;
	}
	for (tok = strtok_r(s, ":", &save); tok;
	     tok = strtok_r(NULL, ":", &save)) {
		if (n == 4)
			return false;
		f[n++] = tok;
	}
	if (n == 2 && !strcmp(f[0], "pad")) {
		it->kind = RQE_PAD;
		return parse_u32(f[1], &it->pad);
	}
	if (n == 4 && !strcmp(f[0], "raw")) {
		it->kind = RQE_RAW;
		return parse_expr(f[1], &it->off) &&
		       parse_u32(f[2], &it->len) && parse_u32(f[3], &it->pad);
	}
	return false;
}

static bool parse_sqe_field(struct sqe_input *s, const char *key,
			    const char *val)
{
	if (!strcmp(key, "op"))
		return parse_u8(val, &s->opcode);
	if (!strcmp(key, "flags"))
		return parse_u8(val, &s->flags);
	if (!strcmp(key, "ioprio"))
		return parse_u16(val, &s->ioprio);
	if (!strcmp(key, "fd"))
		return parse_name(val, fd_names, FD_NR, &s->fd);
	if (!strcmp(key, "len"))
		return parse_u32(val, &s->len);
	if (!strcmp(key, "off"))
		return parse_u64(val, &s->off);
	if (!strcmp(key, "addr"))
		return parse_u64(val, &s->addr);
	if (!strcmp(key, "msg_flags"))
		return parse_u32(val, &s->msg_flags);
	if (!strcmp(key, "buf_index"))
		return parse_u16(val, &s->buf_index);
	if (!strcmp(key, "personality"))
		return parse_u16(val, &s->personality);
	if (!strcmp(key, "ifq"))
		return parse_u32(val, &s->ifq);
	if (!strcmp(key, "addr3"))
		return parse_u64(val, &s->addr3);
	if (!strcmp(key, "pad2"))
		return parse_u64(val, &s->pad2);
	return false;
}

static bool parse_refill_field(struct refill_input *f, const char *key,
			       char *val)
{
	char *save, *tok;

	if (!strcmp(key, "ifq"))
		return parse_u32(val, &f->ifq);
	if (!strcmp(key, "tail+")) {
		f->has_tail = true;
		return parse_u32(val, &f->tail_add);
	}
	if (!strcmp(key, "head")) {
		f->has_head = true;
		return parse_u32(val, &f->head);
	}
	if (strcmp(key, "rqes"))
		return false;
	f->nr = 0;
	if (!strcmp(val, "-"))
		return true;
	for (tok = strtok_r(val, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (f->nr == MAX_ITEMS || !parse_item(tok, &f->items[f->nr++]))
			return false;
	}
	return true;
}

static bool parse_reg_field(struct reg_input *r, const char *key,
			    const char *val)
{
	__u64 v;
	__u8 b;

	if (!strcmp(key, "fresh")) {
		if (!parse_u8(val, &b) || b > 1)
			return false;
		r->fresh = b;
		return true;
	}
	if (!strcmp(key, "ring"))
		return parse_name(val, ring_names, RING_NR, &r->ring);
	if (!strcmp(key, "op"))
		return parse_u32(val, &r->op);
	if (!strcmp(key, "nr"))
		return parse_u32(val, &r->nr);
	if (!strcmp(key, "arg"))
		return parse_name(val, ptr_names, PTR_NR, &r->arg);
	if (!strcmp(key, "if_idx"))
		return parse_expr(val, &r->if_idx);
	if (!strcmp(key, "if_rxq"))
		return parse_expr(val, &r->if_rxq);
	if (!strcmp(key, "rq_entries"))
		return parse_u32(val, &r->rq_entries);
	if (!strcmp(key, "flags"))
		return parse_u32(val, &r->flags);
	if (!strcmp(key, "zcrx_id"))
		return parse_u32(val, &r->zcrx_id);
	if (!strcmp(key, "rx_buf_len"))
		return parse_u32(val, &r->rx_buf_len);
	if (!strcmp(key, "resv"))
		return parse_list(val, r->resv, 3);
	if (!strcmp(key, "offsets"))
		return parse_list(val, r->offs, 6);
	if (!strcmp(key, "area_ptr"))
		return parse_name(val, ptr_names, PTR_NR, &r->area_ptr);
	if (!strcmp(key, "addr"))
		return parse_expr(val, &r->addr);
	if (!strcmp(key, "len"))
		return parse_u64(val, &r->len);
	if (!strcmp(key, "token"))
		return parse_u64(val, &r->token);
	if (!strcmp(key, "aflags"))
		return parse_u32(val, &r->aflags);
	if (!strcmp(key, "dmabuf_fd"))
		return parse_u32(val, &r->dmabuf_fd);
	if (!strcmp(key, "aresv"))
		return parse_list(val, r->aresv, 2);
	if (!strcmp(key, "region_ptr"))
		return parse_name(val, ptr_names, PTR_NR, &r->region_ptr);
	if (!strcmp(key, "user_addr"))
		return parse_expr(val, &r->user_addr);
	if (!strcmp(key, "size"))
		return parse_u64(val, &r->size);
	if (!strcmp(key, "rflags"))
		return parse_u32(val, &r->rflags);
	if (!strcmp(key, "rid"))
		return parse_u32(val, &r->rid);
	if (!strcmp(key, "mmap_offset"))
		return parse_u64(val, &r->mmap_offset);
	if (!strcmp(key, "rresv"))
		return parse_list(val, r->rresv, 4);
	(void)v;
	return false;
}

static void sqe_template(struct sqe_input *s);
static void reg_template(struct reg_input *r, bool full);

/* One line of the corpus into @in; false, with @in partly set, if bad. */
static bool parse_input(char *line, struct input *in)
{
	char *save, *tok, *val;
	bool ok = true;

	memset(in, 0, sizeof(*in));
	tok = strtok_r(line, " \t\n", &save);
	if (!tok)
		return false;
	if (!strcmp(tok, "sqe")) {
		in->kind = IN_SQE;
		sqe_template(&in->sqe);
	} else if (!strcmp(tok, "refill")) {
		in->kind = IN_REFILL;
		in->rf.ifq = fz.main_id;
	} else if (!strcmp(tok, "reg")) {
		in->kind = IN_REG;
		reg_template(&in->reg, false);
	} else {
		return false;
	}
	while (ok && (tok = strtok_r(NULL, " \t\n", &save))) {
		val = strchr(tok, '=');
		if (!val)
			return false;
		*val++ = '\0';
		switch (in->kind) {
		case IN_SQE:
			ok = parse_sqe_field(&in->sqe, tok, val);
			break;
		case IN_REFILL:
			ok = parse_refill_field(&in->rf, tok, val);
			break;
		default:
			ok = parse_reg_field(&in->reg, tok, val);
		}
	}
	/* RECV_ZC, or an opcode that does not exist */
	if (ok && in->kind == IN_SQE && in->sqe.opcode != IORING_OP_RECV_ZC &&
	    in->sqe.opcode < IORING_OP_LAST)
		ok = false;
	return ok;
}

/* Rings */

static int sys_io_uring_setup(unsigned int entries, struct io_uring_params *p)
{
	return syscall(__NR_io_uring_setup, entries, p);
}

static int sys_io_uring_register(int fd, unsigned int op, __u64 arg,
				 unsigned int nr_args)
{
	return syscall(__NR_io_uring_register, fd, op, (void *)(uintptr_t)arg,
		       nr_args);
}

static int scratch_ring(unsigned int flags)
{
	struct io_uring_params p = { .flags = flags };
	int fd;

	fd = sys_io_uring_setup(1, &p);
	if (fd < 0)
		die("io_uring_setup 0x%x", flags);
	return fd;
}

static void ring_open(struct ring *r, unsigned int flags)
{
	struct io_uring_params p = {
		.flags = flags | IORING_SETUP_CQSIZE,
		.cq_entries = CQ_ENTRIES,
	};

	memset(r, 0, sizeof(*r));
	r->fd = sys_io_uring_setup(SQ_ENTRIES, &p);
	if (r->fd < 0)
		die("io_uring_setup");
	r->sq_ring_len = p.sq_off.array + p.sq_entries * sizeof(__u32);
	r->cq_ring_len = p.cq_off.cqes +
			 p.cq_entries * 2 * sizeof(struct io_uring_cqe);
	if (p.features & IORING_FEAT_SINGLE_MMAP) {
		if (r->cq_ring_len > r->sq_ring_len)
			r->sq_ring_len = r->cq_ring_len;
		r->cq_ring_len = 0;
	}
	r->sq_ring = mmap(NULL, r->sq_ring_len, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQ_RING);
	if (r->sq_ring == MAP_FAILED)
		die("mmap SQ ring");
	r->cq_ring = r->sq_ring;
	if (r->cq_ring_len) {
		r->cq_ring = mmap(NULL, r->cq_ring_len, PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_POPULATE, r->fd,
				  IORING_OFF_CQ_RING);
		if (r->cq_ring == MAP_FAILED)
			die("mmap CQ ring");
	}
	r->sqes_len = p.sq_entries * sizeof(struct io_uring_sqe);
	r->sqes = mmap(NULL, r->sqes_len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
	if (r->sqes == MAP_FAILED)
		die("mmap SQEs");
	r->sq_mask = *(unsigned int *)(r->sq_ring + p.sq_off.ring_mask);
	r->sq_head = r->sq_ring + p.sq_off.head;
	r->sq_tail = r->sq_ring + p.sq_off.tail;
	r->sq_array = r->sq_ring + p.sq_off.array;
	r->cq_mask = *(unsigned int *)(r->cq_ring + p.cq_off.ring_mask);
	r->cq_head = r->cq_ring + p.cq_off.head;
	r->cq_tail = r->cq_ring + p.cq_off.tail;
	r->cqes = r->cq_ring + p.cq_off.cqes;
}

static void ring_close(struct ring *r)
{
	munmap(r->sqes, r->sqes_len);
	if (r->cq_ring != r->sq_ring)
		munmap(r->cq_ring, r->cq_ring_len);
	munmap(r->sq_ring, r->sq_ring_len);
	close(r->fd);
	r->fd = -1;
}

/* The next SQE, zeroed; submitted by the next enter(1). */
static struct io_uring_sqe *next_sqe(struct ring *r)
{
	unsigned int idx = *r->sq_tail & r->sq_mask;
	struct io_uring_sqe *sqe = &r->sqes[idx];

	memset(sqe, 0, sizeof(*sqe));
	r->sq_array[idx] = idx;
	return sqe;
}

/*
 * Submit @to_submit (0 or 1) SQEs and run the ring's task work: with
 * DEFER_TASKRUN, completions and receives happen here. Return what
 * io_uring_enter() returned, or -errno.
 */
static int enter(struct ring *r, unsigned int to_submit)
{
	int ret;

	if (to_submit)
		store_release(r->sq_tail, *r->sq_tail + 1);
	ret = syscall(__NR_io_uring_enter, r->fd, to_submit, 0,
		      IORING_ENTER_GETEVENTS, NULL, 0);
	return ret < 0 ? -errno : ret;
}

/* Wait up to @ms for a completion; not an iteration. */
static void wait_cqe(struct ring *r, unsigned int ms)
{
	struct __kernel_timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (ms % 1000) * 1000000L,
	};
	struct io_uring_getevents_arg arg = { .ts = (uintptr_t)&ts };
	int ret;

	ret = syscall(__NR_io_uring_enter, r->fd, 0, 1,
		      IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, &arg,
		      sizeof(arg));
	if (ret < 0 && errno != ETIME && errno != EINTR)
		die("io_uring_enter: wait");
	beat();
}

/* ifqs, and the buffers they handed over */

static struct ifq *ifq_find(__u32 id)
{
	unsigned int i;

	for (i = 0; i < MAX_IFQS; i++)
		if (fz.ifqs[i].used && fz.ifqs[i].id == id)
			return &fz.ifqs[i];
	return NULL;
}

static void held_push(struct ifq *q, __u64 off, __u32 len)
{
	struct held *h;

	/* more than the area holds: the oldest is forgotten, and leaks */
	if (q->held_nr == MAX_HELD) {
		q->held_first = (q->held_first + 1) % MAX_HELD;
		q->held_nr--;
	}
	h = &q->held[(q->held_first + q->held_nr++) % MAX_HELD];
	h->off = off;
	h->len = len;
}

static bool held_pop(struct ifq *q, struct held *h)
{
	if (!q->held_nr)
		return false;
	*h = q->held[q->held_first];
	q->held_first = (q->held_first + 1) % MAX_HELD;
	q->held_nr--;
	return true;
}

static void ifq_drop(struct ifq *q)
{
	if (q->map)
		munmap(q->map, q->map_len);
	free(q->held);
	memset(q, 0, sizeof(*q));
}

/* Memory and files */

static __u64 sym_value(int sym, const struct ifq *q)
{
	switch (sym) {
	case SYM_AREA:
		return (uintptr_t)fz.area;
	case SYM_END:
		return q ? q->area_len : SMALL_AREA;
	case SYM_HOLE:
		return (uintptr_t)fz.res + HOLE_OFF;
	case SYM_REGION:
		return (uintptr_t)fz.region;
	case SYM_RO:
		return (uintptr_t)fz.arena_ro;
	case SYM_DEV:
		return ifindex;
	case SYM_LO:
		return 1;
	case SYM_Q:
		return queue;
	case SYM_NQ:
		return nr_queues;
	}
	return 0;
}

static __u64 eval(const struct expr *e, const struct ifq *q)
{
	return sym_value(e->sym, q) + e->add;
}

static bool inside(__u64 addr, __u64 len, const void *base, __u64 size)
{
	__u64 b = (uintptr_t)base;

	return addr >= b && addr - b <= size && len <= size - (addr - b);
}

/* [@addr, @addr + @len) is memory the fuzzer mapped writable */
static bool rw_mem(__u64 addr, __u64 len)
{
	return inside(addr, len, fz.area, AREA_SIZE) ||
	       inside(addr, len, fz.region, REGION_MAP);
}

/* Fresh pages for the area and the region of a new ring. */
static void remap_memory(void)
{
	void *p;

	p = mmap(fz.area, AREA_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (p == MAP_FAILED)
		die("mmap area");
	p = mmap(fz.region, REGION_MAP, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (p == MAP_FAILED)
		die("mmap region");
}

static void setup_memory(void)
{
	int fd;

	fz.res = mmap(NULL, RES_SIZE, PROT_NONE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (fz.res == MAP_FAILED)
		die("mmap reservation");
	fz.area = fz.res + AREA_OFF;
	fz.region = fz.res + REGION_OFF;
	remap_memory();

	/* the structures of a registration, also seen read-only */
	fd = memfd_create("iou-zcrx-fuzz", 0);
	if (fd < 0 || ftruncate(fd, page_size))
		die("memfd");
	fz.arena_rw = mmap(NULL, page_size, PROT_READ | PROT_WRITE,
			   MAP_SHARED, fd, 0);
	fz.arena_ro = mmap(fz.res + RO_OFF, page_size, PROT_READ,
			   MAP_SHARED | MAP_FIXED, fd, 0);
	if (fz.arena_rw == MAP_FAILED || fz.arena_ro == MAP_FAILED)
		die("mmap arena");
	close(fd);
}

static int tcp_listen(int family, __u16 port_nr, int backlog)
{
	struct sockaddr_in6 a6 = {
		.sin6_family = AF_INET6,
		.sin6_addr = IN6ADDR_ANY_INIT,
		.sin6_port = htons(port_nr),
	};
	struct sockaddr_in a4 = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int fd, one = 1, zero = 0;

	fd = socket(family, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		die("SO_REUSEADDR");
	if (family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)))
		die("IPV6_V6ONLY");
	if (family == AF_INET6 ?
	    bind(fd, (struct sockaddr *)&a6, sizeof(a6)) :
	    bind(fd, (struct sockaddr *)&a4, sizeof(a4)))
		die("bind to port %u", port_nr);
	if (listen(fd, backlog))
		die("listen");
	return fd;
}

/* The files RECV_ZC is tried on, other than the stream's connection. */
static void setup_fds(void)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	struct rlimit rl;
	int sv[2], p[2];

	fz.fds[FD_DATA] = -1;
	fz.port_fd = -1;

	/* a loopback connection: data that is not on the queue is copied */
	fz.fds[FD_LISTEN] = tcp_listen(AF_INET, 0, 4);
	if (getsockname(fz.fds[FD_LISTEN], (struct sockaddr *)&a, &alen))
		die("getsockname");
	fz.loop_peer = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (fz.loop_peer < 0)
		die("socket");
	if (connect(fz.loop_peer, (struct sockaddr *)&a, alen) &&
	    errno != EINPROGRESS)
		die("connect over loopback");
	fz.fds[FD_LOOP] = accept(fz.fds[FD_LISTEN], NULL, NULL);
	if (fz.fds[FD_LOOP] < 0)
		die("accept over loopback");

	fz.fds[FD_UDP] = socket(AF_INET6, SOCK_DGRAM, 0);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		die("socketpair");
	fz.fds[FD_UNIX] = sv[0];
	fz.fds[FD_TCP] = socket(AF_INET6, SOCK_STREAM, 0);
	if (pipe(p))
		die("pipe");
	fz.fds[FD_PIPE] = p[0];
	fz.pipe_w = p[1];
	fz.fds[FD_NULL] = open("/dev/null", O_RDWR);
	if (fz.fds[FD_UDP] < 0 || fz.fds[FD_TCP] < 0 || fz.fds[FD_NULL] < 0)
		die("socket or open");

	/* a descriptor that was open, and that nothing will open again */
	if (getrlimit(RLIMIT_NOFILE, &rl))
		die("getrlimit");
	fz.fds[FD_CLOSED] = (rl.rlim_cur < 1024 ? rl.rlim_cur : 1024) - 1;
	if (dup2(fz.fds[FD_NULL], fz.fds[FD_CLOSED]) < 0)
		die("dup2 to %d", fz.fds[FD_CLOSED]);
	close(fz.fds[FD_CLOSED]);

	fz.nocqe32_fd = scratch_ring(IORING_SETUP_SINGLE_ISSUER |
				     IORING_SETUP_DEFER_TASKRUN);
	fz.nodefer_fd = scratch_ring(IORING_SETUP_CQE32);
}

static void close_fds(void)
{
	int i;

	for (i = 0; i < FD_NR; i++)
		if (i != FD_CLOSED && i != FD_RING && fz.fds[i] > 0)
			close(fz.fds[i]);
	close(fz.loop_peer);
	close(fz.pipe_w);
	close(fz.nocqe32_fd);
	close(fz.nodefer_fd);
}

static int kind_of(int kind)
{
	/* without a stream, "data" is the unconnected TCP socket */
	if (kind == FD_DATA && fz.fds[FD_DATA] < 0)
		return FD_TCP;
	return kind;
}

static int fd_of(int kind)
{
	switch (kind_of(kind)) {
	case FD_RING:
		return fz.ring.fd;
	case FD_NEG:
		return -1;
	case FD_HUGE:
		return 0x7fffffff;
	}
	return fz.fds[kind_of(kind)];
}

/* Feed the loopback connection now and then; not an iteration. */
static void feed_loop(void)
{
	static char data[4096];

	if (send(fz.loop_peer, data, sizeof(data),
		 MSG_DONTWAIT | MSG_NOSIGNAL) < 0 &&
	    errno != EAGAIN)
		die("send over loopback");
}

/* The stream: the connection the remote end sends over */

static void stream_listen(void)
{
	if (port)
		fz.port_fd = tcp_listen(AF_INET6, strtoul(port, NULL, 0), 1);
}

static void stream_accept(void)
{
	struct pollfd pfd = { .fd = fz.port_fd, .events = POLLIN };
	long long end = now_ms() + ACCEPT_MS;
	int ret;

	if (!port)
		return;
	do {
		ret = poll(&pfd, 1, 100);
		beat();
	} while (!ret && now_ms() < end);
	if (ret < 0)
		die("poll");
	if (!ret) {
		printf("fuzz: no connection on port %s within %d s, going on without a stream\n",
		       port, ACCEPT_MS / 1000);
		return;
	}
	fz.fds[FD_DATA] = accept(fz.port_fd, NULL, NULL);
	if (fz.fds[FD_DATA] < 0)
		die("accept on port %s", port);
	st.connections++;
}

/* Requests */

static struct req *req_alloc(void)
{
	unsigned int i;

	for (i = 0; i < MAX_REQS; i++) {
		struct req *rq = &fz.reqs[(fz.next_req + i) % MAX_REQS];

		if (!rq->used) {
			fz.next_req = (fz.next_req + i + 1) % MAX_REQS;
			memset(rq, 0, sizeof(*rq));
			rq->used = true;
			rq->gen = ++fz.gen;
			return rq;
		}
	}
	return NULL;
}

static void req_free(struct req *rq)
{
	if (rq->armed)
		fz.armed[rq->kind]--;
	rq->used = false;
}

static __noreturn __printf(2, 3) void
fail_req(const struct req *rq, const char *fmt, ...)
{
	struct input in = { .kind = IN_SQE, .sqe = rq->in };
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fail_input(&in, rq->iteration, "%s", msg);
}

/* A CQE that carries data: it must point into its ifq's area. */
static void check_data(struct req *rq, const struct io_uring_cqe *cqe)
{
	const struct io_uring_zcrx_cqe *zcqe = (const void *)(cqe + 1);
	__u64 off = zcqe->off & ~IORING_ZCRX_AREA_MASK;
	struct ifq *q = ifq_find(rq->in.ifq);
	__u32 len = cqe->res;

	if (!rq->data_ok)
		fail_req(rq, "%u bytes received on fd kind %s, which has no data",
			 len, fd_names[rq->kind]);
	if (!q)
		fail_req(rq, "data for ifq %u, which this ring does not have",
			 rq->in.ifq);
	if ((zcqe->off & IORING_ZCRX_AREA_MASK) != q->token ||
	    off >= q->area_len || len > q->area_len - off ||
	    off % page_size + len > (__u64)page_size)
		fail_req(rq,
			 "CQE of %u bytes at 0x%llx: not inside one buffer of the area (token 0x%llx, %llu bytes)",
			 len, (unsigned long long)zcqe->off,
			 (unsigned long long)q->token,
			 (unsigned long long)q->area_len);
	if (zcqe->__pad)
		fail_req(rq, "zcrx CQE __pad 0x%llx", (unsigned long long)zcqe->__pad);
	rq->bytes += len;
	if (rq->in.len && rq->bytes > rq->in.len)
		fail_req(rq, "the request received %llu bytes, more than its len %u",
			 (unsigned long long)rq->bytes, rq->in.len);
	held_push(q, zcqe->off, len);
	st.cqes++;
	st.data_bytes += len;
}

static void check_cqe(const struct io_uring_cqe *cqe)
{
	unsigned int idx = cqe->user_data & 0xffffffff;
	char set[256];
	struct req *rq;

	rq = idx < MAX_REQS ? &fz.reqs[idx] : NULL;
	if (!rq || !rq->used || rq->gen != cqe->user_data >> 32) {
		struct input none = { .kind = IN_NONE };

		fail_input(&none, st.iterations,
			   "CQE for user_data 0x%llx, which no request has (res %d flags 0x%x)",
			   (unsigned long long)cqe->user_data, cqe->res,
			   cqe->flags);
	}
	if (cqe->flags & IORING_CQE_F_MORE) {
		if (cqe->res <= 0)
			fail_req(rq, "CQE res %d with IORING_CQE_F_MORE", cqe->res);
		check_data(rq, cqe);
		return;
	}
	if (cqe->res > 0)
		fail_req(rq, "final CQE with res %d: data comes with IORING_CQE_F_MORE",
			 cqe->res);
	if (cqe->res < 0 && !eset_has(&rq->allowed, -cqe->res))
		fail_req(rq, "res %d (%s), expected %s%s", cqe->res,
			 errname(-cqe->res),
			 eset_str(&rq->allowed, set, sizeof(set)),
			 rq->zero_ok ? " or 0" : "");
	if (!cqe->res && !rq->zero_ok)
		fail_req(rq, "res 0, expected %s",
			 eset_str(&rq->allowed, set, sizeof(set)));
	if (cqe->res < 0 && -cqe->res < ERRNO_MAX)
		st.sqe_res[-cqe->res]++;
	req_free(rq);
}

static void reap(void)
{
	struct ring *r = &fz.ring;
	unsigned int head = *r->cq_head;
	unsigned int tail = load_acquire(r->cq_tail);

	for (; head != tail; head++)
		check_cqe(r->cqes + ((head & r->cq_mask) << 5));
	store_release(r->cq_head, head);
}

/* RECV_ZC submissions */

static void sqe_template(struct sqe_input *s)
{
	memset(s, 0, sizeof(*s));
	s->opcode = IORING_OP_RECV_ZC;
	s->ioprio = IORING_RECV_MULTISHOT;
	s->fd = FD_DATA;
	s->ifq = fz.main_id;
}

static __u8 pick_fd(void)
{
	static const __u8 weights[FD_NR] = {
		[FD_DATA] = 35, [FD_LOOP] = 10, [FD_UDP] = 6, [FD_UNIX] = 5,
		[FD_LISTEN] = 6, [FD_TCP] = 6, [FD_PIPE] = 6, [FD_NULL] = 6,
		[FD_RING] = 5, [FD_CLOSED] = 5, [FD_NEG] = 5, [FD_HUGE] = 5,
	};
	unsigned int i, r = rnd_below(100);

	for (i = 0; i < FD_NR; i++) {
		if (r < weights[i])
			return i;
		r -= weights[i];
	}
	return FD_DATA;
}

static __u32 pick_len(void)
{
	if (one_in(2))
		return 0;
	return PICK(1, 100, 4095, 4096, 4097, 65536, 1 << 20, 0x7fffffff,
		    0x80000000, 0xffffffff, rnd() & 0xfffff);
}

static void mutate_sqe(struct sqe_input *s)
{
	switch (rnd_below(13)) {
	case 0:
		s->opcode = PICK(IORING_OP_LAST, IORING_OP_LAST + 1, 0xff,
				 IORING_OP_LAST + rnd_below(0x100 - IORING_OP_LAST));
		break;
	case 1:
		s->flags = one_in(2) ? 1U << rnd_below(8) :
			   PICK(0, SQE_VALID_FLAGS, 0x80, 0xff, rnd() & 0xff);
		break;
	case 2:
		s->ioprio = PICK(0, IORING_RECVSEND_POLL_FIRST,
				 IORING_RECV_MULTISHOT | IORING_RECVSEND_POLL_FIRST,
				 IORING_RECV_MULTISHOT | IORING_RECVSEND_BUNDLE,
				 IORING_RECV_MULTISHOT | (1U << 2),
				 IORING_RECV_MULTISHOT | (1U << 3), 0x8002,
				 0xffff, rnd() & 0xffff);
		break;
	case 3:
		s->fd = pick_fd();
		break;
	case 4:
		s->len = pick_u64();
		break;
	case 5:
		s->off = pick_u64();
		break;
	case 6:
		s->addr = one_in(4) ? (uintptr_t)fz.area : pick_u64();
		break;
	case 7:
		s->msg_flags = PICK(MSG_DONTWAIT, MSG_WAITALL, MSG_PEEK,
				    MSG_TRUNC, 0x80000000, rnd() & 0xffffffff);
		break;
	case 8:
		s->buf_index = PICK(1, 0xffff, rnd() & 0xffff);
		break;
	case 9:
		s->personality = PICK(1, 0xffff, rnd() & 0xffff);
		break;
	case 10:
		s->ifq = PICK(1, 2, MAX_IFQS - 1, 2047, 2048, 0xffffffff,
			      rnd() & 0xffffffff);
		break;
	case 11:
		s->addr3 = pick_u64();
		break;
	default:
		s->pad2 = pick_u64();
	}
}

static void gen_sqe(struct sqe_input *s)
{
	unsigned int i, n;

	sqe_template(s);
	s->fd = pick_fd();
	s->len = pick_len();
	if (one_in(8))
		s->ioprio |= IORING_RECVSEND_POLL_FIRST;
	if (one_in(12))
		s->flags = 1U << rnd_below(7);
	if (rnd_below(100) < 35)
		return;
	n = 1 + rnd_below(3);
	for (i = 0; i < n; i++)
		mutate_sqe(s);
}

/*
 * What io_init_req() and the RECV_ZC prep make of @s: -errno if it fails
 * at submission, 0 if it passes. Updates @d as the kernel does its
 * drain state, which the checks before prep change.
 */
static int sqe_init_errno(const struct sqe_input *s, struct drain *d)
{
	if (s->opcode >= IORING_OP_LAST)
		return -EINVAL;
	if (s->flags & ~SQE_VALID_FLAGS)
		return -EINVAL;
	if (s->flags & IOSQE_BUFFER_SELECT)
		return -EOPNOTSUPP;
	if (s->flags & IOSQE_CQE_SKIP_SUCCESS)
		d->disabled = true;
	if (s->flags & IOSQE_IO_DRAIN) {
		if (d->disabled)
			return -EOPNOTSUPP;
		d->active = true;
	}
	if (s->personality)
		return -EINVAL;
	/* RECV_ZC takes none of these */
	if (s->addr || s->off || s->addr3 || s->msg_flags || s->buf_index)
		return -EINVAL;
	if (!ifq_find(s->ifq))
		return -EINVAL;
	if (s->ioprio & ~(IORING_RECVSEND_POLL_FIRST | IORING_RECV_MULTISHOT))
		return -EINVAL;
	/* multishot only: data always comes in extra CQEs */
	if (!(s->ioprio & IORING_RECV_MULTISHOT))
		return -EINVAL;
	return 0;
}

/* What a request that passed submission may complete with. */
static void sqe_expect(struct req *rq, bool iowq)
{
	const struct sqe_input *s = &rq->in;

	/* no opcode checks __pad2: if one ever does, -EINVAL is fine */
	if (s->pad2)
		eset_add(&rq->allowed, EINVAL);
	if (s->flags & IOSQE_FIXED_FILE) {
		/* no files are registered */
		eset_add(&rq->allowed, EBADF);
		return;
	}
	switch (rq->kind) {
	case FD_DATA:
	case FD_LOOP:
		rq->data_ok = true;
		/* EOF, or the request's len reached */
		rq->zero_ok = true;
		eset_add(&rq->allowed, ENOSPC);
		eset_add(&rq->allowed, ENOMEM);
		eset_add(&rq->allowed, ECONNRESET);
		break;
	case FD_UDP:
	case FD_UNIX:
		eset_add(&rq->allowed, EPROTONOSUPPORT);
		break;
	case FD_LISTEN:
	case FD_TCP:
		eset_add(&rq->allowed, ENOTCONN);
		break;
	case FD_PIPE:
	case FD_RING:
		eset_add(&rq->allowed, ENOTSOCK);
		break;
	case FD_NULL:
		eset_add(&rq->allowed, ENOTSOCK);
		/* it cannot be polled: POLL_FIRST sends it to io-wq */
		if (s->ioprio & IORING_RECVSEND_POLL_FIRST)
			eset_add(&rq->allowed, EBADFD);
		break;
	default:
		eset_add(&rq->allowed, EBADF);
		return;
	}
	/*
	 * From io-wq (IOSQE_ASYNC, a lone link, after a drain) a multishot
	 * request is only armed: -EBADFD if the file cannot be polled,
	 * -ECANCELED if it is ready at once.
	 */
	if (iowq) {
		eset_add(&rq->allowed, EBADFD);
		eset_add(&rq->allowed, ECANCELED);
	}
	/*
	 * A file without FMODE_NOWAIT (the ring's own) loses multishot in
	 * io-wq, and POLL_FIRST then ends it with -EAGAIN: io-wq only polls
	 * for IOSQE_ASYNC requests. Mainline's io-wq and RECV_ZC alike.
	 */
	if (iowq && (s->ioprio & IORING_RECVSEND_POLL_FIRST))
		eset_add(&rq->allowed, EAGAIN);
}

/* Requests a file may have armed at once; more get a closed descriptor. */
static unsigned int armed_max(int kind)
{
	return kind == FD_DATA ? 4 : 2;
}

static void recreate(struct reg_input *variant);

static void do_sqe(struct sqe_input *s)
{
	struct drain d = fz.drain;
	struct io_uring_sqe *sqe;
	struct input in;
	struct req *rq;
	bool iowq;
	int err, ret;

	err = sqe_init_errno(s, &d);
	if (!err && (s->flags & IOSQE_IO_DRAIN)) {
		/* a valid drained request would wait for every armed one */
		s->flags &= ~IOSQE_IO_DRAIN;
		d = fz.drain;
		err = sqe_init_errno(s, &d);
	}
	if (!err && fz.armed[kind_of(s->fd)] >= armed_max(kind_of(s->fd)))
		s->fd = FD_CLOSED;
	/* a request that passes while a drain is active goes to io-wq */
	iowq = d.active || (s->flags & (IOSQE_ASYNC | IOSQE_IO_LINK |
					IOSQE_IO_HARDLINK));
	if (!err)
		d.active = false;

	rq = req_alloc();
	if (!rq) {
		/* requests that never complete filled the table */
		recreate(NULL);
		return;
	}
	rq->in = *s;
	rq->iteration = st.iterations + 1;
	rq->kind = kind_of(s->fd);
	if (err) {
		eset_add(&rq->allowed, -err);
	} else {
		sqe_expect(rq, iowq);
		/* a final CQE that may be skipped cannot be waited for */
		rq->armed = !(s->flags & IOSQE_CQE_SKIP_SUCCESS);
		fz.armed[rq->kind] += rq->armed;
	}

	sqe = next_sqe(&fz.ring);
	sqe->opcode = s->opcode;
	sqe->flags = s->flags;
	sqe->ioprio = s->ioprio;
	sqe->fd = fd_of(s->fd);
	sqe->len = s->len;
	sqe->off = s->off;
	sqe->addr = s->addr;
	sqe->msg_flags = s->msg_flags;
	sqe->buf_index = s->buf_index;
	sqe->personality = s->personality;
	sqe->zcrx_ifq_idx = s->ifq;
	sqe->addr3 = s->addr3;
	sqe->__pad2[0] = s->pad2;
	sqe->user_data = (__u64)rq->gen << 32 | (rq - fz.reqs);

	in.kind = IN_SQE;
	in.sqe = *s;
	snapshot(&in);
	ret = enter(&fz.ring, 1);
	fz.drain = d;
	st.iterations++;
	st.sqes++;
	if (ret != 1)
		fail_input(&in, st.iterations,
			   "io_uring_enter submitting one SQE returned %d%s%s", ret,
			   ret < 0 ? " " : "", ret < 0 ? errname(-ret) : "");
	reap();
}

/* Refill batches */

static void gen_refill(struct refill_input *f)
{
	unsigned int i;

	memset(f, 0, sizeof(*f));
	f->ifq = one_in(32) ? PICK(1, 2047, 2048, 0xffffffff) : fz.main_id;
	f->nr = one_in(4) ? rnd_below(MAX_ITEMS + 1) : rnd_below(4);
	for (i = 0; i < f->nr; i++) {
		struct rqe_item *it = &f->items[i];
		unsigned int r = rnd_below(100);

		if (r < 45) {
			it->kind = RQE_HELD;
			continue;
		}
		if (r < 60) {
			it->kind = RQE_DUP;
			continue;
		}
		if (r < 70) {
			it->kind = RQE_PAD;
			it->pad = pick_nonzero();
			continue;
		}
		it->kind = RQE_RAW;
		switch (rnd_below(4)) {
		case 0:
			/* a buffer of the area, likely not the user's */
			it->off.add = rnd_below(AREA_SIZE / page_size) *
				      page_size + (one_in(4) ? rnd_below(page_size) : 0);
			break;
		case 1:
			/* at and past the end of the area */
			it->off.sym = SYM_END;
			it->off.add = PICK(0, 1, page_size, -1ULL,
					   -(__u64)page_size, rnd() & 0xffffff);
			break;
		case 2:
			/* in an area that does not exist */
			it->off.add = PICK(1, 2, 0x7fff, 0xffff) <<
				      IORING_ZCRX_AREA_SHIFT | rnd_below(SMALL_AREA);
			break;
		default:
			it->off.add = pick_u64();
		}
		it->len = pick_u64();
		it->pad = one_in(8) ? pick_nonzero() : 0;
	}
	if (one_in(5000)) {
		f->has_tail = true;
		f->tail_add = PICK(1U << 30, 1U << 31, 0xffffffff, 0x10000,
				   RQ_ENTRIES + 1, rnd() & 0xffffffff);
	}
	if (one_in(200)) {
		f->has_head = true;
		f->head = pick_u64();
	}
}

static void rq_put(struct ifq *q, __u64 off, __u32 len, __u32 pad)
{
	struct io_uring_zcrx_rqe *rqe;

	rqe = &q->rqes[q->local_tail++ & (q->entries - 1)];
	rqe->off = off;
	rqe->len = len;
	rqe->__pad = pad;
	st.rqes++;
}

/* Free entries in the refill ring; all of them once the tail jumped. */
static unsigned int rq_room(struct ifq *q)
{
	__u32 used;

	if (q->jumped)
		return q->entries;
	used = q->local_tail - load_acquire(q->head);
	return used > q->entries ? 0 : q->entries - used;
}

static void refill_items(struct ifq *q, const struct refill_input *f)
{
	unsigned int i, room = rq_room(q);
	struct held h;

	for (i = 0; i < f->nr && room; i++) {
		const struct rqe_item *it = &f->items[i];

		switch (it->kind) {
		case RQE_HELD:
			if (!held_pop(q, &h))
				break;
			rq_put(q, h.off, h.len, 0);
			room--;
			break;
		case RQE_DUP:
		case RQE_PAD:
			/* twice, or with __pad and then as it should be */
			if (room < 2 || !held_pop(q, &h))
				break;
			rq_put(q, h.off, h.len,
			       it->kind == RQE_PAD ? it->pad : 0);
			rq_put(q, h.off, h.len, 0);
			room -= 2;
			break;
		default:
			rq_put(q, eval(&it->off, q), it->len, it->pad);
			room--;
		}
	}
	/* and every buffer still held, so that the queue keeps receiving */
	while (room && held_pop(q, &h)) {
		rq_put(q, h.off, h.len, 0);
		room--;
	}
}

static void do_refill(struct refill_input *f)
{
	struct ifq *q = ifq_find(f->ifq);
	__u32 head = 0, hostile = f->head;
	struct input in;
	int ret;

	/* the kernel may take the entries as soon as they are there */
	in.kind = IN_REFILL;
	in.rf = *f;
	snapshot(&in);
	if (q) {
		refill_items(q, f);
		if (f->has_head) {
			/* the kernel never reads it: put it back after */
			head = load_acquire(q->head);
			store_release(q->head, f->head);
		}
		if (f->has_tail) {
			/* the kernel takes no more than the ring per pass */
			store_release(q->tail, q->local_tail + f->tail_add);
			q->jumped = true;
			if (!corpus_line &&
			    fz.recreate_at > st.iterations + JUMP_RECREATE)
				fz.recreate_at = st.iterations + JUMP_RECREATE;
		} else if (!q->jumped) {
			store_release(q->tail, q->local_tail);
		}
	}

	ret = enter(&fz.ring, 0);
	st.iterations++;
	st.refills++;
	if (ret)
		fail_input(&in, st.iterations,
			   "io_uring_enter running task work returned %d%s%s", ret,
			   ret < 0 ? " " : "", ret < 0 ? errname(-ret) : "");
	if (q && f->has_head)
		__atomic_compare_exchange_n(q->head, &hostile, head, false,
					    __ATOMIC_RELEASE, __ATOMIC_RELAXED);
	reap();
}

/* Registrations */

static void reg_template(struct reg_input *r, bool full)
{
	unsigned int entries = full ? RQ_ENTRIES : SMALL_RQ;

	memset(r, 0, sizeof(*r));
	r->fresh = full;
	r->op = IORING_REGISTER_ZCRX_IFQ;
	r->nr = 1;
	r->if_idx.sym = SYM_DEV;
	r->if_rxq.sym = SYM_Q;
	r->rq_entries = entries;
	r->addr.sym = SYM_AREA;
	r->len = full ? AREA_SIZE : SMALL_AREA;
	r->size = region_size(entries);
}

static void mutate_area(struct reg_input *r)
{
	switch (rnd_below(6)) {
	case 0:
		r->addr.add = PICK(64, page_size, -(__u64)page_size,
				   AREA_SIZE - page_size, AREA_SIZE);
		break;
	case 1:
		r->addr.sym = PICK(SYM_HOLE, SYM_RO, SYM_REGION);
		break;
	case 2:
		/* the end wraps */
		r->addr.sym = SYM_NONE;
		r->addr.add = -(__u64)page_size * PICK(1, 2, 16);
		r->len = 2 * page_size;
		break;
	case 3:
		r->addr.sym = SYM_NONE;
		r->addr.add = PICK(0, KERNEL_ADDR, 1ULL << 47, 1ULL << 63,
				   (rnd() | 1ULL << 63) & ~(__u64)(page_size - 1));
		break;
	case 4:
		r->len = PICK(0, 1, page_size - 1, page_size, 2 * page_size,
			      r->len + page_size, AREA_SIZE + page_size,
			      1ULL << 32, (1ULL << 32) + page_size,
			      ~(__u64)(page_size - 1),
			      rnd() & ~(__u64)(page_size - 1));
		break;
	default:
		/* a valid part of the area */
		r->addr.add = rnd_below(AREA_SIZE / page_size / 2) * page_size;
		r->len = (1 + rnd_below(AREA_SIZE / page_size / 2)) * page_size;
	}
}

static void mutate_region(struct reg_input *r)
{
	switch (rnd_below(4)) {
	case 0:
		/* in user memory: valid */
		r->rflags = IORING_MEM_REGION_TYPE_USER;
		r->user_addr.sym = SYM_REGION;
		break;
	case 1:
		r->user_addr.sym = PICK(SYM_REGION, SYM_HOLE, SYM_RO, SYM_AREA,
					SYM_NONE);
		r->user_addr.add = r->user_addr.sym == SYM_NONE ?
				   PICK(KERNEL_ADDR, -(__u64)page_size) :
				   PICK(0, 64, page_size);
		if (one_in(2))
			r->rflags = IORING_MEM_REGION_TYPE_USER;
		break;
	case 2:
		/* never 65535 pages that are valid: 256 MiB of kernel memory */
		r->size = PICK(0, 1, page_size - 1, page_size, page_size + 64,
			       2 * page_size, REGION_MAP,
			       REGION_MAP + page_size, 65536ULL * page_size,
			       ~(__u64)(page_size - 1),
			       rnd() & (REGION_MAP - 1));
		break;
	default:
		r->rflags = PICK(2, 3, 4, 0x80000000, rnd() | 2);
	}
}

static void mutate_reg(struct reg_input *r)
{
	__u64 v;

	switch (rnd_below(24)) {
	case 0:
		r->ring = 1 + rnd_below(RING_NR - 1);
		break;
	case 1:
		/* 31 and 33 on are not implemented; the registered-ring flag */
		r->op = PICK(31, 33, 34, 0x7fffffff, IORING_REGISTER_ZCRX_IFQ |
			     IORING_REGISTER_USE_REGISTERED_RING);
		break;
	case 2:
		r->nr = PICK(0, 2, 0xffffffff, rnd() & 0xffffffff);
		break;
	case 3:
		r->arg = 1 + rnd_below(PTR_NR - 1);
		break;
	case 4:
		/* no device that exists but ours and lo */
		r->if_idx.sym = PICK(SYM_NONE, SYM_LO);
		r->if_idx.add = r->if_idx.sym == SYM_LO ? 0 :
				PICK(0, 0x7fffffff, 0xffffffff,
				     (rnd() | 0x10000000) & 0xffffffff);
		break;
	case 5:
		/* no queue that exists but ours */
		r->if_rxq.sym = PICK(SYM_NQ, SYM_NONE);
		r->if_rxq.add = r->if_rxq.sym == SYM_NQ ?
				PICK(0, 1, rnd_below(1 << 20)) :
				PICK(0xffff, 0x7fffffff, 0xffffffff);
		break;
	case 6:
		v = PICK(0, 1, 2, 3, 63, 65, 255, 4096, RQ_MAX - 1, RQ_MAX,
			 RQ_MAX + 1, 65536, 0x80000000, 0xffffffff,
			 rnd() & 0xffffffff, 1 + rnd_below(4096));
		r->rq_entries = v;
		/* and often a region that fits */
		if (one_in(2) && v && v <= RQ_MAX)
			r->size = region_size(roundup_pow2(v));
		break;
	case 7:
		/* not ZCRX_REG_NODEV alone, a valid ifq the model leaves to -K */
		r->flags = PICK(1, 3, 4, 0x80000000, rnd() | 1);
		break;
	case 8:
		r->zcrx_id = PICK(1, 0xffffffff, rnd() | 1);
		break;
	case 9:
		r->rx_buf_len = PICK(page_size, page_size / 2, 3 * page_size, 1,
				     page_size + 1, 0x80000000, rnd());
		break;
	case 10:
		r->resv[rnd_below(3)] = pick_nonzero();
		break;
	case 11:
		/* outputs: the kernel ignores what they hold */
		r->offs[rnd_below(6)] = pick_u64();
		break;
	case 12:
		r->area_ptr = 1 + rnd_below(PTR_NR - 1);
		break;
	case 13:
	case 14:
		mutate_area(r);
		break;
	case 15:
		r->token = PICK(1ULL << IORING_ZCRX_AREA_SHIFT, 1, rnd() | 1);
		break;
	case 16:
		r->aflags = PICK(IORING_ZCRX_AREA_DMABUF, 2, 0x80000000, rnd() | 1);
		break;
	case 17:
		r->dmabuf_fd = PICK(1, 0xffffffff, rnd() | 1);
		break;
	case 18:
		r->aresv[rnd_below(2)] = pick_nonzero();
		break;
	case 19:
		r->region_ptr = 1 + rnd_below(PTR_NR - 1);
		break;
	case 20:
	case 21:
		mutate_region(r);
		break;
	case 22:
		if (one_in(2))
			r->rid = PICK(1, rnd() | 1);
		else
			r->mmap_offset = PICK(0x30000000, page_size, rnd() | 1);
		break;
	default:
		r->rresv[rnd_below(4)] = pick_nonzero();
	}
}

/* What a registration may return. */
struct verdict {
	struct eset allowed;
	bool may_succeed;
	/* it fails before it gets to the queue */
	bool before_queue;
};

/* A rule broken: @err is allowed, success is not. */
static void violation(struct verdict *v, int err)
{
	eset_add(&v->allowed, err);
	v->may_succeed = false;
	v->before_queue = true;
}

static bool ptr_bad(__u8 p)
{
	return p != PTR_OK && p != PTR_RO;
}

/*
 * The arguments' rules: the ring, the system call's arguments and every
 * field of the three structures. Whatever the state of the device, an
 * input that breaks one fails with the errno of one it breaks, and any of
 * them may come first.
 */
static void reg_args(const struct reg_input *r, struct verdict *v)
{
	bool user = r->rflags & IORING_MEM_REGION_TYPE_USER;
	__u64 addr = eval(&r->addr, NULL), len = r->len;
	__u64 uaddr = eval(&r->user_addr, NULL);
	__u64 rqe = sizeof(struct io_uring_zcrx_rqe);
	__u64 entries = r->rq_entries, end;

	switch (r->ring) {
	case RING_BADFD:
		violation(v, EBADF);
		break;
	case RING_NOTRING:
		violation(v, EOPNOTSUPP);
		break;
	case RING_NOCQE32:
	case RING_NODEFER:
		violation(v, EINVAL);
		break;
	}
	if (r->op != IORING_REGISTER_ZCRX_IFQ) {
		violation(v, EINVAL);
		/* a registered ring index that is not one */
		if (r->op & IORING_REGISTER_USE_REGISTERED_RING)
			eset_add(&v->allowed, EBADF);
	}
	if (r->nr != 1 || r->arg == PTR_NULL)
		violation(v, EINVAL);
	if (ptr_bad(r->arg) || ptr_bad(r->area_ptr) || ptr_bad(r->region_ptr))
		violation(v, EFAULT);
	if (r->resv[0] || r->resv[1] || r->resv[2] || r->zcrx_id || r->flags)
		violation(v, EINVAL);
	/* ZCRX_REG_IMPORT: the descriptor in if_idx is no exported ifq */
	if (r->flags & ZCRX_REG_IMPORT)
		eset_add(&v->allowed, EBADF);
	if (r->rx_buf_len && r->rx_buf_len != page_size) {
		violation(v, EINVAL);
		/*
		 * A power of two above a page with an area of whole buffers
		 * (drawn only by chance): buffers not contiguous, or larger
		 * than netdevsim posts.
		 */
		if (!(r->rx_buf_len & (r->rx_buf_len - 1)) &&
		    r->rx_buf_len > page_size) {
			eset_add(&v->allowed, ERANGE);
			eset_add(&v->allowed, EOPNOTSUPP);
		}
	}
	if (!entries || (entries > RQ_MAX && !(r->ring == RING_MAIN && fz.clamp)))
		violation(v, EINVAL);
	entries = roundup_pow2(entries > RQ_MAX ? RQ_MAX : entries);

	if (r->aflags || r->dmabuf_fd || r->token || r->aresv[0] ||
	    r->aresv[1] || (addr | len) & (page_size - 1))
		violation(v, EINVAL);
	/* no memory, or none at an address: mainline's -EFAULT */
	if (!addr || !len)
		violation(v, EFAULT);
	/* a dma-buf area: dmabuf_fd names no open descriptor */
	if (r->aflags & IORING_ZCRX_AREA_DMABUF)
		eset_add(&v->allowed, EBADF);
	if (len > 1ULL << 32) {
		/* the kernel's limit: were it higher, the pin would fail */
		violation(v, EINVAL);
		eset_add(&v->allowed, EFAULT);
	}
	if (__builtin_add_overflow(addr, len, &end))
		violation(v, EOVERFLOW);

	if (r->rresv[0] || r->rresv[1] || r->rresv[2] || r->rresv[3] ||
	    r->rflags & ~IORING_MEM_REGION_TYPE_USER || !r->size || r->rid ||
	    r->mmap_offset || (r->size | uaddr) & (page_size - 1))
		violation(v, EINVAL);
	if (user != !!uaddr)
		violation(v, EFAULT);
	if (r->size / page_size > 65535)
		violation(v, E2BIG);
	if (__builtin_add_overflow(uaddr, r->size, &end))
		violation(v, EOVERFLOW);
	if (r->size < entries * rqe)
		violation(v, EINVAL);
}

/*
 * What a registration with valid arguments may meet: memory that cannot
 * be pinned, a device that is not there, then a queue that is not there
 * or not free. @q_free: assume the queue is not bound.
 */
static void reg_resources(const struct reg_input *r, bool q_free,
			  struct verdict *v)
{
	bool user = r->rflags & IORING_MEM_REGION_TYPE_USER;
	__u64 rqe = sizeof(struct io_uring_zcrx_rqe);
	__u64 entries = r->rq_entries > RQ_MAX ? RQ_MAX :
			roundup_pow2(r->rq_entries);
	__u32 if_idx = eval(&r->if_idx, NULL);

	eset_add(&v->allowed, ENOMEM);
	/* the header's size is the kernel's: short of a page of it, maybe */
	if (r->size < entries * rqe + page_size)
		eset_add(&v->allowed, EINVAL);
	if (!rw_mem(eval(&r->addr, NULL), r->len))
		violation(v, EFAULT);
	if (user && !rw_mem(eval(&r->user_addr, NULL), r->size))
		violation(v, EFAULT);
	/* lo: no parent device to map the area for */
	if (if_idx == 1)
		violation(v, EOPNOTSUPP);
	else if (if_idx != ifindex)
		violation(v, ENODEV);
	if (!v->may_succeed)
		return;

	/* the queue is bound only with all of the memory pinned */
	if (eval(&r->if_rxq, NULL) >= nr_queues) {
		violation(v, ERANGE);
		return;
	}
	/* bound by us, or by a ring that is still going away */
	eset_add(&v->allowed, EEXIST);
	if (fz.q_bound && !q_free)
		v->may_succeed = false;
	/* results that cannot be written back: the registration is undone */
	if (r->arg == PTR_RO || r->area_ptr == PTR_RO || r->region_ptr == PTR_RO) {
		eset_add(&v->allowed, EFAULT);
		v->may_succeed = false;
	}
}

/* What registration @r may return. */
static void reg_model(const struct reg_input *r, bool q_free,
		      struct verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->may_succeed = true;
	reg_args(r, v);
	if (v->may_succeed)
		reg_resources(r, q_free, v);
}

static __u64 ptr_value(__u8 p, unsigned int off)
{
	switch (p) {
	case PTR_OK:
		return (uintptr_t)fz.arena_rw + off;
	case PTR_LOW:
		return 8;
	case PTR_HOLE:
		return (uintptr_t)fz.res + HOLE_OFF;
	case PTR_KERNEL:
		return KERNEL_ADDR;
	case PTR_RO:
		return (uintptr_t)fz.arena_ro + off;
	}
	return 0;
}

static int ring_fd_of(__u8 ring)
{
	switch (ring) {
	case RING_MAIN:
		return fz.ring.fd;
	case RING_NOCQE32:
		return fz.nocqe32_fd;
	case RING_NODEFER:
		return fz.nodefer_fd;
	case RING_NOTRING:
		return fz.fds[FD_NULL];
	}
	/* no such descriptor; -1 would be the ringless path (QUERY only) */
	return 0x7fffffff;
}

/* Check what a successful registration returned, and record the ifq. */
static void reg_accept(const struct input *in,
		       const struct io_uring_zcrx_ifq_reg *reg,
		       const struct io_uring_zcrx_area_reg *area,
		       const struct io_uring_region_desc *rd)
{
	const struct reg_input *r = &in->reg;
	__u64 want = r->rq_entries > RQ_MAX ? RQ_MAX : roundup_pow2(r->rq_entries);
	const struct io_uring_zcrx_offsets *o = &reg->offsets;
	bool user = rd->flags & IORING_MEM_REGION_TYPE_USER;
	struct ifq *q = NULL;
	unsigned int i;
	void *base;

	for (i = 0; i < MAX_IFQS && !q; i++)
		if (!fz.ifqs[i].used)
			q = &fz.ifqs[i];
	if (!q)
		fail_input(in, st.iterations, "more than %d ifqs in a ring", MAX_IFQS);
	if (ifq_find(reg->zcrx_id))
		fail_input(in, st.iterations, "zcrx_id %u given twice", reg->zcrx_id);
	if (reg->rq_entries != want)
		fail_input(in, st.iterations, "rq_entries %u, expected %llu",
			   reg->rq_entries, (unsigned long long)want);
	if (area->rq_area_token & ~IORING_ZCRX_AREA_MASK)
		fail_input(in, st.iterations, "area token 0x%llx has offset bits",
			   (unsigned long long)area->rq_area_token);
	if (o->head % 4 || o->tail % 4 || o->rqes % 8 || o->head == o->tail ||
	    o->head + 4ULL > o->rqes || o->tail + 4ULL > o->rqes ||
	    o->rqes + want * sizeof(struct io_uring_zcrx_rqe) > rd->size)
		fail_input(in, st.iterations,
			   "refill offsets head %u tail %u rqes %u in a region of %llu bytes",
			   o->head, o->tail, o->rqes, (unsigned long long)rd->size);
	if (user == !!rd->mmap_offset)
		fail_input(in, st.iterations, "mmap_offset 0x%llx for a %s region",
			   (unsigned long long)rd->mmap_offset,
			   user ? "user" : "kernel");

	memset(q, 0, sizeof(*q));
	if (user) {
		base = (void *)(uintptr_t)rd->user_addr;
	} else {
		base = mmap(NULL, rd->size, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_POPULATE, fz.ring.fd,
			    rd->mmap_offset);
		if (base == MAP_FAILED)
			fail_input(in, st.iterations, "mmap of the refill region at 0x%llx: %s",
				   (unsigned long long)rd->mmap_offset,
				   strerror(errno));
		q->map = base;
		q->map_len = rd->size;
	}
	q->held = malloc(MAX_HELD * sizeof(*q->held));
	if (!q->held)
		die("malloc");
	q->used = true;
	q->id = reg->zcrx_id;
	q->area_len = area->len;
	q->token = area->rq_area_token;
	q->entries = reg->rq_entries;
	q->head = base + o->head;
	q->tail = base + o->tail;
	q->rqes = base + o->rqes;
	q->local_tail = load_acquire(q->tail);
	if (eval(&r->if_rxq, NULL) == queue) {
		fz.q_bound = true;
		fz.main_id = q->id;
	}
	st.regs_ok++;
}

/* Run registration @r; return 0 or -errno. */
static int do_reg(const struct reg_input *r)
{
	struct io_uring_zcrx_ifq_reg *reg = fz.arena_rw + ARENA_REG;
	struct io_uring_zcrx_area_reg *area = fz.arena_rw + ARENA_AREA;
	struct io_uring_region_desc *rd = fz.arena_rw + ARENA_RD;
	struct io_uring_zcrx_ifq_reg reg0;
	struct io_uring_zcrx_area_reg area0;
	struct io_uring_region_desc rd0;
	struct verdict v;
	struct input in;
	char set[256];
	int ret, err;

	memset(reg, 0, sizeof(*reg));
	reg->if_idx = eval(&r->if_idx, NULL);
	reg->if_rxq = eval(&r->if_rxq, NULL);
	reg->rq_entries = r->rq_entries;
	reg->flags = r->flags;
	reg->area_ptr = ptr_value(r->area_ptr, ARENA_AREA);
	reg->region_ptr = ptr_value(r->region_ptr, ARENA_RD);
	reg->offsets.head = r->offs[0];
	reg->offsets.tail = r->offs[1];
	reg->offsets.rqes = r->offs[2];
	reg->offsets.__resv2 = r->offs[3];
	reg->offsets.__resv[0] = r->offs[4];
	reg->offsets.__resv[1] = r->offs[5];
	reg->zcrx_id = r->zcrx_id;
	reg->rx_buf_len = r->rx_buf_len;
	memcpy(reg->__resv, r->resv, sizeof(reg->__resv));

	memset(area, 0, sizeof(*area));
	area->addr = eval(&r->addr, NULL);
	area->len = r->len;
	area->rq_area_token = r->token;
	area->flags = r->aflags;
	area->dmabuf_fd = r->dmabuf_fd;
	memcpy(area->__resv2, r->aresv, sizeof(area->__resv2));

	memset(rd, 0, sizeof(*rd));
	rd->user_addr = eval(&r->user_addr, NULL);
	rd->size = r->size;
	rd->flags = r->rflags;
	rd->id = r->rid;
	rd->mmap_offset = r->mmap_offset;
	memcpy(rd->__resv, r->rresv, sizeof(rd->__resv));

	reg0 = *reg;
	area0 = *area;
	rd0 = *rd;
	reg_model(r, false, &v);

	in.kind = IN_REG;
	in.reg = *r;
	snapshot(&in);
	ret = sys_io_uring_register(ring_fd_of(r->ring), r->op,
				    ptr_value(r->arg, ARENA_REG), r->nr);
	err = ret < 0 ? errno : 0;
	st.iterations++;
	st.regs++;
	if (ret > 0)
		fail_input(&in, st.iterations, "registration returned %d", ret);
	if (err) {
		if (err < ERRNO_MAX)
			st.reg_res[err]++;
		if (!eset_has(&v.allowed, err))
			fail_input(&in, st.iterations, "registration failed with %s, expected %s%s",
				   errname(err),
				   eset_str(&v.allowed, set, sizeof(set)),
				   v.may_succeed ? " or success" : "");
		/* a result copied to one structure cannot be taken back */
		if (r->arg != PTR_RO && r->area_ptr != PTR_RO &&
		    r->region_ptr != PTR_RO &&
		    (memcmp(reg, &reg0, sizeof(reg0)) ||
		     memcmp(area, &area0, sizeof(area0)) ||
		     memcmp(rd, &rd0, sizeof(rd0))))
			fail_input(&in, st.iterations,
				   "a failed registration (%s) wrote results back",
				   errname(err));
		return -err;
	}
	if (!v.may_succeed)
		fail_input(&in, st.iterations, "registration succeeded, expected %s",
			   eset_str(&v.allowed, set, sizeof(set)));
	reg_accept(&in, reg, area, rd);
	return 0;
}

/*
 * A registration on a new ring, again while the queue is still bound by
 * the ring closed before: its exit runs in a kworker.
 */
static int do_reg_fresh(const struct reg_input *r)
{
	long long end = now_ms() + RETRY_MS;
	struct verdict v;
	int ret;

	reg_model(r, true, &v);
	for (;;) {
		ret = do_reg(r);
		if (ret != -EEXIST || !v.may_succeed || now_ms() > end)
			return ret;
		sleep_ms(50);
	}
}

/* A change that keeps a registration valid, or fails only at the end. */
static void mutate_reg_valid(struct reg_input *r)
{
	__u64 v;

	switch (rnd_below(6)) {
	case 0:
		/* a part of the area */
		r->addr.add = rnd_below(AREA_SIZE / page_size / 2) * page_size;
		r->len = (1 + rnd_below(AREA_SIZE / page_size / 2)) * page_size;
		break;
	case 1:
		r->rflags = IORING_MEM_REGION_TYPE_USER;
		r->user_addr.sym = SYM_REGION;
		break;
	case 2:
		v = PICK(1, 2, RQ_MAX, 1 + rnd_below(4096));
		r->rq_entries = v;
		r->size = region_size(roundup_pow2(v));
		break;
	case 3:
		r->offs[rnd_below(6)] = pick_u64();
		break;
	case 4:
		r->rx_buf_len = page_size;
		break;
	default:
		/* the results cannot be written back */
		if (one_in(3))
			r->arg = PTR_RO;
		else if (one_in(2))
			r->area_ptr = PTR_RO;
		else
			r->region_ptr = PTR_RO;
	}
}

/*
 * A fuzzed registration. In the loop, one in 40 (one iteration in 2000)
 * is valid but for the queue, which is bound: it pins the area and meets
 * the queue. The others break a rule before that.
 */
static void gen_reg(struct reg_input *r, bool full)
{
	unsigned int i, n = rnd_below(3);
	struct verdict v;

	reg_template(r, full);
	if (!full && one_in(40)) {
		for (i = 0; i < n; i++)
			mutate_reg_valid(r);
		return;
	}
	n += !full;
	for (i = 0; i < n; i++)
		mutate_reg(r);
	if (full)
		return;
	reg_model(r, true, &v);
	if (!v.before_queue)
		r->resv[rnd_below(3)] = pick_nonzero();
}

/* The ring's counters, before it goes. */
static void harvest(void)
{
	char path[64], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fz.ring.fd);
	f = fopen(path, "r");
	if (!f)
		die("open %s", path);
	while (fgets(line, sizeof(line), f)) {
		char *p;

		p = strstr(line, " zc_bytes=");
		if (p)
			st.zc_bytes += strtoull(p + 10, NULL, 0);
		p = strstr(line, " copy_bytes=");
		if (p)
			st.copy_bytes += strtoull(p + 12, NULL, 0);
		p = strstr(line, " rq_rejected=");
		if (p)
			st.rq_rejected += strtoull(p + 13, NULL, 0);
	}
	fclose(f);
}

/*
 * Cancel what is still armed before the ring closes: a request armed on
 * the ring's own fd holds the ring's file, and the ring, with the queue
 * it binds, would live on until this process exits, as in mainline. The
 * cancelled requests' completions are not checked: the ring goes.
 */
static void cancel_all(void)
{
	struct io_uring_sqe *sqe = next_sqe(&fz.ring);
	int ret;

	sqe->opcode = IORING_OP_ASYNC_CANCEL;
	sqe->cancel_flags = IORING_ASYNC_CANCEL_ANY | IORING_ASYNC_CANCEL_ALL;
	sqe->user_data = ~0ULL;
	ret = enter(&fz.ring, 1);
	if (ret < 0) {
		errno = -ret;
		die("io_uring_enter: cancel every request");
	}
	/* their completions, and so their files' release, run here */
	wait_cqe(&fz.ring, 100);
}

static void teardown(void)
{
	unsigned int i;

	if (fz.port_fd >= 0)
		close(fz.port_fd);
	fz.port_fd = -1;
	if (fz.fds[FD_DATA] >= 0)
		close(fz.fds[FD_DATA]);
	fz.fds[FD_DATA] = -1;
	if (!fz.ring_open)
		return;
	cancel_all();
	harvest();
	for (i = 0; i < MAX_IFQS; i++)
		if (fz.ifqs[i].used)
			ifq_drop(&fz.ifqs[i]);
	ring_close(&fz.ring);
	fz.ring_open = false;
	memset(fz.reqs, 0, sizeof(fz.reqs));
	memset(fz.armed, 0, sizeof(fz.armed));
	memset(&fz.drain, 0, sizeof(fz.drain));
	fz.q_bound = false;
	fz.main_id = 0;
}

/*
 * Close the ring and the connection, create both again: the first
 * registration is @variant, or a fuzzed one; unless it bound the queue,
 * a valid one follows.
 */
static void recreate(struct reg_input *variant)
{
	struct reg_input r;
	int ret;

	teardown();
	remap_memory();
	fz.clamp = one_in(4);
	ring_open(&fz.ring, RING_FLAGS | (fz.clamp ? IORING_SETUP_CLAMP : 0));
	fz.ring_open = true;
	st.rings++;
	fz.recreate_at = ~0ULL;

	if (!variant) {
		gen_reg(&r, true);
		variant = &r;
	}
	variant->fresh = true;
	do_reg_fresh(variant);
	if (!fz.q_bound) {
		reg_template(&r, true);
		ret = do_reg_fresh(&r);
		if (ret) {
			struct input in = { .kind = IN_REG, .reg = r };

			fail_input(&in, st.iterations, "valid registration: %s%s",
				   errname(-ret), ret == -EEXIST ?
				   ", the closed ring still binds the queue" : "");
		}
	}
	stream_listen();
	stream_accept();
}

/* Buffers to give back for a corpus line's refill items. */
static void wait_held(const struct refill_input *f)
{
	long long end = now_ms() + HELD_WAIT_MS;
	struct ifq *q = ifq_find(f->ifq);
	unsigned int i, need = 0;

	for (i = 0; i < f->nr; i++)
		need += f->items[i].kind != RQE_RAW;
	if (!q || fz.fds[FD_DATA] < 0)
		return;
	while (q->held_nr < need && now_ms() < end) {
		if (!fz.armed[FD_DATA]) {
			struct sqe_input s;

			sqe_template(&s);
			do_sqe(&s);
			continue;
		}
		wait_cqe(&fz.ring, 100);
		reap();
	}
}

static void run_input(struct input *in)
{
	switch (in->kind) {
	case IN_SQE:
		do_sqe(&in->sqe);
		break;
	case IN_REFILL:
		do_refill(&in->rf);
		break;
	case IN_REG:
		if (in->reg.fresh)
			recreate(&in->reg);
		else
			do_reg(&in->reg);
	}
}

static void replay_corpus(void)
{
	char line[2048], copy[2048];
	unsigned int nr = 0;
	struct input in;
	FILE *f;

	f = fopen(corpus, "r");
	if (!f)
		die("open corpus %s", corpus);
	while (fgets(line, sizeof(line), f)) {
		char *p = line + strspn(line, " \t");

		nr++;
		if (*p == '#' || *p == '\n' || !*p)
			continue;
		corpus_line = nr;
		snprintf(copy, sizeof(copy), "%s", p);
		if (!parse_input(copy, &in)) {
			fprintf(stderr, "FAIL: %s line %u: cannot parse: %s",
				corpus, nr, p);
			exit(1);
		}
		if (in.kind == IN_REFILL)
			wait_held(&in.rf);
		run_input(&in);
		st.corpus++;
	}
	fclose(f);
	corpus_line = 0;
}

/* One random iteration. */
static void step(void)
{
	unsigned int r = rnd_below(2000);
	struct input in;

	if (r < 40) {
		in.kind = IN_REG;
		gen_reg(&in.reg, false);
		do_reg(&in.reg);
	} else if (r < 540) {
		in.kind = IN_REFILL;
		gen_refill(&in.rf);
		do_refill(&in.rf);
	} else {
		in.kind = IN_SQE;
		gen_sqe(&in.sqe);
		do_sqe(&in.sqe);
	}
}

static void wait_unpinned(long kb)
{
	long long end = now_ms() + 30000;
	long now;

	while ((now = vm_pinned_kb()) != kb && now_ms() < end)
		sleep_ms(100);
	if (now != kb) {
		fprintf(stderr,
			"FAIL: seed %llu: VmPin %ld kB 30 s after the last ring closed, %ld kB before the first: areas not unpinned\n",
			(unsigned long long)seed, now, kb);
		exit(1);
	}
}

static void summary(void)
{
	unsigned int i;
	int err;

	/* the line the test reads */
	printf("fuzz: seed %llu iterations %llu registrations %llu (ok %llu)",
	       (unsigned long long)seed, (unsigned long long)st.iterations,
	       (unsigned long long)st.regs, (unsigned long long)st.regs_ok);
	printf(" sqes %llu refills %llu zc_bytes %llu corpus %llu\n",
	       (unsigned long long)st.sqes, (unsigned long long)st.refills,
	       (unsigned long long)st.zc_bytes, (unsigned long long)st.corpus);
	printf("fuzz: rings %llu connections %llu data_cqes %llu data_bytes %llu",
	       (unsigned long long)st.rings, (unsigned long long)st.connections,
	       (unsigned long long)st.cqes, (unsigned long long)st.data_bytes);
	printf(" copy_bytes %llu rqes %llu rq_rejected %llu\n",
	       (unsigned long long)st.copy_bytes, (unsigned long long)st.rqes,
	       (unsigned long long)st.rq_rejected);
	for (i = 0; i < 2; i++) {
		const __u64 *res = i ? st.reg_res : st.sqe_res;

		printf("fuzz: %s", i ? "registration errnos" : "RECV_ZC errnos");
		for (err = 1; err < ERRNO_MAX; err++)
			if (res[err])
				printf(" %s %llu", errname(err),
				       (unsigned long long)res[err]);
		printf("\n");
	}
}

static int run(void)
{
	long long start = now_ms();
	struct reg_input r;
	long pinned;
	int ret;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	setup_memory();
	setup_fds();
	pinned = vm_pinned_kb();

	/* a valid binding first: the corpus expects a stream */
	ring_open(&fz.ring, RING_FLAGS);
	fz.ring_open = true;
	st.rings++;
	fz.recreate_at = ~0ULL;
	reg_template(&r, true);
	ret = do_reg_fresh(&r);
	if (ret) {
		fprintf(stderr, "FAIL: register ifq on %s queue %u: %s\n",
			ifname, queue, strerror(-ret));
		return 1;
	}
	stream_listen();
	stream_accept();

	if (corpus) {
		replay_corpus();
		/* a new ring for the random inputs */
		recreate(NULL);
	}

	while (st.iterations < max_iterations) {
		if (time_limit && now_ms() - start >= time_limit * 1000LL) {
			printf("fuzz: time limit of %u s reached after %llu iterations\n",
			       time_limit, (unsigned long long)st.iterations);
			break;
		}
		if (one_in(RECREATE_ODDS) || st.iterations >= fz.recreate_at)
			recreate(NULL);
		if (!(st.iterations % LOOP_EVERY))
			feed_loop();
		step();
	}

	teardown();
	close_fds();
	wait_unpinned(pinned);
	summary();
	return 0;
}

/* The parent: report a child that died or hangs, with its input. */
static int supervise(pid_t pid)
{
	long long since = now_ms();
	__u64 last = 0, beat_now;
	char line[1024];
	int status;

	for (;;) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			if (WIFEXITED(status))
				return WEXITSTATUS(status);
			fprintf(stderr,
				"FAIL: seed %llu iteration %llu: the fuzzer died of signal %d (an oops kills the task too: see the kernel log)\n",
				(unsigned long long)seed,
				(unsigned long long)sh->iteration,
				WTERMSIG(status));
			break;
		}
		beat_now = __atomic_load_n(&sh->heartbeat, __ATOMIC_RELAXED);
		if (beat_now != last) {
			last = beat_now;
			since = now_ms();
		} else if (now_ms() - since > HANG_S * 1000LL) {
			fprintf(stderr, "FAIL: seed %llu iteration %llu: no progress for %d s\n",
				(unsigned long long)seed,
				(unsigned long long)sh->iteration, HANG_S);
			kill(pid, SIGKILL);
			break;
		}
		usleep(200 * 1000);
	}
	if (sh->corpus_line)
		fprintf(stderr, "corpus %s line %u\n", corpus, sh->corpus_line);
	fprintf(stderr, "input: %s\n", format_input(&sh->in, line, sizeof(line)));
	return 1;
}

static unsigned int count_rx_queues(void)
{
	char path[128];
	unsigned int n = 0;
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "/sys/class/net/%s/queues", ifname);
	dir = opendir(path);
	if (!dir)
		die("opendir %s", path);
	while ((d = readdir(dir)))
		n += !strncmp(d->d_name, "rx-", 3);
	closedir(dir);
	return n;
}

static void usage(const char *prog)
{
	fprintf(stderr,
		"Usage: %s -i IFNAME -q QUEUE [-p PORT] [-s SEED] [-n ITERATIONS]\n"
		"       [-T SECONDS] [-c CORPUS] [-v]\n"
		"  -i IFNAME      the device, header split on\n"
		"  -q QUEUE       the rx queue it may bind; a flow to PORT is steered to it\n"
		"  -p PORT        accept the remote end's stream on PORT\n"
		"  -s SEED        the seed of the inputs (default: from the time)\n"
		"  -n ITERATIONS  system calls to make (default 100000)\n"
		"  -T SECONDS     stop after SECONDS, whatever the count\n"
		"  -c CORPUS      run the inputs in the file CORPUS first\n"
		"  -v             print every input before it runs\n",
		prog);
	exit(2);
}

int main(int argc, char *argv[])
{
	bool have_seed = false;
	pid_t pid;
	int opt;

	page_size = sysconf(_SC_PAGESIZE);
	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "i:q:p:s:n:T:c:v")) != -1) {
		switch (opt) {
		case 'i':
			ifname = optarg;
			break;
		case 'q':
			queue = strtoul(optarg, NULL, 0);
			break;
		case 'p':
			port = optarg;
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			have_seed = true;
			break;
		case 'n':
			max_iterations = strtoull(optarg, NULL, 0);
			break;
		case 'T':
			time_limit = strtoul(optarg, NULL, 0);
			break;
		case 'c':
			corpus = optarg;
			break;
		case 'v':
			verbose = true;
			break;
		default:
			usage(argv[0]);
		}
	}
	if (!ifname)
		usage(argv[0]);
	ifindex = if_nametoindex(ifname);
	if (!ifindex)
		die("if_nametoindex(%s)", ifname);
	nr_queues = count_rx_queues();
	if (queue >= nr_queues) {
		fprintf(stderr, "%s has %u rx queues, no queue %u\n", ifname,
			nr_queues, queue);
		return 2;
	}
	if (!have_seed) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		seed = ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	}
	rng_state = seed;
	printf("seed %llu\n", (unsigned long long)seed);

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		die("mmap");
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid)
		return run();
	return supervise(pid);
}
