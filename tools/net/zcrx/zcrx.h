/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zcrx: a small library for io_uring zero-copy receive (IORING_OP_RECV_ZC).
 *
 * The kernel places TCP payload in an area of the application's memory
 * and posts a 32-byte completion per fragment that says where it is. The
 * application reads the data in place and gives each buffer back through
 * the refill ring, a ring of &struct io_uring_zcrx_rqe it shares with the
 * kernel.
 *
 * Built on liburing 2.15 and its bundled <liburing/io_uring.h>, as
 * liburing's own examples are: an application already has a &struct
 * io_uring for its other requests (accept, send, timers), and registers
 * the ifq on it with io_uring_register_ifq(); the refill ring is liburing's
 * &struct io_uring_zcrx_rq and the control and query calls are
 * io_uring_register_zcrx_ctrl() and io_uring_register_query(). What this
 * library adds is what liburing leaves to each application: the area and
 * its dma-buf, the refill region sized for the rounded ring, checked CQE
 * decoding, batched refill, the counters of the ring's fdinfo and the
 * diagnosis of a refusal.
 *
 * What the kernel supports: zcrx_query(). Beyond an area of our memory
 * cut into pages: an area that is a dma-buf (%ZCRX_AREA_DMABUF), buffers
 * larger than a page (&zcrx_ifq_params.rx_buf_len), an ifq without a
 * device that copies everything into the area (%ZCRX_IFQ_NODEV).
 *
 * Use:
 *	zcrx_ring_init(&ring, 256, 4096);
 *	zcrx_area_alloc(&area, 64 << 20, 0);
 *	zcrx_ifq_register(&ifq, &ring, &area, &params);
 *	zcrx_prep_recv(io_uring_get_sqe(&ring), sockfd, &ifq, 0);
 *	for each CQE: zcrx_cqe_decode(&ifq, cqe, &rx);
 *		use rx.data and rx.len, then zcrx_rq_add(&ifq, rx.off, rx.len);
 *	after the batch: zcrx_rq_publish(&ifq);
 *	teardown: zcrx_ifq_release(&ifq); io_uring_queue_exit(&ring);
 *		zcrx_area_free(&area);
 *
 * The ring is single-issuer: every call on it and on the ifq must come
 * from the thread that created it. Functions return 0 or a negative errno,
 * or a negative ZCRX_E* code for conditions of this library; zcrx_strerror()
 * describes both.
 */
#ifndef ZCRX_H
#define ZCRX_H

#include <stdbool.h>
#include <stddef.h>
#include <liburing.h>

#if IO_URING_CHECK_VERSION(2, 15)
#error "zcrx needs liburing 2.15 or later (io_uring_register_ifq, the query)"
#endif

/* Library error codes, above the errno range (MAX_ERRNO is 4095). */
enum {
	ZCRX_EBASE = 4096,
	ZCRX_ENOKERNEL,		/* the kernel has no IORING_OP_RECV_ZC */
	ZCRX_EBADCQE,		/* a completion points outside the area */
	ZCRX_ENOSTATS,		/* no counters for the ifq in the ring's fdinfo */
	ZCRX_ELAST,
};

/* zcrx_area_alloc() flags */
#define ZCRX_AREA_HUGETLB	0x1	/* back the area with huge pages */
#define ZCRX_AREA_DMABUF	0x2	/* a udmabuf over a memfd */
#define ZCRX_HUGE_PAGE_SIZE	(2UL << 20)	/* the size assumed for them */

/**
 * struct zcrx_area - memory the NIC receives into
 * @addr: start, page aligned; for a dma-buf, our mapping of the memfd
 *	behind it, where we read what the NIC wrote
 * @len: length, page aligned (huge page aligned with %ZCRX_AREA_HUGETLB)
 * @hugetlb: backed by huge pages
 * @dmabuf: the area is a dma-buf, registered in place of @addr
 * @dmabuf_fd: its descriptor, if @dmabuf
 */
