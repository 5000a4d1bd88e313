// SPDX-License-Identifier: GPL-2.0
/* Every ICMPv6 message of the issue, checked field by field. */
#include <string.h>
#include "pkt.h"

static void t_ok6(const struct t_res *r, unsigned int type, unsigned int code,
		  unsigned int icmp_len)
{
	assert_int_equal(r->rc, 0);
	assert_int_equal(r->pkt.family, 6);
	assert_int_equal(r->pkt.proto, 58);
	assert_int_equal(r->pkt.ttl, 64);
	assert_int_equal(r->pkt.type, type);
	assert_int_equal(r->pkt.code, code);
	assert_int_equal(r->pkt.ip_len, 40 + icmp_len);
	assert_int_equal(r->pkt.icmp_len, icmp_len);
	assert_memory_equal(r->pkt.saddr, t_src6, 16);
	assert_memory_equal(r->pkt.daddr, t_dst6, 16);
	assert_int_equal(r->det.icmp_off, 40);
	assert_true(r->pkt.flags & ICMPT_PKT_CSUM_OK);
	assert_false(r->pkt.flags & (ICMPT_PKT_CSUM_BAD | ICMPT_PKT_TRUNCATED |
				     ICMPT_PKT_BAD_IP | ICMPT_PKT_FRAGMENT |
				     ICMPT_PKT_EXT_HDRS));
}

static void test_v6_echo(void **state)
{
	static const unsigned char data[56] = { 9 };
	unsigned int types[] = { 128, 129 }, i;
	unsigned char b[T_MAX];
	struct t_res r;

	(void)state;
	for (i = 0; i < 2; i++) {
		unsigned int n = t_pkt6(b, types[i], 0, 0x00010203, data, 56);

		t_parse_all(&r, b, n);
		t_ok6(&r, types[i], 0, 64);
		assert_int_equal(r.pkt.flags,
				 ICMPT_PKT_HAS_ECHO | ICMPT_PKT_CSUM_OK);
		assert_int_equal(r.pkt.id, 1);
		assert_int_equal(r.pkt.seq, 0x0203);
		assert_int_equal(r.det.kind, ICMPT_DET_ECHO);
		assert_int_equal(r.det.u.echo.id, 1);
		assert_int_equal(r.det.u.echo.seq, 0x0203);
	}
}

static void t_inner_udp6(const struct t_res *r)
{
	const struct icmpt_inner *in = &r->det.inner;

	assert_true(r->pkt.flags & ICMPT_PKT_HAS_INNER);
	assert_int_equal(in->flags, ICMPT_INNER_IP | ICMPT_INNER_PORTS);
	assert_int_equal(in->version, 6);
	assert_int_equal(in->proto, 17);
	assert_int_equal(in->ttl, 64);
	assert_int_equal(in->ip_len, 52);
	assert_int_equal(in->ip_id, 0);
	assert_memory_equal(in->saddr, t_dst6, 16);
	assert_memory_equal(in->daddr, t_src6, 16);
	assert_int_equal(in->sport, 40000);
	assert_int_equal(in->dport, 33434);
}

static void test_v6_unreach(void **state)
{
	unsigned char b[T_MAX], o[T_MAX];
	unsigned int on = t_udp6(o), code;
	struct t_res r;

	(void)state;
	for (code = 0; code <= 7; code++) {
		unsigned int n = t_pkt6(b, 1, code, 0, o, on);

		t_parse_all(&r, b, n);
		t_ok6(&r, 1, code, 8 + on);
		assert_int_equal(r.det.kind, ICMPT_DET_ERROR);
		assert_int_equal(r.det.u.error.mtu, 0);
		assert_int_equal(r.det.u.error.orig_len, 0);
		t_inner_udp6(&r);
	}
	/* RFC 4884 length in 64-bit words, byte 4. */
	t_parse_all(&r, b, t_pkt6(b, 1, 4, 0x10000000, o, on));
	assert_int_equal(r.det.u.error.orig_len, 128);
}

