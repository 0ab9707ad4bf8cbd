// SPDX-License-Identifier: GPL-2.0
/* Flow steering: RSS (indirection table, hash key, additional contexts)
 * and ntuple rules decide which rx queue of the receiving netdevsim gets
 * a packet sent by its peer.
 *
 * Configuration is changed by ethtool under rtnl_lock.  The peer's transmit
 * path reads it under RCU: every object it looks at is immutable once
 * published and replaced as a whole on update.
 */

#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/if_vlan.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/rcupdate.h>
#include <linux/rtnetlink.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/unaligned.h>
#include <net/ip.h>

#include "netdevsim.h"

struct nsim_rss_key {
	struct rcu_head rcu;
	u8 key[NSIM_RSS_KEY_SIZE];
};

struct nsim_rss_tbl {
	struct rcu_head rcu;
	u32 indir[NSIM_RSS_INDIR_SIZE];
};

/* The fields of a packet steering looks at */
struct nsim_flow {
	__be32 saddr[4];
	__be32 daddr[4];
	__be16 sport;
	__be16 dport;
	u8 family;		/* AF_INET, AF_INET6, or 0 if not IP */
	u8 proto;
	bool ports;		/* sport and dport are valid */
};

#define NSIM_NT_SRC_IP		BIT(0)
#define NSIM_NT_DST_IP		BIT(1)
#define NSIM_NT_SRC_PORT	BIT(2)
#define NSIM_NT_DST_PORT	BIT(3)

struct nsim_ntuple_rule {
	struct rcu_head rcu;
	struct nsim_flow key;
	u8 match;		/* NSIM_NT_* fields of @key to compare */
	bool to_ctx;
	u32 queue;
	u32 rss_ctx;
	struct ethtool_rx_flow_spec fs;	/* as configured, for reporting */
};

static bool nsim_steering_ready(struct netdevsim *ns)
{
	return rcu_access_pointer(ns->steering.key);
}

static unsigned int nsim_flow_addr_len(const struct nsim_flow *fl)
{
	return fl->family == AF_INET ? sizeof(__be32) : sizeof(struct in6_addr);
}

/* Data path: packet parsing */

static void nsim_flow_parse_ports(const struct sk_buff *skb, int off,
				  struct nsim_flow *fl)
{
	__be16 _ports[2];
	const __be16 *ports;

	if (fl->proto != IPPROTO_TCP && fl->proto != IPPROTO_UDP)
		return;

	ports = skb_header_pointer(skb, off, sizeof(_ports), _ports);
	if (!ports)
		return;

	fl->sport = ports[0];
	fl->dport = ports[1];
	fl->ports = true;
}

static void nsim_flow_parse_ipv4(const struct sk_buff *skb, int off,
				 struct nsim_flow *fl)
{
	const struct iphdr *iph;
	struct iphdr _iph;

	iph = skb_header_pointer(skb, off, sizeof(_iph), &_iph);
	if (!iph || iph->version != 4 || iph->ihl < 5)
		return;

	fl->family = AF_INET;
	fl->proto = iph->protocol;
	fl->saddr[0] = iph->saddr;
	fl->daddr[0] = iph->daddr;
	/* fragments are hashed on addresses only, like most NICs do */
	if (!ip_is_fragment(iph))
		nsim_flow_parse_ports(skb, off + iph->ihl * 4, fl);
}

static void nsim_flow_parse_ipv6(const struct sk_buff *skb, int off,
				 struct nsim_flow *fl)
{
	const struct ipv6hdr *ip6h;
	struct ipv6hdr _ip6h;

	ip6h = skb_header_pointer(skb, off, sizeof(_ip6h), &_ip6h);
	if (!ip6h || ip6h->version != 6)
		return;

	fl->family = AF_INET6;
	/* no extension header parsing, L4 must follow the base header */
	fl->proto = ip6h->nexthdr;
	memcpy(fl->saddr, &ip6h->saddr, sizeof(ip6h->saddr));
	memcpy(fl->daddr, &ip6h->daddr, sizeof(ip6h->daddr));
	nsim_flow_parse_ports(skb, off + sizeof(*ip6h), fl);
}

