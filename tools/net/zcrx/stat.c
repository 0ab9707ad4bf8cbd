// SPDX-License-Identifier: GPL-2.0
/*
 * zcrx: queues and page pools from netdev netlink, io_uring ifqs from the
 * rings' fdinfo (see stat.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/netdev.h>
#include <netlink/attr.h>

#include "stat.h"
#include "util.h"

/* the link of an io_uring's descriptor under /proc/PID/fd */
#define ZCRX_RING_LINK	"anon_inode:[io_uring]"

/* A growing array: *@arr holds *@n elements of @size, room for *@cap. */
static void *zcrx_grow(void *arr, size_t *n, size_t *cap, size_t size)
{
	void **p = arr;
	char *bigger;

	if (*n == *cap) {
		size_t want = *cap ? 2 * *cap : 16;

		bigger = reallocarray(*p, want, size);
		if (!bigger)
			return NULL;
		*p = bigger;
		*cap = want;
	}
	bigger = *p;
	memset(bigger + *n * size, 0, size);
	return bigger + (*n)++ * size;
}

/* The io-uring nest: empty from a kernel without the counters */
static int zcrx_nl_parse_counters(struct nlattr *nest, bool *has,
				  struct zcrx_counters *c)
{
	struct {
		int	attr;
		__u64	*val;
	} map[] = {
		{ NETDEV_A_IO_URING_PROVIDER_INFO_ZC_BYTES, &c->zc_bytes },
		{ NETDEV_A_IO_URING_PROVIDER_INFO_ZC_FRAGS, &c->zc_frags },
		{ NETDEV_A_IO_URING_PROVIDER_INFO_COPY_BYTES, &c->copy_bytes },
		{ NETDEV_A_IO_URING_PROVIDER_INFO_COPY_FRAGS, &c->copy_frags },
		{ NETDEV_A_IO_URING_PROVIDER_INFO_RQ_REJECTED, &c->rq_rejected },
		{ NETDEV_A_IO_URING_PROVIDER_INFO_ALLOC_MISSES, &c->alloc_misses },
	};
	struct nlattr *tb[NETDEV_A_IO_URING_PROVIDER_INFO_MAX + 1];
	unsigned int i;

	memset(c, 0, sizeof(*c));
	*has = false;
	if (nla_parse_nested(tb, NETDEV_A_IO_URING_PROVIDER_INFO_MAX, nest,
			     NULL))
		return -EPROTO;
	for (i = 0; i < ARRAY_SIZE(map); i++) {
		if (!tb[map[i].attr])
			continue;
		if (zcrx_nl_get_uint(tb[map[i].attr], map[i].val))
			return -EPROTO;
		*has = true;
	}
	return 0;
}

int zcrx_nl_parse_queue(struct nlmsghdr *nlh, struct zcrx_queue *q)
{
	static const struct nla_policy policy[NETDEV_A_QUEUE_IO_URING + 1] = {
		[NETDEV_A_QUEUE_ID]		= { .type = NLA_U32 },
		[NETDEV_A_QUEUE_IFINDEX]	= { .type = NLA_U32 },
		[NETDEV_A_QUEUE_TYPE]		= { .type = NLA_U32 },
		[NETDEV_A_QUEUE_NAPI_ID]	= { .type = NLA_U32 },
		[NETDEV_A_QUEUE_DMABUF]		= { .type = NLA_U32 },
		[NETDEV_A_QUEUE_IO_URING]	= { .type = NLA_NESTED },
	};
	struct nlattr *tb[NETDEV_A_QUEUE_IO_URING + 1];
	int ret;

	memset(q, 0, sizeof(*q));
	ret = zcrx_nl_parse(nlh, NETDEV_CMD_QUEUE_GET, tb,
			    NETDEV_A_QUEUE_IO_URING, policy);
	if (ret)
		return ret;
	if (!tb[NETDEV_A_QUEUE_ID] || !tb[NETDEV_A_QUEUE_IFINDEX] ||
	    !tb[NETDEV_A_QUEUE_TYPE])
		return -EPROTO;
	q->id = nla_get_u32(tb[NETDEV_A_QUEUE_ID]);
	q->ifindex = nla_get_u32(tb[NETDEV_A_QUEUE_IFINDEX]);
	q->type = nla_get_u32(tb[NETDEV_A_QUEUE_TYPE]);
	if (tb[NETDEV_A_QUEUE_NAPI_ID])
		q->napi_id = nla_get_u32(tb[NETDEV_A_QUEUE_NAPI_ID]);
	if (tb[NETDEV_A_QUEUE_DMABUF]) {
		q->mp = ZCRX_MP_DMABUF;
		q->dmabuf = nla_get_u32(tb[NETDEV_A_QUEUE_DMABUF]);
	}
	if (tb[NETDEV_A_QUEUE_IO_URING]) {
		q->mp = ZCRX_MP_IO_URING;
		return zcrx_nl_parse_counters(tb[NETDEV_A_QUEUE_IO_URING],
					      &q->has_counters, &q->c);
	}
	return 0;
}

