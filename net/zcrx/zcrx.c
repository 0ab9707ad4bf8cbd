// SPDX-License-Identifier: GPL-2.0
/*
 * Zero-copy receive: bind memory providers to netdev rx queues.
 *
 * Everything here runs under rtnl. The state of a binding is the queue's
 * &struct pp_memory_provider_params and nothing else: the header-split
 * agreement below is derived from it, so it cannot outlive the last binding.
 * The split settings themselves are the core's (&net_device.ethtool), as
 * the user set them; drivers only honour them.
 *
 * Only netif_rxq_has_unreadable_mp() is exported: everything else is
 * called by built-in code (ethtool, XDP, io_uring, devmem).
 */

#include <linux/ethtool.h>
#include <linux/ethtool_netlink.h>
#include <linux/log2.h>
#include <linux/netdevice.h>
#include <linux/nospec.h>
#include <linux/rtnetlink.h>
#include <net/netdev_queues.h>
#include <net/netdev_rx_queue.h>
#include <net/page_pool/memory_provider.h>
#include <net/zcrx.h>

static bool netdev_zcrx_has_queue_ops(const struct net_device *dev)
{
	const struct netdev_queue_mgmt_ops *ops = dev->queue_mgmt_ops;

	return ops && ops->ndo_queue_mem_size && ops->ndo_queue_mem_alloc &&
	       ops->ndo_queue_mem_free && ops->ndo_queue_start &&
	       ops->ndo_queue_stop;
}

/* The lowest index >= @from of a bound rx queue, or -ENOENT. All queues,
 * not only the active ones: a driver may have shrunk those itself.
 */
static int netdev_zcrx_bound_rxq(const struct net_device *dev,
				 unsigned int from)
{
	unsigned int i;

	for (i = from; i < dev->num_rx_queues; i++)
		if (dev->_rx[i].mp_params.mp_ops)
			return i;
	return -ENOENT;
}

static bool mp_params_valid(const struct pp_memory_provider_params *p)
{
	const struct memory_provider_ops *ops = p->mp_ops;

	return p->mp_priv && ops && ops->alloc_netmems &&
	       ops->release_netmem && ops->init && ops->destroy;
}

/**
 * __net_mp_open_rxq() - bind a memory provider to an rx queue
 * @dev: the device, with rtnl held
 * @rxq_idx: the rx queue
 * @p: the provider; @p->mp_priv must identify this binding
 * @extack: where to say why the binding was refused, may be NULL
 *
 * Checks that the queue can take the provider and binds it. If the device
 * is up, restarts the queue and verifies that the driver's new page pool
 * took the provider. If it is down, only records the provider: the page
 * pools the driver creates when the device is opened take it, unchecked.
 * On any failure the queue is left as it was, with no provider.
 *
 * Return: 0 on success, or
 * -ENODEV if @dev is being unregistered (the caller found it before taking
 * rtnl),
 * -ERANGE if @rxq_idx is not an active rx queue,
 * -EOPNOTSUPP if the driver lacks the queue management ops or cannot split
 * headers (no %ETHTOOL_RING_USE_TCP_DATA_SPLIT),
 * -EINVAL if the user has not set tcp-data-split on or hds-thresh is not 0
 * (&net_device.ethtool: split only as a side effect of other settings does
 * not count),
 * -EEXIST if an XDP program is attached or the queue already has a
 * provider,
 * -EBUSY if AF_XDP uses the queue,
 * -EOPNOTSUPP if @p asks for buffers larger than a page (rx_page_size)
 * and the driver cannot post them, -EINVAL if they are larger than it can,
 * or the size is not a power of two above PAGE_SIZE,
 * or, on a running device, -ENODATA if the driver's new page pool did not
 * take the provider, or the error of the driver's queue ops.
 */
int __net_mp_open_rxq(struct net_device *dev, unsigned int rxq_idx,
		      const struct pp_memory_provider_params *p,
		      struct netlink_ext_ack *extack)
{
	const struct ethtool_netdev_state *cfg = dev->ethtool;
	struct netdev_rx_queue *rxq;
	int err;

