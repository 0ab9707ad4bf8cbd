// SPDX-License-Identifier: GPL-2.0
/*
 * zcrx: why a queue cannot receive zero-copy, from the device's settings.
 *
 * The kernel refuses a registration with an errno only (io_uring has no
 * extack), so the settings are read back and each problem is described
 * with the ethtool command that fixes it. They are read as ethtool reads
 * them, without running it: header split, rx queues and the RSS table over
 * ethtool netlink, the ntuple rules with the SIOCETHTOOL ioctl (6.12 has
 * no netlink for them). Parsing and diagnosis take netlink messages, rules
 * and settings, so that they can be tested without a device.
 */
#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/ethtool.h>
#include <linux/ethtool_netlink.h>
#include <linux/sockios.h>
#include <netlink/attr.h>

#include "zcrx.h"
#include "nl.h"
#include "util.h"

/* mainline's number, which the kernel's uapi must agree with */
static_assert(ETHTOOL_A_RINGS_HDS_THRESH == 17, "ETHTOOL_A_RINGS_HDS_THRESH");

void zcrx_dev_init(struct zcrx_dev_settings *s)
{
	s->tcp_data_split = ZCRX_UNREAD;
	s->hds_thresh = ZCRX_UNREAD;
	s->rx_queues = ZCRX_UNREAD;
	s->rss_has_queue = ZCRX_UNREAD;
	s->rss_queues = ZCRX_UNREAD;
	s->rule = ZCRX_UNREAD;
	s->rule_loc = -1;
	s->rule_queue = -1;
}

int zcrx_dev_parse_rings(struct zcrx_dev_settings *s, struct nlmsghdr *nlh)
{
	static const struct nla_policy policy[ETHTOOL_A_RINGS_HDS_THRESH + 1] = {
		[ETHTOOL_A_RINGS_TCP_DATA_SPLIT]	= { .type = NLA_U8 },
		[ETHTOOL_A_RINGS_HDS_THRESH]		= { .type = NLA_U32 },
	};
	struct nlattr *tb[ETHTOOL_A_RINGS_HDS_THRESH + 1];
	int ret;

	ret = zcrx_nl_parse(nlh, ETHTOOL_MSG_RINGS_GET_REPLY, tb,
			    ETHTOOL_A_RINGS_HDS_THRESH, policy);
	if (ret)
		return ret;
	/* left out when the driver does not know (ETHTOOL_TCP_DATA_SPLIT_UNKNOWN) */
	s->tcp_data_split = ZCRX_HDS_NA;
	if (tb[ETHTOOL_A_RINGS_TCP_DATA_SPLIT]) {
		switch (nla_get_u8(tb[ETHTOOL_A_RINGS_TCP_DATA_SPLIT])) {
		case ETHTOOL_TCP_DATA_SPLIT_DISABLED:
			s->tcp_data_split = ZCRX_HDS_OFF;
			break;
		case ETHTOOL_TCP_DATA_SPLIT_ENABLED:
			s->tcp_data_split = ZCRX_HDS_ON;
			break;
		}
	}
	/* only from a driver that has the setting */
	if (tb[ETHTOOL_A_RINGS_HDS_THRESH])
		s->hds_thresh = nla_get_u32(tb[ETHTOOL_A_RINGS_HDS_THRESH]);
	return 0;
}

int zcrx_dev_parse_channels(struct zcrx_dev_settings *s, struct nlmsghdr *nlh)
{
	static const struct nla_policy policy[ETHTOOL_A_CHANNELS_MAX + 1] = {
		[ETHTOOL_A_CHANNELS_RX_COUNT]		= { .type = NLA_U32 },
		[ETHTOOL_A_CHANNELS_COMBINED_COUNT]	= { .type = NLA_U32 },
	};
	struct nlattr *tb[ETHTOOL_A_CHANNELS_MAX + 1];
	unsigned long long n = 0;
	int ret;

	ret = zcrx_nl_parse(nlh, ETHTOOL_MSG_CHANNELS_GET_REPLY, tb,
			    ETHTOOL_A_CHANNELS_MAX, policy);
	if (ret)
		return ret;
	/* each left out when the driver has no channels of the kind */
	if (tb[ETHTOOL_A_CHANNELS_RX_COUNT])
		n += nla_get_u32(tb[ETHTOOL_A_CHANNELS_RX_COUNT]);
	if (tb[ETHTOOL_A_CHANNELS_COMBINED_COUNT])
		n += nla_get_u32(tb[ETHTOOL_A_CHANNELS_COMBINED_COUNT]);
	if (!n)
		return -ENODATA;
	if (n > INT_MAX)
		return -EPROTO;
	s->rx_queues = n;
	return 0;
}

