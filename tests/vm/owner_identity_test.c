// SPDX-License-Identifier: GPL-2.0
/*
 * The owner table keeps identities current (issue 12 item 4).  An echo
 * reply is attributed from the entry its request left; when the same
 * thread sends again after exec, setuid or a cgroup move, the reply must
 * carry the new comm, uid or cgroup, not the old.  And a sender that keeps
 * sending stays in the table while newer, idle keys come and go.
 *
 * Raw ICMP sockets on loopback: the kernel answers each request, and the
 * reply is looked up at LOCAL_IN (owner=matched).
 */
#define _GNU_SOURCE
#include <libgen.h>
#include <sys/prctl.h>
#include "kselftest_harness.h"
#include "ringlib.h"

#define MAX_RECS 256
#define STAGE_ENV "ICMPT_OWNER_EXEC_FD"

static int send_echo(int fd, int type, uint16_t id, uint16_t seq)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	uint8_t buf[64];
	size_t len = rl_build(buf, type, id, seq);

	return sendto(fd, buf, len, 0, (struct sockaddr *)&sin, sizeof(sin)) == (ssize_t)len ?
	       0 : -1;
}

/* After exec: the same thread, same socket, same id, a new comm. */
static void __attribute__((constructor)) exec_stage(void)
{
	const char *fd = getenv(STAGE_ENV);

	if (!fd)
		return;
	_exit(send_echo(atoi(fd), ICMP_ECHO, 0x6101, 2) ? 50 : 0);
}

/* The in-records (replies) and out-records of id, by seq. */
static const struct vm_rec *find(const struct vm_rec *recs, int n, const char *dir,
				 int type, int id, int seq)
{
	int i;

	for (i = 0; i < n; i++) {
		const char *d = vm_rec_get(&recs[i], "dir");

		if (d && !strcmp(d, dir) && vm_rec_num(&recs[i], "type") == type &&
		    vm_rec_num(&recs[i], "id") == id && vm_rec_num(&recs[i], "seq") == seq)
			return &recs[i];
	}
	return NULL;
}

static const char *val(const struct vm_rec *r, const char *key)
{
	const char *v = r ? vm_rec_get(r, key) : NULL;

	return v ? v : "";
}

static const char *const kv_args[] = { "--format", "kv", "-4", NULL };
static struct vm_reader rd;
static struct vm_rec recs[MAX_RECS];

static int run_child(int (*fn)(void *), void *arg)
{
	int st;
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn(arg));
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/*
 * Named comm, a raw ICMP socket, echo request seq 1 of id, and time for its
 * reply: the entry the later sends must replace.  The socket, or -1.
 */
static int first_echo(const char *comm, uint16_t id)
{
	int fd;

	prctl(PR_SET_NAME, comm);
	fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	if (fd < 0 || send_echo(fd, ICMP_ECHO, id, 1))
		return -1;
	usleep(200 * 1000);
	return fd;
}

static int exec_child(void *arg)
{
	const char *self = arg;
	char fdnum[16];
	int fd;

	fd = first_echo("icmpt-before", 0x6101);	/* kept across exec */
	if (fd < 0)
		return 10;
	snprintf(fdnum, sizeof(fdnum), "%d", fd);
	setenv(STAGE_ENV, fdnum, 1);
	execl(self, self, NULL);
	return 11;
}

TEST(exec_takes_new_comm)
{
	char self[512], comm[16];
	const struct vm_rec *r;
	ssize_t len;
	int n;

	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	ASSERT_LT(0, len);
	self[len] = 0;
	snprintf(comm, sizeof(comm), "%s", basename(self));	/* TASK_COMM_LEN */
	ASSERT_EQ(0, vm_reader_start(&rd, kv_args)) TH_LOG("%s", rd.err);
	ASSERT_EQ(0, run_child(exec_child, self));
	vm_reader_collect(&rd, 8, 3000);
	vm_reader_stop(&rd);
	n = vm_reader_records(&rd, recs, MAX_RECS);

	r = find(recs, n, "in", ICMP_ECHOREPLY, 0x6101, 1);
	EXPECT_STREQ("matched", val(r, "owner"));
	EXPECT_STREQ("icmpt-before", val(r, "comm"));
	r = find(recs, n, "out", ICMP_ECHO, 0x6101, 2);
	EXPECT_STREQ(comm, val(r, "comm"));
	r = find(recs, n, "in", ICMP_ECHOREPLY, 0x6101, 2);
	EXPECT_STREQ("matched", val(r, "owner"));
	EXPECT_STREQ(comm, val(r, "comm"));
}

