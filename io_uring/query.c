// SPDX-License-Identifier: GPL-2.0
/*
 * IORING_REGISTER_QUERY: tell the user what this kernel supports, so that
 * an application probes instead of guessing from errnos. Needs no ring.
 */
#include <linux/io_uring.h>
#include <linux/sched/signal.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <uapi/linux/io_uring/query.h>

#include "io_uring.h"
#include "query.h"
#include "zcrx.h"

/* a chain longer than this is taken for a loop */
#define IO_QUERY_MAX_ENTRIES	1000

union io_query_data {
	struct io_uring_query_opcode	opcodes;
	struct io_uring_query_zcrx	zcrx;
	struct io_uring_query_scq	scq;
};

static size_t io_query_opcodes(union io_query_data *data)
{
	struct io_uring_query_opcode *e = &data->opcodes;

	e->nr_request_opcodes = IORING_OP_LAST;
	e->nr_register_opcodes = IORING_REGISTER_LAST;
	e->feature_flags = IORING_FEAT_FLAGS;
	e->ring_setup_flags = IORING_SETUP_FLAGS;
	e->enter_flags = IORING_ENTER_FLAGS;
	e->sqe_flags = SQE_VALID_FLAGS;
	e->nr_query_opcodes = __IO_URING_QUERY_MAX;
	return sizeof(*e);
}

static size_t io_query_scq(union io_query_data *data)
{
	struct io_uring_query_scq *e = &data->scq;

	e->hdr_size = sizeof(struct io_rings);
	e->hdr_alignment = SMP_CACHE_BYTES;
	return sizeof(*e);
}

/*
 * Answer one entry at @uhdr. A bad entry is answered in its result; only a
 * fault ends the walk with an error.
 */
static int io_query_entry(void __user *uhdr, u64 *next)
{
	union io_query_data data;
	struct io_uring_query_hdr hdr;
	void __user *udata;
	ssize_t len = 0;
	int ret = 0;

	if (copy_from_user(&hdr, uhdr, sizeof(hdr)))
		return -EFAULT;
	udata = u64_to_user_ptr(hdr.query_data);
	memset(&data, 0, sizeof(data));

	if (hdr.query_op >= __IO_URING_QUERY_MAX) {
		ret = -EOPNOTSUPP;
	} else if (!mem_is_zero(hdr.__resv, sizeof(hdr.__resv)) ||
		   hdr.result || !hdr.size) {
		ret = -EINVAL;
	} else {
		switch (hdr.query_op) {
		case IO_URING_QUERY_OPCODES:
			len = io_query_opcodes(&data);
			break;
		case IO_URING_QUERY_ZCRX:
			len = io_zcrx_query(&data.zcrx);
			break;
		case IO_URING_QUERY_SCQ:
			len = io_query_scq(&data);
			break;
		}
		if (len < 0) {
			ret = len;
			len = 0;
		}
	}

	/*
	 * A smaller buffer gets the start, a larger one is zeroed past the
	 * end, as is the buffer of an entry answered with an error.
	 */
	len = min_t(size_t, len, hdr.size);
	if (copy_to_user(udata, &data, len) ||
	    clear_user(udata + len, hdr.size - len))
		return -EFAULT;
	hdr.result = ret;
	hdr.size = len;
	if (copy_to_user(uhdr, &hdr, sizeof(hdr)))
		return -EFAULT;
	*next = hdr.next_entry;
	return 0;
}

/**
 * io_query() - IORING_REGISTER_QUERY
 * @arg: the first &struct io_uring_query_hdr of a chain
 * @nr_args: must be 0
 *
 * Return: 0 with every entry answered (its own result: 0, -EOPNOTSUPP for
 * an unknown query, -EINVAL for non-zero reserved fields or result, or a
 * size of 0), -EINVAL if @nr_args is not 0, -EFAULT if a header or buffer
 * cannot be accessed, -ERANGE for a chain of 1000 entries or more, or
 * -EINTR if a fatal signal is pending.
 */
int io_query(void __user *arg, unsigned int nr_args)
{
	void __user *uhdr = arg;
	unsigned int nr = 0;
	int ret;

	if (nr_args)
		return -EINVAL;

	while (uhdr) {
		u64 next;

		ret = io_query_entry(uhdr, &next);
		if (ret)
			return ret;
		uhdr = u64_to_user_ptr(next);
		if (++nr >= IO_QUERY_MAX_ENTRIES)
			return -ERANGE;
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	return 0;
}