static void nsim_flow_parse(const struct sk_buff *skb, struct nsim_flow *fl)
{
	const struct vlan_hdr *vh;
	const struct ethhdr *eth;
	struct vlan_hdr _vh;
	struct ethhdr _eth;
	__be16 proto;
	int off = 0;

	memset(fl, 0, sizeof(*fl));

	/* The transmit path hands over skb->data at the Ethernet header;
	 * cope with callers which already pulled it with eth_type_trans().
	 */
	if (skb_mac_header_was_set(skb) && skb_mac_offset(skb) < 0)
		off = skb_mac_offset(skb);

	eth = skb_header_pointer(skb, off, sizeof(_eth), &_eth);
	if (!eth)
		return;
	proto = eth->h_proto;
	off += sizeof(*eth);

	if (eth_type_vlan(proto)) {
		vh = skb_header_pointer(skb, off, sizeof(_vh), &_vh);
		if (!vh)
			return;
		proto = vh->h_vlan_encapsulated_proto;
		off += sizeof(*vh);
	}

	if (proto == htons(ETH_P_IP))
		nsim_flow_parse_ipv4(skb, off, fl);
	else if (proto == htons(ETH_P_IPV6))
		nsim_flow_parse_ipv6(skb, off, fl);
}

/* Data path: RSS */

/* Microsoft RSS Toeplitz hash, @len + 4 must not exceed the key size */
static u32 nsim_toeplitz(const u8 *key, const u8 *data, unsigned int len)
{
	u32 v = get_unaligned_be32(key);
	unsigned int i, bit;
	u32 hash = 0;

	for (i = 0; i < len; i++) {
		for (bit = 0; bit < 8; bit++) {
			if (data[i] & BIT(7 - bit))
				hash ^= v;
			v <<= 1;
			if (key[i + 4] & BIT(7 - bit))
				v |= 1;
		}
	}

	return hash;
}

/* Hash input: src addr, dst addr, then src and dst port for TCP and UDP */
static u32 nsim_rss_hash(const u8 *key, const struct nsim_flow *fl)
{
	unsigned int alen = nsim_flow_addr_len(fl);
	u8 data[2 * sizeof(struct in6_addr) + 2 * sizeof(__be16)];
	unsigned int len;

	BUILD_BUG_ON(sizeof(data) + 4 > NSIM_RSS_KEY_SIZE);

	memcpy(data, fl->saddr, alen);
	memcpy(data + alen, fl->daddr, alen);
	len = 2 * alen;
	if (fl->ports) {
		memcpy(data + len, &fl->sport, sizeof(fl->sport));
		memcpy(data + len + 2, &fl->dport, sizeof(fl->dport));
		len += 4;
	}

	return nsim_toeplitz(key, data, len);
}

static u32 nsim_rss_select(struct nsim_steering *st, u32 ctx,
			   const struct nsim_flow *fl, u32 n_rxq)
{
	const struct nsim_rss_tbl *tbl;
	const struct nsim_rss_key *key;
	u32 idx;

	key = rcu_dereference(st->key);
	if (!key || !fl->family)
		return 0;

	idx = nsim_rss_hash(key->key, fl) % NSIM_RSS_INDIR_SIZE;

	tbl = rcu_dereference(st->rss[ctx]);
	/* a context removed under our feet: use the main table */
	if (!tbl && ctx)
		tbl = rcu_dereference(st->rss[0]);
	/* the main table was never configured: default spread */
	if (!tbl)
		return ethtool_rxfh_indir_default(idx, n_rxq);

	return tbl->indir[idx];
}

/* Data path: ntuple */

