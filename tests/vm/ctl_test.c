// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family: every filter lets through exactly what it
 * names, the counters add up under a flood, admin operations need
 * CAP_NET_ADMIN, malformed messages sent raw are refused without an oops,
 * and a session's filter goes away with its socket, however it closes.
 * Talks netlink by hand (no libnl): the test must be able to send garbage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/genetlink.h>
#include <linux/icmptrace.h>
#include <linux/netlink.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "genllib.h"
#include "vmlib.h"

#define MAX_RECS 512
#define OTHER_UID 4321
#define ADDR6_A "fd00:1c::1"
#define ADDR6_B "fd00:1c::2"
#define CGROUP_DIR "/sys/fs/cgroup/icmpt-ctr-c0ffee4242"

/* Owner portid of the filter, 0 if none, -1 on error. */
static long filter_owner(int fd, int family)
{
	struct gmsg r;
	struct nlattr *a;
	int rem;

	if (genl_cmd(fd, family, ICMPT_CMD_GET_FILTER, &r))
		return -1;
	for_each_attr(a, attr_first(&r, &rem), rem)
		if (a->nla_type == ICMPT_A_F_OWNER_PORTID)
			return *(uint32_t *)attr_data(a);
	return 0;
}

/* ---- traffic and the reader ---- */

static int pair_up_v6(void)
{
	if (vm_netns_pair_up())
		return -1;
	return vm_sh("set -e; ip -n " VM_NS_A " addr add " ADDR6_A "/64 dev icmpt-va nodad;"
		     "ip -n " VM_NS_B " addr add " ADDR6_B "/64 dev icmpt-vb nodad");
}

/* ping from namespace A, as "prefix" (e.g. setpriv ...) with binary ping. */
static int ping_a(const char *prefix, const char *ping, const char *dst, int n)
{
	return vm_sh("ip netns exec " VM_NS_A " %s %s -q -n -c %d -i 0.05 -W 2 %s >/dev/null",
		     prefix, ping, n, dst);
}

/* Records of the reader started with args, while traffic() runs. */
static int trace_during(struct __test_metadata *_metadata, struct vm_reader *rd,
			const char *const *args, void (*traffic)(void *), void *arg,
			struct vm_rec *recs, int want)
{
	const char *argv[24] = { "--format", "kv" };
	int i, n;

	for (i = 0; args[i] && i < 20; i++)
		argv[i + 2] = args[i];
	argv[i + 2] = NULL;
	if (vm_reader_start(rd, argv)) {
		TH_LOG("reader did not start: %s", rd->err);
		return -1;
	}
	traffic(arg);
	vm_reader_collect(rd, want, 3000);
	usleep(300 * 1000);
	vm_reader_stop(rd);
	n = vm_reader_records(rd, recs, MAX_RECS);
	TH_LOG("%d records; reader said: %s", n, rd->err);
	return n;
}

static int count_where(const struct vm_rec *recs, int n, const char *key, const char *val)
{
	int i, c = 0;

	for (i = 0; i < n; i++) {
		const char *v = vm_rec_get(&recs[i], key);

		c += v && !strcmp(v, val);
	}
	return c;
}

FIXTURE(ctl) {
	struct vm_reader rd;
	struct vm_rec recs[MAX_RECS];
	int fd, family;
};

FIXTURE_SETUP(ctl)
{
	ASSERT_EQ(0, pair_up_v6());
	self->fd = genl_open();
	ASSERT_LE(0, self->fd);
	self->family = genl_family(self->fd);
	ASSERT_LT(0, self->family);
	/* Let IPv6 settle (nodad, but the link still comes up). */
	usleep(200 * 1000);
}

FIXTURE_TEARDOWN(ctl)
{
	if (self->rd.pid > 0)
		vm_reader_stop(&self->rd);
	close(self->fd);
	vm_netns_pair_down();
	vm_sh("rmdir " CGROUP_DIR " 2>/dev/null; true");
}

