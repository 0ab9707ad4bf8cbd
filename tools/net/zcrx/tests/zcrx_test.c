// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the zcrx library that need no zero-copy kernel: the refill
 * ring against a fake kernel side, completion decoding, the fdinfo
 * parser, the diagnosis from netlink replies and ntuple rules built in
 * memory, the netdev replies and the /proc scan zcrx-stat reads, the
 * pattern and the argument checks. Prints KTAP.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/ethtool.h>
#include <linux/ethtool_netlink.h>
#include <linux/netdev.h>
#include <netlink/genl/genl.h>

#include "zcrx.h"
#include "nl.h"
#include "pattern.h"
#include "stat.h"
#include "util.h"
#include "uapi.h"

static bool failed;

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

/*
 * The diagnosis, from replies built as the kernel sends them: ethtool
 * netlink for header split, channels and the RSS table, SIOCETHTOOL rules.
 */

/* A generic netlink reply of @cmd of a family of ours */
static struct nl_msg *reply(__u8 cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && !genlmsg_put(msg, 0, 1, 0x1d, 0, 0, cmd, 1)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	CHECK(msg);
	return msg;
}

/* The header nest ethtool replies start with */
static void put_dev(struct nl_msg *msg, int attr)
{
	struct nlattr *nest = nla_nest_start(msg, attr);

	CHECK(nest && !nla_put_u32(msg, ETHTOOL_A_HEADER_DEV_INDEX, 2) &&
	      !nla_put_string(msg, ETHTOOL_A_HEADER_DEV_NAME, "eth0") &&
	      !nla_nest_end(msg, nest));
}

#define NONE	(-1)

/* ETHTOOL_MSG_RINGS_GET_REPLY: tcp-data-split and hds-thresh, or NONE */
static struct nl_msg *rings(int split, long long thresh)
{
	struct nl_msg *msg = reply(ETHTOOL_MSG_RINGS_GET_REPLY);

	if (!msg)
		return NULL;
	put_dev(msg, ETHTOOL_A_RINGS_HEADER);
	CHECK(!nla_put_u32(msg, ETHTOOL_A_RINGS_RX_MAX, 4096) &&
	      !nla_put_u32(msg, ETHTOOL_A_RINGS_RX, 512) &&
	      !nla_put_u8(msg, ETHTOOL_A_RINGS_TX_PUSH, 0));
	if (split != NONE)
		CHECK(!nla_put_u8(msg, ETHTOOL_A_RINGS_TCP_DATA_SPLIT, split));
	if (thresh != NONE)
		CHECK(!nla_put_u32(msg, ETHTOOL_A_RINGS_HDS_THRESH, thresh) &&
		      !nla_put_u32(msg, ETHTOOL_A_RINGS_HDS_THRESH_MAX, 4096));
	return msg;
}

/* ETHTOOL_MSG_CHANNELS_GET_REPLY; a count of 0 is left out, as by the kernel */
static struct nl_msg *channels(__u32 rx, __u32 combined)
{
	struct nl_msg *msg = reply(ETHTOOL_MSG_CHANNELS_GET_REPLY);

	if (!msg)
		return NULL;
	put_dev(msg, ETHTOOL_A_CHANNELS_HEADER);
	if (rx)
		CHECK(!nla_put_u32(msg, ETHTOOL_A_CHANNELS_RX_MAX, 8) &&
		      !nla_put_u32(msg, ETHTOOL_A_CHANNELS_RX_COUNT, rx));
	if (combined)
		CHECK(!nla_put_u32(msg, ETHTOOL_A_CHANNELS_COMBINED_MAX, 8) &&
		      !nla_put_u32(msg, ETHTOOL_A_CHANNELS_COMBINED_COUNT,
				   combined));
	return msg;
}

/* ETHTOOL_MSG_RSS_GET_REPLY with the table of @len bytes at @indir */
static struct nl_msg *rss(const void *indir, int len)
{
	static const __u8 key[8] = { 0x0a, 0x0b, 0x0c };
	struct nl_msg *msg = reply(ETHTOOL_MSG_RSS_GET_REPLY);

