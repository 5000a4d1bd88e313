// SPDX-License-Identifier: GPL-2.0
/*
 * Edge cases: truncation at every header boundary, IPv4 options,
 * fragments, IPv6 extension header chains, checksums, malformed IP
 * headers, and the embedded datagram cut at every point.
 */
#include <stdlib.h>
#include <string.h>
#include "pkt.h"

#define CSUM_FLAGS (ICMPT_PKT_CSUM_OK | ICMPT_PKT_CSUM_BAD)

static void test_trunc_v4_every_length(void **state)
{
	static const unsigned char data[56] = { 7 };
	unsigned char b[T_MAX];
	unsigned int n = t_pkt4(b, 8, 0, 0x00050006, data, 56), cap;
	struct t_res r;

	(void)state;
	for (cap = 0; cap <= n; cap++) {
		t_parse(&r, b, cap, n);
		if (cap < 20) {
			assert_int_equal(r.rc, -1);
			continue;
		}
		assert_int_equal(r.rc, 0);
		assert_int_equal(r.det.caplen, cap);
		assert_int_equal(r.det.icmp_off, 20);
		assert_int_equal(r.pkt.ip_len, n);
		assert_int_equal(r.pkt.icmp_len, n - 20);
		assert_int_equal(r.pkt.type, cap >= 22 ? 8 : 0);
		assert_int_equal(r.pkt.checksum,
				 cap >= 24 ? (b[22] << 8 | b[23]) : 0);
		if (cap < 28) {
			assert_int_equal(r.pkt.flags, ICMPT_PKT_TRUNCATED);
			assert_int_equal(r.det.kind, ICMPT_DET_NONE);
			assert_int_equal(r.pkt.rest, 0);
			continue;
		}
		assert_int_equal(r.det.kind, ICMPT_DET_ECHO);
		assert_int_equal(r.pkt.id, 5);
		assert_int_equal(r.pkt.seq, 6);
		assert_int_equal(r.pkt.flags, ICMPT_PKT_HAS_ECHO |
				 (cap == n ? ICMPT_PKT_CSUM_OK : 0));
	}
}

static void test_trunc_v6_every_length(void **state)
{
	unsigned char b[T_MAX];
	unsigned int n = t_pkt6(b, 129, 0, 0x00050006, "abcdefgh", 8), cap;
	struct t_res r;

	(void)state;
	for (cap = 0; cap <= n; cap++) {
		t_parse(&r, b, cap, n);
		if (cap < 40) {
			assert_int_equal(r.rc, -1);
			continue;
		}
		assert_int_equal(r.rc, 0);
		assert_int_equal(r.pkt.family, 6);
		assert_int_equal(r.pkt.icmp_len, 16);
		assert_int_equal(r.pkt.type, cap >= 42 ? 129 : 0);
		if (cap < 48) {
			assert_int_equal(r.pkt.flags, ICMPT_PKT_TRUNCATED);
			assert_int_equal(r.det.kind, ICMPT_DET_NONE);
			continue;
		}
		assert_int_equal(r.det.u.echo.seq, 6);
		assert_int_equal(r.pkt.flags, ICMPT_PKT_HAS_ECHO |
				 (cap == n ? ICMPT_PKT_CSUM_OK : 0));
	}
}

/* Messages shorter than their fixed part, on the wire or in the capture. */
static void test_trunc_fixed_parts(void **state)
{
	static const struct { unsigned int v6, type, full; } m[] = {
		{ 0, 13, 20 }, { 0, 14, 20 }, { 0, 17, 12 }, { 0, 18, 12 },
		{ 1, 134, 16 }, { 1, 135, 24 }, { 1, 136, 24 }, { 1, 137, 40 },
		{ 1, 130, 24 }, { 1, 131, 24 }, { 1, 132, 24 },
	};
	unsigned char b[T_MAX], body[64] = { 0 };
	unsigned int i, len;
	struct t_res r;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(m); i++) {
		for (len = 8; len <= m[i].full; len++) {
			unsigned int n = m[i].v6 ?
				t_pkt6(b, m[i].type, 0, 0, body, len - 8) :
				t_pkt4(b, m[i].type, 0, 0, body, len - 8);
			unsigned int hl = m[i].v6 ? 40 : 20;

			/* Short on the wire: whole, so checksummed. */
			t_parse_all(&r, b, n);
			assert_int_equal(r.rc, 0);
			assert_int_equal(r.pkt.type, m[i].type);
			assert_int_equal(!!(r.pkt.flags & ICMPT_PKT_TRUNCATED),
					 len < m[i].full);
			assert_int_equal(r.det.kind == ICMPT_DET_NONE,
					 len < m[i].full);
			assert_true(r.pkt.flags & ICMPT_PKT_CSUM_OK);
			/* Full on the wire, cut by the capture. */
			n = m[i].v6 ?
				t_pkt6(b, m[i].type, 0, 0, body, m[i].full - 8) :
				t_pkt4(b, m[i].type, 0, 0, body, m[i].full - 8);
			t_parse(&r, b, hl + len, n);
			assert_int_equal(!!(r.pkt.flags & ICMPT_PKT_TRUNCATED),
					 len < m[i].full);
			assert_int_equal(r.det.kind == ICMPT_DET_NONE,
					 len < m[i].full);
		}
	}
}