int zcrx_dev_parse_rss(struct zcrx_dev_settings *s, struct nlmsghdr *nlh,
		       unsigned int queue)
{
	struct nlattr *tb[ETHTOOL_A_RSS_MAX + 1];
	unsigned int i, n, max = 0;
	bool found = false;
	const char *indir;
	int ret;

	ret = zcrx_nl_parse(nlh, ETHTOOL_MSG_RSS_GET_REPLY, tb,
			    ETHTOOL_A_RSS_MAX, NULL);
	if (ret)
		return ret;
	/* an array of u32 queue numbers, left out if the device has none */
	if (!tb[ETHTOOL_A_RSS_INDIR])
		return -ENODATA;
	if (nla_len(tb[ETHTOOL_A_RSS_INDIR]) % sizeof(__u32))
		return -EPROTO;
	n = nla_len(tb[ETHTOOL_A_RSS_INDIR]) / sizeof(__u32);
	if (!n)
		return -ENODATA;
	indir = nla_data(tb[ETHTOOL_A_RSS_INDIR]);
	for (i = 0; i < n; i++) {
		__u32 q;

		memcpy(&q, indir + i * sizeof(q), sizeof(q));
		if (q == queue)
			found = true;
		if (q > max)
			max = q;
	}
	if (max >= INT_MAX)
		return -EPROTO;
	s->rss_has_queue = found;
	s->rss_queues = max + 1;
	return 0;
}

/*
 * Where a rule sends TCP to @port: its queue, or -1 if it is not a TCP
 * rule on the whole port, drops, wakes, goes to a VF or into an RSS
 * context (which spreads: it does not pin the queue).
 */
static int zcrx_rule_queue(const struct ethtool_rxnfc *r, unsigned int port)
{
	const struct ethtool_rx_flow_spec *fs = &r->fs;
	__u16 pdst, mask;

	if (fs->flow_type & FLOW_RSS)
		return -1;
	switch (fs->flow_type & ~(FLOW_EXT | FLOW_MAC_EXT | FLOW_RSS)) {
	case TCP_V4_FLOW:
		pdst = fs->h_u.tcp_ip4_spec.pdst;
		mask = fs->m_u.tcp_ip4_spec.pdst;
		break;
	case TCP_V6_FLOW:
		pdst = fs->h_u.tcp_ip6_spec.pdst;
		mask = fs->m_u.tcp_ip6_spec.pdst;
		break;
	default:
		return -1;
	}
	/* the mask's bits are the ones matched: all of them */
	if (ntohs(pdst) != port || mask != 0xffff)
		return -1;
	if (fs->ring_cookie == RX_CLS_FLOW_DISC ||
	    fs->ring_cookie == RX_CLS_FLOW_WAKE ||
	    ethtool_get_flow_spec_ring_vf(fs->ring_cookie) ||
	    ethtool_get_flow_spec_ring(fs->ring_cookie) >= INT_MAX)
		return -1;
	return ethtool_get_flow_spec_ring(fs->ring_cookie);
}

int zcrx_dev_parse_ntuple(struct zcrx_dev_settings *s,
			  const struct ethtool_rxnfc *rules, unsigned int n,
			  unsigned int port, unsigned int queue)
{
	unsigned int i;

	if (n && !rules)
		return -EINVAL;
	s->rule = 0;
	s->rule_loc = -1;
	s->rule_queue = -1;
	for (i = 0; i < n; i++) {
		int q = zcrx_rule_queue(&rules[i], port);

		if (q < 0)
			continue;
		if ((unsigned int)q == queue) {
			s->rule = 1;
		} else if (s->rule_loc < 0) {
			/* the first one, as "ethtool -N IF delete" wants it */
			s->rule_loc = rules[i].fs.location;
			s->rule_queue = q;
		}
	}
	return 0;
}