static bool nsim_ntuple_match(const struct nsim_ntuple_rule *rule,
			      const struct nsim_flow *fl)
{
	unsigned int alen = nsim_flow_addr_len(fl);

	if (fl->family != rule->key.family || fl->proto != rule->key.proto)
		return false;
	if ((rule->match & NSIM_NT_SRC_IP) &&
	    memcmp(fl->saddr, rule->key.saddr, alen))
		return false;
	if ((rule->match & NSIM_NT_DST_IP) &&
	    memcmp(fl->daddr, rule->key.daddr, alen))
		return false;
	if ((rule->match & NSIM_NT_SRC_PORT) && fl->sport != rule->key.sport)
		return false;
	if ((rule->match & NSIM_NT_DST_PORT) && fl->dport != rule->key.dport)
		return false;

	return true;
}

/* Rules are evaluated in location order, the first match wins */
static const struct nsim_ntuple_rule *
nsim_ntuple_lookup(struct nsim_steering *st, const struct nsim_flow *fl)
{
	const struct nsim_ntuple_rule *rule;
	unsigned int i;

	if (!fl->ports || !READ_ONCE(st->n_rules))
		return NULL;

	for (i = 0; i < NSIM_NTUPLE_MAX_RULES; i++) {
		rule = rcu_dereference(st->rules[i]);
		if (rule && nsim_ntuple_match(rule, fl))
			return rule;
	}

	return NULL;
}

/**
 * nsim_rx_queue_select() - pick the rx queue a packet is delivered to
 * @ns: the receiving netdevsim
 * @skb: the packet, skb->data pointing at its Ethernet header
 *
 * The first ntuple rule matching the packet sends it to a queue or to an
 * RSS context; packets no rule matches use the main RSS context.  Within
 * an RSS context the Toeplitz hash of the addresses (and TCP/UDP ports)
 * indexes the indirection table.  Non-IP packets go to queue 0.
 *
 * Called from the peer's transmit path with BHs disabled; does not sleep.
 *
 * Return: rx queue index, below @ns->netdev->real_num_rx_queues.
 */
u32 nsim_rx_queue_select(struct netdevsim *ns, struct sk_buff *skb)
{
	u32 n_rxq = READ_ONCE(ns->netdev->real_num_rx_queues);
	struct nsim_steering *st = &ns->steering;
	const struct nsim_ntuple_rule *rule;
	struct nsim_flow fl;
	u32 ctx = 0, q;

	if (n_rxq <= 1)
		return 0;

	nsim_flow_parse(skb, &fl);

	rcu_read_lock();
	rule = nsim_ntuple_lookup(st, &fl);
	if (rule && !rule->to_ctx) {
		q = rule->queue;
	} else {
		if (rule)
			ctx = rule->rss_ctx;
		q = nsim_rss_select(st, ctx, &fl, n_rxq);
	}
	rcu_read_unlock();

	/* the queue count may have just shrunk under a stale table */
	return q < n_rxq ? q : 0;
}

/* Control path: RSS, all under rtnl_lock */

static struct nsim_rss_tbl *nsim_rss_tbl_alloc(const u32 *indir, u32 n_rxq)
{
	struct nsim_rss_tbl *tbl;
	unsigned int i;

	tbl = kmalloc(sizeof(*tbl), GFP_KERNEL);
	if (!tbl)
		return NULL;

	for (i = 0; i < NSIM_RSS_INDIR_SIZE; i++)
		tbl->indir[i] = indir ? indir[i] :
				ethtool_rxfh_indir_default(i, n_rxq);

	return tbl;
}

static void nsim_rss_tbl_replace(struct nsim_steering *st, u32 ctx,
				 struct nsim_rss_tbl *tbl)
{
	struct nsim_rss_tbl *old;

	old = rtnl_dereference(st->rss[ctx]);
	rcu_assign_pointer(st->rss[ctx], tbl);
	if (old)
		kfree_rcu(old, rcu);
}

static void nsim_rss_main_indir_get(struct netdevsim *ns, u32 *indir)
{
	u32 n_rxq = ns->netdev->real_num_rx_queues;
	const struct nsim_rss_tbl *tbl;
	unsigned int i;

	tbl = rtnl_dereference(ns->steering.rss[0]);
	for (i = 0; i < NSIM_RSS_INDIR_SIZE; i++)
		indir[i] = tbl ? tbl->indir[i] :
				 ethtool_rxfh_indir_default(i, n_rxq);
}