static void test_v6_packet_too_big(void **state)
{
	unsigned char b[T_MAX], o[T_MAX];
	unsigned int on = t_udp6(o), n;
	struct t_res r;

	(void)state;
	n = t_pkt6(b, 2, 0, 1280, o, on);
	t_parse_all(&r, b, n);
	t_ok6(&r, 2, 0, 8 + on);
	assert_int_equal(r.det.kind, ICMPT_DET_ERROR);
	assert_int_equal(r.det.u.error.mtu, 1280);
	t_inner_udp6(&r);
}

static void test_v6_time_exceeded(void **state)
{
	unsigned char b[T_MAX], o[T_MAX], e[T_MAX];
	unsigned int en = t_icmp(e, 128, 0, 0x77770003, NULL, 0), on, code;
	struct t_res r;

	(void)state;
	on = t_ip6(o, 58, e, en);
	for (code = 0; code <= 1; code++) {
		unsigned int n = t_pkt6(b, 3, code, 0, o, on);
		const struct icmpt_inner *in = &r.det.inner;

		t_parse_all(&r, b, n);
		t_ok6(&r, 3, code, 8 + on);
		assert_int_equal(in->flags, ICMPT_INNER_IP | ICMPT_INNER_ICMP |
					    ICMPT_INNER_ECHO);
		assert_int_equal(in->proto, 58);
		assert_int_equal(in->icmp_type, 128);
		assert_int_equal(in->id, 0x7777);
		assert_int_equal(in->seq, 3);
	}
}

static void test_v6_param_problem(void **state)
{
	unsigned char b[T_MAX], o[T_MAX];
	unsigned int on = t_udp6(o), code;
	struct t_res r;

	(void)state;
	for (code = 0; code <= 3; code++) {
		unsigned int n = t_pkt6(b, 4, code, 0x00010006, o, on);

		t_parse_all(&r, b, n);
		t_ok6(&r, 4, code, 8 + on);
		assert_int_equal(r.det.u.error.pointer, 0x10006);
		assert_int_equal(r.det.u.error.orig_len, 0);
		t_inner_udp6(&r);
	}
}

static const unsigned char t_mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };

static void t_lladdr(const struct icmpt_ndp_opts *o, unsigned int type,
		     unsigned int nr)
{
	assert_int_equal(o->lladdr_len, 6);
	assert_int_equal(o->lladdr_type, type);
	assert_memory_equal(o->lladdr, t_mac, 6);
	assert_int_equal(o->lladdr[6], 0);
	assert_int_equal(o->nr_opts, nr);
	assert_int_equal(o->flags, 0);
}

static void test_v6_router_solicit(void **state)
{
	unsigned char b[T_MAX], body[8] = { 1, 1 };
	unsigned int n;
	struct t_res r;

	(void)state;
	memcpy(body + 2, t_mac, 6);
	n = t_pkt6(b, 133, 0, 0, body, 8);
	t_parse_all(&r, b, n);
	t_ok6(&r, 133, 0, 16);
	assert_int_equal(r.det.kind, ICMPT_DET_NDP_RS);
	t_lladdr(&r.det.u.rs, 1, 1);
	assert_int_equal(r.det.u.rs.mtu, 0);

	/* Without options. */
	t_parse_all(&r, b, t_pkt6(b, 133, 0, 0, NULL, 0));
	assert_int_equal(r.det.kind, ICMPT_DET_NDP_RS);
	assert_int_equal(r.det.u.rs.nr_opts, 0);
	assert_int_equal(r.det.u.rs.lladdr_len, 0);
}

static void test_v6_router_adv(void **state)
{
	unsigned char body[8 + 16 + 32] = {
		0, 0, 0x75, 0x30, 0, 0, 0x03, 0xe8,	/* reachable, retrans */
		5, 1, 0, 0, 0, 0, 0x05, 0xdc,		/* MTU 1500 */
		1, 1,					/* SLLA */
		[24] = 3, 4, 64, 0xc0,			/* prefix info */
	};
	unsigned char b[T_MAX];
	unsigned int n;
	struct t_res r;

	(void)state;
	memcpy(body + 18, t_mac, 6);
	n = t_pkt6(b, 134, 0, 0x40c00708, body, sizeof(body));
	t_parse_all(&r, b, n);
	t_ok6(&r, 134, 0, 8 + sizeof(body));
	assert_int_equal(r.det.kind, ICMPT_DET_NDP_RA);
	assert_int_equal(r.det.u.ra.cur_hop_limit, 64);
	assert_int_equal(r.det.u.ra.flags, ICMPT_RA_MANAGED | ICMPT_RA_OTHER);
	assert_int_equal(r.det.u.ra.router_lifetime, 1800);
	assert_int_equal(r.det.u.ra.reachable, 30000);
	assert_int_equal(r.det.u.ra.retrans, 1000);
	t_lladdr(&r.det.u.ra.opts, 1, 3);
	assert_int_equal(r.det.u.ra.opts.mtu, 1500);
}

