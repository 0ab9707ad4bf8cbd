// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the zero-copy receive memory-provider layer.
 *
 * A fake driver (rx queue management ops, tcp-data-split offered, one page
 * pool per rx queue) and a fake memory provider (one net_iov area of
 * page-backed net_iovs) exercise binding and unbinding a provider, every
 * refusal, rollback when the driver fails, the header split agreement and
 * removal of the device while a queue is bound.
 *
 * The fake driver checks nothing itself: the header split settings are the
 * core's (&net_device.ethtool), set here as ethtool would set them or
 * through the core's own ethtool_set_ringparam_cfg(), and whatever is
 * refused is refused by the core.
 */

#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/bpf.h>
#include <linux/dma-mapping.h>
#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/gfp.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/sprintf.h>
#include <linux/stdarg.h>
#include <linux/string.h>
#include <net/netdev_queues.h>
#include <net/netdev_rx_queue.h>
#include <net/netlink.h>
#include <net/netmem.h>
#include <net/page_pool/helpers.h>
#include <net/page_pool/memory_provider.h>
#include <net/page_pool/types.h>
#include <net/zcrx.h>
#include <uapi/linux/ethtool_netlink.h>
#include <uapi/linux/netdev.h>

#include "../ethtool/common.h"

#define ZCRX_TEST_QUEUES	4
#define ZCRX_TEST_NIOVS		16
#define ZCRX_TEST_HDS_MAX	1024
#define ZCRX_TEST_POOL_SIZE	64
#define ZCRX_TEST_MSG_LEN	128
#define ZCRX_TEST_SET_MSG	"zcrx_test: cannot reconfigure the rings"

/* The fake memory provider */

/**
 * struct zcrx_test_mp - state of one fake provider binding
 * @test: the test that owns it
 * @area: the area of @niovs
 * @niovs: the provider's memory
 * @pages: the page behind each of @niovs
 * @dma: DMA address of each of @pages, when mapped
 * @nr_mapped: how many of @pages are mapped for @dma_dev
 * @dma_dev: the device the pages are mapped for, or NULL
 * @lock: protects @free and @nr_free
 * @free: stack of indices of the net_iovs no pool holds
 * @nr_free: entries in @free
 * @id: reported by the dma-buf shaped nl_fill()
 * @init_calls: calls of init()
 * @destroy_calls: calls of destroy()
 * @refs: references held by page pools, init() minus destroy()
 * @uninstall_calls: calls of uninstall()
 * @uninstall_rxq: queue index passed to the last uninstall()
 */
struct zcrx_test_mp {
	struct kunit *test;
	struct net_iov_area area;
	struct net_iov niovs[ZCRX_TEST_NIOVS];
	struct page *pages[ZCRX_TEST_NIOVS];
	dma_addr_t dma[ZCRX_TEST_NIOVS];
	unsigned int nr_mapped;
	struct device *dma_dev;
	spinlock_t lock; /* protects free and nr_free */
	unsigned int free[ZCRX_TEST_NIOVS];
	unsigned int nr_free;
	u32 id;
	int init_calls;
	int destroy_calls;
	int refs;
	int uninstall_calls;
	int uninstall_rxq;
};

static netmem_ref zcrx_mp_alloc_netmems(struct page_pool *pool, gfp_t gfp)
{
	struct zcrx_test_mp *mp = pool->mp_priv;
	struct net_iov *niov = NULL;

	spin_lock_bh(&mp->lock);
	if (mp->nr_free)
		niov = &mp->niovs[mp->free[--mp->nr_free]];
	spin_unlock_bh(&mp->lock);
	if (!niov)
		return 0;

	net_mp_niov_set_page_pool(pool, niov);
	return net_iov_to_netmem(niov);
}

static bool zcrx_mp_release_netmem(struct page_pool *pool, netmem_ref netmem)
{
	struct zcrx_test_mp *mp = pool->mp_priv;
	struct net_iov *niov = netmem_to_net_iov(netmem);

	net_mp_niov_clear_page_pool(niov);

	spin_lock_bh(&mp->lock);
	mp->free[mp->nr_free++] = net_iov_idx(niov);
	spin_unlock_bh(&mp->lock);

	/* The provider keeps its memory: the pool must not put_page() it. */
	return false;
}

static int zcrx_mp_init(struct page_pool *pool)
{
	struct zcrx_test_mp *mp = pool->mp_priv;

	if (pool->p.order)
		return -E2BIG;

	mp->init_calls++;
	mp->refs++;
	return 0;
}

static void zcrx_mp_destroy(struct page_pool *pool)
{
	struct zcrx_test_mp *mp = pool->mp_priv;

	mp->destroy_calls++;
	mp->refs--;
}

static int zcrx_mp_nl_fill(void *mp_priv, struct sk_buff *rsp,
			   struct netdev_rx_queue *rxq)
{
	int type = rxq ? NETDEV_A_QUEUE_IO_URING : NETDEV_A_PAGE_POOL_IO_URING;
	struct nlattr *nest;

	nest = nla_nest_start(rsp, type);
	if (!nest)
		return -EMSGSIZE;
	nla_nest_end(rsp, nest);
	return 0;
}

static void zcrx_mp_uninstall(void *mp_priv, struct netdev_rx_queue *rxq)
{
	struct zcrx_test_mp *mp = mp_priv;

	mp->uninstall_calls++;
	mp->uninstall_rxq = get_netdev_rx_queue_index(rxq);
}

/* Shaped like io_uring zcrx: an empty nest names the provider. */
static const struct memory_provider_ops zcrx_mp_ops = {
	.alloc_netmems		= zcrx_mp_alloc_netmems,
	.release_netmem		= zcrx_mp_release_netmem,
	.init			= zcrx_mp_init,
	.destroy		= zcrx_mp_destroy,
	.nl_fill		= zcrx_mp_nl_fill,
	.uninstall		= zcrx_mp_uninstall,
};

static int zcrx_mp_dmabuf_nl_fill(void *mp_priv, struct sk_buff *rsp,
				  struct netdev_rx_queue *rxq)
{
	const struct zcrx_test_mp *mp = mp_priv;
	int type = rxq ? NETDEV_A_QUEUE_DMABUF : NETDEV_A_PAGE_POOL_DMABUF;

	return nla_put_u32(rsp, type, mp->id);
}

/* Shaped like devmem: a u32 attribute carries the binding id. */
static const struct memory_provider_ops zcrx_mp_dmabuf_ops = {
	.alloc_netmems		= zcrx_mp_alloc_netmems,
	.release_netmem		= zcrx_mp_release_netmem,
	.init			= zcrx_mp_init,
	.destroy		= zcrx_mp_destroy,
	.nl_fill		= zcrx_mp_dmabuf_nl_fill,
	.uninstall		= zcrx_mp_uninstall,
};

/* Only the mandatory ops: nothing to report, nothing to uninstall. */
static const struct memory_provider_ops zcrx_mp_quiet_ops = {
	.alloc_netmems		= zcrx_mp_alloc_netmems,
	.release_netmem		= zcrx_mp_release_netmem,
	.init			= zcrx_mp_init,
	.destroy		= zcrx_mp_destroy,
};

static void zcrx_mp_free(void *arg)
{
	struct zcrx_test_mp *mp = arg;
	unsigned int i;

	/* Every pool that took the provider must be gone and have given all
	 * its memory back. If not, a pool may still touch @mp: leak it
	 * rather than free memory in use.
	 */
	KUNIT_EXPECT_EQ(mp->test, mp->init_calls, mp->destroy_calls);
	KUNIT_EXPECT_EQ(mp->test, mp->refs, 0);
	KUNIT_EXPECT_EQ(mp->test, mp->nr_free, ZCRX_TEST_NIOVS);
	if (mp->init_calls != mp->destroy_calls ||
	    mp->nr_free != ZCRX_TEST_NIOVS)
		return;

	for (i = 0; i < mp->nr_mapped; i++)
		dma_unmap_page(mp->dma_dev, mp->dma[i], PAGE_SIZE,
			       DMA_FROM_DEVICE);
	for (i = 0; i < ZCRX_TEST_NIOVS; i++)
		if (mp->pages[i])
			__free_page(mp->pages[i]);
	kfree(mp);
}

/* A provider of ZCRX_TEST_NIOVS pages, mapped for @dma_dev if not NULL. */
static struct zcrx_test_mp *zcrx_mp_create(struct kunit *test,
					   struct device *dma_dev,
					   enum net_iov_type type, u32 id)
{
	struct zcrx_test_mp *mp;
	unsigned int i;
	int ret;

	mp = kzalloc(sizeof(*mp), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mp);
	mp->test = test;
	mp->dma_dev = dma_dev;
	mp->id = id;
	spin_lock_init(&mp->lock);
	for (i = 0; i < ZCRX_TEST_NIOVS; i++)
		mp->free[i] = ZCRX_TEST_NIOVS - 1 - i;
	mp->nr_free = ZCRX_TEST_NIOVS;

	ret = kunit_add_action_or_reset(test, zcrx_mp_free, mp);
	KUNIT_ASSERT_EQ(test, ret, 0);

	for (i = 0; i < ZCRX_TEST_NIOVS; i++) {
		mp->pages[i] = alloc_page(GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, mp->pages[i]);
	}
	net_iov_area_init(&mp->area, mp->niovs, ZCRX_TEST_NIOVS, type, 0,
			  mp->pages);

	if (!dma_dev)
		return mp;

	/* Page pools sync provider memory for the device: map it for real */
	for (i = 0; i < ZCRX_TEST_NIOVS; i++) {
		dma_addr_t addr;

		addr = dma_map_page(dma_dev, mp->pages[i], 0, PAGE_SIZE,
				    DMA_FROM_DEVICE);
		KUNIT_ASSERT_FALSE(test, dma_mapping_error(dma_dev, addr));
		mp->dma[i] = addr;
		mp->nr_mapped++;
		KUNIT_ASSERT_FALSE(test,
				   net_mp_niov_set_dma_addr(&mp->niovs[i], addr));
	}
	return mp;
}

/* The fake driver */

/**
 * struct zcrx_test_priv - netdev_priv() of the fake device
 * @dma_dev: device the page pools map for
 * @cur: the page pool each rx queue is running with
 * @split_in_effect: the device splits headers anyway (say for a jumbo MTU
 *	or LRO): get_ringparam() reports tcp-data-split on, whatever the user
 *	set
 * @no_unreadable: create page pools without %PP_FLAG_ALLOW_UNREADABLE_NETMEM
 * @refuse_reason: refuse ndo_queue_mem_alloc() with -EOPNOTSUPP, saying
 *	this in the extack
 * @fail_alloc: fail ndo_queue_mem_alloc() with -ENOMEM, saying nothing
 * @fail_start_once: fail the next ndo_queue_start()
 * @fail_set: fail set_ringparam() with this errno, saying ZCRX_TEST_SET_MSG
 * @ringparam_calls: calls of get_ringparam()
 * @set_calls: calls of set_ringparam()
 * @set_hds_config: &net_device.ethtool's hds_config at the last
 *	set_ringparam()
 * @set_hds_thresh: &net_device.ethtool's hds_thresh at the last
 *	set_ringparam()
 * @set_split: tcp-data-split asked of the last set_ringparam()
 * @set_thresh: hds-thresh asked of the last set_ringparam()
 * @set_rx_pending: rx ring size asked of the last set_ringparam()
 * @alloc_calls: calls of ndo_queue_mem_alloc()
 * @free_calls: calls of ndo_queue_mem_free()
 * @start_calls: calls of ndo_queue_start()
 * @stop_calls: calls of ndo_queue_stop()
 * @bpf_calls: calls of ndo_bpf()
 * @pool_page_size: netif_rxq_page_size() at the last ndo_queue_mem_alloc()
 */
struct zcrx_test_priv {
	struct device *dma_dev;
	struct page_pool *cur[ZCRX_TEST_QUEUES];
	bool split_in_effect;
	bool no_unreadable;
	const char *refuse_reason;
	bool fail_alloc;
	bool fail_start_once;
	int fail_set;
	int ringparam_calls;
	int set_calls;
	u8 set_hds_config;
	u32 set_hds_thresh;
	u8 set_split;
	u32 set_thresh;
	u32 set_rx_pending;
	int alloc_calls;
	int free_calls;
	int start_calls;
	int stop_calls;
	int bpf_calls;
	u32 pool_page_size;
};

/* The driver's per queue memory: just the page pool. */
struct zcrx_test_qmem {
	struct page_pool *pool;
};

static struct page_pool *zcrx_test_pool_create(struct net_device *dev,
					       unsigned int idx)
{
	struct zcrx_test_priv *priv = netdev_priv(dev);
	struct page_pool_params pp = {
		.flags		= PP_FLAG_DMA_MAP | PP_FLAG_DMA_SYNC_DEV,
		.order		= 0,
		.pool_size	= ZCRX_TEST_POOL_SIZE,
		.nid		= NUMA_NO_NODE,
		.dev		= priv->dma_dev,
		.dma_dir	= DMA_FROM_DEVICE,
		.max_len	= PAGE_SIZE,
		.netdev		= dev,
		.queue_idx	= idx,
	};

	if (!priv->no_unreadable)
		pp.flags |= PP_FLAG_ALLOW_UNREADABLE_NETMEM;
	return page_pool_create(&pp);
}

static void zcrx_test_destroy_pools(struct net_device *dev)
{
	struct zcrx_test_priv *priv = netdev_priv(dev);
	unsigned int i;

	for (i = 0; i < ZCRX_TEST_QUEUES; i++) {
		page_pool_destroy(priv->cur[i]);
		priv->cur[i] = NULL;
	}
}

static int zcrx_test_ndo_open(struct net_device *dev)
{
	struct zcrx_test_priv *priv = netdev_priv(dev);
	unsigned int i;

	for (i = 0; i < dev->real_num_rx_queues; i++) {
		struct page_pool *pool = zcrx_test_pool_create(dev, i);

		if (IS_ERR(pool)) {
			zcrx_test_destroy_pools(dev);
			return PTR_ERR(pool);
		}
		priv->cur[i] = pool;
	}
	return 0;
}

static int zcrx_test_ndo_stop(struct net_device *dev)
{
	zcrx_test_destroy_pools(dev);
	return 0;
}

/* Pools still listed on the device when it goes would leak. */
static void zcrx_test_ndo_uninit(struct net_device *dev)
{
	zcrx_test_destroy_pools(dev);
}

static netdev_tx_t zcrx_test_start_xmit(struct sk_buff *skb,
					struct net_device *dev)
{
	dev_kfree_skb_any(skb);
	return NETDEV_TX_OK;
}

static int zcrx_test_ndo_bpf(struct net_device *dev, struct netdev_bpf *bpf)
{
	struct zcrx_test_priv *priv = netdev_priv(dev);

	priv->bpf_calls++;
	return 0;
}

static const struct net_device_ops zcrx_test_netdev_ops = {
	.ndo_uninit		= zcrx_test_ndo_uninit,
	.ndo_open		= zcrx_test_ndo_open,
	.ndo_stop		= zcrx_test_ndo_stop,
	.ndo_start_xmit		= zcrx_test_start_xmit,
	.ndo_bpf		= zcrx_test_ndo_bpf,
};

