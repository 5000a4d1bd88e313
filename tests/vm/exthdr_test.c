// SPDX-License-Identifier: GPL-2.0
/*
 * ICMPv6 behind IPv6 extension headers (issue 12 item 2).  Echo requests
 * are sent to ::1 from a raw IPPROTO_RAW socket (the header built here):
 *   - behind one Destination Options header with two 200-byte unknown
 *     skippable options (the ICMPv6 header at byte 448, past any fixed
 *     snapshot of the first bytes);
 *   - behind nine small Destination Options headers;
 *   - IPv4 with a bad version nibble (raw IP_HDRINCL): protocol ICMP is
 *     recorded, flagged bad_ip.
 * The kernel answers both requests; request and reply must each be
 * recorded out and in with the id and seq sent here.  A chain cut short
 * (an extension header past the last byte) is recorded with
 * ICMPT_PKT_EXT_BROKEN, out and in, and every record is counted in seen.
 * The records are read straight from the rings (ringlib.c).
 */
#define _GNU_SOURCE
#include "kselftest_harness.h"
#include "genllib.h"
#include "ringlib.h"

#define MAX_EVS RL_EVS_MAX
#define ID_LONG 0x6c6f
#define ID_MANY 0x6d61

/* Echo request id/seq with 16 bytes of data at p, behind IPv6 header ip6. */
static size_t echo6(uint8_t *p, const uint8_t *ip6, uint16_t id, uint16_t seq)
{
	memset(p + 8, 0xa5, 16);
	return vm_echo_build(p, 128, id, seq, 16, ip6);
}

static int send6(int fd, const uint8_t *pkt, size_t len)
{
	return vm_send_lo(fd, 6, pkt, len) == (ssize_t)len ? 0 : -errno;
}

/* One Destination Options header of two 200-byte options of unknown type 0x1e. */
static int send_long_opts(int fd, uint16_t seq)
{
	uint8_t pkt[40 + 408 + 24];
	uint8_t *d = pkt + 40;

	memset(d, 0, 408);
	d[0] = IPPROTO_ICMPV6;
	d[1] = 408 / 8 - 1;
	d[2] = 0x1e;		/* 00: skip if unknown */
	d[3] = 200;
	d[204] = 0x1e;
	d[205] = 200;
	d[406] = 1;		/* PadN, no data */
	d[407] = 0;
	vm_ip6_hdr_lo(pkt, IPPROTO_DSTOPTS, 408 + 24);
	echo6(pkt + 40 + 408, pkt, ID_LONG, seq);
	return send6(fd, pkt, sizeof(pkt));
}

/* Nine Destination Options headers of 8 bytes (one PadN each). */
static int send_many_opts(int fd, uint16_t seq)
{
	uint8_t pkt[40 + 9 * 8 + 24];
	int i;

	for (i = 0; i < 9; i++) {
		uint8_t *d = pkt + 40 + 8 * i;

		memset(d, 0, 8);
		d[0] = i == 8 ? IPPROTO_ICMPV6 : IPPROTO_DSTOPTS;
		d[2] = 1;	/* PadN of 4 */
		d[3] = 4;
	}
	vm_ip6_hdr_lo(pkt, IPPROTO_DSTOPTS, 9 * 8 + 24);
	echo6(pkt + 40 + 72, pkt, ID_MANY, seq);
	return send6(fd, pkt, sizeof(pkt));
}

/* A Destination Options header that says another follows, then 4 bytes. */
static int send_broken(int fd)
{
	uint8_t pkt[40 + 12] = { 0 };

	vm_ip6_hdr_lo(pkt, IPPROTO_DSTOPTS, 12);
	pkt[40] = IPPROTO_DSTOPTS;
	pkt[42] = 1;
	pkt[43] = 4;
	pkt[48] = IPPROTO_ICMPV6;	/* looks like one more header: cut */
	return send6(fd, pkt, sizeof(pkt));
}

/* IPv4, protocol ICMP, version nibble 5: recorded, bad_ip. */
static int send_bad_version(void)
{
	uint8_t pkt[28] = { 0 };
	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW), rc;

	if (fd < 0)
		return -errno;
	vm_ip4_hdr_lo(pkt, 5, IPPROTO_ICMP, 8);
	pkt[20] = ICMP_ECHO;
	rc = vm_send_lo(fd, 4, pkt, sizeof(pkt));
	close(fd);
	return rc == (int)sizeof(pkt) ? 0 : -errno;
}

/* Records of id/seq: *req_out.. counted by direction and type. */
static int count_echo(const struct rl_evs *e, uint16_t id, uint16_t seq, int type, int dir,
		      unsigned int icmp_off)
{
	int i, n = 0;

	for (i = 0; i < e->n; i++) {
		const struct icmpt_packet *p = &e->ev[i].pkt;

		if (p->family != 6 || !(p->flags & ICMPT_PKT_HAS_ECHO) || p->id != id ||
		    p->seq != seq || p->type != type || e->ev[i].direction != dir)
			continue;
		if (icmp_off && (e->ev[i].detail.icmp_off != icmp_off ||
				 !(p->flags & ICMPT_PKT_EXT_HDRS) ||
				 !(p->flags & ICMPT_PKT_CSUM_OK) ||
				 e->ev[i].detail.kind != ICMPT_DET_ECHO))
			continue;
		n++;
	}
	return n;
}

FIXTURE(exthdr) {
	struct rl_map m;
	struct rl_evs e;
	int raw6, genl, family;
	struct stats t0;
};