struct zcrx_area {
	void	*addr;
	size_t	len;
	bool	hugetlb;
	bool	dmabuf;
	int	dmabuf_fd;
};

/* the kernel's limit on refill ring entries */
#define ZCRX_RQ_MAX_ENTRIES	32768

/* zcrx_ifq_params flags */
#define ZCRX_IFQ_USER_REGION	0x1	/* refill ring in our memory */
#define ZCRX_IFQ_NODEV		0x2	/* no device: every byte is copied */

/**
 * struct zcrx_ifq_params - what to register
 * @ifindex: the network device
 * @rxq: its rx queue, which must receive only the flows meant for it
 * @rq_entries: refill ring entries, rounded up to a power of two, at
 *	most %ZCRX_RQ_MAX_ENTRIES
 * @flags: %ZCRX_IFQ_USER_REGION, or 0 for a refill ring the kernel
 *	allocates and we map; %ZCRX_IFQ_NODEV for an ifq without a device
 *	(@ifindex and @rxq 0): RECV_ZC copies every byte into the area,
 *	and zcrx_rq_publish() flushes the refill ring (ZCRX_CTRL_FLUSH_RQ)
 * @rx_buf_len: size of the area's buffers, 0 for a page; a power of two
 *	the driver can post (%ZCRX_FEATURE_RX_PAGE_SIZE), each buffer
 *	physically contiguous (an area in huge pages)
 */
struct zcrx_ifq_params {
	__u32	ifindex;
	__u32	rxq;
	__u32	rq_entries;
	__u32	flags;
	__u32	rx_buf_len;
};

/**
 * struct zcrx_ifq - a registered interface queue and its refill ring
 * @reg: the registration as the kernel returned it: zcrx_id, rounded
 *	rq_entries, refill ring offsets
 * @area_reg: the area as returned: rq_area_token
 * @rd: the refill region as returned: mmap_offset of a kernel region
 * @ring: the io_uring it belongs to
 * @ring_fd: its descriptor, for its fdinfo
 * @area: start of the area
 * @area_len: its length
 * @rq: the refill ring in liburing's terms: the kernel's head
 *	(store-released by the kernel) and our tail (store-released by
 *	zcrx_rq_publish()), the entries, their number (a power of two), the
 *	next entry we fill (published or not) and our mapping of the region
 * @region_size: the length of that mapping
 * @rq_head: the kernel's head as last loaded
 * @nodev: registered with %ZCRX_IFQ_NODEV
 */
struct zcrx_ifq {
	struct io_uring_zcrx_ifq_reg	reg;
	struct io_uring_zcrx_area_reg	area_reg;
	struct io_uring_region_desc	rd;
	struct io_uring			*ring;
	int				ring_fd;
	char				*area;
	__u64				area_len;
	struct io_uring_zcrx_rq		rq;
	size_t				region_size;
	__u32				rq_head;
	bool				nodev;
};

/**
 * struct zcrx_cqe - a RECV_ZC completion, decoded
 * @data: the received bytes, inside the area; NULL if @len is 0
 * @off: area token and offset, to give back with zcrx_rq_add()
 * @len: number of bytes at @data
 * @final: the request ended: re-arm it to go on receiving
 * @error: on a final completion, 0 at EOF or when the length asked for was
 *	received, -ENOSPC if the CQ was full or -ENOMEM if no buffer was
 *	free (give buffers back and re-arm in both cases), another -errno
 *	if the connection failed
 */
struct zcrx_cqe {
	void	*data;
	__u64	off;
	__u32	len;
	bool	final;
	int	error;
};

