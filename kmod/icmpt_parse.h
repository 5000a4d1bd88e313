/* SPDX-License-Identifier: GPL-2.0 */
/*
 * icmpt_parse: decode an IP datagram that carries ICMP into a
 * struct icmpt_packet.  Pure C: no kernel or libc headers beyond the uapi
 * types, so the same file builds into the module, the CMocka tests and the
 * fuzzer.
 */
#ifndef ICMPT_PARSE_H
#define ICMPT_PARSE_H

#include <linux/icmptrace.h>

/*
 * buf holds the first caplen bytes of the datagram, starting at its IP
 * header; wirelen is the datagram's full length (caplen <= wirelen).
 * Returns 0 when the datagram is ICMP (IPv4) or ICMPv6 and *pkt is filled,
 * as far as the bytes go (ICMPT_PKT_* flags say what is missing), and -1
 * when it is not ICMP, or not IP at all: nothing is recorded then.
 */
int icmpt_parse(struct icmpt_packet *pkt, const unsigned char *buf,
		unsigned int caplen, unsigned int wirelen);

#endif /* ICMPT_PARSE_H */
