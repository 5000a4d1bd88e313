// SPDX-License-Identifier: GPL-2.0
/*
 * icmptrace -- COMMAND: only the packets of COMMAND and of every process it
 * starts (the kernel's process-tree filter), its exit status as a shell
 * gives it, the command run as the user who ran sudo, and the tree's
 * overflow counted.  Everything pings 127.0.0.1 in the initial network
 * namespace, where the reader's netlink family lives; beside each run a
 * pinger of ours sends echo requests with the identifier OTHER_ID, which
 * must never show up.
 */
#define _GNU_SOURCE
#include <poll.h>

#include "kselftest_harness.h"
#include "ringlib.h"

#define OTHER_ID 0xbeef
#define MAX_RECS 512

struct run {
	int status;		/* the reader's exit status, 128+N for signal N */
	int root;		/* the command's pid, from the reader's stderr */
	char out[1 << 18];
	char err[16384];
};

struct rec {
	long pid, ppid, uid, type, id, seq;
	char dir[8];
};

/* The value after " key=" in a kv line, as a string; "" if absent. */
static void kv_str(const char *line, const char *key, char *v, size_t n)
{
	char pat[40];
	const char *p;
	size_t i = 0;

	snprintf(pat, sizeof(pat), " %s=", key);
	p = strstr(line, pat);
	if (p)
		for (p += strlen(pat); *p && *p != ' ' && *p != '\n' && i + 1 < n; p++)
			v[i++] = *p;
	v[i] = '\0';
}

/*
 * build/icmptrace ARGS with env ("NAME=VALUE", NULL-terminated, or NULL)
 * added, to the end; stdout and stderr kept.  A SIGTERM to the reader after
 * term_after_ms (0: never).
 */
static int run_reader(struct run *r, const char *const *args, const char *const *env,
		      int term_after_ms)
{
	const char *argv[32] = { "build/icmptrace" };
	const char *out = "/tmp/icmpt-tree.out", *err = "/tmp/icmpt-tree.err";
	long long start = rl_now_ms();
	const char *p;
	int i, st, termed = 0;
	pid_t pid;

	for (i = 0; args[i] && i < 30; i++)
		argv[i + 1] = args[i];
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (o < 0 || e < 0)
			_exit(120);
		for (i = 0; env && env[i]; i++)
			putenv((char *)env[i]);
		dup2(o, 1);
		dup2(e, 2);
		execv(argv[0], (char **)argv);
		_exit(121);
	}
	for (;;) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			break;
		if (term_after_ms && !termed && rl_now_ms() - start > term_after_ms) {
			kill(pid, SIGTERM);
			termed = 1;
		}
		if (rl_now_ms() - start > 60000) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			break;
		}
		usleep(10000);
	}
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	rl_slurp(out, r->out, sizeof(r->out));
	rl_slurp(err, r->err, sizeof(r->err));
	r->root = 0;
	p = strstr(r->err, " (pid ");
	if (p)
		r->root = atoi(p + 6);
	return 0;
}

/* The kv lines of the reader's stdout; the command's own output is there too. */
static int parse_recs(const struct run *r, struct rec *recs, int max)
{
	const char *line = r->out;
	int n = 0;

	for (; line && *line && n < max; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		struct rec *c = &recs[n];

		if (strncmp(line, "ts=", 3))
			continue;
		n++;
		c->pid = rl_kv_num(line, "pid");
		c->ppid = rl_kv_num(line, "ppid");
		c->uid = rl_kv_num(line, "uid");
		c->type = rl_kv_num(line, "type");
		c->id = rl_kv_num(line, "id");
		c->seq = rl_kv_num(line, "seq");
		kv_str(line, "dir", c->dir, sizeof(c->dir));
	}
	return n;
}

/* Echo requests with OTHER_ID to 127.0.0.1 every 20 ms until SIGTERM. */
static pid_t other_pinger(volatile long *sent)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct sockaddr_in sin = { .sin_family = AF_INET };
		uint8_t buf[64];
		int fd = rl_raw_socket();
		uint16_t seq;

		if (fd < 0)
			_exit(11);
		inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
		for (seq = 1;; seq++) {
			size_t len = rl_build(buf, ICMP_ECHO, OTHER_ID, seq);

			if (sendto(fd, buf, len, 0, (struct sockaddr *)&sin, sizeof(sin)) ==
			    (ssize_t)len)
				__atomic_add_fetch(sent, 1, __ATOMIC_RELAXED);
			usleep(20000);
		}
	}
	return pid;
}