/* A 28-byte query is MLDv2 even when the capture holds only 24..27. */
static void test_trunc_mld2(void **state)
{
	unsigned char b[T_MAX], body[40] = { 0xff, 2 };
	unsigned int n = t_pkt6(b, 130, 0, 0, body, 20), cap;
	struct t_res r;

	(void)state;
	for (cap = 40 + 24; cap < n; cap++) {
		t_parse(&r, b, cap, n);
		assert_true(r.pkt.flags & ICMPT_PKT_TRUNCATED);
		assert_int_equal(r.det.kind, ICMPT_DET_NONE);
	}
	/* MLDv2 report: a record announced but cut. */
	n = t_pkt6(b, 143, 0, 1, body, 19);
	t_parse_all(&r, b, n);
	assert_int_equal(r.det.kind, ICMPT_DET_MLD2_REPORT);
	assert_int_equal(r.det.u.mld2_report.nr_records, 1);
	assert_int_equal(r.det.u.mld2_report.first_valid, 0);
	assert_true(r.pkt.flags & ICMPT_PKT_TRUNCATED);
}

static void test_v4_options(void **state)
{
	unsigned char b[T_MAX], m[T_MAX];
	unsigned int mn = t_icmp(m, 8, 0, 0x00010002, NULL, 0), opt, cap;
	struct t_res r;

	(void)state;
	t_csum4(m, mn);
	for (opt = 4; opt <= 40; opt += 4) {
		unsigned int n = t_ip4(b, 1, opt, m, mn);

		t_parse_all(&r, b, n);
		assert_int_equal(r.rc, 0);
		assert_int_equal(r.pkt.flags, ICMPT_PKT_IP_OPTS |
				 ICMPT_PKT_HAS_ECHO | ICMPT_PKT_CSUM_OK);
		assert_int_equal(r.det.icmp_off, 20 + opt);
		assert_int_equal(r.pkt.icmp_len, 8);
		assert_int_equal(r.pkt.seq, 2);
		/* Capture ending inside the options or the ICMP header. */
		for (cap = 20; cap < n; cap++) {
			t_parse(&r, b, cap, n);
			assert_int_equal(r.rc, 0);
			assert_int_equal(r.pkt.flags, ICMPT_PKT_IP_OPTS |
					 ICMPT_PKT_TRUNCATED);
			assert_int_equal(r.pkt.type, cap >= 22 + opt ? 8 : 0);
		}
	}
}

static void test_v4_fragments(void **state)
{
	unsigned char b[T_MAX];
	unsigned int n = t_pkt4(b, 8, 0, 0x00010002, "12345678", 8);
	struct t_res r;

	(void)state;
	b[6] = 0x00;		/* offset 185 * 8 */
	b[7] = 185;
	t_parse_all(&r, b, n);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.pkt.flags, ICMPT_PKT_FRAGMENT);
	assert_int_equal(r.pkt.type, 0);
	assert_int_equal(r.pkt.icmp_len, 16);
	assert_int_equal(r.det.kind, ICMPT_DET_NONE);
	assert_int_equal(r.det.icmp_off, 0);

	b[6] = 0x20 | 0x1f;	/* MF and the highest offset */
	b[7] = 0xff;
	t_parse_all(&r, b, n);
	assert_int_equal(r.pkt.flags, ICMPT_PKT_FRAGMENT);

	/* First fragment: decoded, but the checksum covers more. */
	b[6] = 0x20;
	b[7] = 0;
	t_parse_all(&r, b, n);
	assert_int_equal(r.pkt.flags,
			 ICMPT_PKT_MORE_FRAGS | ICMPT_PKT_HAS_ECHO);
	assert_int_equal(r.det.kind, ICMPT_DET_ECHO);

	/* DF is not a fragment. */
	b[6] = 0x40;
	t_parse_all(&r, b, n);
	assert_int_equal(r.pkt.flags, ICMPT_PKT_HAS_ECHO | ICMPT_PKT_CSUM_OK);
}

/* IPv6 datagram: ext[0..elen) then an echo request, checksum right. */
static unsigned int t_v6_ext(unsigned char *b, unsigned int nh,
			     const unsigned char *ext, unsigned int elen)
{
	unsigned char pl[T_MAX];
	unsigned int mn = t_icmp(pl + elen, 128, 0, 0x00090001, "ping", 4);

	memcpy(pl, ext, elen);
	t_csum6(pl + elen, mn);
	return t_ip6(b, nh, pl, elen + mn);
}

static void test_v6_fragments(void **state)
{
	unsigned char b[T_MAX], frag[8] = { 58, 0, 0x03, 0x20, 1, 2, 3, 4 };
	unsigned int n = t_v6_ext(b, 44, frag, 8);
	struct t_res r;

	(void)state;
	t_parse_all(&r, b, n);	/* offset 100 */
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.pkt.flags, ICMPT_PKT_EXT_HDRS | ICMPT_PKT_FRAGMENT);
	assert_int_equal(r.pkt.type, 0);
	assert_int_equal(r.pkt.icmp_len, 12);
	assert_int_equal(r.det.kind, ICMPT_DET_NONE);

	/* Non-first fragment of something else: not ours to record. */
	frag[0] = 60;
	t_parse_all(&r, b, t_v6_ext(b, 44, frag, 8));
	assert_int_equal(r.rc, -1);

	/* First fragment, M set: decoded, no checksum verdict. */
	frag[0] = 58;
	frag[2] = 0;
	frag[3] = 1;
	t_parse_all(&r, b, t_v6_ext(b, 44, frag, 8));
	assert_int_equal(r.pkt.flags, ICMPT_PKT_EXT_HDRS |
			 ICMPT_PKT_MORE_FRAGS | ICMPT_PKT_HAS_ECHO);
	assert_int_equal(r.det.icmp_off, 48);
	assert_int_equal(r.pkt.seq, 1);

	/* Atomic fragment: a whole message. */
	frag[3] = 0;
	t_parse_all(&r, b, t_v6_ext(b, 44, frag, 8));
	assert_int_equal(r.pkt.flags, ICMPT_PKT_EXT_HDRS |
			 ICMPT_PKT_HAS_ECHO | ICMPT_PKT_CSUM_OK);
}

