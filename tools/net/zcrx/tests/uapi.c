// SPDX-License-Identifier: GPL-2.0
/*
 * Our uapi against liburing's: every zero-copy receive and query
 * definition both headers have, compared by value, size and offset
 * (uapi_defs.h), and the table checked for completeness against the text
 * of the kernel's headers in UAPI_DIR.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <liburing/io_uring_version.h>

#include "uapi.h"
#include "util.h"

/*
 * Names of the kernel's headers that are no ABI: enum tags, which
 * liburing spells differently (zcrx_reg_flags, zcrx_features), and the
 * include guard.
 */
static const char * const not_abi[] = {
	"io_uring_zcrx_area_flags",
	"io_uring_zcrx_ifq_reg_flags",
	"io_uring_zcrx_features",
	"zcrx_ctrl_op",
	"LINUX_IO_URING_QUERY_H",
};

/* Words of C and of the headers' plumbing that name nothing of the ABI. */
static const char * const c_words[] = {
	"struct", "enum", "union", "define", "ifndef", "endif", "include",
	"linux", "types", "h", "__u32", "__u64", "__s32",
};

static bool word_in(const char *word, size_t len, const char *text)
{
	const char *p = text;

	while ((p = strstr(p, word)) && len) {
		bool start = p == text || !(isalnum((unsigned char)p[-1]) ||
					    p[-1] == '_');
		bool end = !(isalnum((unsigned char)p[len]) || p[len] == '_');

		if (start && end)
			return true;
		p += len;
	}
	return false;
}

static bool listed(const char *word)
{
	size_t i, len = strlen(word);

	for (i = 0; i < ARRAY_SIZE(not_abi); i++)
		if (!strcmp(word, not_abi[i]))
			return true;
	for (i = 0; i < uapi_kernel_len; i++)
		if (word_in(word, len, uapi_kernel[i].name))
			return true;
	return false;
}

static bool c_word(const char *word)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(c_words); i++)
		if (!strcmp(word, c_words[i]))
			return true;
	return false;
}

static char *read_text(const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f, *m;
	int c;

	f = fopen(path, "r");
	if (!f)
		return NULL;
	m = open_memstream(&buf, &len);
	if (m) {
		while ((c = getc(f)) != EOF)
			putc(c, m);
		fclose(m);
	}
	fclose(f);
	return buf;
}

/* Blank out the comments, which name definitions in prose. */
static void strip_comments(char *text)
{
	char *p = text, *end;

	while ((p = strstr(p, "/*"))) {
		end = strstr(p + 2, "*/");
		end = end ? end + 2 : p + strlen(p);
		memset(p, ' ', end - p);
		p = end;
	}
}

/*
 * Every identifier of @path that @wanted selects must be in the list.
 * Return: the number missing, or -1 if @path cannot be read.
 */
static int missing(const char *path, bool (*wanted)(const char *word))
{
	char *text = read_text(path), *p, word[128];
	int n = 0;

	if (!text) {
		printf("# cannot read %s\n", path);
		return -1;
	}
	strip_comments(text);
	for (p = text; *p;) {
		size_t len = 0;

		if (!isalpha((unsigned char)*p) && *p != '_') {
			p++;
			continue;
		}
		while (isalnum((unsigned char)p[len]) || p[len] == '_')
			len++;
		if (len < sizeof(word)) {
			memcpy(word, p, len);
			word[len] = '\0';
			if (wanted(word) && !listed(word)) {
				printf("# %s: %s is not compared in uapi_defs.h\n",
				       path, word);
				n++;
			}
		}
		p += len;
	}
	free(text);
	return n;
}

/* io_uring.h: whatever names zero-copy receive */
static bool zcrx_word(const char *word)
{
	return strcasestr(word, "zcrx");
}

/* query.h: everything it defines */
static bool query_word(const char *word)
{
	return !c_word(word);
}

bool test_uapi(void)
{
	bool ok = true;
	unsigned int i;

	/* one list, compiled twice: the same entries in the same order */
	for (i = 0; i < uapi_kernel_len; i++) {
		if (uapi_kernel[i].value == uapi_liburing[i].value)
			continue;
		printf("# %s: kernel %llu, liburing %llu\n", uapi_kernel[i].name,
		       uapi_kernel[i].value, uapi_liburing[i].value);
		ok = false;
	}
	if (missing(UAPI_DIR "/linux/io_uring.h", zcrx_word))
		ok = false;
	if (missing(UAPI_DIR "/linux/io_uring/query.h", query_word))
		ok = false;
	printf("# %u definitions compared with liburing %d.%d\n",
	       uapi_kernel_len, IO_URING_VERSION_MAJOR, IO_URING_VERSION_MINOR);
	return ok;
}
