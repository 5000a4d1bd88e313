// SPDX-License-Identifier: GPL-2.0
/*
 * The checksum verdict against the stack's own, end to end.  The hooks read
 * the packet and never change it: with the module loaded the stack must
 * still answer a good echo, drop a bad one and count it.  Echo requests to
 * 127.0.0.1 and ::1 from raw IPPROTO_RAW sockets (headers built here), each
 * with an id and seq of its own:
 *   - a good one: recorded out and in with csum_ok, answered (the reply
 *     recorded out and in, csum_ok), and the stack counts no checksum error;
 *   - one whose checksum field is one bit off: recorded out and in with
 *     csum_bad, not answered, and InCsumErrors (Icmp6InCsumErrors) counts
 *     exactly one;
 *   - IPv4 with a timestamp option, which the receiver fills in before
 *     LOCAL_IN without mending the header's checksum: csum_ok at LOCAL_IN
 *     too (the message's sum, not the header's) and answered;
 *   - a 4-byte ICMPv6 message, good and bad: whole, its checksum checked.
 * Records are read straight from the rings (ringlib.c).
 */
#define _GNU_SOURCE
#include "kselftest_harness.h"
#include "genllib.h"
#include "ringlib.h"

#define MAX_EVS RL_EVS_MAX
#define ID_SUM 0x6373

/* Icmp6InCsumErrors from /proc/net/snmp6: "Name value" lines. */
static long snmp6_value(const char *name)
{
	FILE *f = fopen("/proc/net/snmp6", "r");
	char key[128];
	long v, r = -1;

	if (!f)
		return -1;
	while (fscanf(f, "%127s %ld", key, &v) == 2)
		if (!strcmp(key, name))
			r = v;
	fclose(f);
	return r;
}

static long csum_errors(int family)
{
	return family == 6 ? snmp6_value("Icmp6InCsumErrors") : vm_snmp(NULL, "Icmp", "InCsumErrors");
}

/*
 * An echo request ID_SUM/seq with 16 data bytes to loopback; flip: one bit
 * of its checksum field wrong; ts: IPv4 with a 12-byte timestamp option
 * (room for two stamps, which the receiver writes).
 */
static int send_echo(int fd, int family, uint16_t seq, int flip, int ts)
{
	uint8_t pkt[40 + 8 + 16], *m;
	size_t hdr = family == 6 ? 40 : ts ? 32 : 20;

	m = pkt + hdr;
	memset(m + 8, 0xc5, 16);
	if (family == 6) {
		vm_ip6_hdr_lo(pkt, IPPROTO_ICMPV6, 24);
		vm_echo_build(m, 128, ID_SUM, seq, 16, pkt);
	} else {
		vm_ip4_hdr_lo(pkt, 4, IPPROTO_ICMP, hdr - 20 + 24);
		if (ts) {
			pkt[0] = 0x48;		/* ihl 8 */
			pkt[20] = 68;		/* IPOPT_TS */
			pkt[21] = 12;
			pkt[22] = 5;		/* the first free stamp */
			pkt[23] = 0;		/* timestamps only */
			memset(pkt + 24, 0, 8);
		}
		vm_echo_build(m, 8, ID_SUM, seq, 16, NULL);
	}
	if (flip)
		m[3] ^= 0x10;
	return vm_send_lo(fd, family, pkt, hdr + 24) == (ssize_t)(hdr + 24) ? 0 : -errno;
}

FIXTURE(csum) {
	struct rl_map m;
	struct rl_evs e;
	int raw4, raw6;
};

FIXTURE_SETUP(csum)
{
	memset(&self->e, 0, sizeof(self->e));
	ASSERT_EQ(0, rl_map_open(&self->m));
	self->raw4 = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	ASSERT_LE(0, self->raw4) TH_LOG("%s", strerror(errno));
	self->raw6 = socket(AF_INET6, SOCK_RAW, IPPROTO_RAW);
	ASSERT_LE(0, self->raw6) TH_LOG("%s", strerror(errno));
	rl_skip_all(&self->m);
}

FIXTURE_TEARDOWN(csum)
{
	close(self->raw4);
	close(self->raw6);
	rl_unmap(&self->m);
}

/* Records of ID_SUM/seq of type and direction whose verdict is csum. */
static int count(const struct rl_evs *e, int family, uint16_t seq, int type, int dir,
		 uint32_t csum)
{
	const uint32_t verdict = ICMPT_PKT_CSUM_OK | ICMPT_PKT_CSUM_BAD;
	int i, n = 0;

	for (i = 0; i < e->n; i++) {
		const struct icmpt_packet *p = &e->ev[i].pkt;

		if (p->family == family && (p->flags & ICMPT_PKT_HAS_ECHO) && p->id == ID_SUM &&
		    p->seq == seq && p->type == type && e->ev[i].direction == dir &&
		    (p->flags & verdict) == csum)
			n++;
	}
	return n;
}

static void show(struct __test_metadata *_metadata, const struct rl_evs *e)
{
	int i;

	for (i = 0; i < e->n; i++)
		TH_LOG("record %d: dir=%u family=%u type=%u id=0x%x seq=%u flags=0x%x", i,
		       e->ev[i].direction, e->ev[i].pkt.family, e->ev[i].pkt.type,
		       e->ev[i].pkt.id, e->ev[i].pkt.seq, e->ev[i].pkt.flags);
}

