// SPDX-License-Identifier: GPL-2.0
/*
 * Packet builders for the parser tests.  The checksum here is the plain
 * 16-bit-word RFC 1071 loop, independent of the parser's own.
 */
#include <stdlib.h>
#include <string.h>
#include "pkt.h"

const unsigned char t_src4[4] = { 192, 0, 2, 1 };
const unsigned char t_dst4[4] = { 198, 51, 100, 7 };
const unsigned char t_gw4[4] = { 192, 0, 2, 254 };
const unsigned char t_src6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
const unsigned char t_dst6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0x42,
				   [14] = 0xab, [15] = 0xcd };
const unsigned char t_tgt6[16] = { 0xfe, 0x80, [8] = 0x02, [11] = 0xff,
				   [12] = 0xfe, [15] = 0x99 };

static uint32_t t_sum(uint32_t s, const unsigned char *p, unsigned int n)
{
	unsigned int i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static void t_store(unsigned char *m, uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	s = ~s & 0xffff;
	m[2] = s >> 8;
	m[3] = s & 0xff;
}

void t_csum4(unsigned char *m, unsigned int n)
{
	m[2] = m[3] = 0;
	t_store(m, t_sum(0, m, n));
}

void t_csum6(unsigned char *m, unsigned int n)
{
	uint32_t s;

	m[2] = m[3] = 0;
	s = t_sum(0, t_src6, 16);
	s = t_sum(s, t_dst6, 16);
	s += (n >> 16) + (n & 0xffff) + 58;
	t_store(m, t_sum(s, m, n));
}

unsigned int t_icmp(unsigned char *out, unsigned int type, unsigned int code,
		    uint32_t rest, const void *body, unsigned int blen)
{
	out[0] = type;
	out[1] = code;
	out[2] = out[3] = 0;
	out[4] = rest >> 24;
	out[5] = rest >> 16;
	out[6] = rest >> 8;
	out[7] = rest;
	if (blen)
		memcpy(out + 8, body, blen);
	return 8 + blen;
}

unsigned int t_ip4(unsigned char *out, unsigned int proto, unsigned int optlen,
		   const void *pl, unsigned int plen)
{
	unsigned int hl = 20 + optlen, tot = hl + plen;

	memset(out, 0, 20);
	out[0] = 0x40 | hl / 4;
	out[2] = tot >> 8;
	out[3] = tot;
	out[4] = 0x12;
	out[5] = 0x34;
	out[8] = 64;
	out[9] = proto;
	memcpy(out + 12, t_src4, 4);
	memcpy(out + 16, t_dst4, 4);
	memset(out + 20, 1, optlen);	/* NOP options */
	if (plen)
		memcpy(out + hl, pl, plen);
	t_store(out + 8, t_sum(0, out, hl));	/* header checksum, 10..11 */
	return tot;
}

unsigned int t_ip6(unsigned char *out, unsigned int nh, const void *pl,
		   unsigned int plen)
{
	memset(out, 0, 40);
	out[0] = 0x60;
	out[4] = plen >> 8;
	out[5] = plen;
	out[6] = nh;
	out[7] = 64;
	memcpy(out + 8, t_src6, 16);
	memcpy(out + 24, t_dst6, 16);
	if (plen)
		memcpy(out + 40, pl, plen);
	return 40 + plen;
}

unsigned int t_pkt4(unsigned char *out, unsigned int type, unsigned int code,
		    uint32_t rest, const void *body, unsigned int blen)
{
	unsigned char m[T_MAX];
	unsigned int n = t_icmp(m, type, code, rest, body, blen);

	t_csum4(m, n);
	return t_ip4(out, 1, 0, m, n);
}

unsigned int t_pkt6(unsigned char *out, unsigned int type, unsigned int code,
		    uint32_t rest, const void *body, unsigned int blen)
{
	unsigned char m[T_MAX];
	unsigned int n = t_icmp(m, type, code, rest, body, blen);

	t_csum6(m, n);
	return t_ip6(out, 58, m, n);
}

static const unsigned char t_udp_hdr[12] = {
	0x9c, 0x40, 0x82, 0x9a, 0, 12, 0, 0, 'a', 'b', 'c', 'd'
};

unsigned int t_udp4(unsigned char *out)
{
	unsigned int n = t_ip4(out, 17, 0, t_udp_hdr, sizeof(t_udp_hdr));

	memcpy(out + 12, t_dst4, 4);
	memcpy(out + 16, t_src4, 4);
	return n;
}

unsigned int t_udp6(unsigned char *out)
{
	unsigned int n = t_ip6(out, 17, t_udp_hdr, sizeof(t_udp_hdr));

	/* The original datagram goes the other way: swap the addresses. */
	memcpy(out + 8, t_dst6, 16);
	memcpy(out + 24, t_src6, 16);
	return n;
}

void t_parse(struct t_res *r, const unsigned char *buf, unsigned int caplen,
	     unsigned int wirelen)
{
	unsigned char *copy = malloc(caplen ? caplen : 1);

	assert_non_null(copy);
	if (caplen)
		memcpy(copy, buf, caplen);
	memset(r, 0xa5, sizeof(*r));	/* the parser must clear everything */
	r->rc = icmpt_parse(&r->pkt, &r->det, copy, caplen, wirelen);
	free(copy);
}

void t_parse_all(struct t_res *r, const unsigned char *buf, unsigned int len)
{
	t_parse(r, buf, len, len);
}
