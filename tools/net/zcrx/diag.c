// SPDX-License-Identifier: GPL-2.0
/*
 * zcrx: why a queue cannot receive zero-copy, from the device's settings.
 *
 * The kernel refuses a registration with an errno only (io_uring has no
 * extack), so the settings are read back with ethtool and sysfs and each
 * problem is described with the command that fixes it. Parsing and
 * diagnosis take the settings as text and data, so that they can be
 * tested without a device.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zcrx.h"
#include "util.h"

void zcrx_dev_init(struct zcrx_dev_settings *s)
{
	s->tcp_data_split = ZCRX_UNREAD;
	s->hds_thresh = ZCRX_UNREAD;
	s->rx_queues = ZCRX_UNREAD;
	s->rss_has_queue = ZCRX_UNREAD;
	s->rss_queues = ZCRX_UNREAD;
	s->rule = ZCRX_UNREAD;
	s->rule_loc = -1;
	s->rule_queue = -1;
}

static const char *next_line(const char *p)
{
	p = strchr(p, '\n');
	return p ? p + 1 : NULL;
}

/* Is @line "KEY: value", leading blanks aside? Point @val at the value. */
static bool line_kv(const char *line, const char *key, const char **val)
{
	size_t len = strlen(key);

	while (*line == ' ' || *line == '\t')
		line++;
	if (strncmp(line, key, len) || line[len] != ':')
		return false;
	line += len + 1;
	while (*line == ' ' || *line == '\t')
		line++;
	*val = line;
	return true;
}

static bool word_is(const char *v, const char *word)
{
	size_t len = strlen(word);

	return !strncmp(v, word, len) && !isalnum((unsigned char)v[len]) &&
	       v[len] != '/';
}

int zcrx_dev_parse_rings(struct zcrx_dev_settings *s, const char *text)
{
	const char *p = strstr(text, "Current hardware settings:");
	const char *v;

	if (!p)
		return -ENODATA;
	for (p = next_line(p); p && *p; p = next_line(p)) {
		if (line_kv(p, "TCP data split", &v)) {
			if (word_is(v, "on"))
				s->tcp_data_split = ZCRX_HDS_ON;
			else if (word_is(v, "off"))
				s->tcp_data_split = ZCRX_HDS_OFF;
			else
				s->tcp_data_split = ZCRX_HDS_NA;
		} else if (line_kv(p, "HDS thresh", &v) && isdigit(*v)) {
			s->hds_thresh = strtoll(v, NULL, 10);
		}
	}
	return 0;
}

int zcrx_dev_parse_rss(struct zcrx_dev_settings *s, const char *text,
		       unsigned int queue)
{
	const char *p = strstr(text, "indirection table");
	int entries = 0, max = -1;
	bool found = false;

	if (!p)
		return -ENODATA;
	/* "    8:      0     1     2 ..." until "RSS hash key:" */
	for (p = next_line(p); p && *p; p = next_line(p)) {
		const char *eol = strchr(p, '\n');
		const char *q = p;
		char *end;

		while (*q == ' ' || *q == '\t')
			q++;
		if (!isdigit(*q))
			break;
		strtol(q, &end, 10);
		if (*end != ':')
			break;
		for (q = end + 1;; q = end) {
			long v = strtol(q, &end, 10);

			if (end == q || (eol && end > eol))
				break;
			entries++;
			if (v == queue)
				found = true;
			if (v > max)
				max = v;
		}
	}
	if (!entries)
		return -ENODATA;
	s->rss_has_queue = found;
	s->rss_queues = max + 1;
	return 0;
}

struct zcrx_rule {
	int	loc;
	bool	tcp;
	bool	port;
	bool	context;
	int	queue;
};

static void zcrx_rule_end(struct zcrx_dev_settings *s,
			  const struct zcrx_rule *r, unsigned int queue)
{
	/* a rule into an RSS context spreads: it does not pin the queue */
	if (!r->tcp || !r->port || r->context || r->queue < 0)
		return;
	if ((unsigned int)r->queue == queue) {
		s->rule = 1;
	} else if (s->rule_loc < 0) {
		s->rule_loc = r->loc;
		s->rule_queue = r->queue;
	}
}

int zcrx_dev_parse_ntuple(struct zcrx_dev_settings *s, const char *text,
			  unsigned int port, unsigned int queue)
{
	struct zcrx_rule r = { .loc = -1, .queue = -1 };
	const char *p, *v;

	if (!strstr(text, "Total ") && !strstr(text, "Filter:"))
		return -ENODATA;
	s->rule = 0;
	s->rule_loc = -1;
	s->rule_queue = -1;
	for (p = text; p && *p; p = next_line(p)) {
		if (line_kv(p, "Filter", &v)) {
			zcrx_rule_end(s, &r, queue);
			memset(&r, 0, sizeof(r));
			r.loc = atoi(v);
			r.queue = -1;
		} else if (line_kv(p, "Rule Type", &v)) {
			r.tcp = !strncasecmp(v, "TCP over IPv", 12);
		} else if (line_kv(p, "Dest port", &v)) {
			const char *m = strstr(v, "mask:");
			char *end;

			/* ethtool prints the bits that are ignored */
			r.port = strtoul(v, &end, 10) == port &&
				 (!m || !strtoul(m + 5, NULL, 16));
		} else if (line_kv(p, "RSS Context ID", &v) ||
			   line_kv(p, "RSS Context", &v)) {
			r.context = true;
		} else if (line_kv(p, "Action", &v)) {
			if (sscanf(v, "Direct to queue %d", &r.queue) != 1)
				r.queue = -1;
		}
	}
	zcrx_rule_end(s, &r, queue);
	return 0;
}