static void traffic_v4_v6(void *arg)
{
	ping_a("", "ping", VM_ADDR_B, 2);
	ping_a("", "ping -6", ADDR6_B, 2);
}

TEST_F_TIMEOUT(ctl, filter_family, 60)
{
	static const char *const args[] = { "-6", NULL };
	int n = trace_during(_metadata, &self->rd, args, traffic_v4_v6, NULL, self->recs, 8);

	ASSERT_LE(8, n);
	EXPECT_EQ(n, count_where(self->recs, n, "family", "6"));
	EXPECT_EQ(2, count_where(self->recs, n, "type", "128") / 2);
}

TEST_F_TIMEOUT(ctl, filter_dir_and_type, 60)
{
	static const char *const args[] = { "--in", "--type", "echo-reply", NULL };
	int n = trace_during(_metadata, &self->rd, args, traffic_v4_v6, NULL, self->recs, 4);

	/* The replies into A, v4 and v6: nothing else. */
	ASSERT_EQ(4, n);
	EXPECT_EQ(4, count_where(self->recs, n, "dir", "in"));
	EXPECT_EQ(2, count_where(self->recs, n, "type", "0"));
	EXPECT_EQ(2, count_where(self->recs, n, "type", "129"));
}

TEST_F_TIMEOUT(ctl, filter_type_code, 60)
{
	/* Port unreachable (3/3) passes; the echo traffic and 3/1 do not. */
	static const char *const args[] = { "-4", "--type", "dest-unreach/3,echo-request/5", NULL };
	struct vm_reader *rd = &self->rd;
	const char *argv[] = { "--format", "kv", args[0], args[1], args[2], NULL };
	int n;

	ASSERT_EQ(0, vm_reader_start(rd, argv));
	ping_a("", "ping", VM_ADDR_B, 2);
	/* A UDP datagram to a closed port of B: B answers 3/3. */
	vm_sh("ip netns exec " VM_NS_A " sh -c 'echo x > /dev/udp/" VM_ADDR_B "/9' 2>/dev/null;"
	      "ip netns exec " VM_NS_A " python3 -c \"import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM);"
	      " s.sendto(b'x', ('" VM_ADDR_B "', 9))\"");
	vm_reader_collect(rd, 2, 3000);
	usleep(300 * 1000);
	vm_reader_stop(rd);
	n = vm_reader_records(rd, self->recs, MAX_RECS);
	TH_LOG("%d records: %s", n, rd->out);
	ASSERT_EQ(2, n);	/* out of B, into A */
	EXPECT_EQ(2, count_where(self->recs, n, "type", "3"));
	EXPECT_EQ(2, count_where(self->recs, n, "code", "3"));
}

struct who {
	const char *prefix;
	const char *ping;
};

static void traffic_two_pingers(void *arg)
{
	const struct who *w = arg;

	ping_a("", "ping", VM_ADDR_B, 2);
	ping_a(w->prefix, w->ping, VM_ADDR_B, 2);
}

/* The pinger of interest: 2 requests out of A and 2 replies matched to it. */
static void expect_pinger_only(struct __test_metadata *_metadata, const struct vm_rec *recs,
			       int n, const char *key, const char *val)
{
	ASSERT_EQ(4, n);
	EXPECT_EQ(4, count_where(recs, n, key, val));
	EXPECT_EQ(2, count_where(recs, n, "owner", "sender"));
	EXPECT_EQ(2, count_where(recs, n, "owner", "matched"));
}

TEST_F_TIMEOUT(ctl, filter_uid, 60)
{
	static const char *const args[] = { "--uid", "4321", NULL };
	struct who w = { "setpriv --reuid 4321 --regid 4321 --clear-groups", "ping" };
	int n = trace_during(_metadata, &self->rd, args, traffic_two_pingers, &w, self->recs, 4);

	expect_pinger_only(_metadata, self->recs, n, "uid", "4321");
}

