// SPDX-License-Identifier: GPL-2.0
/*
 * Unloading: refused while the device is open or mapped (the file holds
 * the module), safe while traffic flows through the hooks, and 100
 * load/unload cycles, some with traffic and a reader in between.  The
 * module is loaded again at the end, with the parameters it had, because
 * vm-run unloads it after the tests.
 */
#define _GNU_SOURCE
#include <sys/inotify.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "ringlib.h"

#define NS "icmpt-unload"

static char params[256];

/* The parameters vm-run loaded the module with, to load it the same way. */
static void save_params(void)
{
	static const char *const names[] = { "ring_size", "owner_slots" };
	unsigned int i;

	if (params[0])
		return;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[128], val[64];
		FILE *f;

		snprintf(path, sizeof(path), "/sys/module/icmptrace/parameters/%s", names[i]);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(val, sizeof(val), f)) {
			val[strcspn(val, "\n")] = 0;
			snprintf(params + strlen(params), sizeof(params) - strlen(params),
				 "%s%s=%s", params[0] ? " " : "", names[i], val);
		}
		fclose(f);
	}
}

/* The device node appears asynchronously (devtmpfs); wait for it. */
static int wait_dev(void)
{
	int i;

	for (i = 0; i < 200; i++) {
		if (access(RL_DEV, F_OK) == 0)
			return 0;
		usleep(10000);
	}
	return -1;
}

static int reload(void)
{
	int err = rl_insmod(params);

	return err ? err : wait_dev();
}

FIXTURE(unload) {
	int ncpu;
	volatile long *sent;
};

FIXTURE_SETUP(unload)
{
	if (!getenv("IT_MODULE") || !*getenv("IT_MODULE"))
		SKIP(return, "IT_MODULE not set: not run by vm-run");
	ASSERT_TRUE(rl_loaded());
	save_params();
	self->ncpu = rl_nr_cpus();
	self->sent = rl_shared_counters(RL_MAX_RINGS);
	ASSERT_EQ(0, vm_sh("ip netns del " NS " 2>/dev/null; ip netns add " NS
			   " && ip -n " NS " link set lo up"));
}

FIXTURE_TEARDOWN(unload)
{
	/* Whatever happened, leave the module loaded for the next tests. */
	if (!rl_loaded())
		reload();
	vm_sh("ip netns del " NS " 2>/dev/null; true");
}

/* delete_module while busy: EWOULDBLOCK (EAGAIN), the module stays. */
#define EXPECT_BUSY(err) do { \
	int e_ = (err); \
	EXPECT_TRUE(e_ == -EAGAIN || e_ == -EBUSY) TH_LOG("delete_module: %s", strerror(-e_)); \
	EXPECT_TRUE(rl_loaded()); \
} while (0)

TEST_F(unload, refused_while_open_or_mapped)
{
	static struct rl_map m;
	int fd;

	fd = open(RL_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_BUSY(rl_rmmod());
	close(fd);

	/* Mapped, with the fd closed: the mapping holds the file. */
	ASSERT_EQ(0, rl_map_open(&m));
	close(m.fd);
	m.fd = -1;
	EXPECT_BUSY(rl_rmmod());
	/* And a second opener is still refused: the file is not released. */
	EXPECT_EQ(-1, open(RL_DEV, O_RDWR | O_CLOEXEC));
	EXPECT_EQ(EBUSY, errno);
	rl_unmap(&m);

	/* Only now it goes. */
	EXPECT_EQ(0, rl_rmmod());
	EXPECT_FALSE(rl_loaded());
	EXPECT_EQ(0, reload());
}

/*
 * A load that fails never shows the device: an open of it in the window
 * would hold a reference that a failed init does not wait for (the file's
 * release would then run in freed code).  tree_slots=1 fails the tree's
 * init; devtmpfs makes the node before misc_register() returns, so an
 * IN_CREATE in /dev is there to see if the device came first.
 */
TEST_F(unload, failed_load_never_shows_the_device)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	int in, created = 0;
	ssize_t n;
	char *p;

	ASSERT_EQ(0, rl_rmmod());
	in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	ASSERT_LE(0, in);
	ASSERT_LE(0, inotify_add_watch(in, "/dev", IN_CREATE));
	EXPECT_EQ(-EINVAL, rl_insmod("tree_slots=1"));
	EXPECT_FALSE(rl_loaded());
	while ((n = read(in, buf, sizeof(buf))) > 0)
		for (p = buf; p < buf + n; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)p;
			if (ev->len && !strcmp(ev->name, "icmptrace"))
				created++;
		}
	close(in);
	EXPECT_EQ(0, created) TH_LOG("/dev/icmptrace was created by a load that failed");
	EXPECT_EQ(0, reload());
}

