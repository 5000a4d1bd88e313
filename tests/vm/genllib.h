/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Generic netlink by hand (no libnl), for the VM tests that talk to the
 * icmptrace family: ctl_test must be able to send garbage, snap_test sets
 * a session's snap length.
 */
#ifndef ICMPT_GENLLIB_H
#define ICMPT_GENLLIB_H

#include <linux/genetlink.h>
#include <linux/icmptrace.h>
#include <linux/netlink.h>
#include <stdint.h>

struct gmsg {
	union {
		struct nlmsghdr nlh;
		char buf[16384];
	};
};

struct stats {
	uint64_t v[ICMPT_STAT_A_MAX + 1];
};

void gmsg_init(struct gmsg *m, int family, int cmd);
/* An attribute with nla_len = hdr + len (raw_len overrides it when >= 0). */
struct nlattr *gmsg_put_raw(struct gmsg *m, int type, const void *data,
			    int len, int raw_len);
void gmsg_put(struct gmsg *m, int type, const void *data, int len);
struct nlattr *gmsg_nest(struct gmsg *m, int type);
void gmsg_nest_end(struct gmsg *m, struct nlattr *a);
void gmsg_icmp(struct gmsg *m, int family, int type, int code);
/* A bound NETLINK_GENERIC socket with a 5 s receive timeout; -1 on error. */
int genl_open(void);
/* Sends m; 0 or -errno from the ack; the data reply, if any, into reply. */
int genl_xfer(int fd, struct gmsg *m, struct gmsg *reply);
struct nlattr *attr_first(struct gmsg *r, int *rem);
/* The icmptrace family id, -1 if the kernel has none. */
int genl_family(int fd);
/* A command without attributes. */
int genl_cmd(int fd, int family, int cmd, struct gmsg *reply);
/* Total into *total, per CPU into cpus[]; returns the number of CPUs. */
int get_stats(int fd, int family, struct stats *total, struct stats *cpus, int max);

static inline void gmsg_u8(struct gmsg *m, int type, uint8_t v) { gmsg_put(m, type, &v, 1); }
static inline void gmsg_u32(struct gmsg *m, int type, uint32_t v) { gmsg_put(m, type, &v, 4); }
static inline void *attr_data(struct nlattr *a) { return (char *)a + NLA_HDRLEN; }

#define for_each_attr(a, start, rem) \
	for (a = start; rem >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= rem; \
	     rem -= NLA_ALIGN(a->nla_len), a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len)))

#endif /* ICMPT_GENLLIB_H */
