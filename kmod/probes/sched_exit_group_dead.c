// SPDX-License-Identifier: GPL-2.0
/*
 * Defines ICMPT_HAVE_SCHED_EXIT_GROUP_DEAD: the sched_process_exit
 * tracepoint passes (task, group_dead) rather than the task alone, so its
 * probes take one more argument.
 */
#include <linux/sched.h>
#include <trace/events/sched.h>

void icmpt_probe_sched_exit(struct task_struct *p);
void icmpt_probe_sched_exit(struct task_struct *p)
{
	trace_sched_process_exit(p, true);
}