/**
 * nsim_rss_set_channels() - follow a change of the rx queue count
 * @ns: netdevsim whose channel count changed
 *
 * Unless the user configured the main indirection table, it spreads
 * traffic evenly over all rx queues; drop the stored table to go back to
 * that default.  The core refuses channel counts which would orphan
 * queues used by a configured table, a context or an ntuple rule.
 */
void nsim_rss_set_channels(struct netdevsim *ns)
{
	if (!nsim_steering_ready(ns) || netif_is_rxfh_configured(ns->netdev))
		return;

	nsim_rss_tbl_replace(&ns->steering, 0, NULL);
}

u32 nsim_get_rxfh_indir_size(struct net_device *dev)
{
	return nsim_steering_ready(netdev_priv(dev)) ? NSIM_RSS_INDIR_SIZE : 0;
}

u32 nsim_get_rxfh_key_size(struct net_device *dev)
{
	return nsim_steering_ready(netdev_priv(dev)) ? NSIM_RSS_KEY_SIZE : 0;
}

int nsim_get_rxfh(struct net_device *dev, struct ethtool_rxfh_param *rxfh)
{
	struct netdevsim *ns = netdev_priv(dev);
	const struct nsim_rss_key *key;

	if (!nsim_steering_ready(ns))
		return -EOPNOTSUPP;

	rxfh->hfunc = ETH_RSS_HASH_TOP;
	if (rxfh->indir)
		nsim_rss_main_indir_get(ns, rxfh->indir);
	if (rxfh->key) {
		key = rtnl_dereference(ns->steering.key);
		memcpy(rxfh->key, key->key, NSIM_RSS_KEY_SIZE);
	}

	return 0;
}

int nsim_set_rxfh(struct net_device *dev, struct ethtool_rxfh_param *rxfh,
		  struct netlink_ext_ack *extack)
{
	struct netdevsim *ns = netdev_priv(dev);
	struct nsim_steering *st = &ns->steering;
	struct nsim_rss_tbl *tbl = NULL;
	struct nsim_rss_key *key = NULL;
	struct nsim_rss_key *old;

	if (!nsim_steering_ready(ns))
		return -EOPNOTSUPP;

	if (rxfh->hfunc != ETH_RSS_HASH_NO_CHANGE &&
	    rxfh->hfunc != ETH_RSS_HASH_TOP) {
		NSIM_EA(extack, "Only the Toeplitz hash function is supported");
		return -EOPNOTSUPP;
	}
	/* a zero key would make contexts inherit a key the core rejects */
	if (rxfh->key && !memchr_inv(rxfh->key, 0, NSIM_RSS_KEY_SIZE)) {
		NSIM_EA(extack, "RSS hash key must not be all zeros");
		return -EINVAL;
	}

	if (rxfh->indir) {
		tbl = nsim_rss_tbl_alloc(rxfh->indir, 0);
		if (!tbl)
			return -ENOMEM;
	}
	if (rxfh->key) {
		key = kmalloc(sizeof(*key), GFP_KERNEL);
		if (!key) {
			kfree(tbl);
			return -ENOMEM;
		}
		memcpy(key->key, rxfh->key, NSIM_RSS_KEY_SIZE);
	}

	if (tbl)
		nsim_rss_tbl_replace(st, 0, tbl);
	if (key) {
		old = rtnl_dereference(st->key);
		rcu_assign_pointer(st->key, key);
		kfree_rcu(old, rcu);
	}

	return 0;
}

int nsim_get_rxfh_fields(struct net_device *dev,
			 struct ethtool_rxfh_fields *fields)
{
	if (!nsim_steering_ready(netdev_priv(dev)))
		return -EOPNOTSUPP;

