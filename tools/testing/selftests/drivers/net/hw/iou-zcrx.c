// SPDX-License-Identifier: GPL-2.0
/*
 * iou-zcrx: io_uring zero-copy receive selftest helper.
 *
 * Registration (the default) registers zero-copy receive interface queues
 * (IORING_REGISTER_ZCRX_IFQ) on IFNAME and checks what the kernel returns:
 * ids, rounded refill ring size, area token, refill ring offsets, the mmap
 * of a kernel-allocated refill region, the memory charged for the area and
 * the ring's fdinfo. -x runs the invalid registration cases, -z the invalid
 * IORING_OP_RECV_ZC submissions, and checks each errno.
 *
 * The server (-s) registers one queue, accepts one TCP connection and
 * receives it with IORING_OP_RECV_ZC, checks every byte against the
 * pattern the client (-c) sends and gives every buffer back through the
 * refill ring. With -k it stops giving buffers back and closes the ring
 * while holding them. With -N it accepts several connections and receives
 * them all in the one ring at once, each stream checked on its own; -Y
 * gives the buffers back from a thread of its own, and -S closes the ring
 * after that many bytes per connection while the peers still send.
 *
 * The area is anonymous memory, or with -H the start of 2 MiB huge pages,
 * charged whole. -L sets RLIMIT_MEMLOCK relative to what the registrations
 * charge (area and refill region): the charge only applies to a ring
 * created without CAP_IPC_LOCK.
 *
 * -V receives through an ifq without a device (ZCRX_REG_NODEV): every
 * byte copied. -G consumes the refill ring with ZCRX_CTRL_FLUSH_RQ after
 * every refill. -E shares the queue between two rings (ZCRX_CTRL_EXPORT,
 * ZCRX_REG_IMPORT). With -N, -n and -A register several ifqs, of one
 * device or of several, each receiving its own port's connections. -g sets
 * rx_buf_len: the area is cut into buffers of that size. -Q and
 * -K run the IORING_REGISTER_QUERY and IORING_REGISTER_ZCRX_CTRL cases.
 *
 * Uses raw system calls and the kernel's uapi header only: no liburing
 * release in distributions has zero-copy receive yet.
 *
 * Usage: iou-zcrx -i IFNAME -q QUEUE [-n NR] [-r ENTRIES] [-a BYTES] [-u]
 *                 [-H hugetlb|thp] [-L PAGES] [-R SECONDS] [-e ERRNO] [-d]
 *                 [-t] [-w]
 *        iou-zcrx -i IFNAME -q QUEUE -x|-z
 *        iou-zcrx -s -i IFNAME -q QUEUE -p PORT [-l BYTES] [-o BYTES]
 *                 [-k BYTES] [-C ENTRIES] [-b N] [-B N] [-r ENTRIES]
 *                 [-a BYTES] [-H hugetlb|thp] [-u] [-t] [-w] [-P]
 *                 [-T SECONDS]
 *        iou-zcrx -s -i IFNAME -q QUEUE -p PORT -N CONNS [-Y] [-S BYTES]
 *                 [-l BYTES] [-C ENTRIES] [-r ENTRIES] [-a BYTES] [-t] [-w]
 *        iou-zcrx -c -h HOST -p PORT -l BYTES [-O PORT] [-P] [-T SECONDS]
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/io_uring.h>
#include <linux/udmabuf.h>
#include <linux/io_uring/query.h>

#include "../../../kselftest.h"

#define MAX_IFQS	16
/* the huge page size of -H, and the size its math assumes */
#define HUGE_SIZE	(2UL << 20)
#define SQ_ENTRIES	8
#define RECV_TAG	1

static const char *ifname;
static unsigned int ifindex;
static unsigned int queue;
static unsigned int nr_ifqs = 1;
static unsigned int rq_entries = 64;
static size_t area_size = 1 << 20;
static enum { AREA_ANON, AREA_HUGETLB, AREA_THP, AREA_DMABUF } area_kind;
static bool user_region;
static int expect_errno;
static bool dup_queue;
static bool run_cases;
static bool run_sqe_cases;
static bool check_teardown;
static bool wait_stdin;
static bool server;
static bool client;
static const char *host;
static const char *port;
static unsigned long long payload_len;
static bool have_payload_len;
static unsigned int oneshot_len;
static unsigned long long hold_after;
static bool hold;
static bool no_eof;
static bool no_delay;
static unsigned int burst_delay_ms;
static unsigned int cq_entries = 1024;
static unsigned int bad_refill;
static unsigned int hostile_refill;
static unsigned int pad_refill;
static bool have_memlock;
static long memlock_extra;
static unsigned int retry_s;
static unsigned int timeout_s = 60;
static unsigned int fault_nth;
static bool fault_sweep;
/* -f: the fault is armed; how it went */
static bool fault_open;
static enum { FAULT_NONE, FAULT_INJECTED, FAULT_NOT_REACHED } fault_result;
static unsigned int fault_submit_errors;
/* -N, -Y, -S: several connections in one ring */
static unsigned int nr_conns;
static bool refill_thread;
static unsigned long long stop_after;
static bool have_stop_after;
/* -O: the client's source port, for steering by it */
static unsigned int src_port;
static unsigned int rx_buf_len;
static bool nodev;
static bool flush_rq;
static unsigned int export_mode;
static bool wrong_ifq;
static bool run_query;
static bool run_ctrl;
static unsigned int nr_extra;
static unsigned int extra_ifindex[MAX_IFQS];
static unsigned int extra_queue[MAX_IFQS];
static long page_size;

static int failures;

#define fail(fmt, ...) do {						\
	fprintf(stderr, "FAIL: " fmt "\n", ##__VA_ARGS__);		\
	failures++;							\
} while (0)

/* A system call needed to go on failed: report it with errno and stop. */
#define die(fmt, ...) do {						\
	fprintf(stderr, "FAIL: " fmt ": %s\n", ##__VA_ARGS__,		\
		strerror(errno));					\
	exit(1);							\
} while (0)

#define load_acquire(p)		__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define store_release(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELEASE)

/* Byte @pos of the stream the client sends: a Weyl sequence, no period. */
static inline unsigned char pattern_byte(__u64 pos)
{
	return (pos * 0x9e3779b97f4a7c15ULL) >> 56;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int sys_io_uring_setup(unsigned int entries, struct io_uring_params *p)
{
	return syscall(__NR_io_uring_setup, entries, p);
}

static int sys_io_uring_register(int fd, unsigned int op, void *arg,
				 unsigned int nr_args)
{
	return syscall(__NR_io_uring_register, fd, op, arg, nr_args);
}

static int ring_create(unsigned int flags)
{
	struct io_uring_params p = { .flags = flags };
	int fd;

	fd = sys_io_uring_setup(8, &p);
	if (fd < 0) {
		perror("io_uring_setup");
		exit(1);
	}
	return fd;
}

#define RING_FLAGS	(IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | \
			 IORING_SETUP_CQE32)

static size_t region_size(unsigned int entries)
{
	size_t sz = entries * sizeof(struct io_uring_zcrx_rqe) + page_size;

	return (sz + page_size - 1) & ~(page_size - 1);
}

static unsigned int roundup_pow2(unsigned int v)
{
	unsigned int r = 1;

	while (r < v)
		r <<= 1;
	return r;
}