struct zcrx_rss_arg {
	struct zcrx_dev_settings	*s;
	unsigned int			queue;
};

static int zcrx_parse_rings_cb(struct nlmsghdr *nlh, void *arg)
{
	return zcrx_dev_parse_rings(arg, nlh);
}

static int zcrx_parse_channels_cb(struct nlmsghdr *nlh, void *arg)
{
	return zcrx_dev_parse_channels(arg, nlh);
}

static int zcrx_parse_rss_cb(struct nlmsghdr *nlh, void *arg)
{
	struct zcrx_rss_arg *a = arg;

	return zcrx_dev_parse_rss(a->s, nlh, a->queue);
}

/*
 * An ethtool netlink get of @ifname: @hdr is the request's header nest
 * (ETHTOOL_A_*_HEADER), which names the device.
 */
static int zcrx_ethtool_get(struct zcrx_nl *nl, __u8 cmd, int hdr,
			    const char *ifname,
			    int (*parse)(struct nlmsghdr *nlh, void *arg),
			    void *arg)
{
	struct nl_msg *req = zcrx_nl_msg(nl, cmd, 0);
	struct nlattr *nest;

	if (!req)
		return -ENOMEM;
	nest = nla_nest_start(req, hdr);
	if (!nest ||
	    nla_put_string(req, ETHTOOL_A_HEADER_DEV_NAME, ifname) ||
	    nla_nest_end(req, nest)) {
		nlmsg_free(req);
		return -ENOMEM;
	}
	return zcrx_nl_request(nl, req, parse, arg);
}

static int zcrx_ethtool_ioctl(int fd, const char *ifname, void *data)
{
	struct ifreq ifr = { };

	memcpy(ifr.ifr_name, ifname, strlen(ifname));
	ifr.ifr_data = data;
	return ioctl(fd, SIOCETHTOOL, &ifr) ? -errno : 0;
}

/* Every ntuple rule of @ifname, as "ethtool -n" lists them. */
static int zcrx_read_ntuple(struct zcrx_dev_settings *s, const char *ifname,
			    unsigned int port, unsigned int queue)
{
	struct ethtool_rxnfc cnt = { .cmd = ETHTOOL_GRXCLSRLCNT };
	struct ethtool_rxnfc *all = NULL, *rules = NULL;
	unsigned int i, n = 0;
	int fd, ret;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
			    NETLINK_GENERIC);
	if (fd < 0)
		return -errno;
	/* -EOPNOTSUPP: the driver has no ntuple rules, or they are off */
	ret = zcrx_ethtool_ioctl(fd, ifname, &cnt);
	if (ret || !cnt.rule_cnt)
		goto out;
	all = calloc(1, sizeof(*all) + cnt.rule_cnt * sizeof(__u32));
	rules = calloc(cnt.rule_cnt, sizeof(*rules));
	if (!all || !rules) {
		ret = -ENOMEM;
		goto out;
	}
	all->cmd = ETHTOOL_GRXCLSRLALL;
	all->rule_cnt = cnt.rule_cnt;
	/* -EMSGSIZE: rules were added since they were counted */
	ret = zcrx_ethtool_ioctl(fd, ifname, all);
	if (ret)
		goto out;
	for (i = 0; i < all->rule_cnt && i < cnt.rule_cnt; i++) {
		rules[n].cmd = ETHTOOL_GRXCLSRULE;
		rules[n].fs.location = all->rule_locs[i];
		ret = zcrx_ethtool_ioctl(fd, ifname, &rules[n]);
		/* deleted since it was listed: it steers nothing */
		if (ret == -ENOENT)
			continue;
		if (ret)
			goto out;
		n++;
	}
	ret = 0;
out:
	if (!ret)
		ret = zcrx_dev_parse_ntuple(s, rules, n, port, queue);
	free(rules);
	free(all);
	close(fd);
	return ret;
}

