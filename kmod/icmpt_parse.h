/* SPDX-License-Identifier: GPL-2.0 */
/*
 * icmpt_parse: decode an IP datagram that carries ICMP into a
 * struct icmpt_packet and a struct icmpt_detail.  Pure C: no kernel or libc
 * headers beyond the uapi types, so the same file builds into the module,
 * the CMocka tests and the fuzzer.
 */
#ifndef ICMPT_PARSE_H
#define ICMPT_PARSE_H

#include <linux/icmptrace.h>

/*
 * buf holds the first caplen bytes of the datagram, starting at its IP
 * header; wirelen is the datagram's full length (caplen <= wirelen).
 * Returns 0 when the datagram is ICMP (IPv4) or ICMPv6 and *pkt and *det
 * are filled, as far as the bytes go (ICMPT_PKT_* flags and det->kind say
 * what is missing), and -1 when it is not ICMP, or not IP at all, or the
 * IPv6 extension headers end beyond caplen: nothing is recorded then.
 *
 * When the whole message is in buf (caplen covers the IP length and it is
 * not a fragment) the checksum is verified: ICMPT_PKT_CSUM_OK or _BAD.
 */
int icmpt_parse(struct icmpt_packet *pkt, struct icmpt_detail *det,
		const unsigned char *buf, unsigned int caplen,
		unsigned int wirelen);

/*
 * For the module, which finds the ICMP header on the packet itself rather
 * than in a snapshot of its first bytes (kmod/icmpt_skb.c).
 *
 * icmpt_parse_ipv4(): the datagram is IPv4 carrying ICMP, as the caller
 * knows from the header it was handed: always 0.  A version other than 4,
 * a bad header length or fewer than 20 bytes give ICMPT_PKT_BAD_IP.
 *
 * struct icmpt_v6_chain: where a walk of the IPv6 extension headers
 * stopped.  icmpt_parse_v6_at() decodes the datagram whose 40-byte IPv6
 * header is ip6 and whose bytes from chain->off on are l4[0..n), with
 * wirelen bytes in all.  chain->broken: the walk ended inside the chain,
 * so there is no ICMPv6 header: only the IPv6 header is filled, with
 * ICMPT_PKT_EXT_BROKEN.
 */
struct icmpt_v6_chain {
	unsigned int nh;	/* first header that is not walked */
	unsigned int off;	/* and its offset in the datagram */
	unsigned int hdrs;	/* extension headers walked */
	__u32 frag_id;
	int nonfirst;		/* non-first fragment: off is payload, not a header */
	int more;		/* fragment header with M set */
	int routed;		/* routing header with segments left */
	int broken;		/* the bytes ended inside the chain */
};

/*
 * One step of the walk: h holds the first 8 bytes of the header c->nh at
 * c->off.  Returns 1 when c now names the next header, 0 when c->nh is
 * not an extension header or a non-first fragment stopped the walk.
 */
int icmpt_v6_ext_step(struct icmpt_v6_chain *c, const unsigned char *h);

int icmpt_parse_ipv4(struct icmpt_packet *pkt, struct icmpt_detail *det,
		     const unsigned char *buf, unsigned int caplen,
		     unsigned int wirelen);
void icmpt_parse_v6_at(struct icmpt_packet *pkt, struct icmpt_detail *det,
		       const unsigned char *ip6,
		       const struct icmpt_v6_chain *chain,
		       const unsigned char *l4, unsigned int n,
		       unsigned int wirelen);

/*
 * Checksum of a message gathered by the caller, e.g. past caplen.
 * icmpt_csum_add() adds buf[0..len) to a running one's-complement sum; it
 * may be called on consecutive pieces of the ICMP message as long as every
 * piece but the last has an even length.  icmpt_csum_verdict() adds the
 * IPv6 pseudo-header from pkt (ICMPv6 only) to the sum of the whole ICMP
 * message, checksum field included, and returns ICMPT_PKT_CSUM_OK or
 * ICMPT_PKT_CSUM_BAD.  icmpt_csum_check() does both over one contiguous
 * buffer holding the whole message (len == pkt->icmp_len, else it
 * returns 0: no verdict).
 */
__u64 icmpt_csum_add_c(__u64 sum, const unsigned char *buf, unsigned int len);
/*
 * icmpt_csum_add() is icmpt_csum_add_c(), the portable sum, unless the
 * build brings its own with the very same values (ICMPT_CSUM_EXTERNAL: the
 * module's, in kmod/icmpt_skb.c, on the kernel's csum_partial(); the test
 * module's csum_selftest compares the two).
 */
#ifdef ICMPT_CSUM_EXTERNAL
__u64 icmpt_csum_add(__u64 sum, const unsigned char *buf, unsigned int len);
#else
static inline __u64 icmpt_csum_add(__u64 sum, const unsigned char *buf,
				   unsigned int len)
{
	return icmpt_csum_add_c(sum, buf, len);
}
#endif
__u32 icmpt_csum_verdict(const struct icmpt_packet *pkt, __u64 sum);
__u32 icmpt_csum_check(const struct icmpt_packet *pkt,
		       const unsigned char *icmp, unsigned int len);

#endif /* ICMPT_PARSE_H */
