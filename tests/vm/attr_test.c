// SPDX-License-Identifier: GPL-2.0
/*
 * Attribution: every record names the task that owns the packet, says how
 * that was known, and never blames whichever task softirq interrupted.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <pthread.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vmlib.h"

#define V6_A "2001:db8:18::1"
#define V6_B "2001:db8:18::2"
#define MAX_RECS 512
/* What a container runtime's systemd scope looks like (docker). */
#define CONTAINER_ID "4c01db0b339c2b9d5f2bb6b7ba2b1a9a3de1e52d8bd17ea1c7f5f3b6a3a2c1d0"

/* Echo requests from a ping socket in netns A to B; 0 when all answered. */
static int ping_from_a(const char *comm, uint16_t id, uint16_t seq0, int count,
		       int gap_ms)
{
	struct sockaddr_in dst = { .sin_family = AF_INET };
	struct sockaddr_in src = { .sin_family = AF_INET, .sin_port = htons(id) };
	struct timeval tv = { .tv_sec = 3 };
	int fd, i, got = 0;

	if (vm_netns_enter(VM_NS_A))
		return 10;
	prctl(PR_SET_NAME, comm);
	fd = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
	if (fd < 0 || bind(fd, (struct sockaddr *)&src, sizeof(src)))
		return 11;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	inet_pton(AF_INET, VM_ADDR_B, &dst.sin_addr);
	for (i = 0; i < count; i++) {
		uint8_t req[16] = { 8, 0, 0, 0, 0, 0, (seq0 + i) >> 8, (seq0 + i) & 0xff };
		uint8_t rep[64];

		if (sendto(fd, req, sizeof(req), 0, (struct sockaddr *)&dst,
			   sizeof(dst)) != sizeof(req))
			return 12;
		if (recv(fd, rep, sizeof(rep), 0) >= 8)
			got++;
		usleep(gap_ms * 1000);
	}
	return got == count ? 0 : 20 + got;
}

/* A UDP datagram from A to a closed port of B; returns 0 when it was sent. */
static int udp_to_closed_port(int family, uint16_t sport)
{
	struct sockaddr_storage src = { 0 }, dst = { 0 };
	socklen_t len;
	int fd;

	if (vm_netns_enter(VM_NS_A))
		return 10;
	prctl(PR_SET_NAME, "icmpt-udp");
	if (family == AF_INET) {
		struct sockaddr_in *s = (void *)&src, *d = (void *)&dst;

		s->sin_family = d->sin_family = AF_INET;
		s->sin_port = htons(sport);
		d->sin_port = htons(9);
		inet_pton(AF_INET, VM_ADDR_B, &d->sin_addr);
		len = sizeof(*s);
	} else {
		struct sockaddr_in6 *s = (void *)&src, *d = (void *)&dst;

		s->sin6_family = d->sin6_family = AF_INET6;
		s->sin6_port = htons(sport);
		d->sin6_port = htons(9);
		inet_pton(AF_INET6, V6_B, &d->sin6_addr);
		len = sizeof(*s);
	}
	fd = socket(family, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&src, len))
		return 11;
	if (sendto(fd, "hello", 5, 0, (struct sockaddr *)&dst, len) != 5)
		return 12;
	/* Let the error arrive before the socket goes away. */
	usleep(500 * 1000);
	close(fd);
	return 0;
}

static int count_matching(const struct vm_rec *recs, int n, const char *dir,
			  int type, int id, const char *owner, long long pid)
{
	int i, c = 0;

	for (i = 0; i < n; i++) {
		const char *d = vm_rec_get(&recs[i], "dir");
		const char *o = vm_rec_get(&recs[i], "owner");

		if (d && !strcmp(d, dir) && vm_rec_num(&recs[i], "type") == type &&
		    (id < 0 || vm_rec_num(&recs[i], "id") == id) &&
		    o && !strcmp(o, owner) && vm_rec_num(&recs[i], "pid") == pid)
			c++;
	}
	return c;
}

static const struct vm_rec *find_rec(const struct vm_rec *recs, int n,
				     const char *dir, int family, int type,
				     int code)
{
	int i;

	for (i = 0; i < n; i++) {
		const char *d = vm_rec_get(&recs[i], "dir");

		if (d && !strcmp(d, dir) && vm_rec_num(&recs[i], "family") == family &&
		    vm_rec_num(&recs[i], "type") == type &&
		    vm_rec_num(&recs[i], "code") == code)
			return &recs[i];
	}
	return NULL;
}

