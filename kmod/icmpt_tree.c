// SPDX-License-Identifier: GPL-2.0
/*
 * The process-tree filter (ICMPT_A_F_TREE): a root process and every
 * process it starts after the filter is set, at any depth, whatever its
 * session, parent after reparenting, cgroup or namespace.  No cgroup is
 * needed: the sched_process_fork tracepoint adds a child whose forking
 * process is a member, sched_process_exit removes a process once its last
 * thread exits.  Members are keyed by (tgid, start time of the group
 * leader), so a recycled pid never inherits a membership.
 *
 * The set is a fixed table allocated with the filter (tree_slots members):
 * the probes never allocate.  A fork that finds the table full is counted
 * (untracked, reported by GET_FILTER), never missed silently.
 *
 * Probes run in the forking or exiting task, with preemption off on most
 * kernels but under SRCU and preemptible on others (7.x): they take the RCU
 * read lock themselves and the table's raw spinlock, which also serves the
 * hooks in softirq, with interrupts off.  With no tree filter set, a probe
 * costs one RCU pointer load.
 */
#include <linux/moduleparam.h>
#include <linux/netlink.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include "icmpt.h"

static unsigned int tree_slots = 1024;
module_param(tree_slots, uint, 0444);
MODULE_PARM_DESC(tree_slots,
		 "processes a --tree filter tracks at once (16 bytes each, 4..65536, default 1024)");

struct icmpt_tree_member {
	u32 tgid;
	u32 reserved;
	u64 start;		/* task_struct.start_time of the group leader */
};

struct icmpt_tree {
	raw_spinlock_t lock;	/* taken in tracepoints with preemption off */
	u32 root;
	unsigned int nr, max;
	u64 untracked;		/* forks of members not added: table full */
	struct icmpt_tree_member m[];
};

static bool icmpt_tree_ready;	/* both tracepoints were found and hooked */

/* Index of (tgid, start) in t, -1 if absent; t->lock held. */
static int icmpt_tree_find(const struct icmpt_tree *t, u32 tgid, u64 start)
{
	unsigned int i;

	for (i = 0; i < t->nr; i++)
		if (t->m[i].tgid == tgid && t->m[i].start == start)
			return i;
	return -1;
}

/* Is a record's owner (host tgid) a member?  Any context. */
bool icmpt_tree_has(struct icmpt_tree *t, u32 tgid)
{
	unsigned long flags;
	unsigned int i;
	bool found = false;

	raw_spin_lock_irqsave(&t->lock, flags);
	for (i = 0; i < t->nr && !found; i++)
		found = t->m[i].tgid == tgid;
	raw_spin_unlock_irqrestore(&t->lock, flags);
	return found;
}

static struct icmpt_tree *icmpt_tree_active(void)
{
	const struct icmpt_filter *f = rcu_dereference(icmpt_active_filter);

	return f ? f->tree : NULL;
}

static void icmpt_tree_fork(void *data, struct task_struct *parent,
			    struct task_struct *child)
{
	struct icmpt_tree *t;
	unsigned long flags;

	rcu_read_lock();
	t = icmpt_tree_active();
	/* A new thread shares its process's tgid, and so its membership. */
	if (t && child->tgid != parent->tgid) {
		raw_spin_lock_irqsave(&t->lock, flags);
		if (icmpt_tree_find(t, parent->tgid,
				    parent->group_leader->start_time) >= 0) {
			if (t->nr < t->max) {
				t->m[t->nr].tgid = child->tgid;
				t->m[t->nr].start = child->start_time;
				t->nr++;
			} else {
				t->untracked++;
			}
		}
		raw_spin_unlock_irqrestore(&t->lock, flags);
	}
	rcu_read_unlock();
}

/* Every thread passes here; the process leaves with its last one. */
static void icmpt_tree_task_exit(struct task_struct *p)
{
	struct icmpt_tree *t;
	unsigned long flags;
	int i;

	/* do_exit() counts the thread out of signal->live before the tracepoint. */
	if (atomic_read(&p->signal->live))
		return;
	rcu_read_lock();
	t = icmpt_tree_active();
	if (t) {
		raw_spin_lock_irqsave(&t->lock, flags);
		i = icmpt_tree_find(t, p->tgid, p->group_leader->start_time);
		if (i >= 0)
			t->m[i] = t->m[--t->nr];
		raw_spin_unlock_irqrestore(&t->lock, flags);
	}
	rcu_read_unlock();
}

