// SPDX-License-Identifier: GPL-2.0
/* Generic netlink by hand for the VM tests: see genllib.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "genllib.h"

void gmsg_init(struct gmsg *m, int family, int cmd)
{
	struct genlmsghdr *g;

	memset(m, 0, sizeof(*m));
	m->nlh.nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN;
	m->nlh.nlmsg_type = family;
	m->nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	m->nlh.nlmsg_seq = 1;
	g = NLMSG_DATA(&m->nlh);
	g->cmd = cmd;
	g->version = ICMPT_GENL_VERSION;
}

/* An attribute with nla_len = hdr + len (raw_len overrides it when >= 0). */
struct nlattr *gmsg_put_raw(struct gmsg *m, int type, const void *data,
			    int len, int raw_len)
{
	struct nlattr *a = (struct nlattr *)(m->buf + NLMSG_ALIGN(m->nlh.nlmsg_len));

	a->nla_type = type;
	a->nla_len = raw_len >= 0 ? raw_len : NLA_HDRLEN + len;
	if (len)
		memcpy((char *)a + NLA_HDRLEN, data, len);
	m->nlh.nlmsg_len = NLMSG_ALIGN(m->nlh.nlmsg_len) + NLA_ALIGN(NLA_HDRLEN + len);
	return a;
}

void gmsg_put(struct gmsg *m, int type, const void *data, int len)
{
	gmsg_put_raw(m, type, data, len, -1);
}


struct nlattr *gmsg_nest(struct gmsg *m, int type)
{
	return gmsg_put_raw(m, type | NLA_F_NESTED, NULL, 0, -1);
}

void gmsg_nest_end(struct gmsg *m, struct nlattr *a)
{
	a->nla_len = m->buf + m->nlh.nlmsg_len - (char *)a;
}

void gmsg_icmp(struct gmsg *m, int family, int type, int code)
{
	struct nlattr *n = gmsg_nest(m, ICMPT_A_F_ICMP);

	gmsg_u8(m, ICMPT_ICMP_A_FAMILY, family);
	gmsg_u8(m, ICMPT_ICMP_A_TYPE, type);
	if (code >= 0)
		gmsg_u8(m, ICMPT_ICMP_A_CODE, code);
	gmsg_nest_end(m, n);
}

int genl_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	struct timeval tv = { .tv_sec = 5 };

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/* Sends m; 0 or -errno from the ack; the data reply, if any, into reply. */
int genl_xfer(int fd, struct gmsg *m, struct gmsg *reply)
{
	uint32_t seq = 100;
	char buf[32768];

	m->nlh.nlmsg_seq = ++seq;
	if (send(fd, m->buf, m->nlh.nlmsg_len, 0) != (ssize_t)m->nlh.nlmsg_len)
		return -1000 - errno;
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h;

		if (n <= 0)
			return -2000 - errno;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
			if (reply && h->nlmsg_len <= sizeof(reply->buf))
				memcpy(reply->buf, h, h->nlmsg_len);
		}
	}
}

struct nlattr *attr_first(struct gmsg *r, int *rem)
{
	*rem = r->nlh.nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
	return (struct nlattr *)((char *)NLMSG_DATA(&r->nlh) + GENL_HDRLEN);
}


int genl_family(int fd)
{
	struct gmsg m, r;
	struct nlattr *a;
	int rem;

	gmsg_init(&m, GENL_ID_CTRL, CTRL_CMD_GETFAMILY);
	((struct genlmsghdr *)NLMSG_DATA(&m.nlh))->version = 1;
	gmsg_put(&m, CTRL_ATTR_FAMILY_NAME, ICMPT_GENL_NAME, sizeof(ICMPT_GENL_NAME));
	if (genl_xfer(fd, &m, &r))
		return -1;
	for_each_attr(a, attr_first(&r, &rem), rem)
		if (a->nla_type == CTRL_ATTR_FAMILY_ID)
			return *(uint16_t *)attr_data(a);
	return -1;
}

/* A command without attributes. */
int genl_cmd(int fd, int family, int cmd, struct gmsg *reply)
{
	struct gmsg m;

	gmsg_init(&m, family, cmd);
	return genl_xfer(fd, &m, reply);
}

/* Total into *total, per CPU into cpus[]; returns the number of CPUs. */
int get_stats(int fd, int family, struct stats *total, struct stats *cpus, int max)
{
	struct gmsg r;
	struct nlattr *a, *b;
	int rem, rem2, n = 0;

	if (genl_cmd(fd, family, ICMPT_CMD_GET_STATS, &r))
		return -1;
	for_each_attr(a, attr_first(&r, &rem), rem) {
		struct stats s = { { 0 } };
		int type = a->nla_type & NLA_TYPE_MASK;

		if (type != ICMPT_A_STATS_CPU && type != ICMPT_A_STATS_TOTAL)
			continue;
		rem2 = a->nla_len - NLA_HDRLEN;
		for_each_attr(b, (struct nlattr *)attr_data(a), rem2) {
			if (b->nla_type > ICMPT_STAT_A_MAX)
				continue;
			if (b->nla_len == NLA_HDRLEN + 8)
				memcpy(&s.v[b->nla_type], attr_data(b), 8);
			else if (b->nla_len == NLA_HDRLEN + 4)
				s.v[b->nla_type] = *(uint32_t *)attr_data(b);
		}
		if (type == ICMPT_A_STATS_TOTAL)
			*total = s;
		else if (n < max)
			cpus[n++] = s;
	}
	return n;
}