/* Reports only what the device does: split if it splits anyway, and the
 * largest hds-thresh it takes. The settings are the core's: the caller has
 * pre-filled them, and they are left as they are.
 */
static void zcrx_test_get_ringparam(struct net_device *dev,
				    struct ethtool_ringparam *ring,
				    struct kernel_ethtool_ringparam *kring,
				    struct netlink_ext_ack *extack)
{
	struct zcrx_test_priv *priv = netdev_priv(dev);

	priv->ringparam_calls++;
	ring->rx_max_pending = ZCRX_TEST_POOL_SIZE;
	ring->rx_pending = ZCRX_TEST_POOL_SIZE;
	if (priv->split_in_effect)
		kring->tcp_data_split = ETHTOOL_TCP_DATA_SPLIT_ENABLED;
	kring->hds_thresh_max = ZCRX_TEST_HDS_MAX;
}

/* Takes whatever it is given, noting what the core had recorded by then:
 * the refusals are the core's. Fails only when told to.
 */
static int zcrx_test_set_ringparam(struct net_device *dev,
				   struct ethtool_ringparam *ring,
				   struct kernel_ethtool_ringparam *kring,
				   struct netlink_ext_ack *extack)
{
	struct zcrx_test_priv *priv = netdev_priv(dev);

	priv->set_calls++;
	priv->set_hds_config = READ_ONCE(dev->ethtool->hds_config);
	priv->set_hds_thresh = READ_ONCE(dev->ethtool->hds_thresh);
	priv->set_split = kring->tcp_data_split;
	priv->set_thresh = kring->hds_thresh;
	priv->set_rx_pending = ring->rx_pending;
	if (priv->fail_set) {
		NL_SET_ERR_MSG(extack, ZCRX_TEST_SET_MSG);
		return priv->fail_set;
	}
	return 0;
}

static const struct ethtool_ops zcrx_test_ethtool_ops = {
	.supported_ring_params	= ETHTOOL_RING_USE_TCP_DATA_SPLIT |
				  ETHTOOL_RING_USE_HDS_THRS,
	.get_ringparam		= zcrx_test_get_ringparam,
	.set_ringparam		= zcrx_test_set_ringparam,
};

/* May split on its own, but offers no tcp-data-split setting. */
static const struct ethtool_ops zcrx_test_nosplit_ethtool_ops = {
	.get_ringparam		= zcrx_test_get_ringparam,
};

/* Offers tcp-data-split and reports nothing at all. */
static const struct ethtool_ops zcrx_test_silent_ethtool_ops = {
	.supported_ring_params	= ETHTOOL_RING_USE_TCP_DATA_SPLIT |
				  ETHTOOL_RING_USE_HDS_THRS,
};

static int zcrx_test_mem_alloc(struct net_device *dev, void *per_queue_mem,
			       int idx, struct netlink_ext_ack *extack)
{
	struct zcrx_test_priv *priv = netdev_priv(dev);
	struct zcrx_test_qmem *qmem = per_queue_mem;
	struct page_pool *pool;

	priv->alloc_calls++;
	if (priv->refuse_reason) {
		NL_SET_ERR_MSG_FMT(extack, "%s", priv->refuse_reason);
		return -EOPNOTSUPP;
	}
	if (priv->fail_alloc)
		return -ENOMEM;

	/* the size a driver's payload pool would take */
	priv->pool_page_size = netif_rxq_page_size(dev, idx);
	pool = zcrx_test_pool_create(dev, idx);
	if (IS_ERR(pool))
		return PTR_ERR(pool);
	qmem->pool = pool;
	return 0;
}

static void zcrx_test_mem_free(struct net_device *dev, void *per_queue_mem)
{
	struct zcrx_test_priv *priv = netdev_priv(dev);
	struct zcrx_test_qmem *qmem = per_queue_mem;

	priv->free_calls++;
	page_pool_destroy(qmem->pool);
	qmem->pool = NULL;
}

static int zcrx_test_queue_start(struct net_device *dev, void *per_queue_mem,
				 int idx)
{
	struct zcrx_test_priv *priv = netdev_priv(dev);
	struct zcrx_test_qmem *qmem = per_queue_mem;

	priv->start_calls++;
	if (priv->fail_start_once) {
		priv->fail_start_once = false;
		return -EIO;
	}
	priv->cur[idx] = qmem->pool;
	return 0;
}

static int zcrx_test_queue_stop(struct net_device *dev, void *per_queue_mem,
				int idx)
{
	struct zcrx_test_priv *priv = netdev_priv(dev);
	struct zcrx_test_qmem *qmem = per_queue_mem;

	priv->stop_calls++;
	qmem->pool = priv->cur[idx];
	priv->cur[idx] = NULL;
	return 0;
}

static const struct netdev_queue_mgmt_ops zcrx_test_queue_ops = {
	.ndo_queue_mem_size	= sizeof(struct zcrx_test_qmem),
	.ndo_queue_mem_alloc	= zcrx_test_mem_alloc,
	.ndo_queue_mem_free	= zcrx_test_mem_free,
	.ndo_queue_start	= zcrx_test_queue_start,
	.ndo_queue_stop		= zcrx_test_queue_stop,
};

/* As zcrx_test_queue_ops, and posts buffers of up to four pages. */
static const struct netdev_queue_mgmt_ops zcrx_test_big_queue_ops = {
	.ndo_queue_mem_size	= sizeof(struct zcrx_test_qmem),
	.ndo_queue_mem_alloc	= zcrx_test_mem_alloc,
	.ndo_queue_mem_free	= zcrx_test_mem_free,
	.ndo_queue_start	= zcrx_test_queue_start,
	.ndo_queue_stop		= zcrx_test_queue_stop,
	.max_rx_page_size	= 4 * PAGE_SIZE,
};

/* Everything but ndo_queue_stop(). */
static const struct netdev_queue_mgmt_ops zcrx_test_partial_queue_ops = {
	.ndo_queue_mem_size	= sizeof(struct zcrx_test_qmem),
	.ndo_queue_mem_alloc	= zcrx_test_mem_alloc,
	.ndo_queue_mem_free	= zcrx_test_mem_free,
	.ndo_queue_start	= zcrx_test_queue_start,
};

/* The per test fixture */

/**
 * struct zcrx_test_ctx - a registered, running fake device and two providers
 * @test: the test
 * @dma_dev: the device page pools map for
 * @dev: the fake net_device, zcrxt%d
 * @priv: netdev_priv(@dev)
 * @mp: io_uring shaped provider
 * @mp2: devmem shaped provider
 * @p: binding of @mp
 * @p2: binding of @mp2
 * @registered: @dev has not been unregistered yet
 */
struct zcrx_test_ctx {
	struct kunit *test;
	struct device *dma_dev;
	struct net_device *dev;
	struct zcrx_test_priv *priv;
	struct zcrx_test_mp *mp;
	struct zcrx_test_mp *mp2;
	struct pp_memory_provider_params p;
	struct pp_memory_provider_params p2;
	bool registered;
};

/* What the core records for ethtool -G <dev> tcp-data-split .. hds-thresh .. */
static void zcrx_test_set_hds(struct zcrx_test_ctx *ctx, u8 config, u32 thresh)
{
	rtnl_lock();
	WRITE_ONCE(ctx->dev->ethtool->hds_config, config);
	WRITE_ONCE(ctx->dev->ethtool->hds_thresh, thresh);
	rtnl_unlock();
}

static void zcrx_test_set_ethtool_ops(struct zcrx_test_ctx *ctx,
				      const struct ethtool_ops *ops)
{
	rtnl_lock();
	ctx->dev->ethtool_ops = ops;
	rtnl_unlock();
}

static bool zcrx_test_rxq_unbound(struct net_device *dev, unsigned int idx)
{
	const struct pp_memory_provider_params *p = &dev->_rx[idx].mp_params;

	return !p->mp_ops && !p->mp_priv;
}

static void zcrx_test_netdev_teardown(void *arg)
{
	struct zcrx_test_ctx *ctx = arg;
	struct net_device *dev = ctx->dev;
	unsigned int i;

	if (ctx->registered) {
		rtnl_lock();
		/* Every test closes the bindings it opened. */
		for (i = 0; i < dev->num_rx_queues; i++)
			KUNIT_EXPECT_TRUE_MSG(ctx->test,
					      zcrx_test_rxq_unbound(dev, i),
					      "rx queue %u left bound", i);
		unregister_netdevice(dev);
		rtnl_unlock();
		ctx->registered = false;
	}

	for (i = 0; i < dev->num_rx_queues; i++)
		KUNIT_EXPECT_TRUE_MSG(ctx->test, zcrx_test_rxq_unbound(dev, i),
				      "rx queue %u bound after unregister", i);
	for (i = 0; i < ZCRX_TEST_QUEUES; i++)
		KUNIT_EXPECT_NULL(ctx->test, ctx->priv->cur[i]);

	free_netdev(dev);
}

static int zcrx_dev_test_init(struct kunit *test)
{
	struct zcrx_test_priv *priv;
	struct zcrx_test_ctx *ctx;
	struct net_device *dev;
	unsigned int i;
	int ret;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->test = test;
	test->priv = ctx;

	ctx->dma_dev = kunit_device_register(test, "zcrx-test");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->dma_dev);
	ret = dma_coerce_mask_and_coherent(ctx->dma_dev, DMA_BIT_MASK(64));
	KUNIT_ASSERT_EQ(test, ret, 0);

	ctx->mp = zcrx_mp_create(test, ctx->dma_dev, NET_IOV_IOURING, 1);
	ctx->p.mp_priv = ctx->mp;
	ctx->p.mp_ops = &zcrx_mp_ops;
	ctx->mp2 = zcrx_mp_create(test, ctx->dma_dev, NET_IOV_DMABUF, 2);
	ctx->p2.mp_priv = ctx->mp2;
	ctx->p2.mp_ops = &zcrx_mp_dmabuf_ops;

	dev = alloc_netdev_mqs(sizeof(*priv), "zcrxt%d", NET_NAME_ENUM,
			       ether_setup, ZCRX_TEST_QUEUES, ZCRX_TEST_QUEUES);
	KUNIT_ASSERT_NOT_NULL(test, dev);
	dev->netdev_ops = &zcrx_test_netdev_ops;
	dev->ethtool_ops = &zcrx_test_ethtool_ops;
	dev->queue_mgmt_ops = &zcrx_test_queue_ops;
	eth_hw_addr_random(dev);
	/* No carrier: keep the stack from sending on the fake device */
	netif_carrier_off(dev);

	priv = netdev_priv(dev);
	priv->dma_dev = ctx->dma_dev;
	ctx->dev = dev;
	ctx->priv = priv;
	/* The user has set tcp-data-split on and hds-thresh 0 */
	zcrx_test_set_hds(ctx, ETHTOOL_TCP_DATA_SPLIT_ENABLED, 0);

	ret = kunit_add_action_or_reset(test, zcrx_test_netdev_teardown, ctx);
	KUNIT_ASSERT_EQ(test, ret, 0);

	rtnl_lock();
	ret = register_netdevice(dev);
	if (!ret) {
		ctx->registered = true;
		ret = dev_open(dev, NULL);
	}
	rtnl_unlock();
	KUNIT_ASSERT_EQ(test, ret, 0);

	for (i = 0; i < ZCRX_TEST_QUEUES; i++)
		KUNIT_ASSERT_NOT_NULL(test, priv->cur[i]);
	return 0;
}

static int zcrx_test_open(struct zcrx_test_ctx *ctx, unsigned int idx,
			  const struct pp_memory_provider_params *p,
			  struct netlink_ext_ack *extack)
{
	int ret;

	rtnl_lock();
	ret = __net_mp_open_rxq(ctx->dev, idx, p, extack);
	rtnl_unlock();
	return ret;
}

static int zcrx_test_close(struct zcrx_test_ctx *ctx, unsigned int idx,
			   const struct pp_memory_provider_params *p)
{
	int ret;

	rtnl_lock();
	ret = __net_mp_close_rxq(ctx->dev, idx, p);
	rtnl_unlock();
	return ret;
}

static void zcrx_test_unregister(struct zcrx_test_ctx *ctx)
{
	rtnl_lock();
	unregister_netdevice(ctx->dev);
	rtnl_unlock();
	ctx->registered = false;
}

static void zcrx_expect_extack(struct kunit *test,
			       const struct netlink_ext_ack *extack,
			       const char *needle)
{
	const char *msg = extack->_msg ?: "";

	KUNIT_EXPECT_TRUE_MSG(test, strstr(msg, needle),
			      "extack \"%s\" does not contain \"%s\"",
			      msg, needle);
}

static __printf(3, 0) void zcrx_expect_vmsg(struct kunit *test,
					     const struct netlink_ext_ack *extack,
					     const char *fmt, va_list args)
{
	char want[ZCRX_TEST_MSG_LEN];

	vsnprintf(want, sizeof(want), fmt, args);
	KUNIT_EXPECT_STREQ(test, extack->_msg ?: "(no message)", want);
}

/* The extack says exactly what @fmt says. */
static __printf(3, 4) void zcrx_expect_msg(struct kunit *test,
					    const struct netlink_ext_ack *extack,
					    const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	zcrx_expect_vmsg(test, extack, fmt, args);
	va_end(args);
}

static void zcrx_expect_no_binding(struct kunit *test,
				   struct zcrx_test_ctx *ctx)
{
	unsigned int i;

	for (i = 0; i < ZCRX_TEST_QUEUES; i++)
		KUNIT_EXPECT_TRUE_MSG(test, zcrx_test_rxq_unbound(ctx->dev, i),
				      "rx queue %u bound", i);
}

/* Opening queue @idx fails with @err, and the extack says exactly @fmt. */
static __printf(5, 6) void zcrx_expect_refused(struct kunit *test,
						struct zcrx_test_ctx *ctx,
						unsigned int idx, int err,
						const char *fmt, ...)
{
	struct netlink_ext_ack extack = {};
	va_list args;

	KUNIT_EXPECT_EQ(test, zcrx_test_open(ctx, idx, &ctx->p, &extack), err);
	va_start(args, fmt);
	zcrx_expect_vmsg(test, &extack, fmt, args);
	va_end(args);
}

/* Binding queue 1 is refused: the user has not set tcp-data-split on. */
static void zcrx_expect_split_refused(struct kunit *test,
				      struct zcrx_test_ctx *ctx)
{
	zcrx_expect_refused(test, ctx, 1, -EINVAL,
			    "tcp-data-split must be set on (ethtool -G %s tcp-data-split on)",
			    netdev_name(ctx->dev));
}

/* A refusal before the restart: no queue memory, no pool, no binding. */
static void zcrx_expect_untouched(struct kunit *test,
				  struct zcrx_test_ctx *ctx)
{
	KUNIT_EXPECT_EQ(test, ctx->priv->alloc_calls, 0);
	KUNIT_EXPECT_EQ(test, ctx->mp->init_calls, 0);
	zcrx_expect_no_binding(test, ctx);
}

