// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU rings: allocation, the producer side of the protocol written
 * down in include/uapi/linux/icmptrace.h, and the pages mmap hands out.
 */
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

struct icmpt_ring *icmpt_rings;
unsigned int icmpt_nr_rings;
u64 icmpt_data_size;
DECLARE_WAIT_QUEUE_HEAD(icmpt_wq);

/* One producer per ring, made explicit: see icmpt_ring_enter() in icmpt.h. */
DEFINE_PER_CPU(struct icmpt_ring_lock, icmpt_ring_locks) = {
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

/*
 * A producer in hard IRQ or NMI context (netfilter hooks never run there)
 * may have interrupted this CPU's producer half-way through a record, and
 * one with interrupts off (an IPI handler run by an idle CPU, say) could
 * not turn bottom halves back on after it: each writes nothing and counts
 * the packet in dropped_nested (GET_STATS adds it to seen).  On
 * !PREEMPT_RT nothing else can nest on a producer with bottom halves off;
 * on PREEMPT_RT the ring's lock serialises the tasks.
 */
void icmpt_ring_count_nested(void)
{
	u64 *n, old;

	n = &icmpt_ring_get(raw_smp_processor_id())->prod->dropped_nested;
	/* Atomic against a nested producer that interrupted us in turn. */
	do {
		old = READ_ONCE(*n);
	} while (cmpxchg64_local(n, old, old + 1) != old);
}

/*
 * Called between icmpt_ring_enter() and icmpt_ring_leave() on the ring's
 * own CPU: the caller is the ring's only producer (see the uapi header).
 * Returns where to write len bytes, or NULL when they do not fit now.
 * Nothing is published, and nothing counted: a record reserved and not
 * committed leaves no trace but bytes past producer_pos, which the reader
 * never takes (as a discarded record of kernel/bpf/ringbuf.c).
 */
void *icmpt_ring_try_reserve(struct icmpt_ring *r, u32 len, u64 *pos)
{
	u64 prod = r->prod->producer_pos;
	/* Pairs with the reader's release store of consumer_pos. */
	u64 used = prod - smp_load_acquire(&r->cons->consumer_pos);

	/* More than the ring: consumer_pos ahead of us or far behind. */
	if (unlikely(used > r->mask + 1 || used + len > r->mask + 1))
		return NULL;
	*pos = prod;
	return r->data + (prod & r->mask);
}

/* The same, and a record that does not fit is counted as dropped. */
void *icmpt_ring_reserve(struct icmpt_ring *r, u32 len, u64 *pos)
{
	struct icmpt_producer_page *p = r->prod;
	void *rec = icmpt_ring_try_reserve(r, len, pos);

	if (likely(rec))
		return rec;
	/*
	 * Never trust a consumer_pos ahead of us or far behind.  Read again:
	 * a reader that moves it meanwhile can only change which counter
	 * takes the drop.
	 */
	if (p->producer_pos - READ_ONCE(r->cons->consumer_pos) > r->mask + 1)
		WRITE_ONCE(p->dropped_bad_consumer, p->dropped_bad_consumer + 1);
	else
		WRITE_ONCE(p->dropped, p->dropped + 1);
	return NULL;
}

/*
 * The fill in bytes at which the reader wants a wakeup: what it wrote in
 * wakeup_bytes, made at least one byte (0: the first record) and at most
 * half the ring, so a hostile or stale value can delay a wakeup but never
 * withhold it until the ring overflows.
 */
static u64 icmpt_ring_wakeup_thr(const struct icmpt_ring *r)
{
	u64 want = READ_ONCE(r->cons->wakeup_bytes);

	return clamp_t(u64, want, 1, (r->mask + 1) / 2);
}

void icmpt_ring_commit(struct icmpt_ring *r, u64 pos, u32 len)
{
	struct icmpt_producer_page *p = r->prod;

	WRITE_ONCE(p->records, p->records + 1);
	/* Publishes the record: pairs with the reader's acquire load. */
	smp_store_release(&p->producer_pos, pos + len);

	/*
	 * Wake the reader only for the record that brings the ring's fill
	 * to the level it asked for (wakeup_bytes; by default one byte: the
	 * first record in a ring it had emptied).  The full barrier orders
	 * our store of producer_pos before the loads of consumer_pos and
	 * wakeup_bytes, against the reader's stores of them before its load
	 * of producer_pos in poll(): one of the two sees the other's store,
	 * so no wakeup is lost.  A busy reader costs no wakeups at all.
	 */
	smp_mb();
	/* The barrier above makes waitqueue_active() safe (wq_has_sleeper()). */
	if (waitqueue_active(&icmpt_wq)) {
		u64 fill = pos - READ_ONCE(r->cons->consumer_pos);
		u64 thr = icmpt_ring_wakeup_thr(r);

		if (fill < thr && fill + len >= thr)
			wake_up_interruptible(&icmpt_wq);
	}
}

/* poll(): some ring holds at least what its reader asked to wait for. */
bool icmpt_rings_readable(void)
{
	unsigned int cpu;

	for (cpu = 0; cpu < icmpt_nr_rings; cpu++) {
		struct icmpt_ring *r = &icmpt_rings[cpu];
		/* Pairs with the release in icmpt_ring_commit(). */
		u64 prod = smp_load_acquire(&r->prod->producer_pos);

		if (prod - READ_ONCE(r->cons->consumer_pos) >= icmpt_ring_wakeup_thr(r))
			return true;
	}
	return false;
}

/*
 * A new reader starts with the default wakeup (the first record), whatever
 * the last one asked for: a reader that knows nothing of wakeup_bytes must
 * not inherit a level it never polls with a timeout for.
 */
void icmpt_rings_reset_wakeup(void)
{
	unsigned int cpu;

	for (cpu = 0; cpu < icmpt_nr_rings; cpu++)
		WRITE_ONCE(icmpt_rings[cpu].cons->wakeup_bytes, 0);
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