	if (!msg)
		return NULL;
	put_dev(msg, ETHTOOL_A_RSS_HEADER);
	CHECK(!nla_put_u32(msg, ETHTOOL_A_RSS_HFUNC, 1) &&
	      !nla_put(msg, ETHTOOL_A_RSS_HKEY, sizeof(key), key));
	if (indir)
		CHECK(!nla_put(msg, ETHTOOL_A_RSS_INDIR, len, indir));
	return msg;
}

static const __u32 rss_all[] = { 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3 };
static const __u32 rss_012[] = { 0, 1, 2, 0, 1, 2, 0, 1 };
#define RSS(t)	rss(t, sizeof(t))

/* A rule as ETHTOOL_GRXCLSRULE returns it: TCP to @port of @mask */
static struct ethtool_rxnfc rule(__u32 loc, __u32 flow, __u16 port,
				 __u16 mask, __u64 cookie)
{
	struct ethtool_rxnfc r = {
		.cmd = ETHTOOL_GRXCLSRULE,
		.fs = {
			.flow_type = flow,
			.ring_cookie = cookie,
			.location = loc,
		},
	};

	switch (flow & ~(FLOW_EXT | FLOW_MAC_EXT | FLOW_RSS)) {
	case TCP_V6_FLOW:
	case UDP_V6_FLOW:
		r.fs.h_u.tcp_ip6_spec.pdst = htons(port);
		r.fs.m_u.tcp_ip6_spec.pdst = htons(mask);
		break;
	default:
		r.fs.h_u.tcp_ip4_spec.pdst = htons(port);
		r.fs.m_u.tcp_ip4_spec.pdst = htons(mask);
		break;
	}
	return r;
}

/* "ethtool -N eth0 flow-type tcp6 dst-port 9999 action 3", at 1023 */
static struct ethtool_rxnfc rules_ok[1];
/* into a context; UDP to the queue; TCP to another queue, at 1023 */
static struct ethtool_rxnfc rules_other[3];

static void rules_init(void)
{
	struct ethtool_rxnfc ctx = rule(1, TCP_V4_FLOW | FLOW_RSS, 80,
					0xffff, 0);

	ctx.rss_context = 1;
	rules_ok[0] = rule(1023, TCP_V6_FLOW, 9999, 0xffff, 3);
	rules_other[0] = ctx;
	rules_other[1] = rule(2, UDP_V6_FLOW, 9999, 0xffff, 3);
	rules_other[2] = rule(1023, TCP_V6_FLOW, 9999, 0xffff, 2);
}

#define NO_NTUPLE	(-1)

/*
 * Diagnose from the replies given (each freed here; NULL: not read) and
 * @nr rules (%NO_NTUPLE: ntuple rules not read), port 9999 on eth0.
 */
static int diag(struct nl_msg *rg, struct nl_msg *ch, struct nl_msg *rs,
		const struct ethtool_rxnfc *rules, int nr, unsigned int queue,
		int err, char *buf)
{
	struct zcrx_dev_settings s;
	const char *l, *eol;
	int n;

	zcrx_dev_init(&s);
	if (rg)
		CHECK(!zcrx_dev_parse_rings(&s, nlmsg_hdr(rg)));
	if (ch)
		CHECK(!zcrx_dev_parse_channels(&s, nlmsg_hdr(ch)));
	if (rs)
		CHECK(!zcrx_dev_parse_rss(&s, nlmsg_hdr(rs), queue));
	if (nr != NO_NTUPLE)
		CHECK(!zcrx_dev_parse_ntuple(&s, rules, nr, 9999, queue));
	nlmsg_free(rg);
	nlmsg_free(ch);
	nlmsg_free(rs);
	n = zcrx_diagnose(&s, "eth0", queue, 9999, err, buf, 4096);
	printf("# %d problem(s)\n", n);
	for (l = buf; *l; l = eol + 1) {
		eol = strchr(l, '\n');
		printf("# %.*s\n", (int)(eol - l), l);
	}
	return n;
}

