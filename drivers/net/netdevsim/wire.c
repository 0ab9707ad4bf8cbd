// SPDX-License-Identifier: GPL-2.0
/*
 * netdevsim rx delivery: what the link between two ports hands the receiver.
 *
 * Set per port in debugfs, ports/<port>/rx_delivery:
 *
 * "hw-gro" (the default) delivers the sender's GSO packets whole, up to
 * 64 KiB, like a NIC that coalesces a flow's segments in hardware (HW-GRO,
 * LRO); the receiving queue passes them up with netif_receive_skb().
 *
 * "wire" delivers what a wire carries: the sender cuts each GSO packet into
 * MTU-sized frames, as a NIC doing TSO does, and each frame is steered to an
 * rx queue and takes a slot of its ring on its own. The receiving queue
 * splits each frame as before and hands it to GRO, which rebuilds large
 * packets as it does behind a real NIC: a frame's payload becomes a
 * fragment of the packet being built, and once MAX_SKB_FRAGS are used
 * further frames are chained in its frag_list.
 *
 * The setting belongs to the receiving port and rules both halves of the
 * link towards it: the peer segments what it sends to a "wire" port, whose
 * NAPI poll uses GRO. One knob cannot leave a link half set up, such as a
 * segmenting sender feeding a port that skips GRO. A change applies to the
 * next packet sent and the next NAPI poll.
 *
 * Checksums: segments of a CHECKSUM_PARTIAL packet stay CHECKSUM_PARTIAL,
 * as every frame netdevsim forwards does: like veth, the link is trusted.
 * The stack accepts that state on receive (skb_csum_unnecessary()) and GRO
 * does not validate it (__skb_gro_checksum_validate_needed()); header split
 * frames are CHECKSUM_UNNECESSARY, as from a NIC that checked them.
 */

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <net/gso.h>
#include <net/sock.h>

#include "netdevsim.h"

static const char * const nsim_rx_delivery_names[] = {
	[NSIM_RX_DELIVERY_HW_GRO]	= "hw-gro",
	[NSIM_RX_DELIVERY_WIRE]		= "wire",
};

/**
 * nsim_wire_xmit() - send a GSO packet as the frames it stands for
 * @ns: the sending device
 * @peer_ns: the receiving device, whose rx delivery is "wire"
 * @skb: the GSO packet, data at its Ethernet header; consumed
 *
 * The packet is cut with the sending device's features, GSO excepted:
 * the frames share its pages and leave their checksums to the "hardware".
 * Each frame reaches the peer on its own: steered, and dropped if its rx
 * ring is full. The device counts frames, sent and dropped.
 *
 * Context: the transmit path, under RCU with BHs disabled.
 */
void nsim_wire_xmit(struct netdevsim *ns, struct netdevsim *peer_ns,
		    struct sk_buff *skb)
{
	netdev_features_t features = ns->netdev->features & ~NETIF_F_GSO_MASK;
	unsigned int packets = 0, bytes = 0, dropped = 0;
	struct sk_buff *segs, *seg, *next;

	segs = skb_gso_segment(skb, features);
	if (IS_ERR(segs)) {
		kfree_skb(skb);
		dropped++;
		goto out;
	}
	if (segs)
		consume_skb(skb);
	else
		segs = skb;	/* nothing to cut */

	skb_list_walk_safe(segs, seg, next) {
		unsigned int len = seg->len;

		skb_mark_not_on_list(seg);
		if (nsim_xmit_frame(peer_ns, seg) == NET_RX_DROP) {
			dropped++;
			continue;
		}
		packets++;
		bytes += len;
	}

out:
	u64_stats_update_begin(&ns->syncp);
	ns->tx_packets += packets;
	ns->tx_bytes += bytes;
	ns->tx_dropped += dropped;
	u64_stats_update_end(&ns->syncp);
}

/**
 * nsim_wire_rx() - pass a frame received from the wire up through GRO
 * @rq: the rx queue the frame was steered to
 * @skb: the frame, data at its network header; consumed
 *
 * A frame that was not header split may still belong to the sending socket
 * (__dev_forward_skb() keeps skb->sk). GRO must not move that ownership
 * from one packet to another: let it go first, as veth does.
 *
 * Context: the queue's NAPI poll.
 */
void nsim_wire_rx(struct nsim_rq *rq, struct sk_buff *skb)
{
	skb_prepare_for_gro(skb);
	napi_gro_receive(&rq->napi, skb);
}

static ssize_t nsim_rx_delivery_read(struct file *file, char __user *data,
				     size_t count, loff_t *ppos)
{
	struct netdevsim *ns = file->private_data;
	char buf[16];
	int len;

	len = scnprintf(buf, sizeof(buf), "%s\n",
			nsim_rx_delivery_names[READ_ONCE(ns->rx_delivery)]);
	return simple_read_from_buffer(data, count, ppos, buf, len);
}

static ssize_t nsim_rx_delivery_write(struct file *file,
				      const char __user *data,
				      size_t count, loff_t *ppos)
{
	struct netdevsim *ns = file->private_data;
	char buf[16];
	int mode;

	if (*ppos || count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, data, count))
		return -EFAULT;
	buf[count] = '\0';

	mode = sysfs_match_string(nsim_rx_delivery_names, buf);
	if (mode < 0)
		return mode;

	WRITE_ONCE(ns->rx_delivery, mode);
	return count;
}

static const struct file_operations nsim_rx_delivery_fops = {
	.open = simple_open,
	.read = nsim_rx_delivery_read,
	.write = nsim_rx_delivery_write,
	.llseek = generic_file_llseek,
	.owner = THIS_MODULE,
};

void nsim_rx_delivery_init(struct netdevsim *ns)
{
	ns->rx_delivery_dfs = debugfs_create_file("rx_delivery", 0600,
						  ns->nsim_dev_port->ddir, ns,
						  &nsim_rx_delivery_fops);
}

void nsim_rx_delivery_uninit(struct netdevsim *ns)
{
	debugfs_remove(ns->rx_delivery_dfs);
	ns->rx_delivery_dfs = NULL;
}