TEST_F_TIMEOUT(ctl, filter_comm, 60)
{
	static const char *const args[] = { "--comm", "icmpt-pingcomm", NULL };
	struct who w = { "", "build/vm/icmpt-pingcomm" };
	int n;

	ASSERT_EQ(0, vm_sh("cp \"$(command -v ping)\" build/vm/icmpt-pingcomm"));
	n = trace_during(_metadata, &self->rd, args, traffic_two_pingers, &w, self->recs, 4);
	unlink("build/vm/icmpt-pingcomm");
	expect_pinger_only(_metadata, self->recs, n, "comm", "icmpt-pingcomm");
}

/* A pinger that waits on a pipe, so its pid is known before it pings. */
static pid_t held_pinger(int *go, const char *cgroup)
{
	int p[2];
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		char c;

		close(p[1]);
		if (cgroup) {
			char path[256];
			FILE *f;

			snprintf(path, sizeof(path), "%s/cgroup.procs", cgroup);
			f = fopen(path, "w");
			if (!f || fprintf(f, "%d\n", getpid()) < 0 || fclose(f))
				_exit(90);
		}
		if (read(p[0], &c, 1) != 1 || vm_netns_enter(VM_NS_A))
			_exit(91);
		execlp("ping", "ping", "-q", "-n", "-c", "2", "-i", "0.05", "-W", "2",
		       VM_ADDR_B, NULL);
		_exit(92);
	}
	close(p[0]);
	*go = p[1];
	return pid;
}

static void release_pinger(int go, pid_t pid)
{
	int status;

	/* Someone else pings at the same time: never in the output. */
	ping_a("", "ping", VM_ADDR_B, 1);
	if (write(go, "g", 1) != 1)
		return;
	close(go);
	waitpid(pid, &status, 0);
	ping_a("", "ping", VM_ADDR_B, 1);
}

TEST_F_TIMEOUT(ctl, filter_pid, 60)
{
	char pidstr[16];
	const char *argv[] = { "--format", "kv", "--pid", pidstr, NULL };
	int go, n;
	pid_t pid = held_pinger(&go, NULL);

	ASSERT_LT(0, pid);
	snprintf(pidstr, sizeof(pidstr), "%d", pid);
	ASSERT_EQ(0, vm_reader_start(&self->rd, argv));
	release_pinger(go, pid);
	vm_reader_collect(&self->rd, 4, 3000);
	usleep(300 * 1000);
	vm_reader_stop(&self->rd);
	n = vm_reader_records(&self->rd, self->recs, MAX_RECS);
	expect_pinger_only(_metadata, self->recs, n, "pid", pidstr);
}

TEST_F_TIMEOUT(ctl, filter_container, 60)
{
	const char *argv[] = { "--format", "kv", "--container", "c0ffee4242", NULL };
	char ino[32];
	struct stat st;
	int go, n;
	pid_t pid;

	ASSERT_EQ(0, mkdir(CGROUP_DIR, 0755));
	ASSERT_EQ(0, stat(CGROUP_DIR, &st));
	snprintf(ino, sizeof(ino), "%llu", (unsigned long long)st.st_ino);
	pid = held_pinger(&go, CGROUP_DIR);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, vm_reader_start(&self->rd, argv));
	release_pinger(go, pid);
	vm_reader_collect(&self->rd, 4, 3000);
	usleep(300 * 1000);
	vm_reader_stop(&self->rd);
	n = vm_reader_records(&self->rd, self->recs, MAX_RECS);
	TH_LOG("reader: %s", self->rd.err);
	expect_pinger_only(_metadata, self->recs, n, "cgroup", ino);
}