#define OFF	ETHTOOL_TCP_DATA_SPLIT_DISABLED
#define ON	ETHTOOL_TCP_DATA_SPLIT_ENABLED

static bool test_diag_hds(void)
{
	struct zcrx_dev_settings s;
	struct nl_msg *msg;
	char buf[4096];

	rules_init();
	CHECK(diag(rings(OFF, 0), channels(0, 4), RSS(rss_012), rules_ok, 1,
		   3, -EINVAL, buf) == 1);
	CHECK(strstr(buf, "header split is off"));
	CHECK(strstr(buf, "fix: ethtool -G eth0 tcp-data-split on hds-thresh 0\n"));
	CHECK(diag(rings(ON, 256), channels(0, 4), RSS(rss_012), rules_ok, 1,
		   3, -EINVAL, buf) == 1);
	CHECK(strstr(buf, "hds-thresh is 256"));
	CHECK(strstr(buf, "fix: ethtool -G eth0 hds-thresh 0\n"));
	CHECK(!strstr(buf, "tcp-data-split on"));
	/* a driver without the threshold: only split to turn on */
	CHECK(diag(rings(OFF, NONE), NULL, NULL, NULL, NO_NTUPLE, 2, -EINVAL,
		   buf) == 1);
	CHECK(strstr(buf, "fix: ethtool -G eth0 tcp-data-split on\n"));
	/* the kernel leaves tcp-data-split out when the driver does not know */
	CHECK(diag(rings(NONE, NONE), NULL, NULL, NULL, NO_NTUPLE, 2, -EINVAL,
		   buf) == 1);
	CHECK(strstr(buf, "does not report header split"));
	CHECK(diag(rings(ON, 0), channels(0, 4), RSS(rss_012), rules_ok, 1, 3,
		   0, buf) == 0);

	/* another command's reply is not taken for one */
	zcrx_dev_init(&s);
	msg = channels(0, 4);
	CHECK(msg && zcrx_dev_parse_rings(&s, nlmsg_hdr(msg)) == -EPROTO);
	CHECK(s.tcp_data_split == ZCRX_UNREAD && s.hds_thresh == ZCRX_UNREAD);
	nlmsg_free(msg);
	msg = rings(ON, 64);
	CHECK(msg && !zcrx_dev_parse_rings(&s, nlmsg_hdr(msg)));
	CHECK(s.tcp_data_split == ZCRX_HDS_ON && s.hds_thresh == 64);
	nlmsg_free(msg);
	return !failed;
}

static bool test_diag_queue(void)
{
	struct zcrx_dev_settings s;
	struct nl_msg *msg;
	char buf[4096];

	CHECK(diag(rings(ON, 0), channels(0, 2), NULL, NULL, NO_NTUPLE, 3,
		   -ERANGE, buf) == 1);
	CHECK(strstr(buf, "eth0 has 2 rx queues"));
	CHECK(strstr(buf, "fix: ethtool -L eth0 combined 4\n"));
	/* unknown queue count: the errno speaks */
	CHECK(diag(rings(ON, 0), NULL, NULL, NULL, NO_NTUPLE, 3, -ERANGE,
		   buf) == 1);
	CHECK(strstr(buf, "eth0 has no rx queue 3"));

	/* rx-only and combined channels both have an rx queue */
	zcrx_dev_init(&s);
	msg = channels(2, 3);
	CHECK(msg && !zcrx_dev_parse_channels(&s, nlmsg_hdr(msg)));
	CHECK(s.rx_queues == 5);
	nlmsg_free(msg);
	zcrx_dev_init(&s);
	msg = channels(0, 0);
	CHECK(msg && zcrx_dev_parse_channels(&s, nlmsg_hdr(msg)) == -ENODATA);
	CHECK(s.rx_queues == ZCRX_UNREAD);
	nlmsg_free(msg);
	return !failed;
}

