// SPDX-License-Identifier: GPL-2.0
/* Every ICMPv4 message of the issue, checked field by field. */
#include <string.h>
#include "pkt.h"

static void t_ok4(const struct t_res *r, unsigned int type, unsigned int code,
		  unsigned int icmp_len)
{
	assert_int_equal(r->rc, 0);
	assert_int_equal(r->pkt.family, 4);
	assert_int_equal(r->pkt.proto, 1);
	assert_int_equal(r->pkt.ttl, 64);
	assert_int_equal(r->pkt.type, type);
	assert_int_equal(r->pkt.code, code);
	assert_int_equal(r->pkt.ip_len, 20 + icmp_len);
	assert_int_equal(r->pkt.icmp_len, icmp_len);
	assert_memory_equal(r->pkt.saddr, t_src4, 4);
	assert_memory_equal(r->pkt.daddr, t_dst4, 4);
	assert_int_equal(r->det.icmp_off, 20);
	assert_int_equal(r->det.caplen, 20 + icmp_len);
	assert_true(r->pkt.flags & ICMPT_PKT_CSUM_OK);
	assert_false(r->pkt.flags & (ICMPT_PKT_CSUM_BAD | ICMPT_PKT_TRUNCATED |
				     ICMPT_PKT_BAD_IP | ICMPT_PKT_FRAGMENT));
}

static void test_v4_echo(void **state)
{
	static const unsigned char data[56] = { 1, 2, 3 };
	unsigned int types[] = { 8, 0 }, i;
	unsigned char b[T_MAX];
	struct t_res r;

	(void)state;
	for (i = 0; i < 2; i++) {
		unsigned int n = t_pkt4(b, types[i], 0, 0x4d2fffe, data, 56);

		t_parse_all(&r, b, n);
		t_ok4(&r, types[i], 0, 64);
		assert_int_equal(r.pkt.flags,
				 ICMPT_PKT_HAS_ECHO | ICMPT_PKT_CSUM_OK);
		assert_int_equal(r.pkt.id, 0x04d2);
		assert_int_equal(r.pkt.seq, 0xfffe);
		assert_int_equal(r.pkt.rest, 0x4d2fffe);
		assert_int_equal(r.det.kind, ICMPT_DET_ECHO);
		assert_int_equal(r.det.u.echo.id, 0x04d2);
		assert_int_equal(r.det.u.echo.seq, 0xfffe);
		assert_int_equal(r.pkt.checksum, b[22] << 8 | b[23]);
	}
}

/* Inner UDP datagram of an error message, as t_udp4() built it. */
static void t_inner_udp4(const struct t_res *r)
{
	const struct icmpt_inner *in = &r->det.inner;

	assert_true(r->pkt.flags & ICMPT_PKT_HAS_INNER);
	assert_int_equal(in->flags, ICMPT_INNER_IP | ICMPT_INNER_PORTS);
	assert_int_equal(in->version, 4);
	assert_int_equal(in->proto, 17);
	assert_int_equal(in->ttl, 64);
	assert_int_equal(in->ip_len, 32);
	assert_int_equal(in->ip_id, 0x1234);
	assert_memory_equal(in->saddr, t_dst4, 4);
	assert_memory_equal(in->daddr, t_src4, 4);
	assert_int_equal(in->sport, 40000);
	assert_int_equal(in->dport, 33434);
}

static void test_v4_unreach(void **state)
{
	unsigned char b[T_MAX], o[T_MAX];
	unsigned int on = t_udp4(o), code;
	struct t_res r;

	(void)state;
	for (code = 0; code <= 15; code++) {
		uint32_t rest = code == 4 ? 0x000005dc : 0;
		unsigned int n = t_pkt4(b, 3, code, rest, o, on);

		t_parse_all(&r, b, n);
		t_ok4(&r, 3, code, 8 + on);
		assert_int_equal(r.det.kind, ICMPT_DET_ERROR);
		assert_int_equal(r.det.u.error.mtu, code == 4 ? 1500 : 0);
		assert_int_equal(r.det.u.error.orig_len, 0);
		assert_false(r.pkt.flags & ICMPT_PKT_HAS_ECHO);
		t_inner_udp4(&r);
	}
}

/* RFC 4884 length (byte 5) next to the RFC 1191 MTU (bytes 6..7). */
static void test_v4_frag_needed_rfc4884(void **state)
{
	unsigned char b[T_MAX], o[T_MAX];
	unsigned int on = t_udp4(o), n;
	struct t_res r;

	(void)state;
	n = t_pkt4(b, 3, 4, 0x00200578, o, on);
	t_parse_all(&r, b, n);
	t_ok4(&r, 3, 4, 8 + on);
	assert_int_equal(r.det.u.error.mtu, 1400);
	assert_int_equal(r.det.u.error.orig_len, 128);
	t_inner_udp4(&r);
}

static void test_v4_source_quench(void **state)
{
	unsigned char b[T_MAX], o[T_MAX];
	unsigned int on = t_udp4(o), n;
	struct t_res r;

	(void)state;
	n = t_pkt4(b, 4, 0, 0, o, on);
	t_parse_all(&r, b, n);
	t_ok4(&r, 4, 0, 8 + on);
	assert_int_equal(r.det.kind, ICMPT_DET_ERROR);
	t_inner_udp4(&r);
}

