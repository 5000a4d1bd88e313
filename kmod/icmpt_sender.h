/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who sends UDP/TCP, at the cost of a compare per datagram.  Every UDP or
 * TCP datagram a task sends must leave its sender in the owner table, so
 * that an ICMP error quoting it finds its owner (icmpt_owner.c).  Each CPU
 * keeps the last sender it noted; a datagram from the same namespace,
 * address, port and unchanged current within the same jiffy is done after
 * a few loads, inlined into the hooks: no key, no namespace serial, no
 * call.  Anything else goes to icmpt_note_sender_miss() and the table.
 */
#ifndef ICMPT_SENDER_H
#define ICMPT_SENDER_H

#include <linux/cred.h>
#include <linux/jiffies.h>
#include <linux/netfilter.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <linux/skbuff.h>
#include <linux/string.h>
#include <net/sock.h>
#include "icmpt.h"

static inline u8 icmpt_ctx(void)
{
	/* preempt_count() says nothing on PREEMPT_RT: ask in_task(). */
	if (in_task())
		return ICMPT_CTX_TASK;
	if (in_serving_softirq())
		return ICMPT_CTX_SOFTIRQ;
	return ICMPT_CTX_OTHER;
}

/* A packet from a task's socket (not e.g. the per-CPU icmp socket). */
static inline bool icmpt_from_user_sock(const struct sk_buff *skb)
{
	const struct sock *sk = skb->sk;

	return sk && sk_fullsock(sk) && !sk->sk_kern_sock;
}

/*
 * Whether current runs these hooks for its own send.  Not with bottom
 * halves off: a task that runs the stack's receive path itself (writing
 * into a tun device, busy polling) sends ACKs for other tasks' sockets.
 * Nor for a packet a queue hands back (NFQUEUE): nf_reinject() runs the
 * rest of the hooks in the queue daemon's verdict, with the queue entry's
 * state; nf_hook() and NF_HOOK_LIST() pass a state on the sender's stack.
 */
static inline bool icmpt_current_sends(const struct nf_hook_state *state)
{
	return !softirq_count() && object_is_on_stack(state);
}

/*
 * A packet current is sending itself, from a socket of its own; sends:
 * icmpt_current_sends(), asked before the hook turned bottom halves off.
 */
static inline bool icmpt_sent_by_current(const struct sk_buff *skb, u8 ctx, bool sends)
{
	if (ctx != ICMPT_CTX_TASK || (current->flags & PF_KTHREAD))
		return false;
	return sends && icmpt_from_user_sock(skb);
}

/*
 * Who current is, cheaply: what icmpt_task_same() compares, as pointers
 * where current holds the object and as values where a freed object's
 * address could come back (credentials, name, start time).
 */
struct icmpt_current_mark {
	const struct task_struct *task;
	u64 start_time_ns;
	const void *nsproxy;
	const void *parent;
	const void *cgroups;
	kuid_t uid;
	kgid_t gid;
	char comm[TASK_COMM_LEN];
};

void icmpt_current_mark_set(struct icmpt_current_mark *m);

static inline const void *icmpt_current_cgroups(void)
{
#ifdef CONFIG_CGROUPS
	return rcu_access_pointer(current->cgroups);
#else
	return NULL;
#endif
}

/* !memcmp(a, b, TASK_COMM_LEN) in word loads: memcmp() is a call. */
static __always_inline bool icmpt_comm_eq(const char *a, const char *b)
{
	unsigned int i;
	u64 x, y;

	BUILD_BUG_ON(TASK_COMM_LEN % sizeof(u64));
	for (i = 0; i < TASK_COMM_LEN; i += sizeof(u64)) {
		memcpy(&x, a + i, sizeof(x));
		memcpy(&y, b + i, sizeof(y));
		if (x != y)
			return false;
	}
	return true;
}

/*
 * Whether current is still who m says.  A pointer compared here (task,
 * nsproxy, parent, css_set) could in theory be freed and reused between
 * two calls; the caller bounds what that costs (one jiffy of a stale
 * entry).
 */
