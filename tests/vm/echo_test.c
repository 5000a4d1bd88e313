// SPDX-License-Identifier: GPL-2.0
/*
 * Echo requests of our own (id, seq, payload) between two network
 * namespaces created after the module loaded, through a ping socket and a
 * raw socket; the reader must report each packet on each side exactly,
 * attribute the egress request to its sender and nothing else to it.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vmlib.h"

#define PINGER_COMM "icmpt-ping"
#define PINGER_UID 4321
#define NSEQ 3
#define MAX_RECS 256

enum sock_kind { PING_SOCK, RAW_SOCK };

struct echo_plan {
	enum sock_kind kind;
	uid_t uid;
	uint16_t id;
	uint16_t seq0;
};

static size_t build_echo(uint8_t *buf, int type, uint16_t id, uint16_t seq)
{
	size_t len = 8 + (size_t)snprintf((char *)buf + 8, 56, "icmptrace-payload-%05u", seq);

	buf[0] = type;
	buf[1] = 0;
	buf[2] = buf[3] = 0;
	buf[4] = id >> 8;
	buf[5] = id & 0xff;
	buf[6] = seq >> 8;
	buf[7] = seq & 0xff;
	return len;
}

static uint16_t echo_csum(int type, uint16_t id, uint16_t seq)
{
	uint8_t buf[64];

	return vm_csum(buf, build_echo(buf, type, id, seq));
}

/* Child: enter namespace A, become the pinger, send NSEQ echoes to B. */
static int pinger(const struct echo_plan *p)
{
	struct sockaddr_in dst = { .sin_family = AF_INET };
	struct timeval tv = { .tv_sec = 3 };
	int fd, i, got = 0;

	if (vm_netns_enter(VM_NS_A))
		return 10;
	prctl(PR_SET_NAME, PINGER_COMM);
	if (p->uid && (setresgid(p->uid, p->uid, p->uid) ||
		       setresuid(p->uid, p->uid, p->uid)))
		return 11;
	fd = socket(AF_INET, p->kind == PING_SOCK ? SOCK_DGRAM : SOCK_RAW,
		    IPPROTO_ICMP);
	if (fd < 0)
		return 12;
	if (p->kind == PING_SOCK) {
		/* A ping socket's identifier is the port it is bound to. */
		struct sockaddr_in src = { .sin_family = AF_INET,
					   .sin_port = htons(p->id) };

		if (bind(fd, (struct sockaddr *)&src, sizeof(src)))
			return 13;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	inet_pton(AF_INET, VM_ADDR_B, &dst.sin_addr);

	for (i = 0; i < NSEQ; i++) {
		uint16_t seq = p->seq0 + i;
		uint8_t buf[64], rx[256];
		size_t len = build_echo(buf, 8, p->id, seq);
		uint16_t c = vm_csum(buf, len);

		buf[2] = c >> 8;
		buf[3] = c & 0xff;
		if (sendto(fd, buf, len, 0, (struct sockaddr *)&dst, sizeof(dst)) != (ssize_t)len)
			return 14;
		/* Wait for our reply; a raw socket also sees other ICMP. */
		for (;;) {
			ssize_t n = recv(fd, rx, sizeof(rx), 0);
			const uint8_t *icmp = rx;

			if (n < 0)
				break;
			if (p->kind == RAW_SOCK) {
				icmp = rx + (rx[0] & 15) * 4;
				if (icmp + 8 > rx + n || icmp[0] != 0 ||
				    (icmp[4] << 8 | icmp[5]) != p->id)
					continue;
			}
			if ((icmp[6] << 8 | icmp[7]) == seq) {
				got++;
				break;
			}
		}
	}
	close(fd);
	return got == NSEQ ? 0 : 20 + got;
}

static pid_t run_pinger(const struct echo_plan *p, int *status)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(pinger(p));
	waitpid(pid, status, 0);
	return pid;
}

