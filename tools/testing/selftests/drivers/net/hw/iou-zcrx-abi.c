// SPDX-License-Identifier: GPL-2.0
/*
 * iou-zcrx-abi: io_uring zero-copy receive through the documented ABI only.
 *
 * Built against the C library's uapi headers, which predate zero-copy
 * receive (Debian 12 ships those of Linux 6.1), not against the kernel's
 * own: the numbers and structures below are copied from the ABI, as an
 * application built with its own copy of the header (liburing 2.10 bundles
 * one) has them. If the kernel's layout or numbers drifted from the ABI,
 * registration or receive would fail here.
 *
 * Registers one interface queue with a kernel-allocated refill ring,
 * accepts one TCP connection on PORT, receives it with IORING_OP_RECV_ZC
 * in multishot mode, checks every byte against the pattern "iou-zcrx -c"
 * sends and gives every buffer back through the refill ring.
 *
 * With -L, a NOP is linked (IOSQE_IO_LINK) to each RECV_ZC. A multishot
 * RECV_ZC only ends by failing, as in mainline: with an error, or with 0
 * at EOF; either way the NOP must complete with -ECANCELED.
 *
 * Usage: iou-zcrx-abi -i IFNAME -q QUEUE -p PORT -l BYTES [-a BYTES]
 *                     [-r ENTRIES] [-T SECONDS] [-L]
 */
#include <assert.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/io_uring.h>

/* The zero-copy receive ABI, from the contract; names shortened. */

/* IORING_OP_RECV_ZC */
#define ZCRX_OP_RECV_ZC		58
/* IORING_REGISTER_ZCRX_IFQ */
#define ZCRX_REGISTER_IFQ	32
/* IORING_ZCRX_AREA_SHIFT and IORING_ZCRX_AREA_MASK */
#define ZCRX_AREA_SHIFT		48
#define ZCRX_AREA_MASK		(~((1ULL << ZCRX_AREA_SHIFT) - 1))

/* struct io_uring_zcrx_rqe */
struct zcrx_rqe {
	__u64	off;
	__u32	len;
	__u32	__pad;
};

/* struct io_uring_zcrx_cqe, the second half of a 32-byte CQE */
struct zcrx_cqe {
	__u64	off;
	__u64	__pad;
};

/* struct io_uring_zcrx_offsets */
struct zcrx_offsets {
	__u32	head;
	__u32	tail;
	__u32	rqes;
	__u32	__resv2;
	__u64	__resv[2];
};

/* struct io_uring_zcrx_area_reg */
struct zcrx_area_reg {
	__u64	addr;
	__u64	len;
	__u64	rq_area_token;
	__u32	flags;
	__u32	dmabuf_fd;
	__u64	__resv2[2];
};

/* struct io_uring_region_desc */
struct zcrx_region_desc {
	__u64	user_addr;
	__u64	size;
	__u32	flags;
	__u32	id;
	__u64	mmap_offset;
	__u64	__resv[4];
};

/* struct io_uring_zcrx_ifq_reg */
struct zcrx_ifq_reg {
	__u32	if_idx;
	__u32	if_rxq;
	__u32	rq_entries;
	__u32	flags;
	__u64	area_ptr;
	__u64	region_ptr;
	struct zcrx_offsets offsets;
	__u32	zcrx_id;
	__u32	rx_buf_len;
	__u64	__resv[3];
};

static_assert(sizeof(struct zcrx_rqe) == 16, "io_uring_zcrx_rqe");
static_assert(sizeof(struct zcrx_cqe) == 16, "io_uring_zcrx_cqe");
static_assert(sizeof(struct zcrx_offsets) == 32, "io_uring_zcrx_offsets");
static_assert(sizeof(struct zcrx_area_reg) == 48, "io_uring_zcrx_area_reg");
static_assert(sizeof(struct zcrx_region_desc) == 64, "io_uring_region_desc");
static_assert(sizeof(struct zcrx_ifq_reg) == 96, "io_uring_zcrx_ifq_reg");
static_assert(offsetof(struct zcrx_ifq_reg, offsets) == 32, "offsets");
static_assert(offsetof(struct zcrx_ifq_reg, zcrx_id) == 64, "zcrx_id");
static_assert(offsetof(struct zcrx_area_reg, rq_area_token) == 16,
	      "rq_area_token");
