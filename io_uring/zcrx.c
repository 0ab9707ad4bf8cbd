// SPDX-License-Identifier: GPL-2.0
/*
 * io_uring zero-copy receive: interface queues (ifqs).
 *
 * An ifq binds one rx queue of a header-splitting NIC to an area of user
 * memory. The area is pinned and charged to the user's locked memory;
 * io_uring becomes the memory provider of the queue's payload page pool
 * through the net/zcrx layer, so the NIC writes payload straight into the
 * area. Buffers the user is done with come back through the refill ring, a
 * ring of &struct io_uring_zcrx_rqe in memory shared with the user.
 *
 * The area is DMA-mapped for the device when the first page pool takes the
 * provider, and unmapped as soon as the queue is unbound or the device goes
 * away (the provider's ->uninstall), whichever comes first: a mapping never
 * outlives the binding, even while the user still holds buffers.
 *
 * The area is cut into buffers (net_iovs) of a page, or of rx_buf_len bytes
 * (a power of two) where the driver can post buffers that large: each
 * buffer is then physically contiguous memory, mapped for the device in one
 * piece, and one completion covers up to a whole buffer.
 *
 * The area may instead be a dma-buf (%IORING_ZCRX_AREA_DMABUF) that the
 * device maps through an attachment: nothing is pinned or charged, the
 * kernel never reads it (the copy fallback refuses), and the attachment
 * goes when the device does, as the mapping of user memory does.
 *
 * An ifq without a device (%ZCRX_REG_NODEV) has an area and a refill ring
 * but no queue: every receive copies into the area.
 *
 * An ifq can be exported as a file (%ZCRX_CTRL_EXPORT) and imported by
 * other rings (%ZCRX_REG_IMPORT): one queue, one area and one refill ring,
 * each ring receiving on its own sockets. The queue stays bound until the
 * last ring and the last exported file are gone.
 *
 * Every buffer (net_iov) has one owner at a time: the free list, a page
 * pool (and through it the driver and the network stack), or the user,
 * who holds it through a user reference plus one page pool reference per
 * completion. The ifq lives until the ring is gone and every page pool
 * that took memory from it has been destroyed, that is until every buffer
 * is back; only then is the area unpinned and uncharged.
 */
#include <linux/anon_inodes.h>
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/file.h>
#include <linux/io_uring.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/netdevice.h>
#include <linux/nospec.h>
#include <linux/nsproxy.h>
#include <linux/rtnetlink.h>
#include <linux/seq_file.h>
#include <linux/sched/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <net/rps.h>
#include <net/netdev_rx_queue.h>
#include <net/netlink.h>
#include <net/page_pool/helpers.h>
#include <net/page_pool/memory_provider.h>
#include <net/tcp.h>
#include <net/zcrx.h>
#include <trace/events/io_uring.h>
#include <uapi/linux/io_uring/query.h>
#include <uapi/linux/netdev.h>

#include "io_uring.h"
#include "memmap.h"
#include "rsrc.h"
#include "zcrx.h"

#define IO_RQ_MAX_ENTRIES		32768
/* well below the IORING_ZCRX_AREA_SHIFT bits of offset a token has */
#define IO_ZCRX_MAX_AREA_LEN		SZ_4G
/* refill ring header: head and tail on cache lines of their own */
#define IO_ZCRX_RQ_HEAD_OFF		0
#define IO_ZCRX_RQ_TAIL_OFF		L1_CACHE_BYTES
#define IO_ZCRX_RQES_OFF		(2 * L1_CACHE_BYTES)
#define IO_ZCRX_MAX_REGION_PAGES	USHRT_MAX
/* refill entries taken back per call of the copy fallback, under a BH lock */
#define IO_ZCRX_RECLAIM_BATCH		64
/*
 * Free buffers kept from the page pool for the copy fallback, at most; an
 * area keeps a sixteenth of its buffers, so small areas keep fewer.
 */
#define IO_ZCRX_COPY_RESERVE		16
/* in a ring's &io_ring_ctx.zcrx_ctxs: the ring let go of the ifq */
#define IO_ZCRX_LEFT			XA_MARK_1

static const struct memory_provider_ops io_uring_pp_zc_ops;

static inline struct io_zcrx_area *io_zcrx_iov_to_area(const struct net_iov *niov)
{
	return container_of(net_iov_owner(niov), struct io_zcrx_area, nia);
}

static inline atomic_t *io_get_user_counter(struct net_iov *niov)
{
	struct io_zcrx_area *area = io_zcrx_iov_to_area(niov);

	return &area->user_refs[net_iov_idx(niov)];
}

static void io_zcrx_get_niov_uref(struct net_iov *niov)
{
	atomic_inc(io_get_user_counter(niov));
}

/* Take back one user reference; false if the user holds none. */
static bool io_zcrx_put_niov_uref(struct net_iov *niov)
{
	return atomic_dec_if_positive(io_get_user_counter(niov)) >= 0;
}

static void io_zcrx_free_region(struct io_zcrx_ifq *ifq)
{
	struct io_zcrx_region *region = &ifq->region;

	if (ifq->region_acct) {
		__io_unaccount_mem(ifq->user, ifq->region_acct);
		ifq->region_acct = 0;
	}
	if (!region->ptr)
		return;
	if (region->is_user) {
		vunmap(region->ptr);
		io_pages_free(&region->pages, region->nr_pages);
	} else {
		io_pages_unmap(region->ptr, &region->pages, &region->nr_pages,
			       true);
	}
	region->ptr = NULL;
}

/*
 * The refill ring's memory: pinned user memory, or pages the kernel
 * allocates and the user maps at the returned mmap_offset.
 */
static int io_zcrx_create_region(struct io_zcrx_ifq *ifq,
				 struct io_uring_region_desc *rd)
{
	struct io_zcrx_region *region = &ifq->region;
	size_t size;
	void *ptr;

	unsigned long nr_pages;
	u64 end;
	int ret;

	if (!mem_is_zero(rd->__resv, sizeof(rd->__resv)))
		return -EINVAL;
	if (rd->flags & ~IORING_MEM_REGION_TYPE_USER)
		return -EINVAL;
	/* an address if and only if the user supplies the memory */
	if (!(rd->flags & IORING_MEM_REGION_TYPE_USER) != !rd->user_addr)
		return -EFAULT;
	if (!rd->size || rd->id || rd->mmap_offset)
		return -EINVAL;
	/* the page counts of the 6.12 region helpers are 16 bits */
	if ((rd->size >> PAGE_SHIFT) > IO_ZCRX_MAX_REGION_PAGES)
		return -E2BIG;
	if ((rd->size | rd->user_addr) & ~PAGE_MASK)
		return -EINVAL;
	if (check_add_overflow(rd->user_addr, rd->size, &end))
		return -EOVERFLOW;
	size = IO_ZCRX_RQES_OFF +
	       ifq->rq_entries * sizeof(struct io_uring_zcrx_rqe);
	if (rd->size < size)
		return -EINVAL;

	/* the region is locked memory whoever allocated it, as in mainline */
	nr_pages = rd->size >> PAGE_SHIFT;
	if (ifq->user) {
		ret = __io_account_mem(ifq->user, nr_pages);
		if (ret)
			return ret;
		ifq->region_acct = nr_pages;
	}

	if (rd->flags & IORING_MEM_REGION_TYPE_USER) {
		ptr = __io_uaddr_map(&region->pages, &region->nr_pages,
				     rd->user_addr, rd->size);
		region->is_user = true;
	} else {
		ptr = io_pages_map(&region->pages, &region->nr_pages,
				   rd->size);
		rd->mmap_offset = IORING_MAP_OFF_ZCRX_REGION +
				  ((u64)ifq->id << IORING_OFF_ZCRX_SHIFT);
	}
	if (IS_ERR(ptr))
		return PTR_ERR(ptr);

	region->ptr = ptr;
	ifq->rq_head = ptr + IO_ZCRX_RQ_HEAD_OFF;
	ifq->rq_tail = ptr + IO_ZCRX_RQ_TAIL_OFF;
	ifq->rqes = ptr + IO_ZCRX_RQES_OFF;
	return 0;
}

static void io_zcrx_unaccount(struct io_zcrx_ifq *ifq, unsigned long nr_pages)
{
	if (ifq->user)
		__io_unaccount_mem(ifq->user, nr_pages);
	atomic64_sub(nr_pages, &ifq->mm_account->pinned_vm);
}

static int io_zcrx_account(struct io_zcrx_ifq *ifq, unsigned long nr_pages)
{
	int ret;

	if (ifq->user) {
		ret = __io_account_mem(ifq->user, nr_pages);
		if (ret)
			return ret;
	}
	atomic64_add(nr_pages, &ifq->mm_account->pinned_vm);
	return 0;
}

static void __io_zcrx_unmap_area(struct io_zcrx_ifq *ifq,
				 struct io_zcrx_area *area)
{
	unsigned long i;

	lockdep_assert_held(&ifq->dma_lock);