/**
 * struct zcrx_stats - an ifq's line in the ring's fdinfo ("ZcrxIfqs:")
 * @id: zcrx_id
 * @ifindex: device
 * @rxq: rx queue
 * @bound: the queue is still bound to the area
 * @rq_entries: refill ring entries
 * @area_pages: buffers in the area
 * @buf_len: their size (0 from a kernel that predates rx_buf_len)
 * @users: rings and exported files sharing the ifq (0: not reported)
 * @nodev: the ifq has no device
 * @dmabuf: the area is a dma-buf
 * @free: buffers on the kernel's free list
 * @alloc_misses: times the NIC or the copy fallback found no buffer
 * @rq_rejected: refill entries the kernel refused (not held by us)
 * @zc_bytes: bytes the NIC placed in the area
 * @zc_frags: completions for them
 * @copy_bytes: bytes the kernel copied into the area
 * @copy_frags: completions for them
 */
struct zcrx_stats {
	__u32	id;
	__u32	ifindex;
	__u32	rxq;
	bool	bound;
	__u32	rq_entries;
	__u64	area_pages;
	__u64	buf_len;
	__u32	users;
	bool	nodev;
	bool	dmabuf;
	__u64	free;
	__u64	alloc_misses;
	__u64	rq_rejected;
	__u64	zc_bytes;
	__u64	zc_frags;
	__u64	copy_bytes;
	__u64	copy_frags;
};

/**
 * zcrx_strerror() - describe an error of this library
 * @err: a negative errno or ZCRX_E* code
 *
 * Return: a static string.
 */
const char *zcrx_strerror(int err);

/**
 * zcrx_ring_init() - set up a ring zero-copy receive can use
 * @ring: the liburing ring to initialise
 * @sq_entries: submission queue entries
 * @cq_entries: completion queue entries, 0 for twice @sq_entries; every
 *	fragment takes one, and a full CQ ends RECV_ZC requests (-ENOSPC)
 *
 * Sets IORING_SETUP_SINGLE_ISSUER, IORING_SETUP_DEFER_TASKRUN and
 * IORING_SETUP_CQE32, which registration requires: completions are
 * posted by the task when it waits, not from interrupt context.
 *
 * Return: 0 or a negative errno.
 */
int zcrx_ring_init(struct io_uring *ring, unsigned int sq_entries,
		   unsigned int cq_entries);

/**
 * zcrx_area_alloc() - allocate memory to receive into
 * @area: filled in on success
 * @len: bytes, rounded up to a page (a huge page with %ZCRX_AREA_HUGETLB)
 * @flags: 0, %ZCRX_AREA_HUGETLB or %ZCRX_AREA_DMABUF; huge pages spare
 *	TLB misses when reading the data, and must be reserved
 *	(vm.nr_hugepages); a dma-buf (a udmabuf over a memfd, which needs
 *	/dev/udmabuf) is mapped by the device and pins nothing
 *
 * Return: 0, -EINVAL for a bad length or flag, or the errno of mmap(),
 * memfd_create() or the udmabuf ioctl.
 */
int zcrx_area_alloc(struct zcrx_area *area, size_t len, unsigned int flags);

/**
 * zcrx_area_free() - free an area
 * @area: the area; the kernel keeps its pages pinned until the ring is gone
 */
void zcrx_area_free(struct zcrx_area *area);

/**
 * zcrx_ifq_register() - bind an rx queue to an area
 * @ifq: filled in on success, with everything the kernel returned
 * @ring: a ring from zcrx_ring_init()
 * @area: the area
 * @p: device, queue, refill ring size and region type
 *
 * Needs CAP_NET_ADMIN. The queue is restarted with the area as its
 * memory; it stays bound until the ring is closed (there is no
 * unregistration).
 *
 * Return: 0; -EINVAL for bad arguments here or in the kernel, which also
 * refuses a device whose header split is off or hds-thresh not 0;
 * -ZCRX_ENOKERNEL if the kernel lacks zero-copy receive; -EPERM, -ENODEV,
 * -ERANGE (no such queue), -EEXIST (queue already bound), -EBUSY (XDP),
 * -ENETDOWN, -EOPNOTSUPP (driver, or no CONFIG_IO_URING_ZCRX), -ENOMEM
 * (RLIMIT_MEMLOCK); mmap()'s errno for the refill ring. zcrx_diagnose()
 * explains them. If mapping the kernel's refill ring fails, the ifq stays
 * registered until the ring is closed.
 */