static bool test_diag_rss(void)
{
	static const __u8 odd[6] = { 1, 0, 0, 0, 2, 0 };
	struct zcrx_dev_settings s;
	struct nl_msg *msg;
	char buf[4096];

	zcrx_dev_init(&s);
	msg = RSS(rss_all);
	CHECK(msg && !zcrx_dev_parse_rss(&s, nlmsg_hdr(msg), 2));
	CHECK(s.rss_has_queue == 1 && s.rss_queues == 4);
	nlmsg_free(msg);
	msg = RSS(rss_012);
	CHECK(msg && !zcrx_dev_parse_rss(&s, nlmsg_hdr(msg), 3));
	CHECK(s.rss_has_queue == 0 && s.rss_queues == 3);
	nlmsg_free(msg);
	zcrx_dev_init(&s);
	msg = rss(NULL, 0);
	CHECK(msg && zcrx_dev_parse_rss(&s, nlmsg_hdr(msg), 3) == -ENODATA);
	nlmsg_free(msg);
	msg = rss(odd, sizeof(odd));
	CHECK(msg && zcrx_dev_parse_rss(&s, nlmsg_hdr(msg), 3) == -EPROTO);
	CHECK(s.rss_has_queue == ZCRX_UNREAD && s.rss_queues == ZCRX_UNREAD);
	nlmsg_free(msg);

	CHECK(diag(rings(ON, 0), channels(0, 4), RSS(rss_all), rules_ok, 1, 3,
		   0, buf) == 1);
	CHECK(strstr(buf, "queue 3 is in the RSS indirection table"));
	CHECK(strstr(buf, "fix: ethtool -X eth0 equal 3\n"));
	CHECK(diag(rings(ON, 0), channels(0, 4), RSS(rss_all), NULL,
		   NO_NTUPLE, 1, 0, buf) == 1);
	CHECK(strstr(buf, "fix: ethtool -X eth0 weight 1 0 1 1\n"));
	CHECK(diag(rings(ON, 0), channels(0, 4), RSS(rss_012), NULL,
		   NO_NTUPLE, 3, 0, buf) == 0);
	CHECK(!buf[0]);
	return !failed;
}

static bool test_diag_ntuple(void)
{
	struct ethtool_rxnfc r[5];
	struct zcrx_dev_settings s;
	char buf[4096];

	CHECK(diag(rings(ON, 0), channels(0, 4), RSS(rss_012), NULL, 0, 3, 0,
		   buf) == 1);
	CHECK(strstr(buf, "no ntuple rule steers TCP port 9999 to queue 3"));
	CHECK(strstr(buf, "fix: ethtool -N eth0 flow-type tcp6 dst-port 9999 action 3\n"));
	CHECK(strstr(buf, "IPv4 clients: ethtool -N eth0 flow-type tcp4 dst-port 9999 action 3\n"));
	/* the UDP rule to 3 does not count; the TCP one goes to 2 */
	CHECK(diag(rings(ON, 0), channels(0, 4), RSS(rss_012), rules_other, 3,
		   3, 0, buf) == 1);
	CHECK(strstr(buf, "ntuple rule 1023 steers TCP port 9999 to queue 2, not 3"));
	CHECK(strstr(buf, "fix: ethtool -N eth0 delete 1023\n"
			  "    fix: ethtool -N eth0 flow-type tcp6 dst-port 9999 action 3\n"));
	CHECK(diag(rings(ON, 0), NULL, NULL, rules_other, 3, 2, 0, buf) == 0);

	/*
	 * None of these steers port 9999 to queue 3: into an RSS context,
	 * part of the port, dropped, to a VF's queue 3, another port.
	 */
	r[0] = rule(4, TCP_V6_FLOW | FLOW_RSS, 9999, 0xffff, 3);
	r[0].rss_context = 1;
	r[1] = rule(5, TCP_V4_FLOW, 9999, 0xff00, 3);
	r[2] = rule(6, TCP_V4_FLOW | FLOW_EXT, 9999, 0xffff, RX_CLS_FLOW_DISC);
	r[3] = rule(7, TCP_V4_FLOW, 9999, 0xffff,
		    1ULL << ETHTOOL_RX_FLOW_SPEC_RING_VF_OFF | 3);
	r[4] = rule(8, TCP_V6_FLOW, 9998, 0xffff, 3);
	CHECK(diag(NULL, NULL, NULL, r, 5, 3, 0, buf) == 1);
	CHECK(strstr(buf, "no ntuple rule steers TCP port 9999 to queue 3"));
	/* with FLOW_EXT (a VLAN match too) it still steers the port */
	r[1] = rule(5, TCP_V4_FLOW | FLOW_EXT, 9999, 0xffff, 3);
	CHECK(diag(NULL, NULL, NULL, r, 5, 3, 0, buf) == 0);

	zcrx_dev_init(&s);
	CHECK(zcrx_dev_parse_ntuple(&s, NULL, 1, 9999, 3) == -EINVAL);
	CHECK(s.rule == ZCRX_UNREAD);
	CHECK(!zcrx_dev_parse_ntuple(&s, NULL, 0, 9999, 3) && s.rule == 0);
	return !failed;
}

