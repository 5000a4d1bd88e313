// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink fuzzing (issue 12 item 11): random and mutated generic netlink
 * messages to the icmptrace family, half from a non-root uid and half from
 * root: random commands, versions, reserved bytes and flags; attributes of
 * random types, lengths (lying ones too) and nesting; valid messages with
 * random bytes changed.  Afterwards the kernel is not tainted (no oops or
 * WARN; vm-run also scans the log), the family still answers, an echo is
 * still recorded with its id and seq, and the counters add up on every CPU.
 *
 * Seedable: ICMPT_FUZZ_SEED=N (default: from the clock; always printed);
 * ICMPT_FUZZ_COUNT=N messages (default 4000; the manual run takes 100000).
 */
#define _GNU_SOURCE
#include <grp.h>
#include <inttypes.h>
#include <sys/time.h>
#include "kselftest_harness.h"
#include "genllib.h"
#include "ringlib.h"

#define OTHER_UID 4321
#define ECHO_ID 0x4655
#define NR_ERRNO 160

static uint64_t rng_state;

/* xorshift64*: the same seed gives the same messages. */
static uint64_t rnd64(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static unsigned int rnd(unsigned int n)
{
	return n ? (unsigned int)(rnd64() >> 33) % n : 0;
}

static void rnd_bytes(uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = rnd(4) ? (uint8_t)rnd64() : (uint8_t)rnd(3);
}

/* An attribute type: mostly near the family's, sometimes anything. */
static int rnd_type(void)
{
	int t = rnd(8) ? (int)rnd(ICMPT_A_MAX + 4) : (int)rnd(1 << 14);

	if (!rnd(6))
		t |= NLA_F_NESTED;
	if (!rnd(40))
		t |= NLA_F_NET_BYTEORDER;
	return t;
}

static const unsigned int lens[] = { 0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 64, 200 };

/* Random attributes into p[0..room); returns the bytes used. */
static size_t rnd_attrs(uint8_t *p, size_t room, int depth)
{
	size_t off = 0;
	int i, n = rnd(7);

	for (i = 0; i < n && off + NLA_HDRLEN <= room; i++) {
		struct nlattr *a = (struct nlattr *)(p + off);
		size_t len;

		a->nla_type = rnd_type();
		if (depth < 4 && !rnd(4)) {
			a->nla_type |= NLA_F_NESTED;
			len = rnd_attrs(p + off + NLA_HDRLEN, room - off - NLA_HDRLEN, depth + 1);
		} else {
			len = lens[rnd(sizeof(lens) / sizeof(lens[0]))];
			if (len > room - off - NLA_HDRLEN)
				len = room - off - NLA_HDRLEN;
			rnd_bytes(p + off + NLA_HDRLEN, len);
			/* A string, with or without its NUL. */
			if (len && !rnd(5)) {
				memset(p + off + NLA_HDRLEN, 'a' + rnd(26), len);
				if (rnd(2))
					p[off + NLA_HDRLEN + len - 1] = 0;
			}
		}
		a->nla_len = NLA_HDRLEN + len;
		switch (rnd(16)) {
		case 0:
			a->nla_len = rnd(NLA_HDRLEN);		/* shorter than a header */
			break;
		case 1:
			a->nla_len += 1 + rnd(64);		/* past its data */
			break;
		case 2:
			a->nla_len = rnd(1 << 16);
			break;
		}
		off += NLA_ALIGN(NLA_HDRLEN + len);
		if (off > room)
			off = room;
	}
	return off;
}

/* A valid message of the family, to be mutated. */
static void valid_msg(struct gmsg *m, int family)
{
	static const int cmds[] = { ICMPT_CMD_GET_CONFIG, ICMPT_CMD_SET_CONFIG,
				    ICMPT_CMD_GET_STATS, ICMPT_CMD_SET_FILTER,
				    ICMPT_CMD_CLEAR_FILTER, ICMPT_CMD_GET_FILTER };
	int cmd = cmds[rnd(6)];
	struct nlattr *n;

	gmsg_init(m, family, cmd);
	if (cmd == ICMPT_CMD_SET_CONFIG) {
		gmsg_u8(m, ICMPT_A_ENABLED, rnd(2));
	} else if (cmd == ICMPT_CMD_SET_FILTER) {
		gmsg_u8(m, ICMPT_A_F_FAMILY, 1 + rnd(3));
		gmsg_u8(m, ICMPT_A_F_DIR, 1 + rnd(3));
		gmsg_icmp(m, rnd(2) ? 4 : 6, rnd(256), rnd(2) ? (int)rnd(256) : -1);
		gmsg_u32(m, ICMPT_A_F_PID, rnd(100000));
		gmsg_put(m, ICMPT_A_F_COMM, "ping", 5);
		gmsg_u32(m, ICMPT_A_F_UID, rnd(2000));
		n = gmsg_nest(m, ICMPT_A_F_ICMP);
		gmsg_u8(m, ICMPT_ICMP_A_FAMILY, 4);
		gmsg_nest_end(m, n);
		gmsg_u32(m, ICMPT_A_F_NETNS, rnd64());
	}
}

/* One message, random or mutated, sent as is; the ack is read by drain(). */
static size_t fuzz_msg(struct gmsg *m, int family)
{
	struct genlmsghdr *g;
	size_t len;
	int i, k;

	if (rnd(3)) {
		gmsg_init(m, family, rnd(ICMPT_CMD_MAX + 4));
		g = NLMSG_DATA(&m->nlh);
		if (!rnd(8))
			g->version = rnd(256);
		if (!rnd(8))
			g->reserved = rnd(1 << 16);
		m->nlh.nlmsg_len += rnd_attrs((uint8_t *)m->buf + m->nlh.nlmsg_len,
					      2048, 0);
	} else {
		valid_msg(m, family);
		k = 1 + rnd(6);
		for (i = 0; i < k; i++) {
			unsigned int at = NLMSG_HDRLEN + rnd(m->nlh.nlmsg_len - NLMSG_HDRLEN + 8);

			m->buf[at] = rnd(3) ? (char)rnd64() : (char)(m->buf[at] ^ (1 << rnd(8)));
		}
		/* Sometimes bytes after the last attribute. */
		if (!rnd(6))
			m->nlh.nlmsg_len += 1 + rnd(12);
	}
	m->nlh.nlmsg_flags = NLM_F_REQUEST | (rnd(10) ? NLM_F_ACK : 0);
	if (!rnd(20))
		m->nlh.nlmsg_flags |= NLM_F_DUMP;
	len = m->nlh.nlmsg_len;
	/* A few lie about their own length. */
	if (!rnd(50))
		m->nlh.nlmsg_len = rnd(len + 32);
	return len;
}

struct tally {
	long sent, acks, ok, err[NR_ERRNO], other, send_err;
};

/* Reads every ack and reply queued; genl answers before send() returns. */
static void drain(int fd, struct tally *t)
{
	char buf[32768];
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		struct nlmsghdr *h;

		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			int e;

			if (h->nlmsg_type != NLMSG_ERROR)
				continue;
			t->acks++;
			e = -((struct nlmsgerr *)NLMSG_DATA(h))->error;
			if (!e)
				t->ok++;
			else if (e > 0 && e < NR_ERRNO)
				t->err[e]++;
			else
				t->other++;
		}
	}
}

