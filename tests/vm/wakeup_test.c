// SPDX-License-Identifier: GPL-2.0
/*
 * The wakeup threshold of include/uapi/linux/icmptrace.h ("Wakeups"):
 * wakeup_bytes in a ring's consumer page.  At 0 the first record wakes a
 * sleeping reader; above, poll() stays quiet until the ring holds that
 * many bytes, and the record that crosses it wakes the reader; a huge
 * value counts as half the ring; every open sets it back to 0.  Echo
 * requests from a raw socket pinned to CPU 0, to 127.0.0.1 in a namespace
 * of the test: each makes four records on CPU 0's ring (request out and
 * in, the kernel's reply out and in).
 */
#define _GNU_SOURCE
#include <poll.h>

#include "kselftest_harness.h"
#include "ringlib.h"

#define NS "icmpt-wakeup"

/* Sends n echo requests to 127.0.0.1 from CPU 0, gap_ms apart. */
static int send_echoes(int n, int gap_ms)
{
	uint8_t buf[64];
	struct sockaddr_in dst = { .sin_family = AF_INET };
	int s, i, ok = 0;

	inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
	if (rl_pin(0) || (s = rl_raw_socket()) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		size_t len = rl_build(buf, ICMP_ECHO, 0x3a7e, i);

		if (sendto(s, buf, len, 0, (struct sockaddr *)&dst, sizeof(dst)) == (ssize_t)len)
			ok++;
		if (gap_ms)
			usleep(gap_ms * 1000);
	}
	close(s);
	return ok;
}

/* The same in a child; returns its pid. */
static pid_t send_echoes_later(int delay_ms, int n, int gap_ms)
{
	pid_t pid = fork();

	if (pid == 0) {
		usleep(delay_ms * 1000);
		_exit(send_echoes(n, gap_ms) == n ? 0 : 1);
	}
	return pid;
}

static int poll_dev(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int n = poll(&p, 1, timeout_ms);

	return n > 0 && (p.revents & POLLIN) ? 1 : n;
}

static void set_wakeup(struct rl_map *m, uint64_t bytes)
{
	for (unsigned int i = 0; i < m->info.nr_rings; i++)
		__atomic_store_n(&m->r[i].cons->wakeup_bytes, bytes, __ATOMIC_RELAXED);
}

static uint64_t fill(const struct rl_ring *r)
{
	return rl_prod_pos(r) - rl_cons_pos(r);
}

FIXTURE(wk) {
	struct rl_map m;
};

FIXTURE_SETUP(wk)
{
	ASSERT_EQ(0, vm_sh("ip netns del " NS " 2>/dev/null; ip netns add " NS
			   " && ip -n " NS " link set lo up"));
	ASSERT_EQ(0, vm_netns_enter(NS));
	ASSERT_EQ(0, rl_map_open(&self->m));
	ASSERT_GE(self->m.info.nr_rings, 1);
	rl_skip_all(&self->m);
}

FIXTURE_TEARDOWN(wk)
{
	rl_unmap(&self->m);
	vm_sh("ip netns del " NS " 2>/dev/null");
}

/* Default: the first record wakes a reader asleep in poll(). */
TEST_F(wk, first_record_wakes)
{
	long long t0 = rl_now_ms();
	pid_t pid;
	int st;

	EXPECT_EQ(0, self->m.r[0].cons->wakeup_bytes);
	ASSERT_EQ(0, poll_dev(self->m.fd, 0));
	pid = send_echoes_later(300, 1, 0);
	EXPECT_EQ(1, poll_dev(self->m.fd, 20000));
	EXPECT_GE(rl_now_ms() - t0, 250);	/* woken by the record, not before */
	EXPECT_GT(fill(&self->m.r[0]), 0);
	waitpid(pid, &st, 0);
	EXPECT_EQ(0, st);
}

/*
 * A threshold: one echo (four records) stays below it and poll() says
 * nothing; the echoes of a slow sender cross it, and the crossing record
 * wakes the reader while the sender still has most of its echoes to send.
 */