static bool test_diag_errno(void)
{
	struct zcrx_dev_settings s;
	char buf[4096], small[16];

	CHECK(diag(rings(ON, 0), channels(0, 4), RSS(rss_012), rules_ok, 1, 3,
		   -EPERM, buf) == 1);
	CHECK(strstr(buf, "CAP_NET_ADMIN"));
	CHECK(diag(rings(ON, 0), channels(0, 4), RSS(rss_012), rules_ok, 1, 3,
		   -ENETDOWN, buf) == 1);
	CHECK(strstr(buf, "fix: ip link set dev eth0 up\n"));
	CHECK(diag(rings(ON, 0), channels(0, 4), RSS(rss_012), rules_ok, 1, 3,
		   -EEXIST, buf) == 1);
	CHECK(strstr(buf, "already bound"));
	/* nothing could be read: says so, names no setting */
	CHECK(diag(NULL, NULL, NULL, NULL, NO_NTUPLE, 2, -EINVAL, buf) == 1);
	CHECK(strstr(buf, "could not be read"));
	CHECK(strstr(buf, "does not report ring parameters over ethtool netlink"));
	CHECK(!strstr(buf, "fix:"));
	CHECK(diag(rings(ON, 0), NULL, NULL, NULL, NO_NTUPLE, 2,
		   -ZCRX_ENOKERNEL, buf) == 1);
	CHECK(strstr(buf, "no io_uring zero-copy receive"));
	CHECK(diag(rings(OFF, 0), channels(0, 2), RSS(rss_all), NULL, 0, 3,
		   -EINVAL, buf) == 3);
	/* a small buffer truncates, and stays a string */
	zcrx_dev_init(&s);
	s.tcp_data_split = ZCRX_HDS_OFF;
	CHECK(zcrx_diagnose(&s, "eth0", 0, 1, -EINVAL, small,
			    sizeof(small)) == 1);
	CHECK(strlen(small) == sizeof(small) - 1);
	return !failed;
}

/* netdev netlink and the rings under /proc, as zcrx-stat reads them */

/* The io-uring nest, counters as "uint": the kernel picks 4 or 8 bytes */
static void put_io_uring(struct nl_msg *msg, int attr, bool counters)
{
	struct nlattr *nest = nla_nest_start(msg, attr);

	CHECK(nest);
	if (counters)
		CHECK(!nla_put_u64(msg, NETDEV_A_IO_URING_PROVIDER_INFO_ZC_BYTES,
				   8589934592ULL) &&
		      !nla_put_u32(msg, NETDEV_A_IO_URING_PROVIDER_INFO_ZC_FRAGS,
				   2097152) &&
		      !nla_put_u32(msg, NETDEV_A_IO_URING_PROVIDER_INFO_COPY_BYTES,
				   4096) &&
		      !nla_put_u32(msg, NETDEV_A_IO_URING_PROVIDER_INFO_COPY_FRAGS,
				   1) &&
		      !nla_put_u32(msg, NETDEV_A_IO_URING_PROVIDER_INFO_RQ_REJECTED,
				   2) &&
		      !nla_put_u64(msg, NETDEV_A_IO_URING_PROVIDER_INFO_ALLOC_MISSES,
				   7));
	/* the kernel keeps an empty nest, where libnl would drop it */
	CHECK(!nla_nest_end_keep_empty(msg, nest));
}