TEST_F_TIMEOUT(ctl, filter_netns, 60)
{
	static const char *const args[] = { "--netns", "/run/netns/" VM_NS_B, "-4", NULL };
	char ino[32];
	int n = trace_during(_metadata, &self->rd, args, traffic_v4_v6, NULL, self->recs, 4);

	snprintf(ino, sizeof(ino), "%lu", vm_netns_inode(VM_NS_B));
	/* Requests into B and replies out of B, v4 only. */
	ASSERT_EQ(4, n);
	EXPECT_EQ(4, count_where(self->recs, n, "pkt_netns", ino));
	EXPECT_EQ(2, count_where(self->recs, n, "dir", "in"));
}

static void check_identity(struct __test_metadata *_metadata, const struct stats *s,
			   const char *what)
{
	uint64_t seen = s->v[ICMPT_STAT_A_SEEN];
	uint64_t sum = s->v[ICMPT_STAT_A_RECORDED] + s->v[ICMPT_STAT_A_FILTERED] +
		       s->v[ICMPT_STAT_A_DROPPED];

	EXPECT_EQ(seen, sum) TH_LOG("%s: seen %llu != recorded %llu + filtered %llu + dropped %llu",
				    what, (unsigned long long)seen,
				    (unsigned long long)s->v[ICMPT_STAT_A_RECORDED],
				    (unsigned long long)s->v[ICMPT_STAT_A_FILTERED],
				    (unsigned long long)s->v[ICMPT_STAT_A_DROPPED]);
	EXPECT_EQ(s->v[ICMPT_STAT_A_DROPPED],
		  s->v[ICMPT_STAT_A_DROPPED_FULL] + s->v[ICMPT_STAT_A_DROPPED_BAD_CONSUMER] +
		  s->v[ICMPT_STAT_A_DROPPED_NESTED]);
}

/* With nobody reading, a flood fills the rings: every packet is accounted. */
TEST_F_TIMEOUT(ctl, counters_add_up_under_flood, 120)
{
	struct stats t0, t1, cpus[64], sum = { { 0 } };
	struct gmsg m;
	int ncpu, i, k;
	uint64_t d_seen, d_filtered, d_dropped, d_recorded, d_unattr;

	ASSERT_LE(1, get_stats(self->fd, self->family, &t0, cpus, 64));
	gmsg_init(&m, self->family, ICMPT_CMD_SET_FILTER);
	gmsg_u8(&m, ICMPT_A_F_FAMILY, ICMPT_F_V4);
	gmsg_icmp(&m, 4, 8, -1);
	ASSERT_EQ(0, genl_xfer(self->fd, &m, NULL));

	ASSERT_EQ(0, vm_sh("ip netns exec " VM_NS_A " ping -f -q -n -c 15000 " VM_ADDR_B
			   " >/dev/null"));
	usleep(200 * 1000);
	ncpu = get_stats(self->fd, self->family, &t1, cpus, 64);
	ASSERT_LE(1, ncpu);
	check_identity(_metadata, &t1, "total");
	for (i = 0; i < ncpu; i++) {
		char what[32];

		snprintf(what, sizeof(what), "cpu %llu", (unsigned long long)cpus[i].v[ICMPT_STAT_A_CPU]);
		check_identity(_metadata, &cpus[i], what);
		for (k = ICMPT_STAT_A_SEEN; k <= ICMPT_STAT_A_MAX; k++)
			sum.v[k] += cpus[i].v[k];
	}
	for (k = ICMPT_STAT_A_SEEN; k <= ICMPT_STAT_A_MAX; k++)
		EXPECT_EQ(sum.v[k], t1.v[k]);

	d_seen = t1.v[ICMPT_STAT_A_SEEN] - t0.v[ICMPT_STAT_A_SEEN];
	d_filtered = t1.v[ICMPT_STAT_A_FILTERED] - t0.v[ICMPT_STAT_A_FILTERED];
	d_dropped = t1.v[ICMPT_STAT_A_DROPPED] - t0.v[ICMPT_STAT_A_DROPPED];
	d_recorded = t1.v[ICMPT_STAT_A_RECORDED] - t0.v[ICMPT_STAT_A_RECORDED];
	d_unattr = t1.v[ICMPT_STAT_A_UNATTRIBUTED] - t0.v[ICMPT_STAT_A_UNATTRIBUTED];
	TH_LOG("flood: seen %llu recorded %llu filtered %llu dropped %llu unattributed %llu",
	       (unsigned long long)d_seen, (unsigned long long)d_recorded,
	       (unsigned long long)d_filtered, (unsigned long long)d_dropped,
	       (unsigned long long)d_unattr);
	/* 15000 echoes: 60000 packets; the replies (half) are filtered out. */
	EXPECT_LE(60000ULL, d_seen);
	EXPECT_LE(30000ULL, d_filtered);
	EXPECT_LT(0ULL, d_dropped);
	EXPECT_LT(0ULL, d_recorded);
	/* Requests into B have no owner; those out of A do. */
	EXPECT_LT(0ULL, d_unattr);
	EXPECT_GE(d_recorded + d_dropped, d_unattr);
	EXPECT_EQ(d_seen, d_recorded + d_filtered + d_dropped);
}

