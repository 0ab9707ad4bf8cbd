// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the zcrx library that need no zero-copy kernel: the refill
 * ring against a fake kernel side, completion decoding, the fdinfo
 * parser, the diagnosis from canned ethtool output, the pattern and the
 * argument checks. Prints KTAP.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zcrx.h"
#include "pattern.h"
#include "util.h"

static bool failed;

/* tests/uapi.c */
bool test_uapi(void);

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		printf("# %s:%d: %s\n", __FILE__, __LINE__, #cond);	\
		failed = true;						\
	}								\
} while (0)

/* The kernel's side of a refill ring: its layout and its consumer. */
struct fake_rq {
	union {
		char	bytes[4096];
		__u64	align;
	} region;
	__u32	cached_head;
};

static const struct io_uring_zcrx_offsets fake_offsets = {
	.head = 0, .tail = 64, .rqes = 128,
};

static __u32 *fake_head(struct fake_rq *k)
{
	return (__u32 *)(k->region.bytes + fake_offsets.head);
}

static __u32 *fake_tail(struct fake_rq *k)
{
	return (__u32 *)(k->region.bytes + fake_offsets.tail);
}

static void fake_init(struct fake_rq *k, struct zcrx_ifq *ifq, __u32 start,
		      __u32 entries)
{
	memset(k, 0, sizeof(*k));
	memset(ifq, 0, sizeof(*ifq));
	*fake_head(k) = start;
	*fake_tail(k) = start;
	k->cached_head = start;
	CHECK(!zcrx_rq_init(ifq, k->region.bytes, sizeof(k->region),
			    &fake_offsets, entries));
}

/* Consume up to @max entries as io_zcrx_ring_refill() does; store them. */
static __u32 fake_consume(struct fake_rq *k, __u32 entries, __u32 max,
			  struct io_uring_zcrx_rqe *out)
{
	struct io_uring_zcrx_rqe *rqes = (void *)(k->region.bytes +
						  fake_offsets.rqes);
	__u32 n = __atomic_load_n(fake_tail(k), __ATOMIC_ACQUIRE) - k->cached_head;
	__u32 i;

	if (n > entries)
		n = entries;
	if (n > max)
		n = max;
	for (i = 0; i < n; i++)
		out[i] = rqes[k->cached_head++ & (entries - 1)];
	__atomic_store_n(fake_head(k), k->cached_head, __ATOMIC_RELEASE);
	return n;
}

static bool test_rq_batch(void)
{
	struct io_uring_zcrx_rqe got[8];
	struct zcrx_ifq ifq;
	struct fake_rq k;

	fake_init(&k, &ifq, 0, 8);
	CHECK(zcrx_rq_space(&ifq) == 8);
	CHECK(!zcrx_rq_add(&ifq, 0x1000, 100));
	CHECK(!zcrx_rq_add(&ifq, 0x2000, 200));
	CHECK(!zcrx_rq_add(&ifq, 0x3000, 300));
	/* nothing visible before the publish */
	CHECK(*fake_tail(&k) == 0);
	CHECK(fake_consume(&k, 8, 8, got) == 0);
	CHECK(zcrx_rq_publish(&ifq) == 3);
	CHECK(*fake_tail(&k) == 3);
	CHECK(zcrx_rq_publish(&ifq) == 0);
	CHECK(fake_consume(&k, 8, 8, got) == 3);
	CHECK(got[0].off == 0x1000 && got[0].len == 100);
	CHECK(got[2].off == 0x3000 && got[2].len == 300 && !got[2].__pad);
	return !failed;
}

static bool test_rq_wrap(void)
{
	struct io_uring_zcrx_rqe got[8];
	__u32 start = UINT32_MAX - 5, i, round, n;
	__u64 next_in = 0, next_out = 0;
	struct zcrx_ifq ifq;
	struct fake_rq k;

	fake_init(&k, &ifq, start, 8);
	/* 5 entries per round, 3 consumed then the rest: crosses 2^32 */
	for (round = 0; round < 6; round++) {
		for (i = 0; i < 5; i++)
			CHECK(!zcrx_rq_add(&ifq, next_in++ << 12, 1));
		zcrx_rq_publish(&ifq);
		for (n = fake_consume(&k, 8, 3, got);; n = fake_consume(&k, 8, 8, got)) {
			for (i = 0; i < n; i++)
				CHECK(got[i].off == next_out++ << 12);
			if (!n)
				break;
		}
	}
	CHECK(next_out == 30);
	CHECK(*fake_tail(&k) == start + 30);
	CHECK(*fake_tail(&k) < start);
	CHECK(zcrx_rq_space(&ifq) == 8);
	return !failed;
}