void zcrx_dev_read(struct zcrx_dev_settings *s, const char *ifname,
		   unsigned int queue, unsigned int port)
{
	struct zcrx_rss_arg rss = { .s = s, .queue = queue };
	struct zcrx_nl nl;

	zcrx_dev_init(s);
	if (!*ifname || strlen(ifname) >= IFNAMSIZ)
		return;
	/* each request on its own: what one cannot read stays unread */
	if (!zcrx_nl_open(&nl, ETHTOOL_GENL_NAME)) {
		zcrx_ethtool_get(&nl, ETHTOOL_MSG_RINGS_GET,
				 ETHTOOL_A_RINGS_HEADER, ifname,
				 zcrx_parse_rings_cb, s);
		zcrx_ethtool_get(&nl, ETHTOOL_MSG_CHANNELS_GET,
				 ETHTOOL_A_CHANNELS_HEADER, ifname,
				 zcrx_parse_channels_cb, s);
		zcrx_ethtool_get(&nl, ETHTOOL_MSG_RSS_GET,
				 ETHTOOL_A_RSS_HEADER, ifname,
				 zcrx_parse_rss_cb, &rss);
		zcrx_nl_close(&nl);
	}
	zcrx_read_ntuple(s, ifname, port, queue);
}

/*
 * The diagnosis: each problem on a line starting with "  - ", each command
 * that fixes it on a line starting with "    fix: ".
 */

/* The command that takes @queue out of the RSS table of @nq queues. */
static void zcrx_fix_rss(FILE *f, const char *ifname, unsigned int queue,
			 int nq)
{
	int i;

	if (nq < 2) {
		fprintf(f,
			"    fix: ethtool -L %s combined 2, then take queue %u out of the RSS table\n",
			ifname, queue);
		return;
	}
	if (queue == (unsigned int)nq - 1) {
		fprintf(f, "    fix: ethtool -X %s equal %u\n", ifname, queue);
		return;
	}
	fprintf(f, "    fix: ethtool -X %s weight", ifname);
	for (i = 0; i < nq; i++)
		fprintf(f, " %d", (unsigned int)i != queue);
	fputc('\n', f);
}

static void zcrx_explain_errno(FILE *f, const struct zcrx_dev_settings *s,
			       const char *ifname, unsigned int queue, int err)
{
	switch (-err) {
	case EPERM:
		fprintf(f, "  - binding a queue needs CAP_NET_ADMIN\n"
			"    fix: run as root\n");
		break;
	case ENODEV:
		fprintf(f, "  - there is no device %s in this network namespace\n",
			ifname);
		break;
	case ERANGE:
		fprintf(f, "  - %s has no rx queue %u\n"
			"    fix: ethtool -l %s shows the queue count\n",
			ifname, queue, ifname);
		break;
	case EEXIST:
		fprintf(f,
			"  - rx queue %u is already bound to a memory provider (another zero-copy receiver or a devmem binding)\n"
			"    fix: stop that receiver, or pick another queue\n",
			queue);
		break;
	case EBUSY:
		fprintf(f, "  - an XDP program or AF_XDP socket uses %s\n"
			"    fix: ip link set dev %s xdp off\n", ifname, ifname);
		break;
	case ENETDOWN:
		fprintf(f, "  - %s is down\n    fix: ip link set dev %s up\n",
			ifname, ifname);
		break;
	case EOPNOTSUPP:
		fprintf(f,
			"  - the driver of %s cannot restart a queue with user memory (no queue management, or its page pool refuses unreadable memory), or the kernel lacks CONFIG_IO_URING_ZCRX\n",
			ifname);
		break;
	case ENOMEM:
		fprintf(f,
			"  - the area is larger than the locked-memory limit allows, or memory is short\n"
			"    fix: ulimit -l unlimited, or a smaller area\n");
		break;
	case EINVAL:
		if (s->tcp_data_split == ZCRX_UNREAD)
			fprintf(f,
				"  - the kernel refused the arguments or the device, whose header split setting could not be read: the kernel or the driver does not report ring parameters over ethtool netlink\n");
		else
			fprintf(f,
				"  - the kernel refused the arguments; the device settings it checks look right\n");
		break;
	default:
		fprintf(f, "  - registration failed: %s\n",
			zcrx_strerror(err));
		break;
	}
}

