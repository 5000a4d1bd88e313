// SPDX-License-Identifier: GPL-2.0
/*
 * Who sent what: a fixed-size table that lets a packet seen in softirq be
 * attributed to the process it belongs to, never to whichever task the
 * softirq interrupted.
 *
 * Entries are written in task context when a process sends: an ICMP echo
 * request (key: netns, family, id, peer address) or a UDP/TCP datagram
 * (key: netns, family, protocol, local port, local address).  They are read
 * at LOCAL_IN, in softirq: an echo reply looks up its request; an ICMP error
 * looks up the sender of the datagram it quotes.
 *
 * Memory is fixed at load time (owner_slots entries of 128 bytes, in sets
 * of ICMPT_OWNER_WAYS).  A new key takes the least recently written entry
 * of its set.  Writers claim an entry with cmpxchg on its sequence and
 * skip it when another CPU holds it (the table is a cache: losing one
 * update costs one attribution, never correctness); readers copy an entry
 * and retry-check its sequence, seqcount style.  No lock is taken, and a
 * writer that finds its own key with the same thread already there writes
 * nothing, so a busy sender dirties no cache line.
 */
#include <linux/jhash.h>
#include <linux/jiffies.h>
#include <linux/log2.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include "icmpt.h"

#define ICMPT_OWNER_WAYS 4

struct icmpt_owner_slot {
	u32 seq;			/* odd while a writer fills it */
	u32 reserved;
	unsigned long stamp;		/* jiffies when written: eviction order */
	struct icmpt_owner_key key;
	struct icmpt_task task;
};

static struct icmpt_owner_slot *icmpt_slots;
static unsigned int icmpt_nr_sets;
static u32 icmpt_owner_seed;

int icmpt_owners_init(unsigned int nr_slots)
{
	nr_slots = roundup_pow_of_two(max_t(unsigned int, nr_slots,
					    ICMPT_OWNER_WAYS));
	icmpt_slots = vzalloc(array_size(nr_slots, sizeof(*icmpt_slots)));
	if (!icmpt_slots)
		return -ENOMEM;
	icmpt_nr_sets = nr_slots / ICMPT_OWNER_WAYS;
	icmpt_owner_seed = get_random_u32();
	return 0;
}

void icmpt_owners_exit(void)
{
	vfree(icmpt_slots);
	icmpt_slots = NULL;
}

static struct icmpt_owner_slot *icmpt_owner_set(const struct icmpt_owner_key *key)
{
	u32 h = jhash2((const u32 *)key, sizeof(*key) / sizeof(u32),
		       icmpt_owner_seed);

	return &icmpt_slots[(h & (icmpt_nr_sets - 1)) * ICMPT_OWNER_WAYS];
}

static bool icmpt_key_eq(const struct icmpt_owner_key *a,
			 const struct icmpt_owner_key *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/*
 * Remember task as the owner of key; task NULL means current, whose fields
 * are then read only when the entry actually changes.
 */
void icmpt_owner_put(const struct icmpt_owner_key *key,
		     const struct icmpt_task *task)
{
	struct icmpt_owner_slot *set = icmpt_owner_set(key), *s = NULL;
	u32 tid = task ? task->tid : task_pid_nr(current);
	u64 start = task ? task->start_time_ns : current->start_boottime;
	unsigned int i;
	u32 seq;

	for (i = 0; i < ICMPT_OWNER_WAYS; i++) {
		if (icmpt_key_eq(&set[i].key, key)) {
			s = &set[i];
			/* Unchanged: write nothing. */
			if (READ_ONCE(s->task.tid) == tid &&
			    READ_ONCE(s->task.start_time_ns) == start)
				return;
			break;
		}
		if (!s || time_before(READ_ONCE(set[i].stamp), READ_ONCE(s->stamp)))
			s = &set[i];
	}

	/*
	 * Not preemptible while the entry is claimed: a preempted writer
	 * would leave it odd, and icmpt_owners_forget_netns() waiting.
	 */
	preempt_disable();
	seq = READ_ONCE(s->seq);
	if ((seq & 1) || cmpxchg(&s->seq, seq, seq + 1) != seq) {
		preempt_enable();
		return;		/* another writer has it */
	}
	/* cmpxchg() is a full barrier: readers see the odd seq first. */
	s->key = *key;
	if (task)
		s->task = *task;
	else
		icmpt_task_fill(&s->task, current);
	WRITE_ONCE(s->stamp, jiffies);
	/* Pairs with the acquire in icmpt_owner_get(). */
	smp_store_release(&s->seq, seq + 2);
	preempt_enable();
}

bool icmpt_owner_get(const struct icmpt_owner_key *key, struct icmpt_task *task)
{
	struct icmpt_owner_slot *set = icmpt_owner_set(key);
	unsigned int i;

	for (i = 0; i < ICMPT_OWNER_WAYS; i++) {
		struct icmpt_owner_slot *s = &set[i];
		/* Pairs with the release in icmpt_owner_put(). */
		u32 seq = smp_load_acquire(&s->seq);

		if ((seq & 1) || !icmpt_key_eq(&s->key, key))
			continue;
		*task = s->task;
		/* Order the copy before the re-check of seq. */
		smp_rmb();
		if (READ_ONCE(s->seq) == seq && icmpt_key_eq(&s->key, key))
			return true;
	}
	return false;
}

/* A namespace is going away: its inode number may be reused later. */
void icmpt_owners_forget_netns(u32 netns)
{
	unsigned int i, n = icmpt_nr_sets * ICMPT_OWNER_WAYS;

	for (i = 0; i < n; i++) {
		struct icmpt_owner_slot *s = &icmpt_slots[i];
		u32 seq;

		if (READ_ONCE(s->key.netns) != netns)
			continue;
		/* Wait out a writer: it finishes in a few instructions. */
		do {
			seq = READ_ONCE(s->seq);
			cpu_relax();
		} while ((seq & 1) || cmpxchg(&s->seq, seq, seq + 1) != seq);
		if (s->key.netns == netns)
			memset(&s->key, 0, sizeof(s->key));
		/* Pairs with the acquire in icmpt_owner_get(). */
		smp_store_release(&s->seq, seq + 2);
	}
}
