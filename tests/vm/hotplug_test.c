// SPDX-License-Identifier: GPL-2.0
/*
 * CPU hotplug.  Rings and counters are per possible CPU (nr_cpu_ids), so a
 * CPU that goes offline keeps its ring and its counts: what it recorded is
 * still read, GET_STATS still sums it, poll() still sees it, and once the
 * CPU is back its records wake a reader that slept meanwhile.  And a flood
 * while CPU 1 goes off and on again and again: no kernel report, and every
 * packet accounted for.
 *
 * Echo requests from raw sockets to 127.0.0.1 in a namespace of the test
 * that holds only lo: each makes four records on its sender's CPU (request
 * out and in, the kernel's reply out and in) and nothing else in the VM
 * makes ICMP.  Skipped where CPU 1 cannot go offline (no
 * /sys/devices/system/cpu/cpu1/online: one CPU, or no CONFIG_HOTPLUG_CPU).
 */
#define _GNU_SOURCE
#include <poll.h>

#include "kselftest_harness.h"
#include "genllib.h"
#include "ringlib.h"

#define NS "icmpt-hotplug"
#define CPU1_ONLINE "/sys/devices/system/cpu/cpu1/online"
#define HP_ID 0x4b50		/* the pinned echoes */
#define HP_FLOOD_ID 0x4b51	/* the flood */
#define HP_SEQS 50		/* echoes sent before CPU 1 goes offline */
#define HP_SEQ_BACK 100		/* first seq sent after it came back */
#define HP_BACK 10		/* echoes sent then */

/* What the kernel log must not gain (a subset of scripts/vm-run's list). */
#define BAD_LOG "Oops|WARNING:|BUG:|general protection|Call Trace"

static int cpu1_set(int on)
{
	int fd = open(CPU1_ONLINE, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, on ? "1" : "0", 1);
	close(fd);
	return n == 1 ? 0 : -errno;
}