	ASSERT_RTNL();

	/*
	 * Its unregistration uninstalls the providers of its queues under
	 * rtnl: a binding made after that would hold the device forever.
	 */
	if (dev->reg_state != NETREG_REGISTERED) {
		NL_SET_ERR_MSG_FMT(extack, "%s is being removed",
				   netdev_name(dev));
		return -ENODEV;
	}
	if (rxq_idx >= dev->real_num_rx_queues) {
		NL_SET_ERR_MSG_FMT(extack,
				   "rx queue index %u out of range: %s has %u rx queues",
				   rxq_idx, netdev_name(dev), dev->real_num_rx_queues);
		return -ERANGE;
	}
	rxq_idx = array_index_nospec(rxq_idx, dev->real_num_rx_queues);
	rxq = __netif_get_rx_queue(dev, rxq_idx);

	if (!netdev_zcrx_has_queue_ops(dev)) {
		NL_SET_ERR_MSG_FMT(extack,
				   "%s lacks rx queue management ops (queue_mgmt_ops)",
				   netdev_name(dev));
		return -EOPNOTSUPP;
	}
	if (!dev->ethtool_ops ||
	    !(dev->ethtool_ops->supported_ring_params &
	      ETHTOOL_RING_USE_TCP_DATA_SPLIT)) {
		NL_SET_ERR_MSG_FMT(extack,
				   "%s cannot split headers from payload (no tcp-data-split setting)",
				   netdev_name(dev));
		return -EOPNOTSUPP;
	}
	if (cfg->hds_config != ETHTOOL_TCP_DATA_SPLIT_ENABLED) {
		NL_SET_ERR_MSG_FMT(extack,
				   "tcp-data-split must be set on (ethtool -G %s tcp-data-split on)",
				   netdev_name(dev));
		return -EINVAL;
	}
	if (cfg->hds_thresh) {
		NL_SET_ERR_MSG_FMT(extack,
				   "hds-thresh is %u, must be 0 (ethtool -G %s hds-thresh 0)",
				   cfg->hds_thresh, netdev_name(dev));
		return -EINVAL;
	}
	/* -EEXIST, as devmem has returned since 6.12 and mainline does */
	if (dev_xdp_prog_count(dev)) {
		NL_SET_ERR_MSG_FMT(extack,
				   "%s has an XDP program attached: detach it first",
				   netdev_name(dev));
		return -EEXIST;
	}
	if (rxq->mp_params.mp_ops) {
		NL_SET_ERR_MSG_FMT(extack,
				   "rx queue %u already has a memory provider bound",
				   rxq_idx);
		return -EEXIST;
	}
#ifdef CONFIG_XDP_SOCKETS
	if (rxq->pool) {
		NL_SET_ERR_MSG_FMT(extack,
				   "rx queue %u is in use by AF_XDP",
				   rxq_idx);
		return -EBUSY;
	}
#endif
	if (WARN_ON_ONCE(!mp_params_valid(p)))
		return -EINVAL;
	if (p->rx_page_size) {
		u32 max = dev->queue_mgmt_ops->max_rx_page_size;

		if (!is_power_of_2(p->rx_page_size) ||
		    p->rx_page_size <= PAGE_SIZE)
			return -EINVAL;
		if (!max) {
			NL_SET_ERR_MSG_FMT(extack,
					   "%s cannot post rx buffers larger than a page",
					   netdev_name(dev));
			return -EOPNOTSUPP;
		}
		if (p->rx_page_size > max) {
			NL_SET_ERR_MSG_FMT(extack,
					   "rx buffer size %u above %s's maximum of %u",
					   p->rx_page_size, netdev_name(dev), max);
			return -EINVAL;
		}
	}

	rxq->mp_params = *p;
	/* A device that is down has no queue memory to replace: ndo_open
	 * creates the page pools, and the payload pool takes the provider.
	 */
	if (!netif_running(dev))
		return 0;
	err = __netdev_rx_queue_restart(dev, rxq_idx, extack);
	if (err)
		memset(&rxq->mp_params, 0, sizeof(rxq->mp_params));
	return err;
}

