// SPDX-License-Identifier: GPL-2.0
/*
 * Not a feature: uses only what every supported kernel has.  If this does not
 * build, the build environment is broken (e.g. objtool without /proc), and no
 * other probe's failure can be read as "the kernel lacks it".
 */
#include <linux/module.h>
#include <linux/skbuff.h>

unsigned int icmpt_probe(const struct sk_buff *skb);
unsigned int icmpt_probe(const struct sk_buff *skb)
{
	return skb->len;
}