static long vm_pinned_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f;

	f = fopen("/proc/self/status", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPin: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB	(21 << MAP_HUGE_SHIFT)
#endif

/*
 * The length of the area's mapping: the area (-a) itself, or with -H the
 * huge pages it starts. Pinning charges every folio the area touches
 * whole, so this is also what the area charges.
 */
static size_t area_map_size(void)
{
	if (area_kind == AREA_ANON || area_kind == AREA_DMABUF)
		return area_size;
	return (area_size + HUGE_SIZE - 1) & ~(HUGE_SIZE - 1);
}

/* AnonHugePages of the mapping that holds @p, in kB; -1 if not found. */
static long anon_huge_kb(void *p)
{
	unsigned long start, end;
	bool found = false;
	char line[256];
	long kb = -1;
	FILE *f;

	f = fopen("/proc/self/smaps", "r");
	if (!f)
		die("open /proc/self/smaps");
	while (fgets(line, sizeof(line), f)) {
		/* only a mapping's first line starts with two hex numbers */
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2) {
			found = start <= (uintptr_t)p && (uintptr_t)p < end;
			continue;
		}
		if (found && sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

/* @len bytes of 2 MiB hugetlb pages, from the pool hugepages=N reserves. */
static void *hugetlb_alloc(size_t len)
{
	void *p;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_2MB, -1, 0);
	if (p == MAP_FAILED)
		die("mmap %zu bytes of 2 MiB hugetlb pages (HugePages_Free in /proc/meminfo)",
		    len);
	return p;
}

/* @len bytes of anonymous memory in transparent huge pages, faulted in. */
static void *thp_alloc(size_t len)
{
	size_t map_len = len + HUGE_SIZE;
	uintptr_t base, start;
	void *p;
	long kb;

	p = mmap(NULL, map_len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap %zu bytes for a THP area", map_len);
	/* keep the part that starts on a huge page boundary */
	base = (uintptr_t)p;
	start = (base + HUGE_SIZE - 1) & ~(HUGE_SIZE - 1);
	if (start > base)
		munmap(p, start - base);
	munmap((void *)(start + len), base + map_len - start - len);

	if (madvise((void *)start, len, MADV_HUGEPAGE))
		die("madvise MADV_HUGEPAGE on the area");
	memset((void *)start, 0, len);
	kb = anon_huge_kb((void *)start);
	if (kb < (long)(len >> 10)) {
		fprintf(stderr,
			"FAIL: THP area not huge: AnonHugePages %ld kB of %zu kB (transparent_hugepage/enabled never? no free 2 MiB block?)\n",
			kb, len >> 10);
		exit(1);
	}
	return (void *)start;
}

/*
 * @len bytes of a memfd, shared, exported as a dma-buf by udmabuf: the
 * dma-buf's descriptor in @fd. The mapping lets the test read what the
 * device wrote; the kernel reaches the memory only through the dma-buf.
 */
static void *dmabuf_alloc(size_t len, int *fd)
{
	struct udmabuf_create c = {
		.flags = UDMABUF_FLAGS_CLOEXEC,
		.size = len,
	};
	int memfd, dev;
	void *p;

	memfd = memfd_create("iou-zcrx-area", MFD_ALLOW_SEALING);
	if (memfd < 0)
		die("memfd_create");
	if (ftruncate(memfd, len) || fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK))
		die("size and seal the memfd");
	dev = open("/dev/udmabuf", O_RDWR);
	if (dev < 0)
		die("open /dev/udmabuf (CONFIG_UDMABUF?)");
	c.memfd = memfd;
	*fd = ioctl(dev, UDMABUF_CREATE, &c);
	if (*fd < 0)
		die("UDMABUF_CREATE of %zu bytes", len);
	close(dev);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (p == MAP_FAILED)
		die("mmap the memfd");
	close(memfd);
	return p;
}

static void *area_alloc(int *dmabuf_fd)
{
	size_t len = area_map_size();
	void *p;

	switch (area_kind) {
	case AREA_HUGETLB:
		return hugetlb_alloc(len);
	case AREA_THP:
		return thp_alloc(len);
	case AREA_DMABUF:
		return dmabuf_alloc(len, dmabuf_fd);
	case AREA_ANON:
		break;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap area");
	return p;
}

/*
 * -L: RLIMIT_MEMLOCK at what the registrations charge the user of a ring
 * created without CAP_IPC_LOCK, the area's folios and the refill region's
 * pages, plus @extra pages.
 */
static void set_memlock(long extra)
{
	long area = area_map_size() / page_size;
	long region = region_size(rq_entries) / page_size;
	long pages = nr_ifqs * (area + region) + extra;
	struct rlimit rl;

	if (pages < 0) {
		fprintf(stderr, "-L %ld: the limit would be below 0\n", extra);
		exit(2);
	}
	rl.rlim_cur = pages * page_size;
	rl.rlim_max = rl.rlim_cur;
	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		die("setrlimit RLIMIT_MEMLOCK to %ld pages", pages);
	printf("RLIMIT_MEMLOCK %ld pages: %u x (area %ld + refill region %ld) %+ld\n",
	       pages, nr_ifqs, area, region, extra);
}

/* Everything one registration needs, valid by default. */
struct zcrx_args {
	struct io_uring_zcrx_ifq_reg reg;
	struct io_uring_zcrx_area_reg area;
	struct io_uring_region_desc rd;
	void *area_mem;
	void *region_mem;
	void *rq_map;
	int dmabuf_fd;		/* -H dmabuf: the area's dma-buf, else -1 */
};

static void zcrx_args_init(struct zcrx_args *a, unsigned int q,
			   unsigned int entries)
{
	memset(a, 0, sizeof(*a));
	a->dmabuf_fd = -1;
	a->area_mem = area_alloc(&a->dmabuf_fd);
	a->area.addr = (uintptr_t)a->area_mem;
	a->area.len = area_size;
	if (a->dmabuf_fd >= 0) {
		/* the whole dma-buf: addr is an offset into it */
		a->area.addr = 0;
		a->area.flags = IORING_ZCRX_AREA_DMABUF;
		a->area.dmabuf_fd = a->dmabuf_fd;
	}

	a->rd.size = region_size(entries);
	if (user_region) {
		a->region_mem = mmap(NULL, a->rd.size, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (a->region_mem == MAP_FAILED) {
			perror("mmap region");
			exit(1);
		}
		a->rd.user_addr = (uintptr_t)a->region_mem;
		a->rd.flags = IORING_MEM_REGION_TYPE_USER;
	}

	a->reg.if_idx = ifindex;
	a->reg.if_rxq = q;
	a->reg.rq_entries = entries;
	a->reg.rx_buf_len = rx_buf_len;
	a->reg.area_ptr = (uintptr_t)&a->area;
	a->reg.region_ptr = (uintptr_t)&a->rd;
}

static void zcrx_args_free(struct zcrx_args *a)
{
	if (a->area_mem)
		munmap(a->area_mem, area_map_size());
	if (a->dmabuf_fd >= 0)
		close(a->dmabuf_fd);
	a->dmabuf_fd = -1;
	if (a->region_mem)
		munmap(a->region_mem, a->rd.size);
	/* the mapping holds the ring's file: unmap it to let the ring go */
	if (a->rq_map)
		munmap(a->rq_map, a->rd.size);
	a->rq_map = NULL;
}

static int zcrx_register(int ring, struct zcrx_args *a)
{
	int ret;

	ret = sys_io_uring_register(ring, IORING_REGISTER_ZCRX_IFQ, &a->reg, 1);
	return ret < 0 ? -errno : ret;
}

/*
 * With -R, retry a registration refused with ENOMEM or EEXIST for up to
 * that many seconds: the charge and the queue of a ring that just closed
 * come back when its exit work runs.
 */
static int zcrx_register_retry(int ring, struct zcrx_args *a)
{
	long long start = now_ms();
	int ret;

	ret = zcrx_register(ring, a);
	while ((ret == -ENOMEM || ret == -EEXIST) &&
	       now_ms() - start < retry_s * 1000LL) {
		usleep(100 * 1000);
		ret = zcrx_register(ring, a);
		if (!ret)
			printf("registered after %lld ms of refusals\n",
			       now_ms() - start);
	}
	return ret;
}

static int zcrx_ctrl(int ring, struct zcrx_ctrl *c, unsigned int nr)
{
	int ret = sys_io_uring_register(ring, IORING_REGISTER_ZCRX_CTRL, c, nr);

	return ret < 0 ? -errno : ret;
}

static int zcrx_flush(int ring, __u32 id)
{
	struct zcrx_ctrl c = { .zcrx_id = id, .op = ZCRX_CTRL_FLUSH_RQ };

	return zcrx_ctrl(ring, &c, 0);
}

/* Export ifq @id of @ring: the descriptor, or a negative errno. */
static int zcrx_export(int ring, __u32 id)
{
	struct zcrx_ctrl c = { .zcrx_id = id, .op = ZCRX_CTRL_EXPORT };
	int ret;

	ret = zcrx_ctrl(ring, &c, 0);
	return ret ? ret : (int)c.zc_export.zcrx_fd;
}

/* Import exported @fd into @ring; fills @reg. 0 or a negative errno. */
static int zcrx_import(int ring, int fd, struct io_uring_zcrx_ifq_reg *reg)
{
	memset(reg, 0, sizeof(*reg));
	reg->if_idx = fd;
	reg->flags = ZCRX_REG_IMPORT;
	return sys_io_uring_register(ring, IORING_REGISTER_ZCRX_IFQ, reg, 1) ?
	       -errno : 0;
}

/* The field @name=N of ifq @id in @ring's fdinfo, -1 if absent. */
static long long fdinfo_field(int ring, unsigned int id, const char *name)
{
	char path[64], line[512], key[64], *p;
	long long val = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", ring);
	f = fopen(path, "r");
	if (!f)
		die("%s", path);
	snprintf(key, sizeof(key), " %s=", name);
	while (fgets(line, sizeof(line), f)) {
		unsigned int i;

		if (sscanf(line, " %u: ifindex=", &i) != 1 || i != id)
			continue;
		p = strstr(line, key);
		if (p)
			val = strtoll(p + strlen(key), NULL, 0);
		break;
	}
	fclose(f);
	return val;
}

/* Check what a successful registration returned; map the refill ring. */
static void check_result(int ring, struct zcrx_args *a, unsigned int id,
			 unsigned int requested)
{
	struct io_uring_zcrx_offsets *o = &a->reg.offsets;
	unsigned int expect_entries = roundup_pow2(requested);
	size_t need;
	void *rq;

	printf("ifq zcrx_id=%u rxq=%u rq_entries=%u rx_buf_len=%u area_token=0x%llx",
	       a->reg.zcrx_id, a->reg.if_rxq, a->reg.rq_entries,
	       a->reg.rx_buf_len, (unsigned long long)a->area.rq_area_token);
	printf(" head=%u tail=%u rqes=%u mmap_offset=0x%llx\n", o->head,
	       o->tail, o->rqes, (unsigned long long)a->rd.mmap_offset);

	if (a->reg.zcrx_id != id)
		fail("zcrx_id %u, expected %u", a->reg.zcrx_id, id);
	if (requested <= 32768 && a->reg.rq_entries != expect_entries)
		fail("rq_entries %u, expected %u", a->reg.rq_entries,
		     expect_entries);
	if (a->area.rq_area_token & ~IORING_ZCRX_AREA_MASK)
		fail("area token 0x%llx has offset bits",
		     (unsigned long long)a->area.rq_area_token);
	need = o->rqes + a->reg.rq_entries * sizeof(struct io_uring_zcrx_rqe);
	if (o->head == o->tail || o->head % 4 || o->tail % 4 ||
	    o->rqes % sizeof(struct io_uring_zcrx_rqe) ||
	    o->head + 4 > o->rqes || o->tail + 4 > o->rqes ||
	    need > a->rd.size)
		fail("bad refill ring offsets for a region of %llu bytes",
		     (unsigned long long)a->rd.size);

	if (user_region) {
		if (a->rd.mmap_offset)
			fail("mmap_offset set for a user region");
		rq = a->region_mem;
	} else {
		if (!a->rd.mmap_offset)
			fail("no mmap_offset for a kernel region");
		/* larger than the region: refused */
		rq = mmap(NULL, a->rd.size + page_size, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_POPULATE, ring, a->rd.mmap_offset);
		if (rq != MAP_FAILED)
			fail("mmap larger than the refill region succeeded");
		rq = mmap(NULL, a->rd.size, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_POPULATE, ring, a->rd.mmap_offset);
		if (rq == MAP_FAILED) {
			fail("mmap refill region: %s", strerror(errno));
			return;
		}
		a->rq_map = rq;
	}
	if (*(uint32_t *)(rq + o->head) || *(uint32_t *)(rq + o->tail))
		fail("refill ring head/tail not 0");
}

static void show_fdinfo(int ring)
{
	char path[64], line[512];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", ring);
	f = fopen(path, "r");
	if (!f) {
		fail("%s: %s", path, strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "ZcrxIfqs:", 9))
			found = true;
		if (found)
			fputs(line, stdout);
		if (found && !strncmp(line, "PollList:", 9))
			break;
	}
	fclose(f);
	if (!found)
		fail("no ZcrxIfqs in the ring's fdinfo");
}

/* Wait up to 30 s for VmPin to drop back to @kb: ring exit is async. */
static void wait_unpinned(long kb)
{
	int i;

	for (i = 0; i < 300; i++) {
		if (vm_pinned_kb() == kb)
			return;
		usleep(100 * 1000);
	}
	fail("VmPin %ld kB, expected %ld kB after ring close",
	     vm_pinned_kb(), kb);
}

/*
 * Fault injection (-f, -F): writing N to this thread's fail-nth makes the
 * Nth call of a fault injection point it makes from then on fail: with
 * failslab and fail_page_alloc set up to fail sleeping allocations
 * (ignore-gfp-wait N; the test does that), a slab or page allocation.
 * Reading it back gives 0 once the fault was injected. It counts only in
 * task context: what softirq allocates is not failed.
 */
static int fault_fd = -1;

/* Open fail-nth once, now: opening it later allocates, and would fail. */
static void fault_write(unsigned int n)
{
	char buf[16];
	int len;

	if (fault_fd < 0)
		fault_fd = open("/proc/thread-self/fail-nth", O_RDWR);
	if (fault_fd < 0)
		die("open /proc/thread-self/fail-nth (CONFIG_FAULT_INJECTION?)");
	len = snprintf(buf, sizeof(buf), "%u", n);
	if (pwrite(fault_fd, buf, len, 0) != len)
		die("write fail-nth %u", n);
}

/* Disarm fail-nth; return true if the fault was injected. */
static bool fault_disarm(void)
{
	char buf[16] = "";

	if (pread(fault_fd, buf, sizeof(buf) - 1, 0) <= 0)
		die("read fail-nth");
	if (!strtoul(buf, NULL, 0))
		return true;
	fault_write(0);
	return false;
}

static void do_register(void)
{
	struct zcrx_args args[MAX_IFQS];
	long pinned0, pinned1;
	unsigned int i;
	int ring, ret;

	pinned0 = vm_pinned_kb();
	ring = ring_create(RING_FLAGS);
	printf("ring_fd=%d pid=%d\n", ring, getpid());

	for (i = 0; i < nr_ifqs; i++) {
		zcrx_args_init(&args[i], queue + i, rq_entries);
		ret = zcrx_register_retry(ring, &args[i]);
		if (expect_errno && i == 0) {
			if (ret != -expect_errno)
				fail("registration returned %d (%s), expected -%d (%s)",
				     ret, ret ? strerror(-ret) : "success",
				     expect_errno, strerror(expect_errno));
			else
				printf("registration refused: %s, as expected\n",
				       strerror(expect_errno));
			if (args[0].reg.zcrx_id || args[0].rd.mmap_offset ||
			    args[0].reg.offsets.rqes)
				fail("results written back on failure");
			return;
		}
		if (ret) {
			fail("register ifq on %s queue %u: %s%s", ifname,
			     queue + i, strerror(-ret),
			     retry_s && (ret == -ENOMEM || ret == -EEXIST) ?
			     ", still after the -R seconds" : "");
			return;
		}
		check_result(ring, &args[i], i, rq_entries);
	}

	pinned1 = vm_pinned_kb();
	printf("VmPin %ld kB -> %ld kB\n", pinned0, pinned1);
	/* a dma-buf area is the exporter's memory: io_uring pins nothing */
	if (area_kind == AREA_DMABUF && pinned1 != pinned0)
		fail("pinned %ld kB for dma-buf areas, expected none",
		     pinned1 - pinned0);
	else if (area_kind != AREA_DMABUF &&
		 pinned1 - pinned0 != nr_ifqs * (long)(area_map_size() >> 10))
		fail("pinned %ld kB for %u areas of %zu kB, expected %zu kB each%s",
		     pinned1 - pinned0, nr_ifqs, area_size >> 10,
		     area_map_size() >> 10,
		     area_kind == AREA_ANON ? "" : ": huge pages count whole");

	if (dup_queue) {
		struct zcrx_args dup;

		zcrx_args_init(&dup, queue, rq_entries);
		ret = zcrx_register(ring, &dup);
		if (ret != -EEXIST)
			fail("same queue twice: %d, expected -EEXIST", ret);
		else
			printf("same queue twice: EEXIST\n");
		zcrx_args_free(&dup);
	}

	show_fdinfo(ring);
	fflush(stdout);

	if (wait_stdin) {
		char buf[64];

		printf("ready\n");
		fflush(stdout);
		while (read(STDIN_FILENO, buf, sizeof(buf)) > 0)
			;
	}

	for (i = 0; i < nr_ifqs; i++)
		zcrx_args_free(&args[i]);
	close(ring);
	if (check_teardown) {
		wait_unpinned(pinned0);
		printf("VmPin back to %ld kB after ring close\n", vm_pinned_kb());
	}
}

/*
 * -F: register once per fault injection point the registration reaches,
 * failing the first, then the second, ... until one runs through without
 * reaching the injected call. Each attempt must succeed (the failure was
 * absorbed) or fail with ENOMEM and leave nothing behind: the area is
 * unpinned, the queue free for the next attempt.
 */
static void do_fault_sweep(void)
{
	unsigned int n, refused = 0, absorbed = 0;
	long pinned0 = vm_pinned_kb();
	struct zcrx_args a;
	bool injected;
	int ring, ret;

	for (n = 1; ; n++) {
		ring = ring_create(RING_FLAGS);
		zcrx_args_init(&a, queue, rq_entries);
		/* fault the area in now: pinning it allocates nothing then */
		memset(a.area_mem, 0, area_map_size());
		fault_write(n);
		ret = zcrx_register(ring, &a);
		injected = fault_disarm();
		if (!ret)
			check_result(ring, &a, 0, rq_entries);
		zcrx_args_free(&a);
		close(ring);
		/* the ring's exit work frees the ifq: then the queue is free */
		wait_unpinned(pinned0);
		if (!injected) {
			if (ret)
				fail("registration without a fault: %s",
				     strerror(-ret));
			break;
		}
		if (!ret) {
			absorbed++;
		} else if (ret == -ENOMEM) {
			refused++;
		} else {
			fail("call %u failed: registration returned %s, not ENOMEM",
			     n, strerror(-ret));
		}
		if (failures)
			break;
	}
	printf("fault sweep: calls=%u refused=%u absorbed=%u\n", n - 1,
	       refused, absorbed);
}

/* The invalid-argument cases: mutate a valid registration, expect errno. */
struct zcrx_case {
	const char *name;
	int err;
	unsigned int ring_flags;
	int mutation;
};

enum zcrx_mutation {
	M_NONE, M_RESV, M_FLAG_IMPORT, M_FLAG_UNKNOWN, M_ZCRX_ID, M_RX_BUF_LEN,
	M_RX_BUF_LEN_SMALL, M_RX_BUF_LEN_AREA,
	M_RQ_ZERO, M_RQ_BIG, M_AREA_UNALIGNED, M_AREA_LEN_UNALIGNED,
	M_AREA_LEN_ZERO, M_AREA_ADDR_ZERO, M_AREA_DMABUF, M_AREA_TOKEN, M_AREA_RESV,
	M_AREA_UNMAPPED, M_REGION_FLAGS, M_REGION_RESV, M_REGION_ID,
	M_REGION_SMALL, M_REGION_UNALIGNED, M_REGION_ADDR, M_REGION_OFFSET,
	M_REGION_PTR, M_AREA_PTR, M_IFINDEX, M_REGION_HUGE, M_AREA_WRAPS,
};

static void mutate(struct zcrx_args *a, enum zcrx_mutation m)
{
	switch (m) {
	case M_NONE:
		break;
	case M_RESV:
		a->reg.__resv[2] = 1;
		break;
	case M_FLAG_IMPORT:
		a->reg.flags = ZCRX_REG_IMPORT;
		break;
	case M_FLAG_UNKNOWN:
		a->reg.flags = 1U << 12;
		break;
	case M_ZCRX_ID:
		a->reg.zcrx_id = 1;
		break;
	case M_RX_BUF_LEN:
		a->reg.rx_buf_len = 3 * page_size;
		break;
	case M_RX_BUF_LEN_SMALL:
		a->reg.rx_buf_len = page_size / 2;
		break;
	case M_RX_BUF_LEN_AREA:
		/* buffers larger than the area: not a whole number of them */
		a->reg.rx_buf_len = 2 * roundup_pow2(area_size);
		break;
	case M_RQ_ZERO:
		a->reg.rq_entries = 0;
		break;
	case M_RQ_BIG:
		a->reg.rq_entries = 65536;
		break;
	case M_AREA_UNALIGNED:
		a->area.addr += 64;
		a->area.len -= page_size;
		break;
	case M_AREA_LEN_UNALIGNED:
		a->area.len -= 64;
		break;
	case M_AREA_LEN_ZERO:
		a->area.len = 0;
		break;
	case M_AREA_ADDR_ZERO:
		a->area.addr = 0;
		break;
	case M_AREA_DMABUF:
		a->area.flags = IORING_ZCRX_AREA_DMABUF;
		break;
	case M_AREA_TOKEN:
		a->area.rq_area_token = 1ULL << IORING_ZCRX_AREA_SHIFT;
		break;
	case M_AREA_RESV:
		a->area.__resv2[1] = 1;
		break;
	case M_AREA_UNMAPPED:
		munmap(a->area_mem, area_map_size());
		a->area_mem = NULL;
		break;
	case M_REGION_FLAGS:
		a->rd.flags |= 2;
		break;
	case M_REGION_RESV:
		a->rd.__resv[3] = 1;
		break;
	case M_REGION_ID:
		a->rd.id = 1;
		break;
	case M_REGION_SMALL:
		a->rd.size = page_size;
		a->reg.rq_entries = 4096;
		break;
	case M_REGION_UNALIGNED:
		a->rd.size += 64;
		break;
	case M_REGION_ADDR:
		a->rd.user_addr = (uintptr_t)a->area_mem;
		break;
	case M_REGION_OFFSET:
		a->rd.mmap_offset = 0x30000000;
		break;
	case M_REGION_PTR:
		a->reg.region_ptr = 8;
		break;
	case M_AREA_PTR:
		a->reg.area_ptr = 8;
		break;
	case M_IFINDEX:
		a->reg.if_idx = 0x7fffffff;
		break;
	case M_REGION_HUGE:
		/* a kernel region of 65536 pages, more than 6.12 can count */
		a->rd.size = 65536ULL * page_size;
		break;
	case M_AREA_WRAPS:
		a->area.addr = -(__u64)page_size;
		a->area.len = 2 * page_size;
		break;
	}
}

#define NO_CQE32	(IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN)

static const struct zcrx_case cases[] = {
	{ "ring without CQE32", EINVAL, NO_CQE32, M_NONE },
	{ "ring without DEFER_TASKRUN", EINVAL, IORING_SETUP_CQE32, M_NONE },
	{ "reserved field set", EINVAL, RING_FLAGS, M_RESV },
	{ "ZCRX_REG_IMPORT with a queue and an area", EINVAL, RING_FLAGS,
	  M_FLAG_IMPORT },
	{ "unknown flag", EINVAL, RING_FLAGS, M_FLAG_UNKNOWN },
	{ "zcrx_id set on input", EINVAL, RING_FLAGS, M_ZCRX_ID },
	{ "rx_buf_len not a power of two", EINVAL, RING_FLAGS, M_RX_BUF_LEN },
	{ "rx_buf_len below a page", EINVAL, RING_FLAGS, M_RX_BUF_LEN_SMALL },
	{ "area not whole rx_buf_len buffers", EINVAL, RING_FLAGS,
	  M_RX_BUF_LEN_AREA },
	{ "rq_entries 0", EINVAL, RING_FLAGS, M_RQ_ZERO },
	{ "rq_entries 65536", EINVAL, RING_FLAGS, M_RQ_BIG },
	{ "area address unaligned", EINVAL, RING_FLAGS, M_AREA_UNALIGNED },
	{ "area length unaligned", EINVAL, RING_FLAGS, M_AREA_LEN_UNALIGNED },
	{ "area length 0", EFAULT, RING_FLAGS, M_AREA_LEN_ZERO },
	{ "area address 0", EFAULT, RING_FLAGS, M_AREA_ADDR_ZERO },
	{ "area flag DMABUF", EINVAL, RING_FLAGS, M_AREA_DMABUF },
	{ "area token set on input", EINVAL, RING_FLAGS, M_AREA_TOKEN },
	{ "area reserved field set", EINVAL, RING_FLAGS, M_AREA_RESV },
	{ "area not mapped", EFAULT, RING_FLAGS, M_AREA_UNMAPPED },
	{ "region unknown flag", EINVAL, RING_FLAGS, M_REGION_FLAGS },
	{ "region reserved field set", EINVAL, RING_FLAGS, M_REGION_RESV },
	{ "region id set", EINVAL, RING_FLAGS, M_REGION_ID },
	{ "region too small", EINVAL, RING_FLAGS, M_REGION_SMALL },
	{ "region size unaligned", EINVAL, RING_FLAGS, M_REGION_UNALIGNED },
	{ "kernel region with user_addr", EFAULT, RING_FLAGS, M_REGION_ADDR },
	{ "region of 65536 pages", E2BIG, RING_FLAGS, M_REGION_HUGE },
	{ "area end wraps", EOVERFLOW, RING_FLAGS, M_AREA_WRAPS },
	{ "region mmap_offset set", EINVAL, RING_FLAGS, M_REGION_OFFSET },
	{ "region_ptr unreadable", EFAULT, RING_FLAGS, M_REGION_PTR },
	{ "area_ptr unreadable", EFAULT, RING_FLAGS, M_AREA_PTR },
	{ "no such ifindex", ENODEV, RING_FLAGS, M_IFINDEX },
};

static void run_case(const struct zcrx_case *c)
{
	struct zcrx_args a;
	int ring, ret;

	ring = ring_create(c->ring_flags);
	zcrx_args_init(&a, queue, rq_entries);
	mutate(&a, c->mutation);
	ret = zcrx_register(ring, &a);
	if (ret != -c->err)
		fail("%s: %d (%s), expected -%s", c->name, ret,
		     ret ? strerror(-ret) : "success", strerror(c->err));
	else
		printf("ok %s: %s\n", c->name, strerror(c->err));
	close(ring);
	zcrx_args_free(&a);
}

static void run_register_misc(void)
{
	struct zcrx_args a;
	unsigned int op;
	int ring, ret;

	ring = ring_create(RING_FLAGS);
	zcrx_args_init(&a, queue, rq_entries);

	ret = sys_io_uring_register(ring, IORING_REGISTER_ZCRX_IFQ, NULL, 1);
	if (ret != -1 || errno != EINVAL)
		fail("NULL argument: %d, expected EINVAL", ret);
	ret = sys_io_uring_register(ring, IORING_REGISTER_ZCRX_IFQ, &a.reg, 2);
	if (ret != -1 || errno != EINVAL)
		fail("nr_args 2: %d, expected EINVAL", ret);
	for (op = 31; op <= 34; op++) {
		if (op == IORING_REGISTER_ZCRX_IFQ)
			continue;
		ret = sys_io_uring_register(ring, op, &a.reg, 1);
		if (ret != -1 || errno != EINVAL)
			fail("register op %u: %d, expected EINVAL", op, ret);
	}
	printf("ok NULL argument, nr_args 2, ops 31, 33, 34: %s\n",
	       strerror(EINVAL));
	close(ring);
	zcrx_args_free(&a);
}

static int set_effective_cap(int cap, bool on)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	if (on)
		data[cap / 32].effective |= 1U << (cap % 32);
	else
		data[cap / 32].effective &= ~(1U << (cap % 32));
	return syscall(SYS_capset, &hdr, data);
}

/* Run @fn in a child, whose capabilities and limits we may change. */
static void in_child(const char *name, void (*fn)(void))
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (!pid) {
		/* the child's verdict is its own case's */
		failures = 0;
		fn();
		exit(failures ? 1 : 0);
	}
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail("%s", name);
}

static void case_no_cap(void)
{
	struct zcrx_args a;
	int ring, ret;

	ring = ring_create(RING_FLAGS);
	zcrx_args_init(&a, queue, rq_entries);
	if (set_effective_cap(CAP_NET_ADMIN, false)) {
		fail("capset: %s", strerror(errno));
		return;
	}
	ret = zcrx_register(ring, &a);
	if (ret != -EPERM)
		fail("without CAP_NET_ADMIN: %d, expected -EPERM", ret);
	else
		printf("ok without CAP_NET_ADMIN: %s\n", strerror(EPERM));
}

static void case_memlock(void)
{
	struct rlimit rl = { .rlim_cur = 64 << 10, .rlim_max = 64 << 10 };
	struct zcrx_args a;
	int ring, ret;

	/* the ring charges its user only without CAP_IPC_LOCK */
	if (set_effective_cap(CAP_IPC_LOCK, false) ||
	    setrlimit(RLIMIT_MEMLOCK, &rl)) {
		fail("dropping CAP_IPC_LOCK: %s", strerror(errno));
		return;
	}
	ring = ring_create(RING_FLAGS);
	zcrx_args_init(&a, queue, rq_entries);
	ret = zcrx_register(ring, &a);
	if (ret != -ENOMEM)
		fail("area over RLIMIT_MEMLOCK: %d, expected -ENOMEM", ret);
	else
		printf("ok area over RLIMIT_MEMLOCK: %s\n", strerror(ENOMEM));
}

static void case_clamp(void)
{
	struct zcrx_args a;
	int ring, ret;

	ring = ring_create(RING_FLAGS | IORING_SETUP_CLAMP);
	zcrx_args_init(&a, queue, 32768);
	a.reg.rq_entries = 100000;
	ret = zcrx_register(ring, &a);
	if (ret)
		fail("rq_entries 100000 with CLAMP: %s", strerror(-ret));
	else if (a.reg.rq_entries != 32768)
		fail("rq_entries clamped to %u, expected 32768",
		     a.reg.rq_entries);
	else
		printf("ok rq_entries 100000 with CLAMP: 32768\n");
	close(ring);
	zcrx_args_free(&a);
}

static void do_cases(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		run_case(&cases[i]);
	run_register_misc();
	case_clamp();
	in_child("without CAP_NET_ADMIN", case_no_cap);
	in_child("area over RLIMIT_MEMLOCK", case_memlock);
}

/* A ring's submission and completion queues, mapped. */
struct ring {
	int fd;
	unsigned int cqe_shift;
	unsigned int sq_entries;
	unsigned int sq_mask;
	unsigned int cq_mask;
	unsigned int sq_local_tail;
	unsigned int to_submit;
	unsigned int *sq_head;
	unsigned int *sq_tail;
	unsigned int *sq_array;
	unsigned int *cq_head;
	unsigned int *cq_tail;
	struct io_uring_sqe *sqes;
	void *cqes;
	void *sq_ring;
	void *cq_ring;
	size_t sq_ring_len;
	size_t cq_ring_len;
	size_t sqes_len;
};

/* Set up a ring with @flags and, if @cqes, that many CQ entries. */
static void ring_setup(struct ring *r, unsigned int flags, unsigned int cqes)
{
	struct io_uring_params p = { .flags = flags };

	memset(r, 0, sizeof(*r));
	if (cqes) {
		p.flags |= IORING_SETUP_CQSIZE;
		p.cq_entries = cqes;
	}
	r->fd = sys_io_uring_setup(SQ_ENTRIES, &p);
	if (r->fd < 0)
		die("io_uring_setup");

	r->cqe_shift = flags & IORING_SETUP_CQE32 ? 5 : 4;
	r->sq_ring_len = p.sq_off.array + p.sq_entries * sizeof(__u32);
	r->cq_ring_len = p.cq_off.cqes + (p.cq_entries << r->cqe_shift);
	if (p.features & IORING_FEAT_SINGLE_MMAP) {
		if (r->cq_ring_len > r->sq_ring_len)
			r->sq_ring_len = r->cq_ring_len;
		r->cq_ring_len = 0;
	}
	r->sq_ring = mmap(NULL, r->sq_ring_len, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQ_RING);
	if (r->sq_ring == MAP_FAILED)
		die("mmap SQ ring");
	r->cq_ring = r->sq_ring;
	if (r->cq_ring_len) {
		r->cq_ring = mmap(NULL, r->cq_ring_len, PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_POPULATE, r->fd,
				  IORING_OFF_CQ_RING);
		if (r->cq_ring == MAP_FAILED)
			die("mmap CQ ring");
	}
	r->sqes_len = p.sq_entries * sizeof(struct io_uring_sqe);
	r->sqes = mmap(NULL, r->sqes_len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
	if (r->sqes == MAP_FAILED)
		die("mmap SQEs");

	r->sq_entries = p.sq_entries;
	r->sq_mask = *(unsigned int *)(r->sq_ring + p.sq_off.ring_mask);
	r->sq_head = r->sq_ring + p.sq_off.head;
	r->sq_tail = r->sq_ring + p.sq_off.tail;
	r->sq_array = r->sq_ring + p.sq_off.array;
	r->sq_local_tail = *r->sq_tail;
	r->cq_mask = *(unsigned int *)(r->cq_ring + p.cq_off.ring_mask);
	r->cq_head = r->cq_ring + p.cq_off.head;
	r->cq_tail = r->cq_ring + p.cq_off.tail;
	r->cqes = r->cq_ring + p.cq_off.cqes;
}

static void ring_free(struct ring *r)
{
	munmap(r->sqes, r->sqes_len);
	if (r->cq_ring != r->sq_ring)
		munmap(r->cq_ring, r->cq_ring_len);
	munmap(r->sq_ring, r->sq_ring_len);
	close(r->fd);
}

/* A zeroed SQE, submitted by the next ring_submit(). */
static struct io_uring_sqe *ring_get_sqe(struct ring *r)
{
	unsigned int idx = r->sq_local_tail & r->sq_mask;
	struct io_uring_sqe *sqe = &r->sqes[idx];

	if (r->sq_local_tail - load_acquire(r->sq_head) >= r->sq_entries) {
		fprintf(stderr, "FAIL: submission queue full\n");
		exit(1);
	}
	memset(sqe, 0, sizeof(*sqe));
	r->sq_array[idx] = idx;
	r->sq_local_tail++;
	r->to_submit++;
	return sqe;
}

static void ring_submit(struct ring *r)
{
	int ret;

	if (!r->to_submit)
		return;
	store_release(r->sq_tail, r->sq_local_tail);
	ret = syscall(__NR_io_uring_enter, r->fd, r->to_submit, 0, 0, NULL, 0);
	/* an injected allocation failure refuses the submission: retry */
	if (ret < 0 && fault_open && (errno == EAGAIN || errno == ENOMEM)) {
		fault_submit_errors++;
		return;
	}
	if (ret < 0)
		die("io_uring_enter: submit");
	r->to_submit -= ret;
}

/*
 * Run the ring's completions and wait up to @ms for one. With
 * DEFER_TASKRUN this is where the receive work runs.
 */
static void ring_wait(struct ring *r, long long ms)
{
	struct __kernel_timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (ms % 1000) * 1000000,
	};
	struct io_uring_getevents_arg arg = { .ts = (uintptr_t)&ts };
	int ret;

	ret = syscall(__NR_io_uring_enter, r->fd, 0, 1,
		      IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, &arg,
		      sizeof(arg));
	if (ret < 0 && errno != ETIME && errno != EINTR)
		die("io_uring_enter: wait");
}

static struct io_uring_cqe *ring_cqe(struct ring *r, unsigned int head)
{
	return r->cqes + ((head & r->cq_mask) << r->cqe_shift);
}

/* The refill ring, and the buffers waiting for room in it. */
struct refill {
	__u32 *head;
	__u32 *tail;
	struct io_uring_zcrx_rqe *rqes;
	unsigned int mask;
	unsigned int local_tail;
	struct io_uring_zcrx_rqe *pending;
	size_t nr_pending;
	size_t max_pending;
};

static void refill_init(struct refill *rf, struct zcrx_args *a)
{
	void *rq = user_region ? a->region_mem : a->rq_map;

	memset(rf, 0, sizeof(*rf));
	rf->head = rq + a->reg.offsets.head;
	rf->tail = rq + a->reg.offsets.tail;
	rf->rqes = rq + a->reg.offsets.rqes;
	rf->mask = a->reg.rq_entries - 1;
}

/* Append an entry to the growing array *@v of *@nr entries, room for *@max. */
static struct io_uring_zcrx_rqe *rqes_add(struct io_uring_zcrx_rqe **v,
					  size_t *nr, size_t *max,
					  __u64 off, __u32 len)
{
	if (*nr == *max) {
		*max = *max ? 2 * *max : 256;
		*v = realloc(*v, *max * sizeof(**v));
		if (!*v)
			die("realloc");
	}
	(*v)[*nr] = (struct io_uring_zcrx_rqe) {
		.off = off,
		.len = len,
	};
	return &(*v)[(*nr)++];
}

static struct io_uring_zcrx_rqe *refill_add(struct refill *rf, __u64 off,
					    __u32 len)
{
	return rqes_add(&rf->pending, &rf->nr_pending, &rf->max_pending,
			off, len);
}

/* Put as many pending buffers in the ring as it has room for: how many. */
static size_t refill_flush(struct refill *rf)
{
	unsigned int room;
	size_t i, n;

	room = rf->mask + 1 - (rf->local_tail - load_acquire(rf->head));
	n = rf->nr_pending < room ? rf->nr_pending : room;
	if (!n)
		return 0;
	for (i = 0; i < n; i++)
		rf->rqes[rf->local_tail++ & rf->mask] = rf->pending[i];
	/* the kernel reads the entries after a load-acquire of the tail */
	store_release(rf->tail, rf->local_tail);
	rf->nr_pending -= n;
	memmove(rf->pending, rf->pending + n,
		rf->nr_pending * sizeof(*rf->pending));
	return n;
}

/* The receiving side of one connection. */
struct rx {
	struct ring ring;
	struct zcrx_args args;
	struct refill rf;
	int sock;
	__u64 bytes;		/* verified bytes of the stream */
	__u64 req_bytes;	/* bytes of the current request */
	unsigned int cqes;	/* data CQEs */
	unsigned int requests;
	unsigned int enospc;
	unsigned int enomem;
	unsigned int held;
	unsigned int returned;
	unsigned int bogus;	/* refill entries that name no buffer */
	unsigned int dups;	/* buffers returned twice */
	unsigned int jumps;	/* refill tails moved far past the head */
	unsigned int resyncs;	/* tails put back at the kernel's head */
	__u32 jump_head;	/* the kernel's head at the jump */
	bool hostile;		/* the tail is still far past the head */
	struct io_uring_zcrx_rqe *since; /* returned since the jump */
	size_t nr_since;
	size_t max_since;
	unsigned int padded;	/* held buffers returned with __pad set */
	unsigned int flushes;	/* ZCRX_CTRL_FLUSH_RQ calls */
	unsigned int bad;
	int last_res;		/* of the last final CQE */
	bool armed;
	bool ended;		/* a request ended short: EOF expected */
	bool eof;
	bool holding;
	bool broken;
	bool expected_end;	/* -e: ended with the expected errno */
};

static void rx_arm(struct rx *rx)
{
	struct io_uring_sqe *sqe = ring_get_sqe(&rx->ring);

	sqe->opcode = IORING_OP_RECV_ZC;
	sqe->fd = rx->sock;
	sqe->ioprio = IORING_RECV_MULTISHOT;
	/* after -ENOSPC a limited request asks for what it still lacks */
	sqe->len = oneshot_len ? oneshot_len - rx->req_bytes : 0;
	sqe->zcrx_ifq_idx = rx->args.reg.zcrx_id;
	sqe->user_data = RECV_TAG;
	rx->requests++;
	rx->armed = true;
}

/*
 * -X after the jump. With the tail far past its head, the kernel reads
 * every entry as if queued: it takes stale entries (refused, or the
 * reference of a buffer lent out again), passes over slots before they
 * are written and has others overwritten before it reads them. The
 * buffers of those entries are lost to it until the ring closes; once
 * enough are lost, the queue has nothing left to receive into. When the
 * kernel has read two rings' worth past the jump, put the tail back at
 * its head and return again every buffer returned since the jump: the
 * kernel refuses those it took already. Again whenever its head is found
 * past the tail: a pass that began before the tail came back ends past it.
 */
static void refill_resync(struct rx *rx)
{
	struct refill *rf = &rx->rf;
	__u32 head = load_acquire(rf->head);
	size_t i;

	if (rx->hostile) {
		if (head - rx->jump_head < 2 * (rf->mask + 1))
			return;
		rx->hostile = false;
	} else if ((__s32)(head - rf->local_tail) <= 0) {
		return;
	}
	do {
		rf->local_tail = head;
		store_release(rf->tail, head);
		usleep(1000);
		head = load_acquire(rf->head);
	} while (head != rf->local_tail);
	for (i = 0; i < rx->nr_since; i++)
		refill_add(rf, rx->since[i].off, rx->since[i].len);
	rx->resyncs++;
}

static void rx_verify(struct rx *rx, const unsigned char *p, __u32 len,
		      __u64 off)
{
	__u32 i;

	for (i = 0; i < len; i++) {
		if (p[i] == pattern_byte(rx->bytes + i))
			continue;
		if (rx->bad++ < 5)
			fail("byte %llu: 0x%02x, expected 0x%02x (CQE %u, %u bytes at 0x%llx)",
			     (unsigned long long)(rx->bytes + i), p[i],
			     pattern_byte(rx->bytes + i), rx->cqes, len,
			     (unsigned long long)off);
		return;
	}
}

static void rx_data(struct rx *rx, const struct io_uring_cqe *cqe)
{
	const struct io_uring_zcrx_cqe *zcqe = (const void *)(cqe + 1);
	__u64 off = zcqe->off & ~IORING_ZCRX_AREA_MASK;
	struct io_uring_zcrx_rqe *rqe;
	__u32 len = cqe->res;

	rx->cqes++;
	if (!(cqe->flags & IORING_CQE_F_MORE))
		fail("CQE %u: %u bytes without IORING_CQE_F_MORE", rx->cqes,
		     len);
	if ((zcqe->off & IORING_ZCRX_AREA_MASK) != rx->args.area.rq_area_token ||
	    off > area_size || len > area_size - off) {
		fail("CQE %u: %u bytes at 0x%llx, outside the area (token 0x%llx, %zu bytes)",
		     rx->cqes, len, (unsigned long long)zcqe->off,
		     (unsigned long long)rx->args.area.rq_area_token,
		     area_size);
		rx->broken = true;
		return;
	}
	if (rx->ended)
		fail("CQE %u: data after a request ended short of its limit",
		     rx->cqes);

	/* a hostile refill may give back what we still read: count only */
	if (!hostile_refill)
		rx_verify(rx, rx->args.area_mem + off, len, off);
	rx->bytes += len;
	rx->req_bytes += len;
	/* once per request: at the CQE that takes it past its limit */
	if (oneshot_len && rx->req_bytes > oneshot_len &&
	    rx->req_bytes - len <= oneshot_len)
		fail("request %u: CQE %u takes it to %llu bytes, over its limit of %u",
		     rx->requests, rx->cqes,
		     (unsigned long long)rx->req_bytes, oneshot_len);

	if (hold && rx->bytes >= hold_after) {
		rx->holding = true;
		rx->held++;
		return;
	}
	rqe = refill_add(&rx->rf, zcqe->off, len);
	if (pad_refill && !(rx->cqes % pad_refill)) {
		/* a buffer we hold, but __pad is not 0: refused, it stays ours */
		rqe->__pad = 1;
		rx->padded++;
	}

	rx->returned++;
	if (rx->jumps)	/* to return again when the tail comes back */
		rqes_add(&rx->since, &rx->nr_since, &rx->max_since,
			 zcqe->off, len);
	if (hostile_refill && !(rx->returned % hostile_refill)) {
		/* the same buffer again, at once: the second is refused */
		refill_add(&rx->rf, zcqe->off, len);
		rx->dups++;
	}
	if (hostile_refill && !rx->jumps && rx->bytes >= payload_len / 2) {
		/*
		 * Once, half-way: a tail far past the head, as if 2^30
		 * entries had been queued. The kernel takes no more than
		 * the ring holds per pass, whatever is in the entries.
		 */
		refill_flush(&rx->rf);
		rx->jump_head = load_acquire(rx->rf.head);
		rx->rf.local_tail += 1U << 30;
		store_release(rx->rf.tail, rx->rf.local_tail);
		rx->jumps++;
		rx->hostile = true;
	}

	if (bad_refill && !(rx->returned % bad_refill)) {
		__u64 token = rx->args.area.rq_area_token;

		/* past the end of the area; in an area that does not exist */
		refill_add(&rx->rf, token | area_size, page_size);
		refill_add(&rx->rf, token + (1ULL << IORING_ZCRX_AREA_SHIFT),
			   page_size);
		rx->bogus += 2;
	}
}

/* The CQE that ends a request. */
static void rx_final(struct rx *rx, const struct io_uring_cqe *cqe)
{
	rx->armed = false;
	rx->last_res = cqe->res;
	switch (cqe->res) {
	case 0:
		/* EOF, or the request's limit reached */
		if (!rx->req_bytes) {
			rx->eof = true;
			break;
		}
		if (!oneshot_len || rx->req_bytes < oneshot_len)
			rx->ended = true;
		rx->req_bytes = 0;
		break;
	case -ENOSPC:
		/* the CQ was full: re-arm */
		rx->enospc++;
		break;
	case -ENOMEM:
		/* no free buffer to copy into: give some back, re-arm */
		rx->enomem++;
		break;
	default:
		if (expect_errno && cqe->res == -expect_errno) {
			/* -e in a server: the refusal the case wants */
			printf("RECV_ZC ended with %s after %llu bytes, as expected\n",
			       strerror(expect_errno),
			       (unsigned long long)rx->bytes);
			rx->expected_end = true;
			rx->broken = true;
			return;
		}
		fail("RECV_ZC ended with %d (%s) after %llu bytes", cqe->res,
		     strerror(-cqe->res), (unsigned long long)rx->bytes);
		rx->broken = true;
		return;
	}
	/* a limited request cut short exactly at its limit is complete */
	if (oneshot_len && rx->req_bytes == oneshot_len)
		rx->req_bytes = 0;
}

static void rx_reap(struct rx *rx)
{
	struct ring *r = &rx->ring;
	unsigned int head = *r->cq_head;
	unsigned int tail = load_acquire(r->cq_tail);

	for (; head != tail; head++) {
		struct io_uring_cqe *cqe = ring_cqe(r, head);

		if (cqe->user_data != RECV_TAG) {
			fail("CQE for user_data %llu, res %d",
			     (unsigned long long)cqe->user_data, cqe->res);
			continue;
		}
		if (cqe->res > 0)
			rx_data(rx, cqe);
		else if (cqe->flags & IORING_CQE_F_MORE)
			fail("CQE res %d with IORING_CQE_F_MORE", cqe->res);
		else
			rx_final(rx, cqe);
	}
	store_release(r->cq_head, head);
}

static int listen_tcp_on(unsigned int p)
{
	struct sockaddr_in6 addr = {
		.sin6_family = AF_INET6,
		.sin6_addr = IN6ADDR_ANY_INIT,
		.sin6_port = htons(p),
	};
	int fd, one = 1, zero = 0;

	fd = socket(AF_INET6, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)))
		die("setsockopt");
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)))
		die("bind to port %u", p);
	if (listen(fd, nr_conns > 1 ? nr_conns : 1))
		die("listen");
	return fd;
}

