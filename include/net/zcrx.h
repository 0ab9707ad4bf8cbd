/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Zero-copy receive: binding memory providers to netdev rx queues.
 *
 * A memory provider (io_uring zcrx, dma-buf devmem) takes over one rx queue
 * of any driver that implements &struct netdev_queue_mgmt_ops and splits
 * TCP headers from payload. This layer binds the provider, restarts the
 * queue so that the driver's new page pool takes memory from it, and holds
 * the device to the header-split settings the binding needs until the last
 * binding is closed. See Documentation/networking/zcrx.rst.
 */
#ifndef _NET_ZCRX_H
#define _NET_ZCRX_H

#include <linux/errno.h>
#include <linux/types.h>
#include <net/page_pool/types.h>

struct kernel_ethtool_ringparam;
struct net_device;
struct netlink_ext_ack;

/**
 * struct netdev_zcrx_caps - what a device offers zero-copy receive
 * @queue_mgmt: the driver implements every rx queue management op, so a
 *	queue can be restarted with a memory provider
 * @hds_settable: tcp-data-split can be set (%ETHTOOL_RING_USE_TCP_DATA_SPLIT)
 * @hds_thresh_settable: hds-thresh can be set (%ETHTOOL_RING_USE_HDS_THRS)
 * @tcp_data_split: current header split setting, ``ETHTOOL_TCP_DATA_SPLIT_*``
 * @hds_thresh: current header split threshold; 0 when the driver does not
 *	report one, which means it splits every packet while split is on
 * @hds_thresh_max: largest threshold the driver accepts
 */
struct netdev_zcrx_caps {
	bool queue_mgmt;
	bool hds_settable;
	bool hds_thresh_settable;
	u8 tcp_data_split;
	u32 hds_thresh;
	u32 hds_thresh_max;
};

#if IS_ENABLED(CONFIG_NET_ZCRX)
int netdev_zcrx_query(struct net_device *dev, struct netdev_zcrx_caps *caps);

int net_mp_open_rxq(struct net_device *dev, unsigned int rxq_idx,
		    const struct pp_memory_provider_params *p,
		    struct netlink_ext_ack *extack);
int __net_mp_open_rxq(struct net_device *dev, unsigned int rxq_idx,
		      const struct pp_memory_provider_params *p,
		      struct netlink_ext_ack *extack);
void net_mp_close_rxq(struct net_device *dev, unsigned int rxq_idx,
		      const struct pp_memory_provider_params *old_p);
void __net_mp_close_rxq(struct net_device *dev, unsigned int rxq_idx,
			const struct pp_memory_provider_params *old_p);

int netdev_zcrx_bound_rxq(const struct net_device *dev, unsigned int from);
int netdev_zcrx_check_ringparam(const struct net_device *dev,
				const struct kernel_ethtool_ringparam *kr,
				struct netlink_ext_ack *extack);
int netdev_zcrx_check_channels(const struct net_device *dev, u32 rx_count,
			       struct netlink_ext_ack *extack);
int netdev_zcrx_check_xdp(const struct net_device *dev,
			  struct netlink_ext_ack *extack);
#else
static inline int netdev_zcrx_query(struct net_device *dev,
				    struct netdev_zcrx_caps *caps)
{
	return -EOPNOTSUPP;
}

static inline int net_mp_open_rxq(struct net_device *dev, unsigned int rxq_idx,
				  const struct pp_memory_provider_params *p,
				  struct netlink_ext_ack *extack)
{
	return -EOPNOTSUPP;
}

static inline int __net_mp_open_rxq(struct net_device *dev,
				    unsigned int rxq_idx,
				    const struct pp_memory_provider_params *p,
				    struct netlink_ext_ack *extack)
{
	return -EOPNOTSUPP;
}

static inline void net_mp_close_rxq(struct net_device *dev,
				    unsigned int rxq_idx,
				    const struct pp_memory_provider_params *old_p)
{
}

static inline void __net_mp_close_rxq(struct net_device *dev,
				      unsigned int rxq_idx,
				      const struct pp_memory_provider_params *old_p)
{
}

static inline int netdev_zcrx_bound_rxq(const struct net_device *dev,
					unsigned int from)
{
	return -ENOENT;
}

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