static int cpu1_get(void)
{
	char c = '?';
	int fd = open(CPU1_ONLINE, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (read(fd, &c, 1) != 1)
		c = '?';
	close(fd);
	return c == '1' ? 1 : c == '0' ? 0 : -1;
}

/* Lines of the kernel log that look like a report. */
static int bad_log_lines(void)
{
	char line[512];
	int n = -1;
	FILE *f = popen("dmesg | grep -cE '" BAD_LOG "'", "r");

	if (!f)
		return -1;
	if (fgets(line, sizeof(line), f))
		n = atoi(line);
	pclose(f);
	return n;
}

/* A raw socket in NS, for echo_to_lo(); -1 on failure. */
static int echo_socket(void)
{
	return vm_netns_enter(NS) ? -1 : rl_raw_socket();
}

/* An echo request id/seq to 127.0.0.1: 1 if it went, else 0. */
static int echo_to_lo(int s, uint16_t id, uint16_t seq)
{
	struct sockaddr_in dst = { .sin_family = AF_INET };
	uint8_t buf[64];
	size_t len = rl_build(buf, ICMP_ECHO, id, seq);

	inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
	return sendto(s, buf, len, 0, (struct sockaddr *)&dst, sizeof(dst)) == (ssize_t)len;
}

/*
 * A child that waits delay_ms, brings CPU 1 online if online, pins itself
 * to CPU 1, notes the time in *t_sent and sends n echoes from seq on.
 */
static pid_t send_on_cpu1(int delay_ms, int online, int seq, int n, volatile long *t_sent)
{
	pid_t pid = fork();

	if (pid == 0) {
		usleep(delay_ms * 1000);
		if (online && cpu1_set(1))
			_exit(10);
		if (rl_pin(1))
			_exit(11);
		int s = echo_socket(), ok = 0;

		if (s < 0)
			_exit(12);
		if (t_sent)
			*t_sent = rl_now_ms();
		for (int i = 0; i < n; i++)
			ok += echo_to_lo(s, HP_ID, seq + i);
		_exit(ok == n ? 0 : 13);
	}
	return pid;
}

static int wait_child(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The per-CPU entry of cpu among n; NULL if GET_STATS left it out. */
static const struct stats *cpu_stats(const struct stats *cpus, int n, unsigned int cpu)
{
	for (int i = 0; i < n; i++)
		if (cpus[i].v[ICMPT_STAT_A_CPU] == cpu)
			return &cpus[i];
	return NULL;
}

static uint64_t delta(const struct stats *a, const struct stats *b, int k)
{
	return b->v[k] - a->v[k];
}

/*
 * seen = recorded + filtered + dropped on every CPU and in the total, and
 * the total is the sum of the CPUs; returns NULL if so, else what broke.
 */
static const char *stats_add_up(const struct stats *total, const struct stats *cpus, int n)
{
	static char why[160];
	struct stats sum = { { 0 } };

	for (int i = 0; i <= n; i++) {
		const struct stats *s = i < n ? &cpus[i] : total;

		if (s->v[ICMPT_STAT_A_SEEN] != s->v[ICMPT_STAT_A_RECORDED] +
		    s->v[ICMPT_STAT_A_FILTERED] + s->v[ICMPT_STAT_A_DROPPED]) {
			snprintf(why, sizeof(why), "%s %llu: seen %llu, recorded %llu filtered %llu dropped %llu",
				 i < n ? "cpu" : "total", i < n ? (unsigned long long)s->v[ICMPT_STAT_A_CPU] : 0ULL,
				 (unsigned long long)s->v[ICMPT_STAT_A_SEEN],
				 (unsigned long long)s->v[ICMPT_STAT_A_RECORDED],
				 (unsigned long long)s->v[ICMPT_STAT_A_FILTERED],
				 (unsigned long long)s->v[ICMPT_STAT_A_DROPPED]);
			return why;
		}
		for (int k = ICMPT_STAT_A_SEEN; i < n && k <= ICMPT_STAT_A_MAX; k++)
			sum.v[k] += s->v[k];
	}
	for (int k = ICMPT_STAT_A_SEEN; k <= ICMPT_STAT_A_MAX; k++) {
		if (sum.v[k] != total->v[k]) {
			snprintf(why, sizeof(why), "attribute %d: total %llu, sum of the CPUs %llu", k,
				 (unsigned long long)total->v[k], (unsigned long long)sum.v[k]);
			return why;
		}
	}
	return NULL;
}

/* The four records of each echo of ours, by seq, and where they were. */
struct seen_echoes {
	uint8_t kinds[256];	/* bit: request out, request in, reply out, reply in */
	long ours, other, wrong_cpu;
	unsigned int ring;	/* where ours belong */
};

static void note_echo(struct seen_echoes *s, unsigned int ring, const struct icmpt_event *ev)
{
	int bit;

	if (ev->pkt.id != HP_ID) {
		s->other++;
		return;
	}
	s->ours++;
	if (ring != s->ring || ev->cpu != s->ring)
		s->wrong_cpu++;
	bit = (ev->pkt.type == ICMP_ECHO ? 0 : 2) + (ev->direction == ICMPT_DIR_IN);
	s->kinds[ev->pkt.seq & 0xff] |= 1 << bit;
}

static void note_rec(void *ctx, unsigned int ring, const struct icmpt_rec_hdr *hdr,
		     const void *rec)
{
	if (hdr->type == ICMPT_REC_PACKET)
		note_echo(ctx, ring, rec);
}

/* Seqs from..from+n-1 that lack one of their four records; -1 if none. */
static int first_incomplete(const struct seen_echoes *s, int from, int n)
{
	for (int i = from; i < from + n; i++)
		if (s->kinds[i & 0xff] != 0xf)
			return i;
	return -1;
}

static int poll_dev(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int n = poll(&p, 1, timeout_ms);

	return n > 0 && (p.revents & POLLIN) ? 1 : n;
}

FIXTURE(hp) {
	struct rl_map m;
	int genl, family, bad0;
};

FIXTURE_SETUP(hp)
{
	self->m.fd = -1;
	self->genl = -1;
	if (access(CPU1_ONLINE, W_OK))
		SKIP(return, "%s absent: no second CPU or no CONFIG_HOTPLUG_CPU", CPU1_ONLINE);
	ASSERT_EQ(0, cpu1_set(1));
	ASSERT_EQ(0, vm_sh("ip netns del " NS " 2>/dev/null; ip netns add " NS
			   " && ip -n " NS " link set lo up"));
	/* The family is in the initial namespace: the socket is made here. */
	self->genl = genl_open();
	ASSERT_LE(0, self->genl);
	self->family = genl_family(self->genl);
	ASSERT_LT(0, self->family);
	ASSERT_EQ(0, rl_map_open(&self->m));
	ASSERT_LE(2, self->m.info.nr_rings);
	rl_skip_all(&self->m);
	self->bad0 = bad_log_lines();
	ASSERT_LE(0, self->bad0);
}

FIXTURE_TEARDOWN(hp)
{
	if (self->genl >= 0)
		close(self->genl);
	if (self->m.fd >= 0)
		rl_unmap(&self->m);
	cpu1_set(1);
	vm_sh("ip netns del " NS " 2>/dev/null");
}

/*
 * 50 echoes (id 0x4b50, seq 0..49) from CPU 1, then CPU 1 offline before
 * anything is read: GET_STATS still lists CPU 1 with its 200 records,
 * poll() says readable, and all 200 are read from ring 1 while it is off.
 */
TEST_F_TIMEOUT(hp, offline_cpu_keeps_ring_and_counts, 120)
{
	struct stats t0, t1, c0[RL_MAX_RINGS], c1[RL_MAX_RINGS];
	const struct stats *a, *b;
	struct seen_echoes s = { .ring = 1 };
	const char *why;
	int n0, n1;

	VM_RETURN_IF_SKIPPED();

	n0 = get_stats(self->genl, self->family, &t0, c0, RL_MAX_RINGS);
	ASSERT_LE(2, n0);
	ASSERT_EQ(0, wait_child(send_on_cpu1(0, 0, 0, HP_SEQS, NULL)));
	ASSERT_EQ(0, cpu1_set(0));
	ASSERT_EQ(0, cpu1_get());

	n1 = get_stats(self->genl, self->family, &t1, c1, RL_MAX_RINGS);
	EXPECT_EQ(n0, n1);	/* every possible CPU, online or not */
	a = cpu_stats(c0, n0, 1);
	b = cpu_stats(c1, n1, 1);
	ASSERT_NE(NULL, a);
	/* Not ASSERT: what the rings hold is checked all the same. */
	EXPECT_NE(NULL, b) TH_LOG("GET_STATS leaves out the offline CPU 1");
	why = stats_add_up(&t1, c1, n1);
	EXPECT_EQ(NULL, why) TH_LOG("%s", why);
	if (b) {
		EXPECT_EQ(4 * HP_SEQS, delta(a, b, ICMPT_STAT_A_SEEN));
		EXPECT_EQ(4 * HP_SEQS, delta(a, b, ICMPT_STAT_A_RECORDED));
		EXPECT_EQ(0, delta(a, b, ICMPT_STAT_A_FILTERED));
		EXPECT_EQ(0, delta(a, b, ICMPT_STAT_A_DROPPED));
	}
	EXPECT_EQ(4 * HP_SEQS, delta(&t0, &t1, ICMPT_STAT_A_SEEN));

	/* The offline CPU's ring is readable, and read whole. */
	EXPECT_EQ(1, poll_dev(self->m.fd, 0));
	for (unsigned int i = 0; i < self->m.info.nr_rings; i++)
		ASSERT_LE(0, rl_drain(&self->m, i, note_rec, &s));
	EXPECT_EQ(0, cpu1_get());
	EXPECT_EQ(4 * HP_SEQS, s.ours);
	EXPECT_EQ(0, s.other);
	EXPECT_EQ(0, s.wrong_cpu) TH_LOG("records of ours outside ring 1 / cpu 1");
	EXPECT_EQ(-1, first_incomplete(&s, 0, HP_SEQS))
		TH_LOG("seq %d lacks a record", first_incomplete(&s, 0, HP_SEQS));
	EXPECT_EQ(0, poll_dev(self->m.fd, 0));
	EXPECT_EQ(self->bad0, bad_log_lines());
}

/*
 * The reader sleeps in poll() while CPU 1 is offline; a child brings it
 * back and sends 10 echoes (seq 100..109) from it: poll() returns within
 * 2 s of the send, and the 40 records are in ring 1.
 */
TEST_F_TIMEOUT(hp, online_again_wakes_reader, 120)
{
	struct stats t0, t1, c0[RL_MAX_RINGS], c1[RL_MAX_RINGS];
	const struct stats *a, *b;
	struct seen_echoes s = { .ring = 1 };
	volatile long *t_sent = rl_shared_counters(1);
	long long t_woke, end;
	const char *why;
	pid_t pid;
	int n0, n1, woke;

	VM_RETURN_IF_SKIPPED();

	ASSERT_NE(NULL, t_sent);
	ASSERT_EQ(0, cpu1_set(0));
	rl_skip_all(&self->m);
	n0 = get_stats(self->genl, self->family, &t0, c0, RL_MAX_RINGS);
	ASSERT_LE(2, n0);
	ASSERT_EQ(0, poll_dev(self->m.fd, 0));

	pid = send_on_cpu1(500, 1, HP_SEQ_BACK, HP_BACK, t_sent);
	woke = poll_dev(self->m.fd, vm_scaled_ms(30000));
	t_woke = rl_now_ms();
	ASSERT_EQ(0, wait_child(pid));
	ASSERT_EQ(1, woke) TH_LOG("no wakeup after CPU 1 came back");
	EXPECT_EQ(1, cpu1_get());
	TH_LOG("woken %lld ms after the first send", t_woke - *t_sent);
	EXPECT_GE(t_woke, *t_sent);
	EXPECT_LE(t_woke - *t_sent, vm_scaled_ms(2000));

	end = rl_now_ms() + vm_scaled_ms(10000);
	while (s.ours < 4 * HP_BACK && rl_now_ms() < end) {
		for (unsigned int i = 0; i < self->m.info.nr_rings; i++)
			ASSERT_LE(0, rl_drain(&self->m, i, note_rec, &s));
		usleep(20 * 1000);
	}
	EXPECT_EQ(4 * HP_BACK, s.ours);
	EXPECT_EQ(0, s.wrong_cpu);
	EXPECT_EQ(-1, first_incomplete(&s, HP_SEQ_BACK, HP_BACK))
		TH_LOG("seq %d lacks a record", first_incomplete(&s, HP_SEQ_BACK, HP_BACK));

	n1 = get_stats(self->genl, self->family, &t1, c1, RL_MAX_RINGS);
	a = cpu_stats(c0, n0, 1);
	b = cpu_stats(c1, n1, 1);
	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	why = stats_add_up(&t1, c1, n1);
	EXPECT_EQ(NULL, why) TH_LOG("%s", why);
	EXPECT_EQ(4 * HP_BACK, delta(a, b, ICMPT_STAT_A_RECORDED));
	EXPECT_EQ(4 * HP_BACK, delta(&t0, &t1, ICMPT_STAT_A_SEEN));
	EXPECT_EQ(self->bad0, bad_log_lines());
}

/* Counts what the flood made, by ring. */
struct flood_count {
	long recs, ours, ring[RL_MAX_RINGS];
};

static void count_rec(void *ctx, unsigned int ring, const struct icmpt_rec_hdr *hdr,
		      const void *rec)
{
	struct flood_count *c = ctx;
	const struct icmpt_event *ev = rec;

	c->recs++;
	if (hdr->type == ICMPT_REC_PACKET && ev->pkt.id == HP_FLOOD_ID) {
		c->ours++;
		c->ring[ring]++;
	}
}

static void drain_all(struct rl_map *m, struct flood_count *c, struct __test_metadata *_metadata)
{
	for (unsigned int i = 0; i < m->info.nr_rings; i++)
		ASSERT_LE(0, rl_drain(m, i, count_rec, c));
}

#define FLOOD_SENDERS 2
#define TOGGLE_MS 5000

/*
 * The echo requests and replies the stack of NS counted, in and out: one
 * record each.  The stack may drop a packet before LOCAL_IN (a full backlog
 * under a slow kernel), so this, not 4 x the echoes sent, is what the hooks
 * must have seen.  -1 if a counter cannot be read.
 */
static long ns_echo_msgs(void)
{
	static const char *const key[] = {"OutEchos", "InEchos", "OutEchoReps", "InEchoReps"};
	long sum = 0, v;
	unsigned int i;

	for (i = 0; i < sizeof(key) / sizeof(key[0]); i++) {
		v = vm_snmp(NS, "Icmp", key[i]);
		if (v < 0)
			return -1;
		sum += v;
	}
	return sum;
}

/*
 * Two unpinned senders flood echoes (id 0x4b51) while a child takes CPU 1
 * offline and online again for 5 s and the test drains every ring: no
 * kernel report, every record the module counted as recorded is read, and
 * seen = recorded + filtered + dropped = the echo messages the stack
 * counted (at most 4 x the echoes sent).  Once the senders stop, packets
 * may still wait in a backlog (a slow kernel's): the test drains until the
 * stack's count and the module's agree, for up to 10 s (scaled).
 */
TEST_F_TIMEOUT(hp, toggle_under_flood, 300)
{
	struct stats t0, t1, c0[RL_MAX_RINGS], c1[RL_MAX_RINGS];
	volatile long *sh = rl_shared_counters(FLOOD_SENDERS + 3);
	volatile long *stop = &sh[FLOOD_SENDERS + 2];
	struct flood_count c = { 0 };
	pid_t pids[FLOOD_SENDERS], toggler;
	long sent = 0, msgs0, msgs = -1;
	long long settle_end;
	const char *why;
	int i, n1, st;

	VM_RETURN_IF_SKIPPED();

	ASSERT_NE(NULL, sh);
	ASSERT_LE(2, get_stats(self->genl, self->family, &t0, c0, RL_MAX_RINGS));
	msgs0 = ns_echo_msgs();
	ASSERT_LE(0, msgs0);
	for (i = 0; i < FLOOD_SENDERS; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			int s = echo_socket();

			for (uint16_t seq = 0; s >= 0 && !*stop; seq++)
				sh[i] += echo_to_lo(s, HP_FLOOD_ID, seq);
			_exit(s < 0);
		}
	}
	/* sh[FLOOD_SENDERS]: cycles done; sh[FLOOD_SENDERS + 1]: failed writes. */
	toggler = fork();
	ASSERT_LE(0, toggler);
	if (toggler == 0) {
		long long end = rl_now_ms() + TOGGLE_MS;

		while (rl_now_ms() < end) {
			if (cpu1_set(0) || cpu1_set(1))
				sh[FLOOD_SENDERS + 1]++;
			else
				sh[FLOOD_SENDERS]++;
		}
		_exit(cpu1_set(1) ? 1 : 0);
	}
	while (waitpid(toggler, &st, WNOHANG) == 0) {
		drain_all(&self->m, &c, _metadata);
		poll_dev(self->m.fd, 50);
	}
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	*stop = 1;
	for (i = 0; i < FLOOD_SENDERS; i++) {
		EXPECT_EQ(0, wait_child(pids[i]));
		sent += sh[i];
	}
	EXPECT_EQ(1, cpu1_get());
	settle_end = rl_now_ms() + vm_scaled_ms(10000);
	do {
		usleep(100 * 1000);
		drain_all(&self->m, &c, _metadata);
		n1 = get_stats(self->genl, self->family, &t1, c1, RL_MAX_RINGS);
		ASSERT_LE(2, n1);
		msgs = ns_echo_msgs();
		ASSERT_LE(0, msgs);
		msgs -= msgs0;
	} while ((uint64_t)msgs != delta(&t0, &t1, ICMPT_STAT_A_SEEN) && rl_now_ms() < settle_end);
	/* Quiet now: what is left in the rings, then the counters. */
	drain_all(&self->m, &c, _metadata);
	n1 = get_stats(self->genl, self->family, &t1, c1, RL_MAX_RINGS);
	ASSERT_LE(2, n1);
	TH_LOG("%ld offline/online cycles (%ld failed writes), %ld echoes sent, %ld echo messages "
	       "counted by the stack, %ld records read (%ld ours: %ld on ring 0, %ld on ring 1); "
	       "seen %llu recorded %llu dropped %llu",
	       sh[FLOOD_SENDERS], sh[FLOOD_SENDERS + 1], sent, msgs, c.recs, c.ours, c.ring[0],
	       c.ring[1], (unsigned long long)delta(&t0, &t1, ICMPT_STAT_A_SEEN),
	       (unsigned long long)delta(&t0, &t1, ICMPT_STAT_A_RECORDED),
	       (unsigned long long)delta(&t0, &t1, ICMPT_STAT_A_DROPPED));
	EXPECT_LE(3, sh[FLOOD_SENDERS]);
	EXPECT_LT(0, c.ring[1]);
	why = stats_add_up(&t1, c1, n1);
	EXPECT_EQ(NULL, why) TH_LOG("%s", why);
	EXPECT_EQ(c.recs, delta(&t0, &t1, ICMPT_STAT_A_RECORDED));
	EXPECT_EQ(c.ours, c.recs);
	EXPECT_EQ(0, delta(&t0, &t1, ICMPT_STAT_A_FILTERED));
	EXPECT_EQ(msgs, delta(&t0, &t1, ICMPT_STAT_A_SEEN));
	EXPECT_LE(msgs, 4 * sent);
	EXPECT_EQ(self->bad0, bad_log_lines());
}

TEST_HARNESS_MAIN