	/* no sync for the device may start on an address about to go */
	WRITE_ONCE(area->is_mapped, false);
	for (i = 0; i < area->nr_mapped; i++) {
		struct net_iov *niov = &area->nia.niovs[i];

		dma_unmap_page_attrs(ifq->dev, net_iov_dma_addr(niov),
				     net_iov_size(niov), DMA_FROM_DEVICE,
				     DMA_ATTR_SKIP_CPU_SYNC);
		net_mp_niov_set_dma_addr(niov, 0);
	}
	area->nr_mapped = 0;
}

static int io_zcrx_map_area(struct io_zcrx_ifq *ifq, struct io_zcrx_area *area)
{
	unsigned long i;

	lockdep_assert_held(&ifq->dma_lock);

	if (area->is_mapped)
		return 0;
	for (i = 0; i < area->nia.num_niovs; i++) {
		struct net_iov *niov = &area->nia.niovs[i];
		size_t size = net_iov_size(niov);
		dma_addr_t dma;

		/* a buffer of several pages is contiguous: one mapping */
		dma = dma_map_page_attrs(ifq->dev, net_iov_page(niov), 0, size,
					 DMA_FROM_DEVICE,
					 DMA_ATTR_SKIP_CPU_SYNC);
		if (dma_mapping_error(ifq->dev, dma))
			goto err_unmap;
		if (net_mp_niov_set_dma_addr(niov, dma)) {
			dma_unmap_page_attrs(ifq->dev, dma, size,
					     DMA_FROM_DEVICE,
					     DMA_ATTR_SKIP_CPU_SYNC);
			goto err_unmap;
		}
		area->nr_mapped++;
	}
	WRITE_ONCE(area->is_mapped, true);
	return 0;

err_unmap:
	__io_zcrx_unmap_area(ifq, area);
	return -ENOMEM;
}

/*
 * A dma-buf area: unmap the dma-buf from the device and let go of the
 * attachment, which must not outlive the device either.
 */
static void io_zcrx_dmabuf_detach(struct io_zcrx_area *area)
{
	unsigned long i;

	WRITE_ONCE(area->is_mapped, false);
	if (area->sgt)
		dma_buf_unmap_attachment_unlocked(area->attach, area->sgt,
						  DMA_FROM_DEVICE);
	area->sgt = NULL;
	if (area->attach)
		dma_buf_detach(area->dmabuf, area->attach);
	area->attach = NULL;
	for (i = 0; i < area->nia.num_niovs; i++)
		net_mp_niov_set_dma_addr(&area->nia.niovs[i], 0);
	area->nr_mapped = 0;
}

/*
 * The device will not DMA into the area any more: the queue was unbound,
 * or the device is going away. Unmap the area and let the device go. The
 * page pools that used the area are destroyed by now (they sync nothing
 * once destroyed) and the provider syncs only mapped areas.
 */
static void io_zcrx_release_dev(struct io_zcrx_ifq *ifq)
{
	mutex_lock(&ifq->dma_lock);
	if (ifq->dev) {
		if (ifq->area && ifq->area->dmabuf)
			io_zcrx_dmabuf_detach(ifq->area);
		else if (ifq->area)
			__io_zcrx_unmap_area(ifq, ifq->area);
		put_device(ifq->dev);
		ifq->dev = NULL;
	}
	mutex_unlock(&ifq->dma_lock);
}

static void io_zcrx_free_area(struct io_zcrx_area *area)
{
	struct io_zcrx_ifq *ifq = area->ifq;

	if (area->dmabuf) {
		/* a registration that failed before the ifq had the area */
		if (area->attach)
			io_zcrx_dmabuf_detach(area);
		dma_buf_put(area->dmabuf);
	}
	/* unmapped when the device was released */
	WARN_ON_ONCE(area->nr_mapped);
	if (area->nia.pages)
		io_pages_free(&area->nia.pages, area->nr_pages);
	if (area->acct_pages)
		io_zcrx_unaccount(ifq, area->acct_pages);
	kvfree(area->freelist);
	kvfree(area->nia.niovs);
	kvfree(area->user_refs);
	kfree(area);
}

static int io_zcrx_validate_area(const struct io_uring_zcrx_area_reg *reg,
				 u32 buf_len)
{
	u64 end;

	if (reg->flags & ~IORING_ZCRX_AREA_DMABUF)
		return -EINVAL;
	if (reg->rq_area_token)
		return -EINVAL;
	if (!mem_is_zero(reg->__resv2, sizeof(reg->__resv2)))
		return -EINVAL;
	/* no memory, or none at an address: -EFAULT, as mainline answers */
	if (!reg->len)
		return -EFAULT;
	if (reg->flags & IORING_ZCRX_AREA_DMABUF) {
		/* the whole dma-buf: addr is an offset into it, 0 */
		if (reg->addr || reg->len & (buf_len - 1) ||
		    reg->len > IO_ZCRX_MAX_AREA_LEN)
			return -EINVAL;
		return 0;
	}
	if (reg->dmabuf_fd)
		return -EINVAL;
	/* whole buffers: a buffer's pages are one piece of memory */
	if ((reg->addr | reg->len) & (buf_len - 1))
		return -EINVAL;
	if (reg->len > IO_ZCRX_MAX_AREA_LEN)
		return -EINVAL;
	if (!reg->addr)
		return -EFAULT;
	/* what io_pin_pages() takes: an unsigned long range that does not wrap */
	if (reg->addr != (unsigned long)reg->addr ||
	    check_add_overflow(reg->addr, reg->len, &end) ||
	    end != (unsigned long)end)
		return -EOVERFLOW;
	return 0;
}

/*
 * Pages to charge for pinning @pages: each folio in full, once, as mainline
 * does for every pinned buffer. An area inside a huge page pins all of it.
 */
static unsigned long io_zcrx_count_acct_pages(struct page **pages,
					      unsigned long nr_pages)
{
	struct folio *last = NULL;
	unsigned long i, res = 0;

	for (i = 0; i < nr_pages; i++) {
		struct folio *folio = page_folio(pages[i]);

		if (folio == last)
			continue;
		last = folio;
		res += folio_nr_pages(folio);
	}
	return res;
}

/*
 * Whether every buffer of @shift bytes in @pages is physically contiguous,
 * which a device given one address per buffer needs.
 */
static bool io_zcrx_bufs_contiguous(struct page **pages, unsigned long nr,
				    unsigned int shift)
{
	unsigned long per_buf = 1UL << (shift - PAGE_SHIFT), i;

	/* a page is one piece of memory: nothing to walk */
	for (i = 0; per_buf > 1 && i < nr; i++) {
		if (i % per_buf &&
		    page_to_pfn(pages[i]) != page_to_pfn(pages[i - 1]) + 1)
			return false;
	}
	return true;
}

static struct io_zcrx_area *io_zcrx_area_alloc(struct io_zcrx_ifq *ifq)
{
	struct io_zcrx_area *area;

	area = kzalloc(sizeof(*area), GFP_KERNEL_ACCOUNT);
	if (area) {
		area->ifq = ifq;
		spin_lock_init(&area->freelist_lock);
	}
	return area;
}

/* The parts of an area of @nr_bufs buffers that do not depend on memory. */
static int io_zcrx_area_init_bufs(struct io_zcrx_area *area,
				  unsigned long nr_bufs)
{
	unsigned long i;

	area->freelist = kvmalloc_array(nr_bufs, sizeof(area->freelist[0]),
					GFP_KERNEL_ACCOUNT);
	if (!area->freelist)
		return -ENOMEM;
	area->user_refs = kvcalloc(nr_bufs, sizeof(area->user_refs[0]),
				   GFP_KERNEL_ACCOUNT);
	if (!area->user_refs)
		return -ENOMEM;
	for (i = 0; i < nr_bufs; i++)
		area->freelist[i] = i;
	area->free_count = nr_bufs;
	area->copy_reserve = min_t(u32, nr_bufs / 16, IO_ZCRX_COPY_RESERVE);
	return 0;
}

/*
 * IORING_ZCRX_AREA_DMABUF: attach the dma-buf to the device and map it
 * now, the whole of it: its DMA segments, in whole buffers, give each
 * buffer its address. Nothing is pinned or charged: the exporter owns the
 * memory. Errors: those of dma_buf_get(), attaching and mapping; -EINVAL
 * if the dma-buf is not @reg->len bytes, -ERANGE if a segment is not
 * whole buffers.
 */
