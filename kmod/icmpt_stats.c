// SPDX-License-Identifier: GPL-2.0
/*
 * The on/off switch of tracing and the per-CPU counters.  The hooks write
 * the counters of their CPU with bottom halves disabled; the netlink side
 * sums them.
 */
#include <linux/percpu.h>
#include "icmpt.h"

bool icmpt_enabled = true;
DEFINE_PER_CPU(struct icmpt_cpu_stats, icmpt_stats);