static int setuid_child(void *arg)
{
	int fd;

	fd = first_echo("icmpt-setuid", 0x6102);
	if (fd < 0)
		return 10;
	if (setgid(65534) || setuid(65534))
		return 11;
	/* The socket was opened with CAP_NET_RAW; sending needs none. */
	if (send_echo(fd, ICMP_ECHO, 0x6102, 2))
		return 12;
	usleep(200 * 1000);
	return 0;
}

/* The setuid child traced by a reader with args; returns the records. */
static int trace_setuid(struct __test_metadata *_metadata, const char *const *args)
{
	int st;

	if (vm_reader_start(&rd, args))
		return -1;
	st = run_child(setuid_child, NULL);
	vm_reader_collect(&rd, 2, 3000);
	vm_reader_stop(&rd);
	EXPECT_EQ(0, st);
	return vm_reader_records(&rd, recs, MAX_RECS);
}

TEST(setuid_takes_new_uid)
{
	int n = trace_setuid(_metadata, kv_args);
	const struct vm_rec *r;

	r = find(recs, n, "in", ICMP_ECHOREPLY, 0x6102, 1);
	ASSERT_NE(NULL, r) TH_LOG("%s", rd.err);
	EXPECT_STREQ("matched", val(r, "owner"));
	EXPECT_EQ(0, vm_rec_num(r, "uid"));
	r = find(recs, n, "in", ICMP_ECHOREPLY, 0x6102, 2);
	ASSERT_NE(NULL, r);
	EXPECT_STREQ("matched", val(r, "owner"));
	EXPECT_EQ(65534, vm_rec_num(r, "uid"));
}

/* A uid filter sees the new identity: the reply after setuid passes. */
TEST(uid_filter_after_setuid)
{
	static const char *const args[] = { "--format", "kv", "-4", "--uid", "65534", NULL };
	int n = trace_setuid(_metadata, args);
	const struct vm_rec *r;

	r = find(recs, n, "in", ICMP_ECHOREPLY, 0x6102, 2);
	ASSERT_NE(NULL, r) TH_LOG("%s", rd.err);
	EXPECT_EQ(65534, vm_rec_num(r, "uid"));
	EXPECT_EQ(NULL, find(recs, n, "in", ICMP_ECHOREPLY, 0x6102, 1));
}

#define CG "/sys/fs/cgroup/icmpt-owner-move"

static int cgroup_child(void *arg)
{
	int *pfd = arg, fd;
	char go;

	fd = first_echo("icmpt-cgmove", 0x6103);
	if (fd < 0)
		return 10;
	/* Ask the parent to move us, and wait until it has. */
	if (write(pfd[1], "m", 1) != 1 || read(pfd[2], &go, 1) != 1)
		return 11;
	if (send_echo(fd, ICMP_ECHO, 0x6103, 2))
		return 12;
	usleep(200 * 1000);
	return 0;
}

