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
 *	runs the producer N times in an IPI handler on another CPU: in hard
 *	IRQ context, or, when that CPU idles, from its idle task with
 *	interrupts off (the kernel then skips the interrupt), as a nested
 *	producer would: each packet must be counted in dropped_nested and
 *	seen, and write nothing into the ring.
 *
 *   csum_selftest=1 (write only)
 *	parses hand-built IPv4 and IPv6 echoes in every skb checksum state
 *	and fails with EBADMSG (naming the case in the log) if a checksum
 *	verdict breaks the rule of icmpt_csum() in icmpt_skb.c, or if the
 *	module's icmpt_csum_add() differs from the parser's portable sum.
 */
#include <linux/delay.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/skbuff.h>
#include <net/checksum.h>
#include <net/ip6_checksum.h>
#include <net/ipv6.h>
#include <linux/smp.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include "icmpt.h"
#include "icmpt_parse.h"

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

/* What a hook does with a packet in hard IRQ: it may not enter the ring. */
static void icmpt_test_nested(void *unused)
{
	if (!WARN_ON_ONCE(icmpt_ring_may_enter()))
		icmpt_ring_count_nested();
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
MODULE_PARM_DESC(nest_irq, "test builds only: run the producer N times in an IPI handler");

/* An echo request of len ICMP bytes, IPv4 or IPv6 behind 408 bytes of options. */
static struct sk_buff *icmpt_test_echo(bool v6, unsigned int len, unsigned int pad)
{
	unsigned int hdr = v6 ? sizeof(struct ipv6hdr) + 408 : sizeof(struct iphdr);
	struct sk_buff *skb = alloc_skb(hdr + len + pad, GFP_KERNEL);
	u8 *p, *icmp;

	if (!skb)
		return NULL;
	skb_reset_network_header(skb);
	p = skb_put_zero(skb, hdr + len + pad);
	icmp = p + hdr;
	icmp[0] = v6 ? 128 : 8;
	icmp[5] = 7;
	memset(icmp + 8, 0x5a, len - 8);
	if (v6) {
		struct ipv6hdr *ip6 = (struct ipv6hdr *)p;
		u8 *d = p + sizeof(*ip6);

		ip6->version = 6;
		ip6->payload_len = htons(408 + len);
		ip6->nexthdr = NEXTHDR_DEST;
		ip6->hop_limit = 64;
		ip6->saddr = in6addr_loopback;
		ip6->daddr = in6addr_loopback;
		d[0] = IPPROTO_ICMPV6;
		d[1] = 408 / 8 - 1;
		d[2] = 0x1e;
		d[3] = 200;
		d[204] = 0x1e;
		d[205] = 200;
		d[406] = 1;
		*(__sum16 *)(icmp + 2) = csum_ipv6_magic(&ip6->saddr, &ip6->daddr, len,
							 IPPROTO_ICMPV6,
							 csum_partial(icmp, len, 0));
	} else {
		struct iphdr *iph = (struct iphdr *)p;

		iph->version = 4;
		iph->ihl = 5;
		iph->tot_len = htons(sizeof(*iph) + len);
		iph->ttl = 64;
		iph->protocol = IPPROTO_ICMP;
		iph->saddr = htonl(INADDR_LOOPBACK);
		iph->daddr = htonl(INADDR_LOOPBACK);
		iph->check = ip_fast_csum(iph, iph->ihl);
		*(__sum16 *)(icmp + 2) = ip_compute_csum(icmp, len);
	}
	return skb;
}

struct icmpt_test_csum_case {
	const char *name;
	bool v6;
	unsigned int len, pad;
	u8 summed;		/* CHECKSUM_* */
	bool wrong;		/* skb->csum one off; the bytes stay right */
	u32 want;		/* ICMPT_PKT_CSUM_OK, _BAD or 0 */
};

static const struct icmpt_test_csum_case icmpt_test_csum_cases[] = {
	{ "v4 2000 none", false, 2000, 0, CHECKSUM_NONE, false, ICMPT_PKT_CSUM_OK },
	{ "v4 2000 complete", false, 2000, 0, CHECKSUM_COMPLETE, false, ICMPT_PKT_CSUM_OK },
	{ "v4 2000 complete, 3 bytes after", false, 2000, 3, CHECKSUM_COMPLETE, false,
	  ICMPT_PKT_CSUM_OK },
	{ "v4 2000 complete, skb->csum wrong", false, 2000, 0, CHECKSUM_COMPLETE, true,
	  ICMPT_PKT_CSUM_BAD },
	{ "v4 100 complete, skb->csum wrong", false, 100, 0, CHECKSUM_COMPLETE, true,
	  ICMPT_PKT_CSUM_BAD },
	{ "v4 2000 partial", false, 2000, 0, CHECKSUM_PARTIAL, false, 0 },
	{ "v4 100 partial", false, 100, 0, CHECKSUM_PARTIAL, false, 0 },
	{ "v6 1500 none", true, 1500, 0, CHECKSUM_NONE, false, ICMPT_PKT_CSUM_OK },
	{ "v6 1500 complete", true, 1500, 0, CHECKSUM_COMPLETE, false, ICMPT_PKT_CSUM_OK },
	{ "v6 1500 complete, skb->csum wrong", true, 1500, 0, CHECKSUM_COMPLETE, true,
	  ICMPT_PKT_CSUM_BAD },
};

/*
 * icmpt_csum_add() (the module's, on csum_partial()) against the parser's
 * portable icmpt_csum_add_c(): every length to 300 at every alignment to 8,
 * over zeros, 0xff bytes and random bytes, from a running sum.  Returns the
 * number of differences.
 */
static unsigned int icmpt_test_csum_add(void)
{
	unsigned int fill, off, len, bad = 0;
	u8 *buf = kmalloc(320, GFP_KERNEL);

	if (!buf)
		return 1;
	for (fill = 0; fill < 3; fill++) {
		if (fill < 2)
			memset(buf, fill ? 0xff : 0, 320);
		else
			get_random_bytes(buf, 320);
		for (off = 0; off < 8; off++) {
			for (len = 0; len <= 300; len++) {
				u64 start = (u64)len * 0x10001;
				u64 a = icmpt_csum_add(start, buf + off, len);
				u64 b = icmpt_csum_add_c(start, buf + off, len);

				if (a != b && bad++ < 5)
					pr_err("csum_selftest: fill %u off %u len %u: 0x%llx, portable 0x%llx\n",
					       fill, off, len, a, b);
			}
		}
	}
	kfree(buf);
	return bad;
}

/*
 * One case; flip: one bit of the message's checksum field wrong (the sum
 * of the bytes is bad).  Returns 1 on a wrong verdict.
 */
static int icmpt_test_csum_one(const struct icmpt_test_csum_case *c, bool flip)
{
	const u32 verdict = ICMPT_PKT_CSUM_OK | ICMPT_PKT_CSUM_BAD;
	struct sk_buff *skb = icmpt_test_echo(c->v6, c->len, c->pad);
	u32 want = flip && c->want ? ICMPT_PKT_CSUM_BAD : c->want;
	struct icmpt_packet pkt;
	struct icmpt_detail det;
	u8 *icmp;
	int bad;

	if (!skb)
		return 1;
	icmp = skb->data + (c->v6 ? sizeof(struct ipv6hdr) + 408 : sizeof(struct iphdr));
	skb->ip_summed = c->summed;
	if (flip)
		icmp[3] ^= 1;
	if (c->summed == CHECKSUM_PARTIAL)
		memset(icmp + 2, 0, 2);	/* filled at transmit */
	if (c->summed == CHECKSUM_COMPLETE)
		skb->csum = csum_partial(skb->data, skb->len, 0);
	if (c->wrong)
		skb->csum = csum_add(skb->csum, (__force __wsum)htonl(1));
	bad = !icmpt_parse_skb(skb, 0, c->v6 ? NFPROTO_IPV6 : NFPROTO_IPV4, &pkt, &det) ||
	      (pkt.flags & verdict) != want;
	if (bad)
		pr_err("csum_selftest: %s%s: flags 0x%x, want verdict 0x%x\n", c->name,
		       flip ? ", field wrong" : "", pkt.flags, want);
	kfree_skb(skb);
	return bad;
}

static int icmpt_test_csum_set(const char *val, const struct kernel_param *kp)
{
	unsigned int i, bad = icmpt_test_csum_add();

	for (i = 0; i < ARRAY_SIZE(icmpt_test_csum_cases); i++) {
		const struct icmpt_test_csum_case *c = &icmpt_test_csum_cases[i];

		bad += icmpt_test_csum_one(c, false);
		/* The bytes' sum, not skb->csum, is what is wrong here. */
		if (!c->wrong)
			bad += icmpt_test_csum_one(c, true);
	}
	return bad ? -EBADMSG : 0;
}

static const struct kernel_param_ops icmpt_test_csum_ops = {
	.set = icmpt_test_csum_set,
};

module_param_cb(csum_selftest, &icmpt_test_csum_ops, NULL, 0200);
MODULE_PARM_DESC(csum_selftest, "test builds only: check the checksum rule on built skbs");
