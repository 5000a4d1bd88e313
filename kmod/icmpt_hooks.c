// SPDX-License-Identifier: GPL-2.0
/*
 * Netfilter hooks at LOCAL_IN and LOCAL_OUT, in every network namespace:
 * one record per ICMP packet into the ring of the CPU that saw it.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/kcsan-checks.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/skbuff.h>
#include <linux/timekeeping.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include "icmpt.h"
#include "icmpt_sender.h"

/* Length of a packet record with cap_len packet bytes. */
u32 icmpt_event_len(u32 cap_len)
{
	return round_up(sizeof(struct icmpt_event) + cap_len, ICMPT_REC_ALIGN);
}

/*
 * One clock read per record: CLOCK_MONOTONIC, then the boot and real
 * offsets added (sequence-counted reads, no clocksource access).  Both
 * stamps name the same instant, so ordering by ts_boot_ns and printing
 * ts_real_ns agree.  Only a settimeofday() landing between the read and
 * the conversion could put the new real offset on the old instant: the
 * same nanoseconds by which two separate reads would differ anyway.
 */
static void icmpt_event_clock(struct icmpt_event *ev)
{
	ktime_t mono = ktime_get();

	ev->ts_boot_ns = ktime_to_ns(ktime_mono_to_any(mono, TK_OFFS_BOOT));
	ev->ts_real_ns = ktime_to_ns(ktime_mono_to_real(mono));
}

/*
 * The head and tail of a packet record: every field but the packet, task
 * and detail, which the classify step wrote in place or
 * icmpt_event_fill() copies.  The record has no packet bytes until
 * icmpt_event_put_bytes().
 */
static void icmpt_event_head(struct icmpt_event *ev,
			     const struct icmpt_meta *m, unsigned int cpu)
{
	/*
	 * No stale ring bytes reach the reader, and none is written twice
	 * (a memset of the whole record first was a sixth of its cost): each
	 * field of the head and tail is stored here, and the packet, task and
	 * detail are written whole by their makers (parser, task fill, owner
	 * table).  A field added to the record must be stored here: the
	 * checks fail until it is.
	 */
	BUILD_BUG_ON(offsetof(struct icmpt_event, pkt) !=
		     offsetofend(struct icmpt_event, pkt_netns));
	BUILD_BUG_ON(offsetof(struct icmpt_event, task) !=
		     offsetofend(struct icmpt_event, pkt));
	BUILD_BUG_ON(offsetof(struct icmpt_event, detail) !=
		     offsetofend(struct icmpt_event, task));
	BUILD_BUG_ON(offsetof(struct icmpt_event, cap_len) !=
		     offsetofend(struct icmpt_event, detail));
	BUILD_BUG_ON(sizeof(*ev) != offsetofend(struct icmpt_event, reserved1));
	BUILD_BUG_ON(offsetofend(struct icmpt_event, pkt_netns) != 40);
	/* A record without packet bytes is the struct, unpadded. */
	BUILD_BUG_ON(sizeof(*ev) % ICMPT_REC_ALIGN);
	ev->hdr.len = sizeof(*ev);
	ev->hdr.type = ICMPT_REC_PACKET;
	ev->hdr.reserved = 0;
	icmpt_event_clock(ev);
	ev->cpu = cpu;
	ev->direction = m->dir;
	ev->owner = m->owner;
	ev->ctx = m->ctx;
	ev->reserved0 = 0;
	ev->ifindex = m->ifindex;
	ev->pkt_netns = m->netns;
	ev->cap_len = 0;
	ev->cap_off = 0;
	ev->reserved1 = 0;
}

/* A packet record from a sample: a full ring's retry, the micro-benchmark. */
void icmpt_event_fill(struct icmpt_event *ev, const struct icmpt_sample *s,
		      unsigned int cpu)
{
	icmpt_event_head(ev, &s->m, cpu);
	ev->pkt = s->pkt;
	ev->task = s->task;
	ev->detail = s->det;
}