TEST_F(ctl, disabled_records_nothing)
{
	struct stats t0, t1, c[64];
	struct gmsg m;

	gmsg_init(&m, self->family, ICMPT_CMD_SET_CONFIG);
	gmsg_u8(&m, ICMPT_A_ENABLED, 0);
	ASSERT_EQ(0, genl_xfer(self->fd, &m, NULL));
	get_stats(self->fd, self->family, &t0, c, 64);
	ping_a("", "ping", VM_ADDR_B, 2);
	get_stats(self->fd, self->family, &t1, c, 64);
	/* A reader started now says so, where it used to wait in silence. */
	EXPECT_EQ(0, vm_sh("build/icmptrace -t 1 2>&1 >/dev/null | grep -q "
			   "'^icmptrace: WARNING: recording is off (icmptrace disable)'"));
	gmsg_init(&m, self->family, ICMPT_CMD_SET_CONFIG);
	gmsg_u8(&m, ICMPT_A_ENABLED, 1);
	ASSERT_EQ(0, genl_xfer(self->fd, &m, NULL));
	EXPECT_EQ(t0.v[ICMPT_STAT_A_SEEN], t1.v[ICMPT_STAT_A_SEEN]);
	ping_a("", "ping", VM_ADDR_B, 1);
	get_stats(self->fd, self->family, &t1, c, 64);
	EXPECT_LE(t0.v[ICMPT_STAT_A_SEEN] + 4, t1.v[ICMPT_STAT_A_SEEN]);
	EXPECT_NE(0, vm_sh("build/icmptrace -t 1 2>&1 >/dev/null | grep -q 'recording is off'"));
}

/* Admin operations: EPERM without CAP_NET_ADMIN; counts stay readable. */
TEST_F(ctl, unprivileged_gets_eperm)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		struct gmsg m, r;
		int fd, fam, bad = 0;

		if (setresgid(OTHER_UID, OTHER_UID, OTHER_UID) ||
		    setresuid(OTHER_UID, OTHER_UID, OTHER_UID))
			_exit(99);
		fd = genl_open();
		fam = genl_family(fd);
		if (fd < 0 || fam < 0)
			_exit(98);
		gmsg_init(&m, fam, ICMPT_CMD_SET_CONFIG);
		gmsg_u8(&m, ICMPT_A_ENABLED, 0);
		bad |= (genl_xfer(fd, &m, NULL) != -EPERM) << 0;
		gmsg_init(&m, fam, ICMPT_CMD_SET_FILTER);
		gmsg_u8(&m, ICMPT_A_F_DIR, ICMPT_F_IN);
		bad |= (genl_xfer(fd, &m, NULL) != -EPERM) << 1;
		bad |= (genl_cmd(fd, fam, ICMPT_CMD_CLEAR_FILTER, NULL) != -EPERM) << 2;
		bad |= (genl_cmd(fd, fam, ICMPT_CMD_GET_FILTER, &r) != -EPERM) << 3;
		bad |= (genl_cmd(fd, fam, ICMPT_CMD_GET_CONFIG, &r) != 0) << 4;
		bad |= (genl_cmd(fd, fam, ICMPT_CMD_GET_STATS, &r) != 0) << 5;
		_exit(bad);
	}
	waitpid(pid, &status, 0);
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* Tracing is still on, no filter appeared. */
	EXPECT_EQ(0, filter_owner(self->fd, self->family));
}

