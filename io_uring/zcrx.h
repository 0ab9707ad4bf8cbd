/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IOU_ZC_RX_H
#define IOU_ZC_RX_H

#include <linux/io_uring_types.h>
#include <linux/netdevice.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <net/netmem.h>

struct io_uring_query_zcrx;
struct seq_file;

/**
 * struct io_zcrx_area - user memory registered for zero-copy receive
 * @nia: the area's net_iovs, one per buffer (a page or rx_buf_len bytes),
 *	and the pinned pages behind them
 * @ifq: the interface queue the area belongs to
 * @user_refs: per net_iov, how many times the buffer is in the user's hands
 *	(completions posted and not yet returned through the refill ring)
 * @area_id: id encoded in the area token, see %IORING_ZCRX_AREA_SHIFT
 * @is_mapped: every page is DMA-mapped for @ifq->dev; set and cleared
 *	under @ifq->dma_lock, read locklessly before a sync for the device
 * @nr_mapped: number of buffers mapped so far, for unwinding
 * @nr_pages: number of pages pinned, in &net_iov_area.pages
 * @acct_pages: pages charged for the area: each pinned folio in full
 * @copy_reserve: free buffers the page pool leaves to the copy fallback
 * @dmabuf: the dma-buf of an %IORING_ZCRX_AREA_DMABUF area, referenced
 * @attach: its attachment to the device, while the device is held
 * @sgt: its mapping for the device, while attached
 * @freelist_lock: protects @free_count and @freelist
 * @free_count: number of valid entries in @freelist
 * @freelist: indexes of the net_iovs that nobody holds
 */
struct io_zcrx_area {
	struct net_iov_area	nia;
	struct io_zcrx_ifq	*ifq;
	atomic_t		*user_refs;

	u16			area_id;
	bool			is_mapped;
	unsigned long		nr_mapped;
	unsigned long		nr_pages;
	unsigned long		acct_pages;
	u32			copy_reserve;
	struct dma_buf		*dmabuf;
	struct dma_buf_attachment *attach;
	struct sg_table		*sgt;

	spinlock_t		freelist_lock ____cacheline_aligned_in_smp;
	u32			free_count;
	u32			*freelist;
};

/**
 * struct io_zcrx_region - the memory holding an ifq's refill ring
 * @ptr: kernel mapping of @pages
 * @pages: the pages, allocated by the kernel or pinned user memory
 * @nr_pages: number of entries in @pages
 * @is_user: the user supplied the memory (%IORING_MEM_REGION_TYPE_USER)
 */
struct io_zcrx_region {
	void			*ptr;
	struct page		**pages;
	unsigned short		nr_pages;
	bool			is_user;
};

/**
 * struct io_zcrx_stats - counters reported in the ring's fdinfo
 * @alloc_misses: page pool allocations that found no free buffer
 * @rq_rejected: refill ring entries skipped as invalid
 * @zc_bytes: payload bytes handed to the user without a copy
 * @zc_frags: fragments handed to the user without a copy
 * @copy_bytes: payload bytes copied into area buffers
 * @copy_frags: fragments copied into area buffers
 */
struct io_zcrx_stats {
	atomic64_t		alloc_misses;
	atomic64_t		rq_rejected;
	atomic64_t		zc_bytes;
	atomic64_t		zc_frags;
	atomic64_t		copy_bytes;
	atomic64_t		copy_frags;
};

/**
 * struct io_zcrx_ifq - an rx queue bound to io_uring zero-copy receive
 * @area: the registered user memory
 * @refs: one per ring holding the ifq (the one that registered it and
 *	those that imported it) and per exported file, one per page pool
 *	created with the ifq as its memory provider; the last put unmaps,
 *	unpins and uncharges the area and frees the ifq
 * @user_refs: one per ring holding the ifq until it exits, and per
 *	exported file; the last one unbinds the queue (see @closed)
 * @id: index in the registering ring's &io_ring_ctx.zcrx_ctxs
 * @rq_lock: serialises consumers of the refill ring
 * @rq_head: the refill ring's head, written by the kernel, inside @region
 * @rq_tail: the refill ring's tail, written by the user, inside @region
 * @rqes: the refill ring's entries, inside @region
 * @rq_entries: number of entries, a power of two
 * @cached_rq_head: next entry to consume; published to @rq_head
 * @region: memory shared with the user for the refill ring
 * @region_acct: pages of @region charged to @user's locked memory
 * @netdev: the device while the queue is bound, with a reference; NULL
 *	once unbound or uninstalled. Written under rtnl with WRITE_ONCE().
 * @netdev_tracker: tracks the reference on @netdev
 * @dma_lock: serialises mapping the area (when the first page pool takes
 *	the provider) against unmapping it (unbind, device removal)
 * @dev: the device that DMAs into the area (@netdev's parent), with a
 *	reference, from registration until the queue is unbound or the
 *	device goes away, whichever comes first; NULL after. Protected by
 *	@dma_lock.
 * @if_idx: ifindex the ifq was registered on, for reporting
 * @if_rxq: the bound rx queue
 * @closed: the last user is gone: the queue was unbound for good and
 *	buffers still in the user's hands are taken back
 * @nodev: registered with %ZCRX_REG_NODEV: no device, every receive copies
 * @user: charged for the area's locked memory, with a reference, or NULL
 * @mm_account: charged for the area's pinned memory, with a reference
 * @stats: counters
 */
