// SPDX-License-Identifier: GPL-2.0
/*
 * Ring micro-benchmark, for make bench only.  Built only with
 * "make ICMPT_BENCH=y" (scripts/bench does; the module that is installed,
 * packaged and tested never has it).  It adds one root-only parameter:
 *
 *   echo "solo N" > /sys/module/icmptrace/parameters/bench
 *	writes N synthetic records into the ring of the writer's CPU with
 *	the hooks' own icmpt_event_fill() (reserve, fill, commit), and
 *	plays an infinitely fast reader itself: when the ring is full it
 *	moves consumer_pos to producer_pos.  Measures the producer alone.
 *	Only with no reader: it holds the device meanwhile (a reader's
 *	open gets EBUSY) and refuses while a consumer page is still mapped.
 *   echo "push N" > /sys/module/icmptrace/parameters/bench
 *	the same N records, leaving consumption to whoever maps the rings:
 *	a record that does not fit is dropped and counted, as in the hooks.
 *   echo "STAGE N" > /sys/module/icmptrace/parameters/bench
 *	one step of the hooks' per-record work, N times, for the table of
 *	make bench: parse (icmpt_parse of an 84-byte echo request), fill
 *	(icmpt_task_fill of current), same (icmpt_task_same: the owner
 *	table's unchanged test), put (icmpt_owner_put of an unchanged
 *	sender, as for UDP/TCP), puttask (the same with its fields already
 *	read, as for an echo request), get (icmpt_owner_get), filter (packet and owner filter, a
 *	type and a uid), clock1 (one clock read and two offsets, as the
 *	records do), clock2 (two clock reads, as they did), event (the whole
 *	icmpt_event_fill into a buffer).
 *   cat /sys/module/icmptrace/parameters/bench
 *	the last result: mode, cpu, records tried, written, dropped, ns, ns
 *	per record tried.
 *
 * Written while the module loads (insmod ... bench=) it fails: parameters
 * are parsed before the rings exist.  A run holds a reference on the
 * module, so rmmod fails (EWOULDBLOCK) until it ends and never frees the
 * rings under it.
 *
 * Bottom halves are off while records are written, in batches of 1024, as
 * in the hooks, so the ring has its one producer.  Pin the writer (taskset):
 * cpu= names the CPU of the last batch.
 */
#include <linux/bottom_half.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include "icmpt.h"
#include "icmpt_parse.h"

static char icmpt_bench_result[192] = "none";
static DEFINE_MUTEX(icmpt_bench_lock);

/* A synthetic outgoing echo request, as the classify step describes one. */
static void icmpt_bench_sample(struct icmpt_sample *s)
{
	memset(s, 0, sizeof(*s));
	s->m.dir = ICMPT_DIR_OUT;
	s->m.ctx = ICMPT_CTX_TASK;
	s->m.owner = ICMPT_OWNER_NONE;
	s->m.keep = true;
	s->pkt.family = 4;
	s->pkt.ttl = 64;
	s->pkt.proto = 1;
	s->pkt.type = 8;
	s->pkt.flags = ICMPT_PKT_HAS_ECHO;
	s->pkt.id = 0xbe;
	s->pkt.ip_len = 84;
	s->pkt.icmp_len = 64;
	s->pkt.saddr[0] = 127;
	s->pkt.saddr[3] = 1;
	s->pkt.daddr[0] = 127;
	s->pkt.daddr[3] = 1;
	s->task.syscall_nr = -1;
	s->det.kind = ICMPT_DET_ECHO;
	s->det.u.echo.id = 0xbe;
	s->det.caplen = 84;
	s->det.icmp_off = 20;
}

enum icmpt_bench_mode {
	B_SOLO, B_PUSH, B_PARSE, B_FILL, B_SAME, B_PUT, B_GET, B_FILTER,
	B_CLOCK1, B_CLOCK2, B_EVENT, B_PUTTASK,
};

