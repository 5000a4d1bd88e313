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
 */
#include <linux/delay.h>
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