	switch (fields->flow_type) {
	case TCP_V4_FLOW:
	case UDP_V4_FLOW:
	case TCP_V6_FLOW:
	case UDP_V6_FLOW:
		fields->data = RXH_IP_SRC | RXH_IP_DST |
			       RXH_L4_B_0_1 | RXH_L4_B_2_3;
		return 0;
	case SCTP_V4_FLOW:
	case AH_ESP_V4_FLOW:
	case AH_V4_FLOW:
	case ESP_V4_FLOW:
	case IPV4_FLOW:
	case SCTP_V6_FLOW:
	case AH_ESP_V6_FLOW:
	case AH_V6_FLOW:
	case ESP_V6_FLOW:
	case IPV6_FLOW:
		fields->data = RXH_IP_SRC | RXH_IP_DST;
		return 0;
	default:
		return -EINVAL;
	}
}

/* RSS contexts: the core allocates the ID and keeps the configuration it
 * reports; we keep our own copy of the table for the data path.  The hash
 * key is shared by all contexts.
 */

int nsim_create_rxfh_context(struct net_device *dev,
			     struct ethtool_rxfh_context *ctx,
			     const struct ethtool_rxfh_param *rxfh,
			     struct netlink_ext_ack *extack)
{
	struct netdevsim *ns = netdev_priv(dev);
	const struct nsim_rss_key *key;
	struct nsim_rss_tbl *tbl;

	if (!nsim_steering_ready(ns))
		return -EOPNOTSUPP;
	if (WARN_ON_ONCE(rxfh->rss_context >= NSIM_RSS_MAX_CTX))
		return -EINVAL;

	tbl = nsim_rss_tbl_alloc(rxfh->indir, dev->real_num_rx_queues);
	if (!tbl)
		return -ENOMEM;

	if (!rxfh->indir)
		memcpy(ethtool_rxfh_context_indir(ctx), tbl->indir,
		       sizeof(tbl->indir));
	key = rtnl_dereference(ns->steering.key);
	memcpy(ethtool_rxfh_context_key(ctx), key->key, NSIM_RSS_KEY_SIZE);
	ctx->hfunc = ETH_RSS_HASH_TOP;
	ctx->input_xfrm = 0;

	nsim_rss_tbl_replace(&ns->steering, rxfh->rss_context, tbl);
	return 0;
}

int nsim_modify_rxfh_context(struct net_device *dev,
			     struct ethtool_rxfh_context *ctx,
			     const struct ethtool_rxfh_param *rxfh,
			     struct netlink_ext_ack *extack)
{
	struct netdevsim *ns = netdev_priv(dev);
	struct nsim_rss_tbl *tbl;

	if (!nsim_steering_ready(ns))
		return -EOPNOTSUPP;
	if (WARN_ON_ONCE(rxfh->rss_context >= NSIM_RSS_MAX_CTX))
		return -EINVAL;
	/* key and hash function are not per-context, the core checked */
	if (!rxfh->indir)
		return 0;

	tbl = nsim_rss_tbl_alloc(rxfh->indir, 0);
	if (!tbl)
		return -ENOMEM;

	nsim_rss_tbl_replace(&ns->steering, rxfh->rss_context, tbl);
	return 0;
}

static bool nsim_rss_ctx_in_use(struct nsim_steering *st, u32 rss_context)
{
	const struct nsim_ntuple_rule *rule;
	unsigned int i;

	for (i = 0; i < NSIM_NTUPLE_MAX_RULES; i++) {
		rule = rtnl_dereference(st->rules[i]);
		if (rule && rule->to_ctx && rule->rss_ctx == rss_context)
			return true;
	}

	return false;
}

int nsim_remove_rxfh_context(struct net_device *dev,
			     struct ethtool_rxfh_context *ctx,
			     u32 rss_context, struct netlink_ext_ack *extack)
{
	struct netdevsim *ns = netdev_priv(dev);
	struct nsim_steering *st = &ns->steering;

	if (!nsim_steering_ready(ns))
		return -EOPNOTSUPP;
	if (WARN_ON_ONCE(rss_context >= NSIM_RSS_MAX_CTX))
		return -EINVAL;
	/* on unregister the core drops all contexts, rules go right after */
	if (dev->reg_state == NETREG_REGISTERED &&
	    nsim_rss_ctx_in_use(st, rss_context)) {
		NSIM_EA(extack, "RSS context is used by ntuple rules");
		return -EBUSY;
	}

	nsim_rss_tbl_replace(st, rss_context, NULL);
	return 0;
}