static_assert(offsetof(struct zcrx_region_desc, mmap_offset) == 24,
	      "mmap_offset");
/* sqe->zcrx_ifq_idx shares the union of splice_fd_in, at byte 44 */
static_assert(offsetof(struct io_uring_sqe, splice_fd_in) == 44,
	      "zcrx_ifq_idx");
static_assert(sizeof(struct io_uring_cqe) == 16, "io_uring_cqe");

#define RING_FLAGS	(IORING_SETUP_SINGLE_ISSUER | \
			 IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_CQE32)
#define SQ_ENTRIES	8
#define CQ_ENTRIES	1024
#define CQE_SHIFT	5	/* 32-byte CQEs */

#define die(fmt, ...) do {						\
	fprintf(stderr, "FAIL: " fmt ": %s\n", ##__VA_ARGS__,		\
		strerror(errno));					\
	exit(1);							\
} while (0)

#define load_acquire(p)		__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define store_release(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELEASE)

static const char *ifname;
static unsigned int queue;
static unsigned int port;
static unsigned long long payload_len;
static size_t area_size = 1 << 20;
static unsigned int rq_entries = 1024;
static unsigned int timeout_s = 60;
static bool link_nop;

#define UD_RECV		1
#define UD_NOP		2

/* Byte @pos of the stream "iou-zcrx -c" sends. */
static inline unsigned char pattern_byte(__u64 pos)
{
	return (pos * 0x9e3779b97f4a7c15ULL) >> 56;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

struct ring {
	int fd;
	unsigned int sq_mask;
	unsigned int cq_mask;
	unsigned int sq_tail_local;
	unsigned int *sq_tail;
	unsigned int *sq_array;
	unsigned int *cq_head;
	unsigned int *cq_tail;
	struct io_uring_sqe *sqes;
	void *cqes;
};

static void ring_setup(struct ring *r)
{
	struct io_uring_params p = {
		.flags = RING_FLAGS | IORING_SETUP_CQSIZE,
		.cq_entries = CQ_ENTRIES,
	};
	size_t sq_len, cq_len;
	void *sq, *cq;

	r->fd = syscall(__NR_io_uring_setup, SQ_ENTRIES, &p);
	if (r->fd < 0)
		die("io_uring_setup");
	sq_len = p.sq_off.array + p.sq_entries * sizeof(__u32);
	cq_len = p.cq_off.cqes + (p.cq_entries << CQE_SHIFT);
	if (!(p.features & IORING_FEAT_SINGLE_MMAP)) {
		fprintf(stderr, "FAIL: kernel without IORING_FEAT_SINGLE_MMAP\n");
		exit(1);
	}
	sq = mmap(NULL, sq_len > cq_len ? sq_len : cq_len,
		  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
		  IORING_OFF_SQ_RING);
	if (sq == MAP_FAILED)
		die("mmap rings");
	cq = sq;
	r->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe),
		       PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
		       IORING_OFF_SQES);
	if (r->sqes == MAP_FAILED)
		die("mmap SQEs");
	r->sq_mask = *(unsigned int *)(sq + p.sq_off.ring_mask);
	r->sq_tail = sq + p.sq_off.tail;
	r->sq_array = sq + p.sq_off.array;
	r->sq_tail_local = *r->sq_tail;
	r->cq_mask = *(unsigned int *)(cq + p.cq_off.ring_mask);
	r->cq_head = cq + p.cq_off.head;
	r->cq_tail = cq + p.cq_off.tail;
	r->cqes = cq + p.cq_off.cqes;
}

/* The next SQE, zeroed, with its slot in the SQ array taken. */
static struct io_uring_sqe *sqe_get(struct ring *r)
{
	unsigned int idx = r->sq_tail_local++ & r->sq_mask;
	struct io_uring_sqe *sqe = &r->sqes[idx];

