// SPDX-License-Identifier: GPL-2.0
/*
 * zcrx-send: send the pattern of pattern.h to zcrx-recv --verify.
 *
 * Opens CONNS connections to HOST:PORT, each with a stream of its own
 * seed, and sends BYTES in all, split evenly, with poll() and
 * non-blocking send(). A connection ends when the receiver closes it
 * after the sender's FIN: the time includes the delivery. Prints a
 * summary line, key=value, at the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "pattern.h"
#include "util.h"

struct sender {
	int			fd;
	struct zcrx_stream	st;
	unsigned long long	len;	/* the stream's length */
	char			*buf;
	size_t			off;	/* sent of buf */
	size_t			end;	/* filled of buf */
	bool			sent;	/* all of it: wait for the peer's close */
};

static noreturn void die(const char *what)
{
	fprintf(stderr, "zcrx-send: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int connect_to(const char *host, const char *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai, *a;
	int fd = -1, ret;

	ret = getaddrinfo(host, port, &hints, &ai);
	if (ret) {
		fprintf(stderr, "zcrx-send: %s: %s\n", host, gai_strerror(ret));
		exit(1);
	}
	for (a = ai; a; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC,
			    a->ai_protocol);
		if (fd < 0)
			continue;
		if (!connect(fd, a->ai_addr, a->ai_addrlen))
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	if (fd < 0)
		die("connect");
	if (fcntl(fd, F_SETFL, O_NONBLOCK))
		die("fcntl");
	return fd;
}

/* Send what is buffered, refill when empty; false once all is sent. */
static bool send_some(const unsigned char *table, struct sender *s,
		      size_t buf_len)
{
	ssize_t n;

	if (s->off == s->end) {
		unsigned long long left = s->len - s->st.pos;

		if (!left)
			return false;
		s->off = 0;
		s->end = left < buf_len ? left : buf_len;
		zcrx_stream_fill(table, &s->st, s->buf, s->end);
	}
	n = send(s->fd, s->buf + s->off, s->end - s->off, MSG_NOSIGNAL);
	if (n < 0 && errno != EAGAIN && errno != EINTR)
		die("send");
	if (n > 0)
		s->off += n;
	return true;
}

static noreturn void show_usage(int status)
{
	fprintf(status ? stderr : stdout,
		"usage: zcrx-send -h HOST -p PORT -l BYTES [-c CONNS] [-b BUF_BYTES]\n"
		"  BYTES in all, split over CONNS connections (default 1);\n"
		"  sizes take K, M and G suffixes\n");
	exit(status);
}

int main(int argc, char **argv)
{
	const char *host = NULL, *port = NULL;
	unsigned long long total = 0, sent = 0;
	unsigned int i, nr = 1, active;
	size_t buf_len = 256 << 10;
	unsigned char *table;
	struct sender *snd;
	struct pollfd *pfd;
	double t0;
	int c;

	while ((c = getopt(argc, argv, "h:p:l:c:b:")) != -1) {
		switch (c) {
		case 'h':
			host = optarg;
			break;
		case 'p':
			port = optarg;
			break;
		case 'l':
			total = parse_size(optarg);
			break;
		case 'c':
			nr = strtoul(optarg, NULL, 0);
			break;
		case 'b':
			buf_len = parse_size(optarg);
			break;
		default:
			show_usage(1);
		}
	}
	if (optind != argc || !host || !port || !nr || !buf_len)
		show_usage(1);
	if (total / nr < ZCRX_PATTERN_SEED_LEN) {
		fprintf(stderr, "zcrx-send: each connection needs %d bytes at least\n",
			ZCRX_PATTERN_SEED_LEN);
		return 1;
	}

	table = zcrx_pattern_table();
	snd = calloc(nr, sizeof(*snd));
	pfd = calloc(nr, sizeof(*pfd));
	if (!table || !snd || !pfd)
		die("malloc");
	t0 = now();
	for (i = 0; i < nr; i++) {
		struct sender *s = &snd[i];

		s->fd = connect_to(host, port);
		s->len = total / nr + (i == nr - 1 ? total % nr : 0);
		if (getrandom(&s->st.seed, sizeof(s->st.seed), 0) < 0)
			die("getrandom");
		s->buf = malloc(buf_len);
		if (!s->buf)
			die("malloc");
	}

	for (active = nr; active;) {
		for (i = 0; i < nr; i++)
			pfd[i] = (struct pollfd){
				.fd = snd[i].fd,
				.events = snd[i].sent ? POLLIN : POLLOUT,
			};
		if (poll(pfd, nr, -1) < 0 && errno != EINTR)
			die("poll");
		for (i = 0; i < nr; i++) {
			struct sender *s = &snd[i];
			ssize_t n;
			char byte;

			if (s->fd < 0 || !pfd[i].revents)
				continue;
			if (!s->sent) {
				if (send_some(table, s, buf_len))
					continue;
				s->sent = true;
				if (shutdown(s->fd, SHUT_WR))
					die("shutdown");
				continue;
			}
			/* the receiver sends nothing: 0 is its close */
			n = recv(s->fd, &byte, 1, 0);
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				die("recv");
			if (n)
				continue;
			sent += s->len;
			close(s->fd);
			s->fd = -1;
			active--;
		}
	}
	printf("summary mode=send conns=%u bytes=%llu wall_s=%.3f mib_s=%.1f\n",
	       nr, sent, now() - t0, sent / (now() - t0) / (1 << 20));
	return 0;
}