/* The driver's queue management ops were called this often. */
static void zcrx_expect_queue_ops(struct kunit *test, struct zcrx_test_ctx *ctx,
				  int allocs, int frees, int stops, int starts)
{
	KUNIT_EXPECT_EQ(test, ctx->priv->alloc_calls, allocs);
	KUNIT_EXPECT_EQ(test, ctx->priv->free_calls, frees);
	KUNIT_EXPECT_EQ(test, ctx->priv->stop_calls, stops);
	KUNIT_EXPECT_EQ(test, ctx->priv->start_calls, starts);
}

static int zcrx_test_check_rings(struct zcrx_test_ctx *ctx, u8 split,
				 u32 thresh, struct netlink_ext_ack *extack)
{
	struct kernel_ethtool_ringparam kr = {
		.tcp_data_split	= split,
		.hds_thresh	= thresh,
		.hds_thresh_max	= ZCRX_TEST_HDS_MAX,
	};
	int ret;

	rtnl_lock();
	ret = netdev_zcrx_check_ringparam(ctx->dev, &kr, extack);
	rtnl_unlock();
	return ret;
}

static int zcrx_test_check_channels(struct zcrx_test_ctx *ctx, u32 combined,
				    u32 rx)
{
	struct ethtool_channels ch = {
		.cmd		= ETHTOOL_SCHANNELS,
		.combined_count	= combined,
		.rx_count	= rx,
	};
	int ret;

	rtnl_lock();
	ret = ethtool_check_max_channel(ctx->dev, ch, NULL);
	rtnl_unlock();
	return ret;
}

static int zcrx_test_check_xdp(struct zcrx_test_ctx *ctx,
			       struct netlink_ext_ack *extack)
{
	int ret;

	rtnl_lock();
	ret = netdev_zcrx_check_xdp(ctx->dev, extack);
	rtnl_unlock();
	return ret;
}

/* ethtool -G <dev> rx @rx_pending tcp-data-split @split hds-thresh @thresh,
 * as the netlink and the ioctl paths hand it to the core once parsed.
 */
static int zcrx_test_set_rings(struct zcrx_test_ctx *ctx, u8 split,
			       u32 thresh, u32 rx_pending,
			       struct netlink_ext_ack *extack)
{
	struct ethtool_ringparam rp = {
		.cmd		= ETHTOOL_SRINGPARAM,
		.rx_pending	= rx_pending,
	};
	struct kernel_ethtool_ringparam krp = {
		.tcp_data_split	= split,
		.hds_thresh	= thresh,
		.hds_thresh_max	= ZCRX_TEST_HDS_MAX,
	};
	int ret;

	if (extack)
		memset(extack, 0, sizeof(*extack));
	rtnl_lock();
	ret = ethtool_set_ringparam_cfg(ctx->dev, &rp, &krp, extack);
	rtnl_unlock();
	return ret;
}

/* The core's header split settings are @config and @thresh. */
static void zcrx_expect_hds(struct kunit *test, struct zcrx_test_ctx *ctx,
			    u8 config, u32 thresh)
{
	KUNIT_EXPECT_EQ(test, ctx->dev->ethtool->hds_config, config);
	KUNIT_EXPECT_EQ(test, ctx->dev->ethtool->hds_thresh, thresh);
}

/* The last set_ringparam() was asked for @config and @thresh, and found
 * them already recorded by the core.
 */
static void zcrx_expect_driver_saw(struct kunit *test,
				   struct zcrx_test_ctx *ctx, u8 config,
				   u32 thresh)
{
	KUNIT_EXPECT_EQ(test, ctx->priv->set_split, config);
	KUNIT_EXPECT_EQ(test, ctx->priv->set_thresh, thresh);
	KUNIT_EXPECT_EQ(test, ctx->priv->set_hds_config, config);
	KUNIT_EXPECT_EQ(test, ctx->priv->set_hds_thresh, thresh);
}

/* An XDP program as far as the core looks at one: whether it takes frags. */
static struct bpf_prog *zcrx_test_prog(struct kunit *test, bool frags)
{
	struct bpf_prog *prog;

	prog = kunit_kzalloc(test, sizeof(*prog), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, prog);
	prog->aux = kunit_kzalloc(test, sizeof(*prog->aux), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, prog->aux);
	prog->aux->xdp_has_frags = frags;
	return prog;
}

/* Hand @prog (NULL: detach) down to the device, with a fresh @extack. */
static int zcrx_test_propagate(struct zcrx_test_ctx *ctx,
			       struct bpf_prog *prog,
			       struct netlink_ext_ack *extack)
{
	struct netdev_bpf bpf = {
		.command	= XDP_SETUP_PROG,
		.prog		= prog,
		.extack		= extack,
	};
	int ret;

	memset(extack, 0, sizeof(*extack));
	rtnl_lock();
	ret = dev_xdp_propagate(ctx->dev, &bpf);
	rtnl_unlock();
	return ret;
}

/* Whatever mode a test moved the program to. */
static void zcrx_test_clear_xdp_prog(void *arg)
{
	struct net_device *dev = arg;
	int mode;

	rtnl_lock();
	for (mode = 0; mode < __MAX_XDP_MODE; mode++)
		dev->xdp_state[mode].prog = NULL;
	rtnl_unlock();
}

/* Attach @prog as ethtool and the zcrx layer see it, not through the
 * driver, and take it off again before the device goes: unregister would
 * hand it to ndo_bpf() and put it. A test may move it to another mode, or
 * swap it for another program: all modes are cleared.
 */
static void zcrx_test_attach_prog(struct kunit *test,
				  struct zcrx_test_ctx *ctx,
				  struct bpf_prog *prog)
{
	int ret;

	rtnl_lock();
	ctx->dev->xdp_state[XDP_MODE_DRV].prog = prog;
	rtnl_unlock();
	ret = kunit_add_action_or_reset(test, zcrx_test_clear_xdp_prog,
					ctx->dev);
	KUNIT_ASSERT_EQ(test, ret, 0);
}

/* zcrx_area: net_iov areas */

struct zcrx_area_fixture {
	struct net_iov_area area;
	struct net_iov niovs[ZCRX_TEST_NIOVS];
	struct page *pages[ZCRX_TEST_NIOVS];
};

static void zcrx_area_free_pages(void *arg)
{
	struct zcrx_area_fixture *f = arg;
	unsigned int i;

	for (i = 0; i < ZCRX_TEST_NIOVS; i++)
		if (f->pages[i])
			__free_page(f->pages[i]);
}

static struct zcrx_area_fixture *zcrx_area_create(struct kunit *test,
						  bool with_pages)
{
	struct zcrx_area_fixture *f;
	unsigned int i;
	int ret;

	f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f);
	ret = kunit_add_action_or_reset(test, zcrx_area_free_pages, f);
	KUNIT_ASSERT_EQ(test, ret, 0);
	if (!with_pages)
		return f;

	for (i = 0; i < ZCRX_TEST_NIOVS; i++) {
		f->pages[i] = alloc_page(GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, f->pages[i]);
	}
	return f;
}

static void zcrx_area_init(struct kunit *test)
{
	struct zcrx_area_fixture *f = zcrx_area_create(test, true);
	unsigned int i;

	/* net_iov_area_init() must not depend on what was there before */
	memset(f->niovs, 0xa5, sizeof(f->niovs));
	net_iov_area_init(&f->area, f->niovs, ZCRX_TEST_NIOVS,
			  NET_IOV_IOURING, 0x100000, f->pages);

	KUNIT_EXPECT_PTR_EQ(test, f->area.niovs, &f->niovs[0]);
	KUNIT_EXPECT_EQ(test, f->area.num_niovs, ZCRX_TEST_NIOVS);
	KUNIT_EXPECT_EQ(test, f->area.base_virtual, 0x100000UL);
	KUNIT_EXPECT_EQ(test, f->area.type, NET_IOV_IOURING);
	KUNIT_EXPECT_PTR_EQ(test, f->area.pages, &f->pages[0]);

	for (i = 0; i < ZCRX_TEST_NIOVS; i++) {
		struct net_iov *niov = &f->niovs[i];

		KUNIT_EXPECT_EQ(test, niov->pp_magic, 0UL);
		KUNIT_EXPECT_NULL(test, niov->pp);
		KUNIT_EXPECT_EQ(test, niov->dma_addr, 0UL);
		KUNIT_EXPECT_EQ(test, atomic_long_read(&niov->pp_ref_count), 0L);
	}
}

static void zcrx_area_idx_owner_type(struct kunit *test)
{
	struct zcrx_area_fixture *f = zcrx_area_create(test, false);
	unsigned int i;

	net_iov_area_init(&f->area, f->niovs, ZCRX_TEST_NIOVS, NET_IOV_DMABUF,
			  0, NULL);
	for (i = 0; i < ZCRX_TEST_NIOVS; i++) {
		struct net_iov *niov = &f->niovs[i];

		KUNIT_EXPECT_EQ(test, net_iov_idx(niov), i);
		KUNIT_EXPECT_PTR_EQ(test, net_iov_owner(niov), &f->area);
		KUNIT_EXPECT_EQ(test, net_iov_type(niov), NET_IOV_DMABUF);
	}

	net_iov_area_init(&f->area, f->niovs, ZCRX_TEST_NIOVS, NET_IOV_IOURING,
			  0, NULL);
	for (i = 0; i < ZCRX_TEST_NIOVS; i++)
		KUNIT_EXPECT_EQ(test, net_iov_type(&f->niovs[i]),
				NET_IOV_IOURING);
}

static void zcrx_area_virtual_addr(struct kunit *test)
{
	const unsigned long base = 0x40000000UL & PAGE_MASK;
	struct zcrx_area_fixture *f = zcrx_area_create(test, false);
	unsigned int i;

	net_iov_area_init(&f->area, f->niovs, ZCRX_TEST_NIOVS, NET_IOV_IOURING,
			  base, NULL);
	for (i = 0; i < ZCRX_TEST_NIOVS; i++)
		KUNIT_EXPECT_EQ(test, net_iov_virtual_addr(&f->niovs[i]),
				base + ((unsigned long)i << PAGE_SHIFT));

	net_iov_area_init(&f->area, f->niovs, ZCRX_TEST_NIOVS, NET_IOV_DMABUF,
			  0, NULL);
	KUNIT_EXPECT_EQ(test, net_iov_virtual_addr(&f->niovs[0]), 0UL);
	KUNIT_EXPECT_EQ(test,
			net_iov_virtual_addr(&f->niovs[ZCRX_TEST_NIOVS - 1]),
			(unsigned long)(ZCRX_TEST_NIOVS - 1) << PAGE_SHIFT);
}

static void zcrx_area_page(struct kunit *test)
{
	struct zcrx_area_fixture *f = zcrx_area_create(test, true);
	unsigned int i;

	net_iov_area_init(&f->area, f->niovs, ZCRX_TEST_NIOVS, NET_IOV_IOURING,
			  0, f->pages);
	for (i = 0; i < ZCRX_TEST_NIOVS; i++)
		KUNIT_EXPECT_PTR_EQ(test, net_iov_page(&f->niovs[i]),
				    f->pages[i]);

	/* dma-buf memory is not made of pages the kernel can address */
	net_iov_area_init(&f->area, f->niovs, ZCRX_TEST_NIOVS, NET_IOV_DMABUF,
			  0, NULL);
	for (i = 0; i < ZCRX_TEST_NIOVS; i++)
		KUNIT_EXPECT_NULL(test, net_iov_page(&f->niovs[i]));
}

static void zcrx_area_dma_addr(struct kunit *test)
{
	const dma_addr_t base = (dma_addr_t)0x12340000UL & PAGE_MASK;
	struct zcrx_area_fixture *f = zcrx_area_create(test, false);
	unsigned int i;

	net_iov_area_init(&f->area, f->niovs, ZCRX_TEST_NIOVS, NET_IOV_DMABUF,
			  0, NULL);
	for (i = 0; i < ZCRX_TEST_NIOVS; i++) {
		dma_addr_t addr = base + ((dma_addr_t)i << PAGE_SHIFT);

		KUNIT_EXPECT_FALSE(test,
				   net_mp_niov_set_dma_addr(&f->niovs[i], addr));
	}
	for (i = 0; i < ZCRX_TEST_NIOVS; i++)
		KUNIT_EXPECT_EQ(test, net_iov_dma_addr(&f->niovs[i]),
				base + ((dma_addr_t)i << PAGE_SHIFT));

	/* Setting does not disturb the neighbours, and 0 clears */
	KUNIT_EXPECT_FALSE(test, net_mp_niov_set_dma_addr(&f->niovs[1], 0));
	KUNIT_EXPECT_EQ(test, net_iov_dma_addr(&f->niovs[1]), (dma_addr_t)0);
	KUNIT_EXPECT_EQ(test, net_iov_dma_addr(&f->niovs[0]), base);
	KUNIT_EXPECT_EQ(test, net_iov_dma_addr(&f->niovs[2]),
			base + ((dma_addr_t)2 << PAGE_SHIFT));
}

static void zcrx_area_sized(struct kunit *test)
{
	const unsigned long base = 0x40000000UL;
	struct zcrx_area_fixture *f = zcrx_area_create(test, true);
	unsigned int i, n = ZCRX_TEST_NIOVS / 4;

	/* net_iovs of four pages each: a quarter as many, over all pages */
	net_iov_area_init_sized(&f->area, f->niovs, n, PAGE_SHIFT + 2,
				NET_IOV_IOURING, base, f->pages);
	KUNIT_EXPECT_EQ(test, f->area.num_niovs, n);
	for (i = 0; i < n; i++) {
		struct net_iov *niov = &f->niovs[i];

		KUNIT_EXPECT_EQ(test, net_iov_idx(niov), i);
		KUNIT_EXPECT_EQ(test, net_iov_size(niov), 4 * PAGE_SIZE);
		KUNIT_EXPECT_PTR_EQ(test, net_iov_page(niov), f->pages[4 * i]);
		KUNIT_EXPECT_EQ(test, net_iov_virtual_addr(niov),
				base + i * 4 * PAGE_SIZE);
	}

	/* the page-sized init is the sized one with PAGE_SHIFT */
	net_iov_area_init(&f->area, f->niovs, ZCRX_TEST_NIOVS, NET_IOV_IOURING,
			  base, f->pages);
	KUNIT_EXPECT_EQ(test, f->area.niov_shift, PAGE_SHIFT);
	KUNIT_EXPECT_EQ(test, net_iov_size(&f->niovs[3]), PAGE_SIZE);
	KUNIT_EXPECT_PTR_EQ(test, net_iov_page(&f->niovs[3]), f->pages[3]);
}