static void test_v6_ext_chain(void **state)
{
	unsigned char ext[8 + 16 + 24 + 24] = {
		60, 0, 1, 4, 0, 0, 0, 0,		/* hop-by-hop, PadN */
		43, 1, 1, 12, [23] = 0,			/* dest opts, 16 */
		51, 2, 0, 0, [47] = 0,			/* routing, 24, SL 0 */
		58, 4,					/* AH, (4 + 2) * 4 */
	};
	unsigned char b[T_MAX], many[9 * 8] = { 0 };
	unsigned int n = t_v6_ext(b, 0, ext, sizeof(ext)), cap, i;
	struct t_res r;

	(void)state;
	t_parse_all(&r, b, n);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.pkt.flags, ICMPT_PKT_EXT_HDRS |
			 ICMPT_PKT_HAS_ECHO | ICMPT_PKT_CSUM_OK);
	assert_int_equal(r.det.icmp_off, 40 + sizeof(ext));
	assert_int_equal(r.pkt.icmp_len, 12);
	assert_int_equal(r.pkt.id, 9);

	/* Cut inside the chain: cannot tell it is ICMPv6. */
	for (cap = 40; cap < 40 + sizeof(ext); cap++) {
		t_parse(&r, b, cap, n);
		assert_int_equal(r.rc, cap < 40 + 48 + 8 ? -1 : 0);
		if (!r.rc)
			assert_true(r.pkt.flags & ICMPT_PKT_TRUNCATED);
	}

	/* Routing header with segments left: daddr is not final. */
	ext[24 + 3] = 1;
	t_parse_all(&r, b, t_v6_ext(b, 0, ext, sizeof(ext)));
	assert_int_equal(r.pkt.flags, ICMPT_PKT_EXT_HDRS | ICMPT_PKT_HAS_ECHO);

	/*
	 * The datagram's own chain is walked as far as its bytes go, as the
	 * module walks it (-r of a capture decodes what a live trace did):
	 * eight destination options headers, nine, forty.
	 */
	for (i = 0; i < 9; i++)
		many[i * 8] = i == 7 ? 58 : 60;
	t_parse_all(&r, b, t_v6_ext(b, 60, many, 64));
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.det.icmp_off, 40 + 64);
	assert_true(r.pkt.flags & ICMPT_PKT_CSUM_OK);
	many[7 * 8] = 60;
	many[8 * 8] = 58;
	t_parse_all(&r, b, t_v6_ext(b, 60, many, 72));
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.det.icmp_off, 40 + 72);
	assert_int_equal(r.pkt.id, 9);
	assert_true(r.pkt.flags & ICMPT_PKT_CSUM_OK);
	{
		unsigned char forty[40 * 8] = { 0 };

		for (i = 0; i < 40; i++)
			forty[i * 8] = i == 39 ? 58 : 60;
		t_parse_all(&r, b, t_v6_ext(b, 60, forty, sizeof(forty)));
		assert_int_equal(r.rc, 0);
		assert_int_equal(r.det.icmp_off, 40 + sizeof(forty));
		assert_true(r.pkt.flags & ICMPT_PKT_CSUM_OK);
	}

	/* ESP hides what follows; other protocols are not ICMPv6. */
	t_parse_all(&r, b, t_v6_ext(b, 50, many, 8));
	assert_int_equal(r.rc, -1);
	t_parse_all(&r, b, t_v6_ext(b, 17, many, 8));
	assert_int_equal(r.rc, -1);
}

/*
 * The module's path (icmpt_skb.c): the chain walked on the packet, then
 * the IPv6 header and the bytes from the ICMPv6 header on, each in a heap
 * buffer of exactly its size.  Nine headers and a 408-byte one decode as
 * fully as a bare echo; a chain that ends past the bytes is flagged.
 */
static void t_parse_at(struct t_res *r, const unsigned char *b,
		       const struct icmpt_v6_chain *c, unsigned int n,
		       unsigned int wirelen)
{
	unsigned char *ip6 = malloc(40), *l4 = n ? malloc(n) : NULL;

	memcpy(ip6, b, 40);
	if (n)
		memcpy(l4, b + c->off, n);
	icmpt_parse_v6_at(&r->pkt, &r->det, ip6, c, l4, n, wirelen);
	r->rc = 0;
	free(ip6);
	free(l4);
}