static int listen_tcp(void)
{
	return listen_tcp_on(strtoul(port, NULL, 0));
}

static int accept_tcp(int lfd, long long deadline)
{
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };
	long long left = deadline - now_ms();
	int fd, ret;

	ret = poll(&pfd, 1, left > 0 ? left : 0);
	if (ret < 0)
		die("poll");
	if (!ret) {
		fprintf(stderr, "FAIL: no connection within %u s\n",
			timeout_s);
		exit(1);
	}
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		die("accept");
	return fd;
}

/*
 * -f N: fail the Nth fault injection point this thread reaches from the
 * first RECV_ZC submission to the first completion: the submission, the
 * poll, the receive work and the copy fallback. The request must end with
 * an errno it can be re-armed after, or succeed; the stream completes.
 */
static void fault_arm(void)
{
	if (!fault_nth || fault_result != FAULT_NONE || fault_open)
		return;
	fault_write(fault_nth);
	fault_open = true;
}

static void fault_close(void)
{
	if (!fault_open)
		return;
	fault_open = false;
	fault_result = fault_disarm() ? FAULT_INJECTED : FAULT_NOT_REACHED;
}

/* -G: have the kernel consume the refill ring now, all of it. */
static void rx_flush(struct rx *rx)
{
	int ret;

	ret = zcrx_flush(rx->ring.fd, rx->args.reg.zcrx_id);
	if (ret)
		fail("FLUSH_RQ: %s", strerror(-ret));
	else if (load_acquire(rx->rf.head) != rx->rf.local_tail)
		fail("FLUSH_RQ left head %u, tail %u",
		     load_acquire(rx->rf.head), rx->rf.local_tail);
	rx->flushes++;
}

