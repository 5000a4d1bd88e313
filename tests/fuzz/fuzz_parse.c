// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target over icmpt_parse() and the checksum functions.
 *
 * Input: two control bytes, then the datagram.
 *   c0 bits 0-3: wirelen = len + 8 * n (bytes the capture did not get)
 *   c0 bit 7:    caplen = min(len, 256), as the module hands it over
 *   c1:          a second parse of the first c1 * caplen / 256 bytes must
 *                agree with the first one on everything it decodes
 * Every parse runs on a heap copy of exactly caplen bytes, so ASan sees
 * any read past them.  A broken invariant is a crash: a finding.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "icmpt_parse.h"

#define SNAP 256
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

/* Bytes from the ICMP header a kind needs (its fixed part). */
static const unsigned int need[] = {
	[ICMPT_DET_ECHO] = 8, [ICMPT_DET_ERROR] = 8, [ICMPT_DET_TSTAMP] = 20,
	[ICMPT_DET_MASK] = 12, [ICMPT_DET_RTADV4] = 8,
	[ICMPT_DET_EXT_ECHO] = 8, [ICMPT_DET_NDP_RS] = 8,
	[ICMPT_DET_NDP_RA] = 16, [ICMPT_DET_NDP_NEIGH] = 24,
	[ICMPT_DET_NDP_REDIRECT] = 40, [ICMPT_DET_MLD] = 24,
	[ICMPT_DET_MLD2_REPORT] = 8,
};

/* Size of the union member of each kind: bytes after it stay zero. */
static const unsigned int used[] = {
	[ICMPT_DET_ECHO] = sizeof(struct icmpt_det_echo),
	[ICMPT_DET_ERROR] = sizeof(struct icmpt_det_error),
	[ICMPT_DET_TSTAMP] = sizeof(struct icmpt_det_tstamp),
	[ICMPT_DET_MASK] = sizeof(struct icmpt_det_mask),
	[ICMPT_DET_RTADV4] = sizeof(struct icmpt_det_rtadv4),
	[ICMPT_DET_EXT_ECHO] = sizeof(struct icmpt_det_ext_echo),
	[ICMPT_DET_NDP_RS] = sizeof(struct icmpt_ndp_opts),
	[ICMPT_DET_NDP_RA] = sizeof(struct icmpt_det_ra),
	[ICMPT_DET_NDP_NEIGH] = sizeof(struct icmpt_det_neigh),
	[ICMPT_DET_NDP_REDIRECT] = sizeof(struct icmpt_det_redirect),
	[ICMPT_DET_MLD] = sizeof(struct icmpt_det_mld),
	[ICMPT_DET_MLD2_REPORT] = sizeof(struct icmpt_det_mld2_report),
};

struct res {
	int rc;
	struct icmpt_packet pkt;
	struct icmpt_detail det;
};

static void parse(struct res *r, const uint8_t *data, unsigned int cap,
		  unsigned int wire)
{
	uint8_t *copy = malloc(cap ? cap : 1);

	memcpy(copy, data, cap);
	memset(r, 0x5a, sizeof(*r));
	r->rc = icmpt_parse(&r->pkt, &r->det, copy, cap, wire);
	free(copy);
}

static int all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--)
		if (*b++)
			return 0;
	return 1;
}

static void check_inner(const struct icmpt_inner *in)
{
	unsigned int f = in->flags;

	if (f & (ICMPT_INNER_PORTS | ICMPT_INNER_ICMP | ICMPT_INNER_FRAGMENT |
		 ICMPT_INNER_IP_OPTS | ICMPT_INNER_EXT_HDRS))
		CHECK(f & ICMPT_INNER_IP);
	if (f & ICMPT_INNER_IP)
		CHECK(in->version == 4 || in->version == 6);
	if (f & ICMPT_INNER_BAD_IP)
		CHECK(f == ICMPT_INNER_BAD_IP);
	CHECK(!((f & ICMPT_INNER_PORTS) && (f & ICMPT_INNER_ICMP)));
	if (f & ICMPT_INNER_ECHO)
		CHECK(f & ICMPT_INNER_ICMP);
	if (!(f & ICMPT_INNER_PORTS))
		CHECK(!in->sport && !in->dport);
	if (!(f & ICMPT_INNER_ECHO))
		CHECK(!in->id && !in->seq);
	if (!(f & ICMPT_INNER_IP))
		CHECK(all_zero(in->saddr, 32) && !in->ip_len && !in->proto);
}