static void fuzz(int fd, int family, long count, struct tally *t)
{
	struct gmsg m;
	long i;

	for (i = 0; i < count; i++) {
		size_t len = fuzz_msg(&m, family);

		if (send(fd, m.buf, len, 0) < 0)
			t->send_err++;
		else
			t->sent++;
		drain(fd, t);
	}
}

static void show(struct __test_metadata *_metadata, const char *who, const struct tally *t)
{
	char line[512];
	int e, off;

	off = snprintf(line, sizeof(line), "%s: sent %ld (send errors %ld), acks %ld: ok %ld",
		       who, t->sent, t->send_err, t->acks, t->ok);
	for (e = 1; e < NR_ERRNO && off < (int)sizeof(line) - 32; e++)
		if (t->err[e])
			off += snprintf(line + off, sizeof(line) - off, ", %s %ld",
					strerrorname_np(e) ? strerrorname_np(e) : "?", t->err[e]);
	if (t->other)
		snprintf(line + off, sizeof(line) - off, ", other %ld", t->other);
	TH_LOG("%s", line);
}

static long read_tainted(void)
{
	FILE *f = fopen("/proc/sys/kernel/tainted", "r");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* Echo to 127.0.0.1 from a raw socket: request and reply, out and in. */
static int echo_recorded(struct __test_metadata *_metadata, uint16_t seq)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	static struct rl_evs e;
	struct rl_map m;
	uint8_t buf[64];
	int fd, i, n = 0;
	size_t len;

	memset(&e, 0, sizeof(e));
	if (rl_map_open(&m))
		return -1;
	rl_skip_all(&m);
	fd = rl_raw_socket();
	len = rl_build(buf, ICMP_ECHO, ECHO_ID, seq);
	if (fd < 0 || sendto(fd, buf, len, 0, (struct sockaddr *)&sin, sizeof(sin)) != (ssize_t)len)
		n = -1;
	rl_collect(&m, &e, 4, 3000);
	for (i = 0; n >= 0 && i < e.n; i++)
		if (e.ev[i].pkt.id == ECHO_ID && e.ev[i].pkt.seq == seq &&
		    (e.ev[i].pkt.flags & ICMPT_PKT_HAS_ECHO) &&
		    (e.ev[i].pkt.flags & ICMPT_PKT_CSUM_OK))
			n++;
	TH_LOG("echo seq %u: %d of 4 records", seq, n);
	if (fd >= 0)
		close(fd);
	rl_unmap(&m);
	return n;
}

