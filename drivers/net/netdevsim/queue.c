// SPDX-License-Identifier: GPL-2.0
/*
 * netdevsim rx queue management: per-queue memory that can be allocated,
 * swapped in and freed while the device runs, so that a memory provider
 * bound to a queue (io_uring zcrx, devmem) supplies its payload buffers.
 *
 * Each queue has two page pools, like a header-split NIC: one for headers,
 * which the CPU always reads, and one for payload, created with
 * PP_FLAG_ALLOW_UNREADABLE_NETMEM so that a bound provider takes it over.
 * The payload buffers are pages, or as large as the bound provider asks
 * (up to NSIM_MAX_RX_PAGE_SIZE): the device fills one with up to that many
 * bytes of a frame, as a NIC posting large rx buffers does.
 */

#include <linux/debugfs.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/netdev_queues.h>
#include <net/netdev_rx_queue.h>
#include <net/page_pool/helpers.h>

#include "netdevsim.h"

struct nsim_queue_mem {
	struct page_pool *pp;
	struct page_pool *data_pp;
};

/*
 * Buffers a pool recycles: as many as the rx ring has slots, and at least
 * one, as a pool_size of 0 asks the page pool for its default. A ring of
 * 0 takes no frame anyway.
 */
static unsigned int nsim_pool_size(const struct netdevsim *ns)
{
	return max(nsim_rx_ring(ns), 1U);
}

static struct page_pool *nsim_header_pool_create(struct netdevsim *ns,
						 unsigned int idx)
{
	struct page_pool_params p = {
		.order = 0,
		.pool_size = nsim_pool_size(ns),
		.nid = NUMA_NO_NODE,
		.dev = &ns->netdev->dev,
		.dma_dir = DMA_BIDIRECTIONAL,
		.netdev = ns->netdev,
	};

	return page_pool_create(&p);
}

static struct page_pool *nsim_data_pool_create(struct netdevsim *ns,
					       unsigned int idx)
{
	u32 size = netif_rxq_page_size(ns->netdev, idx);
	struct page_pool_params p = {
		.flags = PP_FLAG_DMA_MAP | PP_FLAG_DMA_SYNC_DEV |
			 PP_FLAG_ALLOW_UNREADABLE_NETMEM,
		.order = get_order(size),
		.pool_size = nsim_pool_size(ns),
		.nid = NUMA_NO_NODE,
		.dev = &ns->nsim_bus_dev->dev,
		.dma_dir = DMA_FROM_DEVICE,
		.max_len = size,
		.netdev = ns->netdev,
		.queue_idx = idx,
	};

	/* a driver whose payload pool cannot take a memory provider */
	if (READ_ONCE(ns->queue_fail.no_unreadable))
		p.flags &= ~PP_FLAG_ALLOW_UNREADABLE_NETMEM;
	return page_pool_create(&p);
}

/*
 * The pools are not tied to the queue's NAPI instance (no direct recycling):
 * a restart frees the old pools after the queue's NAPI runs again, and a
 * pool tied to a running NAPI cannot be destroyed.
 */

/**
 * nsim_rq_create_pools() - create the header and payload pools of a queue
 * @ns: the device
 * @idx: the rx queue
 * @pp: set to the header pool
 * @data_pp: set to the payload pool
 *
 * Each pool recycles as many buffers as the rx ring has slots, as drivers
 * size theirs: a smaller cache sends the buffers that sockets held back to
 * the page allocator when they come back in a burst.
 *
 * Return: 0 or the page pool's error; on error nothing is left allocated.
 */
int nsim_rq_create_pools(struct netdevsim *ns, unsigned int idx,
			 struct page_pool **pp, struct page_pool **data_pp)
{
	struct page_pool *hdr, *data;

	hdr = nsim_header_pool_create(ns, idx);
	if (IS_ERR(hdr))
		return PTR_ERR(hdr);

	data = nsim_data_pool_create(ns, idx);
	if (IS_ERR(data)) {
		page_pool_destroy(hdr);
		return PTR_ERR(data);
	}

	*pp = hdr;
	*data_pp = data;
	return 0;
}

/* A debugfs failure knob fires once, then resets itself. */
static bool nsim_queue_fail_once(bool *knob)
{
	if (!*knob)
		return false;
	*knob = false;
	return true;
}

