// SPDX-License-Identifier: GPL-2.0
/*
 * The on/off switch of tracing and the per-CPU counters.  The hooks write
 * the counters of their CPU with bottom halves disabled; the netlink side
 * sums them.
 */
#include <linux/percpu.h>
#include "icmpt.h"

bool icmpt_enabled = true;
static DEFINE_PER_CPU(struct icmpt_cpu_stats, icmpt_stats);

struct icmpt_cpu_stats *icmpt_cpu_stats(unsigned int cpu)
{
	return per_cpu_ptr(&icmpt_stats, cpu);
}
