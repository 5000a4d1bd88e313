// SPDX-License-Identifier: GPL-2.0
/*
 * Pure-C ICMP parser shared by the module, the unit tests and the fuzzer.
 * Every read is bounds-checked against caplen; nothing here may assume the
 * packet is well formed.
 */
#include "icmpt_parse.h"

#define ICMPT_IPPROTO_ICMP	1
#define ICMPT_IPPROTO_ICMPV6	58
#define ICMPT_ICMP_HDR_LEN	8

/* ICMP types whose rest-of-header is identifier and sequence. */
#define ICMPT_V4_ECHO_REPLY	0
#define ICMPT_V4_ECHO		8
#define ICMPT_V6_ECHO		128
#define ICMPT_V6_ECHO_REPLY	129

static unsigned int icmpt_be16(const unsigned char *p)
{
	return (unsigned int)p[0] << 8 | p[1];
}

static __u32 icmpt_be32(const unsigned char *p)
{
	return (__u32)p[0] << 24 | (__u32)p[1] << 16 | (__u32)p[2] << 8 | p[3];
}

static void icmpt_copy(__u8 *dst, const unsigned char *src, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		dst[i] = src[i];
}

/* Decode the ICMP header at buf[off..caplen). */
static void icmpt_parse_icmp(struct icmpt_packet *pkt, const unsigned char *buf,
			     unsigned int off, unsigned int caplen)
{
	const unsigned char *h = buf + off;
	unsigned int have = caplen - off;

	if (have < 2) {
		pkt->flags |= ICMPT_PKT_TRUNCATED;
		return;
	}
	pkt->type = h[0];
	pkt->code = h[1];
	if (have < ICMPT_ICMP_HDR_LEN) {
		pkt->flags |= ICMPT_PKT_TRUNCATED;
		if (have >= 4)
			pkt->checksum = icmpt_be16(h + 2);
		return;
	}
	pkt->checksum = icmpt_be16(h + 2);
	pkt->rest = icmpt_be32(h + 4);

	if ((pkt->proto == ICMPT_IPPROTO_ICMP &&
	     (pkt->type == ICMPT_V4_ECHO || pkt->type == ICMPT_V4_ECHO_REPLY)) ||
	    (pkt->proto == ICMPT_IPPROTO_ICMPV6 &&
	     (pkt->type == ICMPT_V6_ECHO || pkt->type == ICMPT_V6_ECHO_REPLY))) {
		pkt->id = icmpt_be16(h + 4);
		pkt->seq = icmpt_be16(h + 6);
		pkt->flags |= ICMPT_PKT_HAS_ECHO;
	}
}

static int icmpt_parse_v4(struct icmpt_packet *pkt, const unsigned char *buf,
			  unsigned int caplen, unsigned int wirelen)
{
	unsigned int ihl, tot, frag;

	if (caplen < 20)
		return -1;
	ihl = (buf[0] & 0x0f) * 4;
	if (buf[9] != ICMPT_IPPROTO_ICMP)
		return -1;

	pkt->family = 4;
	pkt->proto = ICMPT_IPPROTO_ICMP;
	pkt->ttl = buf[8];
	icmpt_copy(pkt->saddr, buf + 12, 4);
	icmpt_copy(pkt->daddr, buf + 16, 4);
	tot = icmpt_be16(buf + 2);
	pkt->ip_len = tot;

	if (ihl < 20 || tot < ihl || tot > wirelen) {
		pkt->flags |= ICMPT_PKT_BAD_IP;
		return 0;
	}
	pkt->icmp_len = tot - ihl;

	/* A fragment with a non-zero offset carries no ICMP header. */
	frag = icmpt_be16(buf + 6) & 0x1fff;
	if (frag) {
		pkt->flags |= ICMPT_PKT_FRAGMENT;
		return 0;
	}
	if (ihl > caplen) {
		pkt->flags |= ICMPT_PKT_TRUNCATED;
		return 0;
	}
	/* Bytes past the IP total length are link padding, not ICMP. */
	if (caplen > tot)
		caplen = tot;
	icmpt_parse_icmp(pkt, buf, ihl, caplen);
	return 0;
}

/* IPv6 extension headers that may stand before the ICMPv6 header. */
static int icmpt_v6_is_ext(unsigned int nh)
{
	return nh == 0 || nh == 43 || nh == 44 || nh == 60 || nh == 51;
}

static int icmpt_parse_v6(struct icmpt_packet *pkt, const unsigned char *buf,
			  unsigned int caplen, unsigned int wirelen)
{
	unsigned int nh, off, plen, end, hops;

	if (caplen < 40)
		return -1;
	plen = icmpt_be16(buf + 4);
	nh = buf[6];
	off = 40;

	/* Walk extension headers within what was captured. */
	for (hops = 0; icmpt_v6_is_ext(nh) && hops < 8; hops++) {
		unsigned int len;

		if (off + 8 > caplen)
			return -1;	/* cannot tell whether it is ICMPv6 */
		if (nh == 44) {
			/* Fragment header: offset != 0 means no ICMPv6 header. */
			if ((icmpt_be16(buf + off + 2) & 0xfff8) &&
			    buf[off] == ICMPT_IPPROTO_ICMPV6) {
				nh = buf[off];
				off += 8;
				pkt->flags |= ICMPT_PKT_FRAGMENT;
				break;
			}
			len = 8;
		} else if (nh == 51) {
			len = (buf[off + 1] + 2) * 4;	/* AH counts 4-byte words */
		} else {
			len = (buf[off + 1] + 1) * 8;
		}
		nh = buf[off];
		off += len;
	}
	if (nh != ICMPT_IPPROTO_ICMPV6)
		return -1;

	pkt->family = 6;
	pkt->proto = ICMPT_IPPROTO_ICMPV6;
	pkt->ttl = buf[7];
	icmpt_copy(pkt->saddr, buf + 8, 16);
	icmpt_copy(pkt->daddr, buf + 24, 16);
	end = 40 + plen;
	pkt->ip_len = end;
	if (end > wirelen || off > end) {
		pkt->flags |= ICMPT_PKT_BAD_IP;
		return 0;
	}
	pkt->icmp_len = end - off;
	if (pkt->flags & ICMPT_PKT_FRAGMENT)
		return 0;
	if (off > caplen) {
		pkt->flags |= ICMPT_PKT_TRUNCATED;
		return 0;
	}
	if (caplen > end)
		caplen = end;
	icmpt_parse_icmp(pkt, buf, off, caplen);
	return 0;
}

int icmpt_parse(struct icmpt_packet *pkt, const unsigned char *buf,
		unsigned int caplen, unsigned int wirelen)
{
	*pkt = (struct icmpt_packet){ 0 };
	if (caplen > wirelen)
		caplen = wirelen;
	if (caplen < 1)
		return -1;
	switch (buf[0] >> 4) {
	case 4:
		return icmpt_parse_v4(pkt, buf, caplen, wirelen);
	case 6:
		return icmpt_parse_v6(pkt, buf, caplen, wirelen);
	default:
		return -1;
	}
}
