// SPDX-License-Identifier: GPL-2.0
/*
 * icmptrace: record every ICMP packet a host sends or receives, with the
 * process that owns it, into per-CPU rings mapped by /dev/icmptrace.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sizes.h>
#include "icmpt.h"

static unsigned long ring_size = SZ_1M;
module_param(ring_size, ulong, 0444);
MODULE_PARM_DESC(ring_size,
		 "bytes of each CPU's ring, rounded up to a power of two (8K..256M, default 1M)");

static unsigned int owner_slots = 8192;
module_param(owner_slots, uint, 0444);
MODULE_PARM_DESC(owner_slots,
		 "senders remembered for attributing replies and errors (128 bytes each, default 8192)");

static int __init icmpt_init(void)
{
	int err;

	if (ring_size < 2 * PAGE_SIZE || ring_size > SZ_256M) {
		pr_err("ring_size=%lu is outside 8K..256M\n", ring_size);
		return -EINVAL;
	}
	if (owner_slots < 4 || owner_slots > (1U << 20)) {
		pr_err("owner_slots=%u is outside 4..1048576\n", owner_slots);
		return -EINVAL;
	}
	err = icmpt_snaplen_init();
	if (err)
		return err;
	err = icmpt_owners_init(owner_slots);
	if (err)
		return err;
	err = icmpt_rings_init(ring_size);
	if (err)
		goto err_owners;
	err = icmpt_hooks_init();
	if (err)
		goto err_rings;
	err = icmpt_tree_init();
	if (err)
		goto err_hooks;
	err = icmpt_genl_init();
	if (err)
		goto err_tree;
	/*
	 * The device last: an open file holds a module reference, which a
	 * failed init does not wait for; nothing after this step may fail.
	 */
	err = icmpt_dev_init();
	if (err)
		goto err_genl;
	pr_info("tracing ICMP into %u rings of %llu KiB\n",
		icmpt_nr_rings, icmpt_data_size >> 10);
	return 0;

err_genl:
	icmpt_genl_exit();
err_tree:
	icmpt_tree_exit();
err_hooks:
	icmpt_hooks_exit();
err_rings:
	icmpt_rings_exit();
err_owners:
	icmpt_owners_exit();
	/*
	 * Once the family was registered a session may have set a filter
	 * (and queued an old one to call_rcu()): free it, and let every
	 * callback into this module's text run before the module goes.
	 */
	icmpt_filter_exit();
	return err;
}

static void __exit icmpt_exit(void)
{
	/* No control operation runs after this. */
	icmpt_genl_exit();
	/* No producer runs after this, so the rings and the filter can go. */
	icmpt_hooks_exit();
	/* Nor any tracepoint probe, which reads the filter too. */
	icmpt_tree_exit();
	/* A mapped or open device holds a module reference: none is left. */
	icmpt_dev_exit();
	icmpt_rings_exit();
	icmpt_owners_exit();
	icmpt_filter_exit();
}

module_init(icmpt_init);
module_exit(icmpt_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Trace ICMP packets with the process that owns them");
MODULE_AUTHOR("icmptrace developers");
