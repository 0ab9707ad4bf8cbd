// SPDX-License-Identifier: GPL-2.0
/* Copyright(c) 2026 zcrx authors. */

/*
 * igb rx queue management: restart one rx queue with new memory while the
 * device and its other queues run, so that a memory provider bound to the
 * queue (io_uring zcrx, devmem) takes over its payload buffers.
 *
 * A queue's memory is a whole &struct igb_ring: descriptor ring, buffer
 * array, and with header split its header and payload page pools. The new
 * ring is set up beside the running one; stopping the queue disables it in
 * the device (RXDCTL.ENABLE, polled until the device lets go), quiesces the
 * vector's NAPI instance and moves the ring out; starting copies the new
 * ring in, programs the device, fills the descriptors and lets NAPI run.
 * The ring lives in its &struct igb_q_vector, so the vector's and the
 * adapter's pointers to it stay valid across the swap.
 *
 * The vector also cleans the queue's transmit ring: while NAPI is off,
 * completions wait and the stack can fill the tx ring, not overrun it.
 */

#include <linux/netdevice.h>
#include <net/netdev_queues.h>

#include "igb.h"

/* RXDCTL.ENABLE reads back 0 once the device stopped fetching */
#define IGB_RXDCTL_POLL_US	10
#define IGB_RXDCTL_POLL_MAX	1000

static int igb_queue_mem_alloc(struct net_device *dev, void *mem, int idx,
			       struct netlink_ext_ack *extack)
{
	struct igb_adapter *adapter = netdev_priv(dev);
	struct igb_ring *ring = adapter->rx_ring[idx];
	struct igb_ring *new = mem;
	int err;

	/* the same queue, vector and settings, with memory of its own */
	memcpy(new, ring, sizeof(*new));
	new->rx_buffer_info = NULL;
	new->desc = NULL;
	new->skb = NULL;
	err = igb_setup_rx_resources(new);
	if (err)
		NL_SET_ERR_MSG_FMT(extack,
				   "igb: no memory for a new ring of rx queue %d",
				   idx);
	return err;
}

static void igb_queue_mem_free(struct net_device *dev, void *mem)
{
	igb_free_rx_resources(mem);
}

static int igb_queue_stop(struct net_device *dev, void *mem, int idx)
{
	struct igb_adapter *adapter = netdev_priv(dev);
	struct igb_ring *ring = adapter->rx_ring[idx];
	struct e1000_hw *hw = &adapter->hw;
	unsigned int i;
	u32 rxdctl;

	/* no reset while the queue is out: it would program this ring */
	while (test_and_set_bit(__IGB_RESETTING, &adapter->state))
		usleep_range(1000, 2000);

	rxdctl = rd32(E1000_RXDCTL(ring->reg_idx));
	wr32(E1000_RXDCTL(ring->reg_idx), rxdctl & ~E1000_RXDCTL_QUEUE_ENABLE);
	for (i = 0; i < IGB_RXDCTL_POLL_MAX; i++) {
		if (!(rd32(E1000_RXDCTL(ring->reg_idx)) &
		      E1000_RXDCTL_QUEUE_ENABLE))
			break;
		usleep_range(IGB_RXDCTL_POLL_US, 2 * IGB_RXDCTL_POLL_US);
	}
	if (i == IGB_RXDCTL_POLL_MAX) {
		/* still fetching: the ring must stay where it is */
		netdev_err(dev, "rx queue %d did not stop\n", idx);
		wr32(E1000_RXDCTL(ring->reg_idx), rxdctl);
		clear_bit(__IGB_RESETTING, &adapter->state);
		return -ETIMEDOUT;
	}

	napi_disable(&ring->q_vector->napi);
	memcpy(mem, ring, sizeof(*ring));
	return 0;
}

static int igb_queue_start(struct net_device *dev, void *mem, int idx)
{
	struct igb_adapter *adapter = netdev_priv(dev);
	struct igb_ring *ring = adapter->rx_ring[idx];
	struct igb_ring *new = mem;

	/* the counters go on from where the stopped ring left them */
	new->rx_stats = ring->rx_stats;
	memcpy(ring, new, sizeof(*ring));

	igb_configure_rx_ring(adapter, ring);
	igb_alloc_rx_buffers(ring, igb_desc_unused(ring));

	napi_enable(&ring->q_vector->napi);
	/* frames that arrived while NAPI was off raised no interrupt it saw */
	local_bh_disable();
	napi_schedule(&ring->q_vector->napi);
	local_bh_enable();

	clear_bit(__IGB_RESETTING, &adapter->state);
	return 0;
}

const struct netdev_queue_mgmt_ops igb_queue_mgmt_ops = {
	.ndo_queue_mem_size	= sizeof(struct igb_ring),
	.ndo_queue_mem_alloc	= igb_queue_mem_alloc,
	.ndo_queue_mem_free	= igb_queue_mem_free,
	.ndo_queue_start	= igb_queue_start,
	.ndo_queue_stop		= igb_queue_stop,
};