static void zcrx_area_netmem(struct kunit *test)
{
	struct zcrx_area_fixture *f = zcrx_area_create(test, true);
	unsigned int i;

	net_iov_area_init(&f->area, f->niovs, ZCRX_TEST_NIOVS, NET_IOV_IOURING,
			  0, f->pages);
	for (i = 0; i < ZCRX_TEST_NIOVS; i++) {
		netmem_ref netmem = net_iov_to_netmem(&f->niovs[i]);

		KUNIT_ASSERT_TRUE(test, netmem_is_net_iov(netmem));
		KUNIT_EXPECT_PTR_EQ(test, netmem_to_net_iov(netmem),
				    &f->niovs[i]);
		/* unreadable: no kernel address, whatever backs it */
		KUNIT_EXPECT_NULL(test, netmem_address(netmem));
		KUNIT_EXPECT_EQ(test, netmem_ref_count(netmem), 1);
		KUNIT_EXPECT_NULL(test, netmem_get_pp(netmem));
	}
	KUNIT_EXPECT_FALSE(test,
			   netmem_is_net_iov(page_to_netmem(f->pages[0])));
}

static struct kunit_case zcrx_area_cases[] = {
	KUNIT_CASE(zcrx_area_init),
	KUNIT_CASE(zcrx_area_idx_owner_type),
	KUNIT_CASE(zcrx_area_virtual_addr),
	KUNIT_CASE(zcrx_area_page),
	KUNIT_CASE(zcrx_area_dma_addr),
	KUNIT_CASE(zcrx_area_netmem),
	KUNIT_CASE(zcrx_area_sized),
	{}
};

static struct kunit_suite zcrx_area_suite = {
	.name		= "zcrx_area",
	.test_cases	= zcrx_area_cases,
};

/* zcrx_open: binding and unbinding */

static void zcrx_open_erange(struct kunit *test)
{
	struct zcrx_test_ctx *ctx = test->priv;
	int ret;

	zcrx_expect_refused(test, ctx, ZCRX_TEST_QUEUES, -ERANGE,
			    "rx queue index %d out of range: %s has %d rx queues",
			    ZCRX_TEST_QUEUES, netdev_name(ctx->dev),
			    ZCRX_TEST_QUEUES);

	rtnl_lock();
	ret = netif_set_real_num_rx_queues(ctx->dev, 2);
	rtnl_unlock();
	KUNIT_ASSERT_EQ(test, ret, 0);

	zcrx_expect_refused(test, ctx, 3, -ERANGE,
			    "rx queue index 3 out of range: %s has 2 rx queues",
			    netdev_name(ctx->dev));
	KUNIT_EXPECT_EQ(test, zcrx_test_open(ctx, 2, &ctx->p, NULL), -ERANGE);

	zcrx_expect_untouched(test, ctx);
}

static void zcrx_open_no_queue_ops(struct kunit *test)
{
	struct zcrx_test_ctx *ctx = test->priv;
	struct netlink_ext_ack extack = {};
	int ret;

	rtnl_lock();
	ctx->dev->queue_mgmt_ops = NULL;
	ret = __net_mp_open_rxq(ctx->dev, 1, &ctx->p, &extack);
	rtnl_unlock();
	KUNIT_EXPECT_EQ(test, ret, -EOPNOTSUPP);
	zcrx_expect_msg(test, &extack,
			"%s lacks rx queue management ops (queue_mgmt_ops)",
			netdev_name(ctx->dev));

	rtnl_lock();
	ctx->dev->queue_mgmt_ops = &zcrx_test_partial_queue_ops;
	ret = __net_mp_open_rxq(ctx->dev, 1, &ctx->p, NULL);
	ctx->dev->queue_mgmt_ops = &zcrx_test_queue_ops;
	rtnl_unlock();
	KUNIT_EXPECT_EQ(test, ret, -EOPNOTSUPP);

	zcrx_expect_untouched(test, ctx);
}

/* rx_page_size: only for a driver that can, and no more than it can. */
static void zcrx_open_rx_page_size(struct kunit *test)
{
	struct zcrx_test_ctx *ctx = test->priv;
	struct pp_memory_provider_params p = ctx->p;
	struct netlink_ext_ack extack = {};

	p.rx_page_size = 2 * PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, zcrx_test_open(ctx, 1, &p, &extack),
			-EOPNOTSUPP);
	zcrx_expect_msg(test, &extack,
			"%s cannot post rx buffers larger than a page",
			netdev_name(ctx->dev));
	zcrx_expect_untouched(test, ctx);

	rtnl_lock();
	ctx->dev->queue_mgmt_ops = &zcrx_test_big_queue_ops;
	rtnl_unlock();
	p.rx_page_size = 8 * PAGE_SIZE;
	memset(&extack, 0, sizeof(extack));
	KUNIT_EXPECT_EQ(test, zcrx_test_open(ctx, 1, &p, &extack), -EINVAL);
	zcrx_expect_msg(test, &extack, "rx buffer size %lu above %s's maximum of %lu",
			8 * PAGE_SIZE, netdev_name(ctx->dev), 4 * PAGE_SIZE);
	p.rx_page_size = 3 * PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, zcrx_test_open(ctx, 1, &p, NULL), -EINVAL);
	zcrx_expect_untouched(test, ctx);

	/* the driver's new payload pool is created with the size asked for */
	p.rx_page_size = 4 * PAGE_SIZE;
	KUNIT_ASSERT_EQ(test, zcrx_test_open(ctx, 1, &p, NULL), 0);
	KUNIT_EXPECT_EQ(test, ctx->priv->pool_page_size, 4 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, netif_rxq_page_size(ctx->dev, 1), 4 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, netif_rxq_page_size(ctx->dev, 0), PAGE_SIZE);

	/* and with pages again once the provider is gone */
	zcrx_test_close(ctx, 1, &p);
	KUNIT_EXPECT_EQ(test, ctx->priv->pool_page_size, PAGE_SIZE);
	rtnl_lock();
	ctx->dev->queue_mgmt_ops = &zcrx_test_queue_ops;
	rtnl_unlock();
}

static void zcrx_open_no_hds_support(struct kunit *test)
{
	struct zcrx_test_ctx *ctx = test->priv;
	struct netlink_ext_ack extack = {};
	int ret;

	/* Split in effect and even recorded as set, but no setting the
	 * binding could hold the device to: nothing to bind to
	 */
	ctx->priv->split_in_effect = true;
	zcrx_test_set_ethtool_ops(ctx, &zcrx_test_nosplit_ethtool_ops);
	zcrx_expect_refused(test, ctx, 1, -EOPNOTSUPP,
			    "%s cannot split headers from payload (no tcp-data-split setting)",
			    netdev_name(ctx->dev));

	/* Missing queue ops are reported first */
	rtnl_lock();
	ctx->dev->queue_mgmt_ops = NULL;
	ret = __net_mp_open_rxq(ctx->dev, 1, &ctx->p, &extack);
	ctx->dev->queue_mgmt_ops = &zcrx_test_queue_ops;
	rtnl_unlock();
	KUNIT_EXPECT_EQ(test, ret, -EOPNOTSUPP);
	zcrx_expect_msg(test, &extack,
			"%s lacks rx queue management ops (queue_mgmt_ops)",
			netdev_name(ctx->dev));

	KUNIT_EXPECT_EQ(test, ctx->priv->ringparam_calls, 0);
	zcrx_expect_untouched(test, ctx);

	/* The setting is what counts, not a report: offered and set on,
	 * with no get_ringparam() at all, the queue is bound
	 */
	zcrx_test_set_ethtool_ops(ctx, &zcrx_test_silent_ethtool_ops);
	ret = zcrx_test_open(ctx, 1, &ctx->p, NULL);
	zcrx_test_set_ethtool_ops(ctx, &zcrx_test_ethtool_ops);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_ASSERT_NOT_NULL(test, ctx->priv->cur[1]);
	KUNIT_EXPECT_PTR_EQ(test, ctx->priv->cur[1]->mp_priv, (void *)ctx->mp);

	zcrx_test_close(ctx, 1, &ctx->p);
	zcrx_expect_no_binding(test, ctx);
	KUNIT_EXPECT_EQ(test, ctx->priv->ringparam_calls, 0);
}

static void zcrx_open_hds_disabled(struct kunit *test)
{
	struct zcrx_test_ctx *ctx = test->priv;

	zcrx_test_set_hds(ctx, ETHTOOL_TCP_DATA_SPLIT_DISABLED, 0);
	zcrx_expect_split_refused(test, ctx);

	/* unknown, the default, leaves it to the driver: not on */
	zcrx_test_set_hds(ctx, ETHTOOL_TCP_DATA_SPLIT_UNKNOWN, 0);
	zcrx_expect_split_refused(test, ctx);

	zcrx_expect_untouched(test, ctx);
}

static void zcrx_open_hds_side_effect(struct kunit *test)
{
	struct zcrx_test_ctx *ctx = test->priv;
	struct kernel_ethtool_ringparam kr = {};
	struct ethtool_ringparam rp = {};

	/* The device splits anyway and says so, but the user never set
	 * tcp-data-split on: nothing keeps split on once the MTU or LRO
	 * changes, so there is nothing to bind to
	 */
	ctx->priv->split_in_effect = true;
	zcrx_test_set_hds(ctx, ETHTOOL_TCP_DATA_SPLIT_UNKNOWN, 0);

	/* What ethtool shows: the user's setting, overridden by the driver */
	rtnl_lock();
	kr.tcp_data_split = ctx->dev->ethtool->hds_config;
	kr.hds_thresh = ctx->dev->ethtool->hds_thresh;
	ctx->dev->ethtool_ops->get_ringparam(ctx->dev, &rp, &kr, NULL);
	rtnl_unlock();
	KUNIT_EXPECT_EQ(test, kr.tcp_data_split,
			ETHTOOL_TCP_DATA_SPLIT_ENABLED);
	KUNIT_EXPECT_EQ(test, kr.hds_thresh, 0);

	zcrx_expect_split_refused(test, ctx);

	/* Set off, and on only as a side effect: the same */
	zcrx_test_set_hds(ctx, ETHTOOL_TCP_DATA_SPLIT_DISABLED, 0);
	zcrx_expect_split_refused(test, ctx);

	/* The core never asked the driver: only the call above */
	KUNIT_EXPECT_EQ(test, ctx->priv->ringparam_calls, 1);
	zcrx_expect_untouched(test, ctx);
}

static void zcrx_open_hds_thresh(struct kunit *test)
{
	struct zcrx_test_ctx *ctx = test->priv;

	zcrx_test_set_hds(ctx, ETHTOOL_TCP_DATA_SPLIT_ENABLED, 256);
	zcrx_expect_refused(test, ctx, 1, -EINVAL,
			    "hds-thresh is 256, must be 0 (ethtool -G %s hds-thresh 0)",
			    netdev_name(ctx->dev));

	zcrx_test_set_hds(ctx, ETHTOOL_TCP_DATA_SPLIT_ENABLED,
			  ZCRX_TEST_HDS_MAX);
	zcrx_expect_refused(test, ctx, 1, -EINVAL,
			    "hds-thresh is %d, must be 0 (ethtool -G %s hds-thresh 0)",
			    ZCRX_TEST_HDS_MAX, netdev_name(ctx->dev));

	/* Split off is reported first */
	zcrx_test_set_hds(ctx, ETHTOOL_TCP_DATA_SPLIT_DISABLED, 256);
	zcrx_expect_split_refused(test, ctx);

	KUNIT_EXPECT_EQ(test, ctx->priv->ringparam_calls, 0);
	zcrx_expect_untouched(test, ctx);
}

static void zcrx_open_xdp_attached(struct kunit *test)
{
	struct zcrx_test_ctx *ctx = test->priv;

	/* Multi-buffer: with split on, the only kind the core attaches */
	zcrx_test_attach_prog(test, ctx, zcrx_test_prog(test, true));

	/* -EEXIST: what devmem's netlink bind has returned since 6.12 */
	zcrx_expect_refused(test, ctx, 1, -EEXIST,
			    "%s has an XDP program attached: detach it first",
			    netdev_name(ctx->dev));

	KUNIT_EXPECT_EQ(test, ctx->priv->bpf_calls, 0);
	zcrx_expect_untouched(test, ctx);
}

#ifdef CONFIG_XDP_SOCKETS
/* Never dereferenced: stands in for an AF_XDP pool. */
static unsigned long zcrx_test_fake_object;

static void zcrx_test_clear_xsk_pool(void *arg)
{
	struct netdev_rx_queue *rxq = arg;

	rtnl_lock();
	rxq->pool = NULL;
	rtnl_unlock();
}
#endif

static void zcrx_open_afxdp_pool(struct kunit *test)
{
#ifdef CONFIG_XDP_SOCKETS
	struct zcrx_test_ctx *ctx = test->priv;
	struct netdev_rx_queue *rxq;
	int ret;

	rxq = __netif_get_rx_queue(ctx->dev, 1);
	rtnl_lock();
	rxq->pool = (struct xsk_buff_pool *)&zcrx_test_fake_object;
	rtnl_unlock();
	ret = kunit_add_action_or_reset(test, zcrx_test_clear_xsk_pool, rxq);
	KUNIT_ASSERT_EQ(test, ret, 0);

	zcrx_expect_refused(test, ctx, 1, -EBUSY,
			    "rx queue 1 is in use by AF_XDP");

	zcrx_expect_untouched(test, ctx);
#else
	kunit_skip(test, "CONFIG_XDP_SOCKETS is not enabled");
#endif
}

static void zcrx_open_already_bound(struct kunit *test)
{
	struct zcrx_test_ctx *ctx = test->priv;
	struct netlink_ext_ack extack = {};
	struct netdev_rx_queue *rxq;
	int ret;

	ret = zcrx_test_open(ctx, 1, &ctx->p, NULL);
	KUNIT_ASSERT_EQ(test, ret, 0);

	ret = zcrx_test_open(ctx, 1, &ctx->p2, &extack);
	KUNIT_EXPECT_EQ(test, ret, -EEXIST);
	zcrx_expect_msg(test, &extack,
			"rx queue 1 already has a memory provider bound");
	KUNIT_EXPECT_EQ(test, zcrx_test_open(ctx, 1, &ctx->p, NULL), -EEXIST);

	/* The second provider never saw a pool, the first is still bound */
	KUNIT_EXPECT_EQ(test, ctx->mp2->init_calls, 0);
	rxq = __netif_get_rx_queue(ctx->dev, 1);
	KUNIT_EXPECT_PTR_EQ(test, rxq->mp_params.mp_ops, &zcrx_mp_ops);
	KUNIT_EXPECT_PTR_EQ(test, rxq->mp_params.mp_priv, (void *)ctx->mp);
	KUNIT_EXPECT_PTR_EQ(test, ctx->priv->cur[1]->mp_priv,
			    (void *)ctx->mp);
	KUNIT_EXPECT_EQ(test, ctx->priv->alloc_calls, 1);

	zcrx_test_close(ctx, 1, &ctx->p);
	zcrx_expect_no_binding(test, ctx);
	KUNIT_EXPECT_EQ(test, ctx->mp->init_calls, 1);
	KUNIT_EXPECT_EQ(test, ctx->mp->destroy_calls, 1);
}

