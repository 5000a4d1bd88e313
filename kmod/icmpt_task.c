// SPDX-License-Identifier: GPL-2.0
/* Task fields of a record, read from a task known to own the packet. */
#include <linux/cgroup.h>
#include <linux/cred.h>
#include <linux/ipc_namespace.h>
#include <linux/nsproxy.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task_stack.h>
#include <linux/string.h>
#include <linux/utsname.h>
#include <net/net_namespace.h>
#include <asm/syscall.h>
#include "icmpt.h"
#include "icmpt_sender.h"

/*
 * from_kuid_munged(&init_user_ns, ...) without the map walk: the initial
 * namespace maps every id to itself, so a valid kuid's value is the id.
 */
static u32 icmpt_uid(kuid_t uid)
{
	return uid_valid(uid) ? __kuid_val(uid) : overflowuid;
}

static u32 icmpt_gid(kgid_t gid)
{
	return gid_valid(gid) ? __kgid_val(gid) : overflowgid;
}

/* Caller: task == current, in task context. */
void icmpt_task_fill(struct icmpt_task *t, struct task_struct *task)
{
	const struct cred *cred = current_cred();
	/*
	 * current's own PID namespace and pids, read once: task_*_vnr()
	 * looks the namespace up again on each call and guards against a
	 * task being reaped, which current, running, is not.  Only current
	 * changes its own pid (de_thread() in its exec), so none changes under
	 * us.  Two calls of __task_pid_nr_ns() were 139 instructions an echo
	 * in a ping flood (bench/insn_profile.sh).
	 */
	struct pid_namespace *ns = task_active_pid_ns(task);
	struct task_struct *parent;
	struct nsproxy *nsp;

	memset(t, 0, sizeof(*t));
	t->pid = task_tgid_nr(task);
	t->tid = task_pid_nr(task);
	t->ns_pid = pid_nr_ns(task_tgid(task), ns);
	t->ns_tid = pid_nr_ns(task_pid(task), ns);
	t->uid = icmpt_uid(cred->uid);
	t->gid = icmpt_gid(cred->gid);
	t->start_time_ns = task->start_boottime;
	t->syscall_nr = syscall_get_nr(task, task_pt_regs(task));
	strscpy(t->comm, task->comm, sizeof(t->comm));

	rcu_read_lock();
	parent = rcu_dereference(task->real_parent);
	t->ppid = task_tgid_nr(parent);
	/* 0 when the parent lives outside the task's PID namespace, as getppid(). */
	t->ns_ppid = task_tgid_vnr(parent);
	t->pid_ns = ns->ns.inum;
#ifdef CONFIG_CGROUPS
	t->cgroup_id = cgroup_id(task_dfl_cgroup(task));
#endif
	rcu_read_unlock();

	/* current's nsproxy is stable while current runs. */
	nsp = task->nsproxy;
	if (nsp) {
		t->net_ns = nsp->net_ns->ns.inum;
		t->uts_ns = nsp->uts_ns->ns.inum;
	}
}

/*
 * Whether t, copied from task == current earlier, still describes it: the
 * fields that change while the thread id and start time stay, comm (exec,
 * PR_SET_NAME), uid/gid (setuid), cgroup (a move), namespaces (setns,
 * unshare) and parent (reparenting).  Reads only, so a sender whose entry
 * is current dirties nothing.  t may be rewritten by another CPU meanwhile:
 * a torn compare costs one needless rewrite, never a wrong attribution.
 */
bool icmpt_task_same(const struct icmpt_task *t, struct task_struct *task)
{
	const struct cred *cred = current_cred();
	struct nsproxy *nsp = task->nsproxy;
	u64 cgroup = 0;
	u32 ppid;

	if (!nsp)
		return false;
	rcu_read_lock();
	ppid = task_tgid_nr(rcu_dereference(task->real_parent));
#ifdef CONFIG_CGROUPS
	cgroup = cgroup_id(task_dfl_cgroup(task));
#endif
	rcu_read_unlock();
	/* t may be rewritten meanwhile: a benign race, see above. */
	return data_race(t->tid == task_pid_nr(task) &&
			 t->start_time_ns == task->start_boottime &&
			 t->uid == icmpt_uid(cred->uid) &&
			 t->gid == icmpt_gid(cred->gid) &&
			 !strncmp(t->comm, task->comm, sizeof(t->comm)) &&
			 t->net_ns == nsp->net_ns->ns.inum &&
			 t->uts_ns == nsp->uts_ns->ns.inum &&
			 t->ppid == ppid && t->cgroup_id == cgroup);
}

void icmpt_current_mark_set(struct icmpt_current_mark *m)
{
	const struct cred *cred = current_cred();

	m->task = current;
	m->start_time_ns = current->start_boottime;
	m->nsproxy = current->nsproxy;
	m->parent = rcu_access_pointer(current->real_parent);
	m->cgroups = icmpt_current_cgroups();
	m->uid = cred->uid;
	m->gid = cred->gid;
	/* PR_SET_NAME from another thread may race: a benign stale name. */
	data_race(memcpy(m->comm, current->comm, sizeof(m->comm)));
}

/* Whether a and b, both filled by icmpt_task_fill(), name one identity. */
bool icmpt_task_ident_eq(const struct icmpt_task *a, const struct icmpt_task *b)
{
	/* a may be rewritten meanwhile: a benign race, see icmpt_task_same(). */
	return data_race(a->tid == b->tid && a->start_time_ns == b->start_time_ns &&
			 a->uid == b->uid && a->gid == b->gid &&
			 a->net_ns == b->net_ns && a->uts_ns == b->uts_ns &&
			 a->ppid == b->ppid && a->cgroup_id == b->cgroup_id &&
			 !memcmp(a->comm, b->comm, sizeof(a->comm)));
}