/* A record's value, "" when the key is missing (never NULL to strcmp). */
static const char *val(const struct vm_rec *r, const char *key)
{
	const char *v = vm_rec_get(r, key);

	return v ? v : "";
}

FIXTURE(attr) {
	struct vm_reader rd;
	struct vm_rec recs[MAX_RECS];
	int n;
};

FIXTURE_SETUP(attr)
{
	static const char *const args[] = { "--format", "kv", NULL };

	ASSERT_EQ(0, vm_netns_pair_up());
	ASSERT_EQ(0, vm_sh("ip -n " VM_NS_A " addr add " V6_A "/64 dev icmpt-va nodad &&"
			   "ip -n " VM_NS_B " addr add " V6_B "/64 dev icmpt-vb nodad"));
	ASSERT_EQ(0, vm_reader_start(&self->rd, args)) TH_LOG("%s", self->rd.err);
}

FIXTURE_TEARDOWN(attr)
{
	if (self->rd.pid > 0)
		vm_reader_stop(&self->rd);
	vm_netns_pair_down();
}

static void stop_and_parse(struct __test_metadata *_metadata,
			   FIXTURE_DATA(attr) *self, int want)
{
	vm_reader_collect(&self->rd, want, 10000);
	EXPECT_EQ(0, vm_reader_stop(&self->rd)) TH_LOG("%s", self->rd.err);
	self->n = vm_reader_records(&self->rd, self->recs, MAX_RECS);
}

/* Two pingers at once, on both CPUs: each reply goes to its own requester. */
TEST_F_TIMEOUT(attr, concurrent_pingers, 120)
{
	pid_t p1, p2;
	int s1, s2;

	p1 = fork();
	if (p1 == 0)
		_exit(ping_from_a("icmpt-ping1", 0x2001, 1, 8, 20));
	p2 = fork();
	if (p2 == 0)
		_exit(ping_from_a("icmpt-ping2", 0x2002, 1, 8, 20));
	waitpid(p1, &s1, 0);
	waitpid(p2, &s2, 0);
	ASSERT_EQ(0, WEXITSTATUS(s1));
	ASSERT_EQ(0, WEXITSTATUS(s2));
	stop_and_parse(_metadata, self, 64);

	EXPECT_EQ(8, count_matching(self->recs, self->n, "out", 8, 0x2001, "sender", p1));
	EXPECT_EQ(8, count_matching(self->recs, self->n, "out", 8, 0x2002, "sender", p2));
	EXPECT_EQ(8, count_matching(self->recs, self->n, "in", 0, 0x2001, "matched", p1));
	EXPECT_EQ(8, count_matching(self->recs, self->n, "in", 0, 0x2002, "matched", p2));
	/* Nothing of B's is blamed on either pinger, nor on anyone. */
	EXPECT_EQ(16, count_matching(self->recs, self->n, "in", 8, -1, "none", 0));
	EXPECT_EQ(16, count_matching(self->recs, self->n, "out", 0, -1, "kernel", 0));
}

/*
 * Runs child(arg) in a process that is PID 1 of a new PID namespace, made
 * by an intermediate process (*mid, its parent).  Returns its exit status
 * (nonzero also when the namespace could not be made) and its pid in our
 * namespace in *host_pid.
 */
static int in_new_pidns(int (*child)(void *), void *arg, pid_t *mid,
			pid_t *host_pid)
{
	int pfd[2], st = -1;

	if (pipe(pfd))
		return -1;
	*mid = fork();
	if (*mid == 0) {
		pid_t inner;
		int ist;

		if (unshare(CLONE_NEWPID))
			_exit(30);
		inner = fork();
		if (inner == 0)
			_exit(child(arg));
		/* The host's view of the child, for the parent test. */
		if (write(pfd[1], &inner, sizeof(inner)) != sizeof(inner))
			_exit(31);
		waitpid(inner, &ist, 0);
		_exit(WEXITSTATUS(ist));
	}
	waitpid(*mid, &st, 0);
	if (read(pfd[0], host_pid, sizeof(*host_pid)) != sizeof(*host_pid))
		st = -1;
	close(pfd[0]);
	close(pfd[1]);
	return st == -1 ? -1 : WEXITSTATUS(st);
}

static int pidns_pinger(void *unused)
{
	return ping_from_a("icmpt-pidns", 0x3003, 50, 1, 0);
}