static void zcrx_open_unreadable_refused(struct kunit *test)
{
	struct zcrx_test_ctx *ctx = test->priv;
	struct page_pool *old = ctx->priv->cur[1];

	ctx->priv->no_unreadable = true;
	zcrx_expect_refused(test, ctx, 1, -ENODATA,
			    "driver's page pool for rx queue 1 did not accept unreadable memory");

	zcrx_expect_no_binding(test, ctx);
	KUNIT_EXPECT_EQ(test, ctx->mp->init_calls, 0);
	/* The new memory was freed, the queue kept running on the old */
	zcrx_expect_queue_ops(test, ctx, 1, 1, 0, 0);
	KUNIT_EXPECT_PTR_EQ(test, ctx->priv->cur[1], old);
}

static void zcrx_open_rollback_mem_alloc(struct kunit *test)
{
	struct zcrx_test_ctx *ctx = test->priv;
	struct page_pool *old = ctx->priv->cur[1];

	/* The driver gives no reason: the core says what failed */
	ctx->priv->fail_alloc = true;
	zcrx_expect_refused(test, ctx, 1, -ENOMEM,
			    "driver failed to allocate memory for rx queue 1");

	zcrx_expect_no_binding(test, ctx);
	KUNIT_EXPECT_EQ(test, ctx->mp->init_calls, 0);
	zcrx_expect_queue_ops(test, ctx, 1, 0, 0, 0);
	KUNIT_EXPECT_PTR_EQ(test, ctx->priv->cur[1], old);
}

static void zcrx_open_driver_reason(struct kunit *test)
{
	struct zcrx_test_ctx *ctx = test->priv;
	struct page_pool *old = ctx->priv->cur[2];

	/* The driver's reason reaches the user as the driver gave it */
	ctx->priv->refuse_reason = "rx queue 2: this ring layout cannot take a memory provider";
	zcrx_expect_refused(test, ctx, 2, -EOPNOTSUPP, "%s",
			    ctx->priv->refuse_reason);
	KUNIT_EXPECT_EQ(test, zcrx_test_open(ctx, 2, &ctx->p, NULL),
			-EOPNOTSUPP);

	zcrx_expect_no_binding(test, ctx);
	KUNIT_EXPECT_EQ(test, ctx->mp->init_calls, 0);
	zcrx_expect_queue_ops(test, ctx, 2, 0, 0, 0);
	KUNIT_EXPECT_PTR_EQ(test, ctx->priv->cur[2], old);

	/* Once the driver takes it, the queue is bound */
	ctx->priv->refuse_reason = NULL;
	KUNIT_ASSERT_EQ(test, zcrx_test_open(ctx, 2, &ctx->p, NULL), 0);
	KUNIT_EXPECT_EQ(test, ctx->mp->init_calls, 1);
	zcrx_test_close(ctx, 2, &ctx->p);
	zcrx_expect_no_binding(test, ctx);
}

static void zcrx_open_rollback_start(struct kunit *test)
{
	struct zcrx_test_ctx *ctx = test->priv;
	struct page_pool *old = ctx->priv->cur[1];

	ctx->priv->fail_start_once = true;
	zcrx_expect_refused(test, ctx, 1, -EIO,
			    "driver failed to start rx queue 1 with new memory");

	zcrx_expect_no_binding(test, ctx);
	/* The provider's pool was created and destroyed again */
	KUNIT_EXPECT_EQ(test, ctx->mp->init_calls, 1);
	KUNIT_EXPECT_EQ(test, ctx->mp->destroy_calls, 1);
	KUNIT_EXPECT_EQ(test, ctx->mp->nr_free, ZCRX_TEST_NIOVS);
	/* The old memory was stopped and started again */
	zcrx_expect_queue_ops(test, ctx, 1, 1, 1, 2);
	KUNIT_ASSERT_PTR_EQ(test, ctx->priv->cur[1], old);
	KUNIT_EXPECT_NULL(test, old->mp_ops);

	/* And the queue is healthy: binding works now */
	KUNIT_ASSERT_EQ(test, zcrx_test_open(ctx, 1, &ctx->p, NULL), 0);
	zcrx_test_close(ctx, 1, &ctx->p);
	zcrx_expect_no_binding(test, ctx);
	KUNIT_EXPECT_EQ(test, ctx->mp->init_calls, 2);
	KUNIT_EXPECT_EQ(test, ctx->mp->destroy_calls, 2);
}

static void zcrx_open_device_down(struct kunit *test)
{
	struct zcrx_test_ctx *ctx = test->priv;
	struct netlink_ext_ack extack = {};
	struct netdev_rx_queue *rxq;
	unsigned int i;
	int ret;

	rtnl_lock();
	dev_close(ctx->dev);
	rtnl_unlock();

	/* Down: the provider is recorded, no queue memory is touched */
	ret = zcrx_test_open(ctx, 1, &ctx->p, &extack);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_NULL(test, extack._msg);
	rxq = __netif_get_rx_queue(ctx->dev, 1);
	KUNIT_EXPECT_PTR_EQ(test, rxq->mp_params.mp_ops, &zcrx_mp_ops);
	KUNIT_EXPECT_PTR_EQ(test, rxq->mp_params.mp_priv, (void *)ctx->mp);
	zcrx_expect_queue_ops(test, ctx, 0, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, ctx->mp->init_calls, 0);

	/* The binding is held to header split while the device is down */
	KUNIT_EXPECT_EQ(test, zcrx_test_open(ctx, 1, &ctx->p2, NULL), -EEXIST);
	memset(&extack, 0, sizeof(extack));
	ret = zcrx_test_check_rings(ctx, ETHTOOL_TCP_DATA_SPLIT_DISABLED, 0,
				    &extack);
	KUNIT_EXPECT_EQ(test, ret, -EBUSY);
	zcrx_expect_msg(test, &extack,
			"rx queue 1 is bound to a memory provider: tcp-data-split must stay on");
	KUNIT_EXPECT_EQ(test, zcrx_test_check_xdp(ctx, NULL), -EBUSY);

	/* Up: the queue's new payload pool takes the provider, no other */
	rtnl_lock();
	ret = dev_open(ctx->dev, NULL);
	rtnl_unlock();
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, ctx->mp->init_calls, 1);
	KUNIT_EXPECT_EQ(test, ctx->mp->refs, 1);
	KUNIT_ASSERT_NOT_NULL(test, ctx->priv->cur[1]);
	KUNIT_EXPECT_PTR_EQ(test, ctx->priv->cur[1]->mp_ops, &zcrx_mp_ops);
	KUNIT_EXPECT_PTR_EQ(test, ctx->priv->cur[1]->mp_priv, (void *)ctx->mp);
	for (i = 0; i < ZCRX_TEST_QUEUES; i++)
		if (i != 1)
			KUNIT_EXPECT_NULL(test, ctx->priv->cur[i]->mp_ops);

	/* Closing while up restarts the queue on ordinary memory */
	zcrx_test_close(ctx, 1, &ctx->p);
	zcrx_expect_no_binding(test, ctx);
	zcrx_expect_queue_ops(test, ctx, 1, 1, 1, 1);
	KUNIT_EXPECT_EQ(test, ctx->mp->destroy_calls, 1);
	KUNIT_EXPECT_EQ(test, ctx->mp->refs, 0);
	KUNIT_EXPECT_NULL(test, ctx->priv->cur[1]->mp_ops);
}

static void zcrx_open_close_down_never_up(struct kunit *test)
{
	struct zcrx_test_ctx *ctx = test->priv;
	int ret;

	rtnl_lock();
	dev_close(ctx->dev);
	rtnl_unlock();

	KUNIT_ASSERT_EQ(test, zcrx_test_open(ctx, 2, &ctx->p2, NULL), 0);

	/* Closed before the device came up: the provider saw no pool */
	zcrx_test_close(ctx, 2, &ctx->p2);
	zcrx_expect_no_binding(test, ctx);
	zcrx_expect_queue_ops(test, ctx, 0, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, ctx->mp2->init_calls, 0);

	rtnl_lock();
	ret = dev_open(ctx->dev, NULL);
	rtnl_unlock();
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, ctx->mp2->init_calls, 0);
	KUNIT_ASSERT_NOT_NULL(test, ctx->priv->cur[2]);
	KUNIT_EXPECT_NULL(test, ctx->priv->cur[2]->mp_ops);
}

static void zcrx_open_down_unregister(struct kunit *test)
{
	struct zcrx_test_ctx *ctx = test->priv;

	rtnl_lock();
	dev_close(ctx->dev);
	rtnl_unlock();

	KUNIT_ASSERT_EQ(test, zcrx_test_open(ctx, 1, &ctx->p, NULL), 0);

	/* A binding the device never used is uninstalled like any other */
	zcrx_test_unregister(ctx);
	KUNIT_EXPECT_EQ(test, ctx->mp->uninstall_calls, 1);
	KUNIT_EXPECT_EQ(test, ctx->mp->uninstall_rxq, 1);
	KUNIT_EXPECT_EQ(test, ctx->mp->init_calls, 0);
	zcrx_expect_no_binding(test, ctx);

	zcrx_test_close(ctx, 1, &ctx->p);
	KUNIT_EXPECT_EQ(test, ctx->mp->uninstall_calls, 1);
	zcrx_expect_no_binding(test, ctx);
}

static void zcrx_open_close_ok(struct kunit *test)
{
	struct zcrx_test_ctx *ctx = test->priv;
	struct netlink_ext_ack extack = {};
	struct zcrx_test_mp *mp = ctx->mp;
	struct page_pool *old = ctx->priv->cur[1];
	struct netdev_rx_queue *rxq;
	netmem_ref netmems[4];
	struct page_pool *pool;
	unsigned int i;
	int ret;

	ret = zcrx_test_open(ctx, 1, &ctx->p, &extack);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_NULL(test, extack._msg);
	/* The settings were the core's: the driver was not asked */
	KUNIT_EXPECT_EQ(test, ctx->priv->ringparam_calls, 0);

	rxq = __netif_get_rx_queue(ctx->dev, 1);
	KUNIT_EXPECT_PTR_EQ(test, rxq->mp_params.mp_ops, &zcrx_mp_ops);
	KUNIT_EXPECT_PTR_EQ(test, rxq->mp_params.mp_priv, (void *)mp);
	zcrx_expect_queue_ops(test, ctx, 1, 1, 1, 1);
	KUNIT_EXPECT_EQ(test, mp->init_calls, 1);
	KUNIT_EXPECT_EQ(test, mp->refs, 1);

	/* Only queue 1 changed */
	pool = ctx->priv->cur[1];
	KUNIT_ASSERT_NOT_NULL(test, pool);
	KUNIT_EXPECT_PTR_NE(test, pool, old);
	KUNIT_EXPECT_PTR_EQ(test, pool->mp_ops, &zcrx_mp_ops);
	KUNIT_EXPECT_PTR_EQ(test, pool->mp_priv, (void *)mp);
	for (i = 0; i < ZCRX_TEST_QUEUES; i++)
		if (i != 1)
			KUNIT_EXPECT_NULL(test, ctx->priv->cur[i]->mp_ops);

	/* The pool hands out the provider's memory, as a NAPI poll would */
	local_bh_disable();
	for (i = 0; i < ARRAY_SIZE(netmems); i++)
		netmems[i] = page_pool_alloc_netmems(pool, GFP_ATOMIC);
	local_bh_enable();

	for (i = 0; i < ARRAY_SIZE(netmems); i++) {
		struct net_iov *niov;

		KUNIT_EXPECT_TRUE(test, netmem_is_net_iov(netmems[i]));
		if (!netmem_is_net_iov(netmems[i]))
			continue;
		niov = netmem_to_net_iov(netmems[i]);
		KUNIT_EXPECT_PTR_EQ(test, net_iov_owner(niov), &mp->area);
		KUNIT_EXPECT_EQ(test, net_iov_type(niov), NET_IOV_IOURING);
		KUNIT_EXPECT_PTR_EQ(test, netmem_get_pp(netmems[i]), pool);
		KUNIT_EXPECT_EQ(test, net_iov_dma_addr(niov),
				mp->dma[net_iov_idx(niov)]);
		KUNIT_EXPECT_PTR_EQ(test, net_iov_page(niov),
				    mp->pages[net_iov_idx(niov)]);
	}
	KUNIT_EXPECT_EQ(test, mp->nr_free,
			ZCRX_TEST_NIOVS - ARRAY_SIZE(netmems));

	local_bh_disable();
	for (i = 0; i < ARRAY_SIZE(netmems); i++)
		if (netmems[i])
			page_pool_put_full_netmem(pool, netmems[i], false);
	local_bh_enable();

	zcrx_test_close(ctx, 1, &ctx->p);
	zcrx_expect_no_binding(test, ctx);
	KUNIT_EXPECT_EQ(test, mp->destroy_calls, 1);
	KUNIT_EXPECT_EQ(test, mp->refs, 0);
	KUNIT_EXPECT_EQ(test, mp->nr_free, ZCRX_TEST_NIOVS);
	KUNIT_EXPECT_EQ(test, mp->uninstall_calls, 0);
	KUNIT_ASSERT_NOT_NULL(test, ctx->priv->cur[1]);
	KUNIT_EXPECT_NULL(test, ctx->priv->cur[1]->mp_ops);
	KUNIT_EXPECT_EQ(test, ctx->priv->alloc_calls, 2);
	KUNIT_EXPECT_EQ(test, ctx->priv->free_calls, 2);
}

static void zcrx_open_close_locked(struct kunit *test)
{
	struct zcrx_test_ctx *ctx = test->priv;
	int ret;

	ret = net_mp_open_rxq(ctx->dev, 3, &ctx->p2, NULL);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_PTR_EQ(test, ctx->priv->cur[3]->mp_ops,
			    &zcrx_mp_dmabuf_ops);
	KUNIT_EXPECT_EQ(test, ctx->mp2->init_calls, 1);

	net_mp_close_rxq(ctx->dev, 3, &ctx->p2);
	zcrx_expect_no_binding(test, ctx);
	KUNIT_EXPECT_EQ(test, ctx->mp2->destroy_calls, 1);
	KUNIT_EXPECT_NULL(test, ctx->priv->cur[3]->mp_ops);
}

static void zcrx_open_close_while_down(struct kunit *test)
{
	struct zcrx_test_ctx *ctx = test->priv;
	int ret;

	KUNIT_ASSERT_EQ(test, zcrx_test_open(ctx, 1, &ctx->p, NULL), 0);

	/* Down: the driver frees its pools, the binding stays */
	rtnl_lock();
	dev_close(ctx->dev);
	rtnl_unlock();
	KUNIT_EXPECT_EQ(test, ctx->mp->destroy_calls, 1);
	KUNIT_EXPECT_PTR_EQ(test, ctx->dev->_rx[1].mp_params.mp_priv,
			    (void *)ctx->mp);

	/* Up again: the driver's new pool for the queue takes the provider */
	rtnl_lock();
	ret = dev_open(ctx->dev, NULL);
	rtnl_unlock();
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, ctx->mp->init_calls, 2);
	KUNIT_ASSERT_NOT_NULL(test, ctx->priv->cur[1]);
	KUNIT_EXPECT_PTR_EQ(test, ctx->priv->cur[1]->mp_priv, (void *)ctx->mp);

	/* Down and unbind: nothing to restart */
	rtnl_lock();
	dev_close(ctx->dev);
	rtnl_unlock();
	ret = ctx->priv->alloc_calls;
	zcrx_test_close(ctx, 1, &ctx->p);
	zcrx_expect_no_binding(test, ctx);
	KUNIT_EXPECT_EQ(test, ctx->priv->alloc_calls, ret);
	KUNIT_EXPECT_EQ(test, ctx->mp->destroy_calls, 2);

	/* Up without the provider */
	rtnl_lock();
	ret = dev_open(ctx->dev, NULL);
	rtnl_unlock();
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, ctx->mp->init_calls, 2);
	KUNIT_ASSERT_NOT_NULL(test, ctx->priv->cur[1]);
	KUNIT_EXPECT_NULL(test, ctx->priv->cur[1]->mp_ops);
}