static bool test_rq_full(void)
{
	struct io_uring_zcrx_rqe got[4];
	__u32 start = UINT32_MAX - 1, i;
	struct zcrx_ifq ifq;
	struct fake_rq k;

	fake_init(&k, &ifq, start, 4);
	for (i = 0; i < 4; i++)
		CHECK(!zcrx_rq_add(&ifq, i << 12, 1));
	CHECK(zcrx_rq_add(&ifq, 4 << 12, 1) == -EAGAIN);
	CHECK(zcrx_rq_space(&ifq) == 0);
	CHECK(zcrx_rq_publish(&ifq) == 4);
	CHECK(zcrx_rq_add(&ifq, 4 << 12, 1) == -EAGAIN);
	/* the kernel takes 2: exactly 2 more fit, and entry 0 survived */
	CHECK(fake_consume(&k, 4, 2, got) == 2 && got[0].off == 0);
	CHECK(zcrx_rq_space(&ifq) == 2);
	CHECK(!zcrx_rq_add(&ifq, 4 << 12, 1));
	CHECK(!zcrx_rq_add(&ifq, 5 << 12, 1));
	CHECK(zcrx_rq_add(&ifq, 6 << 12, 1) == -EAGAIN);
	CHECK(ifq.rq.rq_tail - *fake_head(&k) == 4);
	zcrx_rq_publish(&ifq);
	CHECK(fake_consume(&k, 4, 4, got) == 4);
	CHECK(got[0].off == 2 << 12 && got[3].off == 5 << 12);
	/* a head beyond the tail is broken: no space, no write */
	*fake_head(&k) = ifq.rq.rq_tail + 1;
	CHECK(zcrx_rq_space(&ifq) == 0);
	return !failed;
}

static bool test_rq_init_bad(void)
{
	struct io_uring_zcrx_offsets o = fake_offsets;
	struct zcrx_ifq ifq = { };
	struct fake_rq k;

	CHECK(zcrx_rq_init(&ifq, k.region.bytes, 4096, &o, 6) == -EINVAL);
	CHECK(zcrx_rq_init(&ifq, k.region.bytes, 4096, &o, 0) == -EINVAL);
	/* 256 entries of 16 bytes after 128 bytes do not fit in 4096 */
	CHECK(zcrx_rq_init(&ifq, k.region.bytes, 4096, &o, 256) == -EINVAL);
	CHECK(!zcrx_rq_init(&ifq, k.region.bytes, 4096, &o, 128));
	o.tail = 0;
	CHECK(zcrx_rq_init(&ifq, k.region.bytes, 4096, &o, 8) == -EINVAL);
	o.tail = 66;
	CHECK(zcrx_rq_init(&ifq, k.region.bytes, 4096, &o, 8) == -EINVAL);
	o.tail = 200;
	CHECK(zcrx_rq_init(&ifq, k.region.bytes, 4096, &o, 8) == -EINVAL);
	o = fake_offsets;
	o.rqes = 5000;
	CHECK(zcrx_rq_init(&ifq, k.region.bytes, 4096, &o, 8) == -EINVAL);
	CHECK(zcrx_rq_init(&ifq, NULL, 4096, &fake_offsets, 8) == -EINVAL);
	return !failed;
}

/* An ifq whose area is @area, as registration leaves it, token of area 0 */
static void fake_ifq(struct zcrx_ifq *ifq, char *area, __u64 len, __u64 token)
{
	memset(ifq, 0, sizeof(*ifq));
	ifq->area = area;
	ifq->area_len = len;
	ifq->area_reg.rq_area_token = token;
}

struct cqe32 {
	struct io_uring_cqe	cqe;
	struct io_uring_zcrx_cqe rcqe;
};