/*
 * Run @argv, its stdout and stderr into @buf. Spawned without copying
 * our memory: the caller may hold a large pinned area.
 */
static int zcrx_run(char *const argv[], char *buf, size_t size)
{
	posix_spawn_file_actions_t fa;
	size_t len = 0;
	int pfd[2], status, ret;
	ssize_t n;
	pid_t pid;

	buf[0] = '\0';
	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	ret = posix_spawn_file_actions_init(&fa);
	if (!ret)
		ret = posix_spawn_file_actions_adddup2(&fa, pfd[1], STDOUT_FILENO);
	if (!ret)
		ret = posix_spawn_file_actions_adddup2(&fa, pfd[1], STDERR_FILENO);
	if (!ret)
		ret = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	if (ret) {
		close(pfd[0]);
		return -ret;
	}
	/* read to the end, or the child blocks; keep what fits */
	for (;;) {
		char sink[512];

		if (len < size - 1)
			n = read(pfd[0], buf + len, size - 1 - len);
		else
			n = read(pfd[0], sink, sizeof(sink));
		if (n <= 0)
			break;
		if (len < size - 1)
			len += n;
	}
	buf[len] = '\0';
	close(pfd[0]);
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -EIO;
}

static int zcrx_count_rx_queues(const char *ifname)
{
	char path[128];
	struct dirent *d;
	int n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/sys/class/net/%s/queues", ifname);
	dir = opendir(path);
	if (!dir)
		return ZCRX_UNREAD;
	while ((d = readdir(dir)))
		n += !strncmp(d->d_name, "rx-", 3);
	closedir(dir);
	return n;
}

void zcrx_dev_read(struct zcrx_dev_settings *s, const char *ifname,
		   unsigned int queue, unsigned int port)
{
	static const char * const opts[] = { "-g", "-x", "-n" };
	size_t size = 1 << 16;
	char *argv[4], *buf;
	unsigned int i;

	zcrx_dev_init(s);
	if (strchr(ifname, '/'))
		return;
	s->rx_queues = zcrx_count_rx_queues(ifname);
	buf = malloc(size);
	if (!buf)
		return;
	argv[0] = "ethtool";
	argv[2] = (char *)ifname;
	argv[3] = NULL;
	for (i = 0; i < ARRAY_SIZE(opts); i++) {
		argv[1] = (char *)opts[i];
		if (zcrx_run(argv, buf, size))
			continue;
		if (i == 0)
			zcrx_dev_parse_rings(s, buf);
		else if (i == 1)
			zcrx_dev_parse_rss(s, buf, queue);
		else
			zcrx_dev_parse_ntuple(s, buf, port, queue);
	}
	free(buf);
}

/*
 * The diagnosis: each problem on a line starting with "  - ", each command
 * that fixes it on a line starting with "    fix: ".
 */

/* The command that takes @queue out of the RSS table of @nq queues. */
static void zcrx_fix_rss(FILE *f, const char *ifname, unsigned int queue,
			 int nq)
{
	int i;

	if (nq < 2) {
		fprintf(f,
			"    fix: ethtool -L %s combined 2, then take queue %u out of the RSS table\n",
			ifname, queue);
		return;
	}
	if (queue == (unsigned int)nq - 1) {
		fprintf(f, "    fix: ethtool -X %s equal %u\n", ifname, queue);
		return;
	}
	fprintf(f, "    fix: ethtool -X %s weight", ifname);
	for (i = 0; i < nq; i++)
		fprintf(f, " %d", (unsigned int)i != queue);
	fputc('\n', f);
}

