// SPDX-License-Identifier: GPL-2.0
/*
 * The skb side of parsing: find the ICMP header on the packet itself,
 * linear or not, and hand the pure-C parser (icmpt_parse.c) the bytes it
 * needs from there.
 *
 * What is recorded as ICMP (issue 12 item 2):
 *   IPv4  every datagram whose protocol is ICMP, whatever its header says
 *         (a bad version or length is recorded with ICMPT_PKT_BAD_IP);
 *   IPv6  every datagram whose chain of extension headers, walked to its
 *         end on the skb as ipv6_skip_exthdr() walks it (no depth limit:
 *         each header takes 8 bytes or more), leads to ICMPv6, fragments
 *         included; and every datagram whose chain ends past the packet's
 *         last byte, with ICMPT_PKT_EXT_BROKEN, since it may be ICMPv6.
 *         A chain that ends in "no next header" or in another protocol is
 *         not ICMP.
 */
#include <linux/ipv6.h>
#include <linux/kernel.h>
#include <linux/netfilter.h>
#include <linux/skbuff.h>
#include <net/checksum.h>
#include <net/ip6_checksum.h>
#include <net/ipv6.h>
#include "icmpt.h"
#include "icmpt_parse.h"

/*
 * Bytes handed to the parser: the outer IP header with options (IPv4), or
 * the IPv6 header and the ICMPv6 message from its header on; enough for the
 * ICMP header and the embedded original datagram of an error message.
 */
#define ICMPT_SNAPLEN 256
/* The default snap length of the records holds all the parser reads. */
static_assert(ICMPT_SNAPLEN_DEFAULT >= ICMPT_SNAPLEN);

/*
 * Walk the IPv6 extension headers of the datagram at nhoff of skb.  True
 * if it is ICMPv6 (c->off is then the ICMPv6 header, or the payload of a
 * non-first fragment) or its chain cannot be walked (c->broken).
 */
static bool icmpt_v6_locate(const struct sk_buff *skb, unsigned int nhoff,
			    struct icmpt_v6_chain *c)
{
	u8 buf[8];
	const u8 *h;

	h = skb_header_pointer(skb, nhoff + offsetof(struct ipv6hdr, nexthdr),
			       1, buf);
	if (!h)
		return false;
	c->nh = *h;
	c->off = sizeof(struct ipv6hdr);
	while (ipv6_ext_hdr(c->nh)) {
		if (c->nh == NEXTHDR_NONE)
			return false;
		/* Every extension header is 8 bytes or more. */
		h = skb_header_pointer(skb, nhoff + c->off, sizeof(buf), buf);
		if (!h) {
			c->broken = 1;
			return true;
		}
		if (!icmpt_v6_ext_step(c, h))
			break;	/* a non-first fragment */
	}
	return c->nh == IPPROTO_ICMPV6;
}

/*
 * The parser's running sum (icmpt_parse.h) on the kernel's csum_partial():
 * add-with-carry over 8-byte words where the portable C sum splits each
 * word in two; the checksum was a tenth of the hooks' instructions in a
 * ping flood (bench/insn_profile.sh).  The same value as
 * icmpt_csum_add_c(): the one's-complement sum folded to 16 bits (0 only
 * for a sum of zeros) in network order, added to sum.
 */
__u64 icmpt_csum_add(__u64 sum, const unsigned char *buf, unsigned int len)
{
	/* csum_fold() folds and complements: complemented back. */
	u16 s = ~(__force u16)csum_fold(csum_partial(buf, len, 0));

	return sum + be16_to_cpu((__force __be16)s);
}

/*
 * CHECKSUM_COMPLETE: skb->csum sums the packet from skb->data on (what
 * icmp_rcv() and icmpv6_rcv() check against).  The message's own sum is
 * that less the bytes before it at pos and after its end.
 */
static u32 icmpt_csum_complete(const struct sk_buff *skb, unsigned int pos,
			       const struct icmpt_packet *pkt)
{
	unsigned int end = pos + pkt->icmp_len;
	__wsum sum = csum_sub(skb->csum, skb_checksum(skb, 0, pos, 0));
	struct in6_addr saddr, daddr;
	bool ok;

	if (skb->len > end)
		sum = csum_block_sub(sum, skb_checksum(skb, end, skb->len - end, 0),
				     end - pos);
	if (pkt->family == 6) {
		memcpy(&saddr, pkt->saddr, sizeof(saddr));
		memcpy(&daddr, pkt->daddr, sizeof(daddr));
		ok = !csum_ipv6_magic(&saddr, &daddr, pkt->icmp_len,
				      IPPROTO_ICMPV6, sum);
	} else {
		ok = !csum_fold(sum);
	}
	return ok ? ICMPT_PKT_CSUM_OK : ICMPT_PKT_CSUM_BAD;
}

/*
 * The checksum verdict, one rule whatever the message's length:
 *  - none for a fragment, a cut or malformed datagram, or one in transit
 *    through a routing header (the parser's rule);
 *  - none for CHECKSUM_PARTIAL (an offloaded send, in practice LOCAL_OUT):
 *    the device or skb_checksum_help() fills the field later;
 *  - CHECKSUM_COMPLETE (a received packet, reassembled or not): from
 *    skb->csum, the verdict icmp_rcv()/icmpv6_rcv() reach, with no pass
 *    over the message however long (a reassembled 64 KB echo);
 *  - otherwise (CHECKSUM_NONE, or UNNECESSARY, which says nothing about
 *    ICMP) the bytes are summed: by the parser when its snapshot (have
 *    bytes from pos) holds the message, else here, a snapshot at a time,
 *    about 110 ns for 1500 bytes on the host.
 */
