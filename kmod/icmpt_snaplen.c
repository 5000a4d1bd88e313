// SPDX-License-Identifier: GPL-2.0
/*
 * The snap length in force: how many packet bytes each record carries.
 * A session (netlink socket) may set its own, which goes away with the
 * socket; otherwise the module parameter applies.  The hooks read one
 * word locklessly; writers take a spinlock, since the netlink release
 * notifier that drops a dead session's value may not sleep.
 */
#include <linux/moduleparam.h>
#include <linux/spinlock.h>
#include "icmpt.h"

static unsigned int snaplen = ICMPT_SNAPLEN_DEFAULT;
module_param(snaplen, uint, 0444);
MODULE_PARM_DESC(snaplen,
		 "packet bytes per record for readers that set none (0..262144, default 256: what the parser decodes)");

u32 icmpt_snaplen;			/* in force; READ_ONCE() in the hooks */
static u32 icmpt_snaplen_portid;	/* session that set it, 0: none */
static DEFINE_SPINLOCK(icmpt_snaplen_lock);

int icmpt_snaplen_init(void)
{
	if (snaplen > ICMPT_SNAPLEN_MAX) {
		pr_err("snaplen=%u is above %u\n", snaplen, ICMPT_SNAPLEN_MAX);
		return -EINVAL;
	}
	WRITE_ONCE(icmpt_snaplen, snaplen);
	return 0;
}

/* Session portid's snap length; EBUSY while another session holds one. */
int icmpt_snaplen_set(u32 portid, u32 len)
{
	int err = 0;

	spin_lock(&icmpt_snaplen_lock);
	if (icmpt_snaplen_portid && icmpt_snaplen_portid != portid) {
		err = -EBUSY;
	} else {
		icmpt_snaplen_portid = portid;
		WRITE_ONCE(icmpt_snaplen, len);
	}
	spin_unlock(&icmpt_snaplen_lock);
	return err;
}

/* Session portid is gone: the module parameter applies again. */
void icmpt_snaplen_release(u32 portid)
{
	spin_lock(&icmpt_snaplen_lock);
	if (icmpt_snaplen_portid && icmpt_snaplen_portid == portid) {
		icmpt_snaplen_portid = 0;
		WRITE_ONCE(icmpt_snaplen, snaplen);
	}
	spin_unlock(&icmpt_snaplen_lock);
}
