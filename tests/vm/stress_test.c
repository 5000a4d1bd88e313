// SPDX-License-Identifier: GPL-2.0
/*
 * Floods from every CPU into a fresh network namespace that holds only lo,
 * while the reader is stalled: every record is either read or counted as
 * dropped, exactly, per CPU.  And a reader killed mid-stream, then
 * restarted.  Also run on its own under the PREEMPT_RT kernel.
 *
 * The floods are echo replies (type 0) of an identifier of ours from a raw
 * socket to 127.0.0.1: nothing answers an echo reply, so each message sent
 * makes exactly two records (LOCAL_OUT, then LOCAL_IN on the same CPU), and
 * nothing else makes ICMP in the VM meanwhile.
 */
#define _GNU_SOURCE
#include "kselftest_harness.h"
#include "ringlib.h"

#define NS "icmpt-stress"
#define FLOOD_ID 0x5151

/* The module's ring_size: bytes of records a CPU's ring holds. */
static unsigned long ring_size(void)
{
	unsigned long ring = 1 << 20;
	FILE *f = fopen("/sys/module/icmptrace/parameters/ring_size", "r");

	if (f) {
		if (fscanf(f, "%lu", &ring) != 1)
			ring = 1 << 20;
		fclose(f);
	}
	return ring;
}

static long per_cpu_count(void)
{
	/* Two records per message: three rings' worth of records per CPU. */
	long n = (long)(ring_size() / rl_flood_rec_len()) * 3 / 2;

	return n < 2000 ? 2000 : n > 60000 ? 60000 : n;
}

static int ns_up(void)
{
	return vm_sh("ip netns del " NS " 2>/dev/null; ip netns add " NS " && ip -n " NS
		     " link set lo up");
}

static void ns_down(void)
{
	vm_sh("ip netns del " NS " 2>/dev/null; true");
}

FIXTURE(stress) {
	int ncpu;
	volatile long *sent;
};

FIXTURE_SETUP(stress)
{
	self->ncpu = rl_nr_cpus();
	ASSERT_LE(self->ncpu, RL_MAX_RINGS);
	self->sent = rl_shared_counters(RL_MAX_RINGS);
	ASSERT_NE(NULL, self->sent);
	ASSERT_EQ(0, ns_up());
}

FIXTURE_TEARDOWN(stress)
{
	ns_down();
}

/* The reader SIGSTOPped during the flood: read + dropped (+ left unread) == 2 * sent. */
TEST_F_TIMEOUT(stress, stalled_reader_exact_accounting, 300)
{
	const char *args[] = { "--format", "kv", NULL };
	struct rl_reader rd;
	pid_t pids[RL_MAX_RINGS];
	unsigned long long recs = 0, dropped = 0, unread = 0;
	long n = per_cpu_count(), total = 0, ours, other;
	char hint[160], err[4096];
	int cpu;

	ASSERT_EQ(0, rl_reader_start(&rd, "stall", args));
	ASSERT_EQ(0, kill(rd.pid, SIGSTOP));
	ASSERT_EQ(0, rl_flood_start(pids, self->ncpu, NS, "127.0.0.1", ICMP_ECHOREPLY,
				    FLOOD_ID, n, self->sent));
	ASSERT_EQ(0, rl_flood_wait(pids, self->ncpu, 0));
	for (cpu = 0; cpu < self->ncpu; cpu++) {
		TH_LOG("cpu%d sent %ld", cpu, self->sent[cpu]);
		EXPECT_EQ(n, self->sent[cpu]);
		total += self->sent[cpu];
	}
	ASSERT_EQ(0, kill(rd.pid, SIGCONT));
	/* SIGINT: the reader drains every ring once more, then sums up. */
	ASSERT_EQ(0, rl_reader_stop(&rd, SIGINT));
	ASSERT_EQ(0, rl_reader_summary(&rd, &recs, &dropped, &unread));
	ours = rl_count_kv(rd.out, ICMP_ECHOREPLY, FLOOD_ID, &other);
	TH_LOG("sent %ld messages: %llu records read (%ld ours, %ld other), %llu dropped, %llu left unread",
	       total, recs, ours, other, dropped, unread);
	EXPECT_EQ(0, other);
	EXPECT_EQ((long)recs, ours);
	/*
	 * A slow guest may not write every line within the stop's grace: what
	 * is left in the rings is then counted too, never lost unsaid.
	 */
	EXPECT_EQ(2 * total, (long)(recs + dropped + unread));
	/* The rings were full: the stall really lost records. */
	EXPECT_LT(0, dropped);
	/* And the reader says what gives them more room, with their size. */
	snprintf(hint, sizeof(hint), "icmptrace: a ring (%lu KiB a CPU) filled before it was read: "
		 "the module's ring_size parameter", ring_size() / 1024);
	rl_slurp(rd.err, err, sizeof(err));
	EXPECT_NE(NULL, strstr(err, hint)) TH_LOG("no '%s' in: %s", hint, err);
	/* And how the reader kept up (stopped, it was not slow: any figures). */
	EXPECT_NE(NULL, strstr(err, "icmptrace: the reader's slowest chunk of records took "))
		TH_LOG("no slowest chunk in: %s", err);
}

struct own_ctx {
	long ours[RL_MAX_RINGS], other, wrong_cpu, bad;
	const char *why;
};

static void own_rec(void *c, unsigned int ring, const struct icmpt_rec_hdr *hdr,
		    const void *rec)
{
	struct own_ctx *ctx = c;
	const struct icmpt_event *ev = rec;
	const char *why;

	if (hdr->type != ICMPT_REC_PACKET) {
		ctx->other++;
		return;
	}
	why = rl_check_event(ev, hdr->len);
	if (why) {
		ctx->bad++;
		ctx->why = why;
	}
	if (ev->cpu != ring)
		ctx->wrong_cpu++;
	if (ev->pkt.type == ICMP_ECHOREPLY && ev->pkt.id == FLOOD_ID)
		ctx->ours[ring]++;
	else
		ctx->other++;
}