FIXTURE_SETUP(exthdr)
{
	struct stats cpus[RL_MAX_RINGS];

	memset(&self->e, 0, sizeof(self->e));
	ASSERT_EQ(0, rl_map_open(&self->m));
	self->raw6 = socket(AF_INET6, SOCK_RAW, IPPROTO_RAW);
	ASSERT_LE(0, self->raw6) TH_LOG("%s", strerror(errno));
	self->genl = genl_open();
	ASSERT_LE(0, self->genl);
	self->family = genl_family(self->genl);
	ASSERT_LT(0, self->family);
	rl_skip_all(&self->m);
	ASSERT_LE(1, get_stats(self->genl, self->family, &self->t0, cpus, RL_MAX_RINGS));
}

FIXTURE_TEARDOWN(exthdr)
{
	close(self->raw6);
	close(self->genl);
	rl_unmap(&self->m);
}

static void show(struct __test_metadata *_metadata, const struct rl_evs *e)
{
	int i;

	for (i = 0; i < e->n; i++)
		TH_LOG("record %d: dir=%u family=%u type=%u id=0x%x seq=%u icmp_off=%u "
		       "ip_len=%u flags=0x%x", i, e->ev[i].direction, e->ev[i].pkt.family,
		       e->ev[i].pkt.type, e->ev[i].pkt.id, e->ev[i].pkt.seq,
		       e->ev[i].detail.icmp_off, e->ev[i].pkt.ip_len, e->ev[i].pkt.flags);
}

/* Every record of the test is counted in seen, and recorded. */
static void check_seen(struct __test_metadata *_metadata, FIXTURE_DATA(exthdr) *self)
{
	struct stats t1, cpus[RL_MAX_RINGS];

	ASSERT_LE(1, get_stats(self->genl, self->family, &t1, cpus, RL_MAX_RINGS));
	EXPECT_EQ(self->e.n, t1.v[ICMPT_STAT_A_SEEN] - self->t0.v[ICMPT_STAT_A_SEEN]);
	EXPECT_EQ(self->e.n, t1.v[ICMPT_STAT_A_RECORDED] - self->t0.v[ICMPT_STAT_A_RECORDED]);
}

/* Request out and in at icmp_off, the kernel's reply out and in, no more. */
static void check_echo(struct __test_metadata *_metadata, FIXTURE_DATA(exthdr) *self,
		       uint16_t id, uint16_t seq, unsigned int icmp_off)
{
	rl_collect(&self->m, &self->e, 4, 3000);
	show(_metadata, &self->e);
	EXPECT_EQ(1, count_echo(&self->e, id, seq, 128, ICMPT_DIR_OUT, icmp_off));
	EXPECT_EQ(1, count_echo(&self->e, id, seq, 128, ICMPT_DIR_IN, icmp_off));
	EXPECT_EQ(1, count_echo(&self->e, id, seq, 129, ICMPT_DIR_OUT, 0));
	EXPECT_EQ(1, count_echo(&self->e, id, seq, 129, ICMPT_DIR_IN, 0));
	EXPECT_EQ(4, self->e.n);
	check_seen(_metadata, self);
}

TEST_F(exthdr, long_destination_options)
{
	ASSERT_EQ(0, send_long_opts(self->raw6, 11));
	check_echo(_metadata, self, ID_LONG, 11, 448);
}

TEST_F(exthdr, nine_destination_options)
{
	ASSERT_EQ(0, send_many_opts(self->raw6, 12));
	check_echo(_metadata, self, ID_MANY, 12, 112);
}

TEST_F(exthdr, broken_chain_flagged)
{
	int i, out = 0, in = 0;

	ASSERT_EQ(0, send_broken(self->raw6));
	rl_collect(&self->m, &self->e, 2, 3000);
	usleep(200 * 1000);
	rl_collect(&self->m, &self->e, MAX_EVS, 0);
	show(_metadata, &self->e);
	for (i = 0; i < self->e.n; i++) {
		const struct icmpt_event *ev = &self->e.ev[i];

		if (ev->pkt.family != 6 || ev->pkt.ip_len != 52 ||
		    !(ev->pkt.flags & ICMPT_PKT_EXT_BROKEN) || ev->pkt.type || ev->pkt.icmp_len)
			continue;
		if (ev->direction == ICMPT_DIR_OUT)
			out++;
		else
			in++;
	}
	EXPECT_EQ(1, out);
	EXPECT_EQ(1, in);
	EXPECT_EQ(2, self->e.n);
	check_seen(_metadata, self);
}

TEST_F(exthdr, ipv4_bad_version_recorded)
{
	int i, n = 0;

	ASSERT_EQ(0, send_bad_version());
	rl_collect(&self->m, &self->e, 1, 3000);
	usleep(200 * 1000);
	rl_collect(&self->m, &self->e, MAX_EVS, 0);
	show(_metadata, &self->e);
	for (i = 0; i < self->e.n; i++)
		if (self->e.ev[i].pkt.family == 4 && self->e.ev[i].pkt.ip_len == 28 &&
		    (self->e.ev[i].pkt.flags & ICMPT_PKT_BAD_IP) &&
		    self->e.ev[i].direction == ICMPT_DIR_OUT)
			n++;
	/* ip_rcv drops a version-5 datagram before LOCAL_IN: out only. */
	EXPECT_EQ(1, n);
	EXPECT_EQ(1, self->e.n);
	check_seen(_metadata, self);
}

TEST_HARNESS_MAIN