	memset(sqe, 0, sizeof(*sqe));
	r->sq_array[idx] = idx;
	return sqe;
}

/*
 * Submit a multishot RECV_ZC on @sock for the ifq @zcrx_id, with -L a NOP
 * linked to it.
 */
static void recv_zc(struct ring *r, int sock, __u32 zcrx_id)
{
	struct io_uring_sqe *sqe = sqe_get(r);
	int nr = 1;

	sqe->opcode = ZCRX_OP_RECV_ZC;
	sqe->fd = sock;
	sqe->ioprio = IORING_RECV_MULTISHOT;
	sqe->splice_fd_in = zcrx_id;
	sqe->user_data = UD_RECV;
	if (link_nop) {
		sqe->flags = IOSQE_IO_LINK;
		sqe = sqe_get(r);
		sqe->opcode = IORING_OP_NOP;
		sqe->user_data = UD_NOP;
		nr++;
	}
	store_release(r->sq_tail, r->sq_tail_local);
	if (syscall(__NR_io_uring_enter, r->fd, nr, 0, 0, NULL, 0) != nr)
		die("io_uring_enter: submit RECV_ZC");
}

static void ring_wait(struct ring *r)
{
	struct __kernel_timespec ts = { .tv_sec = 1 };
	struct io_uring_getevents_arg arg = { .ts = (uintptr_t)&ts };

	if (syscall(__NR_io_uring_enter, r->fd, 0, 1,
		    IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, &arg,
		    sizeof(arg)) < 0 && errno != ETIME && errno != EINTR)
		die("io_uring_enter: wait");
}

struct refill {
	__u32 *head;
	__u32 *tail;
	struct zcrx_rqe *rqes;
	unsigned int mask;
	unsigned int tail_local;
};

/* Give a buffer back; false if the refill ring is full. */
static bool refill(struct refill *rf, __u64 off, __u32 len)
{
	struct zcrx_rqe *rqe;

	if (rf->tail_local - load_acquire(rf->head) > rf->mask)
		return false;
	rqe = &rf->rqes[rf->tail_local++ & rf->mask];
	rqe->off = off;
	rqe->len = len;
	rqe->__pad = 0;
	return true;
}

static int accept_one(void)
{
	struct sockaddr_in6 addr = {
		.sin6_family = AF_INET6,
		.sin6_addr = IN6ADDR_ANY_INIT,
		.sin6_port = htons(port),
	};
	struct pollfd pfd = { .events = POLLIN };
	int one = 1, zero = 0;
	int fd;

	pfd.fd = socket(AF_INET6, SOCK_STREAM, 0);
	if (pfd.fd < 0)
		die("socket");
	if (setsockopt(pfd.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(pfd.fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)))
		die("setsockopt");
	if (bind(pfd.fd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    listen(pfd.fd, 1))
		die("listen on port %u", port);
	if (poll(&pfd, 1, timeout_s * 1000) != 1)
		die("no connection within %u s", timeout_s);
	fd = accept(pfd.fd, NULL, NULL);
	if (fd < 0)
		die("accept");
	close(pfd.fd);
	return fd;
}

static void show_fdinfo(int fd)
{
	char path[64], line[512];
	bool on = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		die("%s", path);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "ZcrxIfqs:", 9))
			on = true;
		else if (!strncmp(line, "PollList:", 9))
			break;
		if (on)
			fputs(line, stdout);
	}
	fclose(f);
}

/* One registered queue and the stream received into its area. */
struct rx {
	struct ring ring;
	struct zcrx_ifq_reg reg;
	struct zcrx_area_reg area;
	struct zcrx_region_desc rd;
	void *area_mem;
	struct refill rf;
	int sock;
	unsigned long long bytes;
	unsigned long long req_bytes;
	unsigned int cqes;
	unsigned int requests;
	unsigned int rearms;
	unsigned int nops;
	unsigned int bad;
	const char *error;
	bool armed;
	bool eof;
};

