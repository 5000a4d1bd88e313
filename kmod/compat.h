/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Force-included into every file of the module (Kbuild: -include).  Kernel
 * API differences live here and only here, keyed on what the Kbuild probes
 * in probes/ found the target kernel to have (icmpt_probed.h), never on its
 * version number: logic files stay free of #if.
 */
#ifndef ICMPT_COMPAT_H
#define ICMPT_COMPAT_H

/* Before any kernel header, so every message of the module is prefixed. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "icmpt_probed.h"

#include <linux/mm.h>

/*
 * A variable that CONFIG_INIT_STACK_ALL_ZERO must not clear, because every
 * byte of it that is read was written first.  compiler_attributes.h has it
 * since 6.x (included before this file); gcc 12 and clang know the
 * attribute whatever the kernel.
 */
#ifndef __uninitialized
#if __has_attribute(__uninitialized__)
#define __uninitialized __attribute__((__uninitialized__))
#else
#define __uninitialized
#endif
#endif

/* 6.3 made vm_flags read-only and added accessors. */
#ifndef ICMPT_HAVE_VM_FLAGS_SET
static inline void icmpt_vm_flags_set(struct vm_area_struct *vma,
				      unsigned long flags)
{
	vma->vm_flags |= flags;
}

static inline void icmpt_vm_flags_clear(struct vm_area_struct *vma,
					unsigned long flags)
{
	vma->vm_flags &= ~flags;
}
#else
#define icmpt_vm_flags_set vm_flags_set
#define icmpt_vm_flags_clear vm_flags_clear
#endif

/*
 * 5.3 added pernet_operations.pre_exit, run before the grace period that
 * precedes .exit.  False: the kernel has none, fn is not set.
 */
#ifdef ICMPT_HAVE_PERNET_PRE_EXIT
#include <net/net_namespace.h>

static inline bool icmpt_pernet_set_pre_exit(struct pernet_operations *ops,
					     void (*fn)(struct net *net))
{
	ops->pre_exit = fn;
	return true;
}
#else
struct net;
struct pernet_operations;

static inline bool icmpt_pernet_set_pre_exit(struct pernet_operations *ops,
					     void (*fn)(struct net *net))
{
	return false;
}
#endif

/*
 * 6.10 added local_lock_nested_bh(): a per-CPU lock for data that bottom
 * halves protect.  On PREEMPT_RT it is a real lock, so the tasks of one CPU
 * stay serialised where local_bh_disable() no longer takes a per-CPU lock;
 * elsewhere lockdep checks it.  Before 6.10, local_bh_disable() alone is
 * the rule (on RT it takes the per-CPU softirq lock).
 */
/* On PREEMPT_RT local_lock.h uses spinlock_t without including it. */
#include <linux/spinlock.h>
#include <linux/local_lock.h>
#ifdef ICMPT_HAVE_LOCAL_LOCK_NESTED_BH
#define icmpt_lock_nested_bh(l)		local_lock_nested_bh(l)
#define icmpt_unlock_nested_bh(l)	local_unlock_nested_bh(l)
#else
#define icmpt_lock_nested_bh(l)		((void)(l))
#define icmpt_unlock_nested_bh(l)	((void)(l))
#endif

/*
 * The sched_process_exit tracepoint passes (task, group_dead) on newer
 * kernels, the task alone before.  Defines a probe of the right shape,
 * name, that calls fn(task).
 */
struct task_struct;
#ifdef ICMPT_HAVE_SCHED_EXIT_GROUP_DEAD
#define ICMPT_DEFINE_SCHED_EXIT_PROBE(name, fn)				\
	static void name(void *data, struct task_struct *p, bool group_dead) \
	{								\
		fn(p);							\
	}
#else
#define ICMPT_DEFINE_SCHED_EXIT_PROBE(name, fn)				\
	static void name(void *data, struct task_struct *p)		\
	{								\
		fn(p);							\
	}
#endif

#endif /* ICMPT_COMPAT_H */