/* The reader's own flags, unprivileged: exit 4 with the capability named. */
TEST(unprivileged_reader_filter_refused)
{
	EXPECT_EQ(4, vm_sh("setpriv --reuid %d --regid %d --clear-groups build/icmptrace disable "
			   "2>/dev/null", OTHER_UID, OTHER_UID));
	/* Named by the command, not by its netlink number. */
	EXPECT_EQ(0, vm_sh("setpriv --reuid %d --regid %d --clear-groups build/icmptrace enable "
			   "2>&1 | grep -qx 'icmptrace: enable: Operation not permitted "
			   "(needs CAP_NET_ADMIN)'", OTHER_UID, OTHER_UID));
	EXPECT_EQ(0, vm_sh("setpriv --reuid %d --regid %d --clear-groups build/icmptrace stats "
			   ">/dev/null", OTHER_UID, OTHER_UID));
}

struct bad_case {
	const char *what;
	int want;	/* expected -errno, 0: any error */
};

TEST_F(ctl, malformed_messages_rejected)
{
	static const char long_comm[] = "a-name-of-20-chars!";
	struct gmsg m, r;
	struct nlattr *n;
	uint32_t u32 = 1;
	uint16_t u16 = 1;
	int i, err, fam = self->family;

#define CASE(what, want, build)						\
	do {								\
		build;							\
		err = genl_xfer(self->fd, &m, NULL);			\
		TH_LOG("%-40s -> %d", what, err);			\
		EXPECT_GT(0, err) TH_LOG("%s accepted", what);		\
		if (want)						\
			EXPECT_EQ(want, err) TH_LOG("%s", what);	\
		EXPECT_LT(-1000, err) TH_LOG("%s: no answer", what);	\
	} while (0)

	CASE("unknown command", -EOPNOTSUPP, gmsg_init(&m, fam, 99));
	CASE("unknown attribute", -EINVAL,
	     (gmsg_init(&m, fam, ICMPT_CMD_GET_CONFIG), gmsg_u32(&m, 200, 1)));
	CASE("attribute the op does not take", -EINVAL,
	     (gmsg_init(&m, fam, ICMPT_CMD_GET_STATS), gmsg_u8(&m, ICMPT_A_ENABLED, 1)));
	CASE("u8 sent as u32", -EINVAL,
	     (gmsg_init(&m, fam, ICMPT_CMD_SET_CONFIG), gmsg_u32(&m, ICMPT_A_ENABLED, 1)));
	CASE("enabled out of range", -ERANGE,
	     (gmsg_init(&m, fam, ICMPT_CMD_SET_CONFIG), gmsg_u8(&m, ICMPT_A_ENABLED, 2)));
	CASE("u32 sent as u16", -EINVAL,
	     (gmsg_init(&m, fam, ICMPT_CMD_SET_FILTER), gmsg_put(&m, ICMPT_A_F_PID, &u16, 2)));
	CASE("u64 sent as u32", -EINVAL,
	     (gmsg_init(&m, fam, ICMPT_CMD_SET_FILTER), gmsg_put(&m, ICMPT_A_F_CGROUP, &u32, 4)));
	CASE("comm without NUL", -EINVAL,
	     (gmsg_init(&m, fam, ICMPT_CMD_SET_FILTER), gmsg_put(&m, ICMPT_A_F_COMM, "ping", 4)));
	CASE("comm too long", 0,
	     (gmsg_init(&m, fam, ICMPT_CMD_SET_FILTER),
	      gmsg_put(&m, ICMPT_A_F_COMM, long_comm, sizeof(long_comm))));
	CASE("family mask out of range", -ERANGE,
	     (gmsg_init(&m, fam, ICMPT_CMD_SET_FILTER), gmsg_u8(&m, ICMPT_A_F_FAMILY, 7)));
	CASE("pad attribute in a request", -EINVAL,
	     (gmsg_init(&m, fam, ICMPT_CMD_SET_FILTER), gmsg_put(&m, ICMPT_A_PAD, NULL, 0)));
	CASE("nest without NLA_F_NESTED", -EINVAL,
	     (gmsg_init(&m, fam, ICMPT_CMD_SET_FILTER),
	      n = gmsg_put_raw(&m, ICMPT_A_F_ICMP, NULL, 0, -1),
	      gmsg_u8(&m, ICMPT_ICMP_A_FAMILY, 4), gmsg_u8(&m, ICMPT_ICMP_A_TYPE, 8),
	      gmsg_nest_end(&m, n)));
	CASE("icmp entry without family", -EINVAL,
	     (gmsg_init(&m, fam, ICMPT_CMD_SET_FILTER), n = gmsg_nest(&m, ICMPT_A_F_ICMP),
	      gmsg_u8(&m, ICMPT_ICMP_A_TYPE, 8), gmsg_nest_end(&m, n)));
	CASE("icmp family 5", -EINVAL,
	     (gmsg_init(&m, fam, ICMPT_CMD_SET_FILTER), gmsg_icmp(&m, 5, 8, -1)));
	CASE("icmp family 9", -ERANGE,
	     (gmsg_init(&m, fam, ICMPT_CMD_SET_FILTER), gmsg_icmp(&m, 9, 8, -1)));
	CASE("unknown attribute in a nest", -EINVAL,
	     (gmsg_init(&m, fam, ICMPT_CMD_SET_FILTER), n = gmsg_nest(&m, ICMPT_A_F_ICMP),
	      gmsg_u8(&m, ICMPT_ICMP_A_FAMILY, 4), gmsg_u8(&m, ICMPT_ICMP_A_TYPE, 8),
	      gmsg_u8(&m, 9, 1), gmsg_nest_end(&m, n)));
	CASE("attribute longer than the message", -EINVAL,
	     (gmsg_init(&m, fam, ICMPT_CMD_SET_FILTER),
	      gmsg_put_raw(&m, ICMPT_A_F_PID, &u32, 4, 200)));
	CASE("attribute length below its header", -EINVAL,
	     (gmsg_init(&m, fam, ICMPT_CMD_SET_FILTER),
	      gmsg_put_raw(&m, ICMPT_A_F_PID, &u32, 4, 2)));
	CASE("reserved header byte set", -EINVAL,
	     (gmsg_init(&m, fam, ICMPT_CMD_GET_CONFIG),
	      ((struct genlmsghdr *)NLMSG_DATA(&m.nlh))->reserved = 1));
	CASE("message shorter than the genl header", -EINVAL,
	     (gmsg_init(&m, fam, ICMPT_CMD_GET_CONFIG), m.nlh.nlmsg_len = NLMSG_HDRLEN + 2));
	CASE("too many pids", -E2BIG,
	     ({ gmsg_init(&m, fam, ICMPT_CMD_SET_FILTER);
		for (i = 0; i <= ICMPT_FILTER_MAX; i++)
			gmsg_u32(&m, ICMPT_A_F_PID, i); }));
	CASE("too many icmp entries", -E2BIG,
	     ({ gmsg_init(&m, fam, ICMPT_CMD_SET_FILTER);
		for (i = 0; i <= ICMPT_FILTER_MAX; i++)
			gmsg_icmp(&m, 4, 3, i); }));
	CASE("clear without a filter", -ENOENT,
	     gmsg_init(&m, fam, ICMPT_CMD_CLEAR_FILTER));
#undef CASE

	/* Nothing stuck, the family still answers. */
	EXPECT_EQ(0, filter_owner(self->fd, fam));
	EXPECT_EQ(0, genl_cmd(self->fd, fam, ICMPT_CMD_GET_CONFIG, &r));
	/* And the largest valid filter goes in and comes back. */
	gmsg_init(&m, fam, ICMPT_CMD_SET_FILTER);
	for (i = 0; i < ICMPT_FILTER_MAX; i++) {
		gmsg_u32(&m, ICMPT_A_F_PID, i);
		gmsg_icmp(&m, 6, 1, i);
		gmsg_put(&m, ICMPT_A_F_COMM, "abcdefghijklmno", 16);
	}
	EXPECT_EQ(0, genl_xfer(self->fd, &m, NULL));
	EXPECT_LT(0, filter_owner(self->fd, fam));
	EXPECT_EQ(0, genl_cmd(self->fd, fam, ICMPT_CMD_CLEAR_FILTER, NULL));
}