enum { MP_NONE, MP_DMABUF, MP_IO_URING, MP_IO_URING_EMPTY };

/* NETDEV_CMD_QUEUE_GET, as netdev_nl_queue_fill_one() fills it */
static struct nl_msg *queue(__u32 id, __u32 type, int mp)
{
	struct nl_msg *msg = reply(NETDEV_CMD_QUEUE_GET);

	if (!msg)
		return NULL;
	CHECK(!nla_put_u32(msg, NETDEV_A_QUEUE_ID, id) &&
	      !nla_put_u32(msg, NETDEV_A_QUEUE_TYPE, type) &&
	      !nla_put_u32(msg, NETDEV_A_QUEUE_IFINDEX, 4) &&
	      !nla_put_u32(msg, NETDEV_A_QUEUE_NAPI_ID, 8192 + id));
	if (mp == MP_DMABUF)
		CHECK(!nla_put_u32(msg, NETDEV_A_QUEUE_DMABUF, 7));
	if (mp >= MP_IO_URING)
		put_io_uring(msg, NETDEV_A_QUEUE_IO_URING, mp == MP_IO_URING);
	return msg;
}

static bool test_netdev_queue(void)
{
	struct nlattr *nest;
	struct zcrx_queue q;
	struct nl_msg *msg;

	msg = queue(3, NETDEV_QUEUE_TYPE_RX, MP_IO_URING);
	CHECK(msg && !zcrx_nl_parse_queue(nlmsg_hdr(msg), &q));
	CHECK(q.id == 3 && q.ifindex == 4 && q.type == NETDEV_QUEUE_TYPE_RX &&
	      q.napi_id == 8195 && q.mp == ZCRX_MP_IO_URING && q.has_counters);
	CHECK(q.c.zc_bytes == 8589934592ULL && q.c.zc_frags == 2097152 &&
	      q.c.copy_bytes == 4096 && q.c.copy_frags == 1 &&
	      q.c.rq_rejected == 2 && q.c.alloc_misses == 7);
	nlmsg_free(msg);
	/* a kernel without the counters: an empty nest */
	msg = queue(1, NETDEV_QUEUE_TYPE_RX, MP_IO_URING_EMPTY);
	CHECK(msg && !zcrx_nl_parse_queue(nlmsg_hdr(msg), &q));
	CHECK(q.mp == ZCRX_MP_IO_URING && !q.has_counters && !q.c.zc_bytes);
	nlmsg_free(msg);
	msg = queue(2, NETDEV_QUEUE_TYPE_RX, MP_DMABUF);
	CHECK(msg && !zcrx_nl_parse_queue(nlmsg_hdr(msg), &q));
	CHECK(q.mp == ZCRX_MP_DMABUF && q.dmabuf == 7 && q.id == 2);
	nlmsg_free(msg);
	msg = queue(0, NETDEV_QUEUE_TYPE_TX, MP_NONE);
	CHECK(msg && !zcrx_nl_parse_queue(nlmsg_hdr(msg), &q));
	CHECK(q.mp == ZCRX_MP_NONE && q.type == NETDEV_QUEUE_TYPE_TX);
	nlmsg_free(msg);

	/* a counter of neither 4 nor 8 bytes */
	msg = queue(3, NETDEV_QUEUE_TYPE_RX, MP_NONE);
	nest = msg ? nla_nest_start(msg, NETDEV_A_QUEUE_IO_URING) : NULL;
	CHECK(nest && !nla_put_u16(msg, NETDEV_A_IO_URING_PROVIDER_INFO_ZC_BYTES, 1) &&
	      !nla_nest_end(msg, nest));
	CHECK(msg && zcrx_nl_parse_queue(nlmsg_hdr(msg), &q) == -EPROTO);
	nlmsg_free(msg);
	/* no id; another command */
	msg = reply(NETDEV_CMD_QUEUE_GET);
	CHECK(msg && !nla_put_u32(msg, NETDEV_A_QUEUE_IFINDEX, 4) &&
	      !nla_put_u32(msg, NETDEV_A_QUEUE_TYPE, NETDEV_QUEUE_TYPE_RX));
	CHECK(msg && zcrx_nl_parse_queue(nlmsg_hdr(msg), &q) == -EPROTO);
	nlmsg_free(msg);
	msg = reply(NETDEV_CMD_NAPI_GET);
	CHECK(msg && zcrx_nl_parse_queue(nlmsg_hdr(msg), &q) == -EPROTO);
	nlmsg_free(msg);
	return !failed;
}

