/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zcrx: which queues are bound to a memory provider, and who holds them.
 *
 * The "netdev" generic netlink family reports each queue and page pool
 * with its memory provider: a devmem dma-buf binding, or an io_uring
 * interface queue (ifq) with its counters. Which process and ring hold
 * an ifq is not in netlink: it is in the rings' fdinfo under /proc,
 * whose "ZcrxIfqs:" lines name the device and queue. zcrx-stat puts the
 * two together.
 */
#ifndef ZCRX_STAT_H
#define ZCRX_STAT_H

#include <stdbool.h>
#include <stddef.h>

#include "nl.h"
#include "zcrx.h"

/**
 * struct zcrx_counters - an io_uring ifq's counters, as the io-uring nest
 *	of a queue or page pool reports them
 * @zc_bytes: payload bytes completed without a copy
 * @zc_frags: their completions
 * @copy_bytes: bytes copied into the area
 * @copy_frags: area buffers filled by copying
 * @rq_rejected: refill ring entries the kernel refused
 * @alloc_misses: allocations that found no free buffer
 */
struct zcrx_counters {
	__u64	zc_bytes;
	__u64	zc_frags;
	__u64	copy_bytes;
	__u64	copy_frags;
	__u64	rq_rejected;
	__u64	alloc_misses;
};

/* What provides a queue's or a page pool's memory */
enum zcrx_provider {
	ZCRX_MP_NONE,		/* pages of the kernel */
	ZCRX_MP_DMABUF,		/* a devmem dma-buf binding */
	ZCRX_MP_IO_URING,	/* an io_uring ifq */
};

/**
 * struct zcrx_queue - a queue, as %NETDEV_CMD_QUEUE_GET reports it
 * @ifindex: its device
 * @id: its number among the device's queues of its type
 * @type: %NETDEV_QUEUE_TYPE_RX or %NETDEV_QUEUE_TYPE_TX
 * @napi_id: its NAPI instance, 0 if none is reported
 * @mp: its memory provider
 * @dmabuf: the dma-buf binding's id, for %ZCRX_MP_DMABUF
 * @has_counters: the io-uring nest carried counters (a kernel without
 *	them sends it empty)
 * @c: the counters
 */
struct zcrx_queue {
	__u32			ifindex;
	__u32			id;
	__u32			type;
	__u32			napi_id;
	enum zcrx_provider	mp;
	__u32			dmabuf;
	bool			has_counters;
	struct zcrx_counters	c;
};

/**
 * struct zcrx_page_pool - a page pool, as %NETDEV_CMD_PAGE_POOL_GET
 *	reports it
 * @id: its id
 * @ifindex: its device, 0 once the device is gone
 * @napi_id: the NAPI instance it feeds, 0 if none is reported
 * @inflight: buffers given out and not returned
 * @inflight_mem: their bytes
 * @detached: its driver let go of it; it waits for those buffers
 * @mp: its memory provider
 * @dmabuf: the dma-buf binding's id, for %ZCRX_MP_DMABUF
 * @has_counters: the io-uring nest carried counters
 * @c: the counters
 */
struct zcrx_page_pool {
	__u64			id;
	__u32			ifindex;
	__u32			napi_id;
	__u64			inflight;
	__u64			inflight_mem;
	bool			detached;
	enum zcrx_provider	mp;
	__u32			dmabuf;
	bool			has_counters;
	struct zcrx_counters	c;
};

/**
 * struct zcrx_ring_ifq - an ifq of an io_uring, found under /proc
 * @pid: a process that has the ring open
 * @comm: its command name
 * @fd: the ring's descriptor in that process
 * @st: the ifq's line of the ring's fdinfo
 */
struct zcrx_ring_ifq {
	int			pid;
	char			comm[64];
	int			fd;
	struct zcrx_stats	st;
};

/**
 * zcrx_nl_parse_queue() - read a queue from a netdev reply
 * @nlh: a %NETDEV_CMD_QUEUE_GET message
 * @q: filled in on success
 *
 * Return: 0, or -EPROTO if @nlh is not such a message, lacks the queue's
 * id, type or device, or has counters of another size.
 */
int zcrx_nl_parse_queue(struct nlmsghdr *nlh, struct zcrx_queue *q);

/**
 * zcrx_nl_parse_page_pool() - read a page pool from a netdev reply
 * @nlh: a %NETDEV_CMD_PAGE_POOL_GET message
 * @pp: filled in on success
 *
 * Return: 0, or -EPROTO if @nlh is not such a message, lacks the pool's
 * id or has counters of another size.
 */
int zcrx_nl_parse_page_pool(struct nlmsghdr *nlh, struct zcrx_page_pool *pp);

/**
 * zcrx_queues_dump() - the rx queues of one device or of all
 * @nl: a socket of the "netdev" family
 * @ifindex: the device, 0 for all
 * @qs: set to an array the caller frees, NULL if there are none
 * @n: set to its length
 *
 * A device that is down has no queues to report.
 *
 * Return: 0, or the negative errno of the dump: -ENODEV if @ifindex is
 * gone, -EOPNOTSUPP from a kernel that cannot dump queues (before 6.9),
 * -ENOMEM, -EPROTO for a reply that does not parse.
 */
int zcrx_queues_dump(struct zcrx_nl *nl, unsigned int ifindex,
		     struct zcrx_queue **qs, size_t *n);

/**
 * zcrx_page_pools_dump() - the page pools of one device or of all
 * @nl: a socket of the "netdev" family
 * @ifindex: the device, 0 for all (and the pools whose device is gone)
 * @pps: set to an array the caller frees, NULL if there are none
 * @n: set to its length
 *
 * Return: 0, or the negative errno of the dump.
 */
int zcrx_page_pools_dump(struct zcrx_nl *nl, unsigned int ifindex,
			 struct zcrx_page_pool **pps, size_t *n);

/**
 * zcrx_rings_scan() - find the ifqs of every io_uring under /proc
 * @proc: the proc mount, "/proc" (tests give a tree of their own)
 * @tries: reads of each ring's fdinfo until it shows "ZcrxIfqs:", at
 *	least 1; the kernel leaves the section out while the ring's lock is
 *	held, which a busy ring does often
 * @out: set to an array the caller frees, NULL if there are none
 * @n: set to its length
 * @hidden: set to the number of processes whose descriptors could not be
 *	read (another user's, without CAP_SYS_PTRACE)
 *
 * A ring open in several processes, or at several descriptors, is listed
 * at each. Processes that exit during the scan are skipped.
 *
 * Return: 0, or a negative errno: -ENOMEM, or that of opening @proc.
 */
int zcrx_rings_scan(const char *proc, unsigned int tries,
		    struct zcrx_ring_ifq **out, size_t *n,
		    unsigned int *hidden);

#endif /* ZCRX_STAT_H */
