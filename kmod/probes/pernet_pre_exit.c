// SPDX-License-Identifier: GPL-2.0
/*
 * Defines ICMPT_HAVE_PERNET_PRE_EXIT: pernet_operations.pre_exit, run
 * before the grace period that precedes .exit (5.3+).
 */
#include <net/net_namespace.h>

static void icmpt_probe_pre_exit(struct net *net)
{
}

struct pernet_operations icmpt_probe_ops = {
	.pre_exit = icmpt_probe_pre_exit,
};
