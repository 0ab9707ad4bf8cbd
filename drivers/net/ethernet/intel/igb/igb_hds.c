// SPDX-License-Identifier: GPL-2.0
/* Copyright(c) 2026 zcrx authors. */

/*
 * igb header split: the receive path of a queue whose descriptors carry two
 * buffers, a header buffer and a payload (packet) buffer.
 *
 * With SRRCTL.DESCTYPE "header split, always use header buffer" the device
 * writes the Ethernet, IP and TCP or UDP headers of a frame (the kinds that
 * PSRTYPE names) into the header buffer and the rest into the packet
 * buffer; a frame it cannot split has its first bytes, up to the header
 * buffer's size, in the header buffer. Only the first descriptor of a frame
 * uses its header buffer; the length field counts packet buffer bytes only,
 * so a frame that fits the header buffer completes with a length of zero
 * and the ring is scanned by the DD bit, not by the length.
 *
 * Header buffers are slots of pages from a header page pool; each stays
 * with its descriptor for the life of the ring and the CPU copies the
 * headers out of it into the skb. Payload buffers come from the payload
 * page pool, created with PP_FLAG_ALLOW_UNREADABLE_NETMEM and the queue's
 * index, so that a memory provider bound to the queue (io_uring zcrx,
 * devmem) supplies them; they go up the stack as skb fragments.
 *
 * Header split is on for every queue while the core's tcp-data-split
 * setting (&net_device.ethtool) is "on"; XDP and split exclude each other.
 */

#include <linux/ethtool.h>
#include <linux/ethtool_netlink.h>
#include <linux/if_ether.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <net/page_pool/helpers.h>

#include "igb.h"

#define IGB_RX_HDRS_PER_PAGE	(PAGE_SIZE / IGB_RX_HDR_LEN)

/* 82576 PSRTYPE: the headers the device splits off */
#define E1000_PSRTYPE_TCPHDR	0x00000010
#define E1000_PSRTYPE_UDPHDR	0x00000020
#define E1000_PSRTYPE_IPV4HDR	0x00000100
#define E1000_PSRTYPE_IPV6HDR	0x00000200
#define E1000_PSRTYPE_L2HDR	0x00001000

/* hdr_info: the device split the header from the payload */
#define E1000_RXDADV_SPH	0x8000

/**
 * igb_rx_split_wanted - whether the user asked for header split
 * @adapter: board private structure
 *
 * Return: true if the core's tcp-data-split setting is "on".
 */
bool igb_rx_split_wanted(struct igb_adapter *adapter)
{
	return READ_ONCE(adapter->netdev->ethtool->hds_config) ==
	       ETHTOOL_TCP_DATA_SPLIT_ENABLED;
}

static unsigned int igb_rx_hdr_pages(const struct igb_ring *ring)
{
	return DIV_ROUND_UP(ring->count, IGB_RX_HDRS_PER_PAGE);
}

static struct page *igb_rx_hdr_page(const struct igb_ring *ring, u16 i)
{
	return ring->hdr_pages[i / IGB_RX_HDRS_PER_PAGE];
}

static unsigned int igb_rx_hdr_offset(u16 i)
{
	return (i % IGB_RX_HDRS_PER_PAGE) * IGB_RX_HDR_LEN;
}

static void igb_rx_split_put_hdrs(struct igb_ring *ring)
{
	unsigned int i;

	for (i = 0; i < igb_rx_hdr_pages(ring); i++)
		if (ring->hdr_pages[i])
			page_pool_put_full_page(ring->hdr_pp,
						ring->hdr_pages[i], false);
	kfree(ring->hdr_pages);
	ring->hdr_pages = NULL;
}

/**
 * igb_rx_split_setup - create the pools and header buffers of a split ring
 * @ring: the rx ring, its count and queue index set
 *
 * Return: 0, or a negative errno with nothing left allocated.
 */