static void test_v6_neighbor(void **state)
{
	unsigned char b[T_MAX], body[24];
	unsigned int n;
	struct t_res r;

	(void)state;
	memcpy(body, t_tgt6, 16);
	body[16] = 1;
	body[17] = 1;
	memcpy(body + 18, t_mac, 6);
	n = t_pkt6(b, 135, 0, 0, body, 24);
	t_parse_all(&r, b, n);
	t_ok6(&r, 135, 0, 32);
	assert_int_equal(r.det.kind, ICMPT_DET_NDP_NEIGH);
	assert_memory_equal(r.det.u.neigh.target, t_tgt6, 16);
	assert_int_equal(r.det.u.neigh.flags, 0);
	t_lladdr(&r.det.u.neigh.opts, 1, 1);

	/* NA, R S O set, target link-layer address. */
	body[16] = 2;
	n = t_pkt6(b, 136, 0, 0xe0000000, body, 24);
	t_parse_all(&r, b, n);
	t_ok6(&r, 136, 0, 32);
	assert_int_equal(r.det.kind, ICMPT_DET_NDP_NEIGH);
	assert_memory_equal(r.det.u.neigh.target, t_tgt6, 16);
	assert_int_equal(r.det.u.neigh.flags, ICMPT_NA_ROUTER |
			 ICMPT_NA_SOLICITED | ICMPT_NA_OVERRIDE);
	t_lladdr(&r.det.u.neigh.opts, 2, 1);

	/* NA with only S: unsolicited bits stay clear. */
	n = t_pkt6(b, 136, 0, 0x40000000, body, 16);
	t_parse_all(&r, b, n);
	assert_int_equal(r.det.u.neigh.flags, ICMPT_NA_SOLICITED);
	assert_int_equal(r.det.u.neigh.opts.nr_opts, 0);
}

static void test_v6_redirect(void **state)
{
	unsigned char b[T_MAX], body[32 + 8 + 48] = { 0 };
	unsigned int n;
	struct t_res r;

	(void)state;
	memcpy(body, t_tgt6, 16);
	memcpy(body + 16, t_dst6, 16);
	body[32] = 2;
	body[33] = 1;
	memcpy(body + 34, t_mac, 6);
	body[40] = 4;		/* redirected header, 48 bytes */
	body[41] = 6;
	n = t_pkt6(b, 137, 0, 0, body, sizeof(body));
	t_parse_all(&r, b, n);
	t_ok6(&r, 137, 0, 8 + sizeof(body));
	assert_int_equal(r.det.kind, ICMPT_DET_NDP_REDIRECT);
	assert_memory_equal(r.det.u.redirect.target, t_tgt6, 16);
	assert_memory_equal(r.det.u.redirect.dest, t_dst6, 16);
	t_lladdr(&r.det.u.redirect.opts, 2, 2);
}

static const unsigned char t_mc6[16] = { 0xff, 0x02, [15] = 0xfb };

static void test_v6_mld(void **state)
{
	unsigned int types[] = { 130, 131, 132 }, i;
	unsigned char b[T_MAX];
	struct t_res r;

	(void)state;
	for (i = 0; i < 3; i++) {
		unsigned int n = t_pkt6(b, types[i], 0, 0x27100000, t_mc6, 16);

		t_parse_all(&r, b, n);
		t_ok6(&r, types[i], 0, 24);
		assert_int_equal(r.det.kind, ICMPT_DET_MLD);
		assert_int_equal(r.det.u.mld.version, 1);
		assert_int_equal(r.det.u.mld.max_resp_code, 10000);
		assert_int_equal(r.det.u.mld.max_resp_ms, 10000);
		assert_memory_equal(r.det.u.mld.mcast, t_mc6, 16);
		assert_int_equal(r.det.u.mld.nr_sources, 0);
	}
}