/* Invariants of one parse of cap bytes of data. */
static void check(const struct res *r, const uint8_t *data, unsigned int cap)
{
	const struct icmpt_packet *p = &r->pkt;
	const struct icmpt_detail *d = &r->det;
	unsigned int f = p->flags;

	CHECK(r->rc == 0 || r->rc == -1);
	if (r->rc)
		return;
	CHECK(d->caplen == cap);
	CHECK((p->family == 4 && p->proto == 1) ||
	      (p->family == 6 && p->proto == 58));
	CHECK((f & (ICMPT_PKT_CSUM_OK | ICMPT_PKT_CSUM_BAD)) !=
	      (ICMPT_PKT_CSUM_OK | ICMPT_PKT_CSUM_BAD));
	CHECK(d->kind < ARRAY_SIZE(need));
	if (f & (ICMPT_PKT_FRAGMENT | ICMPT_PKT_BAD_IP)) {
		CHECK(!p->type && !p->code && !p->checksum && !p->rest);
		CHECK(d->kind == ICMPT_DET_NONE && !d->icmp_off);
		CHECK(!(f & (ICMPT_PKT_HAS_INNER | ICMPT_PKT_HAS_ECHO |
			     ICMPT_PKT_CSUM_OK | ICMPT_PKT_CSUM_BAD)));
	}
	if (f & ICMPT_PKT_BAD_IP)
		CHECK(!p->icmp_len);
	if (p->type || p->code)
		CHECK(d->icmp_off + 2 <= cap);
	if (p->checksum)
		CHECK(d->icmp_off + 4 <= cap);
	if (p->rest)
		CHECK(d->icmp_off + 8 <= cap);
	if (d->kind) {
		CHECK(d->icmp_off + need[d->kind] <= cap);
		CHECK(need[d->kind] <= p->icmp_len);
		CHECK(all_zero(d->u.raw + used[d->kind], 48 - used[d->kind]));
	} else {
		CHECK(all_zero(d->u.raw, 48));
	}
	if (f & ICMPT_PKT_HAS_ECHO)
		CHECK(d->kind == ICMPT_DET_ECHO && d->u.echo.id == p->id &&
		      d->u.echo.seq == p->seq);
	else
		CHECK(!p->id && !p->seq);
	CHECK(!!(f & ICMPT_PKT_HAS_INNER) == (d->kind == ICMPT_DET_ERROR));
	if (f & ICMPT_PKT_HAS_INNER)
		check_inner(&d->inner);
	else
		CHECK(all_zero(&d->inner, sizeof(d->inner)));
	/* A verdict only over the whole message, and the right one. */
	if (f & (ICMPT_PKT_CSUM_OK | ICMPT_PKT_CSUM_BAD)) {
		CHECK(!(f & ICMPT_PKT_MORE_FRAGS));
		/* ICMPv6 4 to 7 bytes: a type with no more (the parser's rule). */
		CHECK(p->icmp_len >= (p->family == 6 ? 4 : 8) &&
		      d->icmp_off + p->icmp_len <= cap);
		CHECK(icmpt_csum_check(p, data + d->icmp_off, p->icmp_len) ==
		      (f & (ICMPT_PKT_CSUM_OK | ICMPT_PKT_CSUM_BAD)));
	}
}

/* A parse of a prefix decodes nothing that the whole one contradicts. */
static void check_prefix(const struct res *a, const struct res *b)
{
	const unsigned int same = ICMPT_PKT_FRAGMENT | ICMPT_PKT_BAD_IP |
				  ICMPT_PKT_IP_OPTS | ICMPT_PKT_EXT_HDRS |
				  ICMPT_PKT_MORE_FRAGS;
	const struct icmpt_inner *x = &a->det.inner, *y = &b->det.inner;

	if (a->rc || b->rc)
		return;
	CHECK(a->pkt.family == b->pkt.family && a->pkt.ttl == b->pkt.ttl);
	CHECK(!memcmp(a->pkt.saddr, b->pkt.saddr, 32));
	CHECK(a->pkt.ip_len == b->pkt.ip_len);
	CHECK(a->pkt.icmp_len == b->pkt.icmp_len);
	CHECK(!((a->pkt.flags ^ b->pkt.flags) & same));
	if (b->pkt.type || b->pkt.code)
		CHECK(a->pkt.type == b->pkt.type && a->pkt.code == b->pkt.code);
	if (b->pkt.flags & ICMPT_PKT_HAS_ECHO)
		CHECK(a->pkt.id == b->pkt.id && a->pkt.seq == b->pkt.seq);
	if (b->det.kind) {
		CHECK(a->det.kind == b->det.kind);
		switch (b->det.kind) {
		case ICMPT_DET_ECHO: case ICMPT_DET_ERROR: case ICMPT_DET_TSTAMP:
		case ICMPT_DET_MASK: case ICMPT_DET_EXT_ECHO: case ICMPT_DET_MLD:
			CHECK(!memcmp(&a->det.u, &b->det.u, 48));
		}
	}
	if ((x->flags & y->flags) & ICMPT_INNER_IP) {
		CHECK(x->version == y->version && x->ttl == y->ttl);
		CHECK(x->ip_len == y->ip_len && !memcmp(x->saddr, y->saddr, 32));
	}
	if ((x->flags & y->flags) & ICMPT_INNER_PORTS)
		CHECK(x->sport == y->sport && x->dport == y->dport);
	if ((x->flags & y->flags) & ICMPT_INNER_ECHO)
		CHECK(x->id == y->id && x->seq == y->seq);
}