int zcrx_ifq_register(struct zcrx_ifq *ifq, struct io_uring *ring,
		      const struct zcrx_area *area,
		      const struct zcrx_ifq_params *p);

/**
 * zcrx_rq_init() - attach a refill ring to an ifq
 * @ifq: the ifq; its other fields are left alone
 * @region: the refill region as mapped
 * @size: its length
 * @o: offsets of head, tail and entries in it
 * @entries: number of entries, a power of two
 *
 * zcrx_ifq_register() calls it with what the kernel returned; tests call
 * it on a region of their own, playing the kernel.
 *
 * Return: 0, or -EINVAL if the ring does not fit in the region or is
 * misaligned.
 */
int zcrx_rq_init(struct zcrx_ifq *ifq, void *region, size_t size,
		 const struct io_uring_zcrx_offsets *o, __u32 entries);

/**
 * zcrx_ifq_release() - drop our mapping of the refill ring
 * @ifq: the ifq
 *
 * The kernel keeps the ifq, and the queue bound, until the ring is
 * closed: call io_uring_queue_exit() next, then zcrx_area_free().
 */
void zcrx_ifq_release(struct zcrx_ifq *ifq);

/**
 * zcrx_prep_recv() - prepare an IORING_OP_RECV_ZC request
 * @sqe: the SQE; every field is set, user_data to 0
 * @sockfd: a connected TCP socket
 * @ifq: the ifq whose area receives the data
 * @len: bytes to receive before the request ends, 0 for no limit
 *
 * The request is multishot: one completion per fragment until a final
 * one. Do not set IOSQE_ASYNC: a request punted to a worker cannot post
 * completions of a DEFER_TASKRUN ring and fails with -EBADFD.
 */
void zcrx_prep_recv(struct io_uring_sqe *sqe, int sockfd,
		    const struct zcrx_ifq *ifq, unsigned int len);

/**
 * zcrx_cqe_decode() - what a RECV_ZC completion says
 * @ifq: the ifq the request used
 * @cqe: a 32-byte completion
 * @out: the decoded completion
 *
 * Return: 0, or -ZCRX_EBADCQE if the completion names another area,
 * points outside ours or is inconsistent (data after the end).
 */
int zcrx_cqe_decode(const struct zcrx_ifq *ifq, const struct io_uring_cqe *cqe,
		    struct zcrx_cqe *out);

/**
 * zcrx_rq_space() - free refill ring entries
 * @ifq: the ifq
 *
 * rq_entries minus the entries filled and not yet consumed, with the
 * kernel's head loaded with acquire semantics: its reads of the entries
 * it consumed are done.
 *
 * Return: the number of zcrx_rq_add() calls that cannot fail.
 */
__u32 zcrx_rq_space(struct zcrx_ifq *ifq);

/**
 * zcrx_rq_add() - queue a buffer for return, without publishing it
 * @ifq: the ifq
 * @off: &zcrx_cqe.off of the completion that handed it over
 * @len: &zcrx_cqe.len of that completion
 *
 * Every completion is given back once, in any order.
 *
 * Return: 0, or -EAGAIN if the ring is full: the kernel consumes entries
 * when the queue needs buffers; keep the buffer and try again later.
 */
int zcrx_rq_add(struct zcrx_ifq *ifq, __u64 off, __u32 len);

/**
 * zcrx_rq_publish() - hand the queued buffers to the kernel
 * @ifq: the ifq
 *
 * One store-release of the tail for the whole batch: the kernel, which
 * loads the tail with acquire semantics, sees the entries written. An ifq
 * without a device has no queue to consume them: they are flushed.
 *
 * Return: the number of entries published.
 */