static void rx_run(struct rx *rx, long long deadline)
{
	fault_arm();
	rx_arm(rx);
	while (!rx->eof && !rx->broken && !rx->holding) {
		/*
		 * A peer that waits for an answer sends no EOF: every byte
		 * must arrive through requests that end on their own.
		 */
		if (no_eof && rx->bytes >= payload_len)
			break;
		ring_submit(&rx->ring);
		if (now_ms() > deadline) {
			fail("timed out after %u s: %llu bytes, %u CQEs",
			     timeout_s, (unsigned long long)rx->bytes,
			     rx->cqes);
			break;
		}
		ring_wait(&rx->ring, 1000);
		rx_reap(rx);
		if (rx->cqes || !rx->armed)
			fault_close();
		if (rx->jumps)
			refill_resync(rx);
		refill_flush(&rx->rf);
		if (flush_rq)
			rx_flush(rx);
		if (rx->armed || rx->eof || rx->broken || rx->holding)
			continue;
		/* give the kernel a moment to take the buffers back */
		if (rx->last_res == -ENOMEM)
			usleep(1000);
		rx_arm(rx);
	}
}

/* Set up @rx's ring and register its ifq on QUEUE (-V: no device). */
static void rx_setup(struct rx *rx)
{
	int ret;

	ring_setup(&rx->ring, RING_FLAGS, cq_entries);
	printf("ring_fd=%d pid=%d\n", rx->ring.fd, getpid());
	zcrx_args_init(&rx->args, queue, rq_entries);
	if (nodev) {
		rx->args.reg.flags = ZCRX_REG_NODEV;
		rx->args.reg.if_idx = 0;
		rx->args.reg.if_rxq = 0;
	}
	ret = zcrx_register(rx->ring.fd, &rx->args);
	if (ret) {
		fprintf(stderr, "FAIL: register ifq on %s queue %u: %s\n",
			ifname, queue, strerror(-ret));
		exit(1);
	}
	check_result(rx->ring.fd, &rx->args, 0, rq_entries);
	if (failures)
		exit(1);
	refill_init(&rx->rf, &rx->args);
}

static void do_server(void)
{
	long long deadline = now_ms() + timeout_s * 1000LL;
	struct rx rx = { .sock = -1 };
	long pinned0;
	int lfd;

	pinned0 = vm_pinned_kb();
	rx_setup(&rx);

	lfd = listen_tcp();
	rx.sock = accept_tcp(lfd, deadline);
	rx_run(&rx, deadline);

	printf("received bytes=%llu cqes=%u requests=%u enospc=%u enomem=%u",
	       (unsigned long long)rx.bytes, rx.cqes, rx.requests, rx.enospc,
	       rx.enomem);
	printf(" held=%u bogus=%u padded=%u dups=%u jumps=%u resyncs=%u flushes=%u\n",
	       rx.held, rx.bogus, rx.padded, rx.dups, rx.jumps, rx.resyncs,
	       rx.flushes);
	fault_close();
	if (fault_nth)
		printf("fault nth=%u injected=%d submit_errors=%u\n",
		       fault_nth, fault_result == FAULT_INJECTED,
		       fault_submit_errors);
	show_fdinfo(rx.ring.fd);
	if (rx.bad > 5)
		fprintf(stderr, "FAIL: %u more CQEs with wrong data\n",
			rx.bad - 5);
	if (expect_errno && !rx.expected_end)
		fail("RECV_ZC did not end with %s", strerror(expect_errno));
	else if (!hold && !expect_errno && have_payload_len &&
		 rx.bytes != payload_len)
		fail("received %llu bytes, expected %llu",
		     (unsigned long long)rx.bytes, payload_len);
	if (hold && !rx.holding)
		fail("the stream ended before %llu bytes", hold_after);

	if (rx.holding)
		printf("holding %u buffers\n", rx.held);
	else if (wait_stdin)
		printf("done, waiting\n");
	if (wait_stdin) {
		char buf[64];

		while (read(STDIN_FILENO, buf, sizeof(buf)) > 0)
			;
	}

	/* the ring goes first, with any buffers still held */
	ring_free(&rx.ring);
	zcrx_args_free(&rx.args);
	close(rx.sock);
	close(lfd);
	free(rx.rf.pending);
	free(rx.since);
	if (check_teardown) {
		wait_unpinned(pinned0);
		printf("VmPin back to %ld kB after ring close\n",
		       vm_pinned_kb());
	}
}

/* Wait up to 5 s for ifq @id of @ring to have @want users: ring exit is async. */
static void wait_users(int ring, unsigned int id, long long want)
{
	int i;

	for (i = 0; i < 100; i++) {
		if (fdinfo_field(ring, id, "users") == want)
			return;
		usleep(50 * 1000);
	}
	fail("ifq %u has %lld users, expected %lld", id,
	     fdinfo_field(ring, id, "users"), want);
}

static void rx_report(const char *name, struct rx *rx)
{
	printf("connection ring=%s bytes=%llu cqes=%u requests=%u enospc=%u enomem=%u\n",
	       name, (unsigned long long)rx->bytes, rx->cqes, rx->requests,
	       rx->enospc, rx->enomem);
	if (rx->bad > 5)
		fail("%u more CQEs with wrong data", rx->bad - 5);
	if (have_payload_len && rx->bytes != payload_len)
		fail("%s ring: received %llu bytes, expected %llu", name,
		     (unsigned long long)rx->bytes, payload_len);
}