TEST_F_TIMEOUT(unload, refused_while_reader_runs_under_traffic, 120)
{
	const char *args[] = { "--format", "kv", NULL };
	unsigned long long recs = 0, dropped = 0;
	pid_t pids[RL_MAX_RINGS];
	struct rl_reader rd;
	int i;

	ASSERT_EQ(0, rl_reader_start(&rd, "unload", args));
	ASSERT_EQ(0, rl_flood_start(pids, self->ncpu, NS, "127.0.0.1", ICMP_ECHOREPLY,
				    0x7a7a, 0, NULL));
	for (i = 0; i < 5; i++) {
		usleep(100000);
		EXPECT_BUSY(rl_rmmod());
	}
	ASSERT_EQ(0, rl_flood_wait(pids, self->ncpu, 1));
	EXPECT_EQ(0, rl_reader_stop(&rd, SIGINT));
	EXPECT_EQ(0, rl_reader_summary(&rd, &recs, &dropped, NULL));
	TH_LOG("reader: %llu records, %llu dropped", recs, dropped);
	EXPECT_LT(0, recs);
	/* The reader is gone: now it unloads, traffic or not. */
	EXPECT_EQ(0, rl_rmmod());
	EXPECT_EQ(0, reload());
}

/* Unload and load while every CPU sends ICMP through the hooks. */
TEST_F_TIMEOUT(unload, unload_and_load_under_traffic, 180)
{
	pid_t pids[RL_MAX_RINGS];
	int i;

	ASSERT_EQ(0, rl_flood_start(pids, self->ncpu, NS, "127.0.0.1", ICMP_ECHOREPLY,
				    0x7b7b, 0, NULL));
	for (i = 0; i < 10; i++) {
		usleep(50000);
		ASSERT_EQ(0, rl_rmmod());
		usleep(20000);
		ASSERT_EQ(0, reload());
	}
	ASSERT_EQ(0, rl_flood_wait(pids, self->ncpu, 1));
}

struct count_ctx {
	long ours;
};

static void count_rec(void *c, unsigned int ring, const struct icmpt_rec_hdr *hdr,
		      const void *rec)
{
	const struct icmpt_event *ev = rec;

	if (hdr->type == ICMPT_REC_PACKET && ev->pkt.type == ICMP_ECHOREPLY &&
	    ev->pkt.id == 0x7c7c)
		((struct count_ctx *)c)->ours++;
}

/*
 * 100 cycles.  Every fourth has a burst of traffic from every CPU while
 * loaded, every tenth also a reader that must see all of that burst (a
 * fresh module starts with empty rings).
 */
TEST_F_TIMEOUT(unload, hundred_load_unload_cycles, 600)
{
	static struct rl_map m;
	long long t0 = rl_now_ms();
	int i, cpu;

	for (i = 0; i < 100; i++) {
		pid_t pids[RL_MAX_RINGS];
		struct count_ctx ctx = { 0 };
		long total = 0;
		unsigned int r;

		ASSERT_EQ(0, rl_rmmod()) TH_LOG("cycle %d", i);
		ASSERT_FALSE(rl_loaded());
		ASSERT_EQ(0, reload()) TH_LOG("cycle %d", i);
		if (i % 4)
			continue;
		if (i % 10 == 0)
			ASSERT_EQ(0, rl_map_open(&m));
		for (cpu = 0; cpu < self->ncpu; cpu++)
			self->sent[cpu] = 0;
		ASSERT_EQ(0, rl_flood_start(pids, self->ncpu, NS, "127.0.0.1", ICMP_ECHOREPLY,
					    0x7c7c, 50, self->sent));
		ASSERT_EQ(0, rl_flood_wait(pids, self->ncpu, 0));
		if (i % 10)
			continue;
		for (cpu = 0; cpu < self->ncpu; cpu++)
			total += self->sent[cpu];
		for (r = 0; r < m.info.nr_rings; r++) {
			EXPECT_EQ(0, rl_drops(m.r[r].prod));
			EXPECT_LE(0, rl_drain(&m, r, count_rec, &ctx));
		}
		EXPECT_EQ(2 * total, ctx.ours) TH_LOG("cycle %d", i);
		rl_unmap(&m);
	}
	TH_LOG("100 cycles in %lld ms", rl_now_ms() - t0);
	EXPECT_TRUE(rl_loaded());
}

TEST_HARNESS_MAIN