__u32 zcrx_rq_publish(struct zcrx_ifq *ifq);

/**
 * zcrx_rq_flush() - have the kernel consume the refill ring now
 * @ifq: the ifq
 *
 * %ZCRX_CTRL_FLUSH_RQ: every published entry is taken back before the
 * call returns, instead of when the queue next needs buffers.
 *
 * Return: 0 or a negative errno.
 */
int zcrx_rq_flush(struct zcrx_ifq *ifq);

/**
 * zcrx_query() - what the kernel's zero-copy receive supports
 * @out: filled in on success: ZCRX_REG_* flags, IORING_ZCRX_AREA_*
 *	flags, ZCRX_CTRL_* operations, ZCRX_FEATURE_* features
 *
 * IORING_REGISTER_QUERY without a ring.
 *
 * Return: 0, -EINVAL from a kernel without the query, or the errno the
 * query was answered with (-EOPNOTSUPP: no zero-copy receive).
 */
int zcrx_query(struct io_uring_query_zcrx *out);

/**
 * zcrx_stats_parse() - find an ifq's counters in fdinfo text
 * @text: the contents of /proc/self/fdinfo/RINGFD
 * @id: the ifq's zcrx_id
 * @st: filled in on success; counters this kernel lacks are 0
 *
 * Return: 0, or -ZCRX_ENOSTATS if there is no line for @id.
 */
int zcrx_stats_parse(const char *text, __u32 id, struct zcrx_stats *st);

/**
 * zcrx_stats_read() - read an ifq's counters from the ring's fdinfo
 * @ifq: the ifq
 * @st: filled in on success
 *
 * The kernel prints them only when it gets the ring's lock at once; from
 * the ring's own thread, between waits, it always does.
 *
 * Return: 0, the errno of reading the file, or -ZCRX_ENOSTATS.
 */
int zcrx_stats_read(const struct zcrx_ifq *ifq, struct zcrx_stats *st);

/* Diagnosis: why a queue cannot be registered, or will not receive */

struct nlmsghdr;
struct ethtool_rxnfc;

#define ZCRX_UNREAD		(-1)	/* the setting could not be read */

/* tcp-data-split, as ETHTOOL_TCP_DATA_SPLIT_* */
enum {
	ZCRX_HDS_NA,		/* the driver does not report it */
	ZCRX_HDS_OFF,
	ZCRX_HDS_ON,
};

/**
 * struct zcrx_dev_settings - what the device's settings mean for one queue
 * @tcp_data_split: %ZCRX_HDS_NA, %ZCRX_HDS_OFF, %ZCRX_HDS_ON or
 *	%ZCRX_UNREAD
 * @hds_thresh: header split threshold, or %ZCRX_UNREAD
 * @rx_queues: rx queues of the device, or %ZCRX_UNREAD
 * @rss_has_queue: 1 if the queue is in the RSS indirection table, 0 if
 *	not, or %ZCRX_UNREAD
 * @rss_queues: queues the RSS table spreads over, or %ZCRX_UNREAD
 * @rule: 1 if an ntuple rule steers TCP to the port to the queue, 0 if
 *	none does, or %ZCRX_UNREAD
 * @rule_loc: location of a rule for the port that steers elsewhere, or -1
 * @rule_queue: the queue it steers to, or -1
 */
struct zcrx_dev_settings {
	int		tcp_data_split;
	long long	hds_thresh;
	int		rx_queues;
	int		rss_has_queue;
	int		rss_queues;
	int		rule;
	int		rule_loc;
	int		rule_queue;
};

/**
 * zcrx_dev_init() - mark every setting unread
 * @s: the settings
 */
void zcrx_dev_init(struct zcrx_dev_settings *s);

