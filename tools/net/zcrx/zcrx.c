// SPDX-License-Identifier: GPL-2.0
/*
 * zcrx: io_uring zero-copy receive on top of liburing. See zcrx.h.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/udmabuf.h>

#include "zcrx.h"
#include "util.h"

static_assert(offsetof(struct io_uring_sqe, zcrx_ifq_idx) == 44,
	      "zcrx_ifq_idx is the u32 at byte 44 of the SQE");
static_assert(sizeof(struct io_uring_zcrx_rqe) == 16, "rqe is 16 bytes");
static_assert(sizeof(struct io_uring_zcrx_cqe) == 16, "zcrx cqe is 16 bytes");
static_assert(sizeof(struct io_uring_zcrx_ifq_reg) == 96, "ifq_reg is 96 bytes");

static const char * const zcrx_errors[] = {
	[ZCRX_ENOKERNEL - ZCRX_EBASE] =
		"the kernel has no io_uring zero-copy receive (IORING_OP_RECV_ZC)",
	[ZCRX_EBADCQE - ZCRX_EBASE] =
		"a completion points outside the receive area",
	[ZCRX_ENOSTATS - ZCRX_EBASE] =
		"the ring's fdinfo has no counters for the interface queue",
};

const char *zcrx_strerror(int err)
{
	err = -err;
	if (err > ZCRX_EBASE && err < ZCRX_ELAST)
		return zcrx_errors[err - ZCRX_EBASE];
	return strerror(err);
}

static size_t zcrx_page_size(void)
{
	return sysconf(_SC_PAGESIZE);
}

static size_t zcrx_align(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

int zcrx_ring_init(struct io_uring *ring, unsigned int sq_entries,
		   unsigned int cq_entries)
{
	struct io_uring_params p = {
		.flags = IORING_SETUP_SINGLE_ISSUER |
			 IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_CQE32,
	};

	if (!ring || !sq_entries)
		return -EINVAL;
	if (cq_entries) {
		p.flags |= IORING_SETUP_CQSIZE;
		p.cq_entries = cq_entries;
	}
	return io_uring_queue_init_params(sq_entries, ring, &p);
}

/*
 * A udmabuf over a memfd of @len bytes: its descriptor in @fd, and the
 * memfd mapped, shared, at the returned address.
 */
static void *zcrx_dmabuf_alloc(size_t len, int *fd)
{
	struct udmabuf_create c = {
		.flags = UDMABUF_FLAGS_CLOEXEC,
		.size = len,
	};
	void *addr = MAP_FAILED;
	int memfd, dev, err;

	memfd = memfd_create("zcrx-area", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (memfd < 0)
		return MAP_FAILED;
	/* udmabuf takes only memfds that cannot shrink */
	if (ftruncate(memfd, len) ||
	    fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK))
		goto out;
	dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (dev < 0)
		goto out;
	c.memfd = memfd;
	*fd = ioctl(dev, UDMABUF_CREATE, &c);
	err = errno;
	close(dev);
	errno = err;
	if (*fd < 0)
		goto out;
	addr = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (addr == MAP_FAILED) {
		err = errno;
		close(*fd);
		errno = err;
	}
out:
	err = errno;
	close(memfd);
	errno = err;
	return addr;
}

int zcrx_area_alloc(struct zcrx_area *area, size_t len, unsigned int flags)
{
	int mflags = MAP_PRIVATE | MAP_ANONYMOUS;
	size_t align = zcrx_page_size();
	int fd = -1;
	void *addr;

	if (!area || !len || flags & ~(ZCRX_AREA_HUGETLB | ZCRX_AREA_DMABUF))
		return -EINVAL;
	/* a dma-buf over huge pages would need a hugetlb memfd */
	if ((flags & ZCRX_AREA_HUGETLB) && (flags & ZCRX_AREA_DMABUF))
		return -EINVAL;
	if (flags & ZCRX_AREA_HUGETLB) {
		align = ZCRX_HUGE_PAGE_SIZE;
		mflags |= MAP_HUGETLB;
	}
	if (len > SIZE_MAX - align)
		return -EINVAL;
	len = zcrx_align(len, align);
	if (flags & ZCRX_AREA_DMABUF)
		addr = zcrx_dmabuf_alloc(len, &fd);
	else
		addr = mmap(NULL, len, PROT_READ | PROT_WRITE, mflags, -1, 0);
	if (addr == MAP_FAILED)
		return -errno;
	area->addr = addr;
	area->len = len;
	area->hugetlb = flags & ZCRX_AREA_HUGETLB;
	area->dmabuf = flags & ZCRX_AREA_DMABUF;
	area->dmabuf_fd = fd;
	return 0;
}

