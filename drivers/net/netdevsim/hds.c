// SPDX-License-Identifier: GPL-2.0
/*
 * netdevsim header split: the receive side of a NIC that writes TCP headers
 * into one buffer and payload into buffers from the queue's payload pool.
 *
 * The queue's NAPI poll hands us each frame the peer sent, as the "wire"
 * delivered it, before it goes up the stack. With tcp-data-split on (the
 * core's setting, &net_device.ethtool), a TCP segment with payload whose
 * frame is longer than hds-thresh is rebuilt the way a
 * header-split NIC delivers it: Ethernet, IP and TCP headers (with options)
 * in the linear part of a new skb, payload in netmem fragments from the
 * queue's payload page pool (each as large as the pool's buffers, a page
 * unless a bound provider asked for more), "DMAed" by a CPU copy to the fragment's DMA
 * address, which the device's IOMMU (dma.c) translates page by page: a write
 * to an address that is not mapped is dropped, and the frame with it.
 * Without that IOMMU (no CONFIG_ARCH_HAS_DMA_OPS) the copy goes to the
 * fragment's struct page, and dma-buf memory, which has none, is refused.
 * The device never reads payload back.
 *
 * What a real NIC does for free costs the CPU here: the time the DMA engine
 * takes (headers and payload written, IOMMU walks included) is counted per
 * queue in local_clock() nanoseconds (ethtool -S rxN_dma_ns), so that a
 * measurement of the receive path can set it aside ('make bench').
 *
 * Everything else (header split off, other protocols, segments without
 * payload) is delivered as before.
 */

#include <linux/ethtool.h>
#include <linux/ethtool_netlink.h>
#include <linux/highmem.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/sched/clock.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/netdev_queues.h>
#include <net/page_pool/helpers.h>

#include "netdevsim.h"

/* Length of the Ethernet, IP and TCP headers of a TCP segment, or 0 if
 * @skb (data at the Ethernet header) is not one the device splits.
 */
static unsigned int nsim_hds_hdr_len(const struct sk_buff *skb)
{
	unsigned int off = ETH_HLEN;
	struct tcphdr _th, *th;
	__be16 proto;

	if (skb->len < ETH_HLEN)
		return 0;
	proto = ((const struct ethhdr *)skb->data)->h_proto;

	if (proto == htons(ETH_P_IP)) {
		struct iphdr _iph, *iph;

		iph = skb_header_pointer(skb, off, sizeof(_iph), &_iph);
		if (!iph || iph->ihl < 5 || iph->protocol != IPPROTO_TCP ||
		    ip_is_fragment(iph))
			return 0;
		off += iph->ihl * 4;
	} else if (proto == htons(ETH_P_IPV6)) {
		struct ipv6hdr _ip6h, *ip6h;

		/* like most NICs, split only when TCP follows the fixed header */
		ip6h = skb_header_pointer(skb, off, sizeof(_ip6h), &_ip6h);
		if (!ip6h || ip6h->nexthdr != IPPROTO_TCP)
			return 0;
		off += sizeof(*ip6h);
	} else {
		return 0;
	}

	th = skb_header_pointer(skb, off, sizeof(_th), &_th);
	if (!th || th->doff < 5)
		return 0;
	off += th->doff * 4;

	return off <= skb->len ? off : 0;
}

/* The device's DMA engine: copy @len bytes of @skb at @offset into the
 * memory behind @netmem. Return false if the memory is not reachable.
 */
static bool nsim_hds_dma(struct nsim_bus_dev *bus_dev, netmem_ref netmem,
			 const struct sk_buff *skb, unsigned int offset,
			 unsigned int len)
{
	struct page *page;
	void *va;

	/* the payload pool maps pages (PP_FLAG_DMA_MAP), providers net_iovs */
	if (nsim_dma_has_iommu(bus_dev))
		return nsim_dma_write(bus_dev,
				      page_pool_get_dma_addr_netmem(netmem),
				      skb, offset, len);

	/* dma-direct: the bus address of a dma-buf may be no memory at all */
	if (netmem_is_net_iov(netmem))
		page = net_iov_page(netmem_to_net_iov(netmem));
	else
		page = netmem_to_page(netmem);
	if (!page) {
		nsim_dma_count_drop(bus_dev);
		return false;
	}

	va = kmap_local_page(page);
	skb_copy_bits(skb, offset, va, len);
	kunmap_local(va);
	return true;
}