/*
 * -E MODE: one queue shared by two rings through ZCRX_CTRL_EXPORT and
 * ZCRX_REG_IMPORT. Two connections, received one after the other: the
 * first on one ring, which then closes, the second on the other, on the
 * queue that must still be bound.
 *   MODE 1: the importer receives first; the exported file closes last.
 *   MODE 2: the exported file closes at once; the exporter receives
 *	     first; the importer is the last user.
 * The refill ring is user memory (-u): both rings produce into it, one
 * after the other.
 */
static void do_server_export(void)
{
	long long deadline = now_ms() + timeout_s * 1000LL;
	struct rx exp = { .sock = -1 }, imp = { .sock = -1 };
	struct io_uring_zcrx_ifq_reg reg;
	struct rx *first, *second;
	long pinned0;
	int lfd, fd, ret;

	pinned0 = vm_pinned_kb();
	rx_setup(&exp);
	fd = zcrx_export(exp.ring.fd, exp.args.reg.zcrx_id);
	if (fd < 0) {
		fprintf(stderr, "FAIL: ZCRX_CTRL_EXPORT: %s\n", strerror(-fd));
		exit(1);
	}

	ring_setup(&imp.ring, RING_FLAGS, cq_entries);
	ret = zcrx_import(imp.ring.fd, fd, &reg);
	if (ret) {
		fprintf(stderr, "FAIL: ZCRX_REG_IMPORT: %s\n", strerror(-ret));
		exit(1);
	}
	/* the same area and refill ring, under the importer's id */
	imp.args = exp.args;
	imp.args.reg = reg;
	refill_init(&imp.rf, &imp.args);
	printf("exported fd=%d, imported as zcrx_id=%u, users=%lld\n", fd,
	       reg.zcrx_id, fdinfo_field(imp.ring.fd, reg.zcrx_id, "users"));
	if (failures)
		exit(1);

	if (export_mode == 2) {
		close(fd);
		fd = -1;
		wait_users(imp.ring.fd, reg.zcrx_id, 2);
		first = &exp;
		second = &imp;
	} else {
		first = &imp;
		second = &exp;
	}

	lfd = listen_tcp();
	first->sock = accept_tcp(lfd, deadline);
	rx_run(first, deadline);
	rx_report(first == &exp ? "exporter" : "importer", first);

	/* the second ring produces into the refill ring from where it is */
	second->rf.local_tail = first->rf.local_tail;
	while (first->rf.nr_pending) {
		struct io_uring_zcrx_rqe *e;

		e = &first->rf.pending[--first->rf.nr_pending];
		refill_add(&second->rf, e->off, e->len);
	}
	ring_free(&first->ring);
	close(first->sock);
	wait_users(second->ring.fd, second->args.reg.zcrx_id, fd < 0 ? 1 : 2);
	if (fdinfo_field(second->ring.fd, second->args.reg.zcrx_id,
			 "bound") != 1)
		fail("the queue is not bound after the first ring closed");
	printf("first ring closed, the queue still bound\n");

	second->sock = accept_tcp(lfd, deadline);
	rx_run(second, deadline);
	rx_report(second == &exp ? "exporter" : "importer", second);
	printf("received bytes=%llu cqes=%u\n",
	       (unsigned long long)(first->bytes + second->bytes),
	       first->cqes + second->cqes);
	show_fdinfo(second->ring.fd);

	ring_free(&second->ring);
	close(second->sock);
	close(lfd);
	/* MODE 1: the exported file is the last user */
	if (fd >= 0)
		close(fd);
	zcrx_args_free(&exp.args);
	free(exp.rf.pending);
	free(imp.rf.pending);
	if (check_teardown) {
		wait_unpinned(pinned0);
		printf("VmPin back to %ld kB after ring close\n",
		       vm_pinned_kb());
	}
}

/*
 * -N: several connections received in the one ring at once, each stream
 * checked on its own against the pattern. -Y gives the buffers back from a
 * thread of its own, which alone produces into the refill ring while the
 * device consumes it from NAPI on another CPU. -S closes the ring once
 * every connection got that many bytes, with the peers still sending.
 */
#define MAX_CONNS	SQ_ENTRIES
#define CONN_TAG(i)	(0x100ULL + (i))

/* One connection of -N. */
struct conn {
	int sock;
	unsigned int port;	/* the peer's */
	__u64 bytes;		/* verified bytes of its stream */
	unsigned int cqes;
	unsigned int requests;
	unsigned int enospc;
	unsigned int enomem;
	unsigned int bad;
	int last_res;		/* of the last final CQE */
	unsigned int ifq;	/* the ifq of the queue its flow lands on */
	unsigned int cur;	/* the ifq its request names */
	unsigned int efault;	/* requests that named another queue's ifq */
	bool armed;
	bool eof;
	bool broken;
};

/* -Y: the thread that gives the buffers back. */
struct refiller {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	/* under @lock: handed over by the receiving thread */
	struct io_uring_zcrx_rqe *queue;
	size_t nr_queued;
	size_t max_queued;
	bool stop;
	/* the refill ring, the thread's alone */
	struct refill rf;
	unsigned long long returned;	/* entries it put in the ring */
	unsigned long long waits;	/* times it found the ring full */
};

/* The receiving side of -N. */
struct multi {
	struct ring ring;
	/* ifq k receives the connections to port PORT + k */
	struct zcrx_args args[MAX_IFQS];
	/* the refill rings; with -Y ifq 0's only where buffers wait */
	struct refill rf[MAX_IFQS];
	int lfds[MAX_IFQS];
	unsigned int nr_ifqs;
	bool wrong_done;		/* -W: one request named another ifq */
	struct refiller *thr;
	struct conn conns[MAX_CONNS];
	unsigned int nr;		/* connections accepted */
	unsigned long long returned;	/* refill entries produced, without -Y */
};

static void *refiller_run(void *arg)
{
	struct refiller *t = arg;
	size_t i;

	pthread_mutex_lock(&t->lock);
	for (;;) {
		while (!t->nr_queued && !t->rf.nr_pending && !t->stop)
			pthread_cond_wait(&t->cond, &t->lock);
		if (t->stop)
			break;
		for (i = 0; i < t->nr_queued; i++)
			refill_add(&t->rf, t->queue[i].off, t->queue[i].len);
		t->nr_queued = 0;
		pthread_mutex_unlock(&t->lock);

		t->returned += refill_flush(&t->rf);
		if (t->rf.nr_pending) {
			/* full: the device takes entries as it allocates */
			t->waits++;
			usleep(100);
		}
		pthread_mutex_lock(&t->lock);
	}
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

static void refiller_start(struct refiller *t, struct zcrx_args *a)
{
	int ret;

	memset(t, 0, sizeof(*t));
	refill_init(&t->rf, a);
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->cond, NULL);
	ret = pthread_create(&t->thread, NULL, refiller_run, t);
	if (ret) {
		errno = ret;
		die("pthread_create for the refill thread");
	}
}

/* Hand the buffers waiting in @rf over to the thread. */
static void refiller_give(struct refiller *t, struct refill *rf)
{
	size_t n = rf->nr_pending;

	if (!n)
		return;
	pthread_mutex_lock(&t->lock);
	if (t->nr_queued + n > t->max_queued) {
		t->max_queued = 2 * (t->nr_queued + n);
		t->queue = realloc(t->queue, t->max_queued * sizeof(*t->queue));
		if (!t->queue)
			die("realloc");
	}
	memcpy(t->queue + t->nr_queued, rf->pending, n * sizeof(*t->queue));
	t->nr_queued += n;
	pthread_cond_signal(&t->cond);
	pthread_mutex_unlock(&t->lock);
	rf->nr_pending = 0;
}

/* Stop the thread: what it did not give back stays with the ring. */
static void refiller_stop(struct refiller *t)
{
	pthread_mutex_lock(&t->lock);
	t->stop = true;
	pthread_cond_signal(&t->cond);
	pthread_mutex_unlock(&t->lock);
	pthread_join(t->thread, NULL);
	pthread_cond_destroy(&t->cond);
	pthread_mutex_destroy(&t->lock);
	free(t->queue);
	free(t->rf.pending);
}

static void conn_arm(struct multi *m, unsigned int i)
{
	struct io_uring_sqe *sqe = ring_get_sqe(&m->ring);
	struct conn *c = &m->conns[i];

	sqe->opcode = IORING_OP_RECV_ZC;
	sqe->fd = c->sock;
	sqe->ioprio = IORING_RECV_MULTISHOT;
	sqe->zcrx_ifq_idx = m->args[c->cur].reg.zcrx_id;
	sqe->user_data = CONN_TAG(i);
	c->requests++;
	c->armed = true;
}

static void conn_data(struct multi *m, unsigned int i,
		      const struct io_uring_cqe *cqe)
{
	const struct io_uring_zcrx_cqe *zcqe = (const void *)(cqe + 1);
	__u64 off = zcqe->off & ~IORING_ZCRX_AREA_MASK;
	struct conn *c = &m->conns[i];
	/* the request's ifq: the CQE's token is that ifq's area's */
	struct zcrx_args *a = &m->args[c->cur];
	const unsigned char *p;
	__u32 len = cqe->res;
	__u32 j;

	c->cqes++;
	if (!(cqe->flags & IORING_CQE_F_MORE))
		fail("connection %u, CQE %u: %u bytes without IORING_CQE_F_MORE",
		     i, c->cqes, len);
	if ((zcqe->off & IORING_ZCRX_AREA_MASK) != a->area.rq_area_token ||
	    off > area_size || len > area_size - off) {
		fail("connection %u, CQE %u: %u bytes at 0x%llx, outside the area",
		     i, c->cqes, len, (unsigned long long)zcqe->off);
		c->broken = true;
		return;
	}

	p = a->area_mem + off;
	for (j = 0; j < len; j++) {
		if (p[j] == pattern_byte(c->bytes + j))
			continue;
		if (c->bad++ < 5)
			fail("connection %u byte %llu: 0x%02x, not 0x%02x (CQE %u at 0x%llx)",
			     i, (unsigned long long)(c->bytes + j), p[j],
			     pattern_byte(c->bytes + j), c->cqes,
			     (unsigned long long)off);
		break;
	}
	c->bytes += len;
	/* read: give it back, to the ifq it came from */
	refill_add(&m->rf[c->cur], zcqe->off, len);
}

/* The CQE that ends a request. */
static void conn_final(struct conn *c, unsigned int i,
		       const struct io_uring_cqe *cqe)
{
	c->armed = false;
	c->last_res = cqe->res;
	if (cqe->res == -EFAULT && c->cur != c->ifq) {
		/* -W: the data is another ifq's; re-armed with the right one */
		c->efault++;
		c->cur = c->ifq;
		return;
	}
	switch (cqe->res) {
	case 0:
		c->eof = true;
		break;
	case -ENOSPC:
		c->enospc++;
		break;
	case -ENOMEM:
		c->enomem++;
		break;
	default:
		fail("connection %u: RECV_ZC ended with %d (%s) after %llu bytes",
		     i, cqe->res, strerror(-cqe->res),
		     (unsigned long long)c->bytes);
		c->broken = true;
	}
}

static void multi_reap(struct multi *m)
{
	struct ring *r = &m->ring;
	unsigned int head = *r->cq_head;
	unsigned int tail = load_acquire(r->cq_tail);

	for (; head != tail; head++) {
		struct io_uring_cqe *cqe = ring_cqe(r, head);
		__u64 i = cqe->user_data - CONN_TAG(0);

		if (cqe->user_data < CONN_TAG(0) || i >= m->nr)
			fail("CQE for user_data %llu, res %d",
			     (unsigned long long)cqe->user_data, cqe->res);
		else if (cqe->res > 0)
			conn_data(m, i, cqe);
		else if (cqe->flags & IORING_CQE_F_MORE)
			fail("connection %u: CQE res %d with IORING_CQE_F_MORE",
			     (unsigned int)i, cqe->res);
		else
			conn_final(&m->conns[i], i, cqe);
	}
	store_release(r->cq_head, head);
}

/* Give back what was read: through the thread with -Y. */
static void multi_refill(struct multi *m)
{
	unsigned int k;

	for (k = 0; k < m->nr_ifqs; k++) {
		if (m->thr)
			refiller_give(m->thr, &m->rf[k]);
		else
			m->returned += refill_flush(&m->rf[k]);
	}
}

/*
 * Accept the connections waiting, and arm their requests: with the ifq of
 * the listener's port, or with -W once with another, which the kernel
 * refuses.
 */
static void multi_accept(struct multi *m)
{
	struct pollfd pfd[MAX_IFQS];
	struct sockaddr_in6 peer;
	socklen_t len;
	struct conn *c;
	unsigned int k;
	int fd, ret;

	for (k = 0; k < m->nr_ifqs; k++)
		pfd[k] = (struct pollfd) { .fd = m->lfds[k], .events = POLLIN };
	ret = poll(pfd, m->nr_ifqs, 0);
	if (ret < 0)
		die("poll");
	for (k = 0; ret && k < m->nr_ifqs && m->nr < nr_conns; k++) {
		if (!(pfd[k].revents & POLLIN))
			continue;
		len = sizeof(peer);
		fd = accept(m->lfds[k], (struct sockaddr *)&peer, &len);
		if (fd < 0)
			die("accept");
		c = &m->conns[m->nr];
		memset(c, 0, sizeof(*c));
		c->sock = fd;
		/* the listener is IPv6: IPv4 peers come as mapped addresses */
		c->port = ntohs(peer.sin6_port);
		c->ifq = k;
		c->cur = k;
		if (wrong_ifq && !m->wrong_done) {
			c->cur = (k + 1) % m->nr_ifqs;
			m->wrong_done = true;
		}
		conn_arm(m, m->nr++);
		if (m->nr == nr_conns)
			printf("accepted %u connections\n", m->nr);
	}
}

/* Got its bytes (-S), or its stream ended. */
static bool conn_finished(const struct conn *c)
{
	return c->eof || c->broken ||
	       (have_stop_after && c->bytes >= stop_after);
}

static void multi_run(struct multi *m, long long deadline)
{
	unsigned int i, done;

	for (;;) {
		if (m->nr < nr_conns)
			multi_accept(m);
		for (done = 0, i = 0; i < m->nr; i++)
			done += conn_finished(&m->conns[i]);
		if (m->nr == nr_conns && done == m->nr)
			break;
		ring_submit(&m->ring);
		if (now_ms() > deadline) {
			fail("timed out after %u s: %u of %u connections accepted, %u finished",
			     timeout_s, m->nr, nr_conns, done);
			break;
		}
		/* while accepting, come back soon to look at the listener */
		ring_wait(&m->ring, m->nr < nr_conns ? 10 : 1000);
		multi_reap(m);
		multi_refill(m);
		/*
		 * A finished connection stays armed as well: its data keeps
		 * flowing into the area and must keep coming back.
		 */
		for (i = 0; i < m->nr; i++) {
			struct conn *c = &m->conns[i];

			if (c->armed || c->eof || c->broken)
				continue;
			/* give the kernel a moment to take the buffers back */
			if (c->last_res == -ENOMEM)
				usleep(1000);
			conn_arm(m, i);
		}
	}
}

