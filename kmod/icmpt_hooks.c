// SPDX-License-Identifier: GPL-2.0
/*
 * Netfilter hooks at LOCAL_IN and LOCAL_OUT, in every network namespace:
 * one record per ICMP packet into the ring of the CPU that saw it.
 */
#include <linux/bottom_half.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/skbuff.h>
#include <linux/timekeeping.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include "icmpt.h"
#include "icmpt_parse.h"

/*
 * Bytes of the datagram handed to the parser: outer IP header with options,
 * ICMP header, and the embedded original datagram of an error message.
 * The default snap length of the records holds them all.
 */
#define ICMPT_PARSE_BYTES 256
static_assert(ICMPT_SNAPLEN_DEFAULT >= ICMPT_PARSE_BYTES);

/*
 * The parser judges the checksum of what fits in its snapshot.  A longer
 * whole message (ICMP errors: up to 576 bytes for IPv4, 1280 for IPv6) is
 * summed here from the skb, a snapshot at a time: about 110 ns for 1500
 * bytes on the host, paid only by such messages.
 */
static void icmpt_csum_long(const struct sk_buff *skb, unsigned int off,
			    unsigned int caplen, struct icmpt_packet *pkt,
			    const struct icmpt_detail *det, u8 *buf)
{
	const u32 skip = ICMPT_PKT_CSUM_OK | ICMPT_PKT_CSUM_BAD |
			 ICMPT_PKT_FRAGMENT | ICMPT_PKT_MORE_FRAGS |
			 ICMPT_PKT_TRUNCATED | ICMPT_PKT_BAD_IP |
			 ICMPT_PKT_EXT_HDRS;
	unsigned int pos = off + det->icmp_off, left = pkt->icmp_len;
	u64 sum = 0;

	if ((pkt->flags & skip) || caplen >= pkt->ip_len || left < 8)
		return;
	while (left) {
		/* Every piece but the last is ICMPT_PARSE_BYTES, an even length. */
		unsigned int n = min_t(unsigned int, left, ICMPT_PARSE_BYTES);
		const u8 *p = skb_header_pointer(skb, pos, n, buf);

		if (!p)
			return;
		sum = icmpt_csum_add(sum, p, n);
		pos += n;
		left -= n;
	}
	pkt->flags |= icmpt_csum_verdict(pkt, sum);
}

/* Length of a packet record with cap_len packet bytes. */
u32 icmpt_event_len(u32 cap_len)
{
	return round_up(sizeof(struct icmpt_event) + cap_len, ICMPT_REC_ALIGN);
}

/*
 * The one way a packet record is written: hooks and micro-benchmark.  The
 * record has no packet bytes until icmpt_event_put_bytes().
 */
void icmpt_event_fill(struct icmpt_event *ev, const struct icmpt_sample *s,
		      unsigned int cpu)
{
	memset(ev, 0, sizeof(*ev));	/* no stale bytes reach the reader */
	ev->hdr.len = sizeof(*ev);
	ev->hdr.type = ICMPT_REC_PACKET;
	ev->ts_real_ns = ktime_get_real_ns();
	ev->ts_boot_ns = ktime_get_boottime_ns();
	ev->cpu = cpu;
	ev->direction = s->dir;
	ev->ctx = s->ctx;
	ev->owner = s->owner;
	ev->ifindex = s->ifindex;
	ev->pkt_netns = s->netns;
	ev->pkt = s->pkt;
	ev->detail = s->det;
	ev->task = s->task;
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
	/* cap_len never exceeds skb->len - off: this cannot fail. */
	if (unlikely(!cap_len || skb_copy_bits(skb, off, dst, cap_len))) {
		memset(dst, 0, room);
		return;
	}
	memset(dst + cap_len, 0, room - cap_len);
	ev->cap_len = cap_len;
	ev->cap_off = sizeof(*ev);
}

/*
 * Classify: parse the packet, apply the filter, find the owner.  False if
 * the packet is not ICMP the parser can describe.
 */