static struct io_zcrx_area *
io_zcrx_create_dmabuf_area(struct io_zcrx_ifq *ifq,
			   const struct io_uring_zcrx_area_reg *reg,
			   unsigned int shift)
{
	unsigned long nr_bufs = reg->len >> shift, i = 0;
	size_t buf_size = (size_t)1 << shift;
	struct io_zcrx_area *area;
	struct scatterlist *sg;
	struct net_iov *niovs;
	u64 total = 0;
	int ret, j;

	area = io_zcrx_area_alloc(ifq);
	if (!area)
		return ERR_PTR(-ENOMEM);

	area->dmabuf = dma_buf_get(reg->dmabuf_fd);
	if (IS_ERR(area->dmabuf)) {
		ret = PTR_ERR(area->dmabuf);
		area->dmabuf = NULL;
		goto err_free;
	}
	area->attach = dma_buf_attach(area->dmabuf, ifq->dev);
	if (IS_ERR(area->attach)) {
		ret = PTR_ERR(area->attach);
		area->attach = NULL;
		goto err_free;
	}
	area->sgt = dma_buf_map_attachment_unlocked(area->attach,
						    DMA_FROM_DEVICE);
	if (IS_ERR(area->sgt)) {
		ret = PTR_ERR(area->sgt);
		area->sgt = NULL;
		goto err_free;
	}
	for_each_sgtable_dma_sg(area->sgt, sg, j) {
		total += sg_dma_len(sg);
		if ((sg_dma_address(sg) | sg_dma_len(sg)) & (buf_size - 1)) {
			ret = -ERANGE;
			goto err_free;
		}
	}
	if (total != reg->len) {
		ret = -EINVAL;
		goto err_free;
	}

	ret = -ENOMEM;
	niovs = kvmalloc_array(nr_bufs, sizeof(*niovs), GFP_KERNEL_ACCOUNT);
	if (!niovs)
		goto err_free;
	/* no pages: the kernel has no business reading the memory */
	net_iov_area_init_sized(&area->nia, niovs, nr_bufs, shift,
				NET_IOV_IOURING, 0, NULL);
	for_each_sgtable_dma_sg(area->sgt, sg, j) {
		size_t off;

		for (off = 0; off < sg_dma_len(sg); off += buf_size) {
			if (net_mp_niov_set_dma_addr(&niovs[i++],
						     sg_dma_address(sg) + off)) {
				ret = -EINVAL;
				goto err_free;
			}
		}
	}
	area->nr_mapped = nr_bufs;
	ret = io_zcrx_area_init_bufs(area, nr_bufs);
	if (ret)
		goto err_free;
	WRITE_ONCE(area->is_mapped, true);
	return area;

err_free:
	io_zcrx_free_area(area);
	return ERR_PTR(ret);
}

static struct io_zcrx_area *
io_zcrx_create_area(struct io_zcrx_ifq *ifq,
		    const struct io_uring_zcrx_area_reg *reg, unsigned int shift)
{
	unsigned long nr_pages = reg->len >> PAGE_SHIFT;
	unsigned long nr_bufs = reg->len >> shift;
	unsigned long acct_pages;
	struct io_zcrx_area *area;
	struct net_iov *niovs;
	struct page **pages;
	int nr, ret;

	area = io_zcrx_area_alloc(ifq);
	if (!area)
		return ERR_PTR(-ENOMEM);

	pages = io_pin_pages(reg->addr, reg->len, &nr);
	if (IS_ERR(pages)) {
		ret = PTR_ERR(pages);
		goto err_free;
	}
	if (WARN_ON_ONCE(nr != nr_pages)) {
		io_pages_free(&pages, nr);
		ret = -EFAULT;
		goto err_free;
	}
	/* as mainline answers buffers larger than the memory's pieces */
	if (!io_zcrx_bufs_contiguous(pages, nr_pages, shift)) {
		io_pages_free(&pages, nr);
		ret = -ERANGE;
		goto err_free;
	}
	acct_pages = io_zcrx_count_acct_pages(pages, nr_pages);
	ret = io_zcrx_account(ifq, acct_pages);
	if (ret) {
		io_pages_free(&pages, nr);
		goto err_free;
	}
	area->acct_pages = acct_pages;

	ret = -ENOMEM;
	niovs = kvmalloc_array(nr_bufs, sizeof(*niovs), GFP_KERNEL_ACCOUNT);
	if (!niovs) {
		io_pages_free(&pages, nr);
		goto err_free;
	}
	net_iov_area_init_sized(&area->nia, niovs, nr_bufs, shift,
				NET_IOV_IOURING, reg->addr, pages);
	area->nr_pages = nr_pages;

	ret = io_zcrx_area_init_bufs(area, nr_bufs);
	if (ret)
		goto err_free;
	return area;

err_free:
	io_zcrx_free_area(area);
	return ERR_PTR(ret);
}

/* Create the ifq's area, of user memory or a dma-buf; set its token. */
static int io_zcrx_install_area(struct io_zcrx_ifq *ifq,
				struct io_uring_zcrx_area_reg *reg,
				unsigned int shift)
{
	struct io_zcrx_area *area;

	if (reg->flags & IORING_ZCRX_AREA_DMABUF)
		area = io_zcrx_create_dmabuf_area(ifq, reg, shift);
	else
		area = io_zcrx_create_area(ifq, reg, shift);
	if (IS_ERR(area))
		return PTR_ERR(area);
	/* one area per ifq for now */
	area->area_id = 0;
	reg->rq_area_token = (u64)area->area_id << IORING_ZCRX_AREA_SHIFT;
	ifq->area = area;
	return 0;
}

static struct io_zcrx_ifq *io_zcrx_ifq_alloc(struct io_ring_ctx *ctx)
{
	struct io_zcrx_ifq *ifq;

	ifq = kzalloc(sizeof(*ifq), GFP_KERNEL_ACCOUNT);
	if (!ifq)
		return NULL;

	refcount_set(&ifq->refs, 1);
	refcount_set(&ifq->user_refs, 1);
	spin_lock_init(&ifq->rq_lock);
	mutex_init(&ifq->dma_lock);
	if (ctx->user)
		ifq->user = get_uid(ctx->user);
	mmgrab(ctx->mm_account);
	ifq->mm_account = ctx->mm_account;
	return ifq;
}

static void io_zcrx_ifq_free(struct io_zcrx_ifq *ifq)
{
	/*
	 * A registration that failed before the queue was bound, or a queue
	 * that could not be unbound: its last page pool is gone.
	 */
	io_zcrx_release_dev(ifq);
	if (ifq->netdev)
		netdev_put(ifq->netdev, &ifq->netdev_tracker);
	if (ifq->area)
		io_zcrx_free_area(ifq->area);
	io_zcrx_free_region(ifq);
	mutex_destroy(&ifq->dma_lock);
	if (ifq->user)
		free_uid(ifq->user);
	mmdrop(ifq->mm_account);
	kfree(ifq);
}

static void io_zcrx_ifq_put(struct io_zcrx_ifq *ifq)
{
	if (refcount_dec_and_test(&ifq->refs))
		io_zcrx_ifq_free(ifq);
}

static void io_zcrx_drop_netdev(struct io_zcrx_ifq *ifq)
{
	ASSERT_RTNL();

	if (!ifq->netdev)
		return;
	netdev_put(ifq->netdev, &ifq->netdev_tracker);
	/* read locklessly by fdinfo */
	WRITE_ONCE(ifq->netdev, NULL);
}

static int io_zcrx_open_queue(struct io_zcrx_ifq *ifq)
{
	struct pp_memory_provider_params p = {
		.mp_ops = &io_uring_pp_zc_ops,
		.mp_priv = ifq,
	};
	u32 buf_len = 1U << ifq->area->nia.niov_shift;
	int ret;

	/* only when asked for: a driver that posts pages needs no support */
	if (buf_len > PAGE_SIZE)
		p.rx_page_size = buf_len;
	rtnl_lock();
	ret = __net_mp_open_rxq(ifq->netdev, ifq->if_rxq, &p, NULL);
	rtnl_unlock();
	return ret;
}

/* Unbind the queue and restart it with ordinary memory, once. */
static void io_zcrx_close_queue(struct io_zcrx_ifq *ifq)
{
	struct pp_memory_provider_params p = {
		.mp_ops = &io_uring_pp_zc_ops,
		.mp_priv = ifq,
	};
	bool in_use = false;

	rtnl_lock();
	if (ifq->netdev) {
		/*
		 * A queue that could not restart still receives into the area
		 * from a page pool of this ifq. Keep the area mapped, and the
		 * netdev held so that it cannot be unregistered under the
		 * mapping, until that pool is destroyed and the ifq with it.
		 */
		in_use = __net_mp_close_rxq(ifq->netdev, ifq->if_rxq, &p);
		if (!in_use)
			io_zcrx_drop_netdev(ifq);
	}
	rtnl_unlock();
	/* the queue runs on other memory now: the area is done with DMA */
	if (!in_use)
		io_zcrx_release_dev(ifq);
}

static void io_zcrx_return_niov_freelist(struct net_iov *niov)
{
	struct io_zcrx_area *area = io_zcrx_iov_to_area(niov);

	spin_lock_bh(&area->freelist_lock);
	area->freelist[area->free_count++] = net_iov_idx(niov);
	spin_unlock_bh(&area->freelist_lock);
}

/* Give back a buffer nobody holds any more, to its page pool if any. */
static void io_zcrx_return_niov(struct net_iov *niov)
{
	netmem_ref netmem = net_iov_to_netmem(niov);

	if (!niov->pp) {
		/* not from a page pool: a copy fallback buffer */
		io_zcrx_return_niov_freelist(niov);
		return;
	}
	page_pool_put_unrefed_netmem(niov->pp, netmem, -1, false);
}

/*
 * Take back every buffer still in the user's hands. Only once the queue
 * is unbound: the refill ring is not consumed any more.
 */
static void io_zcrx_scrub(struct io_zcrx_ifq *ifq)
{
	struct io_zcrx_area *area = ifq->area;
	unsigned long i;

	if (!area)
		return;

	for (i = 0; i < area->nia.num_niovs; i++) {
		struct net_iov *niov = &area->nia.niovs[i];
		int nr;

		if (!atomic_read(io_get_user_counter(niov)))
			continue;
		nr = atomic_xchg(io_get_user_counter(niov), 0);
		if (nr && !page_pool_unref_netmem(net_iov_to_netmem(niov), nr))
			io_zcrx_return_niov(niov);
	}
}