/* A pinger that is PID 1 of its own PID namespace: both views of its ids. */
TEST_F_TIMEOUT(attr, pid_namespace, 90)
{
	struct stat ours;
	pid_t mid, host_pid = 0;
	const struct vm_rec *r;

	ASSERT_EQ(0, stat("/proc/self/ns/pid", &ours));
	ASSERT_EQ(0, in_new_pidns(pidns_pinger, NULL, &mid, &host_pid));
	stop_and_parse(_metadata, self, 4);

	r = find_rec(self->recs, self->n, "out", 4, 8, 0);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(host_pid, vm_rec_num(r, "pid"));
	EXPECT_EQ(1, vm_rec_num(r, "ns_pid"));
	EXPECT_EQ(1, vm_rec_num(r, "ns_tid"));
	EXPECT_EQ(mid, vm_rec_num(r, "ppid"));
	EXPECT_EQ(0, vm_rec_num(r, "ns_ppid"));	/* the parent is outside */
	EXPECT_NE((long long)ours.st_ino, vm_rec_num(r, "pid_ns"));
	EXPECT_NE(0, vm_rec_num(r, "pid_ns"));
	/* The reply, matched to the pinger, carries the same two views. */
	r = find_rec(self->recs, self->n, "in", 4, 0, 0);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(host_pid, vm_rec_num(r, "pid"));
	EXPECT_EQ(1, vm_rec_num(r, "ns_pid"));
}

/* A thread of PID 1 of a PID namespace: its ids in both views, from /proc. */
struct pidns_thread {
	int fd;			/* pipe: host tid, then ns tid */
	int ret;		/* ping_from_a()'s */
};

static void *pidns_thread_main(void *arg)
{
	struct pidns_thread *t = arg;
	char line[128];
	int ids[2] = { 0, 0 };
	FILE *f = fopen("/proc/thread-self/status", "r");

	/* NSpid: the host's view first, this namespace's last. */
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "NSpid: %d %d", &ids[0], &ids[1]) == 2)
			break;
	if (f)
		fclose(f);
	if (write(t->fd, ids, sizeof(ids)) != sizeof(ids))
		return NULL;
	t->ret = ping_from_a("icmpt-pidthr", 0x3004, 60, 1, 0);
	return NULL;
}

static int pidns_threaded(void *arg)
{
	struct pidns_thread *t = arg;
	pthread_t th;

	if (pthread_create(&th, NULL, pidns_thread_main, t) ||
	    pthread_join(th, NULL))
		return 41;
	return t->ret;
}

/*
 * The sender is not the group leader: pid and tid differ in both views
 * (1 and 2 inside).  Fails if the record's namespaced pid and tid are
 * read from the wrong one, which a single-threaded sender cannot show.
 */
TEST_F_TIMEOUT(attr, pid_namespace_thread, 90)
{
	int tfd[2], ids[2] = { 0, 0 };
	pid_t mid, host_pid = 0;
	struct pidns_thread t = { .ret = 40 };
	const struct vm_rec *r;

	ASSERT_EQ(0, pipe(tfd));
	t.fd = tfd[1];
	ASSERT_EQ(0, in_new_pidns(pidns_threaded, &t, &mid, &host_pid));
	ASSERT_EQ((ssize_t)sizeof(ids), read(tfd[0], ids, sizeof(ids)));
	ASSERT_NE(host_pid, ids[0]);
	ASSERT_EQ(2, ids[1]);
	stop_and_parse(_metadata, self, 4);

	r = find_rec(self->recs, self->n, "out", 4, 8, 0);
	ASSERT_NE(NULL, r);
	EXPECT_STREQ("icmpt-pidthr", val(r, "comm"));
	EXPECT_EQ(host_pid, vm_rec_num(r, "pid"));
	EXPECT_EQ(ids[0], vm_rec_num(r, "tid"));
	EXPECT_EQ(1, vm_rec_num(r, "ns_pid"));
	EXPECT_EQ(ids[1], vm_rec_num(r, "ns_tid"));
	/* The reply, matched to the thread, carries the same ids. */
	r = find_rec(self->recs, self->n, "in", 4, 0, 0);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(ids[0], vm_rec_num(r, "tid"));
	EXPECT_EQ(1, vm_rec_num(r, "ns_pid"));
	EXPECT_EQ(ids[1], vm_rec_num(r, "ns_tid"));
}