int zcrx_nl_parse_page_pool(struct nlmsghdr *nlh, struct zcrx_page_pool *pp)
{
	static const struct nla_policy policy[NETDEV_A_PAGE_POOL_IO_URING + 1] = {
		[NETDEV_A_PAGE_POOL_IFINDEX]	= { .type = NLA_U32 },
		[NETDEV_A_PAGE_POOL_NAPI_ID]	= { .type = NLA_U32 },
		[NETDEV_A_PAGE_POOL_DMABUF]	= { .type = NLA_U32 },
		[NETDEV_A_PAGE_POOL_IO_URING]	= { .type = NLA_NESTED },
	};
	struct nlattr *tb[NETDEV_A_PAGE_POOL_IO_URING + 1];
	__u64 detach_time = 0;
	int ret;

	memset(pp, 0, sizeof(*pp));
	ret = zcrx_nl_parse(nlh, NETDEV_CMD_PAGE_POOL_GET, tb,
			    NETDEV_A_PAGE_POOL_IO_URING, policy);
	if (ret)
		return ret;
	/* id, inflight, inflight-mem and detach-time are "uint": 4 or 8 bytes */
	if (!tb[NETDEV_A_PAGE_POOL_ID] ||
	    zcrx_nl_get_uint(tb[NETDEV_A_PAGE_POOL_ID], &pp->id))
		return -EPROTO;
	if (tb[NETDEV_A_PAGE_POOL_INFLIGHT] &&
	    zcrx_nl_get_uint(tb[NETDEV_A_PAGE_POOL_INFLIGHT], &pp->inflight))
		return -EPROTO;
	if (tb[NETDEV_A_PAGE_POOL_INFLIGHT_MEM] &&
	    zcrx_nl_get_uint(tb[NETDEV_A_PAGE_POOL_INFLIGHT_MEM],
			     &pp->inflight_mem))
		return -EPROTO;
	if (tb[NETDEV_A_PAGE_POOL_DETACH_TIME] &&
	    zcrx_nl_get_uint(tb[NETDEV_A_PAGE_POOL_DETACH_TIME], &detach_time))
		return -EPROTO;
	pp->detached = !!tb[NETDEV_A_PAGE_POOL_DETACH_TIME];
	if (tb[NETDEV_A_PAGE_POOL_IFINDEX])
		pp->ifindex = nla_get_u32(tb[NETDEV_A_PAGE_POOL_IFINDEX]);
	if (tb[NETDEV_A_PAGE_POOL_NAPI_ID])
		pp->napi_id = nla_get_u32(tb[NETDEV_A_PAGE_POOL_NAPI_ID]);
	if (tb[NETDEV_A_PAGE_POOL_DMABUF]) {
		pp->mp = ZCRX_MP_DMABUF;
		pp->dmabuf = nla_get_u32(tb[NETDEV_A_PAGE_POOL_DMABUF]);
	}
	if (tb[NETDEV_A_PAGE_POOL_IO_URING]) {
		pp->mp = ZCRX_MP_IO_URING;
		return zcrx_nl_parse_counters(tb[NETDEV_A_PAGE_POOL_IO_URING],
					      &pp->has_counters, &pp->c);
	}
	return 0;
}