static bool test_cqe_data(void)
{
	static char area[16 << 12];
	__u64 token = 3ULL << IORING_ZCRX_AREA_SHIFT;
	struct cqe32 c = {
		.cqe = { .res = 1448, .flags = IORING_CQE_F_MORE },
		.rcqe = { .off = token | (5 << 12) | 66 },
	};
	struct zcrx_ifq ifq;
	struct zcrx_cqe rx;

	fake_ifq(&ifq, area, sizeof(area), token);
	CHECK(sizeof(c) == 32);
	CHECK(!zcrx_cqe_decode(&ifq, &c.cqe, &rx));
	CHECK(rx.data == area + (5 << 12) + 66);
	CHECK(rx.len == 1448 && !rx.final && !rx.error);
	/* given back as it came: the kernel parses token and page */
	CHECK(rx.off == c.rcqe.off);
	/* the last bytes of the area */
	c.rcqe.off = token | (sizeof(area) - 100);
	c.cqe.res = 100;
	CHECK(!zcrx_cqe_decode(&ifq, &c.cqe, &rx) &&
	      rx.data == area + sizeof(area) - 100);
	return !failed;
}

static bool test_cqe_bad(void)
{
	static char area[4 << 12];
	__u64 token = 1ULL << IORING_ZCRX_AREA_SHIFT;
	struct cqe32 c = {
		.cqe = { .res = 100, .flags = IORING_CQE_F_MORE },
		.rcqe = { .off = 0 },
	};
	struct zcrx_ifq ifq;
	struct zcrx_cqe rx;

	fake_ifq(&ifq, area, sizeof(area), token);
	/* token of another area */
	CHECK(zcrx_cqe_decode(&ifq, &c.cqe, &rx) == -ZCRX_EBADCQE);
	/* data running past the end */
	c.rcqe.off = token | (sizeof(area) - 99);
	CHECK(zcrx_cqe_decode(&ifq, &c.cqe, &rx) == -ZCRX_EBADCQE);
	c.rcqe.off = token | sizeof(area);
	c.cqe.res = 1;
	CHECK(zcrx_cqe_decode(&ifq, &c.cqe, &rx) == -ZCRX_EBADCQE);
	/* an error that claims the request goes on */
	c.cqe.res = -ENOSPC;
	CHECK(zcrx_cqe_decode(&ifq, &c.cqe, &rx) == -ZCRX_EBADCQE);
	return !failed;
}

static bool test_cqe_final(void)
{
	static char area[4096];
	struct cqe32 c = { };
	struct zcrx_ifq ifq;
	struct zcrx_cqe rx;
	int i, res[] = { 0, -ENOSPC, -ENOMEM, -ECONNRESET };

	fake_ifq(&ifq, area, sizeof(area), 0);
	for (i = 0; i < 4; i++) {
		c.cqe.res = res[i];
		CHECK(!zcrx_cqe_decode(&ifq, &c.cqe, &rx));
		CHECK(rx.final && rx.error == res[i] && !rx.len && !rx.data);
	}
	/* data and the end at once */
	c.cqe.res = 10;
	CHECK(!zcrx_cqe_decode(&ifq, &c.cqe, &rx) && rx.final && rx.len == 10);
	return !failed;
}

static bool test_prep_recv(void)
{
	struct io_uring_sqe sqe;
	struct zcrx_ifq ifq = { .reg = { .zcrx_id = 0x01020304 } };
	unsigned char *b = (unsigned char *)&sqe;
	__u32 idx;

	memset(&sqe, 0xff, sizeof(sqe));
	zcrx_prep_recv(&sqe, 7, &ifq, 1000);
	CHECK(sqe.opcode == 58 && sqe.fd == 7 && sqe.len == 1000);
	CHECK(sqe.ioprio == IORING_RECV_MULTISHOT);
	memcpy(&idx, b + 44, sizeof(idx));
	CHECK(idx == 0x01020304);
	CHECK(!sqe.addr && !sqe.off && !sqe.flags && !sqe.user_data &&
	      !sqe.msg_flags && !sqe.buf_index);
	return !failed;
}