int igb_rx_split_setup(struct igb_ring *ring)
{
	struct page_pool_params hdr = {
		.flags = PP_FLAG_DMA_MAP,
		.order = 0,
		.pool_size = igb_rx_hdr_pages(ring),
		.nid = dev_to_node(ring->dev),
		.dev = ring->dev,
		.dma_dir = DMA_FROM_DEVICE,
		.netdev = ring->netdev,
	};
	struct page_pool_params pay = {
		.flags = PP_FLAG_DMA_MAP | PP_FLAG_DMA_SYNC_DEV |
			 PP_FLAG_ALLOW_UNREADABLE_NETMEM,
		.order = 0,
		.pool_size = ring->count,
		.nid = dev_to_node(ring->dev),
		.dev = ring->dev,
		.dma_dir = DMA_FROM_DEVICE,
		.max_len = PAGE_SIZE,
		.netdev = ring->netdev,
		.queue_idx = ring->queue_index,
	};
	unsigned int i;
	int err;

	ring->hdr_pp = page_pool_create(&hdr);
	if (IS_ERR(ring->hdr_pp)) {
		err = PTR_ERR(ring->hdr_pp);
		goto err_out;
	}
	ring->pp = page_pool_create(&pay);
	if (IS_ERR(ring->pp)) {
		err = PTR_ERR(ring->pp);
		goto err_hdr_pp;
	}

	ring->hdr_pages = kcalloc(igb_rx_hdr_pages(ring),
				  sizeof(*ring->hdr_pages), GFP_KERNEL);
	if (!ring->hdr_pages) {
		err = -ENOMEM;
		goto err_pp;
	}
	for (i = 0; i < igb_rx_hdr_pages(ring); i++) {
		ring->hdr_pages[i] = page_pool_dev_alloc_pages(ring->hdr_pp);
		if (!ring->hdr_pages[i]) {
			err = -ENOMEM;
			goto err_hdrs;
		}
	}
	set_bit(IGB_RING_FLAG_RX_SPLIT, &ring->flags);
	return 0;

err_hdrs:
	igb_rx_split_put_hdrs(ring);
err_pp:
	page_pool_destroy(ring->pp);
err_hdr_pp:
	page_pool_destroy(ring->hdr_pp);
err_out:
	ring->pp = NULL;
	ring->hdr_pp = NULL;
	return err;
}

/**
 * igb_rx_split_clean - give a split ring's payload buffers back to the pool
 * @ring: the rx ring, its queue stopped
 */
void igb_rx_split_clean(struct igb_ring *ring)
{
	u16 i;

	/* an error pointer marks a frame being dropped */
	if (!IS_ERR(ring->skb))
		dev_kfree_skb(ring->skb);
	ring->skb = NULL;

	for (i = 0; i < ring->count; i++) {
		struct igb_rx_buffer *bi = &ring->rx_buffer_info[i];

		if (!bi->netmem)
			continue;
		page_pool_put_full_netmem(ring->pp, bi->netmem, false);
		bi->netmem = 0;
	}

	ring->next_to_alloc = 0;
	ring->next_to_clean = 0;
	ring->next_to_use = 0;
}

/**
 * igb_rx_split_free - release the header buffers and pools of a split ring
 * @ring: the rx ring, cleaned
 */
void igb_rx_split_free(struct igb_ring *ring)
{
	if (!ring_uses_split(ring))
		return;

	igb_rx_split_put_hdrs(ring);
	page_pool_destroy(ring->pp);
	page_pool_destroy(ring->hdr_pp);
	ring->pp = NULL;
	ring->hdr_pp = NULL;
	clear_bit(IGB_RING_FLAG_RX_SPLIT, &ring->flags);
}

/**
 * igb_rx_split_srrctl - program a split ring's buffer sizes and split types
 * @adapter: board private structure
 * @ring: the rx ring
 * @srrctl: the SRRCTL bits igb sets for every ring (drop enable)
 *
 * Return: the SRRCTL value for @ring.
 */
