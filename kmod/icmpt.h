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

/* icmpt_task.c */
void icmpt_task_fill(struct icmpt_task *t, struct task_struct *task);

#endif /* ICMPT_H */