void zcrx_area_free(struct zcrx_area *area)
{
	if (!area || !area->addr)
		return;
	munmap(area->addr, area->len);
	area->addr = NULL;
	/* the kernel holds its own reference while the ifq lives */
	if (area->dmabuf)
		close(area->dmabuf_fd);
	area->dmabuf = false;
}

/* Does the kernel know IORING_OP_RECV_ZC? Unknown counts as yes. */
static bool zcrx_kernel_has_recv_zc(struct io_uring *ring)
{
	struct io_uring_probe *probe = io_uring_get_probe_ring(ring);
	bool ret;

	if (!probe)
		return true;
	ret = io_uring_opcode_supported(probe, IORING_OP_RECV_ZC);
	io_uring_free_probe(probe);
	return ret;
}

int zcrx_ifq_register(struct zcrx_ifq *ifq, struct io_uring *ring,
		      const struct zcrx_area *area,
		      const struct zcrx_ifq_params *p)
{
	void *region = NULL;
	bool user_region;
	__u32 entries;
	size_t rsize;
	int ret;

	if (!ifq || !ring || !area || !area->addr || !area->len || !p)
		return -EINVAL;
	if (p->flags & ~(ZCRX_IFQ_USER_REGION | ZCRX_IFQ_NODEV))
		return -EINVAL;
	if (!p->rq_entries || p->rq_entries > ZCRX_RQ_MAX_ENTRIES)
		return -EINVAL;
	if (!zcrx_kernel_has_recv_zc(ring))
		return -ZCRX_ENOKERNEL;

	/* the kernel rounds up, and sizes the region for what it rounded */
	for (entries = 1; entries < p->rq_entries; entries <<= 1)
		;
	/* head and tail take no more than the first page */
	rsize = zcrx_align(zcrx_page_size() +
			   entries * sizeof(struct io_uring_zcrx_rqe),
			   zcrx_page_size());
	user_region = p->flags & ZCRX_IFQ_USER_REGION;

	memset(ifq, 0, sizeof(*ifq));
	ifq->ring = ring;
	ifq->ring_fd = ring->ring_fd;
	ifq->area = area->addr;
	ifq->area_len = area->len;
	ifq->area_reg.addr = (__u64)(unsigned long)area->addr;
	ifq->area_reg.len = area->len;
	if (area->dmabuf) {
		/* the whole dma-buf: addr is an offset into it */
		ifq->area_reg.addr = 0;
		ifq->area_reg.flags = IORING_ZCRX_AREA_DMABUF;
		ifq->area_reg.dmabuf_fd = area->dmabuf_fd;
	}
	ifq->rd.size = rsize;
	if (user_region) {
		region = mmap(NULL, rsize, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (region == MAP_FAILED)
			return -errno;
		ifq->rd.user_addr = (__u64)(unsigned long)region;
		ifq->rd.flags = IORING_MEM_REGION_TYPE_USER;
	}
	ifq->reg.if_idx = p->ifindex;
	ifq->reg.if_rxq = p->rxq;
	ifq->reg.rq_entries = entries;
	ifq->reg.rx_buf_len = p->rx_buf_len;
	ifq->nodev = p->flags & ZCRX_IFQ_NODEV;
	if (ifq->nodev)
		ifq->reg.flags = ZCRX_REG_NODEV;
	ifq->reg.area_ptr = (__u64)(unsigned long)&ifq->area_reg;
	ifq->reg.region_ptr = (__u64)(unsigned long)&ifq->rd;

	ret = io_uring_register_ifq(ring, &ifq->reg);
	if (ret < 0)
		goto err_unmap;
	if (!user_region) {
		region = mmap(NULL, rsize, PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_POPULATE, ring->ring_fd,
			      ifq->rd.mmap_offset);
		/* the ifq stays registered until the ring is closed */
		if (region == MAP_FAILED)
			return -errno;
	}
	ret = zcrx_rq_init(ifq, region, rsize, &ifq->reg.offsets,
			   ifq->reg.rq_entries);
	if (ret)
		goto err_unmap;
	return 0;

err_unmap:
	if (region)
		munmap(region, rsize);
	return ret;
}

int zcrx_rq_init(struct zcrx_ifq *ifq, void *region, size_t size,
		 const struct io_uring_zcrx_offsets *o, __u32 entries)
{
	const size_t rqe_size = sizeof(struct io_uring_zcrx_rqe);

	if (!ifq || !region || !o || !entries || entries & (entries - 1))
		return -EINVAL;
	if (o->head % sizeof(__u32) || o->tail % sizeof(__u32) ||
	    o->rqes % sizeof(__u64))
		return -EINVAL;
	/* head and tail come before the entries, which end in the region */
	if (o->head + sizeof(__u32) > o->rqes ||
	    o->tail + sizeof(__u32) > o->rqes || o->head == o->tail)
		return -EINVAL;
	if (o->rqes > size || (size - o->rqes) / rqe_size < entries)
		return -EINVAL;

	ifq->rq.ring_ptr = region;
	ifq->region_size = size;
	ifq->rq.khead = (__u32 *)((char *)region + o->head);
	ifq->rq.ktail = (__u32 *)((char *)region + o->tail);
	ifq->rq.rqes = (struct io_uring_zcrx_rqe *)((char *)region + o->rqes);
	ifq->rq.ring_entries = entries;
	/* only we write the tail */
	ifq->rq.rq_tail = IO_URING_READ_ONCE(*ifq->rq.ktail);
	ifq->rq_head = io_uring_smp_load_acquire(ifq->rq.khead);
	return 0;
}

void zcrx_ifq_release(struct zcrx_ifq *ifq)
{
	if (!ifq || !ifq->rq.ring_ptr)
		return;
	munmap(ifq->rq.ring_ptr, ifq->region_size);
	memset(&ifq->rq, 0, sizeof(ifq->rq));
}

void zcrx_prep_recv(struct io_uring_sqe *sqe, int sockfd,
		    const struct zcrx_ifq *ifq, unsigned int len)
{
	/* io_uring_prep_rw() leaves the fields it does not use alone */
	memset(sqe, 0, sizeof(*sqe));
	io_uring_prep_rw(IORING_OP_RECV_ZC, sqe, sockfd, NULL, len, 0);
	sqe->ioprio = IORING_RECV_MULTISHOT;
	sqe->zcrx_ifq_idx = ifq->reg.zcrx_id;
}

int zcrx_cqe_decode(const struct zcrx_ifq *ifq, const struct io_uring_cqe *cqe,
		    struct zcrx_cqe *out)
{
	const struct io_uring_zcrx_cqe *rcqe = (const void *)cqe->big_cqe;
	__u64 off;

	memset(out, 0, sizeof(*out));
	out->final = !(cqe->flags & IORING_CQE_F_MORE);
	if (cqe->res <= 0) {
		out->error = cqe->res;
		/* a request that stays armed completes data only */
		return out->final ? 0 : -ZCRX_EBADCQE;
	}
	if ((rcqe->off & IORING_ZCRX_AREA_MASK) != ifq->area_reg.rq_area_token)
		return -ZCRX_EBADCQE;
	off = rcqe->off & ~IORING_ZCRX_AREA_MASK;
	if (off >= ifq->area_len || (__u64)cqe->res > ifq->area_len - off)
		return -ZCRX_EBADCQE;
	out->data = ifq->area + off;
	out->off = rcqe->off;
	out->len = cqe->res;
	return 0;
}

__u32 zcrx_rq_space(struct zcrx_ifq *ifq)
{
	__u32 used;

	/* pairs with the kernel's store-release of head */
	ifq->rq_head = io_uring_smp_load_acquire(ifq->rq.khead);
	used = ifq->rq.rq_tail - ifq->rq_head;
	/* a head beyond our tail is broken: stop filling */
	return used >= ifq->rq.ring_entries ? 0 : ifq->rq.ring_entries - used;
}

int zcrx_rq_add(struct zcrx_ifq *ifq, __u64 off, __u32 len)
{
	struct io_uring_zcrx_rqe *rqe;

	/* the head last loaded is enough until the ring looks full */
	if (ifq->rq.rq_tail - ifq->rq_head >= ifq->rq.ring_entries &&
	    !zcrx_rq_space(ifq))
		return -EAGAIN;
	rqe = &ifq->rq.rqes[ifq->rq.rq_tail & (ifq->rq.ring_entries - 1)];
	rqe->off = off;
	rqe->len = len;
	rqe->__pad = 0;
	ifq->rq.rq_tail++;
	return 0;
}

__u32 zcrx_rq_publish(struct zcrx_ifq *ifq)
{
	__u32 old = IO_URING_READ_ONCE(*ifq->rq.ktail);

	if (old == ifq->rq.rq_tail)
		return 0;
	/* the entries before the tail: pairs with the kernel's load-acquire */
	io_uring_smp_store_release(ifq->rq.ktail, ifq->rq.rq_tail);
	/* no queue consumes the ring of an ifq without a device */
	if (ifq->nodev)
		zcrx_rq_flush(ifq);
	return ifq->rq.rq_tail - old;
}

int zcrx_rq_flush(struct zcrx_ifq *ifq)
{
	struct zcrx_ctrl c = {
		.zcrx_id = ifq->reg.zcrx_id,
		.op = ZCRX_CTRL_FLUSH_RQ,
	};

	if (!ifq->ring)
		return -EINVAL;
	return io_uring_register_zcrx_ctrl(ifq->ring, &c);
}

int zcrx_query(struct io_uring_query_zcrx *out)
{
	struct io_uring_query_hdr h = {
		.query_data = uring_ptr_to_u64(out),
		.query_op = IO_URING_QUERY_ZCRX,
		.size = sizeof(*out),
	};
	int ret;

	memset(out, 0, sizeof(*out));
	ret = io_uring_register_query(&h);
	return ret ? ret : h.result;
}

#define ZCRX_STAT(name, bytes) \
	{ #name, offsetof(struct zcrx_stats, name), bytes }

static const struct {
	const char	*key;
	size_t		off;
	int		size;
} zcrx_stat_keys[] = {
	ZCRX_STAT(ifindex, 4),
	ZCRX_STAT(rxq, 4),
	ZCRX_STAT(bound, 1),
	ZCRX_STAT(rq_entries, 4),
	ZCRX_STAT(area_pages, 8),
	ZCRX_STAT(buf_len, 8),
	ZCRX_STAT(users, 4),
	ZCRX_STAT(nodev, 1),
	ZCRX_STAT(dmabuf, 1),
	ZCRX_STAT(free, 8),
	ZCRX_STAT(alloc_misses, 8),
	ZCRX_STAT(rq_rejected, 8),
	ZCRX_STAT(zc_bytes, 8),
	ZCRX_STAT(zc_frags, 8),
	ZCRX_STAT(copy_bytes, 8),
	ZCRX_STAT(copy_frags, 8),
};

static void zcrx_stat_set(struct zcrx_stats *st, const char *key, size_t klen,
			  unsigned long long v)
{
	char *base = (char *)st;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(zcrx_stat_keys); i++) {
		if (strlen(zcrx_stat_keys[i].key) != klen ||
		    memcmp(zcrx_stat_keys[i].key, key, klen))
			continue;
		if (zcrx_stat_keys[i].size == 1)
			*(bool *)(base + zcrx_stat_keys[i].off) = v;
		else if (zcrx_stat_keys[i].size == 4)
			*(__u32 *)(base + zcrx_stat_keys[i].off) = v;
		else
			*(__u64 *)(base + zcrx_stat_keys[i].off) = v;
		return;
	}
}

/* Parse "key=value key=value ..." up to the end of the line. */
static void zcrx_stats_line(struct zcrx_stats *st, const char *p)
{
	while (*p && *p != '\n') {
		const char *eq, *key;
		char *end;

		while (*p == ' ')
			p++;
		key = p;
		eq = strchr(p, '=');
		if (!eq || memchr(p, '\n', eq - p))
			return;
		zcrx_stat_set(st, key, eq - key, strtoull(eq + 1, &end, 10));
		p = end;
		while (*p && *p != ' ' && *p != '\n')
			p++;
	}
}

int zcrx_stats_parse(const char *text, __u32 id, struct zcrx_stats *st)
{
	const char *p = text;

	/* the section is a line of its own, its ifqs indented lines */
	while (p && strncmp(p, "ZcrxIfqs:\n", 10)) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (!p)
		return -ZCRX_ENOSTATS;
	while ((p = strchr(p, '\n')) && *++p == ' ') {
		char *end;

		if (strtoul(p, &end, 10) == id && *end == ':') {
			memset(st, 0, sizeof(*st));
			st->id = id;
			zcrx_stats_line(st, end + 1);
			return 0;
		}
	}
	return -ZCRX_ENOSTATS;
}

/*
 * The whole of @path under @dirfd, as a string the caller frees; fdinfo
 * has one line per armed request and can be long. Used by stat.c too.
 */
int zcrx_read_at(int dirfd, const char *path, char **text)
{
	size_t len = 0, size = 4096;
	char *buf, *bigger;
	ssize_t n;
	int fd;

	*text = NULL;
	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf = malloc(size);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while ((n = read(fd, buf + len, size - len - 1)) > 0) {
		len += n;
		if (size - len > 1)
			continue;
		bigger = realloc(buf, 2 * size);
		if (!bigger) {
			free(buf);
			close(fd);
			return -ENOMEM;
		}
		buf = bigger;
		size *= 2;
	}
	if (n < 0) {
		n = -errno;
		free(buf);
		close(fd);
		return n;
	}
	close(fd);
	buf[len] = '\0';
	*text = buf;
	return 0;
}

int zcrx_stats_read(const struct zcrx_ifq *ifq, struct zcrx_stats *st)
{
	char path[64], *text;
	int ret;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", ifq->ring_fd);
	ret = zcrx_read_at(AT_FDCWD, path, &text);
	if (ret)
		return ret;
	ret = zcrx_stats_parse(text, ifq->reg.zcrx_id, st);
	free(text);
	return ret;
}
