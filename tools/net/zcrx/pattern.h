/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The byte stream zcrx-send sends and zcrx-recv --verify checks.
 *
 * A connection's stream starts with a seed, 8 bytes little-endian, that
 * the sender picks per connection. Byte n >= 8 of the stream is
 * table[(seed + n) % ZCRX_PATTERN_PERIOD], where table[i] is the top byte
 * of i times the 64-bit golden ratio. The period is prime, so data moved
 * by any whole number of pages short of 4 GiB shows other bytes; the
 * seeds tell connections apart, so data handed to the wrong socket shows
 * as well. Checking is a memcmp() against the table.
 */
#ifndef ZCRX_PATTERN_H
#define ZCRX_PATTERN_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>

#define ZCRX_PATTERN_PERIOD	1048573U	/* a prime, 2^20 - 3 */
#define ZCRX_PATTERN_SPAN	(1024U * 1024)	/* bytes readable from any index */
#define ZCRX_PATTERN_SEED_LEN	8

/**
 * struct zcrx_stream - one direction of one connection
 * @seed: the stream's seed, complete once @pos reached 8
 * @pos: bytes of the stream so far
 * @bad: a byte was not what the pattern says
 * @bad_pos: the first such byte's position
 * @bad_got: its value
 * @bad_want: the pattern's
 */
struct zcrx_stream {
	__u64		seed;
	__u64		pos;
	bool		bad;
	__u64		bad_pos;
	unsigned char	bad_got;
	unsigned char	bad_want;
};

/* The pattern, made contiguous for ZCRX_PATTERN_SPAN bytes from any index. */
static inline unsigned char *zcrx_pattern_table(void)
{
	unsigned char *t = malloc(ZCRX_PATTERN_PERIOD + ZCRX_PATTERN_SPAN);
	__u64 i;

	if (!t)
		return NULL;
	for (i = 0; i < ZCRX_PATTERN_PERIOD + ZCRX_PATTERN_SPAN; i++)
		t[i] = ((i % ZCRX_PATTERN_PERIOD) * 0x9e3779b97f4a7c15ULL) >> 56;
	return t;
}

static inline __u32 zcrx_pattern_index(__u64 seed, __u64 pos)
{
	return (seed % ZCRX_PATTERN_PERIOD + pos % ZCRX_PATTERN_PERIOD) %
	       ZCRX_PATTERN_PERIOD;
}

/**
 * zcrx_stream_fill() - write the next @len bytes of a stream
 * @table: from zcrx_pattern_table()
 * @st: the stream, with its seed set
 * @buf: where to write
 * @len: how many bytes
 */
static inline void zcrx_stream_fill(const unsigned char *table,
				    struct zcrx_stream *st, void *buf, size_t len)
{
	unsigned char *p = buf;
	size_t n;

	for (; len && st->pos < ZCRX_PATTERN_SEED_LEN; len--, st->pos++)
		*p++ = st->seed >> (8 * st->pos);
	for (; len; p += n, len -= n) {
		n = len < ZCRX_PATTERN_SPAN ? len : ZCRX_PATTERN_SPAN;
		memcpy(p, table + zcrx_pattern_index(st->seed, st->pos), n);
		st->pos += n;
	}
}

/**
 * zcrx_stream_check() - check the next @len bytes of a stream
 * @table: from zcrx_pattern_table()
 * @st: the stream, zeroed at its start
 * @buf: the bytes received
 * @len: how many
 *
 * Return: false if a byte differs from the pattern, now or before.
 */
static inline bool zcrx_stream_check(const unsigned char *table,
				     struct zcrx_stream *st, const void *buf,
				     size_t len)
{
	const unsigned char *p = buf;
	size_t n;

	for (; len && st->pos < ZCRX_PATTERN_SEED_LEN; len--, st->pos++)
		st->seed |= (__u64)*p++ << (8 * st->pos);
	for (; len && !st->bad; p += n, len -= n) {
		const unsigned char *want;
		size_t i;

		n = len < ZCRX_PATTERN_SPAN ? len : ZCRX_PATTERN_SPAN;
		want = table + zcrx_pattern_index(st->seed, st->pos);
		if (memcmp(p, want, n)) {
			for (i = 0; p[i] == want[i]; i++)
				;
			st->bad = true;
			st->bad_pos = st->pos + i;
			st->bad_got = p[i];
			st->bad_want = want[i];
		}
		st->pos += n;
	}
	st->pos += len;
	return !st->bad;
}

#endif /* ZCRX_PATTERN_H */