static void test_v6_located(void **state)
{
	unsigned char b[T_MAX], many[9 * 8] = { 0 }, big[408] = { 58, 50 };
	struct icmpt_v6_chain c = { .nh = 58, .off = 40 + 72, .hdrs = 9 };
	unsigned int n, i;
	struct t_res r;

	(void)state;
	for (i = 0; i < 9; i++)
		many[i * 8] = i == 8 ? 58 : 60;
	n = t_v6_ext(b, 60, many, 72);
	t_parse_at(&r, b, &c, n - c.off, n);
	assert_int_equal(r.pkt.flags, ICMPT_PKT_EXT_HDRS |
			 ICMPT_PKT_HAS_ECHO | ICMPT_PKT_CSUM_OK);
	assert_int_equal(r.det.icmp_off, 112);
	assert_int_equal(r.det.kind, ICMPT_DET_ECHO);
	assert_int_equal(r.pkt.id, 9);
	assert_int_equal(r.pkt.icmp_len, n - 112);
	assert_int_equal(r.det.caplen, 40 + n - 112);
	{
		/* The buffer's walk (-r) finds the same message. */
		struct t_res all;

		t_parse_all(&all, b, n);
		assert_int_equal(all.rc, 0);
		assert_int_equal(all.pkt.flags, r.pkt.flags);
		assert_int_equal(all.det.icmp_off, r.det.icmp_off);
		assert_int_equal(all.pkt.icmp_len, r.pkt.icmp_len);
	}

	/* Two 200-byte options: the ICMPv6 header at 448. */
	big[2] = 0x1e;
	big[3] = 200;
	big[204] = 0x1e;
	big[205] = 200;
	big[406] = 1;
	n = t_v6_ext(b, 60, big, sizeof(big));
	c = (struct icmpt_v6_chain){ .nh = 58, .off = 448, .hdrs = 1 };
	t_parse_at(&r, b, &c, n - 448, n);
	assert_int_equal(r.pkt.flags, ICMPT_PKT_EXT_HDRS |
			 ICMPT_PKT_HAS_ECHO | ICMPT_PKT_CSUM_OK);
	assert_int_equal(r.det.icmp_off, 448);
	assert_int_equal(r.pkt.ip_len, n);
	/* Only 4 bytes of it: cut, no verdict. */
	t_parse_at(&r, b, &c, 4, n);
	assert_int_equal(r.pkt.flags, ICMPT_PKT_EXT_HDRS | ICMPT_PKT_TRUNCATED);
	assert_int_equal(r.pkt.type, 128);
	/* Ends past the bytes: the IPv6 header only, flagged. */
	c.broken = 1;
	t_parse_at(&r, b, &c, 0, n);
	assert_int_equal(r.pkt.flags, ICMPT_PKT_EXT_HDRS | ICMPT_PKT_EXT_BROKEN);
	assert_int_equal(r.pkt.family, 6);
	assert_int_equal(r.pkt.icmp_len, 0);
	assert_int_equal(r.pkt.type, 0);
	assert_memory_equal(r.pkt.saddr, t_src6, 16);
	/* A first fragment, and a routing header with segments left. */
	c = (struct icmpt_v6_chain){ .nh = 58, .off = 448, .hdrs = 2, .more = 1 };
	t_parse_at(&r, b, &c, n - 448, n);
	assert_int_equal(r.pkt.flags, ICMPT_PKT_EXT_HDRS | ICMPT_PKT_HAS_ECHO |
			 ICMPT_PKT_MORE_FRAGS);
	c = (struct icmpt_v6_chain){ .nh = 58, .off = 448, .hdrs = 2, .routed = 1 };
	t_parse_at(&r, b, &c, n - 448, n);
	assert_int_equal(r.pkt.flags, ICMPT_PKT_EXT_HDRS | ICMPT_PKT_HAS_ECHO);
}

/* The hook knows the protocol is ICMP: any IPv4 header is recorded. */
static void test_v4_any_header(void **state)
{
	unsigned char b[T_MAX], *h;
	unsigned int n = t_pkt4(b, 8, 0, 0x00070001, NULL, 0);
	struct icmpt_packet pkt;
	struct icmpt_detail det;

	(void)state;
	b[0] = 0x55;	/* version 5 */
	h = malloc(n);
	memcpy(h, b, n);
	assert_int_equal(icmpt_parse(&pkt, &det, h, n, n), -1);
	assert_int_equal(icmpt_parse_ipv4(&pkt, &det, h, n, n), 0);
	assert_int_equal(pkt.family, 4);
	assert_int_equal(pkt.flags, ICMPT_PKT_BAD_IP);
	assert_int_equal(icmpt_parse_ipv4(&pkt, &det, h, 12, 12), 0);
	assert_int_equal(pkt.flags, ICMPT_PKT_BAD_IP | ICMPT_PKT_TRUNCATED);
	h[0] = 0x45;
	assert_int_equal(icmpt_parse_ipv4(&pkt, &det, h, n, n), 0);
	assert_int_equal(pkt.flags, ICMPT_PKT_HAS_ECHO | ICMPT_PKT_CSUM_OK);
	assert_int_equal(pkt.seq, 1);
	free(h);
}

static void test_checksum(void **state)
{
	unsigned char b[T_MAX], p[T_MAX];
	unsigned int n = t_pkt4(b, 8, 0, 1, "odd", 3);
	struct t_res r;

	(void)state;
	t_parse_all(&r, b, n);
	assert_int_equal(r.pkt.flags, ICMPT_PKT_HAS_ECHO | ICMPT_PKT_CSUM_OK);
	b[n - 1] ^= 0x40;
	t_parse_all(&r, b, n);
	assert_int_equal(r.pkt.flags, ICMPT_PKT_HAS_ECHO | ICMPT_PKT_CSUM_BAD);
	b[n - 1] ^= 0x40;
	b[23] ^= 1;
	t_parse_all(&r, b, n);
	assert_int_equal(r.pkt.flags & CSUM_FLAGS, ICMPT_PKT_CSUM_BAD);
	b[23] ^= 1;

	/* Link padding after the datagram is not summed. */
	memcpy(p, b, n);
	memset(p + n, 0xee, 6);
	t_parse(&r, p, n + 6, n + 6);
	assert_int_equal(r.pkt.flags & CSUM_FLAGS, ICMPT_PKT_CSUM_OK);
	assert_int_equal(r.pkt.icmp_len, 11);

	/* ICMPv6 needs the pseudo-header: a plain sum is wrong. */
	n = t_pkt6(b, 128, 0, 1, "odd", 3);
	t_parse_all(&r, b, n);
	assert_int_equal(r.pkt.flags & CSUM_FLAGS, ICMPT_PKT_CSUM_OK);
	t_csum4(b + 40, n - 40);
	t_parse_all(&r, b, n);
	assert_int_equal(r.pkt.flags & CSUM_FLAGS, ICMPT_PKT_CSUM_BAD);
}