static bool test_args(void)
{
	struct zcrx_ifq_params p = { .ifindex = 1, .rq_entries = 64 };
	struct zcrx_area a = { };
	struct zcrx_ifq ifq;
	struct io_uring ring = { };
	long page = sysconf(_SC_PAGESIZE);

	CHECK(zcrx_ring_init(NULL, 8, 0) == -EINVAL);
	CHECK(zcrx_ring_init(&ring, 0, 0) == -EINVAL);
	CHECK(zcrx_area_alloc(&a, 0, 0) == -EINVAL);
	CHECK(zcrx_area_alloc(&a, 4096, 1U << 5) == -EINVAL);
	CHECK(zcrx_area_alloc(&a, 4096, ZCRX_AREA_HUGETLB | ZCRX_AREA_DMABUF) ==
	      -EINVAL);
	CHECK(zcrx_area_alloc(&a, SIZE_MAX - 10, 0) == -EINVAL);
	CHECK(!zcrx_area_alloc(&a, page + 1, 0) && a.len == 2 * (size_t)page &&
	      !a.hugetlb && !a.dmabuf);
	CHECK(zcrx_ifq_register(&ifq, NULL, &a, &p) == -EINVAL);
	CHECK(zcrx_ifq_register(&ifq, &ring, NULL, &p) == -EINVAL);
	p.rq_entries = 0;
	CHECK(zcrx_ifq_register(&ifq, &ring, &a, &p) == -EINVAL);
	p.rq_entries = 32769;
	CHECK(zcrx_ifq_register(&ifq, &ring, &a, &p) == -EINVAL);
	p.rq_entries = 64;
	p.flags = 4;
	CHECK(zcrx_ifq_register(&ifq, &ring, &a, &p) == -EINVAL);
	zcrx_area_free(&a);
	CHECK(!a.addr);
	zcrx_area_free(&a);
	return !failed;
}

static bool test_strerror(void)
{
	CHECK(strstr(zcrx_strerror(-ZCRX_ENOKERNEL), "RECV_ZC"));
	CHECK(strstr(zcrx_strerror(-ZCRX_EBADCQE), "outside"));
	CHECK(!strcmp(zcrx_strerror(-ENOSPC), strerror(ENOSPC)));
	return !failed;
}

static const char fdinfo[] =
	"pos:\t0\nflags:\t02000002\nSqMask:\t0x3f\n"
	"Personalities:\n"
	"ZcrxIfqs:\n"
	"  0: ifindex=4 rxq=1 bound=1 rq_entries=64 area_pages=256 free=10 alloc_misses=0 rq_rejected=0 zc_bytes=1 zc_frags=1 copy_bytes=0 copy_frags=0\n"
	"  1: ifindex=5 rxq=3 bound=0 rq_entries=32768 area_pages=16384 free=16000 alloc_misses=7 rq_rejected=2 zc_bytes=8589934592 zc_frags=2097152 copy_bytes=4096 copy_frags=1 new_counter=5\n"
	"  2: ifindex=0 rxq=0 bound=0 rq_entries=64 users=2 nodev=1 dmabuf=1 area_pages=16 buf_len=65536 free=16 alloc_misses=0 rq_rejected=0 zc_bytes=0 zc_frags=0 copy_bytes=0 copy_frags=0\n"
	"PollList:\n  op=58, task_works=0\n";

static bool test_stats(void)
{
	struct zcrx_stats st;

	CHECK(!zcrx_stats_parse(fdinfo, 1, &st));
	CHECK(st.id == 1 && st.ifindex == 5 && st.rxq == 3 && !st.bound);
	CHECK(st.rq_entries == 32768 && st.area_pages == 16384);
	CHECK(st.free == 16000 && st.alloc_misses == 7 && st.rq_rejected == 2);
	CHECK(st.zc_bytes == 8589934592ULL && st.zc_frags == 2097152);
	CHECK(st.copy_bytes == 4096 && st.copy_frags == 1);
	CHECK(!zcrx_stats_parse(fdinfo, 0, &st) && st.bound && st.free == 10);
	CHECK(!st.users && !st.nodev && !st.dmabuf && !st.buf_len);
	CHECK(!zcrx_stats_parse(fdinfo, 2, &st) && st.users == 2 && st.nodev &&
	      st.dmabuf && st.buf_len == 65536 && st.area_pages == 16);
	CHECK(zcrx_stats_parse(fdinfo, 3, &st) == -ZCRX_ENOSTATS);
	CHECK(zcrx_stats_parse("pos:\t0\nPollList:\n", 0, &st) == -ZCRX_ENOSTATS);
	CHECK(zcrx_stats_parse("ZcrxIfqs:\n", 0, &st) == -ZCRX_ENOSTATS);
	return !failed;
}