static int zcrx_count_problems(const char *text)
{
	const char *p = text;
	int n = 0;

	for (; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		n += !strncmp(p, "  - ", 4);
	return n;
}

static void zcrx_diagnose_settings(FILE *f, const struct zcrx_dev_settings *s,
				   const char *ifname, unsigned int queue,
				   unsigned int port, int err)
{
	bool range = s->rx_queues != ZCRX_UNREAD &&
		     queue >= (unsigned int)s->rx_queues;
	bool refused = false;

	if (range) {
		fprintf(f, "  - rx queue %u does not exist: %s has %d rx queues\n"
			"    fix: ethtool -L %s combined %u\n",
			queue, ifname, s->rx_queues, ifname, queue + 1);
		refused = true;
	}
	if (s->tcp_data_split == ZCRX_HDS_NA) {
		fprintf(f,
			"  - %s does not report header split (tcp-data-split n/a): its driver cannot put payload apart from headers\n",
			ifname);
		refused = true;
	} else if (s->tcp_data_split == ZCRX_HDS_OFF) {
		fprintf(f,
			"  - header split is off on %s: headers and payload share buffers, so payload cannot go to the area alone\n"
			"    fix: ethtool -G %s tcp-data-split on%s\n",
			ifname, ifname,
			s->hds_thresh == ZCRX_UNREAD ? "" : " hds-thresh 0");
		refused = true;
	} else if (s->hds_thresh > 0) {
		fprintf(f,
			"  - hds-thresh is %lld on %s: packets up to %lld bytes are not split; it must be 0\n"
			"    fix: ethtool -G %s hds-thresh 0\n",
			s->hds_thresh, ifname, s->hds_thresh, ifname);
		refused = true;
	}

	if (s->rss_has_queue == 1 && !range) {
		fprintf(f,
			"  - rx queue %u is in the RSS indirection table of %s: other flows land in the area too, unreadable to their sockets\n",
			queue, ifname);
		zcrx_fix_rss(f, ifname, queue, s->rx_queues != ZCRX_UNREAD ?
					       s->rx_queues : s->rss_queues);
	}
	if (!s->rule && s->rule_loc >= 0)
		fprintf(f,
			"  - ntuple rule %d steers TCP port %u to queue %d, not %u: the data will be copied\n"
			"    fix: ethtool -N %s delete %d\n",
			s->rule_loc, port, s->rule_queue, queue, ifname,
			s->rule_loc);
	else if (!s->rule)
		fprintf(f,
			"  - no ntuple rule steers TCP port %u to queue %u: the data arrives on other queues and is copied\n",
			port, queue);
	if (!s->rule)
		fprintf(f, "    fix: ethtool -N %s flow-type tcp6 dst-port %u action %u\n"
			"    and for IPv4 clients: ethtool -N %s flow-type tcp4 dst-port %u action %u\n",
			ifname, port, queue, ifname, port, queue);

	/* a refusal the settings explain needs no more words */
	if (err && !(refused && (err == -EINVAL || err == -ERANGE)))
		zcrx_explain_errno(f, s, ifname, queue, err);
}

int zcrx_diagnose(const struct zcrx_dev_settings *s, const char *ifname,
		  unsigned int queue, unsigned int port, int err, char *buf,
		  size_t size)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int n;

	if (size)
		buf[0] = '\0';
	f = open_memstream(&text, &len);
	if (!f)
		return -ENOMEM;
	if (err == -ZCRX_ENOKERNEL)
		fprintf(f, "  - this kernel has no io_uring zero-copy receive\n"
			"    fix: boot a kernel with the zcrx patches and CONFIG_IO_URING_ZCRX=y\n");
	else
		zcrx_diagnose_settings(f, s, ifname, queue, port, err);
	if (fclose(f)) {
		free(text);
		return -ENOMEM;
	}
	n = zcrx_count_problems(text);
	if (size)
		snprintf(buf, size, "%s", text);
	free(text);
	return n;
}