static void test_checksum_api(void **state)
{
	/* RFC 1071 section 3 example: the sum is ddf2. */
	static const unsigned char ex[8] = {
		0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7
	};
	struct icmpt_packet v4 = { .proto = 1, .icmp_len = 11 };
	unsigned char b[T_MAX];
	unsigned int n = t_pkt4(b, 0, 0, 0x12345678, "xyz", 3);
	struct t_res r;
	__u64 s;

	(void)state;
	s = icmpt_csum_add(0, ex, 8);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	assert_int_equal(s, 0xddf2);

	assert_int_equal(icmpt_csum_check(&v4, b + 20, 11), ICMPT_PKT_CSUM_OK);
	assert_int_equal(icmpt_csum_check(&v4, b + 20, 10), 0);
	/* Pieces of even length, then the odd tail. */
	s = icmpt_csum_add(0, b + 20, 2);
	s = icmpt_csum_add(s, b + 22, 6);
	s = icmpt_csum_add(s, b + 28, 3);
	assert_int_equal(icmpt_csum_verdict(&v4, s), ICMPT_PKT_CSUM_OK);
	assert_int_equal(icmpt_csum_verdict(&v4, s + 1), ICMPT_PKT_CSUM_BAD);

	n = t_pkt6(b, 2, 0, 1280, NULL, 0);
	t_parse_all(&r, b, n);
	assert_int_equal(icmpt_csum_check(&r.pkt, b + 40, 8),
			 ICMPT_PKT_CSUM_OK);
}

/* RFC 1071 byte pair by byte pair, the sum folded to 16 bits. */
static __u64 ref_csum(__u64 sum, const unsigned char *b, unsigned int len)
{
	unsigned int i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (unsigned int)b[i] << 8 | b[i + 1];
	if (i < len)
		sum += (unsigned int)b[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

static __u64 fold(__u64 s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

/*
 * icmpt_csum_add() sums words in the machine's order: folded, its running
 * sum must equal a network-order sum byte pair by byte pair, for every
 * length, alignment, running sum and content (zeros, ones, random), also
 * in pieces of even length, and so must every verdict.
 */
static void test_checksum_matches_reference(void **state)
{
	static const __u64 starts[] = { 0, 1, 0xffff, 0x10000, 0xfffe0001, 0xffffffffull };
	unsigned char buf[320 + 8];
	unsigned int len, off, k, fill, cut;

	(void)state;
	srand(1071);
	for (fill = 0; fill < 3; fill++) {
		for (k = 0; k < sizeof(buf); k++)
			buf[k] = fill == 0 ? 0 : fill == 1 ? 0xff : rand() & 0xff;
		for (len = 0; len <= 320; len++) {
			for (off = 0; off < 8; off += 3) {
				for (k = 0; k < ARRAY_SIZE(starts); k++) {
					__u64 got = icmpt_csum_add(starts[k], buf + off, len);

					if (fold(got) != ref_csum(starts[k], buf + off, len))
						fail_msg("fill %u len %u off %u start %llx: %llx, want %llx",
							 fill, len, off, (unsigned long long)starts[k],
							 (unsigned long long)fold(got),
							 (unsigned long long)ref_csum(starts[k], buf + off, len));
				}
				/* In two pieces, the first of even length. */
				cut = (len / 3) & ~1u;
				if (fold(icmpt_csum_add(icmpt_csum_add(0, buf + off, cut),
							buf + off + cut, len - cut)) !=
				    ref_csum(0, buf + off, len))
					fail_msg("fill %u len %u off %u in pieces at %u", fill, len, off, cut);
			}
		}
	}
}

static void test_bad_version(void **state)
{
	static const unsigned int v[] = { 0, 1, 2, 3, 5, 7, 8, 15 };
	unsigned char b[T_MAX];
	unsigned int n = t_pkt4(b, 8, 0, 0, NULL, 0), i;
	struct t_res r;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(v); i++) {
		b[0] = v[i] << 4 | 5;
		t_parse_all(&r, b, n);
		assert_int_equal(r.rc, -1);
	}
	t_parse(&r, b, 0, 0);
	assert_int_equal(r.rc, -1);
	/* A v6 header on a v4 buffer and the reverse. */
	b[0] = 0x65;
	t_parse_all(&r, b, n);
	assert_int_equal(r.rc, -1);
	n = t_pkt6(b, 128, 0, 0, NULL, 0);
	b[0] = 0x45;		/* byte 9, in saddr, happens to be 1 */
	t_parse_all(&r, b, n);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.pkt.flags, ICMPT_PKT_BAD_IP);	/* tot 0 */
}

static void test_v4_bad_ip(void **state)
{
	unsigned char b[T_MAX];
	unsigned int n = t_pkt4(b, 8, 0, 0, "abcd", 4), ihl;
	struct t_res r;

	(void)state;
	for (ihl = 0; ihl < 5; ihl++) {
		b[0] = 0x40 | ihl;
		t_parse_all(&r, b, n);
		assert_int_equal(r.rc, 0);
		assert_int_equal(r.pkt.flags, ICMPT_PKT_BAD_IP);
		assert_int_equal(r.pkt.icmp_len, 0);
		assert_int_equal(r.pkt.type, 0);
		assert_memory_equal(r.pkt.saddr, t_src4, 4);
	}
	b[0] = 0x45;

	/* Total length beyond the wire. */
	t_parse(&r, b, n, n - 1);
	assert_int_equal(r.pkt.flags, ICMPT_PKT_BAD_IP);
	assert_int_equal(r.pkt.ip_len, n);
	b[3] += 1;
	t_parse_all(&r, b, n);
	assert_int_equal(r.pkt.flags, ICMPT_PKT_BAD_IP);
	/* Total length below the header length. */
	b[2] = 0;
	b[3] = 19;
	t_parse_all(&r, b, n);
	assert_int_equal(r.pkt.flags, ICMPT_PKT_BAD_IP);
	/* Header only: no ICMP at all. */
	b[3] = 20;
	t_parse_all(&r, b, n);
	assert_int_equal(r.pkt.flags, ICMPT_PKT_TRUNCATED);
	assert_int_equal(r.pkt.icmp_len, 0);
	/* caplen above wirelen counts as wirelen. */
	n = t_pkt4(b, 8, 0, 0, "abcd", 4);
	t_parse(&r, b, n, n - 2);
	assert_int_equal(r.det.caplen, n - 2);
	assert_int_equal(r.pkt.flags, ICMPT_PKT_BAD_IP);
	/* Not ICMP. */
	b[9] = 17;
	t_parse_all(&r, b, n);
	assert_int_equal(r.rc, -1);
}

static void test_v6_bad_ip(void **state)
{
	unsigned char b[T_MAX], dst[8] = { 58, 1 };
	unsigned int n = t_pkt6(b, 128, 0, 0, "abcd", 4);
	struct t_res r;

	(void)state;
	t_parse(&r, b, n, n - 1);
	assert_int_equal(r.pkt.flags, ICMPT_PKT_BAD_IP);
	assert_int_equal(r.pkt.ip_len, n);
	/* Payload length ending inside the extension headers. */
	n = t_v6_ext(b, 60, dst, 8);
	memset(b + 48, 0, 8);
	b[5] = 12;
	t_parse(&r, b, 64, 64);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.pkt.flags, ICMPT_PKT_EXT_HDRS | ICMPT_PKT_BAD_IP);
	/* Not ICMPv6. */
	n = t_pkt6(b, 128, 0, 0, NULL, 0);
	b[6] = 17;
	t_parse_all(&r, b, n);
	assert_int_equal(r.rc, -1);
}