static __always_inline bool icmpt_current_marked(const struct icmpt_current_mark *m)
{
	const struct task_struct *t = current;
	const struct cred *cred = current_cred();

	return m->task == t && m->start_time_ns == t->start_boottime &&
	       m->nsproxy == t->nsproxy &&
	       m->parent == rcu_access_pointer(t->real_parent) &&
	       m->cgroups == icmpt_current_cgroups() &&
	       uid_eq(m->uid, cred->uid) && gid_eq(m->gid, cred->gid) &&
	       /* A racing PR_SET_NAME: one needless table probe at most. */
	       data_race(icmpt_comm_eq(m->comm, t->comm));
}

/* The last UDP/TCP sender a CPU noted. */
struct icmpt_last_sender {
	unsigned long stamp;		/* jiffies when noted */
	const struct net *net;		/* the datagram's state->net */
	struct icmpt_owner_key key;	/* its table key */
	struct icmpt_current_mark who;
};

DECLARE_PER_CPU(struct icmpt_last_sender, icmpt_last_sender);

void icmpt_note_sender_miss(struct sk_buff *skb, const struct nf_hook_state *state,
			    u8 family, u8 proto, unsigned int thoff, const u8 *saddr);

/* Whether last's key, but for the namespace, is family, proto, port, saddr. */
static __always_inline bool icmpt_last_key_is(const struct icmpt_last_sender *last,
					      u8 family, u8 proto, u16 port,
					      const u8 *saddr)
{
	u64 lo = 0, hi = 0, klo, khi;

	/* The key's address is zero-padded after an IPv4 one (icmpt_key()). */
	if (family == 4) {
		memcpy(&lo, saddr, 4);
	} else {
		memcpy(&lo, saddr, sizeof(lo));
		memcpy(&hi, saddr + sizeof(lo), sizeof(hi));
	}
	memcpy(&klo, last->key.addr, sizeof(klo));
	memcpy(&khi, last->key.addr + sizeof(klo), sizeof(khi));
	return last->key.family == family && last->key.proto == proto &&
	       last->key.port == port && klo == lo && khi == hi;
}

/*
 * A UDP or TCP datagram leaving (LOCAL_OUT): if current sends it, make
 * sure the owner table names current for its local address and port.
 * The hit test reads only the datagram, current and this CPU's last
 * sender.  It compares pointers whose objects may have been freed and
 * reused since they were noted (state->net, and those of
 * icmpt_current_marked()), but only within the jiffy of the note: after
 * it the datagram goes to icmpt_note_sender_miss() whatever it compares,
 * and so a reused address keeps the table stale for one jiffy at most.
 * Stale means the old entry or none (table keys carry the namespace's
 * serial, never its address), as when another CPU rewrote the entry in
 * the meantime.
 */
static __always_inline void icmpt_note_sender(struct sk_buff *skb,
					      const struct nf_hook_state *state,
					      u8 family, u8 proto,
					      unsigned int thoff, const u8 *saddr)
{
	const struct icmpt_last_sender *last;
	unsigned long now;
	__be16 sport;
	bool hit;

	if (!icmpt_sent_by_current(skb, icmpt_ctx(), icmpt_current_sends(state)))
		return;
	/* Headers the stack built are linear; else the miss copies them. */
	if (likely(skb_headlen(skb) >= thoff + sizeof(sport))) {
		memcpy(&sport, skb->data + thoff, sizeof(sport));
		/*
		 * Only task context gets here, so this CPU's entry is not
		 * shared: softirq on this CPU never notes a sender.
		 */
		now = jiffies;
		last = get_cpu_ptr(&icmpt_last_sender);
		hit = last->stamp == now && last->net == state->net &&
		      icmpt_last_key_is(last, family, proto, ntohs(sport), saddr) &&
		      icmpt_current_marked(&last->who);
		put_cpu_ptr(&icmpt_last_sender);
		if (hit)
			return;
	}
	icmpt_note_sender_miss(skb, state, family, proto, thoff, saddr);
}

#endif /* ICMPT_SENDER_H */