/* The one record with these coordinates; NULL (and a log) otherwise. */
static const struct vm_rec *find_one(struct __test_metadata *_metadata,
				     const struct vm_rec *recs, int n,
				     const char *dir, int type, uint16_t id,
				     uint16_t seq, const char *src)
{
	const struct vm_rec *found = NULL;
	int i, hits = 0;

	for (i = 0; i < n; i++) {
		const char *d = vm_rec_get(&recs[i], "dir");
		const char *s = vm_rec_get(&recs[i], "src");

		if (d && s && !strcmp(d, dir) && !strcmp(s, src) &&
		    vm_rec_num(&recs[i], "type") == type &&
		    vm_rec_num(&recs[i], "id") == id &&
		    vm_rec_num(&recs[i], "seq") == seq) {
			found = &recs[i];
			hits++;
		}
	}
	if (hits != 1) {
		TH_LOG("%d records for dir=%s type=%d id=%u seq=%u src=%s",
		       hits, dir, type, id, seq, src);
		return NULL;
	}
	return found;
}

static int str_is(const struct vm_rec *r, const char *key, const char *want)
{
	const char *v = vm_rec_get(r, key);

	return v && !strcmp(v, want);
}

FIXTURE(echo) {
	struct vm_reader rd;
	struct vm_rec recs[MAX_RECS];
	unsigned long ino_a, ino_b;
};

FIXTURE_SETUP(echo)
{
	/* The namespaces are created after the module was loaded. */
	ASSERT_EQ(0, vm_netns_pair_up());
	self->ino_a = vm_netns_inode(VM_NS_A);
	self->ino_b = vm_netns_inode(VM_NS_B);
	ASSERT_NE(0UL, self->ino_a);
	ASSERT_NE(0UL, self->ino_b);
}

FIXTURE_TEARDOWN(echo)
{
	if (self->rd.pid > 0)
		vm_reader_stop(&self->rd);
	vm_netns_pair_down();
}

/* Checks the four records of each echo: request out of A and into B,
 * reply out of B (built by B's kernel) and into A.
 */
static void check_echo_records(struct __test_metadata *_metadata,
			       FIXTURE_DATA(echo) *self,
			       const struct echo_plan *p, pid_t pinger_pid)
{
	static const char *const args[] = { NULL };
	int n, i, status;

	(void)args;
	n = vm_reader_records(&self->rd, self->recs, MAX_RECS);
	for (i = 0; i < NSEQ; i++) {
		uint16_t seq = p->seq0 + i;
		uint16_t req_csum = echo_csum(8, p->id, seq);
		uint16_t rep_csum = echo_csum(0, p->id, seq);
		const struct vm_rec *r;

		/* Request leaving A: the pinger's, in task context. */
		r = find_one(_metadata, self->recs, n, "out", 8, p->id, seq, VM_ADDR_A);
		ASSERT_NE(NULL, r);
		EXPECT_TRUE(str_is(r, "dst", VM_ADDR_B));
		EXPECT_EQ(0, vm_rec_num(r, "code"));
		EXPECT_EQ(req_csum, vm_rec_num(r, "csum"));
		EXPECT_EQ((long long)self->ino_a, vm_rec_num(r, "pkt_netns"));
		EXPECT_TRUE(str_is(r, "owner", "sender"));
		EXPECT_TRUE(str_is(r, "ctx", "task"));
		EXPECT_EQ(pinger_pid, vm_rec_num(r, "pid"));
		EXPECT_EQ(pinger_pid, vm_rec_num(r, "tid"));
		EXPECT_EQ(getpid(), vm_rec_num(r, "ppid"));
		EXPECT_EQ(p->uid, vm_rec_num(r, "uid"));
		EXPECT_TRUE(str_is(r, "comm", PINGER_COMM));
		EXPECT_EQ(20 + 8 + 23, vm_rec_num(r, "ip_len"));

		/* Request arriving in B: softirq, no owner, not the pinger. */
		r = find_one(_metadata, self->recs, n, "in", 8, p->id, seq, VM_ADDR_A);
		ASSERT_NE(NULL, r);
		EXPECT_TRUE(str_is(r, "dst", VM_ADDR_B));
		EXPECT_EQ(req_csum, vm_rec_num(r, "csum"));
		EXPECT_EQ((long long)self->ino_b, vm_rec_num(r, "pkt_netns"));
		EXPECT_TRUE(str_is(r, "ctx", "softirq"));
		EXPECT_TRUE(str_is(r, "owner", "none"));
		EXPECT_NE(pinger_pid, vm_rec_num(r, "pid"));

		/* Reply leaving B: built by B's kernel. */
		r = find_one(_metadata, self->recs, n, "out", 0, p->id, seq, VM_ADDR_B);
		ASSERT_NE(NULL, r);
		EXPECT_TRUE(str_is(r, "dst", VM_ADDR_A));
		EXPECT_EQ(rep_csum, vm_rec_num(r, "csum"));
		EXPECT_EQ((long long)self->ino_b, vm_rec_num(r, "pkt_netns"));
		EXPECT_TRUE(str_is(r, "owner", "kernel"));
		EXPECT_NE(pinger_pid, vm_rec_num(r, "pid"));

		/*
		 * Reply arriving in A: softirq again, so not "sender"; it is
		 * matched to the request the pinger sent with this id to B.
		 */
		r = find_one(_metadata, self->recs, n, "in", 0, p->id, seq, VM_ADDR_B);
		ASSERT_NE(NULL, r);
		EXPECT_EQ(rep_csum, vm_rec_num(r, "csum"));
		EXPECT_EQ((long long)self->ino_a, vm_rec_num(r, "pkt_netns"));
		EXPECT_TRUE(str_is(r, "ctx", "softirq"));
		EXPECT_TRUE(str_is(r, "owner", "matched"));
		EXPECT_EQ(pinger_pid, vm_rec_num(r, "pid"));
		EXPECT_TRUE(str_is(r, "comm", PINGER_COMM));
		EXPECT_EQ(p->uid, vm_rec_num(r, "uid"));
	}
	(void)status;
}