u32 igb_rx_split_srrctl(struct igb_adapter *adapter, struct igb_ring *ring,
			u32 srrctl)
{
	struct e1000_hw *hw = &adapter->hw;
	u32 psrtype;

	psrtype = rd32(E1000_PSRTYPE(ring->reg_idx & 0x7));
	psrtype |= E1000_PSRTYPE_L2HDR | E1000_PSRTYPE_IPV4HDR |
		   E1000_PSRTYPE_IPV6HDR | E1000_PSRTYPE_TCPHDR |
		   E1000_PSRTYPE_UDPHDR;
	wr32(E1000_PSRTYPE(ring->reg_idx & 0x7), psrtype);

	/* No timestamp in the packet buffer: it would sit in front of the
	 * payload, which may be memory the CPU cannot read.
	 */
	srrctl |= IGB_RX_HDR_LEN << E1000_SRRCTL_BSIZEHDRSIZE_SHIFT;
	srrctl |= PAGE_SIZE >> E1000_SRRCTL_BSIZEPKT_SHIFT;
	srrctl |= E1000_SRRCTL_DESCTYPE_HDR_SPLIT_ALWAYS;
	return srrctl;
}

/**
 * igb_rx_split_alloc - post header and payload buffers to a split ring
 * @ring: the rx ring
 * @count: number of descriptors to fill
 */
void igb_rx_split_alloc(struct igb_ring *ring, u16 count)
{
	union e1000_adv_rx_desc *rx_desc;
	u16 i = ring->next_to_use;

	if (!count)
		return;

	rx_desc = IGB_RX_DESC(ring, i);
	do {
		struct igb_rx_buffer *bi = &ring->rx_buffer_info[i];
		dma_addr_t hdr_dma;

		/* a payload buffer the last frame did not use is still here */
		if (!bi->netmem) {
			bi->netmem = page_pool_alloc_netmems(ring->pp,
							     GFP_ATOMIC |
							     __GFP_NOWARN);
			if (unlikely(!bi->netmem)) {
				ring->rx_stats.alloc_failed++;
				break;
			}
		}

		hdr_dma = page_pool_get_dma_addr(igb_rx_hdr_page(ring, i)) +
			  igb_rx_hdr_offset(i);
		dma_sync_single_range_for_device(ring->dev, hdr_dma, 0,
						 IGB_RX_HDR_LEN,
						 DMA_FROM_DEVICE);

		/* both addresses: each write-back overwrites them */
		rx_desc->read.pkt_addr =
			cpu_to_le64(page_pool_get_dma_addr_netmem(bi->netmem));
		rx_desc->read.hdr_addr = cpu_to_le64(hdr_dma);

		rx_desc++;
		i++;
		if (unlikely(i == ring->count)) {
			rx_desc = IGB_RX_DESC(ring, 0);
			i = 0;
		}

		/* the next descriptor is not the device's: no DD there */
		rx_desc->wb.upper.status_error = 0;
	} while (--count);

	if (ring->next_to_use != i) {
		ring->next_to_use = i;
		ring->next_to_alloc = i;
		/* descriptors are written before the device may fetch them */
		dma_wmb();
		writel(i, ring->tail);
	}
}

/* The skb of a frame's first descriptor: a copy of its header buffer. */
static struct sk_buff *igb_rx_split_head(struct igb_ring *ring,
					 union e1000_adv_rx_desc *rx_desc,
					 u16 ntc)
{
	u16 hdr_info = le16_to_cpu(rx_desc->wb.lower.lo_dword.hdr_info);
	struct page *page = igb_rx_hdr_page(ring, ntc);
	unsigned int off = igb_rx_hdr_offset(ntc);
	dma_addr_t dma = page_pool_get_dma_addr(page) + off;
	struct sk_buff *skb;
	unsigned int hlen;

	/* the header length; beyond the buffer (HBO) only the buffer's worth
	 * was written and the rest of the header is in the packet buffer
	 */
	hlen = (hdr_info & E1000_RXDADV_HDRBUFLEN_MASK) >>
	       E1000_RXDADV_HDRBUFLEN_SHIFT;
	hlen = min_t(unsigned int, hlen, IGB_RX_HDR_LEN);

	skb = napi_alloc_skb(&ring->q_vector->napi, IGB_RX_HDR_LEN);
	if (unlikely(!skb))
		return NULL;

	dma_sync_single_range_for_cpu(ring->dev, dma, 0, hlen,
				      DMA_FROM_DEVICE);
	skb_put_data(skb, page_address(page) + off, hlen);
	skb_mark_for_recycle(skb);
	return skb;
}