/* Take back what the user holds, if the last user of the ifq is gone. */
static void io_zcrx_scrub_closed(struct io_zcrx_ifq *ifq)
{
	/* pairs with io_zcrx_put_user() */
	if (smp_load_acquire(&ifq->closed))
		io_zcrx_scrub(ifq);
}

/*
 * A ring or an exported file lets go of the ifq. The last one unbinds the
 * queue: no ring can hand buffers back any more. Requests of exiting rings
 * may still complete buffers: each ring scrubs again once they are done.
 */
static void io_zcrx_put_user(struct io_zcrx_ifq *ifq)
{
	if (!refcount_dec_and_test(&ifq->user_refs))
		return;
	io_zcrx_close_queue(ifq);
	/* pairs with io_zcrx_scrub_closed() */
	smp_store_release(&ifq->closed, true);
	io_zcrx_scrub(ifq);
}

static int io_zcrx_file_release(struct inode *inode, struct file *file)
{
	struct io_zcrx_ifq *ifq = file->private_data;

	io_zcrx_put_user(ifq);
	io_zcrx_ifq_put(ifq);
	return 0;
}

/* An exported ifq: a file that holds it, for another ring to import. */
static const struct file_operations io_zcrx_file_fops = {
	.release	= io_zcrx_file_release,
};

static void io_zcrx_fill_offsets(struct io_uring_zcrx_offsets *o)
{
	o->head = IO_ZCRX_RQ_HEAD_OFF;
	o->tail = IO_ZCRX_RQ_TAIL_OFF;
	o->rqes = IO_ZCRX_RQES_OFF;
}

/*
 * ZCRX_REG_IMPORT: the ring shares the ifq of an exported file, under an
 * id of its own. Its area, refill ring and queue are the exporter's.
 */
static int io_zcrx_import(struct io_ring_ctx *ctx,
			  struct io_uring_zcrx_ifq_reg __user *arg,
			  struct io_uring_zcrx_ifq_reg *reg)
{
	struct io_zcrx_ifq *ifq;
	struct file *file;
	u32 id;
	int ret;

	if (reg->flags != ZCRX_REG_IMPORT || reg->if_rxq || reg->rq_entries ||
	    reg->area_ptr || reg->region_ptr || reg->rx_buf_len ||
	    !mem_is_zero(&reg->offsets, sizeof(reg->offsets)))
		return -EINVAL;

	file = fget(reg->if_idx);
	if (!file)
		return -EBADF;
	ret = -EBADF;
	if (file->f_op != &io_zcrx_file_fops)
		goto out_fput;
	ifq = file->private_data;

	ret = xa_alloc(&ctx->zcrx_ctxs, &id, NULL,
		       XA_LIMIT(0, IO_ZCRX_MAX_IFQS - 1), GFP_KERNEL);
	if (ret)
		goto out_fput;
	reg->zcrx_id = id;
	reg->rq_entries = ifq->rq_entries;
	io_zcrx_fill_offsets(&reg->offsets);
	if (copy_to_user(arg, reg, sizeof(*reg))) {
		xa_erase(&ctx->zcrx_ctxs, id);
		ret = -EFAULT;
		goto out_fput;
	}

	/* the file holds a user reference: the queue is still bound */
	refcount_inc(&ifq->refs);
	refcount_inc(&ifq->user_refs);
	/* a reserved entry: storing needs no memory */
	WARN_ON_ONCE(xa_is_err(xa_store(&ctx->zcrx_ctxs, id, ifq, GFP_KERNEL)));
	ret = 0;
out_fput:
	fput(file);
	return ret;
}

/**
 * io_register_zcrx_ifq() - IORING_REGISTER_ZCRX_IFQ
 * @ctx: the ring, with uring_lock held
 * @arg: the user's &struct io_uring_zcrx_ifq_reg
 *
 * Return: 0, with the results written back to the user's structures, or
 * -EPERM without CAP_NET_ADMIN, -EINVAL for a ring without DEFER_TASKRUN
 * and CQE32 or an invalid argument, -EFAULT if the arguments cannot be
 * read or the results written or a region's user_addr does not match its
 * type, -E2BIG for a region of more than 65535 pages, -EOVERFLOW for an
 * area or region whose end wraps, -ENODEV if @if_idx names no device,
 * -ENOMEM if the area and the region exceed the locked-memory limit, or
 * the errno of the net/zcrx layer's refusal to bind the queue (see
 * __net_mp_open_rxq()).
 */
int io_register_zcrx_ifq(struct io_ring_ctx *ctx,
			 struct io_uring_zcrx_ifq_reg __user *arg)
{
	struct io_uring_zcrx_area_reg area;
	struct io_uring_zcrx_ifq_reg reg;
	struct io_uring_region_desc rd;
	struct io_zcrx_ifq *ifq;
	u32 buf_len = PAGE_SIZE;
	u32 id;
	int ret;

	lockdep_assert_held(&ctx->uring_lock);

	if (!capable(CAP_NET_ADMIN))
		return -EPERM;
	/* completions are 32 bytes, posted from the task */
	if (!(ctx->flags & IORING_SETUP_DEFER_TASKRUN))
		return -EINVAL;
	if (!(ctx->flags & IORING_SETUP_CQE32))
		return -EINVAL;
	if (copy_from_user(&reg, arg, sizeof(reg)))
		return -EFAULT;
	if (!mem_is_zero(reg.__resv, sizeof(reg.__resv)) || reg.zcrx_id)
		return -EINVAL;
	if (reg.flags & ZCRX_REG_IMPORT)
		return io_zcrx_import(ctx, arg, &reg);
	if (reg.flags & ~ZCRX_REG_NODEV)
		return -EINVAL;
	/* no device, so no queue */
	if ((reg.flags & ZCRX_REG_NODEV) && (reg.if_idx || reg.if_rxq))
		return -EINVAL;
	if (reg.rx_buf_len) {
		if (!is_power_of_2(reg.rx_buf_len) ||
		    reg.rx_buf_len < PAGE_SIZE)
			return -EINVAL;
		/* no device posts the buffers; mainline's answer */
		if ((reg.flags & ZCRX_REG_NODEV) && reg.rx_buf_len != PAGE_SIZE)
			return -EOPNOTSUPP;
		buf_len = reg.rx_buf_len;
	}
	if (!reg.rq_entries)
		return -EINVAL;
	if (reg.rq_entries > IO_RQ_MAX_ENTRIES) {
		if (!(ctx->flags & IORING_SETUP_CLAMP))
			return -EINVAL;
		reg.rq_entries = IO_RQ_MAX_ENTRIES;
	}
	reg.rq_entries = roundup_pow_of_two(reg.rq_entries);
	if (copy_from_user(&rd, u64_to_user_ptr(reg.region_ptr), sizeof(rd)))
		return -EFAULT;
	if (copy_from_user(&area, u64_to_user_ptr(reg.area_ptr), sizeof(area)))
		return -EFAULT;
	ret = io_zcrx_validate_area(&area, buf_len);
	if (ret)
		return ret;
	/* a dma-buf is for a device to map, and RECV_ZC only copies there */
	if ((reg.flags & ZCRX_REG_NODEV) &&
	    (area.flags & IORING_ZCRX_AREA_DMABUF))
		return -EINVAL;

	ifq = io_zcrx_ifq_alloc(ctx);
	if (!ifq)
		return -ENOMEM;
	ifq->rq_entries = reg.rq_entries;
	ifq->if_idx = reg.if_idx;
	ifq->if_rxq = reg.if_rxq;
	ifq->nodev = reg.flags & ZCRX_REG_NODEV;

	/* reserve the id, published only once the ifq is complete */
	ret = xa_alloc(&ctx->zcrx_ctxs, &id, NULL,
		       XA_LIMIT(0, IO_ZCRX_MAX_IFQS - 1), GFP_KERNEL);
	if (ret)
		goto err_put;
	ifq->id = id;

	ret = io_zcrx_create_region(ifq, &rd);
	if (ret)
		goto err_erase;

	if (ifq->nodev) {
		ret = io_zcrx_install_area(ifq, &area, PAGE_SHIFT);
		if (ret)
			goto err_erase;
		goto done;
	}

	ifq->netdev = netdev_get_by_index(current->nsproxy->net_ns, reg.if_idx,
					  &ifq->netdev_tracker, GFP_KERNEL);
	if (!ifq->netdev) {
		ret = -ENODEV;
		goto err_erase;
	}
	/* the device that DMAs, as drivers pass it to their page pools */
	ifq->dev = ifq->netdev->dev.parent;
	if (!ifq->dev) {
		ret = -EOPNOTSUPP;
		goto err_drop_netdev;
	}
	get_device(ifq->dev);

	ret = io_zcrx_install_area(ifq, &area, ilog2(buf_len));
	if (ret)
		goto err_drop_netdev;