static void stop(pid_t pid)
{
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

static void log_run(struct __test_metadata *_metadata, const struct run *r)
{
	TH_LOG("status %d, root %d; stderr:\n%s", r->status, r->root, r->err);
}

static struct run r;
static struct rec recs[MAX_RECS];

TEST(own_packets_only)
{
	static const char *const args[] = { "--format", "kv", "--", "ping", "-n", "-c", "3",
					    "-i", "0.2", "127.0.0.1", NULL };
	volatile long *sent = rl_shared_counters(1);
	unsigned int req_seqs = 0;
	int n, i, req = 0, rep = 0;
	pid_t other = other_pinger(sent);

	ASSERT_LT(0, other);
	usleep(200000);
	ASSERT_EQ(0, run_reader(&r, args, NULL, 0));
	stop(other);
	log_run(_metadata, &r);
	ASSERT_EQ(0, r.status);
	ASSERT_LT(0, r.root);
	/* The other pinger was busy all along: its packets were there to see. */
	ASSERT_LT(20, *sent);
	n = parse_recs(&r, recs, MAX_RECS);
	for (i = 0; i < n; i++) {
		const struct rec *c = &recs[i];

		/* Only the command's packets, never the other pinger's. */
		EXPECT_EQ(r.root, c->pid) TH_LOG("record %d: pid %ld", i, c->pid);
		EXPECT_NE(OTHER_ID, c->id);
		if (c->type == ICMP_ECHO && !strcmp(c->dir, "out")) {
			req++;
			if (c->seq >= 1 && c->seq <= 3)
				req_seqs |= 1U << c->seq;
		}
		if (c->type == ICMP_ECHOREPLY && !strcmp(c->dir, "in"))
			rep++;
	}
	TH_LOG("%d records: %d requests out, %d replies in", n, req, rep);
	/* What ping sent: seqs 1, 2, 3, each answered. */
	EXPECT_EQ(3, req);
	EXPECT_EQ(0xe, req_seqs);
	EXPECT_EQ(3, rep);
}

/* A child, and a daemon (setsid, parent gone) started by a grandchild. */
TEST(children_and_daemons)
{
	static const char *const args[] = {
		"--format", "kv", "--", "sh", "-c",
		"ping -n -c 2 -i 0.2 127.0.0.1 >/dev/null;"
		" setsid sh -c 'ping -n -c 2 -i 0.2 127.0.0.1 >/dev/null &'; sleep 3", NULL };
	volatile long *sent = rl_shared_counters(1);
	long pids[2] = { 0, 0 };
	int n, i, req = 0;
	pid_t other = other_pinger(sent);

	ASSERT_LT(0, other);
	ASSERT_EQ(0, run_reader(&r, args, NULL, 0));
	stop(other);
	log_run(_metadata, &r);
	ASSERT_EQ(0, r.status);
	ASSERT_LT(10, *sent);
	n = parse_recs(&r, recs, MAX_RECS);
	for (i = 0; i < n; i++) {
		const struct rec *c = &recs[i];

		EXPECT_NE(OTHER_ID, c->id);
		EXPECT_NE(r.root, c->pid);	/* the shell itself sends nothing */
		if (c->type != ICMP_ECHO || strcmp(c->dir, "out"))
			continue;
		req++;
		if (!pids[0] || pids[0] == c->pid)
			pids[0] = c->pid;
		else if (!pids[1] || pids[1] == c->pid)
			pids[1] = c->pid;
		else
			EXPECT_EQ(0, c->pid) TH_LOG("a third sender");
		TH_LOG("request seq %ld from pid %ld, ppid %ld", c->seq, c->pid, c->ppid);
	}
	/* Two pings of two requests each: the child's and the daemon's. */
	EXPECT_EQ(4, req);
	EXPECT_NE(0, pids[0]);
	EXPECT_NE(0, pids[1]);
}

TEST(exit_status)
{
	static const struct {
		const char *cmd[4];
		int status;
		const char *says;
	} cases[] = {
		{ { "sh", "-c", "exit 3" }, 3, "exited with status 3" },
		{ { "sh", "-c", "kill -TERM $$" }, 128 + SIGTERM, "ended by signal 15" },
		{ { "/nonexistent/icmpt-cmd" }, 127, "No such file or directory" },
		{ { "/tmp/icmpt-not-executable" }, 126, "Permission denied" },
		{ { "true" }, 0, "exited with status 0" },
	};
	unsigned int i;
	int j;

	ASSERT_EQ(0, vm_sh("echo true >/tmp/icmpt-not-executable; chmod 644 /tmp/icmpt-not-executable"));
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *args[8] = { "--" };

		for (j = 0; j < 4 && cases[i].cmd[j]; j++)
			args[j + 1] = cases[i].cmd[j];
		ASSERT_EQ(0, run_reader(&r, args, NULL, 0));
		EXPECT_EQ(cases[i].status, r.status) log_run(_metadata, &r);
		EXPECT_NE(NULL, strstr(r.err, cases[i].says)) log_run(_metadata, &r);
	}
}