/* ethtool 7.2 output, as a netdevsim device prints it */
static const char rings_off[] =
	"Ring parameters for eth0:\n"
	"Pre-set maximums:\nRX:\t\t\t4096\nTX:\t\t\t4096\n"
	"TCP data split:\t\tn/a\nHDS thresh:\t\t4096\n"
	"Current hardware settings:\nRX:\t\t\t512\nTX:\t\t\t512\n"
	"RX Buf Len:\t\tn/a\nTCP data split:\t\toff\nHDS thresh:\t\t0\n";
static const char rings_thresh[] =
	"Ring parameters for eth0:\nCurrent hardware settings:\n"
	"RX:\t\t\t512\nTCP data split:\t\ton\nHDS thresh:\t\t256\n";
static const char rings_ok[] =
	"Ring parameters for eth0:\nCurrent hardware settings:\n"
	"RX:\t\t\t512\nTCP data split:\t\ton\nHDS thresh:\t\t0\n";
static const char rss_all[] =
	"RX flow hash indirection table for eth0 with 4 RX ring(s):\n"
	"    0:      0     1     2     3     0     1     2     3\t\n"
	"    8:      0     1     2     3     0     1     2     3\n"
	"RSS hash key:\n0a:0b:0c\nRSS hash function:\n    toeplitz: on\n";
static const char rss_012[] =
	"RX flow hash indirection table for eth0 with 4 RX ring(s):\n"
	"    0:      0     1     2     0     1     2     0     1\n"
	"RSS hash key:\nOperation not supported\n";
static const char ntuple_none[] = "4 RX rings available\nTotal 0 rules\n\n";
static const char ntuple_ok[] =
	"4 RX rings available\nTotal 1 rules\n\n"
	"Filter: 1023\n\tRule Type: TCP over IPv6\n\tDest port: 9999 mask: 0x0\n"
	"\tAction: Direct to queue 3\n\n";
static const char ntuple_rules[] =
	"4 RX rings available\nTotal 3 rules\n\n"
	"Filter: 1\n\tRule Type: TCP over IPv4\n\tSrc IP addr: 0.0.0.0 mask: 255.255.255.255\n"
	"\tDest port: 80 mask: 0x0\n\tRSS Context ID: 1\n\tAction: Direct to queue 0\n\n"
	"Filter: 2\n\tRule Type: UDP over IPv6\n\tDest port: 9999 mask: 0x0\n"
	"\tAction: Direct to queue 3\n\n"
	"Filter: 1023\n\tRule Type: TCP over IPv6\n\tSrc IP addr: :: mask: ffff::\n"
	"\tSrc port: 0 mask: 0xffff\n\tDest port: 9999 mask: 0x0\n"
	"\tAction: Direct to queue 2\n\n";

static int diag(const char *rings, const char *rss, const char *ntuple,
		int rx_queues, unsigned int queue, int err, char *buf)
{
	struct zcrx_dev_settings s;
	const char *l, *eol;
	int n;

	zcrx_dev_init(&s);
	s.rx_queues = rx_queues;
	if (rings)
		zcrx_dev_parse_rings(&s, rings);
	if (rss)
		zcrx_dev_parse_rss(&s, rss, queue);
	if (ntuple)
		zcrx_dev_parse_ntuple(&s, ntuple, 9999, queue);
	n = zcrx_diagnose(&s, "eth0", queue, 9999, err, buf, 4096);
	printf("# %d problem(s)\n", n);
	for (l = buf; *l; l = eol + 1) {
		eol = strchr(l, '\n');
		printf("# %.*s\n", (int)(eol - l), l);
	}
	return n;
}

static bool test_diag_hds(void)
{
	char buf[4096];

	CHECK(diag(rings_off, rss_012, ntuple_ok, 4, 3, -EINVAL, buf) == 1);
	CHECK(strstr(buf, "header split is off"));
	CHECK(strstr(buf, "fix: ethtool -G eth0 tcp-data-split on hds-thresh 0\n"));
	CHECK(diag(rings_thresh, rss_012, ntuple_ok, 4, 3, -EINVAL, buf) == 1);
	CHECK(strstr(buf, "hds-thresh is 256"));
	CHECK(strstr(buf, "fix: ethtool -G eth0 hds-thresh 0\n"));
	CHECK(!strstr(buf, "tcp-data-split on"));
	CHECK(diag("Current hardware settings:\nTCP data split:\tn/a\n", NULL,
		   NULL, 4, 2, -EINVAL, buf) == 1);
	CHECK(strstr(buf, "does not report header split"));
	return !failed;
}

