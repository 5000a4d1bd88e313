/* SPDX-License-Identifier: GPL-2.0 */
/* icmptrace module internals shared between its files. */
#ifndef ICMPT_H
#define ICMPT_H

#include <linux/types.h>
#include <linux/bottom_half.h>
#include <linux/percpu.h>
#include <linux/smp.h>
#include <linux/wait.h>
#include <linux/mm_types.h>
#include <linux/bitmap.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/uidgid.h>
#include <linux/icmptrace.h>

struct sk_buff;
struct nf_hook_state;
struct net;

/* One ring per CPU id; see include/uapi/linux/icmptrace.h for the protocol. */
struct icmpt_ring {
	struct icmpt_consumer_page *cons;	/* user-writable page */
	struct icmpt_producer_page *prod;	/* read-only for the user */
	void *data;			/* data pages mapped twice, contiguous */
	struct page **pages;		/* cons, prod, then the data pages */
	unsigned int nr_data_pages;
	u64 mask;			/* data_size - 1 */
};

/* icmpt_ring.c */
extern struct icmpt_ring *icmpt_rings;
extern unsigned int icmpt_nr_rings;
extern u64 icmpt_data_size;
extern wait_queue_head_t icmpt_wq;

int icmpt_rings_init(unsigned long size);
void icmpt_rings_exit(void);

/* Inline: an out-of-line call for an index was paid on every record. */
static inline struct icmpt_ring *icmpt_ring_get(unsigned int cpu)
{
	return &icmpt_rings[cpu];
}

/*
 * Become the one producer of this CPU's ring (uapi header, "Ring
 * protocol"): bottom halves off, then the ring's local lock where the
 * kernel has local_lock_nested_bh(); cpu is set to this CPU.  Enter and
 * leave in one function, after icmpt_ring_may_enter() said yes (else
 * icmpt_ring_count_nested() counts the packet).  Macros, so that sparse sees the lock and the unlock
 * in the producer's own body, whether the lock is a real one (RT) or not.
 */
struct icmpt_ring_lock {
	local_lock_t lock;
};

DECLARE_PER_CPU(struct icmpt_ring_lock, icmpt_ring_locks);

/* Whether a producer may enter this CPU's ring (icmpt_ring.c says why). */
static inline bool icmpt_ring_may_enter(void)
{
	return !hardirq_count() && !in_nmi() && !irqs_disabled();
}

void icmpt_ring_count_nested(void);

#define icmpt_ring_enter(cpu)						\
	do {								\
		local_bh_disable();					\
		(cpu) = smp_processor_id();				\
		icmpt_lock_nested_bh(&icmpt_ring_locks.lock);		\
	} while (0)

#define icmpt_ring_leave()						\
	do {								\
		icmpt_unlock_nested_bh(&icmpt_ring_locks.lock);		\
		local_bh_enable();					\
	} while (0)
void *icmpt_ring_try_reserve(struct icmpt_ring *r, u32 len, u64 *pos);
void *icmpt_ring_reserve(struct icmpt_ring *r, u32 len, u64 *pos);
void icmpt_ring_commit(struct icmpt_ring *r, u64 pos, u32 len);
bool icmpt_rings_readable(void);
void icmpt_rings_reset_wakeup(void);
unsigned long icmpt_ring_stride_pages(void);
struct page *icmpt_ring_page(unsigned int ring, unsigned long idx);

/* icmpt_dev.c */
int icmpt_dev_init(void);
void icmpt_dev_exit(void);

/*
 * icmpt_hooks.c: what the classify step decided about one packet: its
 * packet, detail and task (written straight into the ring's record when
 * there is room, else into a sample), and the rest (meta).
 */
struct icmpt_meta {
	u32 netns;		/* of the packet */
	int ifindex;
	u8 dir;			/* ICMPT_DIR_* */
	u8 ctx;			/* ICMPT_CTX_* */
	u8 owner;		/* ICMPT_OWNER_* */
	bool keep;		/* the filter lets it through */
	bool sends;		/* icmpt_current_sends(), before the ring section */
};

struct icmpt_sample {
	struct icmpt_packet pkt;
	struct icmpt_detail det;
	struct icmpt_task task;
	struct icmpt_meta m;
};

int icmpt_hooks_init(void);
/* icmpt_skb.c: parse the packet at network offset off; false: not ICMP. */
bool icmpt_parse_skb(const struct sk_buff *skb, unsigned int off, u8 pf,
		     struct icmpt_packet *pkt, struct icmpt_detail *det);
void icmpt_hooks_exit(void);
void icmpt_event_fill(struct icmpt_event *ev, const struct icmpt_sample *s,
		      unsigned int cpu);
u32 icmpt_event_len(u32 cap_len);

/* icmpt_stats.c: counters written by the hooks with bottom halves off. */
struct icmpt_cpu_stats {
	u64 seen;
	u64 filtered;
	u64 unattributed;
};

extern bool icmpt_enabled;
DECLARE_PER_CPU(struct icmpt_cpu_stats, icmpt_stats);

static inline struct icmpt_cpu_stats *icmpt_cpu_stats(unsigned int cpu)
{
	return per_cpu_ptr(&icmpt_stats, cpu);
}