TEST_F(wk, threshold_delays_then_wakes)
{
	const uint64_t want = 16 << 10;
	struct rl_ring *r0 = &self->m.r[0];
	pid_t pid;
	int st;

	set_wakeup(&self->m, want);
	ASSERT_EQ(1, send_echoes(1, 0));
	ASSERT_GT(fill(r0), 0);
	ASSERT_LT(fill(r0), want);
	EXPECT_EQ(0, poll_dev(self->m.fd, 300));

	/* 16 KiB is a few dozen echoes; the sender sends 200, 30 ms apart. */
	pid = send_echoes_later(0, 200, 30);
	EXPECT_EQ(1, poll_dev(self->m.fd, 30000));
	EXPECT_GE(fill(r0), want);
	EXPECT_EQ(0, waitpid(pid, &st, WNOHANG));	/* still sending */
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	EXPECT_EQ(0, rl_drops(r0->prod));
}

/* A value past half the ring counts as half the ring: a wakeup still comes. */
TEST_F(wk, huge_threshold_is_half_the_ring)
{
	struct rl_ring *r0 = &self->m.r[0];
	const uint64_t half = self->m.info.data_size / 2;
	uint64_t drops0 = rl_drops(r0->prod);
	int sent = 0;

	set_wakeup(&self->m, UINT64_MAX);
	while (fill(r0) < half && sent < 100000) {
		ASSERT_EQ(0, poll_dev(self->m.fd, 0));
		ASSERT_EQ(50, send_echoes(50, 0));
		sent += 50;
	}
	EXPECT_GE(fill(r0), half);
	EXPECT_LT(fill(r0), self->m.info.data_size);
	EXPECT_EQ(1, poll_dev(self->m.fd, 0));
	EXPECT_EQ(drops0, rl_drops(r0->prod));
}

/* A new open starts at 0, whatever the last reader left. */
TEST_F(wk, open_resets)
{
	set_wakeup(&self->m, 12345);
	rl_unmap(&self->m);
	ASSERT_EQ(0, rl_map_open(&self->m));
	for (unsigned int i = 0; i < self->m.info.nr_rings; i++)
		EXPECT_EQ(0, self->m.r[i].cons->wakeup_bytes);
}

/*
 * The reader batches a burst (--immediate-mode off) and still hands on a
 * lone record at once, and loses none of a burst: 300 echoes, 1,200 records.
 */
TEST(reader_lone_record_and_burst)
{
	static struct vm_reader rd;
	const char *args[] = { "--format", "kv", "--type", "echo-request", NULL };
	struct vm_rec recs[4];
	long long t0;

	ASSERT_EQ(0, vm_sh("ip netns del " NS " 2>/dev/null; ip netns add " NS
			   " && ip -n " NS " link set lo up"));
	/* The reader in our namespace (its netlink family lives there only). */
	ASSERT_EQ(0, vm_reader_start(&rd, args)) TH_LOG("%s", rd.err);
	ASSERT_EQ(0, vm_netns_enter(NS));
	t0 = rl_now_ms();
	ASSERT_EQ(1, send_echoes(1, 0));
	EXPECT_EQ(2, vm_reader_collect(&rd, 2, 20000));	/* out and in */
	TH_LOG("lone echo: its records after %lld ms", rl_now_ms() - t0);
	ASSERT_EQ(300, send_echoes(300, 0));
	EXPECT_EQ(602, vm_reader_collect(&rd, 602, 60000));
	EXPECT_EQ(2, vm_reader_records(&rd, recs, 2));
	EXPECT_EQ(0x3a7e, vm_rec_num(&recs[0], "id"));
	EXPECT_EQ(0, vm_rec_num(&recs[0], "seq"));
	EXPECT_EQ(0, vm_reader_stop(&rd));
	vm_sh("ip netns del " NS " 2>/dev/null");
}

TEST_HARNESS_MAIN
