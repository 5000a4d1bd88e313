// SPDX-License-Identifier: GPL-2.0
/*
 * Pure-C ICMP parser shared by the module, the unit tests and the fuzzer.
 * Every read is bounds-checked against the bytes present; nothing here may
 * assume the packet is well formed.  Lengths stay far below 2^31, so the
 * unsigned sums of offsets below cannot wrap.
 */
#include <linux/icmptrace_icmp.h>
#include "icmpt_parse.h"

#define ICMPT_ICMP_HDR_LEN	8
#define ICMPT_V6_EXT_MAX	8	/* in a quoted datagram, walked at most */

static unsigned int icmpt_be16(const unsigned char *p)
{
	return (unsigned int)p[0] << 8 | p[1];
}

static __u32 icmpt_be32(const unsigned char *p)
{
	return (__u32)p[0] << 24 | (__u32)p[1] << 16 | (__u32)p[2] << 8 | p[3];
}

/*
 * Addresses are copied whole: a byte loop was 40 of icmpt_parse_v4()'s 99
 * instructions a record in a ping flood.  n is a constant but for an NDP
 * option.
 */
static void icmpt_copy(__u8 *dst, const unsigned char *src, unsigned int n)
{
	__builtin_memcpy(dst, src, n);
}

/*
 * Checksum: RFC 1071.  The bytes are summed as the native-order halves of
 * 8-byte words, one load each (2^16 == 1 mod 0xffff), folded to 16 bits and,
 * on a little-endian machine, byte-swapped to the network-order sum
 * (RFC 1071 2(B)): equal to it modulo 0xffff, and 0 only when it is 0, so
 * the running sum and the verdict are those of a big-endian sum.  Built
 * from bytes four at a time, it was a tenth of the hooks' cost in a ping
 * flood (bench/insn_profile.sh).
 */
