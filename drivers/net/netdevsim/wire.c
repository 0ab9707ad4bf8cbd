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
 * Transmit completions: a frame the receiver copies into its own buffers
 * (header split) is done with on the receiving side, and the receiver
 * hands it back to the queue pair of its sender that sent it, whose NAPI
 * poll completes it, as a NIC's tx ring is cleaned on the sending host.
 * Freeing it on the receiving side instead ran the sending socket's
 * transmit work (tcp_wfree(), TCP small queues, the next GSO packet and
 * its segmentation) in the receiver's NAPI poll, and charged it there.
 * Frames passed up whole belong to the receiving stack until it lets go.
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

/**
 * nsim_tx_done() - hand a frame the device has taken off the link back
 * @ns: the receiving device
 * @skb: the frame, as its sender transmitted it; consumed
 *
 * The frame goes to the sender's queue pair that sent it, for that queue's
 * NAPI poll to complete (nsim_tx_complete()). A sender that has no link to
 * this device any more, or is down, has no one to complete it: the frame
 * is freed here. The sender purges what it was handed when it stops, after
 * a grace period that this function's read-side section ends before.
 *
 * Context: the receiving queue's NAPI poll.
 */
void nsim_tx_done(struct netdevsim *ns, struct sk_buff *skb)
{
	struct netdevsim *peer;
	unsigned int txq;
	struct nsim_rq *rq;

	rcu_read_lock();
	peer = rcu_dereference(ns->peer);
	if (!peer || !netif_running(peer->netdev)) {
		rcu_read_unlock();
		consume_skb(skb);
		return;
	}
	txq = skb_get_queue_mapping(skb);
	if (txq >= peer->netdev->num_rx_queues)
		txq = 0;
	rq = &peer->rq[txq];
	skb_queue_tail(&rq->tx_done, skb);
	napi_schedule(&rq->napi);
	rcu_read_unlock();
}

/**
 * nsim_tx_complete() - complete what the peer took from a queue pair
 * @rq: the queue pair
 * @budget: the NAPI poll's budget, 0 from netpoll
 *
 * Frees the frames, and with them the sending sockets' memory charges.
 * Completions do not count against the budget, as in NIC drivers.
 *
 * Context: the queue's NAPI poll.
 */
void nsim_tx_complete(struct nsim_rq *rq, int budget)
{
	struct sk_buff_head done;
	struct sk_buff *skb;
	unsigned long flags;
	u64 n = 0;

	if (skb_queue_empty_lockless(&rq->tx_done))
		return;

	__skb_queue_head_init(&done);
	spin_lock_irqsave(&rq->tx_done.lock, flags);
	skb_queue_splice_init(&rq->tx_done, &done);
	spin_unlock_irqrestore(&rq->tx_done.lock, flags);

	while ((skb = __skb_dequeue(&done))) {
		napi_consume_skb(skb, budget);
		n++;
	}
	atomic64_add(n, &rq->stats.tx_completed);
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