static const char *const icmpt_bench_modes[] = {
	[B_SOLO] = "solo", [B_PUSH] = "push", [B_PARSE] = "parse",
	[B_FILL] = "fill", [B_SAME] = "same", [B_PUT] = "put", [B_GET] = "get",
	[B_FILTER] = "filter", [B_CLOCK1] = "clock1", [B_CLOCK2] = "clock2",
	[B_EVENT] = "event", [B_PUTTASK] = "puttask",
};

/* Everything a stage works on, set up once before the timed loop. */
struct icmpt_bench_ctx {
	struct icmpt_sample s;
	struct icmpt_owner_key key;
	struct icmpt_task task;
	struct icmpt_filter *filter;
	struct icmpt_event ev;
	u8 pkt[84];
	u64 sink;		/* keeps results alive */
};

static void icmpt_bench_setup(struct icmpt_bench_ctx *c)
{
	static const u8 hdr[28] = {
		0x45, 0, 0, 84, 0, 1, 0x40, 0, 64, 1, 0, 0, 127, 0, 0, 1,
		127, 0, 0, 1, 8, 0, 0, 0, 0, 0xbe, 0, 1 };

	icmpt_bench_sample(&c->s);
	memset(c->pkt, 0, sizeof(c->pkt));
	memcpy(c->pkt, hdr, sizeof(hdr));
	memset(&c->key, 0, sizeof(c->key));
	c->key.netns = U64_MAX;	/* no namespace's serial */
	c->key.family = 4;
	c->key.proto = 1;
	c->key.port = 0xbe;
	icmpt_task_fill(&c->task, current);
	icmpt_owner_put(&c->key, &c->task);
	c->filter->families = ICMPT_F_V4;
	c->filter->nr_icmp = 1;
	c->filter->icmp[0].family = 4;
	c->filter->icmp[0].type = 8;
	bitmap_fill(c->filter->icmp[0].codes, 256);
	__set_bit(8, c->filter->types[0]);
	c->filter->needs_owner = true;
	c->filter->nr_uid = 1;
	c->filter->uid[0] = c->task.uid;
}

/* One step of one stage; records are written by the caller. */
static void icmpt_bench_step(struct icmpt_bench_ctx *c, enum icmpt_bench_mode m)
{
	switch (m) {
	case B_PARSE:
		c->sink += icmpt_parse(&c->s.pkt, &c->s.det, c->pkt, 84, 84);
		break;
	case B_FILL:
		icmpt_task_fill(&c->s.task, current);
		break;
	case B_SAME:
		c->sink += icmpt_task_same(&c->task, current);
		break;
	case B_PUT:
		icmpt_owner_put(&c->key, NULL);
		break;
	case B_PUTTASK:
		icmpt_owner_put(&c->key, &c->task);
		break;
	case B_GET:
		c->sink += icmpt_owner_get(&c->key, &c->s.task);
		break;
	case B_FILTER:
		c->sink += icmpt_filter_packet(c->filter, ICMPT_DIR_OUT, 1, &c->s.pkt) &&
			   icmpt_filter_owner(c->filter, ICMPT_OWNER_SENDER, &c->task);
		break;
	case B_CLOCK1: {
		ktime_t mono = ktime_get();

		c->sink += ktime_to_ns(ktime_mono_to_any(mono, TK_OFFS_BOOT)) +
			   ktime_to_ns(ktime_mono_to_real(mono));
		break;
	}
	case B_CLOCK2:
		c->sink += ktime_get_real_ns() + ktime_get_boottime_ns();
		break;
	case B_EVENT:
		icmpt_event_fill(&c->ev, &c->s, 0);
		break;
	default:
		break;
	}
}

/* A mapped consumer page: a reader that closed the device but still reads. */
static bool icmpt_bench_mapped(void)
{
	unsigned int i;

	for (i = 0; i < icmpt_nr_rings; i++)
		if (page_mapped(icmpt_ring_page(i, 0)))
			return true;
	return false;
}

