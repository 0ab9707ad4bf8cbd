// SPDX-License-Identifier: GPL-2.0
/*
 * The list of uapi_defs.h as the kernel's uapi headers define it; built
 * with -isystem HDR (the headers installed from the assembled tree) and
 * never in the same translation unit as liburing.h: the two copies of
 * io_uring.h share an include guard.
 */
#include <linux/io_uring.h>
#include <linux/io_uring/query.h>

#include "uapi_defs.h"
#include "util.h"

const struct uapi_def *uapi_kernel = uapi_defs;
const unsigned int uapi_kernel_len = ARRAY_SIZE(uapi_defs);