/*
 * Copies cap_len bytes of the datagram at off behind the fixed part of a
 * record reserved with icmpt_event_len(cap_len), and zeroes the padding:
 * no stale ring bytes reach the reader.  skb_copy_bits() walks paged and
 * frag_list skbs.
 */
static void icmpt_event_put_bytes(struct icmpt_event *ev,
				  const struct sk_buff *skb, unsigned int off,
				  u32 cap_len)
{
	u8 *dst = (u8 *)ev + sizeof(*ev);
	u32 room = icmpt_event_len(cap_len) - sizeof(*ev);

	ev->hdr.len = icmpt_event_len(cap_len);
	/* No bytes asked for (a reader without -w): no call at all. */
	if (!cap_len) {
		if (room)
			memset(dst, 0, room);
		return;
	}
	/* cap_len never exceeds skb->len - off: this cannot fail. */
	if (unlikely(skb_copy_bits(skb, off, dst, cap_len))) {
		memset(dst, 0, room);
		return;
	}
	memset(dst + cap_len, 0, room - cap_len);
	ev->cap_len = cap_len;
	ev->cap_off = sizeof(*ev);
}

/* Packet bytes a record of the datagram at off carries (the snap length). */
static u32 icmpt_event_cap(const struct sk_buff *skb, unsigned int off)
{
	return skb && skb->len > off ?
	       min_t(u32, READ_ONCE(icmpt_snaplen), skb->len - off) : 0;
}

/*
 * Classify: parse the packet into pkt and det, apply the filter, find the
 * owner (into task) and say the rest in m.  False if the packet is not
 * ICMP the parser can describe.
 */
static bool icmpt_classify(struct sk_buff *skb,
			   const struct nf_hook_state *state,
			   struct icmpt_packet *pkt, struct icmpt_detail *det,
			   struct icmpt_task *task, struct icmpt_meta *m)
{
	const struct net_device *dev;
	const struct icmpt_filter *f;

	if (!icmpt_parse_skb(skb, skb_network_offset(skb), state->pf, pkt, det))
		return false;

	m->ctx = icmpt_ctx();
	m->dir = state->hook == NF_INET_LOCAL_IN ? ICMPT_DIR_IN : ICMPT_DIR_OUT;
	dev = m->dir == ICMPT_DIR_IN ? state->in : state->out;
	m->ifindex = dev ? dev->ifindex : 0;
	m->netns = state->net->ns.inum;
	m->owner = ICMPT_OWNER_NONE;

	/* netfilter runs every hook under rcu_read_lock() (nf_hook()). */
	f = rcu_dereference(icmpt_active_filter);
	m->keep = !f || icmpt_filter_packet(f, m->dir, m->netns, pkt);
	/* A request filtered out is still remembered, for its reply. */
	if (m->keep || icmpt_attribute_remembers(state, pkt))
		m->owner = icmpt_attribute(skb, state, m->ctx, m->sends, pkt, det, task);
	if (m->keep && f)
		m->keep = icmpt_filter_owner(f, m->owner, task);
	return true;
}

/*
 * Count a classified packet in this CPU's counters; true if it is to be
 * recorded.  Between icmpt_ring_enter() and icmpt_ring_leave(), so that on
 * each CPU seen = recorded + filtered + dropped.
 */
static bool icmpt_count(unsigned int cpu, const struct icmpt_meta *m)
{
	struct icmpt_cpu_stats *st = icmpt_cpu_stats(cpu);

	/*
	 * This CPU's producer is its counters' one writer (plain read of
	 * the old value); icmpt_genl.c reads them from any CPU, READ_ONCE.
	 */
	ASSERT_EXCLUSIVE_WRITER(*st);
	WRITE_ONCE(st->seen, st->seen + 1);
	if (!m->keep) {
		WRITE_ONCE(st->filtered, st->filtered + 1);
		return false;
	}
	if (m->owner == ICMPT_OWNER_NONE)
		WRITE_ONCE(st->unattributed, st->unattributed + 1);
	return true;
}

