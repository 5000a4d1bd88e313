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
 * Keys name a namespace by a serial number, not its inode number, so a
 * namespace's exit has nothing to clean (see icmpt_owners_net_init()).
 *
 * Memory is fixed at load time (owner_slots entries of 128 bytes, in sets
 * of ICMPT_OWNER_WAYS).  A new key takes an empty entry of its set, else
 * the least recently used one.  Writers claim an entry with cmpxchg on its
 * sequence and skip it when another CPU holds it (the table is a cache:
 * losing one update costs one attribution, never correctness); readers
 * copy an entry and retry-check its sequence, seqcount style.  No lock is
 * taken, and a writer that finds its key owned by its own unchanged
 * identity (icmpt_task_same(): thread, comm, uid/gid, cgroup, namespaces,
 * parent) writes nothing but, at most once a jiffy, the entry's recency.
 *
 * Races by design, marked for KCSAN: an entry's key and task are written
 * plainly by the one writer that claimed it (ASSERT_EXCLUSIVE_WRITER) and
 * read under data_race() by readers that re-check seq, and by writers
 * whose decision tolerates a torn value; stamp, a hint, is written by
 * any writer, all accesses READ_ONCE/WRITE_ONCE; seq only by atomics and
 * acquire/release.
 */
#include <linux/jhash.h>
#include <linux/jiffies.h>
#include <linux/kcsan-checks.h>
#include <linux/log2.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include "icmpt.h"

#define ICMPT_OWNER_WAYS 4

struct icmpt_owner_slot {
	u32 seq;			/* odd while a writer fills it */
	u32 stamp;			/* jiffies when last used: eviction order */
	struct icmpt_owner_key key;
	struct icmpt_task task;
};

static struct icmpt_owner_slot *icmpt_slots;
static unsigned int icmpt_nr_sets;
static u32 icmpt_owner_seed;

int icmpt_owners_init(unsigned int nr_slots)
{
	BUILD_BUG_ON(sizeof(struct icmpt_owner_slot) != 128);
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
	/*
	 * a is an entry's key, which its writer may be rewriting: a torn
	 * compare is caught by a reader's re-check of seq, and costs a writer
	 * at most one needless rewrite or one lost update (a cache).
	 */
	return data_race(!memcmp(a, b, sizeof(*a)));
}

/* Whether entry s holds a key: a hint for the choice of a victim. */
static bool icmpt_slot_used(const struct icmpt_owner_slot *s)
{
	/* Its writer may be rewriting it: a stale value picks a worse victim. */
	return data_race(READ_ONCE(s->key.family));
}

/*
 * Remember current as the owner of key; task, if not NULL, is current's
 * fields already read, else they are read only when the entry changes.
 * An entry that still describes current is not written, only marked used
 * (at most once a jiffy, a tick's worth of write traffic): the set's least
 * recently used entry is the one a new key takes, so a busy sender stays.
 */
void icmpt_owner_put(const struct icmpt_owner_key *key,
		     const struct icmpt_task *task)
{
	struct icmpt_owner_slot *set = icmpt_owner_set(key), *s = NULL;
	u32 now = (u32)jiffies;
	unsigned int i;
	u32 seq;

	for (i = 0; i < ICMPT_OWNER_WAYS; i++) {
		if (icmpt_key_eq(&set[i].key, key)) {
			s = &set[i];
			/* Fields already read are compared, not read again. */
			if (task ? icmpt_task_ident_eq(&s->task, task) :
				   icmpt_task_same(&s->task, current)) {
				/* Unchanged: write nothing but its recency. */
				if (READ_ONCE(s->stamp) != now)
					WRITE_ONCE(s->stamp, now);
				return;
			}
			break;
		}
		/* The victim: an empty entry, else the least recently used. */
		if (!s || (icmpt_slot_used(s) &&
			   (!icmpt_slot_used(&set[i]) ||
			    (s32)(READ_ONCE(set[i].stamp) - READ_ONCE(s->stamp)) < 0)))
			s = &set[i];
	}

	/*
	 * Not preemptible while the entry is claimed: a preempted writer
	 * would leave it odd, unread and unwritten, while it is off the CPU.
	 */
	preempt_disable();
	seq = READ_ONCE(s->seq);
	if ((seq & 1) || cmpxchg(&s->seq, seq, seq + 1) != seq) {
		preempt_enable();
		return;		/* another writer has it */
	}
	/* Ours until seq is even again: no other CPU writes key or task. */
	ASSERT_EXCLUSIVE_WRITER(s->key);
	ASSERT_EXCLUSIVE_WRITER(s->task);
	/* cmpxchg() is a full barrier: readers see the odd seq first. */
	s->key = *key;
	if (task)
		s->task = *task;
	else
		icmpt_task_fill(&s->task, current);
	WRITE_ONCE(s->stamp, now);
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
		/* Racy copy, thrown away below if a writer came meanwhile. */
		data_race(*task = s->task);
		/* Order the copy before the re-check of seq. */
		smp_rmb();
		if (READ_ONCE(s->seq) == seq && icmpt_key_eq(&s->key, key))
			return true;
	}
	return false;
}

/*
 * Namespaces: a key names its namespace by a serial number given when the
 * namespace is hooked, never reused (64 bits), where the inode number can
 * be.  So a namespace that goes away needs nothing done: its entries match
 * no key of a later namespace that takes its inode number, and they age
 * out of their sets like any other.  Creating or destroying a namespace
 * costs the same whatever owner_slots is.  (The kernel's own net_cookie
 * would do, but 5.10 makes it lazily and does not export the maker.)
 */
unsigned int icmpt_owner_net_id;
static atomic64_t icmpt_net_serial = ATOMIC64_INIT(0);

/* Before the namespace's hooks are registered: no hook sees serial 0. */
void icmpt_owners_net_init(struct net *net)
{
	struct icmpt_owner_net *on = net_generic(net, icmpt_owner_net_id);

	on->serial = atomic64_inc_return(&icmpt_net_serial);
}

u64 icmpt_owners_net_serial(const struct net *net)
{
	const struct icmpt_owner_net *on = net_generic(net, icmpt_owner_net_id);

	return on->serial;
}