static void test_v6_mld2_query(void **state)
{
	unsigned char b[T_MAX], body[16 + 4 + 16] = { 0 };
	unsigned int n;
	struct t_res r;

	(void)state;
	memcpy(body, t_mc6, 16);
	body[16] = 0x0a;	/* S, QRV 2 */
	body[17] = 125;
	body[19] = 1;
	body[20] = 0x20;	/* one source */
	/* Max Resp Code 0x8123: exp 0, mant 0x123 -> 0x1123 << 3. */
	n = t_pkt6(b, 130, 0, 0x81230000, body, sizeof(body));
	t_parse_all(&r, b, n);
	t_ok6(&r, 130, 0, 8 + sizeof(body));
	assert_int_equal(r.det.kind, ICMPT_DET_MLD);
	assert_int_equal(r.det.u.mld.version, 2);
	assert_int_equal(r.det.u.mld.max_resp_code, 0x8123);
	assert_int_equal(r.det.u.mld.max_resp_ms, 0x1123 << 3);
	assert_int_equal(r.det.u.mld.qrv, 0x0a);
	assert_int_equal(r.det.u.mld.qqic, 125);
	assert_int_equal(r.det.u.mld.nr_sources, 1);
	assert_memory_equal(r.det.u.mld.mcast, t_mc6, 16);

	/* Largest code: exp 7, mant 0xfff. */
	t_parse_all(&r, b, t_pkt6(b, 130, 0, 0xffff0000, body, 20));
	assert_int_equal(r.det.u.mld.max_resp_ms, 0x1fffU << 10);
	/* Below 32768 the code is milliseconds. */
	t_parse_all(&r, b, t_pkt6(b, 130, 0, 0x03e80000, body, 20));
	assert_int_equal(r.det.u.mld.max_resp_ms, 1000);
}

static void test_v6_mld2_report(void **state)
{
	unsigned char b[T_MAX], body[2 * 20] = { 4, 0, 0, 0 };
	unsigned int n;
	struct t_res r;

	(void)state;
	memcpy(body + 4, t_mc6, 16);
	body[20] = 3;
	n = t_pkt6(b, 143, 0, 0x00000002, body, sizeof(body));
	t_parse_all(&r, b, n);
	t_ok6(&r, 143, 0, 8 + sizeof(body));
	assert_int_equal(r.det.kind, ICMPT_DET_MLD2_REPORT);
	assert_int_equal(r.det.u.mld2_report.nr_records, 2);
	assert_int_equal(r.det.u.mld2_report.first_valid, 1);
	assert_int_equal(r.det.u.mld2_report.first_type, 4);
	assert_int_equal(r.det.u.mld2_report.first_aux_len, 0);
	assert_int_equal(r.det.u.mld2_report.first_nr_sources, 0);
	assert_memory_equal(r.det.u.mld2_report.first_mcast, t_mc6, 16);

	/* No records. */
	t_parse_all(&r, b, t_pkt6(b, 143, 0, 0, NULL, 0));
	assert_int_equal(r.det.kind, ICMPT_DET_MLD2_REPORT);
	assert_int_equal(r.det.u.mld2_report.nr_records, 0);
	assert_int_equal(r.det.u.mld2_report.first_valid, 0);
	assert_false(r.pkt.flags & ICMPT_PKT_TRUNCATED);
}