/**
 * zcrx_dev_parse_rings() - take header split from an ethtool rings reply
 * @s: the settings
 * @nlh: an %ETHTOOL_MSG_RINGS_GET_REPLY message
 *
 * A reply without %ETHTOOL_A_RINGS_TCP_DATA_SPLIT means the driver does
 * not know (%ZCRX_HDS_NA); one without %ETHTOOL_A_RINGS_HDS_THRESH leaves
 * the threshold unread.
 *
 * Return: 0, or -EPROTO if @nlh is not such a reply.
 */
int zcrx_dev_parse_rings(struct zcrx_dev_settings *s, struct nlmsghdr *nlh);

/**
 * zcrx_dev_parse_channels() - take the rx queue count from an ethtool
 *	channels reply
 * @s: the settings
 * @nlh: an %ETHTOOL_MSG_CHANNELS_GET_REPLY message
 *
 * The rx queues are the rx-only channels and the combined ones.
 *
 * Return: 0, -ENODATA if the reply counts none, or -EPROTO if @nlh is not
 * such a reply.
 */
int zcrx_dev_parse_channels(struct zcrx_dev_settings *s,
			    struct nlmsghdr *nlh);

/**
 * zcrx_dev_parse_rss() - take the RSS indirection table from an ethtool
 *	RSS reply
 * @s: the settings
 * @nlh: an %ETHTOOL_MSG_RSS_GET_REPLY message of the default context
 * @queue: the queue to look for
 *
 * Return: 0, -ENODATA if the reply has no table, or -EPROTO if @nlh is
 * not such a reply or its table is not an array of u32.
 */
int zcrx_dev_parse_rss(struct zcrx_dev_settings *s, struct nlmsghdr *nlh,
		       unsigned int queue);

/**
 * zcrx_dev_parse_ntuple() - find the steering rule among ntuple rules
 * @s: the settings
 * @rules: the rules, as %ETHTOOL_GRXCLSRULE returns them, by location
 * @n: their number, 0 for a device with ntuple filters and no rule
 * @port: the TCP port listened on
 * @queue: the queue it should be steered to
 *
 * A rule counts if it matches TCP over IPv4 or IPv6 to the whole of
 * @port and sends it to a queue of the device itself; one into an RSS
 * context spreads the flow, and does not count.
 *
 * Return: 0, or -EINVAL if @n rules are missing.
 */
int zcrx_dev_parse_ntuple(struct zcrx_dev_settings *s,
			  const struct ethtool_rxnfc *rules, unsigned int n,
			  unsigned int port, unsigned int queue);

/**
 * zcrx_dev_read() - read a device's settings as ethtool does
 * @s: filled in; what cannot be read stays %ZCRX_UNREAD
 * @ifname: the device
 * @queue: the rx queue
 * @port: the TCP port
 *
 * Header split, the rx queues and the RSS table come from ethtool
 * netlink (%ETHTOOL_MSG_RINGS_GET, %ETHTOOL_MSG_CHANNELS_GET and
 * %ETHTOOL_MSG_RSS_GET), the ntuple rules from the %SIOCETHTOOL ioctl.
 * No process is started: the caller may hold a large pinned area.
 */
void zcrx_dev_read(struct zcrx_dev_settings *s, const char *ifname,
		   unsigned int queue, unsigned int port);

/**
 * zcrx_diagnose() - explain in plain words what stands in the way
 * @s: the device's settings
 * @ifname: the device
 * @queue: the rx queue
 * @port: the TCP port
 * @err: what registration returned, 0 if it succeeded
 * @buf: where to write, one problem and the command that fixes it per
 *	entry
 * @size: size of @buf
 *
 * Refusals (header split, threshold, queue range) come from the settings;
 * an RSS table using the queue, or a port no rule steers to it, let
 * registration succeed but make the data arrive elsewhere and be copied.
 * If the settings show no cause for @err, it is explained by itself.
 *
 * Return: the number of problems described, or -ENOMEM.
 */
int zcrx_diagnose(const struct zcrx_dev_settings *s, const char *ifname,
		  unsigned int queue, unsigned int port, int err, char *buf,
		  size_t size);

#endif /* ZCRX_H */