static void udp_unreachable(struct __test_metadata *_metadata,
			    FIXTURE_DATA(attr) *self, int family)
{
	int fam = family == AF_INET ? 4 : 6;
	int type = fam == 4 ? 3 : 1, code = fam == 4 ? 3 : 4;
	const struct vm_rec *r;
	pid_t pid;
	int st;

	pid = fork();
	if (pid == 0)
		_exit(udp_to_closed_port(family, 40000 + fam));
	waitpid(pid, &st, 0);
	ASSERT_EQ(0, WEXITSTATUS(st));
	stop_and_parse(_metadata, self, 2);

	/* B's kernel built the error ... */
	r = find_rec(self->recs, self->n, "out", fam, type, code);
	ASSERT_NE(NULL, r) TH_LOG("no port unreachable leaving B: %s", self->rd.out);
	EXPECT_STREQ("kernel", val(r, "owner"));
	EXPECT_EQ(0, vm_rec_num(r, "pid"));
	/* ... and in A it belongs to the socket that sent the datagram. */
	r = find_rec(self->recs, self->n, "in", fam, type, code);
	ASSERT_NE(NULL, r);
	EXPECT_STREQ("socket", val(r, "owner"));
	EXPECT_EQ(pid, vm_rec_num(r, "pid"));
	EXPECT_STREQ("icmpt-udp", val(r, "comm"));
	EXPECT_STREQ(fam == 4 ? VM_ADDR_B : V6_B, val(r, "src"));
}

TEST_F_TIMEOUT(attr, udp_port_unreachable_v4, 90)
{
	udp_unreachable(_metadata, self, AF_INET);
}

TEST_F_TIMEOUT(attr, udp_port_unreachable_v6, 90)
{
	udp_unreachable(_metadata, self, AF_INET6);
}

/*
 * A UDP sender renamed between two datagrams from one socket, back to back
 * (within one jiffy the module skips its table for a sender this CPU has
 * just noted): the error for the second names the new comm.  Three sockets,
 * pinned to one CPU, after a datagram that resolves B's address, so that at
 * least one pair lands in one jiffy even on a slow guest.
 */
#define RENAME_PORT 40100
#define RENAME_TRIES 3

static int udp_renamed_sender(void)
{
	struct sockaddr_in dst = { .sin_family = AF_INET, .sin_port = htons(9) };
	cpu_set_t one;
	int fd[RENAME_TRIES], i;

	CPU_ZERO(&one);
	CPU_SET(0, &one);
	if (vm_netns_enter(VM_NS_A) || sched_setaffinity(0, sizeof(one), &one))
		return 10;
	inet_pton(AF_INET, VM_ADDR_B, &dst.sin_addr);
	for (i = 0; i < RENAME_TRIES; i++) {
		struct sockaddr_in src = { .sin_family = AF_INET,
					   .sin_port = htons(RENAME_PORT + i) };

		fd[i] = socket(AF_INET, SOCK_DGRAM, 0);
		if (fd[i] < 0 || bind(fd[i], (struct sockaddr *)&src, sizeof(src)))
			return 11;
	}
	/* B's address resolved first: no neighbour wait between the pair. */
	if (sendto(fd[0], "arp", 3, 0, (struct sockaddr *)&dst, sizeof(dst)) != 3)
		return 12;
	usleep(1100 * 1000);	/* and the error rate limit's token back */
	for (i = 0; i < RENAME_TRIES; i++) {
		prctl(PR_SET_NAME, "icmpt-udp-old");
		if (sendto(fd[i], "one", 3, 0, (struct sockaddr *)&dst, sizeof(dst)) != 3)
			return 13;
		prctl(PR_SET_NAME, "icmpt-udp-new");
		if (sendto(fd[i], "two", 3, 0, (struct sockaddr *)&dst, sizeof(dst)) != 3)
			return 14;
	}
	usleep(500 * 1000);	/* every error in before the sockets go */
	for (i = 0; i < RENAME_TRIES; i++)
		close(fd[i]);
	return 0;
}