static void multi_summary(struct multi *m, struct refiller *thr)
{
	unsigned int i, cqes = 0, requests = 0, enospc = 0, enomem = 0;
	unsigned long long bytes = 0;

	for (i = 0; i < m->nr; i++) {
		bytes += m->conns[i].bytes;
		cqes += m->conns[i].cqes;
		requests += m->conns[i].requests;
		enospc += m->conns[i].enospc;
		enomem += m->conns[i].enomem;
	}
	printf("received bytes=%llu cqes=%u requests=%u enospc=%u enomem=%u",
	       bytes, cqes, requests, enospc, enomem);
	printf(" conns=%u thread=%d returned=%llu refill_waits=%llu\n", m->nr,
	       !!thr, thr ? thr->returned : m->returned, thr ? thr->waits : 0);

	for (i = 0; i < m->nr; i++) {
		struct conn *c = &m->conns[i];

		printf("connection id=%u port=%u bytes=%llu cqes=%u",
		       i, c->port, (unsigned long long)c->bytes, c->cqes);
		printf(" requests=%u enospc=%u enomem=%u eof=%d ifq=%u efault=%u\n",
		       c->requests, c->enospc, c->enomem, c->eof, c->ifq,
		       c->efault);
		if (c->bad > 5)
			fprintf(stderr, "FAIL: connection %u: %u more CQEs with wrong data\n",
				i, c->bad - 5);
		if (have_stop_after && c->bytes < stop_after)
			fail("connection %u (port %u): %llu bytes%s, expected at least %llu",
			     i, c->port, (unsigned long long)c->bytes,
			     c->eof ? " then EOF" : "", stop_after);
		else if (!have_stop_after && have_payload_len &&
			 c->bytes != payload_len)
			fail("connection %u (port %u): %llu bytes, expected %llu",
			     i, c->port, (unsigned long long)c->bytes,
			     payload_len);
	}
}

static void do_server_multi(void)
{
	long long deadline = now_ms() + timeout_s * 1000LL;
	struct refiller thr;
	struct multi m;
	long pinned0;
	unsigned int i, k;
	int ret;

	memset(&m, 0, sizeof(m));
	pinned0 = vm_pinned_kb();
	ring_setup(&m.ring, RING_FLAGS, cq_entries);
	printf("ring_fd=%d pid=%d\n", m.ring.fd, getpid());
	/* -n: queues QUEUE.. of IFNAME; -A: a queue of another device each */
	m.nr_ifqs = nr_ifqs + nr_extra;
	for (k = 0; k < m.nr_ifqs; k++) {
		struct zcrx_args *a = &m.args[k];

		if (k < nr_ifqs) {
			zcrx_args_init(a, queue + k, rq_entries);
		} else {
			zcrx_args_init(a, extra_queue[k - nr_ifqs], rq_entries);
			a->reg.if_idx = extra_ifindex[k - nr_ifqs];
		}
		ret = zcrx_register(m.ring.fd, a);
		if (ret) {
			fprintf(stderr, "FAIL: register ifq on ifindex %u queue %u: %s\n",
				a->reg.if_idx, a->reg.if_rxq, strerror(-ret));
			exit(1);
		}
		check_result(m.ring.fd, a, k, rq_entries);
		refill_init(&m.rf[k], a);
		m.lfds[k] = listen_tcp_on(strtoul(port, NULL, 0) + k);
	}
	if (failures)
		exit(1);
	if (refill_thread) {
		refiller_start(&thr, &m.args[0]);
		m.thr = &thr;
	}

	multi_run(&m, deadline);
	/* the ring's memory goes with it: the thread stops first */
	if (m.thr)
		refiller_stop(m.thr);

	multi_summary(&m, m.thr);
	show_fdinfo(m.ring.fd);
	if (wait_stdin) {
		char buf[64];

		printf("done, waiting\n");
		while (read(STDIN_FILENO, buf, sizeof(buf)) > 0)
			;
	}

	if (have_stop_after)
		printf("closing the ring: %llu bytes or more per connection, no EOF waited for\n",
		       stop_after);
	ring_free(&m.ring);
	for (k = 0; k < m.nr_ifqs; k++) {
		zcrx_args_free(&m.args[k]);
		close(m.lfds[k]);
		free(m.rf[k].pending);
	}
	for (i = 0; i < m.nr; i++)
		close(m.conns[i].sock);
	if (check_teardown) {
		wait_unpinned(pinned0);
		printf("VmPin back to %ld kB after ring close\n",
		       vm_pinned_kb());
	}
}

/* -O: connect from @src_port, for a rule that steers by it. */
static void bind_src_port(int fd, int family)
{
	struct sockaddr_storage ss = { .ss_family = family };
	socklen_t len = sizeof(struct sockaddr_in);
	int one = 1;

	if (family == AF_INET6) {
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(src_port);
		len = sizeof(struct sockaddr_in6);
	} else {
		((struct sockaddr_in *)&ss)->sin_port = htons(src_port);
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&ss, len))
		die("bind to source port %u", src_port);
}

static void do_client(void)
{
	/* write sizes, in turn: odd ones, segment and page sized, large */
	static const unsigned int sizes[] = {
		1, 100, 1448, 4096, 3000, 65536, 7, 16384, 250000, 9000,
	};
	static unsigned char buf[256 << 10];
	struct timeval tv = { .tv_sec = timeout_s };
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_STREAM,
	};
	unsigned long long sent = 0;
	struct addrinfo *ai;
	unsigned int i = 0;
	int fd, ret, one = 1;
	char c;

	ret = getaddrinfo(host, port, &hints, &ai);
	if (ret) {
		fprintf(stderr, "FAIL: getaddrinfo(%s): %s\n", host,
			gai_strerror(ret));
		exit(1);
	}
	fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	/* neither connect, send nor recv waits longer than the timeout */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		die("setsockopt");
	if (src_port)
		bind_src_port(fd, ai->ai_family);
	/* -M: each write its own segment, the 1, 7 and 100 byte ones too */
	if (no_delay &&
	    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
		die("TCP_NODELAY");
	if (connect(fd, ai->ai_addr, ai->ai_addrlen))
		die("connect to %s port %s", host, port);
	freeaddrinfo(ai);

	if (burst_delay_ms) {
		/* the server's request is armed before anything arrives */
		usleep(burst_delay_ms * 1000);
		if (payload_len > sizeof(buf))
			die("-D: at most %zu bytes", sizeof(buf));
	}

	while (sent < payload_len) {
		unsigned long long n = sizes[i++ % ARRAY_SIZE(sizes)];
		unsigned int j;
		ssize_t res;

		if (burst_delay_ms || n > payload_len - sent)
			n = payload_len - sent;
		for (j = 0; j < n; j++)
			buf[j] = pattern_byte(sent + j);
		res = send(fd, buf, n, MSG_NOSIGNAL);
		if (res < 0)
			die("send after %llu bytes", sent);
		sent += res;
	}

	/* done: wait for the server to read everything and close */
	if (!no_eof && shutdown(fd, SHUT_WR))
		die("shutdown");
	ret = recv(fd, &c, 1, 0);
	if (ret < 0)
		die("waiting for the server to close");
	if (ret)
		fail("the server sent data");
	close(fd);
	printf("sent %llu bytes\n", sent);
}

/* The invalid RECV_ZC submissions: a valid one, mutated. */
enum sqe_mutation {
	S_NO_MULTISHOT, S_BUNDLE, S_ADDR, S_ADDR2, S_ADDR3, S_MSG_FLAGS,
	S_BUF_INDEX, S_IFQ_IDX, S_NO_IFQ, S_BUFFER_SELECT, S_PIPE, S_UDP,
};

struct sqe_case {
	const char *name;
	int err;
	enum sqe_mutation mutation;
};

static const struct sqe_case sqe_cases[] = {
	{ "RECV_ZC without IORING_RECV_MULTISHOT", EINVAL, S_NO_MULTISHOT },
	{ "RECV_ZC with IORING_RECVSEND_BUNDLE", EINVAL, S_BUNDLE },
	{ "RECV_ZC with addr set", EINVAL, S_ADDR },
	{ "RECV_ZC with addr2 set", EINVAL, S_ADDR2 },
	{ "RECV_ZC with addr3 set", EINVAL, S_ADDR3 },
	{ "RECV_ZC with msg_flags set", EINVAL, S_MSG_FLAGS },
	{ "RECV_ZC with buf_index set", EINVAL, S_BUF_INDEX },
	{ "RECV_ZC on an unknown zcrx_ifq_idx", EINVAL, S_IFQ_IDX },
	{ "RECV_ZC on a ring without ifqs", EINVAL, S_NO_IFQ },
	{ "RECV_ZC with IOSQE_BUFFER_SELECT", EOPNOTSUPP, S_BUFFER_SELECT },
	{ "RECV_ZC on a pipe", ENOTSOCK, S_PIPE },
	{ "RECV_ZC on a UDP socket", EPROTONOSUPPORT, S_UDP },
};

/* Wait up to 5 s for the CQE of @user_data; false if none came. */
static bool wait_cqe(struct ring *r, __u64 user_data, int *res,
		     unsigned int *flags)
{
	long long deadline = now_ms() + 5000;
	bool found = false;

	while (!found && now_ms() < deadline) {
		unsigned int head = *r->cq_head;
		unsigned int tail;

		ring_wait(r, 100);
		tail = load_acquire(r->cq_tail);
		for (; head != tail; head++) {
			struct io_uring_cqe *cqe = ring_cqe(r, head);

			if (cqe->user_data != user_data)
				continue;
			*res = cqe->res;
			*flags = cqe->flags;
			found = true;
		}
		store_release(r->cq_head, head);
	}
	return found;
}

static void run_sqe_case(struct ring *ring, struct zcrx_args *a,
			 const struct sqe_case *c, __u64 user_data)
{
	int fds[2] = { -1, -1 };
	struct io_uring_sqe *sqe;
	struct ring other;
	struct ring *r = ring;
	unsigned int flags;
	int fd, res;

	if (c->mutation == S_PIPE) {
		if (pipe(fds))
			die("pipe");
		fd = fds[0];
	} else {
		fd = socket(AF_INET6, c->mutation == S_UDP ? SOCK_DGRAM :
			    SOCK_STREAM, 0);
		if (fd < 0)
			die("socket");
	}
	if (c->mutation == S_NO_IFQ) {
		ring_setup(&other, RING_FLAGS, 0);
		r = &other;
	}

	sqe = ring_get_sqe(r);
	sqe->opcode = IORING_OP_RECV_ZC;
	sqe->fd = fd;
	sqe->ioprio = IORING_RECV_MULTISHOT;
	sqe->zcrx_ifq_idx = a->reg.zcrx_id;
	sqe->user_data = user_data;
	switch (c->mutation) {
	case S_NO_MULTISHOT:
		sqe->ioprio = 0;
		break;
	case S_BUNDLE:
		sqe->ioprio |= IORING_RECVSEND_BUNDLE;
		break;
	case S_ADDR:
		sqe->addr = (uintptr_t)a->area_mem;
		break;
	case S_ADDR2:
		sqe->addr2 = 1;
		break;
	case S_ADDR3:
		sqe->addr3 = 1;
		break;
	case S_MSG_FLAGS:
		sqe->msg_flags = MSG_DONTWAIT;
		break;
	case S_BUF_INDEX:
		sqe->buf_index = 1;
		break;
	case S_IFQ_IDX:
		sqe->zcrx_ifq_idx = a->reg.zcrx_id + 1;
		break;
	case S_BUFFER_SELECT:
		sqe->flags = IOSQE_BUFFER_SELECT;
		break;
	case S_NO_IFQ:
	case S_PIPE:
	case S_UDP:
		break;
	}
	ring_submit(r);

	if (!wait_cqe(r, user_data, &res, &flags))
		fail("%s: no completion in 5 s, expected %d (%s)", c->name,
		     -c->err, strerror(c->err));
	else if (res != -c->err || (flags & IORING_CQE_F_MORE))
		fail("%s: res %d (%s)%s, expected %d (%s)", c->name, res,
		     res < 0 ? strerror(-res) : "success",
		     flags & IORING_CQE_F_MORE ? " with F_MORE" : "",
		     -c->err, strerror(c->err));
	else
		printf("ok %s: %s\n", c->name, strerror(c->err));

	if (c->mutation == S_NO_IFQ)
		ring_free(&other);
	close(fd);
	if (fds[1] >= 0)
		close(fds[1]);
}

static void do_sqe_cases(void)
{
	struct zcrx_args a;
	struct ring r;
	unsigned int i;
	int ret;

	ring_setup(&r, RING_FLAGS, 0);
	zcrx_args_init(&a, queue, rq_entries);
	ret = zcrx_register(r.fd, &a);
	if (ret) {
		fail("register ifq on %s queue %u: %s", ifname, queue,
		     strerror(-ret));
		return;
	}
	for (i = 0; i < ARRAY_SIZE(sqe_cases); i++)
		run_sqe_case(&r, &a, &sqe_cases[i], i + 1);
	ring_free(&r);
	zcrx_args_free(&a);
}

/*
 * -Q: IORING_REGISTER_QUERY, without a ring (fd -1) and on one. What the
 * kernel reports is checked against what it does: the features a ring
 * gets, setup flags it refuses, the refill ring header a registration
 * lays out.
 */
static int sys_query(int fd, void *arg, unsigned int nr)
{
	int ret = sys_io_uring_register(fd, IORING_REGISTER_QUERY, arg, nr);

	return ret < 0 ? -errno : ret;
}

/* One query of @op into @buf of @size bytes; the entry's result. */
static int query_one(int fd, __u32 op, void *buf, __u32 size, __u32 *out)
{
	struct io_uring_query_hdr h = {
		.query_data = (uintptr_t)buf,
		.query_op = op,
		.size = size,
	};
	int ret;

	ret = sys_query(fd, &h, 0);
	if (ret) {
		fail("query %u: the call failed: %s", op, strerror(-ret));
		return ret;
	}
	if (out)
		*out = h.size;
	return h.result;
}

static void query_expect(const char *name, int got, int want)
{
	if (got != want)
		fail("query %s: %d (%s), expected %d (%s)", name, got,
		     strerror(-got), want, strerror(-want));
	else
		printf("ok query %s: %s\n", name, want ? strerror(-want) : "0");
}

static bool all_bytes(const void *p, int c, size_t len)
{
	const unsigned char *b = p;

	while (len--)
		if (*b++ != c)
			return false;
	return true;
}

static void query_opcodes(int fd)
{
	struct io_uring_query_opcode o;
	struct io_uring_params p = { .flags = RING_FLAGS };
	unsigned int bit;
	__u32 size;
	int ring;

	memset(&o, 0xff, sizeof(o));
	if (query_one(fd, IO_URING_QUERY_OPCODES, &o, sizeof(o), &size))
		return;
	printf("opcodes: requests=%u register=%u queries=%u",
	       o.nr_request_opcodes, o.nr_register_opcodes,
	       o.nr_query_opcodes);
	printf(" features=0x%llx setup=0x%llx enter=0x%llx sqe=0x%llx\n",
	       (unsigned long long)o.feature_flags,
	       (unsigned long long)o.ring_setup_flags,
	       (unsigned long long)o.enter_flags,
	       (unsigned long long)o.sqe_flags);
	if (size != sizeof(o) || o.__pad)
		fail("opcodes: size %u, pad %u", size, o.__pad);
	if (o.nr_request_opcodes != IORING_OP_RECV_ZC + 1)
		fail("nr_request_opcodes %u, expected %u (RECV_ZC the last)",
		     o.nr_request_opcodes, IORING_OP_RECV_ZC + 1);
	if (o.nr_register_opcodes != IORING_REGISTER_ZCRX_CTRL + 1)
		fail("nr_register_opcodes %u, expected %u",
		     o.nr_register_opcodes, IORING_REGISTER_ZCRX_CTRL + 1);
	if (o.nr_query_opcodes != __IO_URING_QUERY_MAX)
		fail("nr_query_opcodes %u, expected %u", o.nr_query_opcodes,
		     __IO_URING_QUERY_MAX);
	if (o.sqe_flags != 0x7f)
		fail("sqe_flags 0x%llx, expected the 7 IOSQE_* flags",
		     (unsigned long long)o.sqe_flags);
	if (o.enter_flags != 0x3f)
		fail("enter_flags 0x%llx, expected IORING_ENTER_* up to ABS_TIMER",
		     (unsigned long long)o.enter_flags);

	/* the features a ring gets */
	ring = sys_io_uring_setup(8, &p);
	if (ring < 0)
		die("io_uring_setup");
	close(ring);
	if (o.feature_flags != p.features)
		fail("feature_flags 0x%llx, io_uring_setup gives 0x%x",
		     (unsigned long long)o.feature_flags, p.features);
	/* every setup flag not reported is refused */
	for (bit = 0; bit < 32; bit++) {
		struct io_uring_params q = { .flags = 1U << bit };

		if (o.ring_setup_flags & (1ULL << bit))
			continue;
		ring = sys_io_uring_setup(8, &q);
		if (ring >= 0) {
			fail("setup flag 1 << %u is not reported, yet accepted",
			     bit);
			close(ring);
		} else if (errno != EINVAL) {
			fail("setup flag 1 << %u: %s, expected EINVAL", bit,
			     strerror(errno));
		}
	}
	if ((o.ring_setup_flags & RING_FLAGS) != RING_FLAGS)
		fail("ring_setup_flags 0x%llx lack what zero-copy receive needs",
		     (unsigned long long)o.ring_setup_flags);
	/* IORING_SETUP_CQE_MIXED (1 << 18): not supported here */
	if (o.ring_setup_flags & (1ULL << 18))
		fail("ring_setup_flags reports CQE_MIXED");
	printf("ok query opcodes: features match io_uring_setup, unreported setup flags refused\n");
}

