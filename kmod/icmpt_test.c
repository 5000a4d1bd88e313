// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only knobs, built only with "make ICMPT_TEST=y" (scripts/build-kmod
 * --test; the VM tests load that module in place of the real one).  The
 * module that is installed, packaged and benchmarked never has them.
 *
 *   hold_us=N (or echo N > /sys/module/icmptrace/parameters/hold_us)
 *	every hook spins N microseconds inside the record path, between
 *	classifying a packet and writing its record, and N more if the
 *	module began to unload meanwhile; and while the module unloads, a
 *	namespace's pernet .exit step sleeps 2N microseconds first.  Hooks
 *	are then in flight all through the unload, and any hook that the
 *	unload does not wait for runs on into freed rings.
 *
 *   nest_irq=N (write only)
 *	runs the producer N times in hard IRQ context (an IPI handler on
 *	another CPU), as a nested producer would: each packet must be
 *	counted in dropped_nested and seen, and write nothing into the ring.
 */
#include <linux/delay.h>
#include <linux/smp.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include "icmpt.h"

static unsigned int hold_us;
module_param(hold_us, uint, 0600);
MODULE_PARM_DESC(hold_us, "test builds only: microseconds each hook spins in the record path");

static void icmpt_test_spin(unsigned int us)
{
	mdelay(us / 1000);
	udelay(us % 1000);
}

void icmpt_test_hold(void)
{
	unsigned int us = READ_ONCE(hold_us);

	if (!us)
		return;
	icmpt_test_spin(us);
	/* Unloading began meanwhile: stay in flight through its next steps. */
	if (!module_is_live(THIS_MODULE))
		icmpt_test_spin(us);
}

/*
 * The grace period of unregister_pernet_subsys() is over when .exit runs:
 * hooks that begin from now on, until they are unregistered, are waited
 * for by nothing but what the module itself does.  Let many begin.
 */
void icmpt_test_exit_delay(void)
{
	unsigned int us = READ_ONCE(hold_us);

	if (us && !module_is_live(THIS_MODULE))
		usleep_range(2 * us, 2 * us + 1000);
}

static void icmpt_test_nested(void *unused)
{
	struct icmpt_sample s = { .keep = true, .dir = ICMPT_DIR_OUT };

	s.pkt.family = 4;
	s.pkt.proto = 1;
	icmpt_emit(&s);
}

static int icmpt_test_nest_set(const char *val, const struct kernel_param *kp)
{
	unsigned int n, i, cpu;
	int err = kstrtouint(val, 0, &n);

	if (err)
		return err;
	if (n > 1000)
		return -ERANGE;
	cpu = cpumask_any_but(cpu_online_mask, get_cpu());
	put_cpu();
	if (cpu >= nr_cpu_ids)
		return -ENODEV;
	for (i = 0; i < n && !err; i++)
		err = smp_call_function_single(cpu, icmpt_test_nested, NULL, 1);
	return err;
}

static const struct kernel_param_ops icmpt_test_nest_ops = {
	.set = icmpt_test_nest_set,
};

module_param_cb(nest_irq, &icmpt_test_nest_ops, NULL, 0200);
MODULE_PARM_DESC(nest_irq, "test builds only: run the producer N times in hard IRQ context");