static void run_echo(struct __test_metadata *_metadata, FIXTURE_DATA(echo) *self,
		     const struct echo_plan *p)
{
	static const char *const args[] = { "--format", "kv", NULL };
	pid_t pid;
	int status;

	ASSERT_EQ(0, vm_reader_start(&self->rd, args)) {
		TH_LOG("reader did not start: %s", self->rd.err);
	}
	pid = run_pinger(p, &status);
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	/* Other ICMP (neighbour discovery is ARP here) may come too. */
	vm_reader_collect(&self->rd, 4 * NSEQ, 10000);
	EXPECT_EQ(0, vm_reader_stop(&self->rd)) {
		TH_LOG("reader stderr: %s", self->rd.err);
	}
	EXPECT_NE(NULL, strstr(self->rd.err, " 0 dropped")) {
		TH_LOG("reader stderr: %s", self->rd.err);
	}
	check_echo_records(_metadata, self, p, pid);
}

TEST_F_TIMEOUT(echo, ping_socket_unprivileged, 90)
{
	struct echo_plan p = { PING_SOCK, PINGER_UID, 0x1234, 101 };

	run_echo(_metadata, self, &p);
}

TEST_F_TIMEOUT(echo, raw_socket_root, 90)
{
	struct echo_plan p = { RAW_SOCK, 0, 0x4242, 7 };

	run_echo(_metadata, self, &p);
}

/* The tracee-compatible JSON line of the pinger's request, field for field. */
TEST_F_TIMEOUT(echo, json_line, 90)
{
	static const char *const args[] = { "--json", NULL };
	struct echo_plan p = { PING_SOCK, PINGER_UID, 0x0777, 900 };
	char want[512];
	pid_t pid;
	int status;

	ASSERT_EQ(0, vm_reader_start(&self->rd, args));
	pid = run_pinger(&p, &status);
	ASSERT_EQ(0, WEXITSTATUS(status));
	vm_reader_collect(&self->rd, 4 * NSEQ, 10000);
	EXPECT_EQ(0, vm_reader_stop(&self->rd));

	snprintf(want, sizeof(want), "\"hostProcessId\":%d,\"hostThreadId\":%d,", pid, pid);
	EXPECT_NE(NULL, strstr(self->rd.out, want)) TH_LOG("no %s in %s", want, self->rd.out);
	snprintf(want, sizeof(want), "\"userId\":%d,", PINGER_UID);
	EXPECT_NE(NULL, strstr(self->rd.out, want));
	EXPECT_NE(NULL, strstr(self->rd.out, "\"processName\":\"" PINGER_COMM "\""));
	snprintf(want, sizeof(want),
		 "{\"name\":\"src\",\"type\":\"const char*\",\"value\":\"%s\"},"
		 "{\"name\":\"dst\",\"type\":\"const char*\",\"value\":\"%s\"},"
		 "{\"name\":\"proto_icmp\",\"type\":\"trace.ProtoICMP\",\"value\":"
		 "{\"typeCode\":\"EchoRequest\",\"checksum\":%u,\"id\":%u,\"seq\":%u}}]",
		 VM_ADDR_A, VM_ADDR_B, echo_csum(8, p.id, p.seq0 + 1), p.id, p.seq0 + 1);
	EXPECT_NE(NULL, strstr(self->rd.out, want)) TH_LOG("no %s in %s", want, self->rd.out);
	snprintf(want, sizeof(want),
		 "{\"typeCode\":\"EchoReply\",\"checksum\":%u,\"id\":%u,\"seq\":%u}}]",
		 echo_csum(0, p.id, p.seq0 + 2), p.id, p.seq0 + 2);
	EXPECT_NE(NULL, strstr(self->rd.out, want)) TH_LOG("no %s", want);
}