struct zcrx_queue_dump {
	unsigned int		ifindex;
	struct zcrx_queue	*qs;
	size_t			n;
	size_t			cap;
};

static int zcrx_queue_dump_one(struct nlmsghdr *nlh, void *arg)
{
	struct zcrx_queue_dump *d = arg;
	struct zcrx_queue q, *slot;
	int ret;

	ret = zcrx_nl_parse_queue(nlh, &q);
	if (ret)
		return ret;
	if (q.type != NETDEV_QUEUE_TYPE_RX ||
	    (d->ifindex && q.ifindex != d->ifindex))
		return 0;
	slot = zcrx_grow(&d->qs, &d->n, &d->cap, sizeof(*slot));
	if (!slot)
		return -ENOMEM;
	*slot = q;
	return 0;
}

int zcrx_queues_dump(struct zcrx_nl *nl, unsigned int ifindex,
		     struct zcrx_queue **qs, size_t *n)
{
	struct zcrx_queue_dump d = { .ifindex = ifindex };
	struct nl_msg *req;
	int ret;

	*qs = NULL;
	*n = 0;
	req = zcrx_nl_msg(nl, NETDEV_CMD_QUEUE_GET, NLM_F_DUMP);
	if (!req)
		return -ENOMEM;
	if (ifindex && nla_put_u32(req, NETDEV_A_QUEUE_IFINDEX, ifindex)) {
		nlmsg_free(req);
		return -ENOMEM;
	}
	ret = zcrx_nl_request(nl, req, zcrx_queue_dump_one, &d);
	if (ret) {
		free(d.qs);
		return ret;
	}
	*qs = d.qs;
	*n = d.n;
	return 0;
}

struct zcrx_pool_dump {
	unsigned int		ifindex;
	struct zcrx_page_pool	*pps;
	size_t			n;
	size_t			cap;
};

static int zcrx_pool_dump_one(struct nlmsghdr *nlh, void *arg)
{
	struct zcrx_pool_dump *d = arg;
	struct zcrx_page_pool pp, *slot;
	int ret;

	ret = zcrx_nl_parse_page_pool(nlh, &pp);
	if (ret)
		return ret;
	if (d->ifindex && pp.ifindex != d->ifindex)
		return 0;
	slot = zcrx_grow(&d->pps, &d->n, &d->cap, sizeof(*slot));
	if (!slot)
		return -ENOMEM;
	*slot = pp;
	return 0;
}

int zcrx_page_pools_dump(struct zcrx_nl *nl, unsigned int ifindex,
			 struct zcrx_page_pool **pps, size_t *n)
{
	struct zcrx_pool_dump d = { .ifindex = ifindex };
	struct nl_msg *req;
	int ret;

	*pps = NULL;
	*n = 0;
	/* the dump takes no device: every pool of the namespace comes */
	req = zcrx_nl_msg(nl, NETDEV_CMD_PAGE_POOL_GET, NLM_F_DUMP);
	if (!req)
		return -ENOMEM;
	ret = zcrx_nl_request(nl, req, zcrx_pool_dump_one, &d);
	if (ret) {
		free(d.pps);
		return ret;
	}
	*pps = d.pps;
	*n = d.n;
	return 0;
}

/* The first ifq line of the "ZcrxIfqs:" section of @text, or NULL */
static const char *zcrx_ifqs_section(const char *text)
{
	const char *p = text;

	while (p && strncmp(p, "ZcrxIfqs:\n", 10)) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return p ? p + 10 : NULL;
}

struct zcrx_ring_scan {
	unsigned int		tries;
	struct zcrx_ring_ifq	*out;
	size_t			n;
	size_t			cap;
	unsigned int		hidden;
};