static int nsim_queue_mem_alloc(struct net_device *dev, void *per_queue_mem,
				int idx, struct netlink_ext_ack *extack)
{
	struct nsim_queue_mem *qmem = per_queue_mem;
	struct netdevsim *ns = netdev_priv(dev);

	if (!netif_running(dev))
		return -ENETDOWN;
	if (nsim_queue_fail_once(&ns->queue_fail.mem_alloc))
		return -ENOMEM;

	return nsim_rq_create_pools(ns, idx, &qmem->pp, &qmem->data_pp);
}

static void nsim_queue_mem_free(struct net_device *dev, void *per_queue_mem)
{
	struct nsim_queue_mem *qmem = per_queue_mem;

	page_pool_destroy(qmem->data_pp);
	page_pool_destroy(qmem->pp);
	qmem->data_pp = NULL;
	qmem->pp = NULL;
}

static int nsim_queue_stop(struct net_device *dev, void *per_queue_mem,
			   int idx)
{
	struct nsim_queue_mem *qmem = per_queue_mem;
	struct netdevsim *ns = netdev_priv(dev);
	struct nsim_rq *rq = &ns->rq[idx];

	if (nsim_queue_fail_once(&ns->queue_fail.stop))
		return -EIO;

	napi_disable(&rq->napi);
	qmem->pp = rq->page_pool;
	qmem->data_pp = rq->data_pool;
	rq->page_pool = NULL;
	rq->data_pool = NULL;
	return 0;
}

static int nsim_queue_start(struct net_device *dev, void *per_queue_mem,
			    int idx)
{
	struct nsim_queue_mem *qmem = per_queue_mem;
	struct netdevsim *ns = netdev_priv(dev);
	struct nsim_rq *rq = &ns->rq[idx];

	if (nsim_queue_fail_once(&ns->queue_fail.start))
		return -EIO;

	rq->page_pool = qmem->pp;
	rq->data_pool = qmem->data_pp;
	qmem->pp = NULL;
	qmem->data_pp = NULL;
	napi_enable(&rq->napi);
	/* packets queued by the peer while the queue was stopped */
	napi_schedule(&rq->napi);
	return 0;
}

static const struct netdev_queue_mgmt_ops nsim_queue_mgmt_ops = {
	.ndo_queue_mem_size	= sizeof(struct nsim_queue_mem),
	.ndo_queue_mem_alloc	= nsim_queue_mem_alloc,
	.ndo_queue_mem_free	= nsim_queue_mem_free,
	.ndo_queue_start	= nsim_queue_start,
	.ndo_queue_stop		= nsim_queue_stop,
	.max_rx_page_size	= NSIM_MAX_RX_PAGE_SIZE,
};

/* Writing a queue index restarts that rx queue, as a driver would on a
 * configuration change: its memory is allocated anew and swapped in.
 */
static ssize_t nsim_queue_reset_write(struct file *file,
				      const char __user *data,
				      size_t count, loff_t *ppos)
{
	struct netdevsim *ns = file->private_data;
	unsigned int idx;
	int ret;

	ret = kstrtouint_from_user(data, count, 0, &idx);
	if (ret)
		return ret;

	rtnl_lock();
	if (idx >= ns->netdev->real_num_rx_queues)
		ret = -ERANGE;
	else if (!netif_running(ns->netdev))
		ret = -ENETDOWN;
	else
		ret = netdev_rx_queue_restart(ns->netdev, idx);
	rtnl_unlock();

	return ret ? ret : count;
}

static const struct file_operations nsim_queue_reset_fops = {
	.open = simple_open,
	.write = nsim_queue_reset_write,
	.llseek = generic_file_llseek,
	.owner = THIS_MODULE,
};

void nsim_queue_mgmt_init(struct netdevsim *ns)
{
	struct dentry *dir;

	ns->netdev->queue_mgmt_ops = &nsim_queue_mgmt_ops;

	dir = debugfs_create_dir("queue", ns->nsim_dev_port->ddir);
	ns->queue_dfs = dir;
	debugfs_create_file("reset", 0200, dir, ns, &nsim_queue_reset_fops);
	debugfs_create_bool("fail_mem_alloc", 0600, dir,
			    &ns->queue_fail.mem_alloc);
	debugfs_create_bool("fail_stop", 0600, dir, &ns->queue_fail.stop);
	debugfs_create_bool("fail_start", 0600, dir, &ns->queue_fail.start);
	debugfs_create_bool("no_unreadable", 0600, dir,
			    &ns->queue_fail.no_unreadable);
}

void nsim_queue_mgmt_uninit(struct netdevsim *ns)
{
	debugfs_remove_recursive(ns->queue_dfs);
	ns->queue_dfs = NULL;
}