/*
 * Sends one echo and checks what was recorded and what the stack did:
 * answered (4 records, all csum_ok, no checksum error counted) or, with
 * flip, dropped (2 records, csum_bad, one error counted).
 */
static void check(struct __test_metadata *_metadata, FIXTURE_DATA(csum) *self, int family,
		  uint16_t seq, int flip, int ts)
{
	int req = family == 6 ? 128 : 8, rep = family == 6 ? 129 : 0;
	uint32_t want = flip ? ICMPT_PKT_CSUM_BAD : ICMPT_PKT_CSUM_OK;
	long err0 = csum_errors(family), err1;

	ASSERT_LE(0, err0);
	ASSERT_EQ(0, send_echo(family == 6 ? self->raw6 : self->raw4, family, seq, flip, ts));
	rl_collect(&self->m, &self->e, flip ? 2 : 4, 3000);
	usleep(300 * 1000);	/* a reply that should not come */
	rl_collect(&self->m, &self->e, MAX_EVS, 0);
	show(_metadata, &self->e);
	err1 = csum_errors(family);
	EXPECT_EQ(1, count(&self->e, family, seq, req, ICMPT_DIR_OUT, want));
	EXPECT_EQ(1, count(&self->e, family, seq, req, ICMPT_DIR_IN, want));
	EXPECT_EQ(flip ? 0 : 1, count(&self->e, family, seq, rep, ICMPT_DIR_OUT,
				      ICMPT_PKT_CSUM_OK));
	EXPECT_EQ(flip ? 0 : 1, count(&self->e, family, seq, rep, ICMPT_DIR_IN,
				      ICMPT_PKT_CSUM_OK));
	EXPECT_EQ(flip ? 2 : 4, self->e.n);
	EXPECT_EQ(flip ? 1 : 0, err1 - err0) TH_LOG("checksum errors counted by the stack");
}

TEST_F(csum, v4_good_answered)
{
	check(_metadata, self, 4, 1, 0, 0);
}

TEST_F(csum, v4_bad_dropped_and_counted)
{
	check(_metadata, self, 4, 2, 1, 0);
}

TEST_F(csum, v4_timestamp_option_answered)
{
	check(_metadata, self, 4, 3, 0, 1);
}

TEST_F(csum, v6_good_answered)
{
	check(_metadata, self, 6, 4, 0, 0);
}

TEST_F(csum, v6_bad_dropped_and_counted)
{
	check(_metadata, self, 6, 5, 1, 0);
}

/*
 * A 4-byte ICMPv6 message (RFC 4286's Multicast Router Solicitation: type,
 * code and checksum, nothing more) to ::1: whole, not truncated, its
 * checksum checked.  flip: one bit of the checksum wrong.  The stack does
 * not answer; it counts the bad one as a checksum error.
 */
static void check_four_byte(struct __test_metadata *_metadata, FIXTURE_DATA(csum) *self,
			    int flip)
{
	const uint32_t verdict = ICMPT_PKT_CSUM_OK | ICMPT_PKT_CSUM_BAD;
	uint32_t want = flip ? ICMPT_PKT_CSUM_BAD : ICMPT_PKT_CSUM_OK;
	uint8_t pkt[44], ph[44] = { 0 };
	long err0 = csum_errors(6), err1;
	uint16_t c;
	int i, n = 0;

	ASSERT_LE(0, err0);
	vm_ip6_hdr_lo(pkt, IPPROTO_ICMPV6, 4);
	memcpy(ph, pkt + 8, 32);
	ph[35] = 4;
	ph[39] = 58;
	ph[40] = pkt[40] = 152;
	pkt[41] = 0;
	c = vm_csum(ph, 44);
	pkt[42] = c >> 8;
	pkt[43] = (c & 0xff) ^ (flip ? 0x10 : 0);
	ASSERT_EQ(44, vm_send_lo(self->raw6, 6, pkt, 44));
	rl_collect(&self->m, &self->e, 2, 3000);
	usleep(300 * 1000);
	rl_collect(&self->m, &self->e, MAX_EVS, 0);
	show(_metadata, &self->e);
	err1 = csum_errors(6);
	for (i = 0; i < self->e.n; i++) {
		const struct icmpt_packet *p = &self->e.ev[i].pkt;

		EXPECT_EQ(152, p->type);
		EXPECT_EQ(4, p->icmp_len);
		EXPECT_EQ((pkt[42] << 8) | pkt[43], p->checksum);
		EXPECT_EQ(0, p->flags & ICMPT_PKT_TRUNCATED);
		if (p->type == 152 && (p->flags & verdict) == want)
			n++;
	}
	EXPECT_EQ(2, self->e.n);
	EXPECT_EQ(2, n) TH_LOG("records out and in with the verdict 0x%x", want);
	EXPECT_EQ(flip ? 1 : 0, err1 - err0) TH_LOG("checksum errors counted by the stack");
}

TEST_F(csum, v6_four_byte_message_whole)
{
	check_four_byte(_metadata, self, 0);
}

TEST_F(csum, v6_four_byte_message_bad_checksum)
{
	check_four_byte(_metadata, self, 1);
}

TEST_HARNESS_MAIN