static void query_zcrx(int fd, const struct zcrx_args *a)
{
	struct io_uring_query_zcrx z;
	__u32 size;

	memset(&z, 0xff, sizeof(z));
	if (query_one(fd, IO_URING_QUERY_ZCRX, &z, sizeof(z), &size))
		return;
	printf("zcrx: register_flags=0x%llx area_flags=0x%llx",
	       (unsigned long long)z.register_flags,
	       (unsigned long long)z.area_flags);
	printf(" ctrl_opcodes=%u features=0x%x rq_hdr_size=%u rq_hdr_alignment=%u\n",
	       z.nr_ctrl_opcodes, z.features, z.rq_hdr_size,
	       z.rq_hdr_alignment);
	if (size != sizeof(z) || z.__resv2)
		fail("zcrx: size %u, __resv2 %llu", size,
		     (unsigned long long)z.__resv2);
	if (z.register_flags != (ZCRX_REG_IMPORT | ZCRX_REG_NODEV))
		fail("zcrx register_flags 0x%llx, expected IMPORT | NODEV",
		     (unsigned long long)z.register_flags);
	if (z.nr_ctrl_opcodes != __ZCRX_CTRL_LAST)
		fail("zcrx nr_ctrl_opcodes %u, expected %u", z.nr_ctrl_opcodes,
		     __ZCRX_CTRL_LAST);
	/* what a registration lays out */
	if (z.rq_hdr_size > a->reg.offsets.rqes ||
	    z.rq_hdr_size < a->reg.offsets.tail + sizeof(__u32) ||
	    !z.rq_hdr_alignment || z.rq_hdr_alignment & (z.rq_hdr_alignment - 1) ||
	    a->reg.offsets.rqes % z.rq_hdr_alignment)
		fail("rq header %u bytes aligned %u, a registration has rqes at %u",
		     z.rq_hdr_size, z.rq_hdr_alignment, a->reg.offsets.rqes);
	/* dma-buf areas and rx_buf_len: what -K and -g register */
	if (z.area_flags != IORING_ZCRX_AREA_DMABUF ||
	    z.features != ZCRX_FEATURE_RX_PAGE_SIZE)
		fail("zcrx reports area_flags 0x%llx features 0x%x, not DMABUF, RX_PAGE_SIZE",
		     (unsigned long long)z.area_flags, z.features);
	printf("ok query zcrx: matches a registration's refill ring\n");
}

/* A ring with an ifq on QUEUE, checked; -1 (a failure) if refused. */
static int ring_with_ifq(struct zcrx_args *a)
{
	int ring, ret;

	ring = ring_create(RING_FLAGS);
	zcrx_args_init(a, queue, rq_entries);
	ret = zcrx_register(ring, a);
	if (ret) {
		fail("register ifq on %s queue %u: %s", ifname, queue,
		     strerror(-ret));
		close(ring);
		zcrx_args_free(a);
		return -1;
	}
	check_result(ring, a, 0, rq_entries);
	return ring;
}

static void do_query_cases(void)
{
	struct io_uring_query_hdr h[3], loop;
	struct io_uring_query_scq scq;
	unsigned char buf[128];
	struct zcrx_args a;
	unsigned int i;
	__u32 size;
	int ring, ret;

	ring = ring_with_ifq(&a);
	if (ring < 0)
		return;

	query_opcodes(-1);
	query_opcodes(ring);
	query_zcrx(-1, &a);

	memset(&scq, 0, sizeof(scq));
	query_expect("scq", query_one(-1, IO_URING_QUERY_SCQ, &scq,
				      sizeof(scq), NULL), 0);
	if (!scq.hdr_size || scq.hdr_alignment < 8)
		fail("scq: hdr_size %llu alignment %llu",
		     (unsigned long long)scq.hdr_size,
		     (unsigned long long)scq.hdr_alignment);

	/* a larger buffer: the answer, then zeroes; a smaller: the start */
	memset(buf, 0xff, sizeof(buf));
	ret = query_one(-1, IO_URING_QUERY_OPCODES, buf, sizeof(buf), &size);
	if (ret || size != sizeof(struct io_uring_query_opcode) ||
	    !all_bytes(buf + size, 0, sizeof(buf) - size))
		fail("opcodes into 128 bytes: result %d size %u, tail not zeroed",
		     ret, size);
	memset(buf, 0xff, sizeof(buf));
	ret = query_one(-1, IO_URING_QUERY_OPCODES, buf, 4, &size);
	if (ret || size != 4 || *(__u32 *)buf != IORING_OP_RECV_ZC + 1 ||
	    !all_bytes(buf + 4, 0xff, sizeof(buf) - 4))
		fail("opcodes into 4 bytes: result %d size %u", ret, size);
	else
		printf("ok query: larger buffer zero-filled, smaller one truncated\n");

	memset(buf, 0xff, sizeof(buf));
	query_expect("op 3", query_one(-1, 3, buf, 16, &size), -EOPNOTSUPP);
	if (size || !all_bytes(buf, 0, 16))
		fail("unknown op: size %u, buffer not zeroed", size);
	query_expect("op 1000", query_one(-1, 1000, buf, 16, NULL),
		     -EOPNOTSUPP);
	query_expect("size 0", query_one(-1, IO_URING_QUERY_OPCODES, buf, 0,
					 NULL), -EINVAL);

	memset(h, 0, sizeof(h));
	h[0].query_op = IO_URING_QUERY_OPCODES;
	h[0].query_data = (uintptr_t)buf;
	h[0].size = sizeof(buf);
	h[0].__resv[1] = 1;
	ret = sys_query(-1, h, 0);
	query_expect("reserved field", ret ? ret : h[0].result, -EINVAL);
	h[0].__resv[1] = 0;
	h[0].result = 5;
	ret = sys_query(-1, h, 0);
	query_expect("result set on input", ret ? ret : h[0].result, -EINVAL);

	/* a chain of three; an unknown op in the middle stops nothing */
	memset(h, 0, sizeof(h));
	h[0].next_entry = (uintptr_t)&h[1];
	h[1].next_entry = (uintptr_t)&h[2];
	h[0].query_op = IO_URING_QUERY_ZCRX;
	h[1].query_op = 77;
	h[2].query_op = IO_URING_QUERY_OPCODES;
	h[0].query_data = (uintptr_t)buf;
	h[1].query_data = (uintptr_t)buf;
	h[2].query_data = (uintptr_t)buf;
	for (i = 0; i < 3; i++)
		h[i].size = sizeof(buf);
	ret = sys_query(-1, h, 0);
	if (ret || h[0].result || h[1].result != -EOPNOTSUPP || h[2].result ||
	    h[2].size != sizeof(struct io_uring_query_opcode))
		fail("chain: %d, results %d %d %d", ret, h[0].result,
		     h[1].result, h[2].result);
	else
		printf("ok query chain of 3, unknown op in the middle\n");

	memset(&loop, 0, sizeof(loop));
	loop.next_entry = (uintptr_t)&loop;
	loop.query_op = 1000;
	query_expect("chain that loops", sys_query(-1, &loop, 0), -ERANGE);
	query_expect("nr_args 1", sys_query(-1, h, 1), -EINVAL);
	query_expect("unreadable header", sys_query(-1, (void *)8, 0), -EFAULT);
	h[0].next_entry = 0;
	h[0].result = 0;
	h[0].query_data = 8;
	query_expect("unwritable buffer", sys_query(-1, h, 0), -EFAULT);
	/* without a ring only the query: anything else as before */
	ret = sys_io_uring_register(-1, IORING_REGISTER_ZCRX_CTRL, buf, 0);
	query_expect("ZCRX_CTRL without a ring", ret < 0 ? -errno : ret,
		     -EINVAL);
	ret = sys_io_uring_register(-2, IORING_REGISTER_QUERY, h, 0);
	query_expect("ring fd -2", ret < 0 ? -errno : ret, -EBADF);

	close(ring);
	zcrx_args_free(&a);
}

/*
 * -K: IORING_REGISTER_ZCRX_CTRL and the registrations it enables: the
 * errno of every invalid control, FLUSH_RQ consuming a refill ring that
 * no queue consumes, EXPORT and IMPORT with their refusals, NODEV.
 */
static void ctrl_expect(const char *name, int got, int want)
{
	if (got != want)
		fail("%s: %d (%s), expected %d (%s)", name, got,
		     got < 0 ? strerror(-got) : "success", want,
		     want ? strerror(-want) : "success");
	else
		printf("ok %s: %s\n", name, want ? strerror(-want) : "0");
}

static void ctrl_flush_case(int ring, struct zcrx_args *a)
{
	struct refill rf;
	long long rejected;
	unsigned int i;

	/*
	 * Entries naming no buffer, on a queue that receives nothing: only
	 * the flush consumes them, each one rejected.
	 */
	refill_init(&rf, a);
	for (i = 0; i < 40; i++)
		refill_add(&rf, a->area.rq_area_token | area_size, page_size);
	refill_flush(&rf);
	rejected = fdinfo_field(ring, a->reg.zcrx_id, "rq_rejected");
	ctrl_expect("FLUSH_RQ", zcrx_flush(ring, a->reg.zcrx_id), 0);
	if (load_acquire(rf.head) != rf.local_tail)
		fail("FLUSH_RQ left head %u, tail %u", load_acquire(rf.head),
		     rf.local_tail);
	if (fdinfo_field(ring, a->reg.zcrx_id, "rq_rejected") != rejected + 40)
		fail("FLUSH_RQ: rq_rejected %lld, expected %lld",
		     fdinfo_field(ring, a->reg.zcrx_id, "rq_rejected"),
		     rejected + 40);
	/* a full ring of entries, consumed in one call */
	for (i = 0; i <= rf.mask; i++)
		refill_add(&rf, a->area.rq_area_token | area_size, page_size);
	refill_flush(&rf);
	zcrx_flush(ring, a->reg.zcrx_id);
	if (load_acquire(rf.head) != rf.local_tail)
		fail("FLUSH_RQ of a full ring left head %u, tail %u",
		     load_acquire(rf.head), rf.local_tail);
	else
		printf("ok FLUSH_RQ consumed 40 entries, then a full ring\n");
	free(rf.pending);
}

static void ctrl_import_cases(int ring, int fd, struct zcrx_args *a)
{
	struct io_uring_zcrx_ifq_reg reg;
	int other, nodefer, nocqe, ret;

	other = ring_create(RING_FLAGS);
	memset(&reg, 0, sizeof(reg));
	reg.if_idx = fd;
	reg.flags = ZCRX_REG_IMPORT | ZCRX_REG_NODEV;
	ret = sys_io_uring_register(other, IORING_REGISTER_ZCRX_IFQ, &reg, 1);
	ctrl_expect("IMPORT | NODEV", ret ? -errno : 0, -EINVAL);
#define IMPORT_FIELD(field, val) do {					\
	memset(&reg, 0, sizeof(reg));					\
	reg.if_idx = fd;						\
	reg.flags = ZCRX_REG_IMPORT;					\
	reg.field = val;						\
	ret = sys_io_uring_register(other, IORING_REGISTER_ZCRX_IFQ,	\
				    &reg, 1);				\
	ctrl_expect("IMPORT with " #field " set", ret ? -errno : 0,	\
		    -EINVAL);						\
} while (0)
	IMPORT_FIELD(if_rxq, 1);
	IMPORT_FIELD(rq_entries, 64);
	IMPORT_FIELD(area_ptr, (uintptr_t)&a->area);
	IMPORT_FIELD(region_ptr, (uintptr_t)&a->rd);
	IMPORT_FIELD(rx_buf_len, page_size);
	IMPORT_FIELD(zcrx_id, 1);
#undef IMPORT_FIELD
	ctrl_expect("IMPORT of a ring's fd", zcrx_import(other, ring, &reg),
		    -EBADF);
	ctrl_expect("IMPORT of a closed fd", zcrx_import(other, 1000, &reg),
		    -EBADF);
	nodefer = ring_create(IORING_SETUP_CQE32);
	ctrl_expect("IMPORT into a ring without DEFER_TASKRUN",
		    zcrx_import(nodefer, fd, &reg), -EINVAL);
	close(nodefer);
	nocqe = ring_create(NO_CQE32);
	ctrl_expect("IMPORT into a ring without CQE32",
		    zcrx_import(nocqe, fd, &reg), -EINVAL);
	close(nocqe);

	ret = zcrx_import(other, fd, &reg);
	ctrl_expect("IMPORT", ret, 0);
	if (!ret && (reg.zcrx_id != 0 || reg.rq_entries != a->reg.rq_entries ||
		     memcmp(&reg.offsets, &a->reg.offsets,
			    sizeof(reg.offsets))))
		fail("IMPORT: zcrx_id %u rq_entries %u, offsets differ from the exporter's",
		     reg.zcrx_id, reg.rq_entries);
	if (fdinfo_field(other, 0, "rxq") != a->reg.if_rxq ||
	    fdinfo_field(other, 0, "users") != 3)
		fail("importer's fdinfo: rxq %lld users %lld, expected %u and 3",
		     fdinfo_field(other, 0, "rxq"),
		     fdinfo_field(other, 0, "users"), a->reg.if_rxq);
	/* the importer controls the shared ifq under its own id */
	ctrl_expect("FLUSH_RQ by the importer", zcrx_flush(other, 0), 0);
	close(other);
}

static void ctrl_nodev_cases(void)
{
	struct zcrx_args a;
	int ring, ret;

	ring = ring_create(RING_FLAGS);
	zcrx_args_init(&a, 0, rq_entries);
	a.reg.flags = ZCRX_REG_NODEV;
	ctrl_expect("NODEV with if_idx", zcrx_register(ring, &a), -EINVAL);
	a.reg.if_idx = 0;
	a.reg.if_rxq = 1;
	ctrl_expect("NODEV with if_rxq", zcrx_register(ring, &a), -EINVAL);
	a.reg.if_rxq = 0;
	a.reg.flags = ZCRX_REG_NODEV | 4;
	ctrl_expect("NODEV with an unknown flag", zcrx_register(ring, &a),
		    -EINVAL);
	a.reg.flags = ZCRX_REG_NODEV;
	a.reg.rx_buf_len = 16 * page_size;
	ctrl_expect("NODEV with rx_buf_len above a page",
		    zcrx_register(ring, &a), -EOPNOTSUPP);
	a.reg.rx_buf_len = 0;
	ret = zcrx_register(ring, &a);
	ctrl_expect("NODEV", ret, 0);
	if (!ret) {
		check_result(ring, &a, 0, rq_entries);
		if (fdinfo_field(ring, 0, "nodev") != 1 ||
		    fdinfo_field(ring, 0, "bound") != 0)
			fail("NODEV ifq: fdinfo nodev %lld bound %lld",
			     fdinfo_field(ring, 0, "nodev"),
			     fdinfo_field(ring, 0, "bound"));
		ctrl_flush_case(ring, &a);
	}
	close(ring);
	zcrx_args_free(&a);
}

