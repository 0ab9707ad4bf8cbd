// SPDX-License-Identifier: GPL-2.0
/* The list of uapi_defs.h as liburing's bundled io_uring.h defines it. */
#include <liburing.h>

#include "uapi_defs.h"
#include "util.h"

const struct uapi_def *uapi_liburing = uapi_defs;
const unsigned int uapi_liburing_len = ARRAY_SIZE(uapi_defs);