/* Control path: ntuple rules */

/* Only exact matches: a field's mask must be all zeros or all ones */
static int nsim_ntuple_mask(const void *mask, size_t len, u8 field, u8 *match)
{
	if (!memchr_inv(mask, 0, len))
		return 0;
	if (memchr_inv(mask, 0xff, len))
		return -EOPNOTSUPP;

	*match |= field;
	return 0;
}

static int nsim_ntuple_parse_ip4(const struct ethtool_rx_flow_spec *fs,
				 struct nsim_ntuple_rule *rule)
{
	const struct ethtool_tcpip4_spec *v = &fs->h_u.tcp_ip4_spec;
	const struct ethtool_tcpip4_spec *m = &fs->m_u.tcp_ip4_spec;
	int err;

	if (m->tos)
		return -EOPNOTSUPP;

	err = nsim_ntuple_mask(&m->ip4src, sizeof(m->ip4src),
			       NSIM_NT_SRC_IP, &rule->match) ?:
	      nsim_ntuple_mask(&m->ip4dst, sizeof(m->ip4dst),
			       NSIM_NT_DST_IP, &rule->match) ?:
	      nsim_ntuple_mask(&m->psrc, sizeof(m->psrc),
			       NSIM_NT_SRC_PORT, &rule->match) ?:
	      nsim_ntuple_mask(&m->pdst, sizeof(m->pdst),
			       NSIM_NT_DST_PORT, &rule->match);
	if (err)
		return err;

	rule->key.family = AF_INET;
	rule->key.saddr[0] = v->ip4src;
	rule->key.daddr[0] = v->ip4dst;
	rule->key.sport = v->psrc;
	rule->key.dport = v->pdst;
	return 0;
}

static int nsim_ntuple_parse_ip6(const struct ethtool_rx_flow_spec *fs,
				 struct nsim_ntuple_rule *rule)
{
	const struct ethtool_tcpip6_spec *v = &fs->h_u.tcp_ip6_spec;
	const struct ethtool_tcpip6_spec *m = &fs->m_u.tcp_ip6_spec;
	int err;

	if (m->tclass)
		return -EOPNOTSUPP;

	err = nsim_ntuple_mask(m->ip6src, sizeof(m->ip6src),
			       NSIM_NT_SRC_IP, &rule->match) ?:
	      nsim_ntuple_mask(m->ip6dst, sizeof(m->ip6dst),
			       NSIM_NT_DST_IP, &rule->match) ?:
	      nsim_ntuple_mask(&m->psrc, sizeof(m->psrc),
			       NSIM_NT_SRC_PORT, &rule->match) ?:
	      nsim_ntuple_mask(&m->pdst, sizeof(m->pdst),
			       NSIM_NT_DST_PORT, &rule->match);
	if (err)
		return err;

	rule->key.family = AF_INET6;
	memcpy(rule->key.saddr, v->ip6src, sizeof(v->ip6src));
	memcpy(rule->key.daddr, v->ip6dst, sizeof(v->ip6dst));
	rule->key.sport = v->psrc;
	rule->key.dport = v->pdst;
	return 0;
}

static int nsim_ntuple_parse_action(struct netdevsim *ns,
				    const struct ethtool_rxnfc *info,
				    struct nsim_ntuple_rule *rule)
{
	const struct ethtool_rx_flow_spec *fs = &info->fs;

	if (fs->flow_type & FLOW_RSS) {
		u32 ctx = info->rss_context;

		/* the core refused a queue offset, we don't add them */
		if (ctx >= NSIM_RSS_MAX_CTX ||
		    (ctx && !rtnl_dereference(ns->steering.rss[ctx])))
			return -EINVAL;

		rule->to_ctx = true;
		rule->rss_ctx = ctx;
		return 0;
	}

