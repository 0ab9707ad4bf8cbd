// SPDX-License-Identifier: GPL-2.0
/*
 * zcrx: generic netlink requests, on libnl-genl-3.
 *
 * A request ends with the kernel's acknowledgment (a do: libnl asks for
 * one) or with NLMSG_DONE (a dump). Both may carry an errno and, with
 * NETLINK_EXT_ACK, a message saying why: the errno is returned, the
 * message kept for the caller to print.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/socket.h>

#include "nl.h"
#include "util.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

/* The state of one request while its reply is read. */
struct zcrx_nl_reply {
	struct zcrx_nl	*nl;
	int		(*parse)(struct nlmsghdr *nlh, void *arg);
	void		*arg;
	int		err;
	bool		done;
	bool		intr;
};

/* libnl's error codes, as the errno they stand for */
static int zcrx_nl_errno(int nlerr)
{
	static const int map[] = {
		[NLE_INTR]		= EINTR,
		[NLE_BAD_SOCK]		= EBADF,
		[NLE_AGAIN]		= EAGAIN,
		[NLE_NOMEM]		= ENOMEM,
		[NLE_EXIST]		= EEXIST,
		[NLE_INVAL]		= EINVAL,
		[NLE_RANGE]		= ERANGE,
		[NLE_MSGSIZE]		= EMSGSIZE,
		[NLE_OPNOTSUPP]		= EOPNOTSUPP,
		[NLE_AF_NOSUPPORT]	= EAFNOSUPPORT,
		[NLE_OBJ_NOTFOUND]	= ENOENT,
		[NLE_MSG_TRUNC]		= EMSGSIZE,
		[NLE_SEQ_MISMATCH]	= EPROTO,
		[NLE_MSG_TOOSHORT]	= EPROTO,
		[NLE_BUSY]		= EBUSY,
		[NLE_PROTO_MISMATCH]	= EPROTONOSUPPORT,
		[NLE_NOACCESS]		= EACCES,
		[NLE_PERM]		= EPERM,
		[NLE_NODEV]		= ENODEV,
		[NLE_DUMP_INTR]		= EAGAIN,
	};
	unsigned int e = nlerr < 0 ? -nlerr : nlerr;

	if (e < ARRAY_SIZE(map) && map[e])
		return -map[e];
	return -EIO;
}

static void zcrx_nl_fail(struct zcrx_nl_reply *r, int err)
{
	if (!r->err)
		r->err = err;
}

/* Keep the NLMSGERR_ATTR_MSG of the @len bytes of attributes at @attrs. */
static void zcrx_nl_extack(struct zcrx_nl *nl, void *attrs, int len)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];

	if (len <= 0 || nla_parse(tb, NLMSGERR_ATTR_MAX, attrs, len, NULL))
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		nla_strlcpy(nl->extack, tb[NLMSGERR_ATTR_MSG],
			    sizeof(nl->extack));
}

static int zcrx_nl_valid(struct nl_msg *msg, void *arg)
{
	struct zcrx_nl_reply *r = arg;
	int ret;

	ret = r->parse(nlmsg_hdr(msg), r->arg);
	if (ret)
		zcrx_nl_fail(r, ret);
	return NL_OK;
}

/* NLMSG_DONE: the dump's errno, then its extack */
static int zcrx_nl_finish(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct zcrx_nl_reply *r = arg;
	int err = 0;

	r->done = true;
	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(err)))
		return NL_STOP;
	memcpy(&err, nlmsg_data(nlh), sizeof(err));
	if (err < 0)
		zcrx_nl_fail(r, err);
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
		zcrx_nl_extack(r->nl, (char *)nlmsg_data(nlh) + sizeof(err),
			       nlh->nlmsg_len - NLMSG_LENGTH(sizeof(err)));
	return NL_STOP;
}

static int zcrx_nl_ack(struct nl_msg *msg, void *arg)
{
	struct zcrx_nl_reply *r = arg;

	(void)msg;
	r->done = true;
	return NL_STOP;
}

/* NLMSG_ERROR with an errno; the request echoed unless NLM_F_CAPPED */
static int zcrx_nl_error(struct sockaddr_nl *nla, struct nlmsgerr *e,
			 void *arg)
{
	struct nlmsghdr *nlh = (void *)((char *)e - NLMSG_HDRLEN);
	struct zcrx_nl_reply *r = arg;
	int off = sizeof(*e);

	(void)nla;
	r->done = true;
	zcrx_nl_fail(r, e->error < 0 ? e->error : -EPROTO);
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NL_STOP;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	zcrx_nl_extack(r->nl, (char *)e + off,
		       (int)nlh->nlmsg_len - NLMSG_HDRLEN - off);
	return NL_STOP;
}

static int zcrx_nl_intr(struct nl_msg *msg, void *arg)
{
	struct zcrx_nl_reply *r = arg;

	(void)msg;
	r->intr = true;
	return NL_OK;
}