/* Summing in pieces of even length gives the sum of the whole. */
static void check_csum(const uint8_t *data, unsigned int len, unsigned int cut)
{
	struct icmpt_packet p = { .proto = (cut & 1) ? 58 : 1 };
	__u64 a, b;

	cut &= ~1U;
	if (cut > len)
		cut = len & ~1U;
	a = icmpt_csum_add(0, data, len);
	b = icmpt_csum_add(icmpt_csum_add(0, data, cut), data + cut, len - cut);
	CHECK(icmpt_csum_verdict(&p, a) == icmpt_csum_verdict(&p, b));
}

/*
 * The module's path: the chain walked over all the bytes with no depth
 * limit (as icmpt_skb.c walks the skb), then icmpt_parse_v6_at() on exact
 * copies of the IPv6 header and the bytes from the ICMPv6 header on.  It
 * must agree with icmpt_parse() wherever that one decoded the datagram,
 * and icmpt_parse_ipv4() must take any bytes.
 */
static void check_located(const struct res *a, const uint8_t *data, unsigned int len,
			  unsigned int wire)
{
	struct icmpt_v6_chain c = { 0 };
	struct res r;
	uint8_t *ip6, *l4;
	unsigned int n;

	if (len >= 20) {
		uint8_t *copy = malloc(len);

		memcpy(copy, data, len);
		CHECK(icmpt_parse_ipv4(&r.pkt, &r.det, copy, len, wire) == 0);
		CHECK(r.pkt.family == 4);
		free(copy);
	}
	if (len < 40 || data[0] >> 4 != 6)
		return;
	c.nh = data[6];
	c.off = 40;
	for (;;) {
		if (c.nh != 0 && c.nh != 43 && c.nh != 44 && c.nh != 51 && c.nh != 60)
			break;
		if (c.off + 8 > len) {
			c.broken = 1;
			break;
		}
		if (!icmpt_v6_ext_step(&c, data + c.off))
			break;
	}
	if (!c.broken && c.nh != 58)
		return;
	n = c.broken || c.off >= len ? 0 : len - c.off;
	ip6 = malloc(40);
	l4 = malloc(n ? n : 1);
	memcpy(ip6, data, 40);
	memcpy(l4, data + c.off, n);
	icmpt_parse_v6_at(&r.pkt, &r.det, ip6, &c, l4, n, wire);
	free(ip6);
	free(l4);
	CHECK(r.pkt.family == 6);
	if (c.broken)
		CHECK(r.pkt.flags & ICMPT_PKT_EXT_BROKEN && !r.pkt.icmp_len && !r.det.kind);
	if (a->rc == 0 && !c.broken) {
		CHECK(a->pkt.flags == r.pkt.flags && a->pkt.icmp_len == r.pkt.icmp_len);
		CHECK(a->pkt.type == r.pkt.type && a->pkt.code == r.pkt.code);
		CHECK(a->det.icmp_off == r.det.icmp_off && a->det.kind == r.det.kind);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned int len, cap, wire, cap2;
	struct res a, b;

	if (size < 2 || size > 65536)
		return 0;
	len = size - 2;
	wire = len + (data[0] & 0x0f) * 8;
	cap = (data[0] & 0x80) && len > SNAP ? SNAP : len;
	cap2 = data[1] * cap / 256;
	parse(&a, data + 2, cap, wire);
	check(&a, data + 2, cap);
	parse(&b, data + 2, cap2, wire);
	check(&b, data + 2, cap2);
	check_prefix(&a, &b);
	check_csum(data + 2, len, data[1] * len / 256);
	if (cap == len)
		check_located(&a, data + 2, len, wire);
	return 0;
}
