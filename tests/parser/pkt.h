/* SPDX-License-Identifier: GPL-2.0 */
/* Hand-built packets for the parser tests, and a parse wrapper. */
#ifndef TEST_PKT_H
#define TEST_PKT_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "icmpt_parse.h"

extern const unsigned char t_src4[4], t_dst4[4], t_gw4[4];
extern const unsigned char t_src6[16], t_dst6[16], t_tgt6[16];

/* Set the ICMP checksum of m[0..n); IPv6 adds the pseudo-header. */
void t_csum4(unsigned char *m, unsigned int n);
void t_csum6(unsigned char *m, unsigned int n);

/* ICMP message: type, code, bytes 4..7 (big-endian), then body. */
unsigned int t_icmp(unsigned char *out, unsigned int type, unsigned int code,
		    uint32_t rest, const void *body, unsigned int blen);

/*
 * IPv4 datagram from t_src4 to t_dst4, TTL 64, id 0x1234, with optlen
 * bytes of NOP options (a multiple of 4) and the payload.
 */
unsigned int t_ip4(unsigned char *out, unsigned int proto, unsigned int optlen,
		   const void *pl, unsigned int plen);
/*
 * IPv6 datagram from t_src6 to t_dst6, hop limit 64; pl may start with
 * extension headers, nh is the first next header.
 */
unsigned int t_ip6(unsigned char *out, unsigned int nh, const void *pl,
		   unsigned int plen);

/* Whole ICMP / ICMPv6 datagrams with a correct checksum. */
unsigned int t_pkt4(unsigned char *out, unsigned int type, unsigned int code,
		    uint32_t rest, const void *body, unsigned int blen);
unsigned int t_pkt6(unsigned char *out, unsigned int type, unsigned int code,
		    uint32_t rest, const void *body, unsigned int blen);

/* An original datagram: UDP 40000 -> 33434 with 4 payload bytes. */
unsigned int t_udp4(unsigned char *out);
unsigned int t_udp6(unsigned char *out);

struct t_res {
	int rc;
	struct icmpt_packet pkt;
	struct icmpt_detail det;
};

/*
 * Parse a copy of buf[0..caplen) in a heap buffer of exactly caplen bytes,
 * so that ASan reports any read past the bytes handed over.
 */
void t_parse(struct t_res *r, const unsigned char *buf, unsigned int caplen,
	     unsigned int wirelen);
/* Whole packet captured. */
void t_parse_all(struct t_res *r, const unsigned char *buf, unsigned int len);

#define T_MAX 2048
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Test tables, one per file, joined by main.c. */
extern const struct CMUnitTest t_v4_tests[], t_v6_tests[], t_edge_tests[];
extern const size_t t_v4_count, t_v6_count, t_edge_count;

#endif /* TEST_PKT_H */