static bool test_diag_queue(void)
{
	char buf[4096];

	CHECK(diag(rings_ok, NULL, NULL, 2, 3, -ERANGE, buf) == 1);
	CHECK(strstr(buf, "eth0 has 2 rx queues"));
	CHECK(strstr(buf, "fix: ethtool -L eth0 combined 4\n"));
	/* unknown queue count: the errno speaks */
	CHECK(diag(rings_ok, NULL, NULL, ZCRX_UNREAD, 3, -ERANGE, buf) == 1);
	CHECK(strstr(buf, "eth0 has no rx queue 3"));
	return !failed;
}

static bool test_diag_rss(void)
{
	struct zcrx_dev_settings s;
	char buf[4096];

	zcrx_dev_init(&s);
	CHECK(!zcrx_dev_parse_rss(&s, rss_all, 2));
	CHECK(s.rss_has_queue == 1 && s.rss_queues == 4);
	CHECK(!zcrx_dev_parse_rss(&s, rss_012, 3));
	CHECK(s.rss_has_queue == 0 && s.rss_queues == 3);
	CHECK(zcrx_dev_parse_rss(&s, "Cannot get RX ring count\n", 3) == -ENODATA);

	CHECK(diag(rings_ok, rss_all, ntuple_ok, 4, 3, 0, buf) == 1);
	CHECK(strstr(buf, "queue 3 is in the RSS indirection table"));
	CHECK(strstr(buf, "fix: ethtool -X eth0 equal 3\n"));
	CHECK(diag(rings_ok, rss_all, NULL, 4, 1, 0, buf) == 1);
	CHECK(strstr(buf, "fix: ethtool -X eth0 weight 1 0 1 1\n"));
	CHECK(diag(rings_ok, rss_012, NULL, 4, 3, 0, buf) == 0);
	CHECK(!buf[0]);
	return !failed;
}

static bool test_diag_ntuple(void)
{
	struct zcrx_dev_settings s;
	char buf[4096];

	CHECK(diag(rings_ok, rss_012, ntuple_none, 4, 3, 0, buf) == 1);
	CHECK(strstr(buf, "no ntuple rule steers TCP port 9999 to queue 3"));
	CHECK(strstr(buf, "fix: ethtool -N eth0 flow-type tcp6 dst-port 9999 action 3\n"));
	CHECK(strstr(buf, "IPv4 clients: ethtool -N eth0 flow-type tcp4 dst-port 9999 action 3\n"));
	/* the UDP rule to 3 does not count; the TCP one goes to 2 */
	CHECK(diag(rings_ok, rss_012, ntuple_rules, 4, 3, 0, buf) == 1);
	CHECK(strstr(buf, "ntuple rule 1023 steers TCP port 9999 to queue 2, not 3"));
	CHECK(strstr(buf, "fix: ethtool -N eth0 delete 1023\n"
			  "    fix: ethtool -N eth0 flow-type tcp6 dst-port 9999 action 3\n"));
	CHECK(diag(rings_ok, NULL, ntuple_rules, 4, 2, 0, buf) == 0);
	zcrx_dev_init(&s);
	CHECK(zcrx_dev_parse_ntuple(&s,
				    "rxclass: Cannot get RX class rule count: Operation not supported\n",
				    9999, 3) == -ENODATA);
	CHECK(s.rule == ZCRX_UNREAD);
	return !failed;
}