/*
 * The queue cannot restart without the provider: the close says so, and
 * the queue keeps the provider's page pool, unbound, until it next
 * restarts. The provider must keep its memory mapped until then.
 */
static void zcrx_open_close_restart_fails(struct kunit *test)
{
	struct zcrx_test_ctx *ctx = test->priv;
	struct page_pool *pool;
	int ret;

	KUNIT_ASSERT_EQ(test, zcrx_test_open(ctx, 1, &ctx->p, NULL), 0);
	pool = ctx->priv->cur[1];

	ctx->priv->fail_alloc = true;
	KUNIT_EXPECT_EQ(test, zcrx_test_close(ctx, 1, &ctx->p), -ENOMEM);
	zcrx_expect_no_binding(test, ctx);
	KUNIT_EXPECT_PTR_EQ(test, ctx->priv->cur[1], pool);
	KUNIT_EXPECT_PTR_EQ(test, pool->mp_ops, &zcrx_mp_ops);
	KUNIT_EXPECT_EQ(test, ctx->mp->destroy_calls, 0);

	/* Its next restart takes ordinary pages and lets the provider go */
	ctx->priv->fail_alloc = false;
	rtnl_lock();
	ret = netdev_rx_queue_restart(ctx->dev, 1);
	rtnl_unlock();
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_ASSERT_NOT_NULL(test, ctx->priv->cur[1]);
	KUNIT_EXPECT_NULL(test, ctx->priv->cur[1]->mp_ops);
	KUNIT_EXPECT_EQ(test, ctx->mp->destroy_calls, 1);
	KUNIT_EXPECT_EQ(test, ctx->mp->refs, 0);
	KUNIT_EXPECT_EQ(test, ctx->mp->uninstall_calls, 0);
}

/*
 * A provider that found the device before taking rtnl binds it after its
 * unregistration began: refused, or the binding would outlive the
 * uninstall that already ran and hold the device forever.
 */
static void zcrx_open_unregistering(struct kunit *test)
{
	struct zcrx_test_ctx *ctx = test->priv;
	struct netlink_ext_ack extack = {};
	int ret;

	rtnl_lock();
	unregister_netdevice(ctx->dev);
	ret = __net_mp_open_rxq(ctx->dev, 1, &ctx->p, &extack);
	rtnl_unlock();
	ctx->registered = false;

	KUNIT_EXPECT_EQ(test, ret, -ENODEV);
	zcrx_expect_extack(test, &extack, "is being removed");
	zcrx_expect_no_binding(test, ctx);
	KUNIT_EXPECT_EQ(test, ctx->mp->init_calls, 0);
	KUNIT_EXPECT_EQ(test, ctx->mp->uninstall_calls, 0);
}

static void zcrx_open_close_after_unregister(struct kunit *test)
{
	struct zcrx_test_ctx *ctx = test->priv;
	int alloc_calls;

	KUNIT_ASSERT_EQ(test, zcrx_test_open(ctx, 1, &ctx->p, NULL), 0);
	alloc_calls = ctx->priv->alloc_calls;

	zcrx_test_unregister(ctx);
	KUNIT_EXPECT_EQ(test, ctx->mp->uninstall_calls, 1);
	KUNIT_EXPECT_EQ(test, ctx->mp->uninstall_rxq, 1);
	KUNIT_EXPECT_EQ(test, ctx->mp->init_calls, 1);
	KUNIT_EXPECT_EQ(test, ctx->mp->destroy_calls, 1);
	zcrx_expect_no_binding(test, ctx);

	/* The provider's close finds nothing left to undo */
	zcrx_test_close(ctx, 1, &ctx->p);
	KUNIT_EXPECT_EQ(test, ctx->priv->alloc_calls, alloc_calls);
	KUNIT_EXPECT_EQ(test, ctx->mp->uninstall_calls, 1);
	zcrx_expect_no_binding(test, ctx);
}

/* netif_rxq_has_unreadable_mp() for every queue, and past both ends. */
static void zcrx_expect_has_mp(struct kunit *test, struct zcrx_test_ctx *ctx,
			       int bound)
{
	struct net_device *dev = ctx->dev;
	int i;

	rtnl_lock();
	for (i = 0; i < ZCRX_TEST_QUEUES; i++)
		KUNIT_EXPECT_EQ_MSG(test, netif_rxq_has_unreadable_mp(dev, i),
				    i == bound, "rx queue %d", i);
	KUNIT_EXPECT_FALSE(test, netif_rxq_has_unreadable_mp(dev, -1));
	KUNIT_EXPECT_FALSE(test, netif_rxq_has_unreadable_mp(dev, INT_MIN));
	KUNIT_EXPECT_FALSE(test,
			   netif_rxq_has_unreadable_mp(dev, ZCRX_TEST_QUEUES));
	KUNIT_EXPECT_FALSE(test, netif_rxq_has_unreadable_mp(dev, INT_MAX));
	rtnl_unlock();
}

static void zcrx_open_has_unreadable_mp(struct kunit *test)
{
	struct zcrx_test_ctx *ctx = test->priv;

	zcrx_expect_has_mp(test, ctx, -1);

	KUNIT_ASSERT_EQ(test, zcrx_test_open(ctx, 1, &ctx->p, NULL), 0);
	zcrx_expect_has_mp(test, ctx, 1);
	zcrx_test_close(ctx, 1, &ctx->p);
	zcrx_expect_has_mp(test, ctx, -1);

	/* A refused binding leaves nothing to report */
	ctx->priv->fail_alloc = true;
	KUNIT_EXPECT_EQ(test, zcrx_test_open(ctx, 2, &ctx->p, NULL), -ENOMEM);
	ctx->priv->fail_alloc = false;
	zcrx_expect_has_mp(test, ctx, -1);

	/* Down, the binding is only recorded: a driver opening the device
	 * asks this to decide on its payload pools
	 */
	rtnl_lock();
	dev_close(ctx->dev);
	rtnl_unlock();
	KUNIT_ASSERT_EQ(test, zcrx_test_open(ctx, 3, &ctx->p2, NULL), 0);
	zcrx_expect_has_mp(test, ctx, 3);
	zcrx_test_close(ctx, 3, &ctx->p2);
	zcrx_expect_has_mp(test, ctx, -1);
}

static u32 zcrx_test_min_channels(struct zcrx_test_ctx *ctx)
{
	u32 ret;

	rtnl_lock();
	ret = dev_get_min_mp_channel_count(ctx->dev);
	rtnl_unlock();
	return ret;
}

static void zcrx_open_min_channel_count(struct kunit *test)
{
	struct zcrx_test_ctx *ctx = test->priv;

	KUNIT_EXPECT_EQ(test, zcrx_test_min_channels(ctx), 0);

	/* The highest bound queue counts, wherever the others are */
	KUNIT_ASSERT_EQ(test, zcrx_test_open(ctx, 0, &ctx->p, NULL), 0);
	KUNIT_EXPECT_EQ(test, zcrx_test_min_channels(ctx), 1);
	KUNIT_ASSERT_EQ(test, zcrx_test_open(ctx, 2, &ctx->p2, NULL), 0);
	KUNIT_EXPECT_EQ(test, zcrx_test_min_channels(ctx), 3);
	zcrx_test_close(ctx, 0, &ctx->p);
	KUNIT_EXPECT_EQ(test, zcrx_test_min_channels(ctx), 3);
	KUNIT_ASSERT_EQ(test, zcrx_test_open(ctx, 3, &ctx->p, NULL), 0);
	KUNIT_EXPECT_EQ(test, zcrx_test_min_channels(ctx), 4);
	zcrx_test_close(ctx, 3, &ctx->p);
	KUNIT_EXPECT_EQ(test, zcrx_test_min_channels(ctx), 3);
	zcrx_test_close(ctx, 2, &ctx->p2);
	KUNIT_EXPECT_EQ(test, zcrx_test_min_channels(ctx), 0);

	/* Bindings uninstalled by unregister need no channels either */
	KUNIT_ASSERT_EQ(test, zcrx_test_open(ctx, 1, &ctx->p, NULL), 0);
	KUNIT_EXPECT_EQ(test, zcrx_test_min_channels(ctx), 2);
	zcrx_test_unregister(ctx);
	KUNIT_EXPECT_EQ(test, zcrx_test_min_channels(ctx), 0);
	zcrx_expect_has_mp(test, ctx, -1);
	zcrx_test_close(ctx, 1, &ctx->p);
	zcrx_expect_no_binding(test, ctx);
}

static struct kunit_case zcrx_open_cases[] = {
	KUNIT_CASE(zcrx_open_erange),
	KUNIT_CASE(zcrx_open_no_queue_ops),
	KUNIT_CASE(zcrx_open_rx_page_size),
	KUNIT_CASE(zcrx_open_no_hds_support),
	KUNIT_CASE(zcrx_open_hds_disabled),
	KUNIT_CASE(zcrx_open_hds_side_effect),
	KUNIT_CASE(zcrx_open_hds_thresh),
	KUNIT_CASE(zcrx_open_xdp_attached),
	KUNIT_CASE(zcrx_open_afxdp_pool),
	KUNIT_CASE(zcrx_open_already_bound),
	KUNIT_CASE(zcrx_open_unreadable_refused),
	KUNIT_CASE(zcrx_open_rollback_mem_alloc),
	KUNIT_CASE(zcrx_open_driver_reason),
	KUNIT_CASE(zcrx_open_rollback_start),
	KUNIT_CASE(zcrx_open_device_down),
	KUNIT_CASE(zcrx_open_close_down_never_up),
	KUNIT_CASE(zcrx_open_down_unregister),
	KUNIT_CASE(zcrx_open_close_ok),
	KUNIT_CASE(zcrx_open_close_locked),
	KUNIT_CASE(zcrx_open_close_while_down),
	KUNIT_CASE(zcrx_open_close_after_unregister),
	KUNIT_CASE(zcrx_open_close_restart_fails),
	KUNIT_CASE(zcrx_open_unregistering),
	KUNIT_CASE(zcrx_open_has_unreadable_mp),
	KUNIT_CASE(zcrx_open_min_channel_count),
	{}
};

static struct kunit_suite zcrx_open_suite = {
	.name		= "zcrx_open",
	.init		= zcrx_dev_test_init,
	.test_cases	= zcrx_open_cases,
};

/* zcrx_agreement: what the device may not change while a queue is bound,
 * and what header split itself rules out
 */

static void zcrx_agreement_rings_refused(struct kunit *test)
{
	struct zcrx_test_ctx *ctx = test->priv;
	struct netlink_ext_ack extack = {};
	int ret;

	KUNIT_ASSERT_EQ(test, zcrx_test_open(ctx, 1, &ctx->p, NULL), 0);

	ret = zcrx_test_check_rings(ctx, ETHTOOL_TCP_DATA_SPLIT_DISABLED, 0,
				    &extack);
	KUNIT_EXPECT_EQ(test, ret, -EBUSY);
	zcrx_expect_msg(test, &extack,
			"rx queue 1 is bound to a memory provider: tcp-data-split must stay on");

	memset(&extack, 0, sizeof(extack));
	ret = zcrx_test_check_rings(ctx, ETHTOOL_TCP_DATA_SPLIT_ENABLED, 1,
				    &extack);
	KUNIT_EXPECT_EQ(test, ret, -EBUSY);
	zcrx_expect_msg(test, &extack,
			"rx queue 1 is bound to a memory provider: hds-thresh must stay 0");

	ret = zcrx_test_check_rings(ctx, ETHTOOL_TCP_DATA_SPLIT_UNKNOWN, 0,
				    NULL);
	KUNIT_EXPECT_EQ(test, ret, -EBUSY);

	zcrx_test_close(ctx, 1, &ctx->p);
}

static void zcrx_agreement_rings_unchanged_ok(struct kunit *test)
{
	struct zcrx_test_ctx *ctx = test->priv;
	struct netlink_ext_ack extack = {};
	struct kernel_ethtool_ringparam kr = {
		.rx_buf_len	= 4096,
		.tcp_data_split	= ETHTOOL_TCP_DATA_SPLIT_ENABLED,
	};
	int ret;

	/* Nothing bound: anything goes */
	KUNIT_EXPECT_EQ(test,
			zcrx_test_check_rings(ctx,
					      ETHTOOL_TCP_DATA_SPLIT_DISABLED,
					      512, NULL), 0);

	KUNIT_ASSERT_EQ(test, zcrx_test_open(ctx, 1, &ctx->p, NULL), 0);

	/* Bound: the settings the binding needs may be set again */
	ret = zcrx_test_check_rings(ctx, ETHTOOL_TCP_DATA_SPLIT_ENABLED, 0,
				    &extack);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_NULL(test, extack._msg);

	/* and anything else may change */
	rtnl_lock();
	ret = netdev_zcrx_check_ringparam(ctx->dev, &kr, &extack);
	rtnl_unlock();
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_NULL(test, extack._msg);

	zcrx_test_close(ctx, 1, &ctx->p);
}

static void zcrx_agreement_rings_report_irrelevant(struct kunit *test)
{
	struct zcrx_test_ctx *ctx = test->priv;
	struct netlink_ext_ack extack = {};
	int ret;

	/* The device would go on splitting and says so: the user's setting
	 * is what is held, so turning it off is still refused
	 */
	ctx->priv->split_in_effect = true;
	KUNIT_ASSERT_EQ(test, zcrx_test_open(ctx, 1, &ctx->p, NULL), 0);

	ret = zcrx_test_check_rings(ctx, ETHTOOL_TCP_DATA_SPLIT_DISABLED, 0,
				    &extack);
	KUNIT_EXPECT_EQ(test, ret, -EBUSY);
	zcrx_expect_msg(test, &extack,
			"rx queue 1 is bound to a memory provider: tcp-data-split must stay on");
	KUNIT_EXPECT_EQ(test,
			zcrx_test_check_rings(ctx,
					      ETHTOOL_TCP_DATA_SPLIT_UNKNOWN,
					      0, NULL), -EBUSY);

	/* and keeping it on is fine, whatever the driver reports */
	ctx->priv->split_in_effect = false;
	memset(&extack, 0, sizeof(extack));
	ret = zcrx_test_check_rings(ctx, ETHTOOL_TCP_DATA_SPLIT_ENABLED, 0,
				    &extack);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_NULL(test, extack._msg);

	zcrx_test_close(ctx, 1, &ctx->p);

	/* Unbound, a device that splits anyway holds nothing either */
	ctx->priv->split_in_effect = true;
	KUNIT_EXPECT_EQ(test,
			zcrx_test_check_rings(ctx,
					      ETHTOOL_TCP_DATA_SPLIT_DISABLED,
					      ZCRX_TEST_HDS_MAX, NULL), 0);

	/* Only the requested settings were looked at, never the driver */
	KUNIT_EXPECT_EQ(test, ctx->priv->ringparam_calls, 0);
}