static __u64 icmpt_fold16(__u64 s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

__u64 icmpt_csum_add_c(__u64 sum, const unsigned char *buf, unsigned int len)
{
	__u64 s = 0, w;
	unsigned int i;
	__u32 h;
	__u16 q;

	for (i = 0; i + 8 <= len; i += 8) {
		__builtin_memcpy(&w, buf + i, sizeof(w));
		s += (w & 0xffffffff) + (w >> 32);
	}
	if (i + 4 <= len) {
		__builtin_memcpy(&h, buf + i, sizeof(h));
		s += h;
		i += 4;
	}
	if (i + 2 <= len) {
		__builtin_memcpy(&q, buf + i, sizeof(q));
		s += q;
		i += 2;
	}
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (i < len)
		s += buf[i];		/* odd byte, zero-padded: the low one here */
	s = icmpt_fold16(s);
	s = (s >> 8 | s << 8) & 0xffff;
#else
	if (i < len)
		s += (__u32)buf[i] << 8;
#endif
	return sum + s;
}

__u32 icmpt_csum_verdict(const struct icmpt_packet *pkt, __u64 sum)
{
	if (pkt->proto == ICMPT_IPPROTO_ICMPV6) {
		sum = icmpt_csum_add(sum, pkt->saddr, 16);
		sum = icmpt_csum_add(sum, pkt->daddr, 16);
		sum += (pkt->icmp_len >> 16) + (pkt->icmp_len & 0xffff);
		sum += ICMPT_IPPROTO_ICMPV6;
	}
	return icmpt_fold16(sum) == 0xffff ? ICMPT_PKT_CSUM_OK : ICMPT_PKT_CSUM_BAD;
}

__u32 icmpt_csum_check(const struct icmpt_packet *pkt,
		       const unsigned char *icmp, unsigned int len)
{
	if (len != pkt->icmp_len)
		return 0;
	return icmpt_csum_verdict(pkt, icmpt_csum_add(0, icmp, len));
}

/* IPv6 extension headers that may stand before the upper-layer header. */
static int icmpt_v6_is_ext(unsigned int nh)
{
	return nh == ICMPT_IPV6_HOPOPTS || nh == ICMPT_IPV6_ROUTING ||
	       nh == ICMPT_IPV6_FRAGMENT || nh == ICMPT_IPV6_DSTOPTS ||
	       nh == ICMPT_IPV6_AH;
}

int icmpt_v6_ext_step(struct icmpt_v6_chain *c, const unsigned char *h)
{
	unsigned int fo;

	if (!icmpt_v6_is_ext(c->nh))
		return 0;
	c->hdrs++;
	if (c->nh == ICMPT_IPV6_FRAGMENT) {
		fo = icmpt_be16(h + 2);
		c->frag_id = icmpt_be32(h + 4);
		c->nh = h[0];
		c->off += 8;
		if (fo & 0xfff8) {
			c->nonfirst = 1;
			return 0;
		}
		if (fo & 1)
			c->more = 1;
		return 1;
	}
	if (c->nh == ICMPT_IPV6_ROUTING && h[3])
		c->routed = 1;
	/* AH counts 4-byte words, the others 8-byte words. */
	c->off += c->nh == ICMPT_IPV6_AH ? (h[1] + 2) * 4 : (h[1] + 1) * 8;
	c->nh = h[0];
	return 1;
}

/*
 * Walk the extension headers after the IPv6 header at buf, within lim
 * bytes.  Returns 0, or -1 when the bytes end inside the chain or it is
 * longer than max headers (w->nh is then an extension header).
 */
static int icmpt_v6_walk(struct icmpt_v6_chain *w, const unsigned char *buf,
			 unsigned int lim, unsigned int max)
{
	w->nh = buf[6];
	w->off = 40;
	while (icmpt_v6_is_ext(w->nh)) {
		if (w->hdrs == max || w->off + 8 > lim)
			return -1;
		if (!icmpt_v6_ext_step(w, buf + w->off))
			break;	/* a non-first fragment */
	}
	return 0;
}

static int icmpt_is_port_proto(unsigned int p)
{
	return p == ICMPT_IPPROTO_TCP || p == ICMPT_IPPROTO_UDP ||
	       p == ICMPT_IPPROTO_DCCP || p == ICMPT_IPPROTO_SCTP ||
	       p == ICMPT_IPPROTO_UDPLITE;
}

/* Transport header of the embedded datagram, at p[off..n). */
static void icmpt_inner_l4(struct icmpt_inner *in, const unsigned char *p,
			   unsigned int off, unsigned int n)
{
	unsigned int icmp = in->version == 4 ? ICMPT_IPPROTO_ICMP :
					       ICMPT_IPPROTO_ICMPV6;
	unsigned int t;

	if (icmpt_is_port_proto(in->proto)) {
		if (off + 4 > n) {
			in->flags |= ICMPT_INNER_TRUNCATED;
			return;
		}
		in->sport = icmpt_be16(p + off);
		in->dport = icmpt_be16(p + off + 2);
		in->flags |= ICMPT_INNER_PORTS;
		return;
	}
	if (in->proto != icmp)
		return;
	if (off + 2 > n) {
		in->flags |= ICMPT_INNER_TRUNCATED;
		return;
	}
	t = p[off];
	in->icmp_type = t;
	in->icmp_code = p[off + 1];
	in->flags |= ICMPT_INNER_ICMP;
	if (icmp == ICMPT_IPPROTO_ICMP ?
	    t != ICMPT_V4_ECHO_REPLY && t != ICMPT_V4_ECHO_REQUEST :
	    t != ICMPT_V6_ECHO_REQUEST && t != ICMPT_V6_ECHO_REPLY)
		return;
	if (off + 8 > n) {
		in->flags |= ICMPT_INNER_TRUNCATED;
		return;
	}
	in->id = icmpt_be16(p + off + 4);
	in->seq = icmpt_be16(p + off + 6);
	in->flags |= ICMPT_INNER_ECHO;
}

/* The original datagram of an error message: p[0..n), as far as it goes. */
static void icmpt_parse_inner(struct icmpt_packet *pkt, struct icmpt_inner *in,
			      const unsigned char *p, unsigned int n)
{
	struct icmpt_v6_chain w = { 0 };
	unsigned int off;

	pkt->flags |= ICMPT_PKT_HAS_INNER;
	if (n < 1) {
		in->flags |= ICMPT_INNER_TRUNCATED;
		return;
	}
	in->version = p[0] >> 4;
	/* ICMP quotes IPv4, ICMPv6 quotes IPv6: anything else is no header. */
	if (in->version != pkt->family) {
		in->flags |= ICMPT_INNER_BAD_IP;
		return;
	}
	if (in->version == 4) {
		off = (p[0] & 0x0f) * 4;
		if (off < 20) {
			in->flags |= ICMPT_INNER_BAD_IP;
			return;
		}
		if (n < 20) {
			in->flags |= ICMPT_INNER_TRUNCATED;
			return;
		}
		in->flags |= ICMPT_INNER_IP;
		if (off > 20)
			in->flags |= ICMPT_INNER_IP_OPTS;
		in->ttl = p[8];
		in->proto = p[9];
		in->ip_len = icmpt_be16(p + 2);
		in->ip_id = icmpt_be16(p + 4);
		icmpt_copy(in->saddr, p + 12, 4);
		icmpt_copy(in->daddr, p + 16, 4);
		if (icmpt_be16(p + 6) & 0x1fff) {
			in->flags |= ICMPT_INNER_FRAGMENT;
			return;
		}
	} else {	/* 6 */
		if (n < 40) {
			in->flags |= ICMPT_INNER_TRUNCATED;
			return;
		}
		in->flags |= ICMPT_INNER_IP;
		in->ttl = p[7];
		in->ip_len = 40 + icmpt_be16(p + 4);
		icmpt_copy(in->saddr, p + 8, 16);
		icmpt_copy(in->daddr, p + 24, 16);
		if (icmpt_v6_walk(&w, p, n, ICMPT_V6_EXT_MAX)) {
			/* Cut short: the usual case; too long: proto says where. */
			if (w.hdrs < ICMPT_V6_EXT_MAX)
				in->flags |= ICMPT_INNER_TRUNCATED;
		}
		if (w.hdrs)
			in->flags |= ICMPT_INNER_EXT_HDRS;
		in->proto = w.nh;
		in->ip_id = w.frag_id;
		if (w.nonfirst) {
			in->flags |= ICMPT_INNER_FRAGMENT;
			return;
		}
		if (icmpt_v6_is_ext(w.nh))
			return;
		off = w.off;
	}
	icmpt_inner_l4(in, p, off, n);
}

/* Neighbor discovery options at p[0..n): the first lladdr and the MTU. */
static void icmpt_ndp_opts(struct icmpt_ndp_opts *o, const unsigned char *p,
			   unsigned int n)
{
	unsigned int off = 0;

	while (off < n) {
		unsigned int type, len;

		if (off + 2 > n || !p[off + 1] || off + p[off + 1] * 8 > n) {
			o->flags |= ICMPT_NDP_OPTS_BAD;
			return;
		}
		type = p[off];
		len = p[off + 1] * 8;
		if ((type == ICMPT_NDP_OPT_SOURCE_LLADDR ||
		     type == ICMPT_NDP_OPT_TARGET_LLADDR) && !o->lladdr_len) {
			o->lladdr_len = len - 2 > 8 ? 8 : len - 2;
			o->lladdr_type = type;
			icmpt_copy(o->lladdr, p + off + 2, o->lladdr_len);
		} else if (type == ICMPT_NDP_OPT_MTU && !o->mtu) {
			o->mtu = icmpt_be32(p + off + 4);
		}
		if (o->nr_opts < 255)
			o->nr_opts++;
		off += len;
	}
}

static void icmpt_ext_echo(struct icmpt_detail *det, const unsigned char *m,
			   int reply)
{
	struct icmpt_det_ext_echo *e = &det->u.ext_echo;

	det->kind = ICMPT_DET_EXT_ECHO;
	e->id = icmpt_be16(m + 4);
	e->seq = m[6];
	if (reply) {
		e->state = m[7] >> 5;
		e->active = (m[7] >> 2) & 1;
		e->ipv4 = (m[7] >> 1) & 1;
		e->ipv6 = m[7] & 1;
	} else {
		e->local = m[7] & 1;
	}
}

static void icmpt_echo(struct icmpt_detail *det, const unsigned char *m)
{
	det->kind = ICMPT_DET_ECHO;
	det->u.echo.id = icmpt_be16(m + 4);
	det->u.echo.seq = icmpt_be16(m + 6);
}

/* Two's complement without an out-of-range conversion. */
static __s32 icmpt_s32(__u32 v)
{
	return v < 0x80000000U ? (__s32)v : -(__s32)(~v) - 1;
}

/* ICMPv4 body; m[0..n) with n >= 8. */
static void icmpt_detail_v4(struct icmpt_packet *pkt, struct icmpt_detail *det,
			    const unsigned char *m, unsigned int n)
{
	struct icmpt_det_error *err = &det->u.error;

	switch (pkt->type) {
	case ICMPT_V4_ECHO_REPLY:
	case ICMPT_V4_ECHO_REQUEST:
	case ICMPT_V4_INFO_REQUEST:
	case ICMPT_V4_INFO_REPLY:
		icmpt_echo(det, m);
		break;
	case ICMPT_V4_DEST_UNREACH:
	case ICMPT_V4_SOURCE_QUENCH:
	case ICMPT_V4_REDIRECT:
	case ICMPT_V4_TIME_EXCEEDED:
	case ICMPT_V4_PARAM_PROBLEM:
		det->kind = ICMPT_DET_ERROR;
		if (pkt->type == ICMPT_V4_DEST_UNREACH &&
		    pkt->code == ICMPT_V4_FRAG_NEEDED)
			err->mtu = icmpt_be16(m + 6);
		if (pkt->type == ICMPT_V4_REDIRECT)
			icmpt_copy(err->gateway, m + 4, 4);
		if (pkt->type == ICMPT_V4_PARAM_PROBLEM)
			err->pointer = m[4];
		if (pkt->type == ICMPT_V4_DEST_UNREACH ||
		    pkt->type == ICMPT_V4_TIME_EXCEEDED ||
		    pkt->type == ICMPT_V4_PARAM_PROBLEM)
			err->orig_len = m[5] * 4;	/* RFC 4884: words */
		icmpt_parse_inner(pkt, &det->inner, m + 8, n - 8);
		break;
	case ICMPT_V4_ROUTER_ADVERT: {
		struct icmpt_det_rtadv4 *ra = &det->u.rtadv4;

		det->kind = ICMPT_DET_RTADV4;
		ra->num_addrs = m[4];
		ra->addr_entry_size = m[5];
		ra->lifetime = icmpt_be16(m + 6);
		if (ra->num_addrs && ra->addr_entry_size >= 2 && n >= 16) {
			icmpt_copy(ra->first_addr, m + 8, 4);
			ra->first_pref = icmpt_s32(icmpt_be32(m + 12));
			ra->first_valid = 1;
		}
		break;
	}
	case ICMPT_V4_TIMESTAMP_REQUEST:
	case ICMPT_V4_TIMESTAMP_REPLY:
		if (n < 20) {
			pkt->flags |= ICMPT_PKT_TRUNCATED;
			break;
		}
		det->kind = ICMPT_DET_TSTAMP;
		det->u.tstamp.id = icmpt_be16(m + 4);
		det->u.tstamp.seq = icmpt_be16(m + 6);
		det->u.tstamp.originate = icmpt_be32(m + 8);
		det->u.tstamp.receive = icmpt_be32(m + 12);
		det->u.tstamp.transmit = icmpt_be32(m + 16);
		break;
	case ICMPT_V4_MASK_REQUEST:
	case ICMPT_V4_MASK_REPLY:
		if (n < 12) {
			pkt->flags |= ICMPT_PKT_TRUNCATED;
			break;
		}
		det->kind = ICMPT_DET_MASK;
		det->u.mask.id = icmpt_be16(m + 4);
		det->u.mask.seq = icmpt_be16(m + 6);
		icmpt_copy(det->u.mask.mask, m + 8, 4);
		break;
	case ICMPT_V4_EXT_ECHO_REQUEST:
	case ICMPT_V4_EXT_ECHO_REPLY:
		icmpt_ext_echo(det, m, pkt->type == ICMPT_V4_EXT_ECHO_REPLY);
		break;
	}
}

/* MLDv2 Maximum Response Code to milliseconds (RFC 3810 5.1.3). */
static __u32 icmpt_mld2_ms(unsigned int code)
{
	if (code < 32768)
		return code;
	return (__u32)((code & 0xfff) | 0x1000) << (((code >> 12) & 7) + 3);
}

static void icmpt_mld(struct icmpt_packet *pkt, struct icmpt_detail *det,
		      const unsigned char *m, unsigned int n)
{
	struct icmpt_det_mld *mld = &det->u.mld;
	/* A query of 28 bytes or more on the wire is MLDv2 (RFC 3810 8.1). */
	int v2 = pkt->type == ICMPT_V6_MLD_QUERY && pkt->icmp_len >= 28;

	if (n < (v2 ? 28U : 24U)) {
		pkt->flags |= ICMPT_PKT_TRUNCATED;
		return;
	}
	det->kind = ICMPT_DET_MLD;
	mld->max_resp_code = icmpt_be16(m + 4);
	icmpt_copy(mld->mcast, m + 8, 16);
	mld->version = v2 ? 2 : 1;
	mld->max_resp_ms = v2 ? icmpt_mld2_ms(mld->max_resp_code) :
				mld->max_resp_code;
	if (v2) {
		mld->qrv = m[24] & 0x0f;
		mld->qqic = m[25];
		mld->nr_sources = icmpt_be16(m + 26);
	}
}

/* ICMPv6 body; m[0..n) with n >= 8. */
static void icmpt_detail_v6(struct icmpt_packet *pkt, struct icmpt_detail *det,
			    const unsigned char *m, unsigned int n)
{
	struct icmpt_det_error *err = &det->u.error;

	switch (pkt->type) {
	case ICMPT_V6_DEST_UNREACH:
	case ICMPT_V6_PACKET_TOO_BIG:
	case ICMPT_V6_TIME_EXCEEDED:
	case ICMPT_V6_PARAM_PROBLEM:
		det->kind = ICMPT_DET_ERROR;
		if (pkt->type == ICMPT_V6_PACKET_TOO_BIG)
			err->mtu = icmpt_be32(m + 4);
		else if (pkt->type == ICMPT_V6_PARAM_PROBLEM)
			err->pointer = icmpt_be32(m + 4);
		else
			err->orig_len = m[4] * 8;	/* RFC 4884: 8-byte words */
		icmpt_parse_inner(pkt, &det->inner, m + 8, n - 8);
		break;
	case ICMPT_V6_ECHO_REQUEST:
	case ICMPT_V6_ECHO_REPLY:
		icmpt_echo(det, m);
		break;
	case ICMPT_V6_MLD_QUERY:
	case ICMPT_V6_MLD_REPORT:
	case ICMPT_V6_MLD_DONE:
		icmpt_mld(pkt, det, m, n);
		break;
	case ICMPT_V6_ROUTER_SOLICIT:
		det->kind = ICMPT_DET_NDP_RS;
		icmpt_ndp_opts(&det->u.rs, m + 8, n - 8);
		break;
	case ICMPT_V6_ROUTER_ADVERT: {
		struct icmpt_det_ra *ra = &det->u.ra;

		if (n < 16) {
			pkt->flags |= ICMPT_PKT_TRUNCATED;
			break;
		}
		det->kind = ICMPT_DET_NDP_RA;
		ra->cur_hop_limit = m[4];
		ra->flags = m[5];
		ra->router_lifetime = icmpt_be16(m + 6);
		ra->reachable = icmpt_be32(m + 8);
		ra->retrans = icmpt_be32(m + 12);
		icmpt_ndp_opts(&ra->opts, m + 16, n - 16);
		break;
	}
	case ICMPT_V6_NEIGH_SOLICIT:
	case ICMPT_V6_NEIGH_ADVERT:
		if (n < 24) {
			pkt->flags |= ICMPT_PKT_TRUNCATED;
			break;
		}
		det->kind = ICMPT_DET_NDP_NEIGH;
		icmpt_copy(det->u.neigh.target, m + 8, 16);
		if (pkt->type == ICMPT_V6_NEIGH_ADVERT)
			det->u.neigh.flags = m[4];
		icmpt_ndp_opts(&det->u.neigh.opts, m + 24, n - 24);
		break;
	case ICMPT_V6_REDIRECT:
		if (n < 40) {
			pkt->flags |= ICMPT_PKT_TRUNCATED;
			break;
		}
		det->kind = ICMPT_DET_NDP_REDIRECT;
		icmpt_copy(det->u.redirect.target, m + 8, 16);
		icmpt_copy(det->u.redirect.dest, m + 24, 16);
		icmpt_ndp_opts(&det->u.redirect.opts, m + 40, n - 40);
		break;
	case ICMPT_V6_MLD2_REPORT: {
		struct icmpt_det_mld2_report *r = &det->u.mld2_report;

		det->kind = ICMPT_DET_MLD2_REPORT;
		r->nr_records = icmpt_be16(m + 6);
		if (!r->nr_records)
			break;
		if (n < 28) {
			pkt->flags |= ICMPT_PKT_TRUNCATED;
			break;
		}
		r->first_valid = 1;
		r->first_type = m[8];
		r->first_aux_len = m[9];
		r->first_nr_sources = icmpt_be16(m + 10);
		icmpt_copy(r->first_mcast, m + 12, 16);
		break;
	}
	case ICMPT_V6_EXT_ECHO_REQUEST:
	case ICMPT_V6_EXT_ECHO_REPLY:
		icmpt_ext_echo(det, m, pkt->type == ICMPT_V6_EXT_ECHO_REPLY);
		break;
	}
}

/*
 * An ICMPv6 message of 4 to 7 bytes that is not cut short: type, code and
 * checksum are the whole common header (RFC 4443 2.1).  The Multicast
 * Router Solicitation and Termination (RFC 4286) have nothing more, and
 * what follows in a type the parser does not decode is that type's own.
 * Every type icmpt_detail_v6() decodes has 4 more bytes at least.
 */
static int icmpt_v6_short_whole(const struct icmpt_packet *pkt,
				unsigned int have)
{
	if (pkt->proto != ICMPT_IPPROTO_ICMPV6 || have < 4)
		return 0;
	switch (pkt->type) {
	case ICMPT_V6_DEST_UNREACH:
	case ICMPT_V6_PACKET_TOO_BIG:
	case ICMPT_V6_TIME_EXCEEDED:
	case ICMPT_V6_PARAM_PROBLEM:
	case ICMPT_V6_ECHO_REQUEST:
	case ICMPT_V6_ECHO_REPLY:
	case ICMPT_V6_MLD_QUERY:
	case ICMPT_V6_MLD_REPORT:
	case ICMPT_V6_MLD_DONE:
	case ICMPT_V6_ROUTER_SOLICIT:
	case ICMPT_V6_ROUTER_ADVERT:
	case ICMPT_V6_NEIGH_SOLICIT:
	case ICMPT_V6_NEIGH_ADVERT:
	case ICMPT_V6_REDIRECT:
	case ICMPT_V6_MLD2_REPORT:
	case ICMPT_V6_EXT_ECHO_REQUEST:
	case ICMPT_V6_EXT_ECHO_REPLY:
		return 0;
	}
	return 1;
}

/*
 * The ICMP message h[0..have), at offset off of the datagram; have is
 * already clamped to the IP length.  whole: h holds the message up to that
 * length and no fragment is missing.
 */
static void icmpt_parse_icmp(struct icmpt_packet *pkt, struct icmpt_detail *det,
			     const unsigned char *h, unsigned int have,
			     unsigned int off, int whole)
{
	det->icmp_off = off > 0xffff ? 0xffff : off;
	if (have < 2) {
		pkt->flags |= ICMPT_PKT_TRUNCATED;
		return;
	}
	pkt->type = h[0];
	pkt->code = h[1];
	if (have >= 4)
		pkt->checksum = icmpt_be16(h + 2);
	if (have < ICMPT_ICMP_HDR_LEN) {
		if (!icmpt_v6_short_whole(pkt, have))
			pkt->flags |= ICMPT_PKT_TRUNCATED;
		else if (whole)
			pkt->flags |= icmpt_csum_check(pkt, h, have);
		return;
	}
	pkt->rest = icmpt_be32(h + 4);

	if ((pkt->proto == ICMPT_IPPROTO_ICMP &&
	     (pkt->type == ICMPT_V4_ECHO_REQUEST ||
	      pkt->type == ICMPT_V4_ECHO_REPLY)) ||
	    (pkt->proto == ICMPT_IPPROTO_ICMPV6 &&
	     (pkt->type == ICMPT_V6_ECHO_REQUEST ||
	      pkt->type == ICMPT_V6_ECHO_REPLY))) {
		pkt->id = icmpt_be16(h + 4);
		pkt->seq = icmpt_be16(h + 6);
		pkt->flags |= ICMPT_PKT_HAS_ECHO;
	}
	if (pkt->proto == ICMPT_IPPROTO_ICMP)
		icmpt_detail_v4(pkt, det, h, have);
	else
		icmpt_detail_v6(pkt, det, h, have);
	if (whole)
		pkt->flags |= icmpt_csum_check(pkt, h, have);
}

static int icmpt_parse_v4(struct icmpt_packet *pkt, struct icmpt_detail *det,
			  const unsigned char *buf, unsigned int caplen,
			  unsigned int wirelen)
{
	unsigned int ihl, tot, frag;

	if (caplen < 20 || buf[9] != ICMPT_IPPROTO_ICMP)
		return -1;
	ihl = (buf[0] & 0x0f) * 4;

	pkt->family = 4;
	pkt->proto = ICMPT_IPPROTO_ICMP;
	pkt->ttl = buf[8];
	icmpt_copy(pkt->saddr, buf + 12, 4);
	icmpt_copy(pkt->daddr, buf + 16, 4);
	tot = icmpt_be16(buf + 2);
	pkt->ip_len = tot;
	if (ihl > 20)
		pkt->flags |= ICMPT_PKT_IP_OPTS;

	if ((buf[0] >> 4) != 4 || ihl < 20 || tot < ihl || tot > wirelen) {
		pkt->flags |= ICMPT_PKT_BAD_IP;
		return 0;
	}
	pkt->icmp_len = tot - ihl;

	/* A fragment with a non-zero offset carries no ICMP header. */
	frag = icmpt_be16(buf + 6);
	if (frag & 0x1fff) {
		pkt->flags |= ICMPT_PKT_FRAGMENT;
		return 0;
	}
	if (frag & 0x2000)
		pkt->flags |= ICMPT_PKT_MORE_FRAGS;
	/* Bytes past the IP total length are link padding, not ICMP. */
	if (caplen > tot)
		caplen = tot;
	icmpt_parse_icmp(pkt, det, buf + ihl, caplen > ihl ? caplen - ihl : 0,
			 ihl, caplen == tot && !(frag & 0x2000));
	return 0;
}

/*
 * The IPv6 datagram with header ip6[0..40) whose bytes from c->off on are
 * l4[0..n): ICMPv6 at c->off, as the walk c found it.
 */
static void icmpt_fill_v6(struct icmpt_packet *pkt, struct icmpt_detail *det,
			  const unsigned char *ip6,
			  const struct icmpt_v6_chain *c,
			  const unsigned char *l4, unsigned int n,
			  unsigned int wirelen)
{
	unsigned int end;

	pkt->family = 6;
	pkt->proto = ICMPT_IPPROTO_ICMPV6;
	pkt->ttl = ip6[7];
	icmpt_copy(pkt->saddr, ip6 + 8, 16);
	icmpt_copy(pkt->daddr, ip6 + 24, 16);
	end = 40 + icmpt_be16(ip6 + 4);
	pkt->ip_len = end;
	if (c->hdrs)
		pkt->flags |= ICMPT_PKT_EXT_HDRS;
	if (c->broken) {
		pkt->flags |= ICMPT_PKT_EXT_BROKEN;
		return;
	}
	if ((ip6[0] >> 4) != 6 || end > wirelen || c->off > end) {
		pkt->flags |= ICMPT_PKT_BAD_IP;
		return;
	}
	pkt->icmp_len = end - c->off;
	if (c->nonfirst) {
		pkt->flags |= ICMPT_PKT_FRAGMENT;
		return;
	}
	if (c->more)
		pkt->flags |= ICMPT_PKT_MORE_FRAGS;
	if (n > pkt->icmp_len)
		n = pkt->icmp_len;
	/* In transit through a routing header daddr is not the final one. */
	icmpt_parse_icmp(pkt, det, l4, n, c->off,
			 n == pkt->icmp_len && !c->more && !c->routed);
}

static int icmpt_parse_v6(struct icmpt_packet *pkt, struct icmpt_detail *det,
			  const unsigned char *buf, unsigned int caplen,
			  unsigned int wirelen)
{
	struct icmpt_v6_chain w = { 0 };

	if (caplen < 40)
		return -1;
	/*
	 * Cut short inside the chain: cannot tell whether it is ICMPv6.  As
	 * long as the bytes go, as the module walks a packet (icmpt_skb.c):
	 * each header is 8 bytes or more, so caplen bounds the walk.
	 */
	if (icmpt_v6_walk(&w, buf, caplen, ~0U) || w.nh != ICMPT_IPPROTO_ICMPV6)
		return -1;
	icmpt_fill_v6(pkt, det, buf, &w, buf + w.off,
		      caplen > w.off ? caplen - w.off : 0, wirelen);
	return 0;
}

/*
 * Clear both, every byte (a union's tail too: the module copies them whole
 * into a record from a stack sample that is not cleared before), and
 * return caplen clamped to wirelen.
 */
static unsigned int icmpt_reset(struct icmpt_packet *pkt,
				struct icmpt_detail *det, unsigned int caplen,
				unsigned int wirelen)
{
	__builtin_memset(pkt, 0, sizeof(*pkt));
	__builtin_memset(det, 0, sizeof(*det));
	det->caplen = caplen > wirelen ? wirelen : caplen;
	return det->caplen;
}

int icmpt_parse(struct icmpt_packet *pkt, struct icmpt_detail *det,
		const unsigned char *buf, unsigned int caplen,
		unsigned int wirelen)
{
	caplen = icmpt_reset(pkt, det, caplen, wirelen);
	if (caplen < 1)
		return -1;
	switch (buf[0] >> 4) {
	case 4:
		return icmpt_parse_v4(pkt, det, buf, caplen, wirelen);
	case 6:
		return icmpt_parse_v6(pkt, det, buf, caplen, wirelen);
	default:
		return -1;
	}
}

int icmpt_parse_ipv4(struct icmpt_packet *pkt, struct icmpt_detail *det,
		     const unsigned char *buf, unsigned int caplen,
		     unsigned int wirelen)
{
	caplen = icmpt_reset(pkt, det, caplen, wirelen);
	if (caplen >= 20 && buf[9] == ICMPT_IPPROTO_ICMP)
		return icmpt_parse_v4(pkt, det, buf, caplen, wirelen);
	pkt->family = 4;
	pkt->proto = ICMPT_IPPROTO_ICMP;
	pkt->flags = ICMPT_PKT_BAD_IP | ICMPT_PKT_TRUNCATED;
	return 0;
}

void icmpt_parse_v6_at(struct icmpt_packet *pkt, struct icmpt_detail *det,
		       const unsigned char *ip6,
		       const struct icmpt_v6_chain *chain,
		       const unsigned char *l4, unsigned int n,
		       unsigned int wirelen)
{
	icmpt_reset(pkt, det, 40 + n, 40 + n);
	icmpt_fill_v6(pkt, det, ip6, chain, l4, n, wirelen);
}
