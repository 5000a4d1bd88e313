// SPDX-License-Identifier: GPL-2.0
/*
 * Attribution: which task a record belongs to, and how we know.
 *
 *   LOCAL_OUT, task context, user socket   the sender: current   (SENDER)
 *   LOCAL_OUT, softirq or kernel socket    built by the kernel    (KERNEL)
 *   LOCAL_IN echo reply                    the task that sent the request
 *                                          with this id to this peer (MATCHED)
 *   LOCAL_IN error quoting an echo         likewise, from the quoted request
 *   LOCAL_IN error quoting UDP/TCP         the task that last sent from the
 *                                          quoted local address and port (SOCKET)
 *   anything else                          nobody (NONE)
 *
 * current is never used at LOCAL_IN: that hook runs in softirq, where
 * current is whatever the softirq interrupted.
 */
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/sched.h>
#include <linux/skbuff.h>
#include <linux/string.h>
#include <net/sock.h>
#include <linux/icmptrace_icmp.h>
#include "icmpt.h"
#include "icmpt_sender.h"

static void icmpt_key(struct icmpt_owner_key *k, u64 netns, u8 family, u8 proto,
		      u16 port, const u8 *addr)
{
	memset(k, 0, sizeof(*k));
	k->netns = netns;
	k->family = family;
	k->proto = proto;
	k->port = port;
	memcpy(k->addr, addr, family == 4 ? 4 : 16);
}

static bool icmpt_is_echo(u8 family, u8 type, bool reply)
{
	if (family == 4)
		return type == (reply ? ICMPT_V4_ECHO_REPLY : ICMPT_V4_ECHO_REQUEST);
	return type == (reply ? ICMPT_V6_ECHO_REPLY : ICMPT_V6_ECHO_REQUEST);
}

static void icmpt_task_clear(struct icmpt_task *task)
{
	memset(task, 0, sizeof(*task));
	task->syscall_nr = -1;
}

/* kind if key has a remembered owner (copied to task), else NONE. */
static u8 icmpt_lookup(const struct icmpt_owner_key *k, struct icmpt_task *task,
		       u8 kind)
{
	if (icmpt_owner_get(k, task))
		return kind;
	icmpt_task_clear(task);	/* a torn copy must not leak out */
	return ICMPT_OWNER_NONE;
}

static u8 icmpt_attribute_in(u64 netns, const struct icmpt_packet *pkt,
			     const struct icmpt_detail *det,
			     struct icmpt_task *task)
{
	const struct icmpt_inner *in = &det->inner;
	struct icmpt_owner_key k;

	if ((pkt->flags & ICMPT_PKT_HAS_ECHO) &&
	    icmpt_is_echo(pkt->family, pkt->type, true)) {
		icmpt_key(&k, netns, pkt->family, pkt->proto, pkt->id, pkt->saddr);
		return icmpt_lookup(&k, task, ICMPT_OWNER_MATCHED);
	}
	if (!(pkt->flags & ICMPT_PKT_HAS_INNER) || !(in->flags & ICMPT_INNER_IP) ||
	    (in->version != 4 && in->version != 6))
		return ICMPT_OWNER_NONE;

	/* An error about our echo request: its sender, as for a reply. */
	if ((in->flags & ICMPT_INNER_ECHO) &&
	    icmpt_is_echo(in->version, in->icmp_type, false)) {
		icmpt_key(&k, netns, in->version, in->proto, in->id, in->daddr);
		return icmpt_lookup(&k, task, ICMPT_OWNER_MATCHED);
	}
	/* An error about a datagram we sent: whoever sent from that port. */
	if ((in->flags & ICMPT_INNER_PORTS) &&
	    (in->proto == IPPROTO_UDP || in->proto == IPPROTO_TCP)) {
		icmpt_key(&k, netns, in->version, in->proto, in->sport, in->saddr);
		return icmpt_lookup(&k, task, ICMPT_OWNER_SOCKET);
	}
	return ICMPT_OWNER_NONE;
}

/* Whether icmpt_attribute() must run even for a packet filtered out. */
bool icmpt_attribute_remembers(const struct nf_hook_state *state,
			       const struct icmpt_packet *pkt)
{
	return state->hook == NF_INET_LOCAL_OUT &&
	       (pkt->flags & ICMPT_PKT_HAS_ECHO) &&
	       icmpt_is_echo(pkt->family, pkt->type, false);
}

u8 icmpt_attribute(const struct sk_buff *skb, const struct nf_hook_state *state,
		   u8 ctx, bool sends, const struct icmpt_packet *pkt,
		   const struct icmpt_detail *det, struct icmpt_task *task)
{
	u64 netns = icmpt_owners_net_serial(state->net);
	struct icmpt_owner_key k;

	/* task is written whole on every path: cleared, or filled (which clears). */
	if (state->hook == NF_INET_LOCAL_IN) {
		icmpt_task_clear(task);
		return icmpt_attribute_in(netns, pkt, det, task);
	}
	if (!icmpt_sent_by_current(skb, ctx, sends)) {
		icmpt_task_clear(task);
		/* A task's socket that current does not send for: unknown. */
		if (icmpt_sent_by_current(skb, ctx, true))
			return ICMPT_OWNER_NONE;
		return ICMPT_OWNER_KERNEL;
	}
	icmpt_task_fill(task, current);
	/* Remember the request so its reply can be attributed. */
	if ((pkt->flags & ICMPT_PKT_HAS_ECHO) &&
	    icmpt_is_echo(pkt->family, pkt->type, false)) {
		icmpt_key(&k, netns, pkt->family, pkt->proto, pkt->id, pkt->daddr);
		icmpt_owner_put(&k, task);
	}
	return ICMPT_OWNER_SENDER;
}

DEFINE_PER_CPU(struct icmpt_last_sender, icmpt_last_sender);

/*
 * A UDP or TCP datagram current sends from another namespace, address or
 * port, or as another identity, than this CPU's last sender, or in a later
 * jiffy (see icmpt_note_sender()): remember its sender by local address
 * and port, so an ICMP error quoting it finds its owner.  The table probe
 * (hash, four key compares, icmpt_task_same()) writes nothing unless the
 * sender changed, and the jiffy's recency at most.  Looking the quoted
 * ports up in the kernel's socket tables when an error arrives
 * (udp4_lib_lookup() and friends) would cost non-ICMP traffic nothing,
 * but a socket has no owning task: it names a uid and a cgroup, never the
 * pid, tid or comm of whoever sent.
 */
void icmpt_note_sender_miss(struct sk_buff *skb, const struct nf_hook_state *state,
			    u8 family, u8 proto, unsigned int thoff, const u8 *saddr)
{
	struct icmpt_last_sender *last;
	struct icmpt_owner_key k;
	unsigned long now;
	__be16 _sport;
	const __be16 *sport;

	sport = skb_header_pointer(skb, thoff, sizeof(_sport), &_sport);
	if (!sport)
		return;
	icmpt_key(&k, icmpt_owners_net_serial(state->net), family, proto,
		  ntohs(*sport), saddr);
	/*
	 * Within the jiffy the table's entry was put or found fresh (its
	 * stamp is now), so there is nothing to write; after a change of
	 * identity the next datagram goes to the table again.
	 */
	now = jiffies;
	last = get_cpu_ptr(&icmpt_last_sender);
	icmpt_owner_put(&k, NULL);
	last->key = k;
	last->net = state->net;
	icmpt_current_mark_set(&last->who);
	last->stamp = now;
	put_cpu_ptr(&icmpt_last_sender);
}