static void test_v6_ext_echo(void **state)
{
	unsigned char b[T_MAX];
	struct t_res r;

	(void)state;
	t_parse_all(&r, b, t_pkt6(b, 160, 0, 0xabcd0500, NULL, 0));
	t_ok6(&r, 160, 0, 8);
	assert_int_equal(r.det.kind, ICMPT_DET_EXT_ECHO);
	assert_int_equal(r.det.u.ext_echo.id, 0xabcd);
	assert_int_equal(r.det.u.ext_echo.seq, 5);
	assert_int_equal(r.det.u.ext_echo.local, 0);
	assert_false(r.pkt.flags & ICMPT_PKT_HAS_ECHO);

	/* Reply, state 0, A and 6 set. */
	t_parse_all(&r, b, t_pkt6(b, 161, 0, 0xabcd0505, NULL, 0));
	t_ok6(&r, 161, 0, 8);
	assert_int_equal(r.det.u.ext_echo.state, 0);
	assert_int_equal(r.det.u.ext_echo.active, 1);
	assert_int_equal(r.det.u.ext_echo.ipv4, 0);
	assert_int_equal(r.det.u.ext_echo.ipv6, 1);

	/* Reply with a code: Malformed Query. */
	t_parse_all(&r, b, t_pkt6(b, 161, 1, 0xabcd05e0, NULL, 0));
	assert_int_equal(r.pkt.code, 1);
	assert_int_equal(r.det.u.ext_echo.state, 7);
}

/* Unknown types: header fields only. */
static void test_v6_unknown(void **state)
{
	unsigned char b[T_MAX];
	struct t_res r;

	(void)state;
	t_parse_all(&r, b, t_pkt6(b, 200, 9, 0x01020304, NULL, 0));
	t_ok6(&r, 200, 9, 8);
	assert_int_equal(r.det.kind, ICMPT_DET_NONE);
	assert_int_equal(r.pkt.rest, 0x01020304);
	assert_int_equal(r.pkt.flags, ICMPT_PKT_CSUM_OK);
}

/*
 * A message of type, code and checksum alone (RFC 4443 2.1) is whole:
 * the Multicast Router Solicitation and Termination of RFC 4286 have
 * nothing more, and the body of a type we do not know is its own.  A type
 * whose format has more (an echo) is cut short at 4 bytes.
 */
static void test_v6_four_byte_message(void **state)
{
	static const unsigned int types[] = { 152, 153, 200 };
	unsigned char m[8] = { 0 }, b[T_MAX];
	struct t_res r;
	unsigned int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		m[0] = types[i];
		m[1] = 0;
		m[2] = m[3] = 0;
		t_csum6(m, 4);
		t_parse_all(&r, b, t_ip6(b, 58, m, 4));
		t_ok6(&r, types[i], 0, 4);
		assert_int_equal(r.det.kind, ICMPT_DET_NONE);
		assert_int_equal(r.pkt.rest, 0);
		assert_int_equal(r.pkt.flags, ICMPT_PKT_CSUM_OK);
		/* The checksum is checked, not taken on trust. */
		m[3] ^= 1;
		t_parse_all(&r, b, t_ip6(b, 58, m, 4));
		assert_int_equal(r.pkt.flags, ICMPT_PKT_CSUM_BAD);
	}
	/* Cut inside the checksum: truncated, whatever the type. */
	t_parse_all(&r, b, t_ip6(b, 58, m, 3));
	assert_int_equal(r.pkt.flags, ICMPT_PKT_TRUNCATED);
	/* An echo request needs its identifier and sequence. */
	m[0] = 128;
	m[2] = m[3] = 0;
	t_csum6(m, 4);
	t_parse_all(&r, b, t_ip6(b, 58, m, 4));
	assert_true(r.pkt.flags & ICMPT_PKT_TRUNCATED);
	assert_false(r.pkt.flags & ICMPT_PKT_HAS_ECHO);
}

const struct CMUnitTest t_v6_tests[] = {
	cmocka_unit_test(test_v6_echo),
	cmocka_unit_test(test_v6_unreach),
	cmocka_unit_test(test_v6_packet_too_big),
	cmocka_unit_test(test_v6_time_exceeded),
	cmocka_unit_test(test_v6_param_problem),
	cmocka_unit_test(test_v6_router_solicit),
	cmocka_unit_test(test_v6_router_adv),
	cmocka_unit_test(test_v6_neighbor),
	cmocka_unit_test(test_v6_redirect),
	cmocka_unit_test(test_v6_mld),
	cmocka_unit_test(test_v6_mld2_query),
	cmocka_unit_test(test_v6_mld2_report),
	cmocka_unit_test(test_v6_ext_echo),
	cmocka_unit_test(test_v6_unknown),
	cmocka_unit_test(test_v6_four_byte_message),
};
const size_t t_v6_count = ARRAY_SIZE(t_v6_tests);