static void zcrx_agreement_channels_refused(struct kunit *test)
{
	struct zcrx_test_ctx *ctx = test->priv;
	struct netlink_ext_ack extack = {};
	int ret;

	KUNIT_ASSERT_EQ(test, zcrx_test_open(ctx, 2, &ctx->p, NULL), 0);

	KUNIT_EXPECT_EQ(test, zcrx_test_check_channels(ctx, 2, 0), -EBUSY);
	KUNIT_EXPECT_EQ(test, zcrx_test_check_channels(ctx, 1, 1), -EBUSY);
	KUNIT_EXPECT_EQ(test, zcrx_test_check_channels(ctx, 0, 2), -EBUSY);
	KUNIT_EXPECT_EQ(test, zcrx_test_check_channels(ctx, 3, 0), 0);
	KUNIT_EXPECT_EQ(test, zcrx_test_check_channels(ctx, 2, 1), 0);
	KUNIT_EXPECT_EQ(test, zcrx_test_check_channels(ctx, 4, 0), 0);

	rtnl_lock();
	ret = netdev_zcrx_check_channels(ctx->dev, 2, &extack);
	KUNIT_EXPECT_EQ(test, dev_get_min_mp_channel_count(ctx->dev), 3);
	rtnl_unlock();
	KUNIT_EXPECT_EQ(test, ret, -EBUSY);
	zcrx_expect_msg(test, &extack,
			"rx queue 2 is bound to a memory provider: cannot reduce rx channels to 2");

	zcrx_test_close(ctx, 2, &ctx->p);
	KUNIT_EXPECT_EQ(test, zcrx_test_check_channels(ctx, 1, 0), 0);
}

/* netdev_zcrx_check_channels(@rx_count) refuses, naming queue @idx. */
static void zcrx_expect_channels_refused(struct kunit *test,
					 struct zcrx_test_ctx *ctx,
					 u32 rx_count, unsigned int idx)
{
	struct netlink_ext_ack extack = {};
	int ret;

	rtnl_lock();
	ret = netdev_zcrx_check_channels(ctx->dev, rx_count, &extack);
	rtnl_unlock();
	KUNIT_EXPECT_EQ(test, ret, -EBUSY);
	zcrx_expect_msg(test, &extack,
			"rx queue %u is bound to a memory provider: cannot reduce rx channels to %u",
			idx, rx_count);
}

static void zcrx_agreement_channels_highest(struct kunit *test)
{
	struct zcrx_test_ctx *ctx = test->priv;
	struct netlink_ext_ack extack = {};
	int ret;

	KUNIT_ASSERT_EQ(test, zcrx_test_open(ctx, 1, &ctx->p, NULL), 0);
	KUNIT_ASSERT_EQ(test, zcrx_test_open(ctx, 3, &ctx->p2, NULL), 0);

	/* However far down, the queue that keeps the count up is named */
	zcrx_expect_channels_refused(test, ctx, 0, 3);
	zcrx_expect_channels_refused(test, ctx, 1, 3);
	zcrx_expect_channels_refused(test, ctx, 2, 3);
	zcrx_expect_channels_refused(test, ctx, 3, 3);
	KUNIT_EXPECT_EQ(test, zcrx_test_check_channels(ctx, 1, 2), -EBUSY);
	KUNIT_EXPECT_EQ(test, zcrx_test_check_channels(ctx, 3, 1), 0);

	rtnl_lock();
	ret = netdev_zcrx_check_channels(ctx->dev, ZCRX_TEST_QUEUES, &extack);
	rtnl_unlock();
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_NULL(test, extack._msg);

	/* With the highest gone, the next one down holds */
	zcrx_test_close(ctx, 3, &ctx->p2);
	zcrx_expect_channels_refused(test, ctx, 1, 1);
	zcrx_expect_channels_refused(test, ctx, 0, 1);
	KUNIT_EXPECT_EQ(test, zcrx_test_check_channels(ctx, 2, 0), 0);

	zcrx_test_close(ctx, 1, &ctx->p);
	KUNIT_EXPECT_EQ(test, zcrx_test_check_channels(ctx, 0, 1), 0);
}

static void zcrx_agreement_xdp_refused(struct kunit *test)
{
	struct bpf_prog *mb = zcrx_test_prog(test, true);
	struct bpf_prog *sb = zcrx_test_prog(test, false);
	struct zcrx_test_ctx *ctx = test->priv;
	struct netlink_ext_ack extack = {};
	int ret;

	KUNIT_ASSERT_EQ(test, zcrx_test_open(ctx, 1, &ctx->p, NULL), 0);

	/* Even a program that takes frags: XDP reads the payload */
	ret = zcrx_test_propagate(ctx, mb, &extack);
	KUNIT_EXPECT_EQ(test, ret, -EBUSY);
	KUNIT_EXPECT_EQ(test, ctx->priv->bpf_calls, 0);
	zcrx_expect_msg(test, &extack,
			"rx queue 1 is bound to a memory provider: cannot attach an XDP program");

	/* A single-buffer one is refused by both rules */
	ret = zcrx_test_propagate(ctx, sb, &extack);
	KUNIT_EXPECT_EQ(test, ret, -EBUSY);
	KUNIT_EXPECT_EQ(test, ctx->priv->bpf_calls, 0);
	zcrx_expect_extack(test, &extack, "XDP");

	KUNIT_EXPECT_EQ(test, zcrx_test_check_xdp(ctx, NULL), -EBUSY);

	/* Detaching is always allowed */
	ret = zcrx_test_propagate(ctx, NULL, &extack);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, ctx->priv->bpf_calls, 1);

	zcrx_test_close(ctx, 1, &ctx->p);
	KUNIT_EXPECT_EQ(test, zcrx_test_check_xdp(ctx, NULL), 0);
	KUNIT_EXPECT_EQ(test, zcrx_test_propagate(ctx, mb, &extack), 0);
	KUNIT_EXPECT_EQ(test, ctx->priv->bpf_calls, 2);
}

static void zcrx_agreement_xdp_single_buffer(struct kunit *test)
{
	struct bpf_prog *mb = zcrx_test_prog(test, true);
	struct bpf_prog *sb = zcrx_test_prog(test, false);
	struct zcrx_test_ctx *ctx = test->priv;
	struct netlink_ext_ack extack = {};
	int ret;

	/* Nothing bound, but tcp-data-split set on: a program that needs
	 * the packet in one buffer would see only the headers
	 */
	ret = zcrx_test_propagate(ctx, sb, &extack);
	KUNIT_EXPECT_EQ(test, ret, -EBUSY);
	KUNIT_EXPECT_EQ(test, ctx->priv->bpf_calls, 0);
	zcrx_expect_msg(test, &extack,
			"unable to propagate XDP to device using tcp-data-split");

	/* One that takes frags gets the payload too: up to the driver */
	ret = zcrx_test_propagate(ctx, mb, &extack);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_NULL(test, extack._msg);
	KUNIT_EXPECT_EQ(test, ctx->priv->bpf_calls, 1);
	KUNIT_EXPECT_EQ(test, zcrx_test_propagate(ctx, NULL, &extack), 0);
	KUNIT_EXPECT_EQ(test, ctx->priv->bpf_calls, 2);

	/* Split set off, or left to the driver: any program, even where
	 * the device splits anyway
	 */
	zcrx_test_set_hds(ctx, ETHTOOL_TCP_DATA_SPLIT_DISABLED, 0);
	KUNIT_EXPECT_EQ(test, zcrx_test_propagate(ctx, sb, &extack), 0);
	KUNIT_EXPECT_EQ(test, ctx->priv->bpf_calls, 3);
	ctx->priv->split_in_effect = true;
	zcrx_test_set_hds(ctx, ETHTOOL_TCP_DATA_SPLIT_UNKNOWN, 0);
	KUNIT_EXPECT_EQ(test, zcrx_test_propagate(ctx, sb, &extack), 0);
	KUNIT_EXPECT_EQ(test, ctx->priv->bpf_calls, 4);
	KUNIT_EXPECT_EQ(test, ctx->priv->ringparam_calls, 0);

	/* And the other way round: ethtool counts the attached programs
	 * that would keep tcp-data-split from being set on
	 */
	zcrx_test_attach_prog(test, ctx, sb);
	rtnl_lock();
	KUNIT_EXPECT_EQ(test, dev_xdp_sb_prog_count(ctx->dev), 1);
	ctx->dev->xdp_state[XDP_MODE_DRV].prog = mb;
	KUNIT_EXPECT_EQ(test, dev_xdp_sb_prog_count(ctx->dev), 0);
	rtnl_unlock();
}

static void zcrx_agreement_release_on_last_close(struct kunit *test)
{
	struct zcrx_test_ctx *ctx = test->priv;
	struct netlink_ext_ack extack = {};
	int ret;

	KUNIT_ASSERT_EQ(test, zcrx_test_open(ctx, 0, &ctx->p, NULL), 0);
	KUNIT_ASSERT_EQ(test, zcrx_test_open(ctx, 2, &ctx->p, NULL), 0);
	KUNIT_EXPECT_EQ(test, ctx->mp->init_calls, 2);

	zcrx_test_close(ctx, 2, &ctx->p);
	KUNIT_EXPECT_EQ(test, ctx->mp->destroy_calls, 1);

	/* Queue 0 still holds the agreement */
	ret = zcrx_test_check_rings(ctx, ETHTOOL_TCP_DATA_SPLIT_DISABLED, 0,
				    &extack);
	KUNIT_EXPECT_EQ(test, ret, -EBUSY);
	zcrx_expect_msg(test, &extack,
			"rx queue 0 is bound to a memory provider: tcp-data-split must stay on");
	memset(&extack, 0, sizeof(extack));
	KUNIT_EXPECT_EQ(test, zcrx_test_check_xdp(ctx, &extack), -EBUSY);
	zcrx_expect_msg(test, &extack,
			"rx queue 0 is bound to a memory provider: cannot attach an XDP program");
	KUNIT_EXPECT_EQ(test, zcrx_test_check_channels(ctx, 1, 0), 0);

	zcrx_test_close(ctx, 0, &ctx->p);
	KUNIT_EXPECT_EQ(test, ctx->mp->destroy_calls, 2);

	KUNIT_EXPECT_EQ(test,
			zcrx_test_check_rings(ctx,
					      ETHTOOL_TCP_DATA_SPLIT_DISABLED,
					      0, NULL), 0);
	KUNIT_EXPECT_EQ(test,
			zcrx_test_check_rings(ctx,
					      ETHTOOL_TCP_DATA_SPLIT_ENABLED,
					      ZCRX_TEST_HDS_MAX, NULL), 0);
	KUNIT_EXPECT_EQ(test, zcrx_test_check_xdp(ctx, NULL), 0);
	KUNIT_EXPECT_EQ(test, zcrx_test_check_channels(ctx, 1, 0), 0);
	rtnl_lock();
	KUNIT_EXPECT_EQ(test, netdev_zcrx_check_channels(ctx->dev, 0, NULL), 0);
	KUNIT_EXPECT_EQ(test, dev_get_min_mp_channel_count(ctx->dev), 0);
	rtnl_unlock();
}

static void zcrx_agreement_set_records(struct kunit *test)
{
	struct zcrx_test_ctx *ctx = test->priv;
	struct netlink_ext_ack extack = {};
	int ret;

	/* Start from settings the request differs from in both */
	zcrx_test_set_hds(ctx, ETHTOOL_TCP_DATA_SPLIT_DISABLED, 256);

	/* The driver finds the new settings recorded when it is called:
	 * a driver that reopens the device reads them from there
	 */
	ret = zcrx_test_set_rings(ctx, ETHTOOL_TCP_DATA_SPLIT_ENABLED, 0,
				  ZCRX_TEST_POOL_SIZE, &extack);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_NULL(test, extack._msg);
	KUNIT_EXPECT_EQ(test, ctx->priv->set_calls, 1);
	zcrx_expect_driver_saw(test, ctx, ETHTOOL_TCP_DATA_SPLIT_ENABLED, 0);
	zcrx_expect_hds(test, ctx, ETHTOOL_TCP_DATA_SPLIT_ENABLED, 0);

	/* Nothing bound: turning split off again is just as fine */
	ret = zcrx_test_set_rings(ctx, ETHTOOL_TCP_DATA_SPLIT_DISABLED, 128,
				  ZCRX_TEST_POOL_SIZE, &extack);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_NULL(test, extack._msg);
	KUNIT_EXPECT_EQ(test, ctx->priv->set_calls, 2);
	zcrx_expect_driver_saw(test, ctx, ETHTOOL_TCP_DATA_SPLIT_DISABLED, 128);
	zcrx_expect_hds(test, ctx, ETHTOOL_TCP_DATA_SPLIT_DISABLED, 128);

	/* The core asked the driver nothing */
	KUNIT_EXPECT_EQ(test, ctx->priv->ringparam_calls, 0);
}

static void zcrx_agreement_set_restores(struct kunit *test)
{
	struct zcrx_test_ctx *ctx = test->priv;
	struct netlink_ext_ack extack = {};
	int ret;

	/* The driver fails with the new settings in place: the old ones
	 * come back, and its own reason reaches the user
	 */
	ctx->priv->fail_set = -EIO;
	ret = zcrx_test_set_rings(ctx, ETHTOOL_TCP_DATA_SPLIT_DISABLED, 128,
				  ZCRX_TEST_POOL_SIZE, &extack);
	KUNIT_EXPECT_EQ(test, ret, -EIO);
	zcrx_expect_msg(test, &extack, ZCRX_TEST_SET_MSG);
	KUNIT_EXPECT_EQ(test, ctx->priv->set_calls, 1);
	zcrx_expect_driver_saw(test, ctx, ETHTOOL_TCP_DATA_SPLIT_DISABLED, 128);
	zcrx_expect_hds(test, ctx, ETHTOOL_TCP_DATA_SPLIT_ENABLED, 0);

	/* Nothing of the failed attempt sticks to the next one */
	ctx->priv->fail_set = 0;
	ret = zcrx_test_set_rings(ctx, ETHTOOL_TCP_DATA_SPLIT_UNKNOWN, 64,
				  ZCRX_TEST_POOL_SIZE, &extack);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_NULL(test, extack._msg);
	KUNIT_EXPECT_EQ(test, ctx->priv->set_calls, 2);
	zcrx_expect_hds(test, ctx, ETHTOOL_TCP_DATA_SPLIT_UNKNOWN, 64);
}