static int icmpt_bench_run(struct icmpt_bench_ctx *c, enum icmpt_bench_mode m,
			   u64 n)
{
	u64 i, written = 0, dropped = 0, t0, t1;
	bool solo = m == B_SOLO, ring = m == B_SOLO || m == B_PUSH;
	unsigned int cpu = 0;

	if (solo && !icmpt_dev_claim())
		return -EBUSY;
	if (solo && icmpt_bench_mapped()) {
		icmpt_dev_unclaim();
		return -EBUSY;
	}
	t0 = ktime_get_ns();
	for (i = 0; i < n;) {
		u64 end = min(n, i + 1024);
		struct icmpt_ring *r;

		icmpt_ring_enter(cpu);
		r = icmpt_ring_get(cpu);
		for (; i < end; i++) {
			struct icmpt_event *ev;
			u64 pos;

			if (!ring) {
				icmpt_bench_step(c, m);
				continue;
			}
			ev = icmpt_ring_reserve(r, sizeof(*ev), &pos);
			if (!ev && solo) {
				/* The ideal reader: everything consumed at once. */
				smp_store_release(&r->cons->consumer_pos,
						  READ_ONCE(r->prod->producer_pos));
				WRITE_ONCE(r->prod->dropped, r->prod->dropped - 1);
				ev = icmpt_ring_reserve(r, sizeof(*ev), &pos);
			}
			if (!ev) {
				dropped++;
				continue;
			}
			c->s.pkt.seq = (u16)i;
			c->s.det.u.echo.seq = (u16)i;
			icmpt_event_fill(ev, &c->s, cpu);
			icmpt_ring_commit(r, pos, sizeof(*ev));
			written++;
		}
		icmpt_ring_leave();
		cond_resched();
	}
	t1 = ktime_get_ns();
	if (solo)
		icmpt_dev_unclaim();
	if (!ring)
		written = n;
	snprintf(icmpt_bench_result, sizeof(icmpt_bench_result),
		 "mode=%s cpu=%u records=%llu written=%llu dropped=%llu ns=%llu ns_per_record=%llu.%02llu\n",
		 icmpt_bench_modes[m], cpu, n, written, dropped, t1 - t0,
		 div64_u64(t1 - t0, n), div64_u64((t1 - t0) * 100, n) % 100);
	return 0;
}

static int icmpt_bench_set(const char *val, const struct kernel_param *kp)
{
	struct icmpt_bench_ctx *c;
	char mode[8];
	int m, err;
	u64 n;

	if (sscanf(val, "%7s %llu", mode, &n) != 2 || !n || n > (1ULL << 32))
		return -EINVAL;
	m = match_string(icmpt_bench_modes, ARRAY_SIZE(icmpt_bench_modes), mode);
	if (m < 0)
		return -EINVAL;
	/*
	 * Not while the module loads (the rings do not exist yet) nor while
	 * it unloads; and the reference keeps rmmod out until the run ends.
	 */
	if (!try_module_get(THIS_MODULE))
		return -ENODEV;
	if (READ_ONCE(THIS_MODULE->state) != MODULE_STATE_LIVE) {
		pr_warn("icmptrace: bench: write it once the module is loaded\n");
		module_put(THIS_MODULE);
		return -EBUSY;
	}
	err = -ENOMEM;
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (c)
		c->filter = kzalloc(sizeof(*c->filter), GFP_KERNEL);
	if (c && c->filter) {
		mutex_lock(&icmpt_bench_lock);
		icmpt_bench_setup(c);
		err = icmpt_bench_run(c, m, n);
		mutex_unlock(&icmpt_bench_lock);
	}
	if (c)
		kfree(c->filter);
	kfree(c);
	module_put(THIS_MODULE);
	return err;
}

static int icmpt_bench_get(char *buf, const struct kernel_param *kp)
{
	int len;

	mutex_lock(&icmpt_bench_lock);
	len = scnprintf(buf, PAGE_SIZE, "%s", icmpt_bench_result);
	mutex_unlock(&icmpt_bench_lock);
	return len;
}

static const struct kernel_param_ops icmpt_bench_ops = {
	.set = icmpt_bench_set,
	.get = icmpt_bench_get,
};
module_param_cb(bench, &icmpt_bench_ops, NULL, 0600);
MODULE_PARM_DESC(bench, "ring micro-benchmark (ICMPT_BENCH=y builds only): \"solo N\" or \"push N\"");