static void test_v4_redirect(void **state)
{
	unsigned char b[T_MAX], o[T_MAX];
	unsigned int on = t_udp4(o), code;
	struct t_res r;

	(void)state;
	for (code = 0; code <= 3; code++) {
		unsigned int n = t_pkt4(b, 5, code, 0xc00002fe, o, on);

		t_parse_all(&r, b, n);
		t_ok4(&r, 5, code, 8 + on);
		assert_int_equal(r.det.kind, ICMPT_DET_ERROR);
		assert_memory_equal(r.det.u.error.gateway, t_gw4, 4);
		assert_int_equal(r.det.u.error.mtu, 0);
		assert_int_equal(r.det.u.error.orig_len, 0);
		t_inner_udp4(&r);
	}
}

/* Time exceeded quoting an echo request: the inner id and seq. */
static void test_v4_time_exceeded(void **state)
{
	unsigned char b[T_MAX], o[T_MAX], e[T_MAX];
	unsigned int en = t_icmp(e, 8, 0, 0xbeef0007, "xxxxxxxx", 8), on, code;
	struct t_res r;

	(void)state;
	t_csum4(e, en);
	on = t_ip4(o, 1, 0, e, en);
	for (code = 0; code <= 1; code++) {
		unsigned int n = t_pkt4(b, 11, code, 0, o, on);
		const struct icmpt_inner *in = &r.det.inner;

		t_parse_all(&r, b, n);
		t_ok4(&r, 11, code, 8 + on);
		assert_int_equal(r.det.kind, ICMPT_DET_ERROR);
		assert_int_equal(in->flags, ICMPT_INNER_IP | ICMPT_INNER_ICMP |
					    ICMPT_INNER_ECHO);
		assert_int_equal(in->proto, 1);
		assert_int_equal(in->icmp_type, 8);
		assert_int_equal(in->icmp_code, 0);
		assert_int_equal(in->id, 0xbeef);
		assert_int_equal(in->seq, 7);
		assert_int_equal(in->sport, 0);
	}
}

static void test_v4_param_problem(void **state)
{
	unsigned char b[T_MAX], o[T_MAX];
	unsigned int on = t_udp4(o), code;
	struct t_res r;

	(void)state;
	for (code = 0; code <= 2; code++) {
		unsigned int n = t_pkt4(b, 12, code, 0x14000000, o, on);

		t_parse_all(&r, b, n);
		t_ok4(&r, 12, code, 8 + on);
		assert_int_equal(r.det.kind, ICMPT_DET_ERROR);
		assert_int_equal(r.det.u.error.pointer, 20);
		t_inner_udp4(&r);
	}
}

static void test_v4_timestamp(void **state)
{
	static const unsigned char ts[12] = {
		0x01, 0x02, 0x03, 0x04, 0x80, 0, 0, 1, 0xff, 0xff, 0xff, 0xff
	};
	unsigned char b[T_MAX];
	unsigned int t;
	struct t_res r;

	(void)state;
	for (t = 13; t <= 14; t++) {
		unsigned int n = t_pkt4(b, t, 0, 0x00110022, ts, 12);

		t_parse_all(&r, b, n);
		t_ok4(&r, t, 0, 20);
		assert_int_equal(r.det.kind, ICMPT_DET_TSTAMP);
		assert_int_equal(r.det.u.tstamp.id, 0x11);
		assert_int_equal(r.det.u.tstamp.seq, 0x22);
		assert_int_equal(r.det.u.tstamp.originate, 0x01020304);
		assert_int_equal(r.det.u.tstamp.receive, 0x80000001);
		assert_int_equal(r.det.u.tstamp.transmit, 0xffffffff);
		assert_false(r.pkt.flags & ICMPT_PKT_HAS_ECHO);
	}
}

static void test_v4_info(void **state)
{
	unsigned char b[T_MAX];
	unsigned int t;
	struct t_res r;

	(void)state;
	for (t = 15; t <= 16; t++) {
		unsigned int n = t_pkt4(b, t, 0, 0xabcd0102, NULL, 0);

		t_parse_all(&r, b, n);
		t_ok4(&r, t, 0, 8);
		assert_int_equal(r.det.kind, ICMPT_DET_ECHO);
		assert_int_equal(r.det.u.echo.id, 0xabcd);
		assert_int_equal(r.det.u.echo.seq, 0x0102);
		assert_false(r.pkt.flags & ICMPT_PKT_HAS_INNER);
	}
}

static void test_v4_mask(void **state)
{
	static const unsigned char mask[4] = { 255, 255, 240, 0 };
	unsigned char b[T_MAX];
	unsigned int t;
	struct t_res r;

	(void)state;
	for (t = 17; t <= 18; t++) {
		unsigned int n = t_pkt4(b, t, 0, 0x00070008, mask, 4);

		t_parse_all(&r, b, n);
		t_ok4(&r, t, 0, 12);
		assert_int_equal(r.det.kind, ICMPT_DET_MASK);
		assert_int_equal(r.det.u.mask.id, 7);
		assert_int_equal(r.det.u.mask.seq, 8);
		assert_memory_equal(r.det.u.mask.mask, mask, 4);
	}
}

