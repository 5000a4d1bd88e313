/* SPDX-License-Identifier: GPL-2.0 */
/* icmptrace module internals shared between its files. */
#ifndef ICMPT_H
#define ICMPT_H

#include <linux/types.h>
#include <linux/wait.h>
#include <linux/mm_types.h>
#include <linux/icmptrace.h>

struct sk_buff;
struct nf_hook_state;

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
extern unsigned int icmpt_nr_rings;
extern u64 icmpt_data_size;
extern wait_queue_head_t icmpt_wq;

int icmpt_rings_init(unsigned long size);
void icmpt_rings_exit(void);
struct icmpt_ring *icmpt_ring_get(unsigned int cpu);
void *icmpt_ring_reserve(struct icmpt_ring *r, u32 len, u64 *pos);
void icmpt_ring_commit(struct icmpt_ring *r, u64 pos, u32 len);
bool icmpt_rings_readable(void);
unsigned long icmpt_ring_stride_pages(void);
struct page *icmpt_ring_page(unsigned int ring, unsigned long idx);

/* icmpt_dev.c */
int icmpt_dev_init(void);
void icmpt_dev_exit(void);

/* icmpt_hooks.c */
int icmpt_hooks_init(void);
void icmpt_hooks_exit(void);

/* icmpt_owners.c: key of a remembered sender; all padding explicit, zero. */
struct icmpt_owner_key {
	u32 netns;		/* inode number of the network namespace */
	u8 family;		/* 4 or 6 */
	u8 proto;		/* IPPROTO_ICMP(V6) for echo, else UDP/TCP */
	u16 port;		/* echo: identifier; UDP/TCP: local port */
	u8 addr[16];		/* echo: the peer; UDP/TCP: the local address */
};

int icmpt_owners_init(unsigned int nr_slots);
void icmpt_owners_exit(void);
void icmpt_owner_put(const struct icmpt_owner_key *key,
		     const struct icmpt_task *task);
bool icmpt_owner_get(const struct icmpt_owner_key *key, struct icmpt_task *task);
void icmpt_owners_forget_netns(u32 netns);

/* icmpt_attr.c */
u8 icmpt_ctx(void);
u8 icmpt_attribute(const struct sk_buff *skb, const struct nf_hook_state *state,
		   u8 ctx, const struct icmpt_packet *pkt,
		   const struct icmpt_detail *det, struct icmpt_task *task);
void icmpt_note_sender(struct sk_buff *skb, const struct nf_hook_state *state,
		       u8 family, u8 proto, unsigned int thoff, const u8 *saddr);

/* icmpt_task.c */
void icmpt_task_fill(struct icmpt_task *t, struct task_struct *task);

#endif /* ICMPT_H */
