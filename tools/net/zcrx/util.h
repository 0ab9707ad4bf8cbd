/* SPDX-License-Identifier: GPL-2.0 */
/* zcrx tools: what the kernel's headers would give them. */
#ifndef ZCRX_UTIL_H
#define ZCRX_UTIL_H

#include <stdlib.h>
#include <time.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define fallthrough	__attribute__((__fallthrough__))

/* "64M" and the like, binary multiples */
static inline unsigned long long parse_size(const char *s)
{
	unsigned long long v;
	char *end;

	v = strtoull(s, &end, 0);
	switch (*end) {
	case 'G': case 'g':
		v <<= 10;
		fallthrough;
	case 'M': case 'm':
		v <<= 10;
		fallthrough;
	case 'K': case 'k':
		v <<= 10;
	}
	return v;
}

static inline double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* zcrx.c: the whole of a file under @dirfd, NUL-terminated, to free() */
int zcrx_read_at(int dirfd, const char *path, char **text);

#endif /* ZCRX_UTIL_H */