static void zcrx_explain_errno(FILE *f, const struct zcrx_dev_settings *s,
			       const char *ifname, unsigned int queue, int err)
{
	switch (-err) {
	case EPERM:
		fprintf(f, "  - binding a queue needs CAP_NET_ADMIN\n"
			"    fix: run as root\n");
		break;
	case ENODEV:
		fprintf(f, "  - there is no device %s in this network namespace\n",
			ifname);
		break;
	case ERANGE:
		fprintf(f, "  - %s has no rx queue %u\n"
			"    fix: ethtool -l %s shows the queue count\n",
			ifname, queue, ifname);
		break;
	case EEXIST:
		fprintf(f,
			"  - rx queue %u is already bound to a memory provider (another zero-copy receiver or a devmem binding)\n"
			"    fix: stop that receiver, or pick another queue\n",
			queue);
		break;
	case EBUSY:
		fprintf(f, "  - an XDP program or AF_XDP socket uses %s\n"
			"    fix: ip link set dev %s xdp off\n", ifname, ifname);
		break;
	case ENETDOWN:
		fprintf(f, "  - %s is down\n    fix: ip link set dev %s up\n",
			ifname, ifname);
		break;
	case EOPNOTSUPP:
		fprintf(f,
			"  - the driver of %s cannot restart a queue with user memory (no queue management, or its page pool refuses unreadable memory), or the kernel lacks CONFIG_IO_URING_ZCRX\n",
			ifname);
		break;
	case ENOMEM:
		fprintf(f,
			"  - the area is larger than the locked-memory limit allows, or memory is short\n"
			"    fix: ulimit -l unlimited, or a smaller area\n");
		break;
	case EINVAL:
		if (s->tcp_data_split == ZCRX_UNREAD)
			fprintf(f,
				"  - the kernel refused the arguments or the device, whose header split settings could not be read (is ethtool 6.14 or later installed?)\n");
		else
			fprintf(f,
				"  - the kernel refused the arguments; the device settings it checks look right\n");
		break;
	default:
		fprintf(f, "  - registration failed: %s\n",
			zcrx_strerror(err));
		break;
	}
}

static int zcrx_count_problems(const char *text)
{
	const char *p = text;
	int n = 0;

	for (; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		n += !strncmp(p, "  - ", 4);
	return n;
}

static void zcrx_diagnose_settings(FILE *f, const struct zcrx_dev_settings *s,
				   const char *ifname, unsigned int queue,
				   unsigned int port, int err)
{
	bool range = s->rx_queues != ZCRX_UNREAD &&
		     queue >= (unsigned int)s->rx_queues;
	bool refused = false;

	if (range) {
		fprintf(f, "  - rx queue %u does not exist: %s has %d rx queues\n"
			"    fix: ethtool -L %s combined %u\n",
			queue, ifname, s->rx_queues, ifname, queue + 1);
		refused = true;
	}
	if (s->tcp_data_split == ZCRX_HDS_NA) {
		fprintf(f,
			"  - %s does not report header split (tcp-data-split n/a): its driver cannot put payload apart from headers\n",
			ifname);
		refused = true;
	} else if (s->tcp_data_split == ZCRX_HDS_OFF) {
		fprintf(f,
			"  - header split is off on %s: headers and payload share buffers, so payload cannot go to the area alone\n"
			"    fix: ethtool -G %s tcp-data-split on%s\n",
			ifname, ifname,
			s->hds_thresh == ZCRX_UNREAD ? "" : " hds-thresh 0");
		refused = true;
	} else if (s->hds_thresh > 0) {
		fprintf(f,
			"  - hds-thresh is %lld on %s: packets up to %lld bytes are not split; it must be 0\n"
			"    fix: ethtool -G %s hds-thresh 0\n",
			s->hds_thresh, ifname, s->hds_thresh, ifname);
		refused = true;
	}

	if (s->rss_has_queue == 1 && !range) {
		fprintf(f,
			"  - rx queue %u is in the RSS indirection table of %s: other flows land in the area too, unreadable to their sockets\n",
			queue, ifname);
		zcrx_fix_rss(f, ifname, queue, s->rx_queues != ZCRX_UNREAD ?
					       s->rx_queues : s->rss_queues);
	}
	if (!s->rule && s->rule_loc >= 0)
		fprintf(f,
			"  - ntuple rule %d steers TCP port %u to queue %d, not %u: the data will be copied\n"
			"    fix: ethtool -N %s delete %d\n",
			s->rule_loc, port, s->rule_queue, queue, ifname,
			s->rule_loc);
	else if (!s->rule)
		fprintf(f,
			"  - no ntuple rule steers TCP port %u to queue %u: the data arrives on other queues and is copied\n",
			port, queue);
	if (!s->rule)
		fprintf(f, "    fix: ethtool -N %s flow-type tcp6 dst-port %u action %u\n"
			"    and for IPv4 clients: ethtool -N %s flow-type tcp4 dst-port %u action %u\n",
			ifname, port, queue, ifname, port, queue);

	/* a refusal the settings explain needs no more words */
	if (err && !(refused && (err == -EINVAL || err == -ERANGE)))
		zcrx_explain_errno(f, s, ifname, queue, err);
}

int zcrx_diagnose(const struct zcrx_dev_settings *s, const char *ifname,
		  unsigned int queue, unsigned int port, int err, char *buf,
		  size_t size)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int n;

	if (size)
		buf[0] = '\0';
	f = open_memstream(&text, &len);
	if (!f)
		return -ENOMEM;
	if (err == -ZCRX_ENOKERNEL)
		fprintf(f, "  - this kernel has no io_uring zero-copy receive\n"
			"    fix: boot a kernel with the zcrx patches and CONFIG_IO_URING_ZCRX=y\n");
	else
		zcrx_diagnose_settings(f, s, ifname, queue, port, err);
	if (fclose(f)) {
		free(text);
		return -ENOMEM;
	}
	n = zcrx_count_problems(text);
	if (size)
		snprintf(buf, size, "%s", text);
	free(text);
	return n;
}