static void test_v4_router_adv(void **state)
{
	static const unsigned char ent[16] = {
		192, 0, 2, 254, 0xff, 0xff, 0xff, 0xfe,	/* preference -2 */
		192, 0, 2, 253, 0, 0, 0, 5,
	};
	unsigned char b[T_MAX];
	unsigned int n;
	struct t_res r;

	(void)state;
	n = t_pkt4(b, 9, 0, 0x02020708, ent, 16);
	t_parse_all(&r, b, n);
	t_ok4(&r, 9, 0, 24);
	assert_int_equal(r.det.kind, ICMPT_DET_RTADV4);
	assert_int_equal(r.det.u.rtadv4.num_addrs, 2);
	assert_int_equal(r.det.u.rtadv4.addr_entry_size, 2);
	assert_int_equal(r.det.u.rtadv4.lifetime, 1800);
	assert_int_equal(r.det.u.rtadv4.first_valid, 1);
	assert_memory_equal(r.det.u.rtadv4.first_addr, t_gw4, 4);
	assert_int_equal(r.det.u.rtadv4.first_pref, -2);

	/* No entries announced: nothing about a first one. */
	n = t_pkt4(b, 9, 0, 0x00020708, NULL, 0);
	t_parse_all(&r, b, n);
	t_ok4(&r, 9, 0, 8);
	assert_int_equal(r.det.kind, ICMPT_DET_RTADV4);
	assert_int_equal(r.det.u.rtadv4.num_addrs, 0);
	assert_int_equal(r.det.u.rtadv4.first_valid, 0);

	/* One announced, not in the message: no first entry either. */
	n = t_pkt4(b, 9, 0, 0x01020708, ent, 4);
	t_parse_all(&r, b, n);
	assert_int_equal(r.det.u.rtadv4.first_valid, 0);
	assert_int_equal(r.det.u.rtadv4.first_pref, 0);
}

static void test_v4_router_solicit(void **state)
{
	unsigned char b[T_MAX];
	unsigned int n = t_pkt4(b, 10, 0, 0, NULL, 0);
	struct t_res r;

	(void)state;
	t_parse_all(&r, b, n);
	t_ok4(&r, 10, 0, 8);
	assert_int_equal(r.det.kind, ICMPT_DET_NONE);
	assert_int_equal(r.pkt.flags, ICMPT_PKT_CSUM_OK);
}

static void test_v4_ext_echo(void **state)
{
	static const unsigned char ext[12] = {
		0x20, 0, 0, 0, 0, 8, 3, 2, 0, 0, 0, 2	/* by ifindex 2 */
	};
	unsigned char b[T_MAX];
	unsigned int n;
	struct t_res r;

	(void)state;
	n = t_pkt4(b, 42, 0, 0x12340901, ext, 12);
	t_parse_all(&r, b, n);
	t_ok4(&r, 42, 0, 20);
	assert_int_equal(r.det.kind, ICMPT_DET_EXT_ECHO);
	assert_int_equal(r.det.u.ext_echo.id, 0x1234);
	assert_int_equal(r.det.u.ext_echo.seq, 9);
	assert_int_equal(r.det.u.ext_echo.local, 1);
	assert_false(r.pkt.flags & ICMPT_PKT_HAS_ECHO);

	/* Reply: state 2 (Reachable), A and 4 set, 6 clear. */
	n = t_pkt4(b, 43, 0, 0x12340946, NULL, 0);
	t_parse_all(&r, b, n);
	t_ok4(&r, 43, 0, 8);
	assert_int_equal(r.det.u.ext_echo.seq, 9);
	assert_int_equal(r.det.u.ext_echo.state, 2);
	assert_int_equal(r.det.u.ext_echo.active, 1);
	assert_int_equal(r.det.u.ext_echo.ipv4, 1);
	assert_int_equal(r.det.u.ext_echo.ipv6, 0);
	assert_int_equal(r.det.u.ext_echo.local, 0);
}

const struct CMUnitTest t_v4_tests[] = {
	cmocka_unit_test(test_v4_echo),
	cmocka_unit_test(test_v4_unreach),
	cmocka_unit_test(test_v4_frag_needed_rfc4884),
	cmocka_unit_test(test_v4_source_quench),
	cmocka_unit_test(test_v4_redirect),
	cmocka_unit_test(test_v4_time_exceeded),
	cmocka_unit_test(test_v4_param_problem),
	cmocka_unit_test(test_v4_timestamp),
	cmocka_unit_test(test_v4_info),
	cmocka_unit_test(test_v4_mask),
	cmocka_unit_test(test_v4_router_adv),
	cmocka_unit_test(test_v4_router_solicit),
	cmocka_unit_test(test_v4_ext_echo),
};
const size_t t_v4_count = ARRAY_SIZE(t_v4_tests);