/*
 * Our own consumer maps the rings and does not consume during the flood;
 * per ring: records read == records the producer page counted, and
 * read + dropped == 2 * what that CPU sent.  Every record is checked for
 * stray bytes.
 */
TEST_F_TIMEOUT(stress, mapped_consumer_per_cpu_accounting, 300)
{
	static struct rl_map m;
	struct own_ctx ctx = { 0 };
	uint64_t recs0[RL_MAX_RINGS], drops0[RL_MAX_RINGS];
	pid_t pids[RL_MAX_RINGS];
	long n = per_cpu_count();
	unsigned int i;

	ASSERT_EQ(0, rl_map_open(&m));
	ASSERT_LE((unsigned int)self->ncpu, m.info.nr_rings);
	rl_skip_all(&m);
	for (i = 0; i < m.info.nr_rings; i++) {
		recs0[i] = m.r[i].prod->records;
		drops0[i] = rl_drops(m.r[i].prod);
	}
	ASSERT_EQ(0, rl_flood_start(pids, self->ncpu, NS, "127.0.0.1", ICMP_ECHOREPLY,
				    FLOOD_ID, n, self->sent));
	ASSERT_EQ(0, rl_flood_wait(pids, self->ncpu, 0));
	for (i = 0; i < m.info.nr_rings; i++) {
		uint64_t recs = m.r[i].prod->records - recs0[i];
		uint64_t drops = rl_drops(m.r[i].prod) - drops0[i];
		long sent = (int)i < self->ncpu ? self->sent[i] : 0;
		long got = rl_drain(&m, i, own_rec, &ctx);

		TH_LOG("ring %u: sent %ld, %ld read of %llu written, %llu dropped", i, sent,
		       got, (unsigned long long)recs, (unsigned long long)drops);
		ASSERT_LE(0, got);
		EXPECT_EQ((long)recs, got);
		EXPECT_EQ(got, ctx.ours[i]);
		EXPECT_EQ(2 * sent, (long)(recs + drops));
		if (sent)
			EXPECT_LT(0, drops);
	}
	EXPECT_EQ(0, ctx.other);
	EXPECT_EQ(0, ctx.wrong_cpu);
	EXPECT_EQ(0, ctx.bad);
	if (ctx.why)
		TH_LOG("stray bytes: %s", ctx.why);
	rl_unmap(&m);
}

/*
 * The reader SIGKILLed while a flood runs, restarted at once (the device
 * must be free again), sees a marker message; afterwards every ring's
 * consumer position is sane (not ahead of the producer, within data_size).
 */
TEST_F_TIMEOUT(stress, reader_killed_then_restarted, 300)
{
	const char *args[] = { "--format", "kv", NULL };
	struct rl_reader rd1, rd2;
	static struct rl_map m;
	pid_t pids[RL_MAX_RINGS], marker[1];
	unsigned long long recs = 0, dropped = 0;
	long ours, other;
	int round;
	unsigned int i;

	for (round = 0; round < 3; round++) {
		ASSERT_EQ(0, rl_reader_start(&rd1, "kill1", args));
		ASSERT_EQ(0, rl_flood_start(pids, self->ncpu, NS, "127.0.0.1",
					    ICMP_ECHOREPLY, FLOOD_ID, 0, NULL));
		usleep(300000 + round * 200000);
		EXPECT_EQ(128 + SIGKILL, rl_reader_stop(&rd1, SIGKILL));
		/* Restarted while the flood goes on. */
		ASSERT_EQ(0, rl_reader_start(&rd2, "kill2", args));
		usleep(300000);
		ASSERT_EQ(0, rl_flood_wait(pids, self->ncpu, 1));
		/*
		 * Marker messages from CPU 0 once the reader caught up; on a
		 * loaded host it may still be behind, so a few, and one
		 * recorded (both of its records) is enough.
		 */
		rl_reader_quiet(&rd2, 1000, 30000);
		for (i = 0; i < 3; i++) {
			ASSERT_EQ(0, rl_flood_start(marker, 1, NS, "127.0.0.1", ICMP_ECHOREPLY,
						    0x4d4d, 1, NULL));
			ASSERT_EQ(0, rl_flood_wait(marker, 1, 0));
			rl_reader_quiet(&rd2, 300, 10000);
		}
		ASSERT_EQ(0, rl_reader_stop(&rd2, SIGINT));
		ASSERT_EQ(0, rl_reader_summary(&rd2, &recs, &dropped, NULL));
		ours = rl_count_kv(rd2.out, ICMP_ECHOREPLY, 0x4d4d, &other);
		TH_LOG("round %d: restarted reader: %llu records, %llu dropped, marker %ld of 6",
		       round, recs, dropped, ours);
		EXPECT_LE(2, ours);
		EXPECT_GE(6, ours);
		EXPECT_EQ(0, ours % 2);

		/* Nothing runs now: the reader drained all and left cons == prod. */
		ASSERT_EQ(0, rl_map_open(&m));
		for (i = 0; i < m.info.nr_rings; i++) {
			uint64_t prod = rl_prod_pos(&m.r[i]), cons = rl_cons_pos(&m.r[i]);

			EXPECT_EQ(0, cons % ICMPT_REC_ALIGN);
			EXPECT_LE(cons, prod);
			EXPECT_LE(prod - cons, m.info.data_size);
			EXPECT_EQ(prod, cons);
		}
		rl_unmap(&m);
	}
}

TEST_HARNESS_MAIN