/**
 * net_mp_open_rxq() - bind a memory provider to an rx queue, taking rtnl
 * @dev: the device
 * @rxq_idx: the rx queue
 * @p: the provider
 * @extack: where to say why the binding was refused, may be NULL
 *
 * Return: see __net_mp_open_rxq().
 */
int net_mp_open_rxq(struct net_device *dev, unsigned int rxq_idx,
		    const struct pp_memory_provider_params *p,
		    struct netlink_ext_ack *extack)
{
	int ret;

	rtnl_lock();
	ret = __net_mp_open_rxq(dev, rxq_idx, p, extack);
	rtnl_unlock();
	return ret;
}

/**
 * __net_mp_close_rxq() - unbind a memory provider from an rx queue
 * @dev: the device, with rtnl held
 * @rxq_idx: the rx queue
 * @old_p: the provider, as passed to __net_mp_open_rxq()
 *
 * Unbinds the provider and restarts the queue with ordinary memory. Page
 * pools that still have the provider's memory in flight live on until it
 * comes back; the provider's &memory_provider_ops.destroy tells it when.
 * After the device was unregistered, the binding is already gone and this
 * does nothing.
 *
 * The restart can fail (the new queue memory cannot be allocated, the
 * driver cannot stop the queue). The queue is unbound all the same, so
 * that its next restart takes ordinary memory, but until then it keeps
 * running on the provider's page pool: the device may still DMA into the
 * provider's memory, which must stay mapped until that pool is destroyed.
 *
 * Return: 0 once no queue memory of the device uses the provider (also when
 * the device is down or was unregistered), or the restart's error: the
 * queue still runs on the provider's memory.
 */
int __net_mp_close_rxq(struct net_device *dev, unsigned int rxq_idx,
		       const struct pp_memory_provider_params *old_p)
{
	struct netdev_rx_queue *rxq;
	int err;

	ASSERT_RTNL();

	if (WARN_ON_ONCE(rxq_idx >= dev->num_rx_queues))
		return 0;
	rxq = __netif_get_rx_queue(dev, rxq_idx);

	/* Uninstalled when the device was unregistered. */
	if (!rxq->mp_params.mp_ops && dev->reg_state > NETREG_REGISTERED)
		return 0;

	/* The caller does not own this binding: a provider bug. */
	if (WARN_ON_ONCE(rxq->mp_params.mp_ops != old_p->mp_ops ||
			 rxq->mp_params.mp_priv != old_p->mp_priv))
		return 0;

	memset(&rxq->mp_params, 0, sizeof(rxq->mp_params));
	if (!netif_running(dev))
		return 0;
	err = netdev_rx_queue_restart(dev, rxq_idx);
	/* a driver whose rings went away with the device: nothing runs */
	if (!err || err == -ENETDOWN)
		return 0;
	netdev_warn(dev,
		    "rx queue %u could not restart without its memory provider (%pe): it keeps the provider's memory until its next restart\n",
		    rxq_idx, ERR_PTR(err));
	return err;
}

/**
 * net_mp_close_rxq() - unbind a memory provider from an rx queue, taking rtnl
 * @dev: the device
 * @rxq_idx: the rx queue
 * @old_p: the provider, as passed to net_mp_open_rxq()
 *
 * Return: see __net_mp_close_rxq().
 */
int net_mp_close_rxq(struct net_device *dev, unsigned int rxq_idx,
		     const struct pp_memory_provider_params *old_p)
{
	int ret;

	rtnl_lock();
	ret = __net_mp_close_rxq(dev, rxq_idx, old_p);
	rtnl_unlock();
	return ret;
}

/**
 * netif_rxq_has_unreadable_mp() - is a memory provider bound to an rx queue?
 * @dev: the device, with rtnl held
 * @idx: the rx queue
 *
 * A driver asks this when it creates the queue's payload page pool or
 * decides whether a restart can take a provider.
 *
 * Return: true if a provider is bound to rx queue @idx.
 */