/* The ifqs of the ring at descriptor @fd (named @name) of process @pid. */
static int zcrx_scan_ring(struct zcrx_ring_scan *sc, int pidfd, int pid,
			  const char *comm, const char *name, int fd)
{
	char path[sizeof("fdinfo/") + NAME_MAX], *text = NULL;
	const char *line = NULL;
	unsigned int i;
	int ret = 0;

	snprintf(path, sizeof(path), "fdinfo/%s", name);
	for (i = 0; i < sc->tries && !line; i++) {
		if (i)
			usleep(2000);
		free(text);
		ret = zcrx_read_at(pidfd, path, &text);
		/* closed, or the process exited, since it was listed */
		if (ret)
			return ret == -ENOMEM ? ret : 0;
		line = zcrx_ifqs_section(text);
	}
	/* "  ID: ifindex=..." per ifq, parsed by the library's parser */
	while (line && *line == ' ') {
		const char *eol = strchr(line, '\n');
		struct zcrx_ring_ifq *r;
		unsigned long id;
		char *end;

		id = strtoul(line, &end, 10);
		line = eol ? eol + 1 : NULL;
		if (*end != ':')
			continue;
		r = zcrx_grow(&sc->out, &sc->n, &sc->cap, sizeof(*r));
		if (!r) {
			free(text);
			return -ENOMEM;
		}
		r->pid = pid;
		r->fd = fd;
		snprintf(r->comm, sizeof(r->comm), "%s", comm);
		if (zcrx_stats_parse(text, id, &r->st))
			sc->n--;
	}
	free(text);
	return 0;
}

static void zcrx_read_comm(int pidfd, char *comm, size_t size)
{
	char *text, *nl;

	if (zcrx_read_at(pidfd, "comm", &text)) {
		snprintf(comm, size, "?");
		return;
	}
	nl = strchr(text, '\n');
	if (nl)
		*nl = '\0';
	snprintf(comm, size, "%s", text);
	free(text);
}

static int zcrx_scan_pid(struct zcrx_ring_scan *sc, int procfd,
			 const char *name, int pid)
{
	char comm[64] = "";
	struct dirent *de;
	int pidfd, fdfd, ret = 0;
	DIR *fds;

	pidfd = openat(procfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pidfd < 0)
		return 0;
	fdfd = openat(pidfd, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fdfd < 0) {
		if (errno == EACCES || errno == EPERM)
			sc->hidden++;
		close(pidfd);
		return 0;
	}
	fds = fdopendir(fdfd);
	if (!fds) {
		ret = errno == ENOMEM ? -ENOMEM : 0;
		close(fdfd);
		close(pidfd);
		return ret;
	}
	while (!ret && (de = readdir(fds))) {
		char link[sizeof(ZCRX_RING_LINK)], *end;
		ssize_t len;
		long fd;

		fd = strtol(de->d_name, &end, 10);
		if (*end || end == de->d_name || fd < 0)
			continue;
		len = readlinkat(fdfd, de->d_name, link, sizeof(link));
		if (len != sizeof(link) - 1 ||
		    memcmp(link, ZCRX_RING_LINK, len))
			continue;
		if (!comm[0])
			zcrx_read_comm(pidfd, comm, sizeof(comm));
		ret = zcrx_scan_ring(sc, pidfd, pid, comm, de->d_name, fd);
	}
	closedir(fds);
	close(pidfd);
	return ret;
}

int zcrx_rings_scan(const char *proc, unsigned int tries,
		    struct zcrx_ring_ifq **out, size_t *n,
		    unsigned int *hidden)
{
	struct zcrx_ring_scan sc = { .tries = tries ? tries : 1 };
	struct dirent *de;
	int ret = 0;
	DIR *pd;

	*out = NULL;
	*n = 0;
	*hidden = 0;
	pd = opendir(proc);
	if (!pd)
		return -errno;
	while (!ret && (de = readdir(pd))) {
		char *end;
		long pid;

		pid = strtol(de->d_name, &end, 10);
		if (*end || end == de->d_name || pid <= 0)
			continue;
		ret = zcrx_scan_pid(&sc, dirfd(pd), de->d_name, pid);
	}
	closedir(pd);
	if (ret) {
		free(sc.out);
		return ret;
	}
	*out = sc.out;
	*n = sc.n;
	*hidden = sc.hidden;
	return 0;
}