TEST_F_TIMEOUT(attr, udp_sender_renamed, 90)
{
	const struct vm_rec *last[RENAME_TRIES] = { NULL };
	pid_t pid;
	int st, i, k;

	pid = fork();
	if (pid == 0)
		_exit(udp_renamed_sender());
	waitpid(pid, &st, 0);
	ASSERT_EQ(0, WEXITSTATUS(st));
	stop_and_parse(_metadata, self, 2 + 4 * RENAME_TRIES);

	/* The last error about each socket answers its second datagram. */
	for (i = 0; i < self->n; i++) {
		const struct vm_rec *r = &self->recs[i];

		k = vm_rec_num(r, "inner_sport") - RENAME_PORT;
		if (!strcmp(val(r, "dir"), "in") && vm_rec_num(r, "type") == 3 &&
		    k >= 0 && k < RENAME_TRIES)
			last[k] = r;
	}
	for (k = 0; k < RENAME_TRIES; k++) {
		ASSERT_NE(NULL, last[k]) TH_LOG("no error about port %d: %s",
						RENAME_PORT + k, self->rd.out);
		EXPECT_STREQ("socket", val(last[k], "owner"));
		EXPECT_EQ(pid, vm_rec_num(last[k], "pid"));
		EXPECT_STREQ("icmpt-udp-new", val(last[k], "comm"));
	}
}

/*
 * An NFQUEUE daemon in netns A: every packet of queue num is given back
 * with NF_ACCEPT, by the raw nfnetlink protocol (no library).  Writes a
 * byte to ready once bound; runs until killed.
 */
#define NFQ_NUM 7

static void *nfq_attr(struct nlmsghdr *n, unsigned short type, const void *data,
		      unsigned short len)
{
	struct nlattr *a = (void *)((char *)n + NLMSG_ALIGN(n->nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((char *)a + NLA_HDRLEN, data, len);
	n->nlmsg_len = NLMSG_ALIGN(n->nlmsg_len) + NLA_ALIGN(a->nla_len);
	return a;
}

static int nfq_send(int fd, uint8_t msg, const void *attr, unsigned short type,
		    unsigned short len)
{
	char buf[256] __attribute__((aligned(4))) = { 0 };
	struct nlmsghdr *n = (void *)buf;
	struct nfgenmsg *g = NLMSG_DATA(n);

	n->nlmsg_len = NLMSG_LENGTH(sizeof(*g));
	n->nlmsg_type = NFNL_SUBSYS_QUEUE << 8 | msg;
	n->nlmsg_flags = NLM_F_REQUEST;
	g->nfgen_family = AF_UNSPEC;
	g->version = NFNETLINK_V0;
	g->res_id = htons(NFQ_NUM);
	nfq_attr(n, type, attr, len);
	return send(fd, buf, n->nlmsg_len, 0) == (ssize_t)n->nlmsg_len ? 0 : -1;
}

static int nfq_daemon(int ready)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct nfqnl_msg_config_cmd cmd = { .command = NFQNL_CFG_CMD_BIND };
	struct nfqnl_msg_config_params par = { .copy_range = htonl(0),
					       .copy_mode = NFQNL_COPY_META };
	char buf[8192] __attribute__((aligned(4)));
	int fd;

	if (vm_netns_enter(VM_NS_A))
		return 10;
	prctl(PR_SET_NAME, "icmpt-nfq");
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    nfq_send(fd, NFQNL_MSG_CONFIG, &cmd, NFQA_CFG_CMD, sizeof(cmd)) ||
	    nfq_send(fd, NFQNL_MSG_CONFIG, &par, NFQA_CFG_PARAMS, sizeof(par)) ||
	    write(ready, "r", 1) != 1)
		return 11;
	for (;;) {
		ssize_t len = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *n;

		if (len < 0)
			return 12;
		for (n = (void *)buf; NLMSG_OK(n, len); n = NLMSG_NEXT(n, len)) {
			struct nlattr *a = (void *)((char *)NLMSG_DATA(n) +
						    NLMSG_ALIGN(sizeof(struct nfgenmsg)));
			int left = n->nlmsg_len - ((char *)a - (char *)n);

			if (n->nlmsg_type != (NFNL_SUBSYS_QUEUE << 8 | NFQNL_MSG_PACKET))
				continue;
			for (; left >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= left;
			     left -= NLA_ALIGN(a->nla_len),
			     a = (void *)((char *)a + NLA_ALIGN(a->nla_len))) {
				const struct nfqnl_msg_packet_hdr *ph = (void *)((char *)a + NLA_HDRLEN);
				struct nfqnl_msg_verdict_hdr v;

				if ((a->nla_type & NLA_TYPE_MASK) != NFQA_PACKET_HDR)
					continue;
				v.verdict = htonl(NF_ACCEPT);
				v.id = ph->packet_id;
				if (nfq_send(fd, NFQNL_MSG_VERDICT, &v, NFQA_VERDICT_HDR, sizeof(v)))
					return 13;
			}
		}
	}
}