static bool test_netdev_page_pool(void)
{
	struct zcrx_page_pool pp;
	struct nl_msg *msg;

	msg = reply(NETDEV_CMD_PAGE_POOL_GET);
	CHECK(msg && !nla_put_u64(msg, NETDEV_A_PAGE_POOL_ID, 1ULL << 33) &&
	      !nla_put_u32(msg, NETDEV_A_PAGE_POOL_IFINDEX, 4) &&
	      !nla_put_u32(msg, NETDEV_A_PAGE_POOL_NAPI_ID, 8195) &&
	      !nla_put_u32(msg, NETDEV_A_PAGE_POOL_INFLIGHT, 345) &&
	      !nla_put_u64(msg, NETDEV_A_PAGE_POOL_INFLIGHT_MEM, 1413120));
	if (msg)
		put_io_uring(msg, NETDEV_A_PAGE_POOL_IO_URING, true);
	CHECK(msg && !zcrx_nl_parse_page_pool(nlmsg_hdr(msg), &pp));
	CHECK(pp.id == 1ULL << 33 && pp.ifindex == 4 && pp.napi_id == 8195);
	CHECK(pp.inflight == 345 && pp.inflight_mem == 1413120 &&
	      !pp.detached);
	CHECK(pp.mp == ZCRX_MP_IO_URING && pp.has_counters &&
	      pp.c.zc_bytes == 8589934592ULL && pp.c.alloc_misses == 7);
	nlmsg_free(msg);

	/* its device gone, waiting for buffers: no ifindex, a detach time */
	msg = reply(NETDEV_CMD_PAGE_POOL_GET);
	CHECK(msg && !nla_put_u32(msg, NETDEV_A_PAGE_POOL_ID, 12) &&
	      !nla_put_u32(msg, NETDEV_A_PAGE_POOL_DMABUF, 7) &&
	      !nla_put_u32(msg, NETDEV_A_PAGE_POOL_DETACH_TIME, 1700000000));
	CHECK(msg && !zcrx_nl_parse_page_pool(nlmsg_hdr(msg), &pp));
	CHECK(pp.id == 12 && !pp.ifindex && pp.detached &&
	      pp.mp == ZCRX_MP_DMABUF && pp.dmabuf == 7 && !pp.has_counters);
	nlmsg_free(msg);
	/* no id */
	msg = reply(NETDEV_CMD_PAGE_POOL_GET);
	CHECK(msg && !nla_put_u32(msg, NETDEV_A_PAGE_POOL_IFINDEX, 4));
	CHECK(msg && zcrx_nl_parse_page_pool(nlmsg_hdr(msg), &pp) == -EPROTO);
	nlmsg_free(msg);
	return !failed;
}