static void rx_register(struct rx *rx)
{
	long page_size = sysconf(_SC_PAGESIZE);
	void *rq;

	rx->area_mem = mmap(NULL, area_size, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (rx->area_mem == MAP_FAILED)
		die("mmap area");
	rx->area.addr = (uintptr_t)rx->area_mem;
	rx->area.len = area_size;
	/* the kernel allocates it; a page covers the head and tail */
	rx->rd.size = rq_entries * sizeof(struct zcrx_rqe) + page_size;
	rx->rd.size = (rx->rd.size + page_size - 1) & ~(page_size - 1);

	rx->reg.if_idx = if_nametoindex(ifname);
	if (!rx->reg.if_idx)
		die("if_nametoindex(%s)", ifname);
	rx->reg.if_rxq = queue;
	rx->reg.rq_entries = rq_entries;
	rx->reg.area_ptr = (uintptr_t)&rx->area;
	rx->reg.region_ptr = (uintptr_t)&rx->rd;
	if (syscall(__NR_io_uring_register, rx->ring.fd, ZCRX_REGISTER_IFQ,
		    &rx->reg, 1))
		die("register ifq on %s queue %u", ifname, queue);
	printf("ifq zcrx_id=%u rq_entries=%u area_token=0x%llx mmap_offset=0x%llx\n",
	       rx->reg.zcrx_id, rx->reg.rq_entries,
	       (unsigned long long)rx->area.rq_area_token,
	       (unsigned long long)rx->rd.mmap_offset);

	rq = mmap(NULL, rx->rd.size, PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_POPULATE, rx->ring.fd, rx->rd.mmap_offset);
	if (rq == MAP_FAILED)
		die("mmap refill ring");
	rx->rf.head = rq + rx->reg.offsets.head;
	rx->rf.tail = rq + rx->reg.offsets.tail;
	rx->rf.rqes = rq + rx->reg.offsets.rqes;
	rx->rf.mask = rx->reg.rq_entries - 1;
}

static void rx_arm(struct rx *rx)
{
	recv_zc(&rx->ring, rx->sock, rx->reg.zcrx_id);
	rx->requests++;
	rx->armed = true;
}

/* With -L, whether a linked NOP has yet to complete: one per request. */
static bool nops_pending(const struct rx *rx)
{
	return link_nop && rx->nops < rx->requests;
}

/* The NOP linked to a RECV_ZC that ended: it must not have run. */
static void rx_nop(struct rx *rx, const struct io_uring_cqe *cqe)
{
	static char msg[96];

	rx->nops++;
	if (cqe->res != -ECANCELED) {
		snprintf(msg, sizeof(msg),
			 "the NOP linked to RECV_ZC completed with %d, not -ECANCELED",
			 cqe->res);
		rx->error = msg;
	}
}

/* A CQE without data ends the request; it is re-armed unless at EOF. */
static void rx_final(struct rx *rx, const struct io_uring_cqe *cqe)
{
	rx->armed = false;
	if (cqe->flags & IORING_CQE_F_MORE)
		rx->error = "a final CQE with IORING_CQE_F_MORE";
	else if (cqe->res == 0 && !rx->req_bytes)
		rx->eof = true;
	else if (cqe->res == -ENOSPC || cqe->res == -ENOMEM)
		rx->rearms++;
	else if (cqe->res)
		rx->error = strerror(-cqe->res);
	rx->req_bytes = 0;
}

static void rx_data(struct rx *rx, const struct io_uring_cqe *cqe,
		    long long deadline)
{
	const struct zcrx_cqe *zcqe = (const void *)(cqe + 1);
	__u64 off = zcqe->off & ~ZCRX_AREA_MASK;
	const unsigned char *p;
	int i;

	if (!(cqe->flags & IORING_CQE_F_MORE))
		rx->error = "a data CQE without IORING_CQE_F_MORE";
	if ((zcqe->off & ZCRX_AREA_MASK) != rx->area.rq_area_token ||
	    off + cqe->res > area_size) {
		rx->error = "a CQE outside the area";
		return;
	}
	p = rx->area_mem + off;
	for (i = 0; i < cqe->res; i++) {
		if (p[i] == pattern_byte(rx->bytes + i))
			continue;
		if (!rx->bad++)
			fprintf(stderr, "FAIL: byte %llu: 0x%02x, expected 0x%02x\n",
				rx->bytes + i, p[i], pattern_byte(rx->bytes + i));
		break;
	}
	rx->bytes += cqe->res;
	rx->req_bytes += cqe->res;
	rx->cqes++;

	/* when full, the kernel takes entries as the queue needs buffers */
	while (!refill(&rx->rf, zcqe->off, cqe->res)) {
		store_release(rx->rf.tail, rx->rf.tail_local);
		if (now_ms() > deadline) {
			rx->error = "the refill ring stayed full";
			return;
		}
		usleep(1000);
	}
}

static void rx_run(struct rx *rx, long long deadline)
{
	struct ring *r = &rx->ring;

	rx_arm(rx);
	while ((!rx->eof || nops_pending(rx)) && !rx->error &&
	       now_ms() < deadline) {
		unsigned int head = *r->cq_head;
		unsigned int tail;

		ring_wait(r);
		tail = load_acquire(r->cq_tail);
		for (; head != tail && !rx->error; head++) {
			struct io_uring_cqe *cqe;

			cqe = r->cqes + ((head & r->cq_mask) << CQE_SHIFT);
			if (cqe->user_data == UD_NOP)
				rx_nop(rx, cqe);
			else if (cqe->res > 0)
				rx_data(rx, cqe, deadline);
			else
				rx_final(rx, cqe);
		}
		store_release(r->cq_head, head);
		/* the kernel reads the entries after a load-acquire of tail */
		store_release(rx->rf.tail, rx->rf.tail_local);
		if (!rx->armed && !rx->eof && !rx->error)
			rx_arm(rx);
	}
}

static void usage(const char *prog)
{
	fprintf(stderr,
		"Usage: %s -i IFNAME -q QUEUE -p PORT -l BYTES [-a BYTES] [-r ENTRIES] [-T SECONDS] [-L]\n",
		prog);
	exit(2);
}

int main(int argc, char *argv[])
{
	struct rx rx = {};
	long long deadline;
	int opt;

	while ((opt = getopt(argc, argv, "i:q:p:l:a:r:T:L")) != -1) {
		switch (opt) {
		case 'i':
			ifname = optarg;
			break;
		case 'q':
			queue = strtoul(optarg, NULL, 0);
			break;
		case 'p':
			port = strtoul(optarg, NULL, 0);
			break;
		case 'l':
			payload_len = strtoull(optarg, NULL, 0);
			break;
		case 'a':
			area_size = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			rq_entries = strtoul(optarg, NULL, 0);
			break;
		case 'T':
			timeout_s = strtoul(optarg, NULL, 0);
			break;
		case 'L':
			link_nop = true;
			break;
		default:
			usage(argv[0]);
		}
	}
	if (!ifname || !port || !payload_len)
		usage(argv[0]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	deadline = now_ms() + timeout_s * 1000LL;

	ring_setup(&rx.ring);
	rx_register(&rx);
	rx.sock = accept_one();
	rx_run(&rx, deadline);

	printf("received bytes=%llu cqes=%u requests=%u rearms=%u nops=%u\n",
	       rx.bytes, rx.cqes, rx.requests, rx.rearms, rx.nops);
	show_fdinfo(rx.ring.fd);
	close(rx.sock);
	if (rx.error) {
		fprintf(stderr, "FAIL: RECV_ZC: %s\n", rx.error);
		return 1;
	}
	if (!rx.eof || nops_pending(&rx)) {
		fprintf(stderr, "FAIL: timed out after %u s\n", timeout_s);
		return 1;
	}
	if (rx.bad) {
		fprintf(stderr, "FAIL: %u CQEs with wrong data\n", rx.bad);
		return 1;
	}
	if (rx.bytes != payload_len) {
		fprintf(stderr, "FAIL: received %llu bytes, expected %llu\n",
			rx.bytes, payload_len);
		return 1;
	}
	printf("ok: %llu bytes verified\n", rx.bytes);
	return 0;
}