/*
 * Echo requests queued at LOCAL_OUT (NFQUEUE) and given back by a daemon:
 * the rest of the hooks, ours among them, run in the daemon's verdict, so
 * current is the daemon.  The request is not the daemon's: owner none (the
 * sender is not known there), and nothing anywhere names the daemon.
 */
TEST_F_TIMEOUT(attr, nfqueue_reinjected_is_not_the_daemons, 90)
{
	pid_t daemon, pinger;
	int st, ready[2], i, named = 0;
	char c;

	ASSERT_EQ(0, vm_sh("ip netns exec " VM_NS_A " nft -f - <<'EOF'\n"
			   "table ip icmpt_q {\n"
			   " chain out { type filter hook output priority 0;\n"
			   "  icmp type echo-request queue num 7; }\n"
			   "}\nEOF"));
	ASSERT_EQ(0, pipe(ready));
	daemon = fork();
	if (daemon == 0)
		_exit(nfq_daemon(ready[1]));
	ASSERT_EQ(1, read(ready[0], &c, 1));
	pinger = fork();
	if (pinger == 0)
		_exit(ping_from_a("icmpt-qping", 0x4004, 1, 3, 20));
	waitpid(pinger, &st, 0);
	kill(daemon, SIGKILL);
	waitpid(daemon, NULL, 0);
	close(ready[0]);
	close(ready[1]);
	/* Every request went through the queue and was answered. */
	ASSERT_EQ(0, WEXITSTATUS(st));
	stop_and_parse(_metadata, self, 12);

	EXPECT_EQ(3, count_matching(self->recs, self->n, "out", 8, 0x4004, "none", 0))
		TH_LOG("%s", self->rd.out);
	for (i = 0; i < self->n; i++)
		if (vm_rec_num(&self->recs[i], "pid") == daemon ||
		    !strcmp(val(&self->recs[i], "comm"), "icmpt-nfq"))
			named++;
	EXPECT_EQ(0, named) TH_LOG("records name the queue daemon: %s", self->rd.out);
	/* Its replies come back unmatched: the request's sender was not known. */
	EXPECT_EQ(3, count_matching(self->recs, self->n, "in", 0, 0x4004, "none", 0));
}

/*
 * A peer that lives behind a tun device in netns A (10.77.0.2, the tun
 * 10.77.0.1): it writes IPv4 packets into the tun and reads what the stack
 * sends back.  A write runs the stack's receive path in the writer's task
 * context with bottom halves off (tun_rx_batched()), so the ACKs the stack
 * sends there, for other tasks' sockets, run the LOCAL_OUT hooks as if the
 * writer were sending them.
 */
#define TUN_LOCAL "10.77.0.1"
#define TUN_PEER "10.77.0.2"
#define TUN_SRV_PORT 5000
#define TUN_PEER_PORT 40000