static void nsim_rq_count(struct nsim_rq *rq, const struct sk_buff *skb,
			  bool split)
{
	atomic64_inc(&rq->stats.packets);
	atomic64_add(skb->len, &rq->stats.bytes);
	if (split)
		atomic64_inc(&rq->stats.hds_packets);
}

/**
 * nsim_hds_rx() - receive a frame on an rx queue, splitting it if enabled
 * @ns: the receiving device
 * @rq: the rx queue the frame was steered to
 * @skb: the frame as received, data at the network header; consumed
 *
 * Context: the queue's NAPI poll, the only user of its page pools.
 * Return: the skb to deliver (@skb itself, or its header-split rebuild), or
 * NULL if the device dropped the frame for lack of payload buffers.
 */
struct sk_buff *nsim_hds_rx(struct netdevsim *ns, struct nsim_rq *rq,
			    struct sk_buff *skb)
{
	unsigned int hdr_len, payload, off, i, buf_size;
	struct page_pool *pool;
	struct sk_buff *nskb;
	u64 t0, dma_ns = 0;

	pool = rq->data_pool;
	if (READ_ONCE(ns->netdev->ethtool->hds_config) !=
	    ETHTOOL_TCP_DATA_SPLIT_ENABLED || !pool)
		goto no_split;
	if (!skb_mac_header_was_set(skb) ||
	    skb->data - skb_mac_header(skb) != ETH_HLEN)
		goto no_split;

	/* Look at the frame from the Ethernet header, as the device does. */
	__skb_push(skb, ETH_HLEN);
	hdr_len = nsim_hds_hdr_len(skb);
	if (!hdr_len)
		goto no_split_pull;
	/* hds-thresh is a packet size: the frame, Ethernet header on */
	payload = skb->len - hdr_len;
	if (!payload || skb->len <= READ_ONCE(ns->netdev->ethtool->hds_thresh))
		goto no_split_pull;
	buf_size = PAGE_SIZE << pool->p.order;
	if (DIV_ROUND_UP(payload, buf_size) > MAX_SKB_FRAGS)
		goto drop;

	nskb = netdev_alloc_skb(ns->netdev, hdr_len);
	if (!nskb)
		goto drop;
	t0 = local_clock();
	skb_copy_bits(skb, 0, skb_put(nskb, hdr_len), hdr_len);
	dma_ns += local_clock() - t0;
	skb_mark_for_recycle(nskb);

	for (i = 0, off = hdr_len; off < skb->len; i++) {
		unsigned int len = min(skb->len - off, buf_size);
		netmem_ref netmem;

		netmem = page_pool_alloc_netmems(pool, GFP_ATOMIC | __GFP_NOWARN);
		if (!netmem)
			goto drop_nskb;
		t0 = local_clock();
		if (!nsim_hds_dma(ns->nsim_bus_dev, netmem, skb, off, len)) {
			page_pool_put_full_netmem(pool, netmem, false);
			goto drop_nskb;
		}
		dma_ns += local_clock() - t0;
		skb_add_rx_frag_netmem(nskb, i, netmem, 0, len, buf_size);
		off += len;
	}