/* SET_CONFIG enabled=1 (the fuzz may have turned tracing off). */
static int enable(int fd, int family)
{
	struct gmsg m;

	gmsg_init(&m, family, ICMPT_CMD_SET_CONFIG);
	gmsg_u8(&m, ICMPT_A_ENABLED, 1);
	return genl_xfer(fd, &m, NULL);
}

FIXTURE(fuzz) {
	int unused;
};

FIXTURE_SETUP(fuzz)
{
}

FIXTURE_TEARDOWN(fuzz)
{
}

/* 100,000 messages take minutes under TCG. */
TEST_F_TIMEOUT(fuzz, family, 1800)
{
	const char *s_seed = getenv("ICMPT_FUZZ_SEED"), *s_count = getenv("ICMPT_FUZZ_COUNT");
	long count = s_count ? atol(s_count) : 4000, tainted;
	struct stats total, cpus[RL_MAX_RINGS];
	struct tally root = { 0 }, *user;
	struct timeval tv0, tv1;
	uint64_t seed;
	int fd, family, ncpu, i, status;
	pid_t pid;

	if (s_seed) {
		seed = strtoull(s_seed, NULL, 0);
	} else {
		gettimeofday(&tv0, NULL);
		seed = (uint64_t)tv0.tv_sec * 1000003 + tv0.tv_usec;
	}
	TH_LOG("seed %" PRIu64 " (ICMPT_FUZZ_SEED=%" PRIu64 " repeats it), %ld messages",
	       seed, seed, count);
	tainted = read_tainted();
	fd = genl_open();
	ASSERT_LE(0, fd);
	family = genl_family(fd);
	ASSERT_LT(0, family);
	ASSERT_EQ(0, echo_recorded(_metadata, 1) == 4 ? 0 : -1);

	user = mmap(NULL, sizeof(*user), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, user);
	memset(user, 0, sizeof(*user));
	gettimeofday(&tv0, NULL);
	/* First half from a user without CAP_NET_ADMIN, on its own socket. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int ufd;

		rng_state = seed ^ 0x5555555555555555ULL;
		if (setgroups(0, NULL) || setresgid(OTHER_UID, OTHER_UID, OTHER_UID) ||
		    setresuid(OTHER_UID, OTHER_UID, OTHER_UID))
			_exit(2);
		ufd = genl_open();
		if (ufd < 0)
			_exit(3);
		fuzz(ufd, family, count / 2, user);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, status);
	rng_state = seed ? seed : 1;
	{
		int rfd = genl_open();

		ASSERT_LE(0, rfd);
		fuzz(rfd, family, count - count / 2, &root);
		close(rfd);	/* its session's filter, if any, goes with it */
	}
	gettimeofday(&tv1, NULL);
	show(_metadata, "non-root", user);
	show(_metadata, "root", &root);
	TH_LOG("%ld messages in %.1f s", user->sent + root.sent,
	       (tv1.tv_sec - tv0.tv_sec) + (tv1.tv_usec - tv0.tv_usec) / 1e6);
	/* Every message from the unprivileged user got an answer; no admin one passed. */
	EXPECT_EQ(0, user->send_err);
	EXPECT_EQ(0, root.send_err);
	EXPECT_LT(count / 8, user->err[EPERM]);

	/* Still works: the family answers, tracing records, the counters add up. */
	EXPECT_EQ(0, enable(fd, family));
	EXPECT_EQ(0, genl_cmd(fd, family, ICMPT_CMD_GET_CONFIG, NULL));
	EXPECT_EQ(4, echo_recorded(_metadata, 2));
	ncpu = get_stats(fd, family, &total, cpus, RL_MAX_RINGS);
	ASSERT_LE(1, ncpu);
	for (i = 0; i < ncpu; i++) {
		const uint64_t *v = cpus[i].v;

		EXPECT_EQ(v[ICMPT_STAT_A_SEEN], v[ICMPT_STAT_A_RECORDED] +
			  v[ICMPT_STAT_A_FILTERED] + v[ICMPT_STAT_A_DROPPED]);
		EXPECT_EQ(v[ICMPT_STAT_A_DROPPED], v[ICMPT_STAT_A_DROPPED_FULL] +
			  v[ICMPT_STAT_A_DROPPED_BAD_CONSUMER] + v[ICMPT_STAT_A_DROPPED_NESTED]);
	}
	EXPECT_EQ(tainted, read_tainted());
	close(fd);
	munmap(user, sizeof(*user));
}

TEST_HARNESS_MAIN