static uint16_t csum_fold32(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t csum_add(uint32_t sum, const void *p, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += b[i] << 8 | b[i + 1];
	if (len & 1)
		sum += b[len - 1] << 8;
	return sum;
}

/* An IPv4 header for len bytes of payload, checksummed. */
static void ip4_head(struct iphdr *ip, uint8_t proto, const char *src, const char *dst,
		     size_t len)
{
	memset(ip, 0, sizeof(*ip));
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = proto;
	ip->tot_len = htons(sizeof(*ip) + len);
	inet_pton(AF_INET, src, &ip->saddr);
	inet_pton(AF_INET, dst, &ip->daddr);
	ip->check = htons(csum_fold32(csum_add(0, ip, sizeof(*ip))));
}

/* Writes a TCP segment from the peer to the server's port. */
static int tun_tcp(int tun, uint32_t seq, uint32_t ack, uint8_t flags, const char *data)
{
	uint8_t pkt[128] = { 0 };
	struct iphdr *ip = (void *)pkt;
	struct tcphdr *th = (void *)(pkt + sizeof(*ip));
	size_t dlen = data ? strlen(data) : 0, tlen = sizeof(*th) + dlen;
	uint8_t pseudo[12] = { 0 };
	uint32_t sum;

	ip4_head(ip, IPPROTO_TCP, TUN_PEER, TUN_LOCAL, tlen);
	th->source = htons(TUN_PEER_PORT);
	th->dest = htons(TUN_SRV_PORT);
	th->seq = htonl(seq);
	th->ack_seq = htonl(ack);
	th->doff = sizeof(*th) / 4;
	((uint8_t *)th)[13] = flags;
	th->window = htons(65535);
	memcpy(th + 1, data ? data : "", dlen);
	memcpy(pseudo, &ip->saddr, 8);
	pseudo[9] = IPPROTO_TCP;
	pseudo[10] = tlen >> 8;
	pseudo[11] = tlen & 0xff;
	sum = csum_add(csum_add(0, pseudo, sizeof(pseudo)), th, tlen);
	th->check = htons(csum_fold32(sum));
	return write(tun, pkt, sizeof(*ip) + tlen) == (ssize_t)(sizeof(*ip) + tlen) ? 0 : -1;
}

/* Reads until a TCP segment from the server's port with all of flags (and
 * at least min_data bytes); its seq in *seq.  -1 on a 3 s silence. */
static int tun_wait_tcp(int tun, uint8_t flags, size_t min_data, uint32_t *seq)
{
	uint8_t pkt[2048];
	struct pollfd p = { .fd = tun, .events = POLLIN };

	while (poll(&p, 1, 3000) == 1) {
		ssize_t n = read(tun, pkt, sizeof(pkt));
		const struct iphdr *ip = (void *)pkt;
		const struct tcphdr *th;

		if (n < (ssize_t)sizeof(*ip) || ip->version != 4 || ip->protocol != IPPROTO_TCP ||
		    n < (ssize_t)(ip->ihl * 4 + sizeof(*th)))
			continue;
		th = (const void *)(pkt + ip->ihl * 4);
		if (ntohs(th->source) != TUN_SRV_PORT ||
		    (((const uint8_t *)th)[13] & flags) != flags ||
		    (size_t)n - ip->ihl * 4 - th->doff * 4 < min_data)
			continue;
		*seq = ntohl(th->seq);
		return 0;
	}
	return -1;
}

/* The server: accepts one connection on the tun's address and sends "hi". */
static int tun_server(int ready)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(TUN_SRV_PORT) };
	int one = 1, l, c;

	prctl(PR_SET_NAME, "icmpt-srv");
	inet_pton(AF_INET, TUN_LOCAL, &a.sin_addr);
	l = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1) ||
	    write(ready, "r", 1) != 1)
		return 10;
	c = accept(l, NULL, NULL);
	if (c < 0 || send(c, "hi", 2, 0) != 2)
		return 11;
	pause();
	return 0;
}

/*
 * The peer: handshake, wait for the server's "hi" (the server's send notes
 * it as the port's sender), then a segment from before the window, which
 * the stack answers at once with an ACK from the writer's context, then an
 * ICMP host unreachable quoting the server's segment.  The server's pid
 * goes to report.
 */
static int tun_peer(int report)
{
	struct ifreq ifr = { .ifr_flags = IFF_TUN | IFF_NO_PI };
	uint8_t err[sizeof(struct iphdr) + 8 + sizeof(struct iphdr) + 8] = { 0 };
	struct iphdr *ip = (void *)err, *inner;
	uint8_t *icmp = err + sizeof(*ip), *quoted;
	uint32_t srv_seq, data_seq;
	int tun, ready[2], rc = 0;
	pid_t srv;
	char c;

	if (vm_netns_enter(VM_NS_A))
		return 20;
	prctl(PR_SET_NAME, "icmpt-tunpeer");
	strcpy(ifr.ifr_name, "icmpt-tun0");
	/* Debian builds tun as a module; its device node comes with it. */
	vm_sh("modprobe tun");
	tun = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (tun < 0 || ioctl(tun, TUNSETIFF, &ifr))
		return 21;
	if (vm_sh("ip addr add " TUN_LOCAL "/24 dev icmpt-tun0 && ip link set icmpt-tun0 up"))
		return 22;
	if (pipe(ready))
		return 23;
	srv = fork();
	if (srv == 0)
		_exit(tun_server(ready[1]));
	close(ready[1]);	/* a server that fails closes the last writer */
	if (read(ready[0], &c, 1) != 1 || write(report, &srv, sizeof(srv)) != sizeof(srv))
		rc = 24;
	if (!rc && (tun_tcp(tun, 1000, 0, TH_SYN, NULL) ||
		    tun_wait_tcp(tun, TH_SYN | TH_ACK, 0, &srv_seq)))
		rc = 25;
	if (!rc && (tun_tcp(tun, 1001, srv_seq + 1, TH_ACK, NULL) ||
		    tun_wait_tcp(tun, TH_ACK, 2, &data_seq)))
		rc = 26;
	/* Before the window: the stack sends a duplicate ACK at once. */
	if (!rc && (tun_tcp(tun, 901, data_seq + 2, TH_ACK | TH_PUSH, "x") ||
		    tun_wait_tcp(tun, TH_ACK, 0, &data_seq)))
		rc = 27;
	if (!rc) {
		ip4_head(ip, IPPROTO_ICMP, TUN_PEER, TUN_LOCAL, sizeof(err) - sizeof(*ip));
		icmp[0] = 3;	/* destination unreachable */
		icmp[1] = 1;	/* host */
		inner = (void *)(icmp + 8);
		ip4_head(inner, IPPROTO_TCP, TUN_LOCAL, TUN_PEER, 20);
		quoted = (uint8_t *)(inner + 1);
		quoted[0] = TUN_SRV_PORT >> 8;
		quoted[1] = TUN_SRV_PORT & 0xff;
		quoted[2] = TUN_PEER_PORT >> 8;
		quoted[3] = TUN_PEER_PORT & 0xff;
		memcpy(quoted + 4, &(uint32_t){ htonl(srv_seq + 1) }, 4);
		*(uint16_t *)(icmp + 2) =
			htons(csum_fold32(csum_add(0, icmp, sizeof(err) - sizeof(*ip))));
		if (write(tun, err, sizeof(err)) != sizeof(err))
			rc = 28;
	}
	usleep(300 * 1000);
	kill(srv, SIGKILL);
	waitpid(srv, NULL, 0);
	close(tun);
	return rc;
}