/* dma-buf areas: each refusal, then one registered, nothing pinned. */
static void ctrl_dmabuf_cases(void)
{
	long pinned0 = vm_pinned_kb();
	struct zcrx_args a;
	int ring, fd;

	ring = ring_create(RING_FLAGS);
	/* the area a dma-buf, as -H dmabuf makes it */
	area_kind = AREA_DMABUF;
	zcrx_args_init(&a, queue, rq_entries);
	fd = a.dmabuf_fd;

	a.area.len = 2 * area_size;
	ctrl_expect("DMABUF area longer than the dma-buf",
		    zcrx_register(ring, &a), -EINVAL);
	a.area.len = area_size;
	a.area.addr = page_size;
	ctrl_expect("DMABUF area at an offset", zcrx_register(ring, &a),
		    -EINVAL);
	a.area.addr = 0;
	a.area.dmabuf_fd = ring;
	ctrl_expect("DMABUF of a ring's fd", zcrx_register(ring, &a), -EINVAL);
	a.area.dmabuf_fd = 1000;
	ctrl_expect("DMABUF of a closed fd", zcrx_register(ring, &a), -EBADF);
	a.area.dmabuf_fd = fd;
	a.reg.flags = ZCRX_REG_NODEV;
	a.reg.if_idx = 0;
	a.reg.if_rxq = 0;
	ctrl_expect("DMABUF without a device", zcrx_register(ring, &a),
		    -EINVAL);
	a.reg.flags = 0;
	a.reg.if_idx = ifindex;
	a.reg.if_rxq = queue;

	/* the queue comes free when the rings above have exited */
	retry_s = 10;
	ctrl_expect("DMABUF", zcrx_register_retry(ring, &a), 0);
	if (fdinfo_field(ring, 0, "dmabuf") != 1 ||
	    fdinfo_field(ring, 0, "bound") != 1)
		fail("dma-buf ifq: fdinfo dmabuf %lld bound %lld",
		     fdinfo_field(ring, 0, "dmabuf"),
		     fdinfo_field(ring, 0, "bound"));
	/* the rings above may still be unpinning: VmPin must not grow */
	if (vm_pinned_kb() > pinned0)
		fail("a dma-buf area pinned %ld kB", vm_pinned_kb() - pinned0);
	close(ring);
	zcrx_args_free(&a);
}

static void do_ctrl_cases(void)
{
	struct zcrx_ctrl c;
	struct zcrx_args a;
	int ring, fd, ret;
	char path[64], link[64];
	ssize_t n;

	ring = ring_with_ifq(&a);
	if (ring < 0)
		return;

	memset(&c, 0, sizeof(c));
	ctrl_expect("ZCRX_CTRL nr_args 1", zcrx_ctrl(ring, &c, 1), -EINVAL);
	ret = sys_io_uring_register(ring, IORING_REGISTER_ZCRX_CTRL, NULL, 0);
	ctrl_expect("ZCRX_CTRL NULL", ret ? -errno : 0, -EFAULT);
	c.__resv[1] = 1;
	ctrl_expect("ZCRX_CTRL reserved field", zcrx_ctrl(ring, &c, 0),
		    -EFAULT);
	memset(&c, 0, sizeof(c));
	c.zcrx_id = 1;
	ctrl_expect("ZCRX_CTRL no such zcrx_id", zcrx_ctrl(ring, &c, 0),
		    -ENXIO);
	c.zcrx_id = 0;
	c.op = __ZCRX_CTRL_LAST;
	ctrl_expect("ZCRX_CTRL unknown op", zcrx_ctrl(ring, &c, 0),
		    -EOPNOTSUPP);
	c.op = ZCRX_CTRL_FLUSH_RQ;
	c.zc_flush.__resv[5] = 1;
	ctrl_expect("FLUSH_RQ reserved field", zcrx_ctrl(ring, &c, 0),
		    -EINVAL);
	memset(&c, 0, sizeof(c));
	c.op = ZCRX_CTRL_EXPORT;
	c.zc_export.zcrx_fd = 3;
	ctrl_expect("EXPORT with zcrx_fd set", zcrx_ctrl(ring, &c, 0),
		    -EINVAL);
	ctrl_flush_case(ring, &a);

	fd = zcrx_export(ring, 0);
	ctrl_expect("EXPORT", fd < 0 ? fd : 0, 0);
	if (fd >= 0) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		n = readlink(path, link, sizeof(link) - 1);
		link[n > 0 ? n : 0] = 0;
		if (strcmp(link, "anon_inode:[zcrx]") ||
		    !(fcntl(fd, F_GETFD) & FD_CLOEXEC))
			fail("exported fd %d: %s, FD_CLOEXEC %d", fd, link,
			     !!(fcntl(fd, F_GETFD) & FD_CLOEXEC));
		if (fdinfo_field(ring, 0, "users") != 2)
			fail("users %lld after EXPORT, expected 2",
			     fdinfo_field(ring, 0, "users"));
		ctrl_import_cases(ring, fd, &a);
		close(fd);
	}
	close(ring);
	zcrx_args_free(&a);
	ctrl_nodev_cases();
	ctrl_dmabuf_cases();
}

static void usage(const char *prog)
{
	fprintf(stderr,
		"Usage: %s -i IFNAME -q QUEUE [options]   register ifqs\n"
		"       %s -i IFNAME -q QUEUE -x|-z       invalid-input cases\n"
		"       %s -s -i IFNAME -q QUEUE -p PORT [options]\n"
		"       %s -c -h HOST -p PORT -l BYTES [-P] [-M] [-D MS] [-T SECONDS]\n"
		"  -n NR       register NR ifqs on queues QUEUE.. in one ring\n"
		"  -r ENTRIES  refill ring entries (default 64)\n"
		"  -a BYTES    area size (default 1 MiB)\n"
		"  -u          refill ring in user memory instead of mmapped\n"
		"  -H KIND     the area starts 2 MiB huge pages: hugetlb or thp;\n"
		"              or is a udmabuf over a memfd: dmabuf\n"
		"  -L PAGES    RLIMIT_MEMLOCK: what the registrations charge, + PAGES\n"
		"  -R SECONDS  retry a registration refused with ENOMEM or EEXIST\n"
		"  -e ERRNO    expect the registration to fail with ERRNO; with -s,\n"
		"              expect RECV_ZC to end with it\n"
		"  -d          register QUEUE twice in the ring, expect EEXIST\n"
		"  -x          run the invalid registration cases\n"
		"  -z          run the invalid RECV_ZC submission cases\n"
		"  -t          after closing the ring, wait for the area to be unpinned\n"
		"  -w          keep the ring (and with -k the held buffers) until\n"
		"              stdin closes\n"
		"  -s          receive one connection on PORT with RECV_ZC\n"
		"  -N CONNS    server: accept CONNS connections (at most 8) on PORT,\n"
		"              receive them all in the one ring, each checked on its own\n"
		"  -Y          server: give buffers back from a thread of its own\n"
		"  -S BYTES    server: close the ring once every connection got\n"
		"              BYTES, while the peers still send\n"
		"  -c          send BYTES of the test pattern to HOST PORT\n"
		"  -O PORT     client: connect from source port PORT\n"
		"  -l BYTES    bytes the client sends, the server expects\n"
		"  -o BYTES    receive with requests limited to BYTES each\n"
		"  -k BYTES    stop giving buffers back after BYTES, close the ring\n"
		"  -C ENTRIES  completion queue entries (default 1024)\n"
		"  -b N        after every N buffers, return two that do not exist\n"
		"  -B N        return every Nth buffer with __pad set: it stays held\n"
		"  -X N        hostile refill: return every Nth buffer twice, and\n"
		"              once, half-way, move the refill tail 2^30 past the\n"
		"              head; the data is then counted, not checked; once\n"
		"              the head is two rings past, put the tail back at it\n"
		"              and return again what was returned since\n"
		"  -P          no EOF: the client sends BYTES, then waits with the\n"
		"              connection open; the server stops at BYTES\n"
		"  -M          client: TCP_NODELAY, every write a segment of its own\n"
		"  -D MS       client: wait MS after connecting, then send BYTES\n"
		"              (at most 256 KiB) with one write\n"
		"  -T SECONDS  give up after SECONDS (default 60)\n"
		"  -F          fault sweep: register failing the 1st, 2nd, ...\n"
		"              allocation (fail-nth) until none is reached\n"
		"  -f N        server: fail the Nth allocation from the first\n"
		"              RECV_ZC submission to its first completion\n"
		"  -Q          run the IORING_REGISTER_QUERY cases\n"
		"  -K          run the IORING_REGISTER_ZCRX_CTRL, IMPORT and NODEV cases\n"
		"  -V          server: an ifq without a device (ZCRX_REG_NODEV)\n"
		"  -G          server: ZCRX_CTRL_FLUSH_RQ after every refill\n"
		"  -E MODE     server: share the queue with a second ring (EXPORT,\n"
		"              IMPORT; needs -u), a connection on each in turn:\n"
		"              1 the importer first, 2 the exporter first\n"
		"  -A IF:Q     -N: one more ifq, on queue Q of device IF; ifq k\n"
		"              receives the connections to PORT + k (-n counts too)\n"
		"  -W          -N: arm the first connection with another queue's\n"
		"              ifq once: EFAULT, then the right one\n"
		"  -g BYTES    rx_buf_len: buffers of BYTES (a power of two) each\n",
		prog, prog, prog, prog);
	exit(2);
}

int main(int argc, char *argv[])
{
	static const char opts[] =
		"i:q:n:r:a:uH:L:R:e:dxztwsch:p:l:o:k:C:b:B:X:PMD:T:f:FN:YS:O:QKVGE:WA:g:";
	int opt;

	page_size = sysconf(_SC_PAGESIZE);
	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, opts)) != -1) {
		switch (opt) {
		case 'i':
			ifname = optarg;
			break;
		case 'q':
			queue = strtoul(optarg, NULL, 0);
			break;
		case 'n':
			nr_ifqs = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			rq_entries = strtoul(optarg, NULL, 0);
			break;
		case 'a':
			area_size = strtoul(optarg, NULL, 0);
			break;
		case 'u':
			user_region = true;
			break;
		case 'e':
			expect_errno = strtoul(optarg, NULL, 0);
			break;
		case 'd':
			dup_queue = true;
			break;
		case 'x':
			run_cases = true;
			break;
		case 'z':
			run_sqe_cases = true;
			break;
		case 't':
			check_teardown = true;
			break;
		case 'w':
			wait_stdin = true;
			break;
		case 's':
			server = true;
			break;
		case 'c':
			client = true;
			break;
		case 'h':
			host = optarg;
			break;
		case 'p':
			port = optarg;
			break;
		case 'l':
			payload_len = strtoull(optarg, NULL, 0);
			have_payload_len = true;
			break;
		case 'o':
			oneshot_len = strtoul(optarg, NULL, 0);
			break;
		case 'k':
			hold_after = strtoull(optarg, NULL, 0);
			hold = true;
			break;
		case 'C':
			cq_entries = strtoul(optarg, NULL, 0);
			break;
		case 'b':
			bad_refill = strtoul(optarg, NULL, 0);
			break;
		case 'X':
			hostile_refill = strtoul(optarg, NULL, 0);
			break;
		case 'B':
			pad_refill = strtoul(optarg, NULL, 0);
			break;
		case 'H':
			if (!strcmp(optarg, "hugetlb"))
				area_kind = AREA_HUGETLB;
			else if (!strcmp(optarg, "thp"))
				area_kind = AREA_THP;
			else if (!strcmp(optarg, "dmabuf"))
				area_kind = AREA_DMABUF;
			else
				usage(argv[0]);
			break;
		case 'L':
			memlock_extra = strtol(optarg, NULL, 0);
			have_memlock = true;
			break;
		case 'R':
			retry_s = strtoul(optarg, NULL, 0);
			break;
		case 'P':
			no_eof = true;
			break;
		case 'M':
			no_delay = true;
			break;
		case 'D':
			burst_delay_ms = strtoul(optarg, NULL, 0);
			break;
		case 'T':
			timeout_s = strtoul(optarg, NULL, 0);
			break;
		case 'f':
			fault_nth = strtoul(optarg, NULL, 0);
			break;
		case 'F':
			fault_sweep = true;
			break;
		case 'N':
			nr_conns = strtoul(optarg, NULL, 0);
			break;
		case 'Y':
			refill_thread = true;
			break;
		case 'S':
			stop_after = strtoull(optarg, NULL, 0);
			have_stop_after = true;
			break;
		case 'O':
			src_port = strtoul(optarg, NULL, 0);
			break;
		case 'Q':
			run_query = true;
			break;
		case 'K':
			run_ctrl = true;
			break;
		case 'V':
			nodev = true;
			break;
		case 'G':
			flush_rq = true;
			break;
		case 'E':
			export_mode = strtoul(optarg, NULL, 0);
			break;
		case 'W':
			wrong_ifq = true;
			break;
		case 'g':
			rx_buf_len = strtoul(optarg, NULL, 0);
			break;
		case 'A': {
			char *colon = strchr(optarg, ':');

			if (!colon || nr_extra == MAX_IFQS)
				usage(argv[0]);
			*colon = 0;
			extra_ifindex[nr_extra] = if_nametoindex(optarg);
			extra_queue[nr_extra] = strtoul(colon + 1, NULL, 0);
			if (!extra_ifindex[nr_extra])
				die("if_nametoindex(%s)", optarg);
			nr_extra++;
			break;
		}
		default:
			usage(argv[0]);
		}
	}

	if (client) {
		if (!host || !port || !have_payload_len || server)
			usage(argv[0]);
		do_client();
		return failures ? 1 : 0;
	}

	if (!ifname || !nr_ifqs || nr_ifqs > MAX_IFQS || (server && !port))
		usage(argv[0]);
	/* -Y and -S receive as -N does, on one connection by default */
	if (server && !nr_conns && (refill_thread || have_stop_after))
		nr_conns = 1;
	if (nr_conns && (!server || nr_conns > MAX_CONNS || oneshot_len ||
			 hold || no_eof || bad_refill || pad_refill ||
			 hostile_refill || nodev || flush_rq || export_mode))
		usage(argv[0]);
	/* several ifqs receive in -N; -Y gives back to one */
	if (server && (nr_ifqs > 1 || nr_extra) &&
	    (!nr_conns || refill_thread || nr_ifqs + nr_extra > MAX_IFQS))
		usage(argv[0]);
	if (wrong_ifq && nr_ifqs + nr_extra < 2)
		usage(argv[0]);
	/* both rings of -E produce into a refill ring in user memory */
	if (export_mode && (!server || !user_region || export_mode > 2 ||
			    nodev || hold || oneshot_len))
		usage(argv[0]);
	ifindex = if_nametoindex(ifname);
	if (!ifindex) {
		fprintf(stderr, "if_nametoindex(%s): %s\n", ifname,
			strerror(errno));
		return 1;
	}
	if (have_memlock)
		set_memlock(memlock_extra);

	if (fault_sweep)
		do_fault_sweep();
	else if (run_cases)
		do_cases();
	else if (run_sqe_cases)
		do_sqe_cases();
	else if (run_query)
		do_query_cases();
	else if (run_ctrl)
		do_ctrl_cases();
	else if (export_mode)
		do_server_export();
	else if (nr_conns)
		do_server_multi();
	else if (server)
		do_server();
	else
		do_register();

	if (failures) {
		fprintf(stderr, "%d check(s) failed\n", failures);
		return 1;
	}
	return 0;
}