	/* no drop, wake-up or VF actions */
	if (fs->ring_cookie > ETHTOOL_RX_FLOW_SPEC_RING)
		return -EOPNOTSUPP;
	if (fs->ring_cookie >= ns->netdev->real_num_rx_queues)
		return -EINVAL;

	rule->queue = fs->ring_cookie;
	return 0;
}

static int nsim_ntuple_parse(struct netdevsim *ns,
			     const struct ethtool_rxnfc *info,
			     struct nsim_ntuple_rule *rule)
{
	const struct ethtool_rx_flow_spec *fs = &info->fs;
	int err;

	/* FLOW_EXT and FLOW_MAC_EXT fall into the default case */
	switch (fs->flow_type & ~FLOW_RSS) {
	case TCP_V4_FLOW:
	case UDP_V4_FLOW:
		err = nsim_ntuple_parse_ip4(fs, rule);
		break;
	case TCP_V6_FLOW:
	case UDP_V6_FLOW:
		err = nsim_ntuple_parse_ip6(fs, rule);
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (err)
		return err;

	switch (fs->flow_type & ~FLOW_RSS) {
	case TCP_V4_FLOW:
	case TCP_V6_FLOW:
		rule->key.proto = IPPROTO_TCP;
		break;
	default:
		rule->key.proto = IPPROTO_UDP;
		break;
	}

	return nsim_ntuple_parse_action(ns, info, rule);
}

static int nsim_ntuple_pick_loc(struct nsim_steering *st, u32 loc)
{
	int i;

	switch (loc) {
	case RX_CLS_LOC_ANY:
	case RX_CLS_LOC_FIRST:
		for (i = 0; i < NSIM_NTUPLE_MAX_RULES; i++)
			if (!rcu_access_pointer(st->rules[i]))
				return i;
		return -ENOSPC;
	case RX_CLS_LOC_LAST:
		for (i = NSIM_NTUPLE_MAX_RULES - 1; i >= 0; i--)
			if (!rcu_access_pointer(st->rules[i]))
				return i;
		return -ENOSPC;
	default:
		if (loc >= NSIM_NTUPLE_MAX_RULES)
			return -EINVAL;
		/* an existing rule at @loc gets replaced */
		return loc;
	}
}

static int nsim_ntuple_insert(struct netdevsim *ns, struct ethtool_rxnfc *info)
{
	struct nsim_steering *st = &ns->steering;
	struct nsim_ntuple_rule *rule, *old;
	int loc, err;

	if (!(ns->netdev->features & NETIF_F_NTUPLE))
		return -EOPNOTSUPP;

	rule = kzalloc(sizeof(*rule), GFP_KERNEL);
	if (!rule)
		return -ENOMEM;

	err = nsim_ntuple_parse(ns, info, rule);
	if (err)
		goto err_free;

	loc = nsim_ntuple_pick_loc(st, info->fs.location);
	if (loc < 0) {
		err = loc;
		goto err_free;
	}

	info->fs.location = loc;
	rule->fs = info->fs;

	old = rtnl_dereference(st->rules[loc]);
	rcu_assign_pointer(st->rules[loc], rule);
	if (old)
		kfree_rcu(old, rcu);
	else
		WRITE_ONCE(st->n_rules, st->n_rules + 1);
	return 0;

err_free:
	kfree(rule);
	return err;
}

static int nsim_ntuple_delete(struct netdevsim *ns, u32 loc)
{
	struct nsim_steering *st = &ns->steering;
	struct nsim_ntuple_rule *rule;

	if (loc >= NSIM_NTUPLE_MAX_RULES)
		return -EINVAL;
	rule = rtnl_dereference(st->rules[loc]);
	if (!rule)
		return -ENOENT;

	RCU_INIT_POINTER(st->rules[loc], NULL);
	WRITE_ONCE(st->n_rules, st->n_rules - 1);
	kfree_rcu(rule, rcu);
	return 0;
}

/**
 * nsim_ntuple_flush() - delete all ntuple rules
 * @ns: netdevsim
 *
 * Called when ntuple filtering gets disabled, like NICs drop their
 * filters then.
 */
void nsim_ntuple_flush(struct netdevsim *ns)
{
	unsigned int i;

	for (i = 0; i < NSIM_NTUPLE_MAX_RULES; i++)
		if (rcu_access_pointer(ns->steering.rules[i]))
			nsim_ntuple_delete(ns, i);
}

static int nsim_ntuple_get(struct netdevsim *ns, struct ethtool_rxnfc *info)
{
	const struct nsim_ntuple_rule *rule;

	if (info->fs.location >= NSIM_NTUPLE_MAX_RULES)
		return -EINVAL;
	rule = rtnl_dereference(ns->steering.rules[info->fs.location]);
	if (!rule)
		return -ENOENT;

	info->fs = rule->fs;
	if (rule->to_ctx)
		info->rss_context = rule->rss_ctx;
	return 0;
}

static int nsim_ntuple_get_all(struct netdevsim *ns,
			       struct ethtool_rxnfc *info, u32 *rule_locs)
{
	unsigned int i, cnt = 0;