/* Destination unreachable quoting o[0..k): the embedded datagram cut. */
static void t_unreach4(struct t_res *r, const unsigned char *o, unsigned int k)
{
	unsigned char b[T_MAX];

	t_parse_all(r, b, t_pkt4(b, 3, 3, 0, o, k));
	assert_int_equal(r->rc, 0);
	assert_true(r->pkt.flags & ICMPT_PKT_HAS_INNER);
	assert_true(r->pkt.flags & ICMPT_PKT_CSUM_OK);
	assert_false(r->pkt.flags & ICMPT_PKT_TRUNCATED);
}

static void test_inner_v4_cut(void **state)
{
	unsigned char o[T_MAX], e[16], b[T_MAX];
	unsigned int on = t_udp4(o), k, n;
	const struct icmpt_inner *in;
	struct t_res r;

	(void)state;
	in = &r.det.inner;
	for (k = 0; k <= on; k++) {
		t_unreach4(&r, o, k);
		assert_int_equal(in->version, k ? 4 : 0);
		if (k < 20) {
			assert_int_equal(in->flags, ICMPT_INNER_TRUNCATED);
			assert_int_equal(in->proto, 0);
		} else if (k < 24) {
			assert_int_equal(in->flags, ICMPT_INNER_IP |
					 ICMPT_INNER_TRUNCATED);
			assert_int_equal(in->proto, 17);
			assert_memory_equal(in->daddr, t_src4, 4);
			assert_int_equal(in->sport, 0);
		} else {
			assert_int_equal(in->flags, ICMPT_INNER_IP |
					 ICMPT_INNER_PORTS);
			assert_int_equal(in->dport, 33434);
		}
	}
	/* The same cut by the capture instead of the sender. */
	n = t_pkt4(b, 3, 3, 0, o, on);
	t_parse(&r, b, 28 + 22, n);
	assert_int_equal(in->flags, ICMPT_INNER_IP | ICMPT_INNER_TRUNCATED);
	assert_int_equal(r.pkt.flags & CSUM_FLAGS, 0);

	/* Inner echo: type and code first, id and seq after 8 bytes. */
	n = t_icmp(e, 8, 0, 0x11112222, NULL, 0);
	on = t_ip4(o, 1, 0, e, n);
	for (k = 20; k <= on; k++) {
		unsigned int want = ICMPT_INNER_IP;

		t_unreach4(&r, o, k);
		if (k >= 22)
			want |= ICMPT_INNER_ICMP;
		want |= k < 28 ? ICMPT_INNER_TRUNCATED : ICMPT_INNER_ECHO;
		assert_int_equal(in->flags, want);
		assert_int_equal(in->seq, k < 28 ? 0 : 0x2222);
	}
	/* Other inner ICMP: type and code are all there is. */
	o[20] = 13;
	t_unreach4(&r, o, 22);
	assert_int_equal(in->flags, ICMPT_INNER_IP | ICMPT_INNER_ICMP);
	assert_int_equal(in->icmp_type, 13);
}