int zcrx_nl_request(struct zcrx_nl *nl, struct nl_msg *req,
		    int (*parse)(struct nlmsghdr *nlh, void *arg), void *arg)
{
	struct zcrx_nl_reply r = { .nl = nl, .parse = parse, .arg = arg };
	struct nl_cb *cb;
	int ret;

	nl->extack[0] = '\0';
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(req);
		return -ENOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, zcrx_nl_valid, &r);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, zcrx_nl_finish, &r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, zcrx_nl_ack, &r);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, zcrx_nl_intr, &r);
	nl_cb_err(cb, NL_CB_CUSTOM, zcrx_nl_error, &r);

	ret = nl_send_auto(nl->sk, req);
	nlmsg_free(req);
	if (ret < 0) {
		nl_cb_put(cb);
		return zcrx_nl_errno(ret);
	}
	while (!r.done) {
		ret = nl_recvmsgs(nl->sk, cb);
		/* the error callback stops with libnl's code for the errno */
		if (ret < 0 && !r.done) {
			zcrx_nl_fail(&r, zcrx_nl_errno(ret));
			break;
		}
	}
	nl_cb_put(cb);
	/* the kernel's objects changed while it dumped them */
	if (r.intr)
		zcrx_nl_fail(&r, -EAGAIN);
	return r.err;
}

struct nl_msg *zcrx_nl_msg(const struct zcrx_nl *nl, __u8 cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, flags,
			 cmd, nl->version)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

int zcrx_nl_parse(struct nlmsghdr *nlh, __u8 cmd, struct nlattr **tb,
		  int maxattr, const struct nla_policy *policy)
{
	struct genlmsghdr *g;

	if (!genlmsg_valid_hdr(nlh, 0))
		return -EPROTO;
	g = nlmsg_data(nlh);
	if (g->cmd != cmd)
		return -EPROTO;
	if (genlmsg_parse(nlh, 0, tb, maxattr, policy))
		return -EPROTO;
	return 0;
}

int zcrx_nl_get_uint(const struct nlattr *nla, __u64 *val)
{
	switch (nla_len(nla)) {
	case sizeof(__u32):
		*val = nla_get_u32(nla);
		return 0;
	case sizeof(__u64):
		*val = nla_get_u64(nla);
		return 0;
	}
	return -EPROTO;
}

struct zcrx_nl_family {
	int	id;
	__u8	version;
};

static int zcrx_nl_parse_family(struct nlmsghdr *nlh, void *arg)
{
	static const struct nla_policy policy[CTRL_ATTR_VERSION + 1] = {
		[CTRL_ATTR_FAMILY_ID]	= { .type = NLA_U16 },
		[CTRL_ATTR_VERSION]	= { .type = NLA_U32 },
	};
	struct nlattr *tb[CTRL_ATTR_VERSION + 1];
	struct zcrx_nl_family *f = arg;
	int ret;

	ret = zcrx_nl_parse(nlh, CTRL_CMD_NEWFAMILY, tb, CTRL_ATTR_VERSION,
			    policy);
	if (ret)
		return ret;
	if (!tb[CTRL_ATTR_FAMILY_ID])
		return -EPROTO;
	f->id = nla_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	if (tb[CTRL_ATTR_VERSION])
		f->version = nla_get_u32(tb[CTRL_ATTR_VERSION]);
	return 0;
}

int zcrx_nl_open(struct zcrx_nl *nl, const char *family)
{
	struct zcrx_nl_family f = { .id = -1 };
	struct nl_msg *req;
	int one = 1, ret;

	memset(nl, 0, sizeof(*nl));
	nl->sk = nl_socket_alloc();
	if (!nl->sk)
		return -ENOMEM;
	ret = genl_connect(nl->sk);
	if (ret) {
		ret = zcrx_nl_errno(ret);
		goto err_free;
	}
	/* replies larger than a page: a dump of a large RSS table */
	nl_socket_enable_msg_peek(nl->sk);
	nl_socket_enable_auto_ack(nl->sk);
	/*
	 * The kernel's reasons, without our request echoed. Kernels before
	 * 4.12 lack them: the errno alone is still right.
	 */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));

	nl->family = GENL_ID_CTRL;
	nl->version = 2;
	req = zcrx_nl_msg(nl, CTRL_CMD_GETFAMILY, 0);
	if (!req) {
		ret = -ENOMEM;
		goto err_free;
	}
	if (nla_put_string(req, CTRL_ATTR_FAMILY_NAME, family)) {
		nlmsg_free(req);
		ret = -ENOMEM;
		goto err_free;
	}
	ret = zcrx_nl_request(nl, req, zcrx_nl_parse_family, &f);
	if (!ret && f.id < 0)
		ret = -EPROTO;
	if (ret)
		goto err_free;
	nl->family = f.id;
	nl->version = f.version;
	return 0;

err_free:
	nl_socket_free(nl->sk);
	nl->sk = NULL;
	return ret;
}

void zcrx_nl_close(struct zcrx_nl *nl)
{
	if (nl->sk)
		nl_socket_free(nl->sk);
	nl->sk = NULL;
}
