// SPDX-License-Identifier: GPL-2.0
/*
 * Defines ICMPT_HAVE_LOCAL_LOCK_NESTED_BH: local_lock_nested_bh(), a
 * per-CPU lock for data that bottom halves protect (6.10+); on PREEMPT_RT
 * it serialises the tasks of a CPU where local_bh_disable() may not.
 */
#include <linux/spinlock.h>	/* PREEMPT_RT: local_lock.h needs it first */
#include <linux/local_lock.h>
#include <linux/percpu.h>

struct icmpt_probe_nbh {
	local_lock_t lock;
};

static DEFINE_PER_CPU(struct icmpt_probe_nbh, icmpt_probe_nbh) = {
	.lock = INIT_LOCAL_LOCK(lock),
};

void icmpt_probe_nested_bh(void)
{
	local_lock_nested_bh(&icmpt_probe_nbh.lock);
	local_unlock_nested_bh(&icmpt_probe_nbh.lock);
}