struct io_zcrx_ifq {
	struct io_zcrx_area		*area;
	refcount_t			refs;
	refcount_t			user_refs;
	u32				id;

	spinlock_t			rq_lock ____cacheline_aligned_in_smp;
	u32				*rq_head;
	u32				*rq_tail;
	struct io_uring_zcrx_rqe	*rqes;
	u32				rq_entries;
	u32				cached_rq_head;

	struct io_zcrx_region		region;
	unsigned long			region_acct;

	struct net_device		*netdev;
	netdevice_tracker		netdev_tracker;
	struct mutex			dma_lock;	/* see above */
	struct device			*dev;
	u32				if_idx;
	u32				if_rxq;
	bool				closed;
	bool				nodev;

	struct user_struct		*user;
	struct mm_struct		*mm_account;

	struct io_zcrx_stats		stats;
};

#if defined(CONFIG_IO_URING_ZCRX)
int io_register_zcrx_ifq(struct io_ring_ctx *ctx,
			 struct io_uring_zcrx_ifq_reg __user *arg);
void io_shutdown_zcrx_ifqs(struct io_ring_ctx *ctx);
void io_unregister_zcrx_ifqs(struct io_ring_ctx *ctx);
void *io_zcrx_region_ptr(struct io_ring_ctx *ctx, unsigned int id);
int io_zcrx_mmap(struct io_ring_ctx *ctx, struct vm_area_struct *vma,
		 unsigned int id);
void io_zcrx_show_fdinfo(struct io_ring_ctx *ctx, struct seq_file *m);
struct io_zcrx_ifq *io_zcrx_ifq_lookup(struct io_ring_ctx *ctx,
				       unsigned int id);
int io_zcrx_recv(struct io_kiocb *req, struct io_zcrx_ifq *ifq,
		 struct socket *sock, unsigned int issue_flags,
		 unsigned int *len);
int io_zcrx_ctrl(struct io_ring_ctx *ctx, void __user *arg,
		 unsigned int nr_args);
ssize_t io_zcrx_query(struct io_uring_query_zcrx *e);
#else
static inline int io_register_zcrx_ifq(struct io_ring_ctx *ctx,
				       struct io_uring_zcrx_ifq_reg __user *arg)
{
	return -EOPNOTSUPP;
}

static inline void io_shutdown_zcrx_ifqs(struct io_ring_ctx *ctx)
{
}

static inline void io_unregister_zcrx_ifqs(struct io_ring_ctx *ctx)
{
}

static inline void *io_zcrx_region_ptr(struct io_ring_ctx *ctx,
				       unsigned int id)
{
	return ERR_PTR(-EINVAL);
}

static inline int io_zcrx_mmap(struct io_ring_ctx *ctx,
			       struct vm_area_struct *vma, unsigned int id)
{
	return -EINVAL;
}

static inline void io_zcrx_show_fdinfo(struct io_ring_ctx *ctx,
				       struct seq_file *m)
{
}

static inline struct io_zcrx_ifq *io_zcrx_ifq_lookup(struct io_ring_ctx *ctx,
						     unsigned int id)
{
	return NULL;
}

static inline int io_zcrx_recv(struct io_kiocb *req, struct io_zcrx_ifq *ifq,
			       struct socket *sock, unsigned int issue_flags,
			       unsigned int *len)
{
	return -EOPNOTSUPP;
}

static inline int io_zcrx_ctrl(struct io_ring_ctx *ctx, void __user *arg,
			       unsigned int nr_args)
{
	return -EOPNOTSUPP;
}

static inline ssize_t io_zcrx_query(struct io_uring_query_zcrx *e)
{
	return -EOPNOTSUPP;
}
#endif

#endif