bool netif_rxq_has_unreadable_mp(struct net_device *dev, int idx)
{
	return idx >= 0 && idx < dev->num_rx_queues &&
	       !!__netif_get_rx_queue(dev, idx)->mp_params.mp_ops;
}
EXPORT_SYMBOL_GPL(netif_rxq_has_unreadable_mp);

/**
 * dev_get_min_mp_channel_count() - rx channels the bound queues need
 * @dev: the device, with rtnl held
 *
 * Return: one more than the highest index of a bound rx queue, 0 if none.
 */
u32 dev_get_min_mp_channel_count(const struct net_device *dev)
{
	int i;

	ASSERT_RTNL();

	for (i = dev->num_rx_queues - 1; i >= 0; i--)
		if (dev->_rx[i].mp_params.mp_ops)
			return i + 1;
	return 0;
}

/**
 * netdev_zcrx_check_ringparam() - may the ring parameters change to @kr?
 * @dev: the device, with rtnl held
 * @kr: the ring parameters as they would be after the change
 * @extack: where to say why not, may be NULL
 *
 * Return: 0, or -EBUSY if a queue is bound and @kr turns header split off
 * or raises hds-thresh above 0. Only drivers that offer hds-thresh
 * (%ETHTOOL_RING_USE_HDS_THRS) are checked for it.
 */
int netdev_zcrx_check_ringparam(const struct net_device *dev,
				const struct kernel_ethtool_ringparam *kr,
				struct netlink_ext_ack *extack)
{
	const struct ethtool_ops *ops = dev->ethtool_ops;
	int idx = netdev_zcrx_bound_rxq(dev, 0);

	if (idx < 0)
		return 0;
	if (kr->tcp_data_split != ETHTOOL_TCP_DATA_SPLIT_ENABLED) {
		NL_SET_ERR_MSG_FMT(extack,
				   "rx queue %d is bound to a memory provider: tcp-data-split must stay on",
				   idx);
		return -EBUSY;
	}
	if ((ops->supported_ring_params & ETHTOOL_RING_USE_HDS_THRS) &&
	    kr->hds_thresh) {
		NL_SET_ERR_MSG_FMT(extack,
				   "rx queue %d is bound to a memory provider: hds-thresh must stay 0",
				   idx);
		return -EBUSY;
	}
	return 0;
}

/**
 * netdev_zcrx_check_channels() - may the rx queue count drop to @rx_count?
 * @dev: the device, with rtnl held
 * @rx_count: the number of rx queues after the change
 * @extack: where to say why not, may be NULL
 *
 * Return: 0, or -EBUSY if a queue at or above @rx_count is bound (the
 * message names the highest).
 */
int netdev_zcrx_check_channels(const struct net_device *dev, u32 rx_count,
			       struct netlink_ext_ack *extack)
{
	u32 need = dev_get_min_mp_channel_count(dev);

	if (rx_count >= need)
		return 0;
	NL_SET_ERR_MSG_FMT(extack,
			   "rx queue %u is bound to a memory provider: cannot reduce rx channels to %u",
			   need - 1, rx_count);
	return -EBUSY;
}

/**
 * netdev_zcrx_check_xdp() - may an XDP program or AF_XDP pool be attached?
 * @dev: the device, with rtnl held
 * @extack: where to say why not, may be NULL
 *
 * XDP reads and rewrites packet payload, which a memory provider may have
 * placed in memory the CPU cannot read.
 *
 * Return: 0, or -EBUSY if any rx queue is bound.
 */
int netdev_zcrx_check_xdp(const struct net_device *dev,
			  struct netlink_ext_ack *extack)
{
	int idx = netdev_zcrx_bound_rxq(dev, 0);

	if (idx < 0)
		return 0;
	NL_SET_ERR_MSG_FMT(extack,
			   "rx queue %d is bound to a memory provider: cannot attach an XDP program",
			   idx);
	return -EBUSY;
}