static bool test_diag_errno(void)
{
	char buf[4096];

	CHECK(diag(rings_ok, rss_012, ntuple_ok, 4, 3, -EPERM, buf) == 1);
	CHECK(strstr(buf, "CAP_NET_ADMIN"));
	CHECK(diag(rings_ok, rss_012, ntuple_ok, 4, 3, -ENETDOWN, buf) == 1);
	CHECK(strstr(buf, "fix: ip link set dev eth0 up\n"));
	CHECK(diag(rings_ok, rss_012, ntuple_ok, 4, 3, -EEXIST, buf) == 1);
	CHECK(strstr(buf, "already bound"));
	CHECK(diag(NULL, NULL, NULL, ZCRX_UNREAD, 2, -EINVAL, buf) == 1);
	CHECK(strstr(buf, "could not be read"));
	CHECK(diag(rings_ok, NULL, NULL, 4, 2, -ZCRX_ENOKERNEL, buf) == 1);
	CHECK(strstr(buf, "no io_uring zero-copy receive"));
	/* a small buffer truncates, and stays a string */
	CHECK(diag(rings_off, rss_all, ntuple_none, 2, 3, -EINVAL, buf) == 3);
	{
		struct zcrx_dev_settings s;
		char small[16];

		zcrx_dev_init(&s);
		s.tcp_data_split = ZCRX_HDS_OFF;
		CHECK(zcrx_diagnose(&s, "eth0", 0, 1, -EINVAL, small,
				    sizeof(small)) == 1);
		CHECK(strlen(small) == sizeof(small) - 1);
	}
	return !failed;
}

static bool test_pattern(void)
{
	unsigned char *table = zcrx_pattern_table(), *buf, page[4096];
	struct zcrx_stream tx = { .seed = 12345 }, rx = { }, other = { };
	size_t len = 64 << 10, i;

	buf = malloc(len);
	CHECK(table && buf);
	if (!table || !buf)
		return false;
	zcrx_stream_fill(table, &tx, buf, len);
	CHECK(buf[0] == (12345 & 0xff) && buf[1] == 12345 >> 8);
	/* in pieces that split the seed */
	CHECK(zcrx_stream_check(table, &rx, buf, 3));
	CHECK(zcrx_stream_check(table, &rx, buf + 3, len - 3));
	CHECK(rx.seed == 12345 && rx.pos == len);
	/* pages 3 and 4 swapped: caught at page 3 */
	memcpy(page, buf + 3 * 4096, 4096);
	memcpy(buf + 3 * 4096, buf + 4 * 4096, 4096);
	memcpy(buf + 4 * 4096, page, 4096);
	memset(&rx, 0, sizeof(rx));
	CHECK(!zcrx_stream_check(table, &rx, buf, len));
	CHECK(rx.bad && rx.bad_pos >= 3 * 4096 && rx.bad_pos < 3 * 4096 + 8);
	CHECK(rx.pos == len);
	/* no page of the stream matches the one a page further */
	for (i = 1; i < 8; i++)
		CHECK(memcmp(table + i * 4096, table + (i + 1) * 4096, 4096));
	/* another seed is another stream */
	tx = (struct zcrx_stream){ .seed = 99 };
	zcrx_stream_fill(table, &tx, buf, len);
	buf[0] = 12345 & 0xff;
	buf[1] = 12345 >> 8;
	CHECK(!zcrx_stream_check(table, &other, buf, len));
	free(buf);
	free(table);
	return !failed;
}

static const struct {
	const char	*name;
	bool		(*fn)(void);
} tests[] = {
	{ "rq_batch_publish", test_rq_batch },
	{ "rq_wrap_around", test_rq_wrap },
	{ "rq_never_overrun", test_rq_full },
	{ "rq_init_bad_layout", test_rq_init_bad },
	{ "cqe_data", test_cqe_data },
	{ "cqe_bad", test_cqe_bad },
	{ "cqe_final", test_cqe_final },
	{ "prep_recv_sqe", test_prep_recv },
	{ "bad_arguments", test_args },
	{ "strerror", test_strerror },
	{ "fdinfo_stats", test_stats },
	{ "diag_header_split", test_diag_hds },
	{ "diag_queue_range", test_diag_queue },
	{ "diag_rss_table", test_diag_rss },
	{ "diag_ntuple_rule", test_diag_ntuple },
	{ "diag_errno", test_diag_errno },
	{ "pattern", test_pattern },
	{ "uapi_agrees_with_liburing", test_uapi },
};

int main(void)
{
	unsigned int i, n = ARRAY_SIZE(tests), bad = 0;

	printf("KTAP version 1\n1..%u\n", n);
	for (i = 0; i < n; i++) {
		failed = false;
		tests[i].fn();
		printf("%sok %u %s\n", failed ? "not " : "", i + 1,
		       tests[i].name);
		bad += failed;
	}
	printf("# %u passed, %u failed\n", n - bad, bad);
	return bad ? 1 : 0;
}