/*
 * Classify straight into a record reserved in this CPU's ring, then fill
 * its head and commit it, or leave it uncommitted (not ICMP, filtered
 * out).  Copying a classified sample into the ring was about 100
 * instructions a record (icmpt_event_fill(), bench/insn_profile.sh).  A
 * full ring classifies into the stack sample instead and tries once more
 * after counting, in the same ring section: icmpt_ring_reserve() counts
 * the drop.  A hook that may not enter the ring classifies all the same,
 * for the requests it remembers, and counts it in dropped_nested.
 */
static void icmpt_record(struct sk_buff *skb, const struct nf_hook_state *state)
{
	unsigned int off = skb_network_offset(skb);
	/*
	 * Not cleared on entry (clearing its 280 bytes under
	 * CONFIG_INIT_STACK_ALL_ZERO was 168 of this function's 447
	 * instructions an echo, bench/insn_profile.sh): classify writes every
	 * byte that a kept record copies (the parser and the task fill or
	 * clear write theirs whole), and a sample not kept is not copied.
	 */
	struct icmpt_sample s __uninitialized;
	struct icmpt_packet *pkt = &s.pkt;
	struct icmpt_detail *det = &s.det;
	struct icmpt_task *task = &s.task;
	struct icmpt_event *ev;
	struct icmpt_ring *r;
	unsigned int cpu;
	u32 cap, len;
	u64 pos;

	/* Asked before icmpt_ring_enter() turns bottom halves off. */
	s.m.sends = icmpt_current_sends(state);
	if (!icmpt_ring_may_enter()) {
		if (icmpt_classify(skb, state, pkt, det, task, &s.m))
			icmpt_ring_count_nested();
		return;
	}
	icmpt_ring_enter(cpu);
	cap = icmpt_event_cap(skb, off);
	len = icmpt_event_len(cap);
	r = icmpt_ring_get(cpu);
	ev = icmpt_ring_try_reserve(r, len, &pos);
	if (ev) {
		pkt = &ev->pkt;
		det = &ev->detail;
		task = &ev->task;
	}
	if (!icmpt_classify(skb, state, pkt, det, task, &s.m))
		goto out;
	icmpt_test_hold();
	if (!icmpt_count(cpu, &s.m))
		goto out;
	if (ev) {
		icmpt_event_head(ev, &s.m, cpu);
	} else {
		ev = icmpt_ring_reserve(r, len, &pos);
		if (!ev)
			goto out;
		icmpt_event_fill(ev, &s, cpu);
	}
	icmpt_event_put_bytes(ev, skb, off, cap);
	icmpt_ring_commit(r, pos, len);
out:
	icmpt_ring_leave();
}

static unsigned int icmpt_hook_v4(void *priv, struct sk_buff *skb,
				  const struct nf_hook_state *state)
{
	const struct iphdr *iph = ip_hdr(skb);

	if (!READ_ONCE(icmpt_enabled))
		return NF_ACCEPT;
	if (iph->protocol == IPPROTO_ICMP) {
		icmpt_record(skb, state);
	} else if (state->hook == NF_INET_LOCAL_OUT &&
		   (iph->protocol == IPPROTO_UDP || iph->protocol == IPPROTO_TCP) &&
		   !(iph->frag_off & htons(IP_OFFSET))) {
		/* Who sends from which port: for ICMP errors that come back. */
		icmpt_note_sender(skb, state, 4, iph->protocol,
				  skb_network_offset(skb) + iph->ihl * 4,
				  (const u8 *)&iph->saddr);
	}
	return NF_ACCEPT;
}