	info->data = NSIM_NTUPLE_MAX_RULES;
	for (i = 0; i < NSIM_NTUPLE_MAX_RULES; i++) {
		if (!rcu_access_pointer(ns->steering.rules[i]))
			continue;
		if (cnt == info->rule_cnt)
			return -EMSGSIZE;
		rule_locs[cnt++] = i;
	}
	info->rule_cnt = cnt;

	return 0;
}

int nsim_get_rxnfc(struct net_device *dev, struct ethtool_rxnfc *info,
		   u32 *rule_locs)
{
	struct netdevsim *ns = netdev_priv(dev);

	if (!nsim_steering_ready(ns))
		return -EOPNOTSUPP;

	switch (info->cmd) {
	case ETHTOOL_GRXRINGS:
		info->data = dev->real_num_rx_queues;
		return 0;
	case ETHTOOL_GRXCLSRLCNT:
		info->rule_cnt = ns->steering.n_rules;
		info->data = NSIM_NTUPLE_MAX_RULES | RX_CLS_LOC_SPECIAL;
		return 0;
	case ETHTOOL_GRXCLSRULE:
		return nsim_ntuple_get(ns, info);
	case ETHTOOL_GRXCLSRLALL:
		return nsim_ntuple_get_all(ns, info, rule_locs);
	default:
		return -EOPNOTSUPP;
	}
}

int nsim_set_rxnfc(struct net_device *dev, struct ethtool_rxnfc *info)
{
	struct netdevsim *ns = netdev_priv(dev);

	if (!nsim_steering_ready(ns))
		return -EOPNOTSUPP;

	switch (info->cmd) {
	case ETHTOOL_SRXCLSRLINS:
		return nsim_ntuple_insert(ns, info);
	case ETHTOOL_SRXCLSRLDEL:
		return nsim_ntuple_delete(ns, info->fs.location);
	default:
		return -EOPNOTSUPP;
	}
}

/* Lifecycle, PF ports only */

int nsim_steering_init(struct netdevsim *ns)
{
	struct nsim_rss_key *key;

	key = kmalloc(sizeof(*key), GFP_KERNEL);
	if (!key)
		return -ENOMEM;
	netdev_rss_key_fill(key->key, sizeof(key->key));

	/* a NULL main table spreads over all queues, contexts start empty */
	RCU_INIT_POINTER(ns->steering.key, key);

	ns->netdev->hw_features |= NETIF_F_NTUPLE;
	ns->netdev->features |= NETIF_F_NTUPLE;
	return 0;
}

void nsim_steering_uninit(struct netdevsim *ns)
{
	struct nsim_steering *st = &ns->steering;
	struct nsim_rss_key *key;
	unsigned int i;

	nsim_ntuple_flush(ns);
	for (i = 0; i < NSIM_RSS_MAX_CTX; i++)
		nsim_rss_tbl_replace(st, i, NULL);

	key = rtnl_dereference(st->key);
	RCU_INIT_POINTER(st->key, NULL);
	kfree_rcu(key, rcu);
}
