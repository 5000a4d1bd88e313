// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink family "icmptrace": configuration, statistics and the
 * session filter.  The contract, permissions and semantics are written
 * down in include/uapi/linux/icmptrace.h.
 */
#include <linux/capability.h>
#include <linux/netlink.h>
#include <linux/notifier.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/netlink.h>
#include "icmpt.h"

static struct genl_family icmpt_genl_family;

/* Strict validation rejects every attribute whose policy is NLA_UNSPEC. */
static const struct nla_policy icmpt_none_policy[ICMPT_A_MAX + 1] = {
};

static const struct nla_policy icmpt_config_policy[ICMPT_A_MAX + 1] = {
	[ICMPT_A_ENABLED] = NLA_POLICY_MAX(NLA_U8, 1),
	[ICMPT_A_SNAPLEN] = { .type = NLA_U32 },	/* range checked in the op */
};

static const struct nla_policy icmpt_icmp_policy[ICMPT_ICMP_A_MAX + 1] = {
	[ICMPT_ICMP_A_FAMILY] = NLA_POLICY_RANGE(NLA_U8, 4, 6),
	[ICMPT_ICMP_A_TYPE] = { .type = NLA_U8 },
	[ICMPT_ICMP_A_CODE] = { .type = NLA_U8 },
};

static const struct nla_policy icmpt_filter_policy[ICMPT_A_MAX + 1] = {
	[ICMPT_A_F_FAMILY] = NLA_POLICY_MAX(NLA_U8, ICMPT_F_V4 | ICMPT_F_V6),
	[ICMPT_A_F_DIR] = NLA_POLICY_MAX(NLA_U8, ICMPT_F_IN | ICMPT_F_OUT),
	[ICMPT_A_F_ICMP] = NLA_POLICY_NESTED(icmpt_icmp_policy),
	[ICMPT_A_F_PID] = { .type = NLA_U32 },
	[ICMPT_A_F_COMM] = { .type = NLA_NUL_STRING, .len = TASK_COMM_LEN - 1 },
	[ICMPT_A_F_UID] = { .type = NLA_U32 },
	[ICMPT_A_F_CGROUP] = { .type = NLA_U64 },
	[ICMPT_A_F_NETNS] = { .type = NLA_U32 },
};

/*
 * Kernels from 6.1 reject a non-zero reserved header byte for new
 * families by themselves, 5.10 does not: check it here, the same on all.
 */
static int icmpt_check_hdr(struct genl_info *info)
{
	if (info->genlhdr->reserved) {
		NL_SET_ERR_MSG(info->extack, "reserved header byte must be 0");
		return -EINVAL;
	}
	return 0;
}