/* icmpt_owner_cache.c: key of a remembered sender; all padding explicit, zero. */
struct icmpt_owner_key {
	u64 netns;		/* icmpt_owners_net_serial() of the namespace */
	u8 family;		/* 4 or 6 */
	u8 proto;		/* IPPROTO_ICMP(V6) for echo, else UDP/TCP */
	u16 port;		/* echo: identifier; UDP/TCP: local port */
	u32 reserved;
	u8 addr[16];		/* echo: the peer; UDP/TCP: the local address */
};

/* Per network namespace (net_generic()): see icmpt_owners_net_init(). */
struct icmpt_owner_net {
	u64 serial;
};

extern unsigned int icmpt_owner_net_id;

int icmpt_owners_init(unsigned int nr_slots);
void icmpt_owners_exit(void);
void icmpt_owner_put(const struct icmpt_owner_key *key,
		     const struct icmpt_task *task);
bool icmpt_owner_get(const struct icmpt_owner_key *key, struct icmpt_task *task);
void icmpt_owners_net_init(struct net *net);
u64 icmpt_owners_net_serial(const struct net *net);

/* icmpt_owner.c: which task a packet belongs to. */
bool icmpt_attribute_remembers(const struct nf_hook_state *state,
			       const struct icmpt_packet *pkt);
u8 icmpt_attribute(const struct sk_buff *skb, const struct nf_hook_state *state,
		   u8 ctx, bool sends, const struct icmpt_packet *pkt,
		   const struct icmpt_detail *det, struct icmpt_task *task);

/* icmpt_task.c */
void icmpt_task_fill(struct icmpt_task *t, struct task_struct *task);
bool icmpt_task_same(const struct icmpt_task *t, struct task_struct *task);
bool icmpt_task_ident_eq(const struct icmpt_task *a, const struct icmpt_task *b);

/* icmpt_filter.c: the session's filter, read locklessly by the hooks. */
struct icmpt_filter_icmp {
	u8 family;		/* 4 or 6 */
	u8 type;
	DECLARE_BITMAP(codes, 256);
};

struct icmpt_filter {
	struct rcu_head rcu;
	u32 portid;		/* netlink socket of the session that owns it */
	u32 owner_pid;		/* tgid that set it, for status */
	u8 families;		/* ICMPT_F_V4/V6, 0: any */
	u8 dirs;		/* ICMPT_F_IN/OUT, 0: any */
	bool needs_owner;	/* some owner kind is present */
	unsigned int nr_icmp, nr_pid, nr_comm, nr_uid, nr_cgroup, nr_netns;
	DECLARE_BITMAP(types[2], 256);	/* [0] v4, [1] v6: type has an entry */
	struct icmpt_filter_icmp icmp[ICMPT_FILTER_MAX];
	u32 pid[ICMPT_FILTER_MAX];
	char comm[ICMPT_FILTER_MAX][TASK_COMM_LEN];
	u32 uid[ICMPT_FILTER_MAX];
	u64 cgroup[ICMPT_FILTER_MAX];
	u32 netns[ICMPT_FILTER_MAX];
	struct icmpt_tree *tree;	/* ICMPT_A_F_TREE, NULL if none */
};

extern struct icmpt_filter __rcu *icmpt_active_filter;

bool icmpt_filter_packet(const struct icmpt_filter *f, u8 dir, u32 netns,
			 const struct icmpt_packet *pkt);
bool icmpt_filter_owner(const struct icmpt_filter *f, u8 owner,
			const struct icmpt_task *task);
int icmpt_filter_install(struct icmpt_filter *f);
void icmpt_filter_free(struct icmpt_filter *f);
int icmpt_filter_clear(u32 portid);
void icmpt_filter_exit(void);

/* icmpt_tree.c: the process-tree filter's members, kept by tracepoints. */
struct icmpt_tree;
struct netlink_ext_ack;

int icmpt_tree_init(void);
void icmpt_tree_exit(void);
int icmpt_tree_new(struct icmpt_tree **tp, u32 root, struct netlink_ext_ack *extack);
void icmpt_tree_free(struct icmpt_tree *t);
bool icmpt_tree_has(struct icmpt_tree *t, u32 tgid);
void icmpt_tree_report(struct icmpt_tree *t, u32 *root, u32 *members, u64 *untracked);

/* icmpt_snaplen.c: packet bytes per record, the session's or the default. */
extern u32 icmpt_snaplen;
int icmpt_snaplen_init(void);
int icmpt_snaplen_set(u32 portid, u32 len);
void icmpt_snaplen_release(u32 portid);

/* icmpt_genl.c */
int icmpt_genl_init(void);
void icmpt_genl_exit(void);

/*
 * icmpt_test.c, in ICMPT_TEST=y builds only: a hook in flight, held; a
 * namespace's exit step that waits while the module unloads.
 */
#ifdef ICMPT_TEST
void icmpt_test_hold(void);
void icmpt_test_exit_delay(void);
#else
static inline void icmpt_test_hold(void) { }
static inline void icmpt_test_exit_delay(void) { }
#endif

/* icmpt_dev.c: tgid of the process that holds the device, 0 if none. */
u32 icmpt_dev_reader(void);
bool icmpt_dev_claim(void);
void icmpt_dev_unclaim(void);

#endif /* ICMPT_H */