/*
 * Sessions: a second socket cannot take the filter; the owner's filter
 * goes with its socket, even when its reader is killed with SIGKILL; two
 * readers, started and stopped in either order.
 */
TEST_F_TIMEOUT(ctl, sessions, 90)
{
	static const char *const a_args[] = { "--format", "kv", "--type", "echo-reply", NULL };
	static const char *const b_args[] = { "--format", "kv", "--in", NULL };
	struct vm_reader *b = calloc(1, sizeof(*b));
	struct gmsg m;
	int other = genl_open();

	ASSERT_NE(NULL, b);
	ASSERT_LE(0, other);
	/* Socket "other" owns a filter; ours cannot replace or clear it. */
	gmsg_init(&m, self->family, ICMPT_CMD_SET_FILTER);
	gmsg_u8(&m, ICMPT_A_F_DIR, ICMPT_F_IN);
	ASSERT_EQ(0, genl_xfer(other, &m, NULL));
	EXPECT_EQ(-EBUSY, genl_xfer(self->fd, &m, NULL));
	EXPECT_EQ(-EBUSY, genl_cmd(self->fd, self->family, ICMPT_CMD_CLEAR_FILTER, NULL));
	/* A reader with filter flags fails with "busy", the filter stays. */
	EXPECT_EQ(5, vm_sh("build/icmptrace --in -c 1 -t 1 2>/dev/null"));
	EXPECT_LT(0, filter_owner(self->fd, self->family));
	close(other);
	EXPECT_EQ(0, filter_owner(self->fd, self->family));

	/* Reader A holds device and filter; B is refused at the device. */
	ASSERT_EQ(0, vm_reader_start(&self->rd, a_args));
	EXPECT_LT(0, filter_owner(self->fd, self->family));
	EXPECT_NE(0, vm_reader_start(b, b_args));
	EXPECT_EQ(5, WEXITSTATUS(b->status));
	EXPECT_LT(0, filter_owner(self->fd, self->family));
	/* Killed outright: no cleanup code runs, the kernel drops the filter. */
	kill(self->rd.pid, SIGKILL);
	vm_reader_stop(&self->rd);
	EXPECT_EQ(0, filter_owner(self->fd, self->family));

	/* The other order: B first, with its own filter, then A is refused. */
	ASSERT_EQ(0, vm_reader_start(b, b_args));
	EXPECT_NE(0, vm_reader_start(&self->rd, a_args));
	EXPECT_LT(0, filter_owner(self->fd, self->family));
	ping_a("", "ping", VM_ADDR_B, 1);
	vm_reader_collect(b, 2, 3000);
	EXPECT_EQ(0, vm_reader_stop(b));	/* SIGINT: the normal way out */
	EXPECT_EQ(0, filter_owner(self->fd, self->family));
	EXPECT_EQ(2, count_where(self->recs, vm_reader_records(b, self->recs, MAX_RECS),
				 "dir", "in"));
	free(b);
}

TEST_HARNESS_MAIN