/* Attach the payload buffer of @bi (@size bytes) to @skb. */
static bool igb_rx_split_add_frag(struct igb_ring *ring,
				  struct igb_rx_buffer *bi,
				  struct sk_buff *skb, unsigned int size)
{
	unsigned int nr = skb_shinfo(skb)->nr_frags;

	if (unlikely(nr >= MAX_SKB_FRAGS))
		return false;

	page_pool_dma_sync_netmem_for_cpu(ring->pp, bi->netmem, 0, size);
	skb_add_rx_frag_netmem(skb, nr, bi->netmem, 0, size, PAGE_SIZE);
	bi->netmem = 0;
	return true;
}

/**
 * igb_clean_rx_irq_split - receive on a header-split ring
 * @q_vector: the vector of the ring
 * @budget: most frames to pass up
 *
 * Return: the number of frames passed up or dropped, at most @budget.
 */
int igb_clean_rx_irq_split(struct igb_q_vector *q_vector, const int budget)
{
	unsigned int total_bytes = 0, total_packets = 0, total_split = 0;
	struct igb_ring *ring = q_vector->rx.ring;
	u16 cleaned_count = igb_desc_unused(ring);
	struct sk_buff *skb = ring->skb;
	int done = 0;

	while (likely(done < budget)) {
		union e1000_adv_rx_desc *rx_desc;
		u16 ntc = ring->next_to_clean;
		struct igb_rx_buffer *bi;
		unsigned int size;

		if (cleaned_count >= IGB_RX_BUFFER_WRITE) {
			igb_rx_split_alloc(ring, cleaned_count);
			cleaned_count = 0;
		}

		rx_desc = IGB_RX_DESC(ring, ntc);
		if (!igb_test_staterr(rx_desc, E1000_RXD_STAT_DD))
			break;

		/* no other field before the device is done with the descriptor */
		dma_rmb();

		bi = &ring->rx_buffer_info[ntc];
		size = le16_to_cpu(rx_desc->wb.upper.length);

		if (!skb) {
			skb = igb_rx_split_head(ring, rx_desc, ntc);
			if (!skb) {
				ring->rx_stats.alloc_failed++;
				break;
			}
			if (le16_to_cpu(rx_desc->wb.lower.lo_dword.hdr_info) &
			    E1000_RXDADV_SPH)
				total_split++;
		}

		/* a frame with more buffers than an skb has frags is dropped
		 * whole: its remaining buffers stay on the ring
		 */
		if (size && !IS_ERR(skb) &&
		    !igb_rx_split_add_frag(ring, bi, skb, size)) {
			ring->rx_stats.drops++;
			dev_kfree_skb_any(skb);
			skb = ERR_PTR(-EMSGSIZE);
		}
		cleaned_count++;

		if (igb_is_non_eop(ring, rx_desc))
			continue;

		if (IS_ERR(skb)) {
			skb = NULL;
			done++;
			continue;
		}

		/* the stack reads the Ethernet header from the linear part */
		if (unlikely(!pskb_may_pull(skb, ETH_HLEN))) {
			ring->rx_stats.drops++;
			dev_kfree_skb_any(skb);
			skb = NULL;
			done++;
			continue;
		}

		if (igb_cleanup_headers(ring, rx_desc, skb)) {
			skb = NULL;
			done++;
			continue;
		}

		total_bytes += skb->len;
		igb_process_skb_fields(ring, rx_desc, skb);
		napi_gro_receive(&q_vector->napi, skb);
		skb = NULL;
		total_packets++;
		done++;
	}

	/* a frame that spans the end of this poll continues in the next */
	ring->skb = skb;

	u64_stats_update_begin(&ring->rx_syncp);
	ring->rx_stats.packets += total_packets;
	ring->rx_stats.bytes += total_bytes;
	ring->rx_stats.hds_packets += total_split;
	u64_stats_update_end(&ring->rx_syncp);
	q_vector->rx.total_packets += total_packets;
	q_vector->rx.total_bytes += total_bytes;

	if (cleaned_count)
		igb_rx_split_alloc(ring, cleaned_count);

	return done;
}