static void test_inner_v4_odd(void **state)
{
	static const unsigned char udp[8] = { 0, 53, 0x30, 0x39, 0, 8, 0, 0 };
	unsigned char o[T_MAX];
	unsigned int on = t_ip4(o, 17, 8, udp, 8), k;
	const struct icmpt_inner *in;
	struct t_res r;

	(void)state;
	in = &r.det.inner;
	/* Options: ports after them, a cut inside them. */
	t_unreach4(&r, o, on);
	assert_int_equal(in->flags, ICMPT_INNER_IP | ICMPT_INNER_IP_OPTS |
				    ICMPT_INNER_PORTS);
	assert_int_equal(in->sport, 53);
	assert_int_equal(in->dport, 12345);
	for (k = 20; k < 32; k++) {
		t_unreach4(&r, o, k);
		assert_int_equal(in->flags, ICMPT_INNER_IP |
				 ICMPT_INNER_IP_OPTS | ICMPT_INNER_TRUNCATED);
	}
	/* ihl < 5 and a bad version. */
	o[0] = 0x43;
	t_unreach4(&r, o, on);
	assert_int_equal(in->flags, ICMPT_INNER_BAD_IP);
	o[0] = 0x95;
	t_unreach4(&r, o, on);
	assert_int_equal(in->flags, ICMPT_INNER_BAD_IP);
	assert_int_equal(in->version, 9);
	/* Non-first fragment: addresses, no ports. */
	on = t_ip4(o, 17, 0, udp, 8);
	o[6] = 0x20;
	o[7] = 0x10;
	t_unreach4(&r, o, on);
	assert_int_equal(in->flags, ICMPT_INNER_IP | ICMPT_INNER_FRAGMENT);
	assert_int_equal(in->sport, 0);
	/* A protocol without ports. */
	o[6] = o[7] = 0;
	o[9] = 47;
	t_unreach4(&r, o, on);
	assert_int_equal(in->flags, ICMPT_INNER_IP);
	assert_int_equal(in->proto, 47);
}

static void t_ptb6(struct t_res *r, const unsigned char *o, unsigned int k)
{
	unsigned char b[T_MAX];

	t_parse_all(r, b, t_pkt6(b, 2, 0, 1400, o, k));
	assert_int_equal(r->rc, 0);
	assert_int_equal(r->det.u.error.mtu, 1400);
	assert_true(r->pkt.flags & ICMPT_PKT_HAS_INNER);
	assert_true(r->pkt.flags & ICMPT_PKT_CSUM_OK);
}

static void test_inner_v6_cut(void **state)
{
	unsigned char o[T_MAX];
	unsigned int on = t_udp6(o), k;
	const struct icmpt_inner *in;
	struct t_res r;

	(void)state;
	in = &r.det.inner;
	for (k = 0; k <= on; k++) {
		unsigned int want = ICMPT_INNER_TRUNCATED;

		t_ptb6(&r, o, k);
		if (k >= 40)
			want = ICMPT_INNER_IP | (k < 44 ? ICMPT_INNER_TRUNCATED :
						 ICMPT_INNER_PORTS);
		assert_int_equal(in->flags, want);
		assert_int_equal(in->version, k ? 6 : 0);
		assert_int_equal(in->proto, k >= 40 ? 17 : 0);
	}
}

/*
 * An ICMPv4 error quoting IPv6, an ICMPv6 one quoting IPv4: no header
 * there, not a decoded datagram (both were shown as inner=udp with ports).
 */
static void test_inner_cross_family(void **state)
{
	static const unsigned char udp[8] = { 0, 53, 0x30, 0x39, 0, 8, 0, 0 };
	unsigned char o[T_MAX];
	unsigned int n6 = t_udp6(o), n4;
	const struct icmpt_inner *in;
	struct t_res r;

	(void)state;
	in = &r.det.inner;
	t_unreach4(&r, o, n6);
	assert_int_equal(in->flags, ICMPT_INNER_BAD_IP);
	assert_int_equal(in->version, 6);
	n4 = t_ip4(o, 17, 0, udp, 8);
	t_ptb6(&r, o, n4);
	assert_int_equal(in->flags, ICMPT_INNER_BAD_IP);
	assert_int_equal(in->version, 4);
}

static void test_inner_v6_ext(void **state)
{
	unsigned char pl[8 + 8 + 8] = {
		44, 0, 1, 4, 0, 0, 0, 0,		/* hop-by-hop */
		17, 0, 0, 1, 0xde, 0xad, 0xbe, 0xef,	/* fragment, M */
		0x9c, 0x40, 0, 7, 0, 8, 0, 0,		/* UDP */
	};
	unsigned char o[T_MAX], many[9 * 8] = { 0 };
	unsigned int on = t_ip6(o, 0, pl, sizeof(pl)), k, i;
	const struct icmpt_inner *in;
	struct t_res r;

	(void)state;
	in = &r.det.inner;
	t_ptb6(&r, o, on);
	assert_int_equal(in->flags, ICMPT_INNER_IP | ICMPT_INNER_EXT_HDRS |
				    ICMPT_INNER_PORTS);
	assert_int_equal(in->proto, 17);
	assert_int_equal(in->ip_id, 0xdeadbeef);
	assert_int_equal(in->dport, 7);
	/* Cut inside the chain. */
	for (k = 40; k < 40 + 16; k++) {
		t_ptb6(&r, o, k);
		assert_int_equal(in->flags & ~ICMPT_INNER_EXT_HDRS,
				 ICMPT_INNER_IP | ICMPT_INNER_TRUNCATED);
		assert_int_equal(!!(in->flags & ICMPT_INNER_EXT_HDRS), k >= 48);
		assert_int_equal(in->proto, k >= 48 ? 44 : 0);
	}
	/* Non-first fragment. */
	o[40 + 8 + 3] = 0x08;
	t_ptb6(&r, o, on);
	assert_int_equal(in->flags, ICMPT_INNER_IP | ICMPT_INNER_EXT_HDRS |
				    ICMPT_INNER_FRAGMENT);
	assert_int_equal(in->sport, 0);
	/* Nine headers: the walk stops, proto says where. */
	for (i = 0; i < 9; i++)
		many[i * 8] = i == 8 ? 17 : 60;
	on = t_ip6(o, 60, many, sizeof(many));
	t_ptb6(&r, o, on);
	assert_int_equal(in->flags, ICMPT_INNER_IP | ICMPT_INNER_EXT_HDRS);
	assert_int_equal(in->proto, 60);
}