	/* The device checked the TCP checksum, and coalesces like HW-GRO. */
	nskb->ip_summed = CHECKSUM_UNNECESSARY;
	if (skb_is_gso(skb)) {
		skb_shinfo(nskb)->gso_size = skb_shinfo(skb)->gso_size;
		skb_shinfo(nskb)->gso_type = skb_shinfo(skb)->gso_type &
					     (SKB_GSO_TCPV4 | SKB_GSO_TCPV6);
		skb_shinfo(nskb)->gso_segs = skb_shinfo(skb)->gso_segs;
	}
	nskb->protocol = eth_type_trans(nskb, ns->netdev);
	skb_record_rx_queue(nskb, rq - ns->rq);
	nsim_rq_count(rq, nskb, true);
	atomic64_add(dma_ns, &rq->stats.dma_ns);
	atomic64_add(skb->len, &rq->stats.dma_bytes);
	/* copied out: the sender's NIC completes it */
	nsim_tx_done(ns, skb);
	return nskb;

no_split_pull:
	__skb_pull(skb, ETH_HLEN);
no_split:
	nsim_rq_count(rq, skb, false);
	return skb;

drop_nskb:
	kfree_skb(nskb);
drop:
	atomic64_inc(&rq->stats.drop_no_buf);
	kfree_skb(skb);
	return NULL;
}

/* ethtool -S: per queue counters, rx<N>_<name> then tx<N>_<name> */
static const char nsim_rq_stat_names[][ETH_GSTRING_LEN] = {
	"packets", "bytes", "hds_packets", "drop_no_buf", "drop_overrun",
	"dma_ns", "dma_bytes", "poll_ns",
};

static const char nsim_tq_stat_names[][ETH_GSTRING_LEN] = {
	"completed",
};

int nsim_get_sset_count(struct net_device *dev, int sset)
{
	if (sset != ETH_SS_STATS)
		return -EOPNOTSUPP;
	return dev->real_num_rx_queues * (ARRAY_SIZE(nsim_rq_stat_names) +
					  ARRAY_SIZE(nsim_tq_stat_names));
}

void nsim_get_strings(struct net_device *dev, u32 sset, u8 *data)
{
	unsigned int i, j;

	if (sset != ETH_SS_STATS)
		return;
	for (i = 0; i < dev->real_num_rx_queues; i++)
		for (j = 0; j < ARRAY_SIZE(nsim_rq_stat_names); j++)
			ethtool_sprintf(&data, "rx%u_%s", i,
					nsim_rq_stat_names[j]);
	for (i = 0; i < dev->real_num_rx_queues; i++)
		for (j = 0; j < ARRAY_SIZE(nsim_tq_stat_names); j++)
			ethtool_sprintf(&data, "tx%u_%s", i,
					nsim_tq_stat_names[j]);
}

void nsim_get_ethtool_stats(struct net_device *dev,
			    struct ethtool_stats *stats, u64 *data)
{
	struct netdevsim *ns = netdev_priv(dev);
	unsigned int i;

	for (i = 0; i < dev->real_num_rx_queues; i++) {
		struct nsim_rq_stats *s = &ns->rq[i].stats;

		*data++ = atomic64_read(&s->packets);
		*data++ = atomic64_read(&s->bytes);
		*data++ = atomic64_read(&s->hds_packets);
		*data++ = atomic64_read(&s->drop_no_buf);
		*data++ = atomic64_read(&s->drop_overrun);
		*data++ = atomic64_read(&s->dma_ns);
		*data++ = atomic64_read(&s->dma_bytes);
		*data++ = atomic64_read(&s->poll_ns);
	}
	for (i = 0; i < dev->real_num_rx_queues; i++)
		*data++ = atomic64_read(&ns->rq[i].stats.tx_completed);
}

/**
 * nsim_rq_stats_read() - add up rx counters of a range of queues
 * @ns: the device
 * @from: first queue
 * @to: one past the last queue
 * @rx: counters are added here
 */
void nsim_rq_stats_read(struct netdevsim *ns, unsigned int from,
			unsigned int to, struct netdev_queue_stats_rx *rx)
{
	unsigned int i;

	for (i = from; i < to; i++) {
		struct nsim_rq_stats *s = &ns->rq[i].stats;

		rx->packets += atomic64_read(&s->packets);
		rx->bytes += atomic64_read(&s->bytes);
		rx->alloc_fail += atomic64_read(&s->drop_no_buf);
		/* every frame the device took and did not hand up */
		rx->hw_drops += atomic64_read(&s->drop_no_buf) +
				atomic64_read(&s->drop_overrun);
		rx->hw_drop_overruns += atomic64_read(&s->drop_overrun);
	}
}