ICMPT_DEFINE_SCHED_EXIT_PROBE(icmpt_tree_exit_probe, icmpt_tree_task_exit);

/*
 * A tree rooted at host tgid root, which must be a live process.  Its
 * children started before now are not members: the reader sets the filter
 * while the command's process waits, before it can start any.
 */
int icmpt_tree_new(struct icmpt_tree **tp, u32 root, struct netlink_ext_ack *extack)
{
	struct task_struct *task;
	struct icmpt_tree *t;
	u64 start = 0;
	bool found = false;

	if (!READ_ONCE(icmpt_tree_ready)) {
		NL_SET_ERR_MSG(extack, "no sched_process_fork/exit tracepoints in this kernel");
		return -EOPNOTSUPP;
	}
	rcu_read_lock();
	task = pid_task(find_pid_ns(root, &init_pid_ns), PIDTYPE_TGID);
	if (task && !(task->flags & PF_EXITING)) {
		start = task->start_time;
		found = true;
	}
	rcu_read_unlock();
	if (!found) {
		NL_SET_ERR_MSG(extack, "tree root: no such process");
		return -ESRCH;
	}
	t = kvzalloc(struct_size(t, m, tree_slots), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	raw_spin_lock_init(&t->lock);
	t->root = root;
	t->max = tree_slots;
	t->m[0].tgid = root;
	t->m[0].start = start;
	t->nr = 1;
	*tp = t;
	return 0;
}

void icmpt_tree_free(struct icmpt_tree *t)
{
	kvfree(t);
}

void icmpt_tree_report(struct icmpt_tree *t, u32 *root, u32 *members, u64 *untracked)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&t->lock, flags);
	*root = t->root;
	*members = t->nr;
	*untracked = t->untracked;
	raw_spin_unlock_irqrestore(&t->lock, flags);
}

static struct {
	const char *name;
	void *probe;
	struct tracepoint *tp;
	bool registered;
} icmpt_tree_tps[] = {
	{ .name = "sched_process_fork", .probe = icmpt_tree_fork },
	{ .name = "sched_process_exit", .probe = icmpt_tree_exit_probe },
};

static void icmpt_tree_tp_find(struct tracepoint *tp, void *priv)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(icmpt_tree_tps); i++)
		if (!strcmp(tp->name, icmpt_tree_tps[i].name))
			icmpt_tree_tps[i].tp = tp;
}

static void icmpt_tree_unregister(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(icmpt_tree_tps); i++)
		if (icmpt_tree_tps[i].registered)
			tracepoint_probe_unregister(icmpt_tree_tps[i].tp,
						    icmpt_tree_tps[i].probe, NULL);
	/* No probe runs after this: the module text and filters may go. */
	tracepoint_synchronize_unregister();
	for (i = 0; i < ARRAY_SIZE(icmpt_tree_tps); i++)
		icmpt_tree_tps[i].registered = false;
}

/*
 * A kernel without the tracepoints (CONFIG_TRACEPOINTS=n) loads the module
 * all the same; only a tree filter is refused (EOPNOTSUPP).
 */
int icmpt_tree_init(void)
{
	unsigned int i;
	int err;

	if (tree_slots < 4 || tree_slots > 65536) {
		pr_err("tree_slots=%u is outside 4..65536\n", tree_slots);
		return -EINVAL;
	}
	for_each_kernel_tracepoint(icmpt_tree_tp_find, NULL);
	for (i = 0; i < ARRAY_SIZE(icmpt_tree_tps); i++) {
		if (!icmpt_tree_tps[i].tp) {
			pr_warn("no %s tracepoint: process-tree filters are unavailable\n",
				icmpt_tree_tps[i].name);
			return 0;
		}
	}
	for (i = 0; i < ARRAY_SIZE(icmpt_tree_tps); i++) {
		err = tracepoint_probe_register(icmpt_tree_tps[i].tp,
						icmpt_tree_tps[i].probe, NULL);
		if (err) {
			icmpt_tree_unregister();
			return err;
		}
		icmpt_tree_tps[i].registered = true;
	}
	WRITE_ONCE(icmpt_tree_ready, true);
	return 0;
}

void icmpt_tree_exit(void)
{
	WRITE_ONCE(icmpt_tree_ready, false);
	icmpt_tree_unregister();
}