	ret = io_zcrx_open_queue(ifq);
	if (ret)
		goto err_drop_netdev;

done:
	reg.zcrx_id = id;
	io_zcrx_fill_offsets(&reg.offsets);
	if (copy_to_user(arg, &reg, sizeof(reg)) ||
	    copy_to_user(u64_to_user_ptr(reg.region_ptr), &rd, sizeof(rd)) ||
	    copy_to_user(u64_to_user_ptr(reg.area_ptr), &area, sizeof(area))) {
		ret = -EFAULT;
		goto err_close;
	}

	/* a reserved entry: storing needs no memory */
	WARN_ON_ONCE(xa_is_err(xa_store(&ctx->zcrx_ctxs, id, ifq, GFP_KERNEL)));
	return 0;

err_close:
	io_zcrx_close_queue(ifq);
	io_zcrx_scrub(ifq);
	goto err_erase;
err_drop_netdev:
	rtnl_lock();
	io_zcrx_drop_netdev(ifq);
	rtnl_unlock();
err_erase:
	xa_erase(&ctx->zcrx_ctxs, id);
err_put:
	io_zcrx_ifq_put(ifq);
	return ret;
}

/**
 * io_shutdown_zcrx_ifqs() - let go of the ring's ifqs and reclaim buffers
 * @ctx: the ring, exiting, with uring_lock held
 *
 * Lets go of every ifq once: the last user of an ifq unbinds its queue.
 * Then takes back the buffers the user still holds in the ifqs whose
 * last user is gone. May be called repeatedly while the ring's requests
 * are cancelled.
 */
void io_shutdown_zcrx_ifqs(struct io_ring_ctx *ctx)
{
	struct io_zcrx_ifq *ifq;
	unsigned long index;

	lockdep_assert_held(&ctx->uring_lock);

	xa_for_each(&ctx->zcrx_ctxs, index, ifq) {
		if (!xa_get_mark(&ctx->zcrx_ctxs, index, IO_ZCRX_LEFT)) {
			xa_set_mark(&ctx->zcrx_ctxs, index, IO_ZCRX_LEFT);
			io_zcrx_put_user(ifq);
		}
		io_zcrx_scrub_closed(ifq);
	}
}

/**
 * io_unregister_zcrx_ifqs() - drop the ring's ifqs
 * @ctx: the ring, being freed, with uring_lock held
 *
 * Each ifq is freed when the last page pool using it is destroyed, which
 * may be later: buffers can still sit in sockets' receive queues.
 */
void io_unregister_zcrx_ifqs(struct io_ring_ctx *ctx)
{
	struct io_zcrx_ifq *ifq;
	unsigned long index;

	lockdep_assert_held(&ctx->uring_lock);

	xa_for_each(&ctx->zcrx_ctxs, index, ifq) {
		if (WARN_ON_ONCE(!xa_get_mark(&ctx->zcrx_ctxs, index,
					      IO_ZCRX_LEFT)))
			io_zcrx_put_user(ifq);
		xa_erase(&ctx->zcrx_ctxs, index);
		/* the ring's requests are done: what they completed comes back */
		io_zcrx_scrub_closed(ifq);
		io_zcrx_ifq_put(ifq);
	}
	xa_destroy(&ctx->zcrx_ctxs);
}

/**
 * io_zcrx_ifq_lookup() - find a complete ifq by its zcrx_id
 * @ctx: the ring
 * @id: the zcrx_id the user passed
 *
 * An ifq is published when complete and removed only when the ring is
 * freed, so the result stays valid for as long as the caller holds a
 * reference on the ring: a request, an mmap() of the ring's file.
 *
 * Return: the ifq, or NULL if there is none with @id.
 */
struct io_zcrx_ifq *io_zcrx_ifq_lookup(struct io_ring_ctx *ctx,
				       unsigned int id)
{
	return xa_load(&ctx->zcrx_ctxs, id);
}

/**
 * io_zcrx_region_ptr() - find the refill ring region for an mmap offset
 * @ctx: the ring
 * @id: the ifq id from the offset
 *
 * Return: the region's kernel address, or ERR_PTR(-EINVAL) if there is no
 * such ifq or its region is user memory, which is not mapped this way.
 */
void *io_zcrx_region_ptr(struct io_ring_ctx *ctx, unsigned int id)
{
	struct io_zcrx_ifq *ifq = io_zcrx_ifq_lookup(ctx, id);

	if (!ifq || ifq->region.is_user)
		return ERR_PTR(-EINVAL);
	return ifq->region.ptr;
}

/**
 * io_zcrx_mmap() - map a kernel-allocated refill ring region
 * @ctx: the ring
 * @vma: the user's mapping, no larger than the region
 * @id: the ifq id from the offset
 *
 * Return: 0 or a negative errno.
 */
int io_zcrx_mmap(struct io_ring_ctx *ctx, struct vm_area_struct *vma,
		 unsigned int id)
{
	struct io_zcrx_ifq *ifq = io_zcrx_ifq_lookup(ctx, id);
	unsigned long nr_pages = vma_pages(vma);

	if (!ifq || ifq->region.is_user)
		return -EINVAL;
	if (nr_pages > ifq->region.nr_pages)
		return -EINVAL;
	return io_uring_mmap_pages(ctx, vma, ifq->region.pages, nr_pages);
}

/**
 * io_zcrx_show_fdinfo() - print the ring's ifqs and their counters
 * @ctx: the ring, with uring_lock held
 * @m: the ring's fdinfo
 */
void io_zcrx_show_fdinfo(struct io_ring_ctx *ctx, struct seq_file *m)
{
	struct io_zcrx_ifq *ifq;
	unsigned long index;

	lockdep_assert_held(&ctx->uring_lock);

	if (xa_empty(&ctx->zcrx_ctxs))
		return;

	seq_puts(m, "ZcrxIfqs:\n");
	xa_for_each(&ctx->zcrx_ctxs, index, ifq) {
		struct io_zcrx_stats *s = &ifq->stats;
		struct io_zcrx_area *area = ifq->area;

		seq_printf(m, "  %lu: ifindex=%u rxq=%u bound=%d rq_entries=%u",
			   index, ifq->if_idx, ifq->if_rxq,
			   !!READ_ONCE(ifq->netdev), ifq->rq_entries);
		/* rings and exported files sharing the ifq */
		seq_printf(m, " users=%u", refcount_read(&ifq->user_refs));
		if (ifq->nodev)
			seq_puts(m, " nodev=1");
		if (area->dmabuf)
			seq_puts(m, " dmabuf=1");
		seq_printf(m, " area_pages=%zu buf_len=%zu free=%u",
			   area->nia.num_niovs, (size_t)1 << area->nia.niov_shift,
			   READ_ONCE(area->free_count));
		seq_printf(m, " alloc_misses=%lld rq_rejected=%lld",
			   atomic64_read(&s->alloc_misses),
			   atomic64_read(&s->rq_rejected));
		seq_printf(m, " zc_bytes=%lld zc_frags=%lld copy_bytes=%lld copy_frags=%lld\n",
			   atomic64_read(&s->zc_bytes),
			   atomic64_read(&s->zc_frags),
			   atomic64_read(&s->copy_bytes),
			   atomic64_read(&s->copy_frags));
	}
}

static u32 io_zcrx_rqring_entries(struct io_zcrx_ifq *ifq)
{
	u32 entries;

	/* pairs with the user's store-release of the tail */
	entries = smp_load_acquire(ifq->rq_tail) - ifq->cached_rq_head;
	return min(entries, ifq->rq_entries);
}

/*
 * Validate an entry the user returned; nothing in it is trusted. The
 * offset may point anywhere inside the buffer: a driver may have placed
 * several fragments in one.
 */
static struct net_iov *io_zcrx_parse_rqe(struct io_zcrx_ifq *ifq,
					 const struct io_uring_zcrx_rqe *rqe)
{
	struct io_zcrx_area *area = ifq->area;
	u64 off = READ_ONCE(rqe->off);
	unsigned long niov_idx;

	if (unlikely(READ_ONCE(rqe->__pad)))
		return NULL;
	if (unlikely((off & IORING_ZCRX_AREA_MASK) >> IORING_ZCRX_AREA_SHIFT !=
		     area->area_id))
		return NULL;
	niov_idx = (off & ~IORING_ZCRX_AREA_MASK) >> area->nia.niov_shift;
	if (unlikely(niov_idx >= area->nia.num_niovs))
		return NULL;
	niov_idx = array_index_nospec(niov_idx, area->nia.num_niovs);
	return &area->nia.niovs[niov_idx];
}

/* Receiving */

/* skbs a single issue may consume before it requeues, as multishot recv */
#define IO_SKBS_PER_CALL_LIMIT	20

/**
 * struct io_zcrx_args - state of one io_zcrx_recv() call
 * @req: the RECV_ZC request
 * @ifq: the ifq its completions point into
 * @nr_skbs: skbs looked at so far
 * @err: the error that stopped the walk after some data was completed
 * @zc_bytes: bytes handed over without a copy, added to the ifq's
 *	counters once per call rather than once per fragment
 * @zc_frags: fragments handed over without a copy
 * @copy_bytes: bytes copied into area buffers
 * @copy_frags: area buffers filled by copying
 */
struct io_zcrx_args {
	struct io_kiocb		*req;
	struct io_zcrx_ifq	*ifq;
	unsigned int		nr_skbs;
	int			err;
	u64			zc_bytes;
	u64			copy_bytes;
	u32			zc_frags;
	u32			copy_frags;
};

