/* SPDX-License-Identifier: GPL-2.0 */
/* The uapi comparison of uapi.c: one table compiled twice (uapi_defs.h). */
#ifndef ZCRX_TEST_UAPI_H
#define ZCRX_TEST_UAPI_H

#include <stdbool.h>

/**
 * struct uapi_def - one definition as compiled
 * @name: "IORING_OP_RECV_ZC", "sizeof(struct x)", "offsetof(struct x, f)"
 * @value: its value
 */
struct uapi_def {
	const char		*name;
	unsigned long long	value;
};

extern const struct uapi_def *uapi_kernel, *uapi_liburing;
extern const unsigned int uapi_kernel_len, uapi_liburing_len;

/**
 * test_uapi() - compare the two compilations and check the table is whole
 *
 * Return: true if they agree and every zcrx and query name is compared.
 */
bool test_uapi(void);

#endif /* ZCRX_TEST_UAPI_H */