static void put_file(const char *dir, const char *name, const char *text)
{
	char path[2 * PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	CHECK(f && fputs(text, f) >= 0);
	if (f)
		CHECK(!fclose(f));
}

static void put_link(const char *dir, const char *name, const char *target)
{
	char path[2 * PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	CHECK(!symlink(target, path));
}

static void put_dir(const char *dir, const char *name)
{
	char path[2 * PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	CHECK(!mkdir(path, 0700));
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static const char ring_fdinfo[] =
	"pos:\t0\nflags:\t02000002\nUserFiles:\t0\n"
	"ZcrxIfqs:\n"
	"  0: ifindex=4 rxq=3 bound=1 rq_entries=64 users=1 area_pages=256 buf_len=4096 free=10 alloc_misses=0 rq_rejected=0 zc_bytes=1048576 zc_frags=256 copy_bytes=0 copy_frags=0\n"
	"  2: ifindex=0 rxq=0 bound=0 rq_entries=64 users=2 nodev=1 dmabuf=1 area_pages=16 buf_len=65536 free=16 alloc_misses=0 rq_rejected=0 zc_bytes=0 zc_frags=0 copy_bytes=512 copy_frags=1\n"
	"PollList:\n  op=58, task_works=0\n";

static bool test_rings_scan(void)
{
	char proc[] = "/tmp/zcrx_test.XXXXXX", pid[PATH_MAX];
	struct zcrx_ring_ifq *r;
	unsigned int hidden;
	size_t n;

	if (!mkdtemp(proc)) {
		printf("# mkdtemp: %s\n", strerror(errno));
		return false;
	}
	/* a receiver with two rings, one without ifqs, and other files */
	put_dir(proc, "1234");
	snprintf(pid, sizeof(pid), "%s/1234", proc);
	put_file(pid, "comm", "zcrx-recv\n");
	put_dir(pid, "fd");
	put_dir(pid, "fdinfo");
	put_link(pid, "fd/0", "/dev/null");
	put_link(pid, "fd/5", "anon_inode:[io_uring]");
	put_link(pid, "fd/6", "anon_inode:[io_uring]");
	put_link(pid, "fd/7", "anon_inode:[signalfd]");
	put_file(pid, "fdinfo/0", "pos:\t0\n");
	put_file(pid, "fdinfo/5", ring_fdinfo);
	put_file(pid, "fdinfo/6", "pos:\t0\nflags:\t02000002\nPollList:\n");
	put_file(pid, "fdinfo/7", "ZcrxIfqs:\n  9: ifindex=4 rxq=1 bound=1\n");
	/* a process without rings, one that exited, not a process */
	put_dir(proc, "99");
	put_dir(proc, "99/fd");
	put_dir(proc, "4321");
	put_dir(proc, "sys");
	put_link(proc, "self", "1234");

	CHECK(!zcrx_rings_scan(proc, 1, &r, &n, &hidden));
	CHECK(n == 2 && !hidden);
	if (n == 2) {
		CHECK(r[0].pid == 1234 && r[0].fd == 5 &&
		      !strcmp(r[0].comm, "zcrx-recv"));
		CHECK(r[0].st.id == 0 && r[0].st.ifindex == 4 &&
		      r[0].st.rxq == 3 && r[0].st.bound &&
		      r[0].st.zc_bytes == 1048576 && r[0].st.zc_frags == 256);
		CHECK(r[1].pid == 1234 && r[1].fd == 5 && r[1].st.id == 2 &&
		      r[1].st.nodev && r[1].st.dmabuf &&
		      r[1].st.copy_bytes == 512 && r[1].st.users == 2);
	}
	free(r);
	/* the ring without ifqs is read again, and still has none */
	CHECK(!zcrx_rings_scan(proc, 3, &r, &n, &hidden) && n == 2);
	free(r);
	CHECK(!nftw(proc, rm_one, 16, FTW_DEPTH | FTW_PHYS));
	CHECK(zcrx_rings_scan(proc, 1, &r, &n, &hidden) == -ENOENT);
	CHECK(!r && !n);
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
	{ "netdev_queue", test_netdev_queue },
	{ "netdev_page_pool", test_netdev_page_pool },
	{ "proc_rings_scan", test_rings_scan },
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