/*
 * Post a completion for @len bytes at @off in @niov. The 32-byte CQE
 * carries the area token and the data's offset in the area.
 */
static bool io_zcrx_queue_cqe(struct io_kiocb *req, struct net_iov *niov,
			      struct io_zcrx_ifq *ifq, unsigned int off,
			      unsigned int len)
{
	struct io_zcrx_area *area = io_zcrx_iov_to_area(niov);
	struct io_uring_zcrx_cqe *rcqe;
	struct io_uring_cqe *cqe;

	if (!io_defer_get_uncommited_cqe(req->ctx, &cqe))
		return false;

	cqe->user_data = req->cqe.user_data;
	cqe->res = len;
	cqe->flags = IORING_CQE_F_MORE;

	rcqe = (struct io_uring_zcrx_cqe *)(cqe + 1);
	rcqe->off = ((u64)area->area_id << IORING_ZCRX_AREA_SHIFT) +
		    ((u64)net_iov_idx(niov) << area->nia.niov_shift) + off;
	rcqe->__pad = 0;
	trace_io_uring_complete(req->ctx, req, cqe->user_data, cqe->res,
				cqe->flags, rcqe->off, 0);
	return true;
}

/*
 * Take back what the user returned through the refill ring, outside of
 * any page pool: buffers of the copy fallback go to the free list, page
 * pool buffers to their pool. For when the copy fallback finds no free
 * buffer, which must not depend on the bound queue allocating, and for
 * %ZCRX_CTRL_FLUSH_RQ. A bounded batch: the lock is held with BHs off and
 * the ring may be 32768 long. Return the entries consumed.
 */
static unsigned int io_zcrx_ring_reclaim(struct io_zcrx_ifq *ifq)
{
	unsigned int mask = ifq->rq_entries - 1;
	unsigned int nr, entries, rejected = 0;

	spin_lock_bh(&ifq->rq_lock);
	nr = min_t(u32, io_zcrx_rqring_entries(ifq), IO_ZCRX_RECLAIM_BATCH);
	entries = nr;
	while (entries--) {
		struct io_uring_zcrx_rqe *rqe;
		struct net_iov *niov;

		rqe = &ifq->rqes[ifq->cached_rq_head++ & mask];
		niov = io_zcrx_parse_rqe(ifq, rqe);
		if (!niov || !io_zcrx_put_niov_uref(niov)) {
			rejected++;
			continue;
		}
		if (!page_pool_unref_netmem(net_iov_to_netmem(niov), 1))
			io_zcrx_return_niov(niov);
	}
	/* the entries are consumed: pairs with the user's load of head */
	smp_store_release(ifq->rq_head, ifq->cached_rq_head);
	spin_unlock_bh(&ifq->rq_lock);

	if (rejected)
		atomic64_add(rejected, &ifq->stats.rq_rejected);
	return nr;
}

static struct net_iov *io_zcrx_get_free_niov(struct io_zcrx_area *area)
{
	struct net_iov *niov = NULL;

	spin_lock_bh(&area->freelist_lock);
	if (area->free_count)
		niov = &area->nia.niovs[area->freelist[--area->free_count]];
	spin_unlock_bh(&area->freelist_lock);
	return niov;
}

/* A free buffer of the area for the copy fallback, with one reference. */
static struct net_iov *io_zcrx_alloc_fallback(struct io_zcrx_ifq *ifq)
{
	struct net_iov *niov;

	niov = io_zcrx_get_free_niov(ifq->area);
	if (!niov) {
		io_zcrx_ring_reclaim(ifq);
		niov = io_zcrx_get_free_niov(ifq->area);
	}

	/* the user's reference, as for buffers from a page pool */
	if (niov)
		page_pool_fragment_netmem(net_iov_to_netmem(niov), 1);
	return niov;
}

/*
 * Copy @len bytes at @src_off in the (possibly compound) @src_page into
 * free buffers of the area, a completion per buffer. For data the NIC did
 * not place in the area: headers, packets without header split, packets
 * received on another queue.
 *
 * Return: bytes copied, or -ENOMEM if no buffer was free, -ENOSPC if the
 * CQ was full, when nothing was copied.
 */
static ssize_t io_zcrx_copy_chunk(struct io_zcrx_args *args,
				  struct page *src_page, size_t src_off,
				  size_t len)
{
	struct io_zcrx_ifq *ifq = args->ifq;
	size_t copied = 0;
	int ret = 0;

	/* a dma-buf area: the kernel cannot write it, as in mainline */
	if (!ifq->area->nia.pages)
		return -EFAULT;

	while (len) {
		struct net_iov *niov;
		size_t n, done = 0;

		niov = io_zcrx_alloc_fallback(ifq);
		if (!niov) {
			atomic64_inc(&ifq->stats.alloc_misses);
			ret = -ENOMEM;
			break;
		}

		/* a whole buffer, page by page on both sides */
		n = min_t(size_t, len, net_iov_size(niov));
		while (done < n) {
			struct page *page = nth_page(src_page,
						     src_off >> PAGE_SHIFT);
			unsigned int poff = offset_in_page(src_off);
			unsigned int doff = offset_in_page(done);
			size_t chunk = min3(n - done, PAGE_SIZE - poff,
					    PAGE_SIZE - doff);
			void *src = kmap_local_page(page);
			void *dst = kmap_local_page(nth_page(net_iov_page(niov),
							     done >> PAGE_SHIFT));

			memcpy(dst + doff, src + poff, chunk);
			kunmap_local(dst);
			kunmap_local(src);
			done += chunk;
			src_off += chunk;
		}

		if (!io_zcrx_queue_cqe(args->req, niov, ifq, 0, n)) {
			io_zcrx_return_niov_freelist(niov);
			ret = -ENOSPC;
			break;
		}
		io_zcrx_get_niov_uref(niov);
		args->copy_bytes += n;
		args->copy_frags++;
		len -= n;
		copied += n;
	}
	if (!copied)
		return ret;
	/* a short copy: the request must end with the reason */
	if (ret && !args->err)
		args->err = ret;
	return copied;
}

/*
 * Complete @len bytes at @off in @frag: a buffer of this ifq's area is
 * handed to the user as it is, anything else is copied.
 */
static int io_zcrx_recv_frag(struct io_zcrx_args *args,
			     const skb_frag_t *frag, unsigned int off,
			     unsigned int len)
{
	struct io_zcrx_ifq *ifq = args->ifq;
	struct net_iov *niov;
	struct page_pool *pp;

	if (!skb_frag_is_net_iov(frag))
		return io_zcrx_copy_chunk(args, skb_frag_page(frag),
					  skb_frag_off(frag) + off, len);

	/* another provider's memory, or another ifq's: not ours to give */
	niov = netmem_to_net_iov(frag->netmem);
	pp = niov->pp;
	if (!pp || pp->mp_ops != &io_uring_pp_zc_ops || pp->mp_priv != ifq)
		return -EFAULT;

	off += skb_frag_off(frag);
	if (!io_zcrx_queue_cqe(args->req, niov, ifq, off, len))
		return -ENOSPC;

	/*
	 * No sync for the CPU here: the driver synced the fragment before it
	 * built the skb, as for any page pool buffer it receives into.
	 */
	/*
	 * The user's page pool reference keeps the buffer from being
	 * recycled once the skb lets go of it; taken before the user
	 * reference, which is what the refill path trusts.
	 */
	page_pool_ref_netmem(net_iov_to_netmem(niov));
	io_zcrx_get_niov_uref(niov);
	args->zc_bytes += len;
	args->zc_frags++;
	return len;
}

/*
 * Complete up to @len bytes of @skb from @offset, recursing into the
 * frag_list of a GRO skb. Return the bytes completed, or a negative errno
 * if none were; an error after some progress is kept in @args->err.
 */
static int io_zcrx_recv_skb_data(struct io_zcrx_args *args,
				 struct sk_buff *skb, unsigned int offset,
				 unsigned int len)
{
	unsigned int start, start_off = offset;
	struct sk_buff *frag_iter;
	int i, ret = 0;

	if (unlikely(offset < skb_headlen(skb))) {
		size_t to_copy = min_t(size_t, skb_headlen(skb) - offset, len);
		ssize_t copied;

		copied = io_zcrx_copy_chunk(args, virt_to_page(skb->data),
					    offset_in_page(skb->data) + offset,
					    to_copy);
		if (copied < 0) {
			ret = copied;
			goto out;
		}
		offset += copied;
		len -= copied;
		if (!len || offset != skb_headlen(skb))
			goto out;
	}

	start = skb_headlen(skb);
	for (i = 0; i < skb_shinfo(skb)->nr_frags; i++) {
		const skb_frag_t *frag = &skb_shinfo(skb)->frags[i];
		unsigned int end = start + skb_frag_size(frag);

		if (WARN_ON_ONCE(start > offset + len)) {
			ret = -EFAULT;
			goto out;
		}
		if (offset < end) {
			unsigned int copy = min(end - offset, len);

			ret = io_zcrx_recv_frag(args, frag, offset - start, copy);
			if (ret < 0)
				goto out;
			offset += ret;
			len -= ret;
			if (!len || ret != copy)
				goto out;
		}
		start = end;
	}

	skb_walk_frags(skb, frag_iter) {
		unsigned int end = start + frag_iter->len;

		if (WARN_ON_ONCE(start > offset + len)) {
			ret = -EFAULT;
			goto out;
		}
		if (offset < end) {
			unsigned int copy = min(end - offset, len);

			ret = io_zcrx_recv_skb_data(args, frag_iter,
						    offset - start, copy);
			if (ret < 0)
				goto out;
			offset += ret;
			len -= ret;
			if (!len || ret != copy)
				goto out;
		}
		start = end;
	}

out:
	if (offset == start_off)
		return ret;
	/* the caller sees progress; the request must still see the error */
	if (ret < 0 && !args->err)
		args->err = ret;
	return offset - start_off;
}