static bool icmpt_classify(struct sk_buff *skb,
			   const struct nf_hook_state *state,
			   struct icmpt_sample *s)
{
	unsigned int off = skb_network_offset(skb);
	unsigned int len, caplen;
	u8 snap[ICMPT_PARSE_BYTES];
	const struct net_device *dev;
	const struct icmpt_filter *f;
	const u8 *data;

	if (unlikely(skb->len <= off))
		return false;
	len = skb->len - off;
	caplen = min_t(unsigned int, len, sizeof(snap));
	data = skb_header_pointer(skb, off, caplen, snap);
	if (!data || icmpt_parse(&s->pkt, &s->det, data, caplen, len))
		return false;
	icmpt_csum_long(skb, off, caplen, &s->pkt, &s->det, snap);

	s->ctx = icmpt_ctx();
	s->dir = state->hook == NF_INET_LOCAL_IN ? ICMPT_DIR_IN : ICMPT_DIR_OUT;
	dev = s->dir == ICMPT_DIR_IN ? state->in : state->out;
	s->ifindex = dev ? dev->ifindex : 0;
	s->netns = state->net->ns.inum;
	s->owner = ICMPT_OWNER_NONE;

	/* netfilter runs every hook under rcu_read_lock() (nf_hook()). */
	f = rcu_dereference(icmpt_active_filter);
	s->keep = !f || icmpt_filter_packet(f, s->dir, s->netns, &s->pkt);
	/* A request filtered out is still remembered, for its reply. */
	if (s->keep || icmpt_attribute_remembers(state, &s->pkt))
		s->owner = icmpt_attribute(skb, state, s->ctx, &s->pkt,
					   &s->det, &s->task);
	if (s->keep && f)
		s->keep = icmpt_filter_owner(f, s->owner, &s->task);
	return true;
}

/*
 * Emit: count the packet and, if kept, write its record.  The ring of this
 * CPU is ours alone while bottom halves are off: no softirq, and (!RT) no
 * preemption, can enter it half-way.  The counters of this CPU are counted
 * here too, so that on each CPU seen = recorded + filtered + dropped.
 */
static void icmpt_emit(const struct sk_buff *skb, const struct icmpt_sample *s)
{
	unsigned int off = skb_network_offset(skb);
	struct icmpt_cpu_stats *st;
	struct icmpt_event *ev;
	struct icmpt_ring *r;
	unsigned int cpu;
	u32 cap, len;
	u64 pos;

	local_bh_disable();
	cpu = smp_processor_id();
	st = icmpt_cpu_stats(cpu);
	WRITE_ONCE(st->seen, st->seen + 1);
	if (!s->keep) {
		WRITE_ONCE(st->filtered, st->filtered + 1);
		goto out;
	}
	if (s->owner == ICMPT_OWNER_NONE)
		WRITE_ONCE(st->unattributed, st->unattributed + 1);
	/* classify made sure that skb->len > off. */
	cap = min_t(u32, READ_ONCE(icmpt_snaplen), skb->len - off);
	len = icmpt_event_len(cap);
	r = icmpt_ring_get(cpu);
	/* A record larger than the whole ring never fits: dropped, counted. */
	ev = icmpt_ring_reserve(r, len, &pos);
	if (ev) {
		icmpt_event_fill(ev, s, cpu);
		icmpt_event_put_bytes(ev, skb, off, cap);
		icmpt_ring_commit(r, pos, len);
	}
out:
	local_bh_enable();
}

static void icmpt_record(struct sk_buff *skb, const struct nf_hook_state *state)
{
	struct icmpt_sample s;

	if (icmpt_classify(skb, state, &s)) {
		icmpt_test_hold();
		icmpt_emit(skb, &s);
	}
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
	return nf_register_net_hooks(net, icmpt_nf_ops, ARRAY_SIZE(icmpt_nf_ops));
}

/*
 * nf_unregister_net_hooks() does not wait for hooks in flight.  In
 * .pre_exit, where the kernel has it, the grace period that the pernet
 * core waits before .exit does: after it no hook of the namespace runs,
 * and none can remember a sender of the namespace that .exit forgets.
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
	icmpt_owners_forget_netns(net->ns.inum);
}

static struct pernet_operations icmpt_net_ops = {
	.init = icmpt_net_init,
	.exit = icmpt_net_exit,
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
