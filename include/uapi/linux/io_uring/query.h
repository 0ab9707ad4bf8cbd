/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * IORING_REGISTER_QUERY: what the running kernel supports.
 *
 * The argument is the first of a chain of &struct io_uring_query_hdr;
 * each names what to query and a buffer for the answer. The call works
 * on a ring and without one (ring fd -1).
 */
#ifndef LINUX_IO_URING_QUERY_H
#define LINUX_IO_URING_QUERY_H

#include <linux/types.h>

struct io_uring_query_hdr {
	__u64 next_entry;	/* user pointer to the next header, 0 ends */
	__u64 query_data;	/* user pointer to the answer's buffer */
	__u32 query_op;		/* IO_URING_QUERY_* */
	__u32 size;		/* in: buffer size; out: bytes written */
	__s32 result;		/* out: 0 or a negative errno */
	__u32 __resv[3];
};

enum {
	IO_URING_QUERY_OPCODES		= 0,
	IO_URING_QUERY_ZCRX		= 1,
	IO_URING_QUERY_SCQ		= 2,

	__IO_URING_QUERY_MAX,
};

/* IO_URING_QUERY_OPCODES */
struct io_uring_query_opcode {
	__u32 nr_request_opcodes;	/* IORING_OP_* below this exist */
	__u32 nr_register_opcodes;	/* IORING_REGISTER_* below this */
	__u64 feature_flags;		/* IORING_FEAT_* */
	__u64 ring_setup_flags;		/* IORING_SETUP_* accepted */
	__u64 enter_flags;		/* IORING_ENTER_* accepted */
	__u64 sqe_flags;		/* IOSQE_* accepted */
	__u32 nr_query_opcodes;		/* IO_URING_QUERY_* below this */
	__u32 __pad;
};

/* IO_URING_QUERY_ZCRX */
struct io_uring_query_zcrx {
	__u64 register_flags;		/* ZCRX_REG_* accepted */
	__u64 area_flags;		/* IORING_ZCRX_AREA_* accepted */
	__u32 nr_ctrl_opcodes;		/* ZCRX_CTRL_* below this exist */
	__u32 features;			/* ZCRX_FEATURE_* */
	__u32 rq_hdr_size;		/* refill ring header: head and tail */
	__u32 rq_hdr_alignment;		/* where the entries may start */
	__u64 __resv2;
};

/* IO_URING_QUERY_SCQ */
struct io_uring_query_scq {
	__u64 hdr_size;			/* SQ/CQ ring header size */
	__u64 hdr_alignment;		/* its alignment */
};

#endif