/*
 * tcp_read_sock() actor: complete up to @len bytes of @skb from @offset,
 * and no more than the request has left (@desc->count), which only this
 * level accounts: the frag_list recursion must not count bytes twice.
 */
static int io_zcrx_recv_skb(read_descriptor_t *desc, struct sk_buff *skb,
			    unsigned int offset, size_t len)
{
	struct io_zcrx_args *args = desc->arg.data;
	int ret;

	len = min_t(size_t, len, desc->count);
	/*
	 * tcp_read_sock() calls once more after desc->count reached 0;
	 * returning 0 ends its loop.
	 */
	if (!len)
		return 0;
	if (unlikely(args->nr_skbs++ > IO_SKBS_PER_CALL_LIMIT))
		return -EAGAIN;

	ret = io_zcrx_recv_skb_data(args, skb, offset, len);
	if (ret < 0) {
		/*
		 * Nothing of this skb was completed; earlier skbs of this
		 * call may have been, and then tcp_read_sock() returns their
		 * bytes and drops this error: keep it for the request.
		 */
		if (!args->err)
			args->err = ret;
		return ret;
	}
	desc->count -= ret;
	return ret;
}

static int io_zcrx_tcp_recvmsg(struct io_kiocb *req, struct io_zcrx_ifq *ifq,
			       struct sock *sk, unsigned int issue_flags,
			       unsigned int *outlen)
{
	unsigned int len = *outlen;
	struct io_zcrx_args args = {
		.req = req,
		.ifq = ifq,
	};
	read_descriptor_t rd_desc = {
		.count = len ? len : UINT_MAX,
		.arg.data = &args,
	};
	int ret;

	lock_sock(sk);
	ret = tcp_read_sock(sk, &rd_desc, io_zcrx_recv_skb);
	if (len && ret > 0)
		*outlen = len - ret;
	if (args.zc_frags) {
		atomic64_add(args.zc_bytes, &ifq->stats.zc_bytes);
		atomic64_add(args.zc_frags, &ifq->stats.zc_frags);
	}
	if (args.copy_frags) {
		atomic64_add(args.copy_bytes, &ifq->stats.copy_bytes);
		atomic64_add(args.copy_frags, &ifq->stats.copy_frags);
	}
	if (ret > 0 && args.err) {
		/*
		 * Data was completed, but a full CQ or a lack of buffers
		 * left the rest in the socket: end the request so that the
		 * user re-arms, rather than wait for a wakeup that more
		 * data may never bring.
		 */
		ret = args.err;
	} else if (ret <= 0) {
		if (ret < 0 || sock_flag(sk, SOCK_DONE))
			goto out;
		if (sk->sk_err)
			ret = sock_error(sk);
		else if (sk->sk_shutdown & RCV_SHUTDOWN)
			goto out;
		else if (sk->sk_state == TCP_CLOSE)
			ret = -ENOTCONN;
		else
			ret = -EAGAIN;
	} else if (unlikely(args.nr_skbs > IO_SKBS_PER_CALL_LIMIT) &&
		   (issue_flags & IO_URING_F_MULTISHOT)) {
		/* let others run, then go on: like multishot recv's retries */
		ret = IOU_REQUEUE;
	} else if (sock_flag(sk, SOCK_DONE)) {
		/* the peer closed: come back until the final 0 */
		if (issue_flags & IO_URING_F_MULTISHOT)
			ret = IOU_REQUEUE;
		else
			ret = -EAGAIN;
	}
out:
	release_sock(sk);
	return ret;
}

/**
 * io_zcrx_recv() - receive from a TCP socket into an ifq's area
 * @req: the RECV_ZC request, issued by the ring's task
 * @ifq: the ifq whose area the completions point into
 * @sock: the socket
 * @issue_flags: the request's issue flags
 * @len: bytes still to receive, 0 for no limit; decreased by what was
 *	received
 *
 * Posts a completion for every fragment received: buffers of @ifq's area
 * are handed over as they are, other data is copied into free buffers.
 *
 * Return: bytes received, 0 at EOF, -EAGAIN if nothing is there yet,
 * %IOU_REQUEUE to come back later, or a negative errno: -EPROTONOSUPPORT
 * for a socket that is not TCP, -ENOSPC if the CQ is full, -ENOMEM if no
 * buffer was free for a copy, -EFAULT for a buffer of another provider.
 */
int io_zcrx_recv(struct io_kiocb *req, struct io_zcrx_ifq *ifq,
		 struct socket *sock, unsigned int issue_flags,
		 unsigned int *len)
{
	struct sock *sk = sock->sk;
	const struct proto *prot = READ_ONCE(sk->sk_prot);

	if (prot->recvmsg != tcp_recvmsg)
		return -EPROTONOSUPPORT;

	sock_rps_record_flow(sk);
	return io_zcrx_tcp_recvmsg(req, ifq, sk, issue_flags, len);
}

/* The memory provider */

static inline struct io_zcrx_ifq *io_pp_to_ifq(struct page_pool *pool)
{
	return pool->mp_priv;
}

static void io_zcrx_sync_for_device(const struct page_pool *pool,
				    struct net_iov *niov)
{
	struct io_zcrx_area *area = io_zcrx_iov_to_area(niov);

	if (!pool->dma_sync || !dma_dev_need_sync(pool->p.dev))
		return;
	/* never sync an address that was unmapped (see io_zcrx_release_dev) */
	if (unlikely(!READ_ONCE(area->is_mapped)))
		return;
	/* a dma-buf's mapping belongs to its exporter, who syncs it */
	if (area->dmabuf)
		return;
	dma_sync_single_range_for_device(pool->p.dev, net_iov_dma_addr(niov),
					 pool->p.offset, pool->p.max_len,
					 pool->p.dma_dir);
}

/* Take the buffers the user returned into @pool's cache. */
static void io_zcrx_ring_refill(struct page_pool *pool,
				struct io_zcrx_ifq *ifq)
{
	unsigned int mask = ifq->rq_entries - 1;
	unsigned int entries, rejected = 0;

	spin_lock_bh(&ifq->rq_lock);
	entries = io_zcrx_rqring_entries(ifq);
	entries = min_t(unsigned int, entries,
			PP_ALLOC_CACHE_REFILL - pool->alloc.count);
	while (entries--) {
		struct io_uring_zcrx_rqe *rqe;
		struct net_iov *niov;
		netmem_ref netmem;

		rqe = &ifq->rqes[ifq->cached_rq_head++ & mask];
		niov = io_zcrx_parse_rqe(ifq, rqe);
		if (!niov || !io_zcrx_put_niov_uref(niov)) {
			rejected++;
			continue;
		}
		/* the user's page pool reference */
		netmem = net_iov_to_netmem(niov);
		if (page_pool_unref_netmem(netmem, 1))
			continue;
		if (unlikely(niov->pp != pool)) {
			/* from an older pool of the queue, or no pool */
			io_zcrx_return_niov(niov);
			continue;
		}
		io_zcrx_sync_for_device(pool, niov);
		net_mp_netmem_place_in_cache(pool, netmem);
	}
	/* the entries are consumed: pairs with the user's load of head */
	smp_store_release(ifq->rq_head, ifq->cached_rq_head);
	spin_unlock_bh(&ifq->rq_lock);

	if (rejected)
		atomic64_add(rejected, &ifq->stats.rq_rejected);
}

/*
 * Take free buffers into @pool's cache, all but the copy fallback's reserve.
 *
 * Without one, a segment that must be copied (one the NIC placed in host
 * memory: a frame small enough for its header buffer, a frame it could not
 * split) can wait forever: the queue keeps taking free buffers while the
 * data behind the segment piles up in the socket, holding them, and that
 * data is not read before the segment is.
 */
static void io_zcrx_refill_slow(struct page_pool *pool,
				struct io_zcrx_ifq *ifq)
{
	struct io_zcrx_area *area = ifq->area;

	spin_lock_bh(&area->freelist_lock);
	while (area->free_count > area->copy_reserve &&
	       pool->alloc.count < PP_ALLOC_CACHE_REFILL) {
		u32 idx = area->freelist[--area->free_count];
		struct net_iov *niov = &area->nia.niovs[idx];

		net_mp_niov_set_page_pool(pool, niov);
		io_zcrx_sync_for_device(pool, niov);
		net_mp_netmem_place_in_cache(pool, net_iov_to_netmem(niov));
	}
	spin_unlock_bh(&area->freelist_lock);
}

