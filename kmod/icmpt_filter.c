// SPDX-License-Identifier: GPL-2.0
/*
 * The filter of the current session.  The hooks read it under the RCU
 * read lock netfilter holds around every hook (nf_hook()); writers swap it
 * under a spinlock.  The writers are the genl commands and the netlink
 * release notifier that drops a dead session's filter; both run in process
 * context (netlink_chain is a blocking notifier chain, called from
 * netlink_release()), so a mutex would do as well: the lock is only held
 * for the swap.
 */
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include "icmpt.h"

struct icmpt_filter __rcu *icmpt_active_filter;
static DEFINE_SPINLOCK(icmpt_filter_lock);

static bool icmpt_filter_icmp_match(const struct icmpt_filter *f,
				    const struct icmpt_packet *pkt)
{
	unsigned int fi = pkt->family == 6, i;

	/*
	 * A non-first fragment carries no ICMP header to match, nor does a
	 * datagram of fewer than 2 bytes: its type and code are not known.
	 */
	if (pkt->flags & ICMPT_PKT_FRAGMENT || pkt->icmp_len < 2 ||
	    !test_bit(pkt->type, f->types[fi]))
		return false;
	for (i = 0; i < f->nr_icmp; i++)
		if (f->icmp[i].family == pkt->family && f->icmp[i].type == pkt->type)
			return test_bit(pkt->code, f->icmp[i].codes);
	return false;
}

static bool icmpt_u32_in(const u32 *set, unsigned int n, u32 v)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (set[i] == v)
			return true;
	return false;
}

/* Conditions on the packet alone: cheap, and before attribution. */
bool icmpt_filter_packet(const struct icmpt_filter *f, u8 dir, u32 netns,
			 const struct icmpt_packet *pkt)
{
	if (f->families &&
	    !(f->families & (pkt->family == 6 ? ICMPT_F_V6 : ICMPT_F_V4)))
		return false;
	if (f->dirs && !(f->dirs & (dir == ICMPT_DIR_IN ? ICMPT_F_IN : ICMPT_F_OUT)))
		return false;
	if (f->nr_icmp && !icmpt_filter_icmp_match(f, pkt))
		return false;
	if (f->nr_netns && !icmpt_u32_in(f->netns, f->nr_netns, netns))
		return false;
	return true;
}

/* Conditions on the owner: a record without a task never matches them. */
bool icmpt_filter_owner(const struct icmpt_filter *f, u8 owner,
			const struct icmpt_task *task)
{
	unsigned int i;

	if (!f->needs_owner)
		return true;
	if (owner == ICMPT_OWNER_NONE || owner == ICMPT_OWNER_KERNEL)
		return false;
	if (f->tree && !icmpt_tree_has(f->tree, task->pid))
		return false;
	if (f->nr_pid && !icmpt_u32_in(f->pid, f->nr_pid, task->pid) &&
	    !icmpt_u32_in(f->pid, f->nr_pid, task->tid))
		return false;
	if (f->nr_uid && !icmpt_u32_in(f->uid, f->nr_uid, task->uid))
		return false;
	if (f->nr_cgroup) {
		for (i = 0; i < f->nr_cgroup; i++)
			if (f->cgroup[i] == task->cgroup_id)
				break;
		if (i == f->nr_cgroup)
			return false;
	}
	if (f->nr_comm) {
		for (i = 0; i < f->nr_comm; i++)
			if (!strncmp(f->comm[i], task->comm, TASK_COMM_LEN))
				break;
		if (i == f->nr_comm)
			return false;
	}
	return true;
}

void icmpt_filter_free(struct icmpt_filter *f)
{
	if (f->tree)
		icmpt_tree_free(f->tree);
	kfree(f);
}

static void icmpt_filter_free_rcu(struct rcu_head *rcu)
{
	icmpt_filter_free(container_of(rcu, struct icmpt_filter, rcu));
}

/* Publishes f, owned by f->portid; EBUSY if another session holds one. */
int icmpt_filter_install(struct icmpt_filter *f)
{
	struct icmpt_filter *old;

	spin_lock(&icmpt_filter_lock);
	old = rcu_dereference_protected(icmpt_active_filter,
					lockdep_is_held(&icmpt_filter_lock));
	if (old && old->portid != f->portid) {
		spin_unlock(&icmpt_filter_lock);
		return -EBUSY;
	}
	rcu_assign_pointer(icmpt_active_filter, f);
	spin_unlock(&icmpt_filter_lock);
	if (old)
		call_rcu(&old->rcu, icmpt_filter_free_rcu);
	return 0;
}

/* Drops the filter of session portid: 0, or ENOENT/EBUSY if not its. */
int icmpt_filter_clear(u32 portid)
{
	struct icmpt_filter *old;

	spin_lock(&icmpt_filter_lock);
	old = rcu_dereference_protected(icmpt_active_filter,
					lockdep_is_held(&icmpt_filter_lock));
	if (!old || old->portid != portid) {
		spin_unlock(&icmpt_filter_lock);
		return old ? -EBUSY : -ENOENT;
	}
	RCU_INIT_POINTER(icmpt_active_filter, NULL);
	spin_unlock(&icmpt_filter_lock);
	call_rcu(&old->rcu, icmpt_filter_free_rcu);
	return 0;
}

/*
 * After the hooks, the tracepoint probes and the family are gone: nobody
 * reads the filter.  The barrier runs the frees queued before (module code).
 */
void icmpt_filter_exit(void)
{
	struct icmpt_filter *f = rcu_dereference_protected(icmpt_active_filter, true);

	rcu_barrier();
	if (f)
		icmpt_filter_free(f);
	RCU_INIT_POINTER(icmpt_active_filter, NULL);
}