/* SIGTERM to the reader goes to the command; its status comes back. */
TEST(sigterm_forwarded)
{
	static const char *const args[] = {
		"--", "sh", "-c", "trap 'exit 7' TERM; while :; do sleep 0.1; done", NULL };

	ASSERT_EQ(0, run_reader(&r, args, NULL, 1500));
	log_run(_metadata, &r);
	EXPECT_EQ(7, r.status);
}

/* -t ends the trace first: the command is stopped with SIGTERM. */
TEST(timeout_stops_command)
{
	static const char *const args[] = { "-t", "1", "--", "sleep", "30", NULL };
	long long t0 = rl_now_ms();

	ASSERT_EQ(0, run_reader(&r, args, NULL, 0));
	log_run(_metadata, &r);
	EXPECT_EQ(128 + SIGTERM, r.status);
	EXPECT_NE(NULL, strstr(r.err, "sending it SIGTERM"));
	EXPECT_GT(20000, rl_now_ms() - t0);
}

/* Under sudo the command runs as the user who ran sudo; --user likewise. */
TEST(runs_as_sudo_user)
{
	static const char *const args[] = { "--format", "kv", "--", "ping", "-n", "-c", "2",
					    "-i", "0.2", "127.0.0.1", NULL };
	static const char *const user_args[] = { "--format", "kv", "--user", "nobody", "--",
						 "ping", "-n", "-c", "2", "-i", "0.2",
						 "127.0.0.1", NULL };
	static const char *const sudo_env[] = { "SUDO_UID=65534", "SUDO_GID=65534",
						"SUDO_USER=nobody", NULL };
	const char *const *argsets[2] = { args, user_args };
	const char *const *envs[2] = { sudo_env, NULL };
	int k, n, i, req;

	ASSERT_EQ(0, vm_sh("sysctl -qw net.ipv4.ping_group_range='0 2147483647'"));
	for (k = 0; k < 2; k++) {
		ASSERT_EQ(0, run_reader(&r, argsets[k], envs[k], 0));
		log_run(_metadata, &r);
		ASSERT_EQ(0, r.status);
		n = parse_recs(&r, recs, MAX_RECS);
		req = 0;
		for (i = 0; i < n; i++) {
			if (recs[i].type != ICMP_ECHO || strcmp(recs[i].dir, "out"))
				continue;
			req++;
			EXPECT_EQ(65534, recs[i].uid);
			EXPECT_EQ(r.root, recs[i].pid);
		}
		EXPECT_EQ(2, req);
	}
}

/*
 * tree_slots=4: the shell and three of its six children fill the set; the
 * other three forks are counted and reported, not lost silently.
 */
TEST(tree_overflow_counted)
{
	static const char *const args[] = {
		"--", "sh", "-c", "for i in 1 2 3 4 5 6; do sleep 2 & done; wait", NULL };

	ASSERT_EQ(0, rl_rmmod());
	ASSERT_EQ(0, rl_insmod("tree_slots=4"));
	ASSERT_EQ(0, run_reader(&r, args, NULL, 0));
	log_run(_metadata, &r);
	EXPECT_EQ(0, r.status);
	EXPECT_NE(NULL, strstr(r.err, "WARNING: 3 processes started by sh were not followed"));
	ASSERT_EQ(0, rl_rmmod());
	ASSERT_EQ(0, rl_insmod(NULL));
}

TEST_HARNESS_MAIN
