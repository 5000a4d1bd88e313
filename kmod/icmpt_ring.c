// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU rings: allocation, the producer side of the protocol written
 * down in include/uapi/linux/icmptrace.h, and the pages mmap hands out.
 */
#include <linux/bottom_half.h>
#include <linux/hardirq.h>
#include <linux/kernel.h>
#include <linux/percpu.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/log2.h>
#include <linux/topology.h>
#include <linux/wait.h>
#include "icmpt.h"

#define ICMPT_META_PAGES 2	/* consumer page, producer page */

static struct icmpt_ring *icmpt_rings;
unsigned int icmpt_nr_rings;
u64 icmpt_data_size;
DECLARE_WAIT_QUEUE_HEAD(icmpt_wq);

/* One producer per ring, made explicit: see icmpt_ring_enter(). */
struct icmpt_ring_lock {
	local_lock_t lock;
};

static DEFINE_PER_CPU(struct icmpt_ring_lock, icmpt_ring_locks) = {
	.lock = INIT_LOCAL_LOCK(lock),
};

static void icmpt_ring_free(struct icmpt_ring *r)
{
	unsigned int i, n = ICMPT_META_PAGES + r->nr_data_pages;

	if (r->data)
		vunmap(r->data);
	if (!r->pages)
		return;
	for (i = 0; i < n; i++)
		if (r->pages[i])
			__free_page(r->pages[i]);
	kvfree(r->pages);
}

static int icmpt_ring_alloc(struct icmpt_ring *r, unsigned int cpu,
			    unsigned int nr_data_pages)
{
	unsigned int i, n = ICMPT_META_PAGES + nr_data_pages;
	int node = cpu_possible(cpu) ? cpu_to_node(cpu) : NUMA_NO_NODE;
	struct page **twice;

	r->nr_data_pages = nr_data_pages;
	r->mask = (u64)nr_data_pages * PAGE_SIZE - 1;
	/* 256M rings: 512K of page pointers, twice that below; kv: no high order. */
	r->pages = kvcalloc(n, sizeof(*r->pages), GFP_KERNEL);
	if (!r->pages)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		r->pages[i] = alloc_pages_node(node, GFP_KERNEL | __GFP_ZERO, 0);
		if (!r->pages[i])
			return -ENOMEM;
	}
	r->cons = page_address(r->pages[0]);
	r->prod = page_address(r->pages[1]);

	/* Map the data pages twice so a record never wraps, as for readers. */
	twice = kvcalloc(2 * nr_data_pages, sizeof(*twice), GFP_KERNEL);
	if (!twice)
		return -ENOMEM;
	for (i = 0; i < 2 * nr_data_pages; i++)
		twice[i] = r->pages[ICMPT_META_PAGES + i % nr_data_pages];
	r->data = vmap(twice, 2 * nr_data_pages, VM_MAP, PAGE_KERNEL);
	kvfree(twice);
	if (!r->data)
		return -ENOMEM;

	r->prod->data_size = (u64)nr_data_pages * PAGE_SIZE;
	r->prod->cpu = cpu;
	return 0;
}

int icmpt_rings_init(unsigned long size)
{
	unsigned int cpu, nr_pages;
	int err;

	size = max_t(unsigned long, size, 2 * PAGE_SIZE);
	size = roundup_pow_of_two(size);
	nr_pages = size >> PAGE_SHIFT;

	icmpt_nr_rings = nr_cpu_ids;
	icmpt_data_size = size;
	/* One per possible CPU id: up to 8192 of them. */
	icmpt_rings = kvcalloc(icmpt_nr_rings, sizeof(*icmpt_rings), GFP_KERNEL);
	if (!icmpt_rings)
		return -ENOMEM;
	for (cpu = 0; cpu < icmpt_nr_rings; cpu++) {
		err = icmpt_ring_alloc(&icmpt_rings[cpu], cpu, nr_pages);
		if (err) {
			icmpt_rings_exit();
			return err;
		}
	}
	return 0;
}

void icmpt_rings_exit(void)
{
	unsigned int cpu;

	if (!icmpt_rings)
		return;
	for (cpu = 0; cpu < icmpt_nr_rings; cpu++)
		icmpt_ring_free(&icmpt_rings[cpu]);
	kvfree(icmpt_rings);
	icmpt_rings = NULL;
}

struct icmpt_ring *icmpt_ring_get(unsigned int cpu)
{
	return &icmpt_rings[cpu];
}

/* A packet whose producer ran nested: seen and dropped (genl adds it to seen). */
static void icmpt_ring_count_nested(struct icmpt_ring *r)
{
	u64 *n = &r->prod->dropped_nested, old;

	/* Atomic against a producer of this CPU that we interrupted. */
	do {
		old = READ_ONCE(*n);
	} while (cmpxchg64_local(n, old, old + 1) != old);
}

