// SPDX-License-Identifier: GPL-2.0
/*
 * Promises of include/uapi/linux/icmptrace.h that no other test held
 * (issue 12 item 3):
 *   - "Wakeups": poll() reports POLLIN exactly while a ring holds a record;
 *     a producer wakes a sleeping reader for the first record into an empty
 *     ring; an edge-triggered epoll reader that re-checks every ring after
 *     its consumer_pos store, as the header says, misses no record.
 *   - "The family exists only in the initial network namespace."
 *   - "root in a user namespace (GENL_UNS_ADMIN_PERM) must not change" the
 *     configuration: EPERM, while GET_STATS stays open.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <sys/epoll.h>
#include "kselftest_harness.h"
#include "genllib.h"
#include "ringlib.h"

#define ID 0x7072
#define ROUNDS 20

static int send_echo_reply(int fd, uint16_t seq)
{
	uint8_t buf[64];
	size_t len = rl_build(buf, ICMP_ECHOREPLY, ID, seq);

	return vm_send_lo(fd, 4, buf, len) == (ssize_t)len ? 0 : -errno;
}

struct seen {
	int ours;
	uint16_t last_seq;
};

static void count_ours(void *ctx, unsigned int ring, const struct icmpt_rec_hdr *hdr,
		       const void *rec)
{
	const struct icmpt_event *ev = rec;
	struct seen *s = ctx;

	if (hdr->type == ICMPT_REC_PACKET && hdr->len >= sizeof(*ev) && ev->pkt.id == ID) {
		s->ours++;
		s->last_seq = ev->pkt.seq;
	}
}

/*
 * The edge-triggered rule of the header: drain, publish consumer_pos, full
 * barrier, look at every producer_pos again; only all empty ends it.
 */
static void drain_for_edge(struct rl_map *m, struct seen *s)
{
	unsigned int i;
	int again;

	do {
		again = 0;
		for (i = 0; i < m->info.nr_rings; i++)
			rl_drain(m, i, count_ours, s);	/* release store inside */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		for (i = 0; i < m->info.nr_rings; i++)
			if (rl_prod_pos(&m->r[i]) != rl_cons_pos(&m->r[i]))
				again = 1;
	} while (again);
}

TEST(poll_level_and_epoll_edge)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET }, out;
	struct pollfd pfd;
	struct seen s = { 0 };
	struct rl_map m;
	int raw, ep, r, n;

	ASSERT_EQ(0, rl_map_open(&m));
	raw = rl_raw_socket();
	ASSERT_LE(0, raw);
	rl_skip_all(&m);
	pfd = (struct pollfd){ .fd = m.fd, .events = POLLIN };
	/* Level: nothing pending, then one record pending, then drained. */
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	ASSERT_EQ(0, send_echo_reply(raw, 1));
	EXPECT_EQ(1, poll(&pfd, 1, 2000));
	EXPECT_TRUE(pfd.revents & POLLIN);
	drain_for_edge(&m, &s);
	EXPECT_EQ(2, s.ours);	/* out and in */
	EXPECT_EQ(0, poll(&pfd, 1, 0));

	/* Edge: each send to emptied rings gives an edge; nothing is missed. */
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, m.fd, &ev));
	s.ours = 0;
	for (r = 0; r < ROUNDS; r++) {
		ASSERT_EQ(0, send_echo_reply(raw, 100 + r));
		/* A second record while the first is unread: no new edge needed. */
		ASSERT_EQ(0, send_echo_reply(raw, 200 + r));
		n = epoll_wait(ep, &out, 1, 3000);
		ASSERT_EQ(1, n) TH_LOG("round %d: no edge", r);
		drain_for_edge(&m, &s);
	}
	EXPECT_EQ(4 * ROUNDS, s.ours);
	EXPECT_EQ(200 + ROUNDS - 1, s.last_seq);
	/* All drained: no edge is pending. */
	EXPECT_EQ(0, epoll_wait(ep, &out, 1, 200));
	close(ep);
	close(raw);
	rl_unmap(&m);
}

/* From a socket in another network namespace the family does not resolve. */
TEST(family_only_in_initial_netns)
{
	int fd, status;
	pid_t pid;

	fd = genl_open();
	ASSERT_LE(0, fd);
	EXPECT_LT(0, genl_family(fd));
	close(fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (unshare(CLONE_NEWNET))
			_exit(2);
		fd = genl_open();
		if (fd < 0)
			_exit(3);
		_exit(genl_family(fd) < 0 ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
}

/* Root of a new user namespace, in the initial network namespace. */
TEST(userns_root_gets_eperm)
{
	int status;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct gmsg m;
		int fd, family;

		if (unshare(CLONE_NEWUSER))
			_exit(2);
		fd = genl_open();
		family = fd < 0 ? -1 : genl_family(fd);
		if (family < 0)
			_exit(3);
		if (genl_cmd(fd, family, ICMPT_CMD_GET_STATS, NULL))
			_exit(4);
		gmsg_init(&m, family, ICMPT_CMD_SET_CONFIG);
		gmsg_u8(&m, ICMPT_A_ENABLED, 1);
		if (genl_xfer(fd, &m, NULL) != -EPERM)
			_exit(5);
		if (genl_cmd(fd, family, ICMPT_CMD_GET_FILTER, NULL) != -EPERM)
			_exit(6);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status) TH_LOG("exit %d (2 unshare, 3 family, 4 stats, 5/6 not EPERM)",
				    WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
