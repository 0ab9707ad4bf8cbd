/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zcrx: generic netlink requests, on libnl-genl-3.
 *
 * The tools read the kernel over netlink: device settings from the
 * "ethtool" family, queues and page pools from "netdev". This layer opens
 * a socket bound to one family, sends a request and hands each reply
 * message to a parser. The parsers take a message, not a socket, so the
 * tests feed them messages built in memory.
 */
#ifndef ZCRX_NL_H
#define ZCRX_NL_H

#include <stdbool.h>
#include <linux/types.h>
#include <netlink/genl/genl.h>

/**
 * struct zcrx_nl - a generic netlink socket bound to one family
 * @sk: the socket
 * @family: the family's id
 * @version: the family's version, sent in every request
 * @extack: the kernel's message with the last error, or ""
 */
struct zcrx_nl {
	struct nl_sock	*sk;
	int		family;
	__u8		version;
	char		extack[256];
};

/**
 * zcrx_nl_open() - open a socket for a generic netlink family
 * @nl: filled in on success
 * @family: the family's name, "ethtool" or "netdev"
 *
 * Return: 0, -ENOENT if the kernel has no such family, or another
 * negative errno.
 */
int zcrx_nl_open(struct zcrx_nl *nl, const char *family);

/**
 * zcrx_nl_close() - close the socket
 * @nl: the socket; closing it twice is harmless
 */
void zcrx_nl_close(struct zcrx_nl *nl);

/**
 * zcrx_nl_msg() - start a request
 * @nl: the socket whose family it goes to
 * @cmd: the command
 * @flags: 0 for a do, NLM_F_DUMP for a dump
 *
 * Return: the message, to fill with nla_put*() and send with
 * zcrx_nl_request(), or NULL if out of memory.
 */
struct nl_msg *zcrx_nl_msg(const struct zcrx_nl *nl, __u8 cmd, int flags);

/**
 * zcrx_nl_request() - send a request and parse its reply
 * @nl: the socket
 * @req: the request, freed here in every case
 * @parse: called with each reply message and @arg; returns 0 or a
 *	negative errno
 * @arg: passed to @parse
 *
 * Reads up to the end of the reply (the acknowledgment of a do, the end
 * of a dump), even after @parse failed. The kernel's error message, if
 * it sent one, is left in &zcrx_nl.extack.
 *
 * Return: 0, the kernel's negative errno, the first parser's, or that of
 * sending or receiving.
 */
int zcrx_nl_request(struct zcrx_nl *nl, struct nl_msg *req,
		    int (*parse)(struct nlmsghdr *nlh, void *arg), void *arg);

/**
 * zcrx_nl_parse() - check a reply message and index its attributes
 * @nlh: the message
 * @cmd: the command it must carry
 * @tb: filled with the attributes up to @maxattr
 * @maxattr: the highest attribute wanted; later ones are ignored
 * @policy: their types, indexed by attribute, or NULL
 *
 * Return: 0, -EPROTO if the message is not a @cmd message of a well
 * formed generic netlink header and attributes.
 */
int zcrx_nl_parse(struct nlmsghdr *nlh, __u8 cmd, struct nlattr **tb,
		  int maxattr, const struct nla_policy *policy);

/**
 * zcrx_nl_get_uint() - read an attribute of type "uint"
 * @nla: the attribute, 4 or 8 bytes long as the kernel chose
 * @val: filled in on success
 *
 * Return: 0, or -EPROTO for another length.
 */
int zcrx_nl_get_uint(const struct nlattr *nla, __u64 *val);

#endif /* ZCRX_NL_H */
