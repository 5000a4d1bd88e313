// SPDX-License-Identifier: GPL-2.0
/*
 * Not a test: ns per icmpt_parse() call for a few packet kinds as the
 * module hands them over (at most 256 bytes), and ns per checksum of a
 * whole 64-, 576- and 1500-byte message.  Built -O2 without sanitizers;
 * prints the best of ROUNDS runs.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "pkt.h"

#define SNAP 256
#define ROUNDS 15	/* best of: the host is shared and noisy */
#define ITERS 200000

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static volatile unsigned int sink;

static void bench_parse(const char *name, const unsigned char *b,
			unsigned int n)
{
	unsigned int cap = n < SNAP ? n : SNAP, i, round;
	struct icmpt_packet pkt;
	struct icmpt_detail det;
	double t, best = 1e30;

	for (round = 0; round < ROUNDS; round++) {
		t = now_ns();
		for (i = 0; i < ITERS; i++) {
			sink += icmpt_parse(&pkt, &det, b, cap, n);
			sink += pkt.flags;
			__asm__ volatile("" ::: "memory");
		}
		t = now_ns() - t;
		best = t < best ? t : best;
	}
	printf("parse %-36s %4u/%4u bytes %6.1f ns\n", name, cap, n,
	       best / ITERS);
}

static void bench_csum(unsigned int len)
{
	static unsigned char m[1600];
	struct icmpt_packet pkt = { .proto = 1, .icmp_len = len };
	unsigned int i, round;
	double t, best = 1e30;

	memset(m, 0x5a, sizeof(m));
	t_csum4(m, len);
	for (round = 0; round < ROUNDS; round++) {
		t = now_ns();
		for (i = 0; i < ITERS; i++) {
			sink += icmpt_csum_check(&pkt, m, len);
			__asm__ volatile("" ::: "memory");
		}
		t = now_ns() - t;
		best = t < best ? t : best;
	}
	printf("csum  %-36s %4u bytes      %6.1f ns\n", "icmpt_csum_check", len,
	       best / ITERS);
}

int main(void)
{
	unsigned char b[T_MAX], o[T_MAX], body[64] = { 0 };
	unsigned int n, on;

	n = t_pkt4(b, 8, 0, 0x00010001, body, 56);
	bench_parse("v4 echo (csum verified)", b, n);
	on = t_udp4(o);
	memset(o + on, 0x55, 548 - 8 - on);
	n = t_pkt4(b, 3, 3, 0, o, 548 - 8);
	bench_parse("v4 port unreachable, inner UDP", b, n);
	n = t_pkt6(b, 128, 0, 0x00010001, body, 56);
	bench_parse("v6 echo (csum verified)", b, n);
	body[16] = 1;
	body[17] = 1;
	n = t_pkt6(b, 135, 0, 0, body, 24);
	bench_parse("v6 neighbor solicitation + SLLA", b, n);
	on = t_udp6(o);
	memset(o + on, 0x55, 1232 - on);
	n = t_pkt6(b, 2, 0, 1280, o, 1232);
	bench_parse("v6 packet too big, inner UDP", b, n);
	bench_csum(64);
	bench_csum(576);
	bench_csum(1500);
	return 0;
}
