/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Zero-copy receive: binding memory providers to netdev rx queues.
 *
 * A memory provider (io_uring zcrx, dma-buf devmem) takes over one rx queue
 * of any driver that implements &struct netdev_queue_mgmt_ops and splits
 * TCP headers from payload. This layer binds the provider, restarts the
 * queue so that the driver's new page pool takes memory from it, and holds
 * the device to the header-split settings the binding needs (the core's,
 * in &net_device.ethtool) until the last binding is closed. See
 * Documentation/networking/zcrx.rst.
 */
#ifndef _NET_ZCRX_H
#define _NET_ZCRX_H

#include <linux/types.h>
#include <net/page_pool/types.h>

struct kernel_ethtool_ringparam;
struct net_device;
struct netlink_ext_ack;

int net_mp_open_rxq(struct net_device *dev, unsigned int rxq_idx,
		    const struct pp_memory_provider_params *p,
		    struct netlink_ext_ack *extack);
int __net_mp_open_rxq(struct net_device *dev, unsigned int rxq_idx,
		      const struct pp_memory_provider_params *p,
		      struct netlink_ext_ack *extack);
int net_mp_close_rxq(struct net_device *dev, unsigned int rxq_idx,
		     const struct pp_memory_provider_params *old_p);
int __net_mp_close_rxq(struct net_device *dev, unsigned int rxq_idx,
		       const struct pp_memory_provider_params *old_p);

bool netif_rxq_has_unreadable_mp(struct net_device *dev, int idx);
u32 dev_get_min_mp_channel_count(const struct net_device *dev);

/* Called by ethtool and XDP, built without page pools too: the stubs. */
#if IS_ENABLED(CONFIG_NET_ZCRX)
int netdev_zcrx_check_ringparam(const struct net_device *dev,
				const struct kernel_ethtool_ringparam *kr,
				struct netlink_ext_ack *extack);
int netdev_zcrx_check_channels(const struct net_device *dev, u32 rx_count,
			       struct netlink_ext_ack *extack);
int netdev_zcrx_check_xdp(const struct net_device *dev,
			  struct netlink_ext_ack *extack);
#else
static inline int
netdev_zcrx_check_ringparam(const struct net_device *dev,
			    const struct kernel_ethtool_ringparam *kr,
			    struct netlink_ext_ack *extack)
{
	return 0;
}

static inline int netdev_zcrx_check_channels(const struct net_device *dev,
					     u32 rx_count,
					     struct netlink_ext_ack *extack)
{
	return 0;
}

static inline int netdev_zcrx_check_xdp(const struct net_device *dev,
					struct netlink_ext_ack *extack)
{
	return 0;
}
#endif

#endif /* _NET_ZCRX_H */