/*
 * The bytes summed a snapshot at a time: apart, with its buffer, so that the
 * common path (a message the snapshot holds) has no buffer on its stack for
 * CONFIG_INIT_STACK_ALL_ZERO to clear on every packet.
 */
static noinline void icmpt_csum_long(const struct sk_buff *skb,
				     unsigned int pos, unsigned int left,
				     struct icmpt_packet *pkt)
{
	u8 buf[ICMPT_SNAPLEN];
	u64 sum = 0;

	while (left) {
		/* Every piece but the last is ICMPT_SNAPLEN, an even length. */
		unsigned int n = min_t(unsigned int, left, ICMPT_SNAPLEN);
		const u8 *p = skb_header_pointer(skb, pos, n, buf);

		if (!p)
			return;
		sum = icmpt_csum_add(sum, p, n);
		pos += n;
		left -= n;
	}
	pkt->flags |= icmpt_csum_verdict(pkt, sum);
}

static void icmpt_csum(const struct sk_buff *skb, unsigned int pos,
		       unsigned int have, bool routed,
		       struct icmpt_packet *pkt)
{
	const u32 skip = ICMPT_PKT_FRAGMENT | ICMPT_PKT_MORE_FRAGS |
			 ICMPT_PKT_TRUNCATED | ICMPT_PKT_BAD_IP |
			 ICMPT_PKT_EXT_BROKEN;
	const u32 verdict = ICMPT_PKT_CSUM_OK | ICMPT_PKT_CSUM_BAD;
	unsigned int left = pkt->icmp_len;

	if ((pkt->flags & skip) || routed || left < 4)
		return;
	if (skb->ip_summed == CHECKSUM_PARTIAL) {
		pkt->flags &= ~verdict;
		return;
	}
	if (skb->ip_summed == CHECKSUM_COMPLETE) {
		pkt->flags &= ~verdict;
		pkt->flags |= icmpt_csum_complete(skb, pos, pkt);
		return;
	}
	if ((pkt->flags & verdict) || have >= left)
		return;
	icmpt_csum_long(skb, pos, left, pkt);
}

/*
 * Apart, with its buffers, so that the IPv4 path has no 352-byte frame
 * and no stack canary to set and check on every packet.
 */
static noinline bool icmpt_parse_skb_v6(const struct sk_buff *skb,
					unsigned int off,
					struct icmpt_packet *pkt,
					struct icmpt_detail *det)
{
	struct icmpt_v6_chain c = { 0 };
	unsigned int len = skb->len - off, n = 0;
	const u8 *ip6, *l4 = NULL;
	u8 hdr[sizeof(struct ipv6hdr)];
	u8 snap[ICMPT_SNAPLEN];

	ip6 = skb_header_pointer(skb, off, sizeof(hdr), hdr);
	if (!ip6 || !icmpt_v6_locate(skb, off, &c))
		return false;
	if (!c.broken && c.off < len) {
		n = min_t(unsigned int, len - c.off, ICMPT_SNAPLEN);
		l4 = skb_header_pointer(skb, off + c.off, n, snap);
		if (!l4)
			n = 0;
	}
	icmpt_parse_v6_at(pkt, det, ip6, &c, l4, n, len);
	icmpt_csum(skb, off + c.off, n, c.routed, pkt);
	return true;
}

/* IPv4 whose first bytes are not all in the linear part: through a copy. */
static noinline bool icmpt_parse_skb_v4_copy(const struct sk_buff *skb,
					     unsigned int off,
					     struct icmpt_packet *pkt,
					     struct icmpt_detail *det)
{
	unsigned int len = skb->len - off;
	unsigned int caplen = min_t(unsigned int, len, ICMPT_SNAPLEN);
	u8 snap[ICMPT_SNAPLEN];
	const u8 *data;

	data = skb_header_pointer(skb, off, caplen, snap);
	if (!data)
		return false;
	icmpt_parse_ipv4(pkt, det, data, caplen, len);
	icmpt_csum(skb, off + det->icmp_off, caplen - det->icmp_off, false, pkt);
	return true;
}

bool icmpt_parse_skb(const struct sk_buff *skb, unsigned int off, u8 pf,
		     struct icmpt_packet *pkt, struct icmpt_detail *det)
{
	unsigned int len, caplen;

	if (unlikely(skb->len <= off))
		return false;
	if (pf == NFPROTO_IPV6)
		return icmpt_parse_skb_v6(skb, off, pkt, det);
	len = skb->len - off;
	caplen = min_t(unsigned int, len, ICMPT_SNAPLEN);
	/* In the linear part (the common case): read in place, no copy. */
	if (unlikely(skb_headlen(skb) < off + caplen))
		return icmpt_parse_skb_v4_copy(skb, off, pkt, det);
	icmpt_parse_ipv4(pkt, det, skb->data + off, caplen, len);
	icmpt_csum(skb, off + det->icmp_off, caplen - det->icmp_off, false, pkt);
	return true;
}