TEST(cgroup_move_takes_new_cgroup)
{
	int up[2], down[2], pfd[3], st, n;
	const struct vm_rec *r;
	struct stat cg, root;
	pid_t pid;
	char c;

	if (vm_sh("mkdir -p " CG) || stat(CG, &cg) || stat("/sys/fs/cgroup", &root))
		SKIP(return, "no cgroup v2 hierarchy to move a task in");
	ASSERT_EQ(0, pipe(up));
	ASSERT_EQ(0, pipe(down));
	pfd[1] = up[1];
	pfd[2] = down[0];
	ASSERT_EQ(0, vm_reader_start(&rd, kv_args)) TH_LOG("%s", rd.err);
	pid = fork();
	if (pid == 0)
		_exit(cgroup_child(pfd));
	ASSERT_EQ(1, read(up[0], &c, 1));
	EXPECT_EQ(0, vm_sh("echo %d > " CG "/cgroup.procs", pid));
	ASSERT_EQ(1, write(down[1], "g", 1));
	waitpid(pid, &st, 0);
	ASSERT_EQ(0, WEXITSTATUS(st));
	vm_reader_collect(&rd, 8, 3000);
	vm_reader_stop(&rd);
	vm_sh("rmdir " CG);
	n = vm_reader_records(&rd, recs, MAX_RECS);

	r = find(recs, n, "in", ICMP_ECHOREPLY, 0x6103, 1);
	ASSERT_NE(NULL, r);
	EXPECT_NE((long long)cg.st_ino, vm_rec_num(r, "cgroup"));
	r = find(recs, n, "in", ICMP_ECHOREPLY, 0x6103, 2);
	ASSERT_NE(NULL, r);
	EXPECT_STREQ("matched", val(r, "owner"));
	/* The cgroup v2 id is the inode number of the cgroup's directory. */
	EXPECT_EQ((long long)cg.st_ino, vm_rec_num(r, "cgroup"));
}

/*
 * owner_slots=4: one set of four entries.  A is sent, then B, C, D, then
 * A again, then E: E must take B's entry (least recently used), not A's
 * (least recently written).  Replies are sent by hand (the namespace
 * ignores echo requests) after all of it, so each is a look-up of what the
 * table holds at the end.
 */
#define NS "icmpt-lru"
enum { ID_A = 0x6201, ID_B, ID_C, ID_D, ID_E };

static int lru_child(void *arg)
{
	static const int order[] = { ID_A, ID_B, ID_C, ID_D, ID_A, ID_E };
	unsigned int i;
	int fd;

	if (vm_netns_enter(NS))
		return 10;
	prctl(PR_SET_NAME, "icmpt-busy");
	fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	if (fd < 0)
		return 11;
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (send_echo(fd, ICMP_ECHO, order[i], i))
			return 12;
		usleep(30 * 1000);	/* several jiffies apart */
	}
	prctl(PR_SET_NAME, "icmpt-replier");
	if (send_echo(fd, ICMP_ECHOREPLY, ID_A, 100) || send_echo(fd, ICMP_ECHOREPLY, ID_B, 100))
		return 13;
	usleep(200 * 1000);
	return 0;
}

TEST(busy_sender_stays)
{
	const char *ko = getenv("IT_MODULE");
	const struct vm_rec *r;
	int n, st;

	if (!ko || !*ko)
		SKIP(return, "IT_MODULE not set: not run by vm-run");
	ASSERT_EQ(0, rl_rmmod());
	ASSERT_EQ(0, rl_insmod("owner_slots=4"));
	vm_sh("ip netns del " NS " 2>/dev/null");
	ASSERT_EQ(0, vm_netns_add(NS, 1));
	ASSERT_EQ(0, vm_sh("ip netns exec " NS " sysctl -qw net.ipv4.icmp_echo_ignore_all=1"));
	ASSERT_EQ(0, vm_reader_start(&rd, kv_args)) TH_LOG("%s", rd.err);
	st = run_child(lru_child, NULL);
	vm_reader_collect(&rd, 10, 3000);
	vm_reader_stop(&rd);
	vm_sh("ip netns del " NS);
	EXPECT_EQ(0, rl_rmmod());
	EXPECT_EQ(0, rl_insmod(""));
	ASSERT_EQ(0, st);
	n = vm_reader_records(&rd, recs, MAX_RECS);

	r = find(recs, n, "in", ICMP_ECHOREPLY, ID_A, 100);
	ASSERT_NE(NULL, r);
	EXPECT_STREQ("matched", val(r, "owner"));
	EXPECT_STREQ("icmpt-busy", val(r, "comm"));
	/* The control: the set did overflow, and B was the one to go. */
	r = find(recs, n, "in", ICMP_ECHOREPLY, ID_B, 100);
	ASSERT_NE(NULL, r);
	EXPECT_STREQ("none", val(r, "owner"));
}

TEST_HARNESS_MAIN