static struct sk_buff *icmpt_reply_new(struct genl_info *info, size_t size,
				       u8 cmd, void **hdr)
{
	struct sk_buff *msg = genlmsg_new(size, GFP_KERNEL);

	if (!msg)
		return NULL;
	*hdr = genlmsg_put_reply(msg, info, &icmpt_genl_family, 0, cmd);
	if (!*hdr) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static int icmpt_reply_send(struct sk_buff *msg, void *hdr,
			    struct genl_info *info, int err)
{
	if (err) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int icmpt_get_config(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;
	int err;

	err = icmpt_check_hdr(info);
	if (err)
		return err;
	msg = icmpt_reply_new(info, NLMSG_DEFAULT_SIZE, ICMPT_CMD_GET_CONFIG, &hdr);
	if (!msg)
		return -ENOMEM;
	err = nla_put_u8(msg, ICMPT_A_ENABLED, READ_ONCE(icmpt_enabled)) ||
	      nla_put_u32(msg, ICMPT_A_ABI_VERSION, ICMPT_ABI_VERSION) ||
	      nla_put_u32(msg, ICMPT_A_GENL_VERSION, ICMPT_GENL_VERSION) ||
	      nla_put_u32(msg, ICMPT_A_NR_RINGS, icmpt_nr_rings) ||
	      nla_put_u64_64bit(msg, ICMPT_A_RING_SIZE, icmpt_data_size,
				ICMPT_A_PAD) ||
	      nla_put_u32(msg, ICMPT_A_EVENT_SIZE, sizeof(struct icmpt_event)) ||
	      nla_put_u32(msg, ICMPT_A_READERS, icmpt_dev_reader() ? 1 : 0) ||
	      nla_put_u8(msg, ICMPT_A_FILTER_ACTIVE,
			 rcu_access_pointer(icmpt_active_filter) ? 1 : 0) ||
	      nla_put_u32(msg, ICMPT_A_SNAPLEN, READ_ONCE(icmpt_snaplen));
	return icmpt_reply_send(msg, hdr, info, err);
}

/*
 * Every attribute is checked before any is applied: a SET_CONFIG that
 * fails changes nothing.
 */
static int icmpt_set_config(struct sk_buff *skb, struct genl_info *info)
{
	const struct nlattr *snap = info->attrs[ICMPT_A_SNAPLEN];
	int err = icmpt_check_hdr(info);

	if (err)
		return err;
	if (snap && nla_get_u32(snap) > ICMPT_SNAPLEN_MAX) {
		NL_SET_ERR_MSG_ATTR(info->extack, snap,
				    "snap length above ICMPT_SNAPLEN_MAX");
		return -ERANGE;
	}
	if (snap) {
		err = icmpt_snaplen_set(info->snd_portid, nla_get_u32(snap));
		if (err) {
			NL_SET_ERR_MSG(info->extack,
				       "another session holds the snap length");
			return err;
		}
	}
	if (info->attrs[ICMPT_A_ENABLED])
		WRITE_ONCE(icmpt_enabled, nla_get_u8(info->attrs[ICMPT_A_ENABLED]));
	return 0;
}

struct icmpt_stats_sum {
	u64 seen, recorded, filtered, unattributed, full, bad_consumer, nested;
};

static void icmpt_stats_read(unsigned int cpu, struct icmpt_stats_sum *s)
{
	const struct icmpt_cpu_stats *c = icmpt_cpu_stats(cpu);
	const struct icmpt_producer_page *p = icmpt_ring_get(cpu)->prod;

	s->seen = READ_ONCE(c->seen);
	s->filtered = READ_ONCE(c->filtered);
	s->unattributed = READ_ONCE(c->unattributed);
	s->recorded = READ_ONCE(p->records);
	s->full = READ_ONCE(p->dropped);
	s->bad_consumer = READ_ONCE(p->dropped_bad_consumer);
	s->nested = READ_ONCE(p->dropped_nested);
}

static int icmpt_put_stats(struct sk_buff *msg, int attr, int cpu,
			   const struct icmpt_stats_sum *s)
{
	struct nlattr *nest = nla_nest_start(msg, attr);

	if (!nest)
		return -EMSGSIZE;
	if ((cpu >= 0 && nla_put_u32(msg, ICMPT_STAT_A_CPU, cpu)) ||
	    nla_put_u64_64bit(msg, ICMPT_STAT_A_SEEN, s->seen, ICMPT_STAT_A_PAD) ||
	    nla_put_u64_64bit(msg, ICMPT_STAT_A_RECORDED, s->recorded,
			      ICMPT_STAT_A_PAD) ||
	    nla_put_u64_64bit(msg, ICMPT_STAT_A_FILTERED, s->filtered,
			      ICMPT_STAT_A_PAD) ||
	    nla_put_u64_64bit(msg, ICMPT_STAT_A_DROPPED,
			      s->full + s->bad_consumer + s->nested,
			      ICMPT_STAT_A_PAD) ||
	    nla_put_u64_64bit(msg, ICMPT_STAT_A_UNATTRIBUTED, s->unattributed,
			      ICMPT_STAT_A_PAD) ||
	    nla_put_u64_64bit(msg, ICMPT_STAT_A_DROPPED_FULL, s->full,
			      ICMPT_STAT_A_PAD) ||
	    nla_put_u64_64bit(msg, ICMPT_STAT_A_DROPPED_BAD_CONSUMER,
			      s->bad_consumer, ICMPT_STAT_A_PAD) ||
	    nla_put_u64_64bit(msg, ICMPT_STAT_A_DROPPED_NESTED, s->nested,
			      ICMPT_STAT_A_PAD)) {
		nla_nest_cancel(msg, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

/* One nest of stats: its header, a u32 and eight padded u64 attributes. */
#define ICMPT_STATS_NEST_SIZE \
	(nla_total_size(0) + nla_total_size(4) + 8 * nla_total_size_64bit(8))

static int icmpt_get_stats(struct sk_buff *skb, struct genl_info *info)
{
	struct icmpt_stats_sum total = {}, s;
	struct sk_buff *msg;
	unsigned int cpu;
	void *hdr;
	int err;

	err = icmpt_check_hdr(info);
	if (err)
		return err;
	msg = icmpt_reply_new(info, (icmpt_nr_rings + 1) * ICMPT_STATS_NEST_SIZE,
			      ICMPT_CMD_GET_STATS, &hdr);
	if (!msg)
		return -ENOMEM;
	for (cpu = 0; cpu < icmpt_nr_rings && !err; cpu++) {
		if (!cpu_possible(cpu))
			continue;
		icmpt_stats_read(cpu, &s);
		total.seen += s.seen;
		total.recorded += s.recorded;
		total.filtered += s.filtered;
		total.unattributed += s.unattributed;
		total.full += s.full;
		total.bad_consumer += s.bad_consumer;
		total.nested += s.nested;
		err = icmpt_put_stats(msg, ICMPT_A_STATS_CPU, cpu, &s);
	}
	if (!err)
		err = icmpt_put_stats(msg, ICMPT_A_STATS_TOTAL, -1, &total);
	return icmpt_reply_send(msg, hdr, info, err);
}

static int icmpt_filter_add_icmp(struct icmpt_filter *f, const struct nlattr *nla,
				 struct netlink_ext_ack *extack)
{
	struct nlattr *tb[ICMPT_ICMP_A_MAX + 1];
	struct icmpt_filter_icmp *e = NULL;
	unsigned int i;
	u8 family, type;
	int err;

	err = nla_parse_nested(tb, ICMPT_ICMP_A_MAX, nla, icmpt_icmp_policy, extack);
	if (err)
		return err;
	if (!tb[ICMPT_ICMP_A_FAMILY] || !tb[ICMPT_ICMP_A_TYPE]) {
		NL_SET_ERR_MSG_ATTR(extack, nla, "ICMP entry needs family and type");
		return -EINVAL;
	}
	family = nla_get_u8(tb[ICMPT_ICMP_A_FAMILY]);
	type = nla_get_u8(tb[ICMPT_ICMP_A_TYPE]);
	if (family != 4 && family != 6) {
		NL_SET_ERR_MSG_ATTR(extack, tb[ICMPT_ICMP_A_FAMILY], "family must be 4 or 6");
		return -EINVAL;
	}
	for (i = 0; i < f->nr_icmp; i++)
		if (f->icmp[i].family == family && f->icmp[i].type == type)
			e = &f->icmp[i];
	if (!e) {
		e = &f->icmp[f->nr_icmp++];
		e->family = family;
		e->type = type;
		set_bit(type, f->types[family == 6]);
	}
	if (tb[ICMPT_ICMP_A_CODE])
		set_bit(nla_get_u8(tb[ICMPT_ICMP_A_CODE]), e->codes);
	else
		bitmap_fill(e->codes, 256);
	return 0;
}

/* Builds a filter from the (already validated) attributes of SET_FILTER. */
static int icmpt_filter_parse(struct icmpt_filter *f, struct genl_info *info)
{
	unsigned int nr_icmp_attrs = 0, *count;
	const struct nlattr *nla;
	int rem, err;

	nlmsg_for_each_attr(nla, info->nlhdr, GENL_HDRLEN, rem) {
		switch (nla_type(nla)) {
		case ICMPT_A_F_ICMP:
			count = &nr_icmp_attrs;
			break;
		case ICMPT_A_F_PID:
			count = &f->nr_pid;
			break;
		case ICMPT_A_F_COMM:
			count = &f->nr_comm;
			break;
		case ICMPT_A_F_UID:
			count = &f->nr_uid;
			break;
		case ICMPT_A_F_CGROUP:
			count = &f->nr_cgroup;
			break;
		case ICMPT_A_F_NETNS:
			count = &f->nr_netns;
			break;
		default:
			count = NULL;	/* family, dir: from info->attrs */
			break;
		}
		if (!count)
			continue;
		if (*count >= ICMPT_FILTER_MAX) {
			NL_SET_ERR_MSG_ATTR(info->extack, nla,
					    "too many values of one filter kind");
			return -E2BIG;
		}
		switch (nla_type(nla)) {
		case ICMPT_A_F_ICMP:
			err = icmpt_filter_add_icmp(f, nla, info->extack);
			if (err)
				return err;
			break;
		case ICMPT_A_F_PID:
			f->pid[f->nr_pid] = nla_get_u32(nla);
			break;
		case ICMPT_A_F_COMM:
			/* NLA_NUL_STRING: terminated within the attribute. */
			strscpy(f->comm[f->nr_comm], nla_data(nla), TASK_COMM_LEN);
			break;
		case ICMPT_A_F_UID:
			f->uid[f->nr_uid] = nla_get_u32(nla);
			break;
		case ICMPT_A_F_CGROUP:
			f->cgroup[f->nr_cgroup] = nla_get_u64(nla);
			break;
		case ICMPT_A_F_NETNS:
			f->netns[f->nr_netns] = nla_get_u32(nla);
			break;
		}
		(*count)++;
	}
	if (info->attrs[ICMPT_A_F_FAMILY])
		f->families = nla_get_u8(info->attrs[ICMPT_A_F_FAMILY]);
	if (info->attrs[ICMPT_A_F_DIR])
		f->dirs = nla_get_u8(info->attrs[ICMPT_A_F_DIR]);
	f->needs_owner = f->nr_pid || f->nr_comm || f->nr_uid || f->nr_cgroup;
	return 0;
}

static int icmpt_set_filter(struct sk_buff *skb, struct genl_info *info)
{
	struct icmpt_filter *f;
	int err;

	err = icmpt_check_hdr(info);
	if (err)
		return err;
	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	f->portid = info->snd_portid;
	f->owner_pid = task_tgid_nr(current);	/* doit runs in the sender */
	err = icmpt_filter_parse(f, info);
	if (!err)
		err = icmpt_filter_install(f);
	if (err == -EBUSY)
		NL_SET_ERR_MSG(info->extack, "another session holds the filter");
	if (err)
		kfree(f);
	return err;
}

static int icmpt_clear_filter(struct sk_buff *skb, struct genl_info *info)
{
	int err = icmpt_check_hdr(info);

	if (err)
		return err;
	err = icmpt_filter_clear(info->snd_portid);
	if (err == -EBUSY)
		NL_SET_ERR_MSG(info->extack, "the filter belongs to another session");
	return err;
}

static int icmpt_put_filter(struct sk_buff *msg, const struct icmpt_filter *f)
{
	unsigned int i, c;
	struct nlattr *nest;

	if (nla_put_u32(msg, ICMPT_A_F_OWNER_PORTID, f->portid) ||
	    nla_put_u32(msg, ICMPT_A_F_OWNER_PID, f->owner_pid) ||
	    (f->families && nla_put_u8(msg, ICMPT_A_F_FAMILY, f->families)) ||
	    (f->dirs && nla_put_u8(msg, ICMPT_A_F_DIR, f->dirs)))
		return -EMSGSIZE;
	for (i = 0; i < f->nr_icmp; i++) {
		const struct icmpt_filter_icmp *e = &f->icmp[i];
		bool any = bitmap_full(e->codes, 256);

		for (c = 0; c < 256; c++) {
			if (!any && !test_bit(c, e->codes))
				continue;
			nest = nla_nest_start(msg, ICMPT_A_F_ICMP);
			if (!nest || nla_put_u8(msg, ICMPT_ICMP_A_FAMILY, e->family) ||
			    nla_put_u8(msg, ICMPT_ICMP_A_TYPE, e->type) ||
			    (!any && nla_put_u8(msg, ICMPT_ICMP_A_CODE, c)))
				return -EMSGSIZE;
			nla_nest_end(msg, nest);
			if (any)
				break;
		}
	}
	for (i = 0; i < f->nr_pid; i++)
		if (nla_put_u32(msg, ICMPT_A_F_PID, f->pid[i]))
			return -EMSGSIZE;
	for (i = 0; i < f->nr_comm; i++)
		if (nla_put_string(msg, ICMPT_A_F_COMM, f->comm[i]))
			return -EMSGSIZE;
	for (i = 0; i < f->nr_uid; i++)
		if (nla_put_u32(msg, ICMPT_A_F_UID, f->uid[i]))
			return -EMSGSIZE;
	for (i = 0; i < f->nr_cgroup; i++)
		if (nla_put_u64_64bit(msg, ICMPT_A_F_CGROUP, f->cgroup[i], ICMPT_A_PAD))
			return -EMSGSIZE;
	for (i = 0; i < f->nr_netns; i++)
		if (nla_put_u32(msg, ICMPT_A_F_NETNS, f->netns[i]))
			return -EMSGSIZE;
	return 0;
}

/*
 * Each ICMP entry of the reply stands for one SET_FILTER entry at most,
 * so ICMPT_FILTER_MAX of every kind bounds the reply.
 */
#define ICMPT_FILTER_REPLY_SIZE (ICMPT_FILTER_MAX * \
	(3 * nla_total_size(1) + nla_total_size(0) + 4 * nla_total_size(4) + \
	 nla_total_size(TASK_COMM_LEN) + nla_total_size_64bit(8)) + 256)

static int icmpt_get_filter(struct sk_buff *skb, struct genl_info *info)
{
	const struct icmpt_filter *f;
	struct sk_buff *msg;
	void *hdr;
	int err;

	err = icmpt_check_hdr(info);
	if (err)
		return err;
	msg = icmpt_reply_new(info, ICMPT_FILTER_REPLY_SIZE, ICMPT_CMD_GET_FILTER, &hdr);
	if (!msg)
		return -ENOMEM;
	err = nla_put_u32(msg, ICMPT_A_READER_PID, icmpt_dev_reader());
	rcu_read_lock();
	f = rcu_dereference(icmpt_active_filter);
	if (f && !err)
		err = icmpt_put_filter(msg, f);
	rcu_read_unlock();
	return icmpt_reply_send(msg, hdr, info, err);
}

/* .validate 0: strict parsing on every kernel; see the uapi header. */
static const struct genl_ops icmpt_genl_ops[] = {
	{
		.cmd = ICMPT_CMD_GET_CONFIG,
		.doit = icmpt_get_config,
		.policy = icmpt_none_policy,
		.maxattr = ICMPT_A_MAX,
	},
	{
		.cmd = ICMPT_CMD_SET_CONFIG,
		.doit = icmpt_set_config,
		.policy = icmpt_config_policy,
		.maxattr = ICMPT_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = ICMPT_CMD_GET_STATS,
		.doit = icmpt_get_stats,
		.policy = icmpt_none_policy,
		.maxattr = ICMPT_A_MAX,
	},
	{
		.cmd = ICMPT_CMD_SET_FILTER,
		.doit = icmpt_set_filter,
		.policy = icmpt_filter_policy,
		.maxattr = ICMPT_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = ICMPT_CMD_CLEAR_FILTER,
		.doit = icmpt_clear_filter,
		.policy = icmpt_none_policy,
		.maxattr = ICMPT_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = ICMPT_CMD_GET_FILTER,
		.doit = icmpt_get_filter,
		.policy = icmpt_none_policy,
		.maxattr = ICMPT_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
};

/*
 * parallel_ops: the ops keep no state of the family's; the filter has its
 * own lock.  It also makes every kernel parse into a buffer sized by the
 * op's maxattr rather than the family's.
 */
static struct genl_family icmpt_genl_family __ro_after_init = {
	.name = ICMPT_GENL_NAME,
	.version = ICMPT_GENL_VERSION,
	.netnsok = false,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = icmpt_genl_ops,
	.n_ops = ARRAY_SIZE(icmpt_genl_ops),
};

/* A session's socket closed, even by a kill: its filter and snap length go. */
static int icmpt_netlink_event(struct notifier_block *nb, unsigned long event,
			       void *ptr)
{
	const struct netlink_notify *n = ptr;

	if (event == NETLINK_URELEASE && n->protocol == NETLINK_GENERIC &&
	    net_eq(n->net, &init_net)) {
		icmpt_filter_clear(n->portid);
		icmpt_snaplen_release(n->portid);
	}
	return NOTIFY_DONE;
}

static struct notifier_block icmpt_netlink_nb = {
	.notifier_call = icmpt_netlink_event,
};

int icmpt_genl_init(void)
{
	int err = netlink_register_notifier(&icmpt_netlink_nb);

	if (err)
		return err;
	err = genl_register_family(&icmpt_genl_family);
	if (err)
		netlink_unregister_notifier(&icmpt_netlink_nb);
	return err;
}

void icmpt_genl_exit(void)
{
	genl_unregister_family(&icmpt_genl_family);
	netlink_unregister_notifier(&icmpt_netlink_nb);
}