static netmem_ref io_pp_zc_alloc_netmems(struct page_pool *pool, gfp_t gfp)
{
	struct io_zcrx_ifq *ifq = io_pp_to_ifq(pool);

	/* the page pool calls us only with an empty cache */
	if (WARN_ON_ONCE(pool->alloc.count))
		goto out_return;

	io_zcrx_ring_refill(pool, ifq);
	if (!pool->alloc.count)
		io_zcrx_refill_slow(pool, ifq);
	if (!pool->alloc.count) {
		atomic64_inc(&ifq->stats.alloc_misses);
		return 0;
	}
out_return:
	return pool->alloc.cache[--pool->alloc.count];
}

static bool io_pp_zc_release_netmem(struct page_pool *pool, netmem_ref netmem)
{
	struct net_iov *niov;

	if (WARN_ON_ONCE(!netmem_is_net_iov(netmem)))
		return false;

	niov = netmem_to_net_iov(netmem);
	net_mp_niov_clear_page_pool(niov);
	io_zcrx_return_niov_freelist(niov);
	return false;
}

static int io_pp_zc_init(struct page_pool *pool)
{
	struct io_zcrx_ifq *ifq = io_pp_to_ifq(pool);
	int ret;

	if (WARN_ON_ONCE(!ifq))
		return -EINVAL;
	/* the driver's buffers must be the area's */
	if (pool->p.order + PAGE_SHIFT != ifq->area->nia.niov_shift)
		return -EOPNOTSUPP;
	if (pool->p.dma_dir != DMA_FROM_DEVICE)
		return -EOPNOTSUPP;

	/* map the area for the first pool: the device DMAs from now on */
	mutex_lock(&ifq->dma_lock);
	if (!ifq->dev)
		ret = -ENODEV;
	else if (pool->p.dev != ifq->dev)
		ret = -EINVAL;	/* the area is for the netdev's parent device */
	else
		ret = io_zcrx_map_area(ifq, ifq->area);
	mutex_unlock(&ifq->dma_lock);
	if (ret)
		return ret;

	refcount_inc(&ifq->refs);
	return 0;
}

static void io_pp_zc_destroy(struct page_pool *pool)
{
	io_zcrx_ifq_put(io_pp_to_ifq(pool));
}

static int io_pp_nl_fill(void *mp_priv, struct sk_buff *rsp,
			 struct netdev_rx_queue *rxq)
{
	int type = rxq ? NETDEV_A_QUEUE_IO_URING : NETDEV_A_PAGE_POOL_IO_URING;
	struct io_zcrx_ifq *ifq = mp_priv;
	struct io_zcrx_stats *s = &ifq->stats;
	struct nlattr *nest;

	nest = nla_nest_start(rsp, type);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_uint(rsp, NETDEV_A_IO_URING_PROVIDER_INFO_ZC_BYTES,
			 atomic64_read(&s->zc_bytes)) ||
	    nla_put_uint(rsp, NETDEV_A_IO_URING_PROVIDER_INFO_ZC_FRAGS,
			 atomic64_read(&s->zc_frags)) ||
	    nla_put_uint(rsp, NETDEV_A_IO_URING_PROVIDER_INFO_COPY_BYTES,
			 atomic64_read(&s->copy_bytes)) ||
	    nla_put_uint(rsp, NETDEV_A_IO_URING_PROVIDER_INFO_COPY_FRAGS,
			 atomic64_read(&s->copy_frags)) ||
	    nla_put_uint(rsp, NETDEV_A_IO_URING_PROVIDER_INFO_RQ_REJECTED,
			 atomic64_read(&s->rq_rejected)) ||
	    nla_put_uint(rsp, NETDEV_A_IO_URING_PROVIDER_INFO_ALLOC_MISSES,
			 atomic64_read(&s->alloc_misses))) {
		nla_nest_cancel(rsp, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(rsp, nest);
	return 0;
}

static void io_pp_uninstall(void *mp_priv, struct netdev_rx_queue *rxq)
{
	struct io_zcrx_ifq *ifq = mp_priv;

	/*
	 * The device is going away while the user may still hold buffers:
	 * unmap the area now, not when the last buffer comes back.
	 */
	io_zcrx_drop_netdev(ifq);
	io_zcrx_release_dev(ifq);
}

static const struct memory_provider_ops io_uring_pp_zc_ops = {
	.alloc_netmems		= io_pp_zc_alloc_netmems,
	.release_netmem		= io_pp_zc_release_netmem,
	.init			= io_pp_zc_init,
	.destroy		= io_pp_zc_destroy,
	.nl_fill		= io_pp_nl_fill,
	.uninstall		= io_pp_uninstall,
};

/* Control */

/* ZCRX_CTRL_FLUSH_RQ: consume the whole refill ring now. */
static int io_zcrx_flush_rq(struct io_zcrx_ifq *ifq,
			    const struct zcrx_ctrl_flush_rq *frq)
{
	unsigned int nr, total = 0;

	if (!mem_is_zero(frq->__resv, sizeof(frq->__resv)))
		return -EINVAL;

	/* no more than one ring's worth: the user may keep producing */
	do {
		nr = io_zcrx_ring_reclaim(ifq);
		total += nr;
		if (fatal_signal_pending(current))
			break;
		cond_resched();
	} while (nr == IO_ZCRX_RECLAIM_BATCH && total < ifq->rq_entries);
	return 0;
}

/*
 * ZCRX_CTRL_EXPORT: a file standing for the ifq, its descriptor written to
 * the user's &zcrx_ctrl.zc_export. Installed last: the user sees a
 * descriptor only if everything succeeded.
 */
static int io_zcrx_export(struct io_zcrx_ifq *ifq, struct zcrx_ctrl *ctrl,
			  void __user *arg)
{
	struct zcrx_ctrl_export *ce = &ctrl->zc_export;
	struct file *file;
	int fd;

	if (!mem_is_zero(ce, sizeof(*ce)))
		return -EINVAL;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return fd;
	ce->zcrx_fd = fd;
	if (copy_to_user(arg, ctrl, sizeof(*ctrl))) {
		put_unused_fd(fd);
		return -EFAULT;
	}

	/* the calling ring holds a user reference: the queue is bound */
	refcount_inc(&ifq->refs);
	refcount_inc(&ifq->user_refs);
	file = anon_inode_getfile("[zcrx]", &io_zcrx_file_fops, ifq,
				  O_RDONLY | O_CLOEXEC);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		io_zcrx_put_user(ifq);
		io_zcrx_ifq_put(ifq);
		return PTR_ERR(file);
	}
	fd_install(fd, file);
	return 0;
}

/**
 * io_zcrx_ctrl() - IORING_REGISTER_ZCRX_CTRL
 * @ctx: the ring, with uring_lock held
 * @arg: the user's &struct zcrx_ctrl
 * @nr_args: must be 0
 *
 * Return: 0, -EINVAL if @nr_args is not 0 or the operation's own fields
 * are not zero, -EFAULT if @arg cannot be read or written or its reserved
 * fields are not zero (as mainline answers), -ENXIO if the ring has no ifq
 * with that zcrx_id, -EOPNOTSUPP for an unknown operation, or the errno of
 * get_unused_fd_flags() or of creating the file for %ZCRX_CTRL_EXPORT.
 */
int io_zcrx_ctrl(struct io_ring_ctx *ctx, void __user *arg,
		 unsigned int nr_args)
{
	struct io_zcrx_ifq *ifq;
	struct zcrx_ctrl ctrl;

	BUILD_BUG_ON(sizeof(struct zcrx_ctrl) != 72);
	BUILD_BUG_ON(sizeof(ctrl.zc_export) != sizeof(ctrl.zc_flush));

	lockdep_assert_held(&ctx->uring_lock);

	if (nr_args)
		return -EINVAL;
	if (copy_from_user(&ctrl, arg, sizeof(ctrl)))
		return -EFAULT;
	if (!mem_is_zero(ctrl.__resv, sizeof(ctrl.__resv)))
		return -EFAULT;
	ifq = io_zcrx_ifq_lookup(ctx, ctrl.zcrx_id);
	if (!ifq)
		return -ENXIO;

	switch (ctrl.op) {
	case ZCRX_CTRL_FLUSH_RQ:
		return io_zcrx_flush_rq(ifq, &ctrl.zc_flush);
	case ZCRX_CTRL_EXPORT:
		return io_zcrx_export(ifq, &ctrl, arg);
	}
	return -EOPNOTSUPP;
}

/**
 * io_zcrx_query() - answer %IO_URING_QUERY_ZCRX
 * @e: the answer, zeroed by the caller
 *
 * Reports what this kernel accepts, and nothing it would refuse.
 *
 * Return: the size of the answer.
 */
ssize_t io_zcrx_query(struct io_uring_query_zcrx *e)
{
	e->register_flags = ZCRX_REG_IMPORT | ZCRX_REG_NODEV;
	e->area_flags = IORING_ZCRX_AREA_DMABUF;
	e->features = ZCRX_FEATURE_RX_PAGE_SIZE;
	e->nr_ctrl_opcodes = __ZCRX_CTRL_LAST;
	e->rq_hdr_size = IO_ZCRX_RQES_OFF;
	e->rq_hdr_alignment = L1_CACHE_BYTES;
	return sizeof(*e);
}