/*
 * Become the one producer of this CPU's ring (uapi header, "Ring
 * protocol"): bottom halves off, then the ring's local lock where the
 * kernel has local_lock_nested_bh().  NULL when the caller runs nested:
 * in hard IRQ or NMI context (netfilter hooks never do, but a producer
 * there would interrupt one half-way) or while this CPU's producer is
 * inside the ring (busy); the packet is then counted in dropped_nested.
 */
struct icmpt_ring *icmpt_ring_enter(unsigned int *cpu)
{
	struct icmpt_ring *r;

	if (unlikely(hardirq_count() || in_nmi())) {
		icmpt_ring_count_nested(icmpt_ring_get(raw_smp_processor_id()));
		return NULL;
	}
	local_bh_disable();
	*cpu = smp_processor_id();
	r = icmpt_ring_get(*cpu);
	if (unlikely(READ_ONCE(r->busy))) {
		icmpt_ring_count_nested(r);
		local_bh_enable();
		return NULL;
	}
	icmpt_lock_nested_bh(&icmpt_ring_locks.lock);
	WRITE_ONCE(r->busy, true);
	return r;
}

void icmpt_ring_leave(struct icmpt_ring *r)
{
	WRITE_ONCE(r->busy, false);
	icmpt_unlock_nested_bh(&icmpt_ring_locks.lock);
	local_bh_enable();
}

/*
 * Called between icmpt_ring_enter() and icmpt_ring_leave() on the ring's
 * own CPU: the caller is the ring's only producer (see the uapi header).  Returns where to write
 * len bytes, or NULL when the record must be dropped; either way the
 * counters say so.
 */
void *icmpt_ring_reserve(struct icmpt_ring *r, u32 len, u64 *pos)
{
	struct icmpt_producer_page *p = r->prod;
	u64 prod = p->producer_pos;
	/* Pairs with the reader's release store of consumer_pos. */
	u64 cons = smp_load_acquire(&r->cons->consumer_pos);
	u64 used = prod - cons;

	if (unlikely(used > r->mask + 1)) {
		/* consumer_pos ahead of us or far behind: never trust it. */
		WRITE_ONCE(p->dropped_bad_consumer, p->dropped_bad_consumer + 1);
		return NULL;
	}
	if (unlikely(used + len > r->mask + 1)) {
		WRITE_ONCE(p->dropped, p->dropped + 1);
		return NULL;
	}
	*pos = prod;
	return r->data + (prod & r->mask);
}

void icmpt_ring_commit(struct icmpt_ring *r, u64 pos, u32 len)
{
	struct icmpt_producer_page *p = r->prod;

	WRITE_ONCE(p->records, p->records + 1);
	/* Publishes the record: pairs with the reader's acquire load. */
	smp_store_release(&p->producer_pos, pos + len);

	/*
	 * Wake the reader only if it had consumed everything up to this
	 * record, i.e. it may be asleep.  The full barrier orders our store
	 * of producer_pos before the load of consumer_pos, against the
	 * reader's store of consumer_pos before its load of producer_pos in
	 * poll(): one of the two sees the other's store, so no wakeup is
	 * lost.  A busy reader costs no wakeups at all.
	 */
	smp_mb();
	/* The barrier above makes waitqueue_active() safe (wq_has_sleeper()). */
	if (READ_ONCE(r->cons->consumer_pos) == pos && waitqueue_active(&icmpt_wq))
		wake_up_interruptible(&icmpt_wq);
}

bool icmpt_rings_readable(void)
{
	unsigned int cpu;

	for (cpu = 0; cpu < icmpt_nr_rings; cpu++) {
		struct icmpt_ring *r = &icmpt_rings[cpu];

		/* Pairs with the release in icmpt_ring_commit(). */
		if (smp_load_acquire(&r->prod->producer_pos) !=
		    READ_ONCE(r->cons->consumer_pos))
			return true;
	}
	return false;
}

unsigned long icmpt_ring_stride_pages(void)
{
	return ICMPT_META_PAGES + 2 * (icmpt_data_size >> PAGE_SHIFT);
}

/* The page behind page idx of ring's part of the device mapping. */
struct page *icmpt_ring_page(unsigned int ring, unsigned long idx)
{
	struct icmpt_ring *r = &icmpt_rings[ring];

	if (idx < ICMPT_META_PAGES)
		return r->pages[idx];
	idx = (idx - ICMPT_META_PAGES) % r->nr_data_pages;
	return r->pages[ICMPT_META_PAGES + idx];
}