static void test_ndp_opts_bad(void **state)
{
	unsigned char b[T_MAX], body[16 + 32] = { 0 };
	const struct icmpt_ndp_opts *o;
	struct t_res r;

	(void)state;
	o = &r.det.u.neigh.opts;
	body[16] = 1;		/* SLLA of length 0 */
	t_parse_all(&r, b, t_pkt6(b, 135, 0, 0, body, 24));
	assert_int_equal(r.det.kind, ICMPT_DET_NDP_NEIGH);
	assert_int_equal(o->flags, ICMPT_NDP_OPTS_BAD);
	assert_int_equal(o->nr_opts, 0);
	assert_int_equal(o->lladdr_len, 0);

	/* An option running past the end, after a good one. */
	body[17] = 1;
	body[24] = 14;
	body[25] = 3;
	t_parse_all(&r, b, t_pkt6(b, 135, 0, 0, body, 40));
	assert_int_equal(o->flags, ICMPT_NDP_OPTS_BAD);
	assert_int_equal(o->nr_opts, 1);
	assert_int_equal(o->lladdr_len, 6);
	/* One stray byte after the options. */
	t_parse_all(&r, b, t_pkt6(b, 135, 0, 0, body, 25));
	assert_int_equal(o->flags, ICMPT_NDP_OPTS_BAD);

	/* A long link-layer address (InfiniBand: 20 bytes) is cut to 8. */
	body[16] = 2;
	body[17] = 3;
	memset(body + 18, 0x77, 22);
	t_parse_all(&r, b, t_pkt6(b, 136, 0, 0, body, 40));
	assert_int_equal(o->flags, 0);
	assert_int_equal(o->lladdr_len, 8);
	assert_int_equal(o->lladdr_type, 2);
	assert_int_equal(o->lladdr[7], 0x77);
}

/* Errors as large as the stack sends them, seen through 256 bytes. */
static void test_snaplen(void **state)
{
	unsigned char b[T_MAX], o[T_MAX];
	unsigned int on = t_udp4(o), n;
	struct t_res r;

	(void)state;
	memset(o + on, 0x55, 548 - 8 - on);
	n = t_pkt4(b, 3, 3, 0, o, 548 - 8);
	o[3] = 0;
	t_parse(&r, b, 256, n);
	assert_int_equal(r.pkt.icmp_len, 548);
	assert_int_equal(r.det.caplen, 256);
	assert_int_equal(r.pkt.flags, ICMPT_PKT_HAS_INNER);
	assert_int_equal(r.det.inner.flags, ICMPT_INNER_IP | ICMPT_INNER_PORTS);
	t_parse_all(&r, b, n);
	assert_int_equal(r.pkt.flags, ICMPT_PKT_HAS_INNER | ICMPT_PKT_CSUM_OK);

	on = t_udp6(o);
	memset(o + on, 0x55, 1232 - on);
	n = t_pkt6(b, 1, 4, 0, o, 1232);
	t_parse(&r, b, 256, n);
	assert_int_equal(r.pkt.ip_len, 1280);
	assert_int_equal(r.pkt.flags, ICMPT_PKT_HAS_INNER);
	assert_int_equal(r.det.inner.dport, 33434);
	t_parse_all(&r, b, n);
	assert_int_equal(r.pkt.flags, ICMPT_PKT_HAS_INNER | ICMPT_PKT_CSUM_OK);
}

const struct CMUnitTest t_edge_tests[] = {
	cmocka_unit_test(test_trunc_v4_every_length),
	cmocka_unit_test(test_trunc_v6_every_length),
	cmocka_unit_test(test_trunc_fixed_parts),
	cmocka_unit_test(test_trunc_mld2),
	cmocka_unit_test(test_v4_options),
	cmocka_unit_test(test_v4_fragments),
	cmocka_unit_test(test_v6_fragments),
	cmocka_unit_test(test_v6_ext_chain),
	cmocka_unit_test(test_v6_located),
	cmocka_unit_test(test_v4_any_header),
	cmocka_unit_test(test_checksum),
	cmocka_unit_test(test_checksum_api),
	cmocka_unit_test(test_checksum_matches_reference),
	cmocka_unit_test(test_bad_version),
	cmocka_unit_test(test_v4_bad_ip),
	cmocka_unit_test(test_v6_bad_ip),
	cmocka_unit_test(test_inner_v4_cut),
	cmocka_unit_test(test_inner_v4_odd),
	cmocka_unit_test(test_inner_v6_cut),
	cmocka_unit_test(test_inner_cross_family),
	cmocka_unit_test(test_inner_v6_ext),
	cmocka_unit_test(test_ndp_opts_bad),
	cmocka_unit_test(test_snaplen),
};
const size_t t_edge_count = ARRAY_SIZE(t_edge_tests);
