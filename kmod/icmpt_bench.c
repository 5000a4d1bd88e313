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
 *	Only with no reader attached.
 *   echo "push N" > /sys/module/icmptrace/parameters/bench
 *	the same N records, leaving consumption to whoever maps the rings:
 *	a record that does not fit is dropped and counted, as in the hooks.
 *   cat /sys/module/icmptrace/parameters/bench
 *	the last result: mode, cpu, records tried, written, dropped, ns, ns
 *	per record tried.
 *
 * Bottom halves are off while records are written, in batches of 1024, as
 * in the hooks, so the ring has its one producer.  Pin the writer (taskset):
 * cpu= names the CPU of the last batch.
 */
#include <linux/bottom_half.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <linux/string.h>
#include "icmpt.h"

static char icmpt_bench_result[192] = "none";
static DEFINE_MUTEX(icmpt_bench_lock);

/* A synthetic outgoing echo request, as the classify step describes one. */
static void icmpt_bench_sample(struct icmpt_sample *s)
{
	memset(s, 0, sizeof(*s));
	s->dir = ICMPT_DIR_OUT;
	s->ctx = ICMPT_CTX_TASK;
	s->owner = ICMPT_OWNER_NONE;
	s->keep = true;
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

static int icmpt_bench_set(const char *val, const struct kernel_param *kp)
{
	char mode[8];
	u64 n, i, written = 0, dropped = 0, t0, t1;
	struct icmpt_sample s;
	unsigned int cpu = 0;
	bool solo;

	if (sscanf(val, "%7s %llu", mode, &n) != 2 || !n || n > (1ULL << 32))
		return -EINVAL;
	if (!strcmp(mode, "solo"))
		solo = true;
	else if (!strcmp(mode, "push"))
		solo = false;
	else
		return -EINVAL;

	icmpt_bench_sample(&s);
	mutex_lock(&icmpt_bench_lock);
	t0 = ktime_get_ns();
	for (i = 0; i < n;) {
		u64 end = min(n, i + 1024);
		struct icmpt_ring *r;

		icmpt_ring_enter(cpu);
		r = icmpt_ring_get(cpu);
		for (; i < end; i++) {
			struct icmpt_event *ev;
			u64 pos;

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
			s.pkt.seq = (u16)i;
			s.det.u.echo.seq = (u16)i;
			icmpt_event_fill(ev, &s, cpu);
			icmpt_ring_commit(r, pos, sizeof(*ev));
			written++;
		}
		icmpt_ring_leave();
		cond_resched();
	}
	t1 = ktime_get_ns();
	snprintf(icmpt_bench_result, sizeof(icmpt_bench_result),
		 "mode=%s cpu=%u records=%llu written=%llu dropped=%llu ns=%llu ns_per_record=%llu.%02llu\n",
		 mode, cpu, n, written, dropped, t1 - t0, div64_u64(t1 - t0, n),
		 div64_u64((t1 - t0) * 100, n) % 100);
	mutex_unlock(&icmpt_bench_lock);
	return 0;
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