static void zcrx_agreement_set_bound_refused(struct kunit *test)
{
	struct zcrx_test_ctx *ctx = test->priv;
	struct netlink_ext_ack extack = {};
	int ret;

	KUNIT_ASSERT_EQ(test, zcrx_test_open(ctx, 2, &ctx->p, NULL), 0);
	KUNIT_ASSERT_EQ(test, zcrx_test_open(ctx, 3, &ctx->p2, NULL), 0);

	/* Refused before the driver hears of it, naming the lowest bound
	 * queue, and nothing recorded
	 */
	ret = zcrx_test_set_rings(ctx, ETHTOOL_TCP_DATA_SPLIT_DISABLED, 0,
				  ZCRX_TEST_POOL_SIZE, &extack);
	KUNIT_EXPECT_EQ(test, ret, -EBUSY);
	zcrx_expect_msg(test, &extack,
			"rx queue 2 is bound to a memory provider: tcp-data-split must stay on");

	ret = zcrx_test_set_rings(ctx, ETHTOOL_TCP_DATA_SPLIT_ENABLED, 1,
				  ZCRX_TEST_POOL_SIZE, &extack);
	KUNIT_EXPECT_EQ(test, ret, -EBUSY);
	zcrx_expect_msg(test, &extack,
			"rx queue 2 is bound to a memory provider: hds-thresh must stay 0");

	KUNIT_EXPECT_EQ(test, ctx->priv->set_calls, 0);
	zcrx_expect_hds(test, ctx, ETHTOOL_TCP_DATA_SPLIT_ENABLED, 0);

	/* The ring sizes are none of the binding's business */
	ret = zcrx_test_set_rings(ctx, ETHTOOL_TCP_DATA_SPLIT_ENABLED, 0,
				  ZCRX_TEST_POOL_SIZE / 2, &extack);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_NULL(test, extack._msg);
	KUNIT_EXPECT_EQ(test, ctx->priv->set_calls, 1);
	KUNIT_EXPECT_EQ(test, ctx->priv->set_rx_pending,
			ZCRX_TEST_POOL_SIZE / 2);
	zcrx_expect_driver_saw(test, ctx, ETHTOOL_TCP_DATA_SPLIT_ENABLED, 0);
	zcrx_expect_hds(test, ctx, ETHTOOL_TCP_DATA_SPLIT_ENABLED, 0);

	zcrx_test_close(ctx, 3, &ctx->p2);
	zcrx_test_close(ctx, 2, &ctx->p);

	/* Released: split may go off */
	KUNIT_EXPECT_EQ(test,
			zcrx_test_set_rings(ctx,
					    ETHTOOL_TCP_DATA_SPLIT_DISABLED, 0,
					    ZCRX_TEST_POOL_SIZE, NULL), 0);
	KUNIT_EXPECT_EQ(test, ctx->priv->set_calls, 2);
	zcrx_expect_hds(test, ctx, ETHTOOL_TCP_DATA_SPLIT_DISABLED, 0);
}

static void zcrx_agreement_set_sb_xdp(struct kunit *test)
{
	struct bpf_prog *mb = zcrx_test_prog(test, true);
	struct bpf_prog *sb = zcrx_test_prog(test, false);
	struct zcrx_test_ctx *ctx = test->priv;
	struct netlink_ext_ack extack = {};
	int ret;

	/* Split off, and a program that needs the packet in one buffer */
	zcrx_test_set_hds(ctx, ETHTOOL_TCP_DATA_SPLIT_DISABLED, 0);
	zcrx_test_attach_prog(test, ctx, sb);

	ret = zcrx_test_set_rings(ctx, ETHTOOL_TCP_DATA_SPLIT_ENABLED, 0,
				  ZCRX_TEST_POOL_SIZE, &extack);
	KUNIT_EXPECT_EQ(test, ret, -EINVAL);
	zcrx_expect_msg(test, &extack,
			"tcp-data-split can not be enabled with single buffer XDP");

	/* In any mode */
	rtnl_lock();
	ctx->dev->xdp_state[XDP_MODE_DRV].prog = NULL;
	ctx->dev->xdp_state[XDP_MODE_SKB].prog = sb;
	rtnl_unlock();
	ret = zcrx_test_set_rings(ctx, ETHTOOL_TCP_DATA_SPLIT_ENABLED, 0,
				  ZCRX_TEST_POOL_SIZE, &extack);
	KUNIT_EXPECT_EQ(test, ret, -EINVAL);
	zcrx_expect_msg(test, &extack,
			"tcp-data-split can not be enabled with single buffer XDP");

	KUNIT_EXPECT_EQ(test, ctx->priv->set_calls, 0);
	zcrx_expect_hds(test, ctx, ETHTOOL_TCP_DATA_SPLIT_DISABLED, 0);

	/* A program that takes frags gets the payload too */
	rtnl_lock();
	ctx->dev->xdp_state[XDP_MODE_SKB].prog = mb;
	rtnl_unlock();
	ret = zcrx_test_set_rings(ctx, ETHTOOL_TCP_DATA_SPLIT_ENABLED, 0,
				  ZCRX_TEST_POOL_SIZE, &extack);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_NULL(test, extack._msg);
	KUNIT_EXPECT_EQ(test, ctx->priv->set_calls, 1);
	zcrx_expect_driver_saw(test, ctx, ETHTOOL_TCP_DATA_SPLIT_ENABLED, 0);
	zcrx_expect_hds(test, ctx, ETHTOOL_TCP_DATA_SPLIT_ENABLED, 0);
}

static struct kunit_case zcrx_agreement_cases[] = {
	KUNIT_CASE(zcrx_agreement_rings_refused),
	KUNIT_CASE(zcrx_agreement_rings_unchanged_ok),
	KUNIT_CASE(zcrx_agreement_rings_report_irrelevant),
	KUNIT_CASE(zcrx_agreement_channels_refused),
	KUNIT_CASE(zcrx_agreement_channels_highest),
	KUNIT_CASE(zcrx_agreement_xdp_refused),
	KUNIT_CASE(zcrx_agreement_xdp_single_buffer),
	KUNIT_CASE(zcrx_agreement_release_on_last_close),
	KUNIT_CASE(zcrx_agreement_set_records),
	KUNIT_CASE(zcrx_agreement_set_restores),
	KUNIT_CASE(zcrx_agreement_set_bound_refused),
	KUNIT_CASE(zcrx_agreement_set_sb_xdp),
	{}
};

static struct kunit_suite zcrx_agreement_suite = {
	.name		= "zcrx_agreement",
	.init		= zcrx_dev_test_init,
	.test_cases	= zcrx_agreement_cases,
};

/* zcrx_netlink: how providers are reported */

KUNIT_DEFINE_ACTION_WRAPPER(zcrx_kfree_skb, kfree_skb, struct sk_buff *);

/* nl_fill() only tells queues from pools by a non-NULL queue */
static struct netdev_rx_queue zcrx_test_nl_rxq;

static struct sk_buff *zcrx_nl_skb(struct kunit *test, unsigned int size)
{
	struct sk_buff *skb;
	int ret;

	skb = nlmsg_new(size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	ret = kunit_add_action_or_reset(test, zcrx_kfree_skb, skb);
	KUNIT_ASSERT_EQ(test, ret, 0);
	return skb;
}

static struct nlattr *zcrx_nl_find(struct sk_buff *skb, int type)
{
	return nla_find((struct nlattr *)skb->data, skb->len, type);
}

static void zcrx_netlink_queue(struct kunit *test)
{
	struct zcrx_test_mp *mp = zcrx_mp_create(test, NULL, NET_IOV_IOURING,
						 1);
	struct pp_memory_provider_params p = {
		.mp_priv	= mp,
		.mp_ops		= &zcrx_mp_ops,
	};
	struct sk_buff *skb = zcrx_nl_skb(test, NLMSG_GOODSIZE);
	struct netdev_rx_queue *rxq = &zcrx_test_nl_rxq;
	struct nlattr *nla;

	KUNIT_ASSERT_EQ(test, net_mp_nl_fill(&p, skb, rxq), 0);
	nla = zcrx_nl_find(skb, NETDEV_A_QUEUE_IO_URING);
	KUNIT_ASSERT_NOT_NULL(test, nla);
	KUNIT_EXPECT_TRUE(test, nla->nla_type & NLA_F_NESTED);
	KUNIT_EXPECT_EQ(test, nla_len(nla), 0);
	KUNIT_EXPECT_EQ(test, skb->len, nla_total_size(0));
	KUNIT_EXPECT_NULL(test, zcrx_nl_find(skb, NETDEV_A_PAGE_POOL_IO_URING));
	KUNIT_EXPECT_NULL(test, zcrx_nl_find(skb, NETDEV_A_QUEUE_DMABUF));
}

static void zcrx_netlink_pool(struct kunit *test)
{
	struct zcrx_test_mp *mp = zcrx_mp_create(test, NULL, NET_IOV_IOURING,
						 1);
	struct pp_memory_provider_params p = {
		.mp_priv	= mp,
		.mp_ops		= &zcrx_mp_ops,
	};
	struct sk_buff *skb = zcrx_nl_skb(test, NLMSG_GOODSIZE);
	struct nlattr *nla;

	KUNIT_ASSERT_EQ(test, net_mp_nl_fill(&p, skb, NULL), 0);
	nla = zcrx_nl_find(skb, NETDEV_A_PAGE_POOL_IO_URING);
	KUNIT_ASSERT_NOT_NULL(test, nla);
	KUNIT_EXPECT_TRUE(test, nla->nla_type & NLA_F_NESTED);
	KUNIT_EXPECT_EQ(test, nla_len(nla), 0);
	KUNIT_EXPECT_EQ(test, skb->len, nla_total_size(0));
	KUNIT_EXPECT_NULL(test, zcrx_nl_find(skb, NETDEV_A_QUEUE_IO_URING));
}

static void zcrx_netlink_dmabuf(struct kunit *test)
{
	struct zcrx_test_mp *mp = zcrx_mp_create(test, NULL, NET_IOV_DMABUF,
						 42);
	struct pp_memory_provider_params p = {
		.mp_priv	= mp,
		.mp_ops		= &zcrx_mp_dmabuf_ops,
	};
	struct sk_buff *skb = zcrx_nl_skb(test, NLMSG_GOODSIZE);
	struct netdev_rx_queue *rxq = &zcrx_test_nl_rxq;
	struct nlattr *nla;

	KUNIT_ASSERT_EQ(test, net_mp_nl_fill(&p, skb, rxq), 0);
	nla = zcrx_nl_find(skb, NETDEV_A_QUEUE_DMABUF);
	KUNIT_ASSERT_NOT_NULL(test, nla);
	KUNIT_EXPECT_EQ(test, nla_len(nla), (int)sizeof(u32));
	KUNIT_EXPECT_EQ(test, nla_get_u32(nla), 42);
	KUNIT_EXPECT_NULL(test, zcrx_nl_find(skb, NETDEV_A_PAGE_POOL_DMABUF));

	skb_trim(skb, 0);
	KUNIT_ASSERT_EQ(test, net_mp_nl_fill(&p, skb, NULL), 0);
	nla = zcrx_nl_find(skb, NETDEV_A_PAGE_POOL_DMABUF);
	KUNIT_ASSERT_NOT_NULL(test, nla);
	KUNIT_EXPECT_EQ(test, nla_get_u32(nla), 42);
	KUNIT_EXPECT_NULL(test, zcrx_nl_find(skb, NETDEV_A_QUEUE_DMABUF));
}

static void zcrx_netlink_nothing(struct kunit *test)
{
	struct zcrx_test_mp *mp = zcrx_mp_create(test, NULL, NET_IOV_IOURING,
						 1);
	struct pp_memory_provider_params quiet = {
		.mp_priv	= mp,
		.mp_ops		= &zcrx_mp_quiet_ops,
	};
	struct pp_memory_provider_params none = {};
	struct sk_buff *skb = zcrx_nl_skb(test, NLMSG_GOODSIZE);

	/* No provider, or one that reports nothing: the message is intact */
	KUNIT_EXPECT_EQ(test, net_mp_nl_fill(&none, skb, NULL), 0);
	KUNIT_EXPECT_EQ(test, net_mp_nl_fill(&quiet, skb, NULL), 0);
	KUNIT_EXPECT_EQ(test, skb->len, 0);
}

static void zcrx_netlink_emsgsize(struct kunit *test)
{
	struct zcrx_test_mp *mp = zcrx_mp_create(test, NULL, NET_IOV_IOURING,
						 7);
	struct pp_memory_provider_params p = {
		.mp_priv	= mp,
		.mp_ops		= &zcrx_mp_ops,
	};
	struct pp_memory_provider_params p2 = {
		.mp_priv	= mp,
		.mp_ops		= &zcrx_mp_dmabuf_ops,
	};
	struct sk_buff *skb = zcrx_nl_skb(test, 0);
	unsigned int len;

	/* Leave less room than an attribute header */
	KUNIT_ASSERT_GE(test, skb_tailroom(skb), NLA_HDRLEN);
	skb_put_zero(skb, skb_tailroom(skb) - (NLA_HDRLEN - 1));
	len = skb->len;

	KUNIT_EXPECT_EQ(test, net_mp_nl_fill(&p, skb, NULL), -EMSGSIZE);
	KUNIT_EXPECT_EQ(test, net_mp_nl_fill(&p2, skb, NULL), -EMSGSIZE);
	KUNIT_EXPECT_EQ(test, skb->len, len);
}

static void zcrx_netlink_uapi_numbers(struct kunit *test)
{
	/* These are ABI: user space was built against them */
	KUNIT_EXPECT_EQ(test, NETDEV_A_QUEUE_DMABUF, 5);
	KUNIT_EXPECT_EQ(test, NETDEV_A_QUEUE_IO_URING, 6);
	KUNIT_EXPECT_EQ(test, NETDEV_A_PAGE_POOL_DMABUF, 7);
	KUNIT_EXPECT_EQ(test, NETDEV_A_PAGE_POOL_IO_URING, 8);
	KUNIT_EXPECT_EQ(test, ETHTOOL_A_RINGS_HDS_THRESH, 17);
	KUNIT_EXPECT_EQ(test, ETHTOOL_A_RINGS_HDS_THRESH_MAX, 18);
}

static struct kunit_case zcrx_netlink_cases[] = {
	KUNIT_CASE(zcrx_netlink_queue),
	KUNIT_CASE(zcrx_netlink_pool),
	KUNIT_CASE(zcrx_netlink_dmabuf),
	KUNIT_CASE(zcrx_netlink_nothing),
	KUNIT_CASE(zcrx_netlink_emsgsize),
	KUNIT_CASE(zcrx_netlink_uapi_numbers),
	{}
};

static struct kunit_suite zcrx_netlink_suite = {
	.name		= "zcrx_netlink",
	.test_cases	= zcrx_netlink_cases,
};

kunit_test_suites(&zcrx_area_suite, &zcrx_open_suite, &zcrx_agreement_suite,
		  &zcrx_netlink_suite);

MODULE_DESCRIPTION("KUnit tests for the zero-copy receive memory-provider layer");
MODULE_LICENSE("GPL");