TEST_F_TIMEOUT(attr, tun_writer_is_not_the_sockets_sender, 90)
{
	const struct vm_rec *r = NULL;
	pid_t peer, srv = 0;
	int st, report[2], i;

	ASSERT_EQ(0, pipe(report));
	peer = fork();
	if (peer == 0)
		_exit(tun_peer(report[1]));
	close(report[1]);
	waitpid(peer, &st, 0);
	ASSERT_EQ(0, WEXITSTATUS(st));
	ASSERT_EQ((ssize_t)sizeof(srv), read(report[0], &srv, sizeof(srv)));
	close(report[0]);
	stop_and_parse(_metadata, self, 8);

	for (i = 0; i < self->n; i++)
		if (!strcmp(val(&self->recs[i], "dir"), "in") &&
		    vm_rec_num(&self->recs[i], "type") == 3 &&
		    vm_rec_num(&self->recs[i], "inner_sport") == TUN_SRV_PORT)
			r = &self->recs[i];
	ASSERT_NE(NULL, r) TH_LOG("no error quoting port %d: %s", TUN_SRV_PORT, self->rd.out);
	/* The server sent from the port; the peer only wrote into the tun. */
	EXPECT_STREQ("socket", val(r, "owner"));
	EXPECT_EQ(srv, vm_rec_num(r, "pid"));
	EXPECT_STREQ("icmpt-srv", val(r, "comm"));
}

/* A pinger in a cgroup named like a docker container's scope. */
TEST_F_TIMEOUT(attr, docker_cgroup, 90)
{
	const char *cg = "/sys/fs/cgroup/system.slice/docker-" CONTAINER_ID ".scope";
	struct stat st;
	const struct vm_rec *r;
	pid_t pid;
	int pfd[2], status;
	char go;

	if (vm_sh("mkdir -p %s", cg))
		SKIP(return, "no cgroup v2 hierarchy to make a container cgroup in");
	ASSERT_EQ(0, stat(cg, &st));
	ASSERT_EQ(0, pipe(pfd));
	pid = fork();
	if (pid == 0) {
		/* Wait until the parent has moved us into the cgroup. */
		if (read(pfd[0], &go, 1) != 1)
			_exit(40);
		_exit(ping_from_a("icmpt-docker", 0x4004, 7, 1, 0));
	}
	ASSERT_EQ(0, vm_sh("echo %d > %s/cgroup.procs", pid, cg));
	ASSERT_EQ(1, write(pfd[1], "g", 1));
	waitpid(pid, &status, 0);
	ASSERT_EQ(0, WEXITSTATUS(status));
	stop_and_parse(_metadata, self, 4);
	vm_sh("rmdir %s", cg);

	r = find_rec(self->recs, self->n, "out", 4, 8, 0);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(pid, vm_rec_num(r, "pid"));
	/* The cgroup v2 id is the inode number of the cgroup's directory. */
	EXPECT_EQ((long long)st.st_ino, vm_rec_num(r, "cgroup"));
	EXPECT_STREQ(CONTAINER_ID, val(r, "container"));
}

TEST_HARNESS_MAIN