static unsigned int icmpt_hook_v6(void *priv, struct sk_buff *skb,
				  const struct nf_hook_state *state)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	u8 nexthdr = ip6h->nexthdr;

	if (!READ_ONCE(icmpt_enabled))
		return NF_ACCEPT;
	/* ICMPv6, or extension headers the parser walks to find out. */
	if (nexthdr == IPPROTO_ICMPV6 || nexthdr == NEXTHDR_HOP ||
	    nexthdr == NEXTHDR_ROUTING || nexthdr == NEXTHDR_FRAGMENT ||
	    nexthdr == NEXTHDR_DEST || nexthdr == NEXTHDR_AUTH)
		icmpt_record(skb, state);
	else if (state->hook == NF_INET_LOCAL_OUT &&
		 (nexthdr == IPPROTO_UDP || nexthdr == IPPROTO_TCP))
		icmpt_note_sender(skb, state, 6, nexthdr,
				  skb_network_offset(skb) + sizeof(*ip6h),
				  ip6h->saddr.s6_addr);
	return NF_ACCEPT;
}

/*
 * Last in line: LOCAL_IN sees what the filter let through, LOCAL_OUT what
 * is about to leave after DNAT.  Conntrack confirm is at INT_MAX.
 */
#define ICMPT_PRIO (INT_MAX - 1)

static const struct nf_hook_ops icmpt_nf_ops[] = {
	{ .hook = icmpt_hook_v4, .pf = NFPROTO_IPV4,
	  .hooknum = NF_INET_LOCAL_IN, .priority = ICMPT_PRIO },
	{ .hook = icmpt_hook_v4, .pf = NFPROTO_IPV4,
	  .hooknum = NF_INET_LOCAL_OUT, .priority = ICMPT_PRIO },
	{ .hook = icmpt_hook_v6, .pf = NFPROTO_IPV6,
	  .hooknum = NF_INET_LOCAL_IN, .priority = ICMPT_PRIO },
	{ .hook = icmpt_hook_v6, .pf = NFPROTO_IPV6,
	  .hooknum = NF_INET_LOCAL_OUT, .priority = ICMPT_PRIO },
};

/* Called for every namespace, those that exist and those created later. */
static int __net_init icmpt_net_init(struct net *net)
{
	icmpt_owners_net_init(net);
	return nf_register_net_hooks(net, icmpt_nf_ops, ARRAY_SIZE(icmpt_nf_ops));
}

/*
 * nf_unregister_net_hooks() does not wait for hooks in flight.  In
 * .pre_exit, where the kernel has it, the grace period that the pernet
 * core waits before .exit does: after it no hook of the namespace runs.
 */
static void __net_exit icmpt_net_unhook(struct net *net)
{
	nf_unregister_net_hooks(net, icmpt_nf_ops, ARRAY_SIZE(icmpt_nf_ops));
}

static bool icmpt_unhooked_early;	/* in .pre_exit */

static void __net_exit icmpt_net_exit(struct net *net)
{
	icmpt_test_exit_delay();
	if (!icmpt_unhooked_early)
		icmpt_net_unhook(net);
}

static struct pernet_operations icmpt_net_ops = {
	.init = icmpt_net_init,
	.exit = icmpt_net_exit,
	.id = &icmpt_owner_net_id,
	.size = sizeof(struct icmpt_owner_net),
};

int icmpt_hooks_init(void)
{
	int err;

	icmpt_unhooked_early = icmpt_pernet_set_pre_exit(&icmpt_net_ops,
							 icmpt_net_unhook);
	err = register_pernet_subsys(&icmpt_net_ops);
	/* A failed registration unhooked the namespaces it had hooked. */
	if (err)
		synchronize_net();
	return err;
}

/*
 * unregister_pernet_subsys() waits a grace period before .exit, not after
 * it.  Whether the hooks went in .pre_exit or in .exit, one more grace
 * period here lets the hooks still in flight finish: after it, what the
 * hooks use (rings, owner table, filter) can be freed.
 */
void icmpt_hooks_exit(void)
{
	unregister_pernet_subsys(&icmpt_net_ops);
	synchronize_net();
}
