// SPDX-License-Identifier: GPL-2.0
/*
 * bench/insn_send.c: a fixed amount of UDP or TCP traffic over the veth of the
 * benchmarks, between two marks (bench/insn_mark.h), for bench/insn.sh.
 *     ip netns exec RECV_NS insn_send udp|tcp COUNT SIZE SEND_NS ADDR
 * The receiving socket is made in the namespace the program starts in, bound to ADDR;
 * then the program moves to SEND_NS (/run/netns/SEND_NS) and sends from there.  One
 * thread does both ends, in lock step: udp sends COUNT datagrams of SIZE bytes, each
 * read back before the next; tcp sends COUNT bytes in writes of SIZE bytes, each read
 * back in full before the next write.  The veth delivers in the sender's own softirq,
 * so nothing is ever dropped or left to timing: the same work every run.  Buffers are
 * set once (no autotuning).  Pin it to one CPU (taskset) to get its whole path there.
 * Prints "sent=BYTES" on stdout; exit 1 with a message on any error.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "insn_mark.h"

#define PORT 5299

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static int sock(int type)
{
	int s = socket(AF_INET, type, 0), big = 4 << 20;

	if (s < 0)
		die("socket");
	if (setsockopt(s, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big)) ||
	    setsockopt(s, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big)))
		die("setsockopt");
	return s;
}

static void read_full(int s, char *buf, size_t n)
{
	while (n) {
		ssize_t r = recv(s, buf, n, 0);

		if (r <= 0)
			die("recv");
		n -= r;
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(PORT) };
	char path[256], *buf;
	long count, size, i;
	int tcp, r, s, ns;

	if (argc != 6 || (strcmp(argv[1], "udp") && strcmp(argv[1], "tcp"))) {
		fprintf(stderr, "usage: insn_send udp|tcp COUNT SIZE SEND_NS ADDR\n");
		return 2;
	}
	tcp = !strcmp(argv[1], "tcp");
	count = atol(argv[2]);
	size = atol(argv[3]);
	if (count <= 0 || size <= 0 || size > (1 << 20) || inet_pton(AF_INET, argv[5], &a.sin_addr) != 1) {
		fprintf(stderr, "insn_send: bad COUNT, SIZE or ADDR\n");
		return 2;
	}
	buf = calloc(1, size);
	if (!buf)
		die("calloc");
	r = sock(tcp ? SOCK_STREAM : SOCK_DGRAM);
	if (setsockopt(r, SOL_SOCKET, SO_REUSEADDR, &(int){ 1 }, sizeof(int)) ||
	    bind(r, (struct sockaddr *)&a, sizeof(a)) || (tcp && listen(r, 1)))
		die("bind");
	snprintf(path, sizeof(path), "/run/netns/%s", argv[4]);
	ns = open(path, O_RDONLY);
	if (ns < 0 || setns(ns, CLONE_NEWNET))
		die(path);
	s = sock(tcp ? SOCK_STREAM : SOCK_DGRAM);
	if (connect(s, (struct sockaddr *)&a, sizeof(a)))
		die("connect");
	if (tcp) {
		int c = accept(r, NULL, NULL);

		if (c < 0)
			die("accept");
		close(r);
		r = c;
	}
	insn_mark();
	if (tcp) {
		for (i = 0; i < count; i += size) {
			long n = count - i < size ? count - i : size;

			if (send(s, buf, n, 0) != n)
				die("send");
			read_full(r, buf, n);
		}
	} else {
		for (i = 0; i < count; i++) {
			if (send(s, buf, size, 0) != size)
				die("send");
			if (recv(r, buf, size, 0) != size)
				die("recv");
		}
	}
	insn_mark();
	printf("sent=%ld\n", tcp ? count : count * size);
	return 0;
}