/*
 * tcpdump's view of the same packets on B's side of the veth: every ICMP
 * packet it captured is in the reader's output exactly once, with the same
 * type, code, checksum, id, seq and addresses.
 */
TEST_F_TIMEOUT(echo, tcpdump_agrees, 120)
{
	static const char *const args[] = { "--format", "kv", NULL };
	struct echo_plan p = { RAW_SOCK, 0, 0x5151, 300 };
	const char *pcap = "/tmp/icmpt-echo.pcap";
	struct vm_cap caps[64];
	int status, n, nc, i;

	unlink(pcap);
	ASSERT_EQ(0, vm_sh("ip netns exec " VM_NS_B " tcpdump -i icmpt-vb --immediate-mode -U -n -w %s icmp "
			   ">/tmp/icmpt-tcpdump.log 2>&1 & echo $! >/tmp/icmpt-tcpdump.pid; "
			   "for i in $(seq 100); do grep -q listening /tmp/icmpt-tcpdump.log && exit 0;"
			   " sleep 0.1; done; exit 1", pcap));
	ASSERT_EQ(0, vm_reader_start(&self->rd, args));
	run_pinger(&p, &status);
	ASSERT_EQ(0, WEXITSTATUS(status));
	vm_reader_collect(&self->rd, 4 * NSEQ, 10000);
	vm_reader_stop(&self->rd);
	/* Let tcpdump write all it received before it is stopped. */
	vm_sh("for i in $(seq 50); do [ $(stat -c %%s %s) -gt 400 ] && break; sleep 0.1; done;"
	      "kill -INT $(cat /tmp/icmpt-tcpdump.pid); sleep 1", pcap);

	n = vm_reader_records(&self->rd, self->recs, MAX_RECS);
	nc = vm_pcap_read(pcap, caps, 64);
	ASSERT_EQ(2 * NSEQ, nc);
	for (i = 0; i < nc; i++) {
		/* B receives requests and sends replies. */
		const char *dir = caps[i].type == 8 ? "in" : "out";
		const struct vm_rec *r = find_one(_metadata, self->recs, n, dir,
						  caps[i].type, caps[i].id,
						  caps[i].seq, caps[i].src);

		ASSERT_NE(NULL, r);
		EXPECT_TRUE(str_is(r, "dst", caps[i].dst));
		EXPECT_EQ(caps[i].code, vm_rec_num(r, "code"));
		EXPECT_EQ(caps[i].csum, vm_rec_num(r, "csum"));
		EXPECT_EQ((long long)self->ino_b, vm_rec_num(r, "pkt_netns"));
	}
}

/* Without CAP_NET_ADMIN the device is refused, with the documented exit code. */
TEST(unprivileged_reader_refused)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		int devnull = open("/dev/null", 1);

		if (setresgid(PINGER_UID, PINGER_UID, PINGER_UID) ||
		    setresuid(PINGER_UID, PINGER_UID, PINGER_UID))
			_exit(99);
		dup2(devnull, 2);
		execl("build/icmptrace", "icmptrace", "-c", "1", NULL);
		_exit(98);
	}
	waitpid(pid, &status, 0);
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(4, WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
