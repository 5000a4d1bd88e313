// SPDX-License-Identifier: GPL-2.0
/*
 * Real ICMP messages of every kind the module decodes, made by the kernel
 * (errors, NDP, echo replies) or crafted (raw sockets), in three namespaces
 * A - R - B.  tcpdump captures the traced namespaces' interfaces; every
 * ICMP packet it saw on a LOCAL_IN/LOCAL_OUT path must be in the reader's
 * kv output exactly once with every decoded field equal (decode_check.c).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/icmp6.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "decode_check.h"
#include "vmlib.h"

/* ---- packet makers, each run in a child inside a namespace ---- */

/* Runs fn(arg) in a child that joined ns; returns its exit status. */
static int in_ns(const char *ns, int (*fn)(const void *), const void *arg)
{
	pid_t pid = fork();
	int st;

	if (pid == 0)
		_exit(vm_netns_enter(ns) ? 100 : fn(arg));
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 200;
}

static int fill_addr(struct sockaddr_storage *ss, const char *addr, int port)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		return sizeof(*s4);
	}
	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(port);
	inet_pton(AF_INET6, addr, &s6->sin6_addr);
	return sizeof(*s6);
}

struct udp_plan {
	const char *dst;
	int port, ttl, size, count;
};

/* UDP datagrams; with DF (v4) whatever the path MTU, so routers say so. */
static int udp_send(const void *arg)
{
	const struct udp_plan *u = arg;
	struct sockaddr_storage ss;
	int len = fill_addr(&ss, u->dst, u->port), v6 = ss.ss_family == AF_INET6;
	int fd = socket(ss.ss_family, SOCK_DGRAM, 0), i;
	int probe = v6 ? IPV6_PMTUDISC_PROBE : IP_PMTUDISC_PROBE;
	char buf[2000] = "icmptrace-decode";

	if (fd < 0)
		return 1;
	setsockopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_MTU_DISCOVER : IP_MTU_DISCOVER,
		   &probe, sizeof(probe));
	if (u->ttl)
		setsockopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_UNICAST_HOPS : IP_TTL,
			   &u->ttl, sizeof(u->ttl));
	for (i = 0; i < u->count; i++)
		if (sendto(fd, buf, u->size, 0, (struct sockaddr *)&ss, len) != u->size) {
			perror("# udp sendto");
			return 2;
		}
	usleep(300000);
	close(fd);
	return 0;
}

struct echo6_plan {
	int type;		/* SOCK_DGRAM (ping socket) or SOCK_RAW */
	uint16_t id, seq0;
};

static int echo6(const void *arg)
{
	const struct echo6_plan *p = arg;
	struct sockaddr_storage ss;
	struct timeval tv = { .tv_sec = 2 };
	int len = fill_addr(&ss, D_B6, 0), fd, i, got = 0;

	fd = socket(AF_INET6, p->type, IPPROTO_ICMPV6);
	if (fd < 0)
		return 1;
	if (p->type == SOCK_DGRAM) {	/* the id is the bound port */
		struct sockaddr_in6 src = { .sin6_family = AF_INET6, .sin6_port = htons(p->id) };

		if (bind(fd, (struct sockaddr *)&src, sizeof(src)))
			return 2;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (i = 0; i < 3; i++) {
		uint8_t m[32] = { 128, 0, 0, 0, p->id >> 8, p->id & 0xff,
				  (p->seq0 + i) >> 8, (p->seq0 + i) & 0xff, 'i', 'c', 'm', 'p' };
		uint8_t rx[256];

		if (sendto(fd, m, sizeof(m), 0, (struct sockaddr *)&ss, len) != sizeof(m)) {
			perror("# echo6 sendto");
			return 3;
		}
		while (recv(fd, rx, sizeof(rx), 0) >= 8)
			if (rx[0] == 129 && (rx[6] << 8 | rx[7]) == p->seq0 + i) {
				got++;
				break;
			}
	}
	close(fd);
	return got == 3 ? 0 : 10 + got;
}

/* An IPv4 datagram as given (IP_HDRINCL): the kernel fills only tot_len
 * and the header checksum. */
struct raw4 {
	uint8_t b[1600];
	int len;
};

static int raw4_send(const void *arg)
{
	const struct raw4 *r = arg;
	struct sockaddr_in dst = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);

	if (fd < 0)
		return 1;
	memcpy(&dst.sin_addr, r->b + 16, 4);
	if (sendto(fd, r->b, r->len, 0, (struct sockaddr *)&dst, sizeof(dst)) != r->len)
		return 2;
	close(fd);
	return 0;
}

/* IPv4 header (+ options) and payload into r; frag = flags|offset/8. */
static void raw4_build(struct raw4 *r, const char *src, const char *dst, int proto,
		       uint16_t id, uint16_t frag, const uint8_t *opts, int optlen,
		       const uint8_t *data, int dlen)
{
	int ihl = 20 + optlen;

	memset(r, 0, sizeof(*r));
	r->b[0] = 0x40 | ihl / 4;
	r->b[4] = id >> 8;
	r->b[5] = id & 0xff;
	r->b[6] = frag >> 8;
	r->b[7] = frag & 0xff;
	r->b[8] = 64;
	r->b[9] = proto;
	inet_pton(AF_INET, src, r->b + 12);
	inet_pton(AF_INET, dst, r->b + 16);
	memcpy(r->b + 20, opts, optlen);
	memcpy(r->b + ihl, data, dlen);
	r->len = ihl + dlen;
}

static void set_csum(uint8_t *m, int len)
{
	uint16_t c;

	m[2] = m[3] = 0;
	c = vm_csum(m, len);
	m[2] = c >> 8;
	m[3] = c & 0xff;
}

static int send4(const char *ns, const char *dst, const uint8_t *icmp, int len)
{
	struct raw4 r;

	raw4_build(&r, D_A4, dst, IPPROTO_ICMP, 0x1717, 0, NULL, 0, icmp, len);
	return in_ns(ns, raw4_send, &r);
}

/* A datagram of another protocol: the receiver answers it with ICMP. */
static int raw_proto(const void *arg)
{
	const char *dst = arg;
	struct sockaddr_storage ss;
	int len = fill_addr(&ss, dst, 0);
	int fd = socket(ss.ss_family, SOCK_RAW, 253);	/* RFC 3692 experimental */

	if (fd < 0 || sendto(fd, "icmptrace", 9, 0, (struct sockaddr *)&ss, len) != 9)
		return 1;
	close(fd);
	return 0;
}

struct icmp6_plan {
	const char *dst, *ifname;
	uint8_t m[64];
	int len;
};

/* ICMPv6 crafted on a raw socket (the kernel fills the checksum); hop
 * limit 255 as neighbor discovery requires. */
static int icmp6_send(const void *arg)
{
	const struct icmp6_plan *p = arg;
	struct sockaddr_in6 dst = { .sin6_family = AF_INET6 };
	int fd = socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6), hops = 255;
	int ifidx = if_nametoindex(p->ifname);

	if (fd < 0 || !ifidx)
		return 1;
	inet_pton(AF_INET6, p->dst, &dst.sin6_addr);
	dst.sin6_scope_id = ifidx;
	setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops));
	setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof(hops));
	setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifidx, sizeof(ifidx));
	if (sendto(fd, p->m, p->len, 0, (struct sockaddr *)&dst, sizeof(dst)) != p->len)
		return 2;
	close(fd);
	return 0;
}

/* ---- the fixture: topology, reader, captures ---- */

struct capspec {
	const char *ns, *ifname;
};

FIXTURE(decode) {
	struct vm_reader rd;
	struct dcap caps[3];
	int ncaps;
	struct dresult res[3];
};

FIXTURE_SETUP(decode)
{
	ASSERT_EQ(0, topo_up());
}

FIXTURE_TEARDOWN(decode)
{
	int i;

	for (i = 0; i < self->ncaps; i++)
		dcap_stop(&self->caps[i]);
	if (self->rd.pid > 0)
		vm_reader_stop(&self->rd);
	topo_down();
}

/* Reader and captures on; after the scenario, every capture checked. */
static void start(struct __test_metadata *_metadata, FIXTURE_DATA(decode) *self,
		  const struct capspec *cs, int n, struct dcheck_opts *o)
{
	static const char *const args[] = { "--format", "kv", NULL };
	int i;

	ASSERT_EQ(0, vm_reader_start(&self->rd, args)) TH_LOG("reader: %s", self->rd.err);
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, dcap_start(&self->caps[i], cs[i].ns, cs[i].ifname));
		self->ncaps = i + 1;
	}
	o->t0_ns = now_real_ns();
}

static void finish(struct __test_metadata *_metadata, FIXTURE_DATA(decode) *self,
		   struct dcheck_opts *o)
{
	int i;

	sleep(1);	/* replies, and tcpdump writing what it got */
	o->t1_ns = now_real_ns();
	for (i = 0; i < self->ncaps; i++)
		dcap_stop(&self->caps[i]);
	EXPECT_EQ(0, vm_reader_stop(&self->rd)) TH_LOG("reader: %s", self->rd.err);
	EXPECT_NE(NULL, strstr(self->rd.err, " 0 dropped")) TH_LOG("reader: %s", self->rd.err);
	for (i = 0; i < self->ncaps; i++) {
		struct dresult *r = &self->res[i];

		dcheck(self->rd.out, &self->caps[i], o, r);
		TH_LOG("%s/%s: %d packets, %d reassembled, %d fragment records, %d failures",
		       self->caps[i].ns, self->caps[i].ifname, r->packets, r->reassembled,
		       r->frag_records, r->failures);
		EXPECT_EQ(0, r->failures);
		EXPECT_LT(0, r->packets);
	}
}

#define CAP_A { D_NS_A, "da0" }
#define CAP_R { D_NS_R, "dr0" }
#define CAP_B { D_NS_B, "db0" }
#define BEGIN(raw, ...)                                                                 \
	struct dcheck_opts o = { .raw_frags_out = raw };                                \
	const struct capspec cs[] = { __VA_ARGS__ };                                     \
	start(_metadata, self, cs, sizeof(cs) / sizeof(cs[0]), &o)
#define END() finish(_metadata, self, &o)
#define A (self->res[0])
#define SECOND (self->res[1])

/* ---- scenarios ---- */

TEST_F_TIMEOUT(decode, echo6_ping_socket, 120)
{
	struct echo6_plan p = { SOCK_DGRAM, 0x6161, 10 };

	BEGIN(0, CAP_A, CAP_B);
	ASSERT_EQ(0, in_ns(D_NS_A, echo6, &p));
	END();
	EXPECT_EQ(3, A.seen[1][128]);
	EXPECT_EQ(3, A.seen[1][129]);
	EXPECT_EQ(3, SECOND.seen[1][128]);
	EXPECT_EQ(3, SECOND.seen[1][129]);
}

TEST_F_TIMEOUT(decode, echo6_raw_socket, 120)
{
	struct echo6_plan p = { SOCK_RAW, 0x6262, 20 };

	BEGIN(0, CAP_A, CAP_B);
	ASSERT_EQ(0, in_ns(D_NS_A, echo6, &p));
	END();
	EXPECT_EQ(3, A.seen[1][128]);
	EXPECT_EQ(3, A.seen[1][129]);
}

TEST_F_TIMEOUT(decode, port_unreachable4, 120)
{
	struct udp_plan u = { D_B4, 33434, 0, 40, 2 };

	BEGIN(0, CAP_A, CAP_B);
	ASSERT_EQ(0, in_ns(D_NS_A, udp_send, &u));
	END();
	EXPECT_EQ(2, A.seen[0][3]);
	EXPECT_EQ(2, SECOND.seen[0][3]);
}

TEST_F_TIMEOUT(decode, port_unreachable6, 120)
{
	struct udp_plan u = { D_B6, 33434, 0, 40, 2 };

	BEGIN(0, CAP_A, CAP_B);
	ASSERT_EQ(0, in_ns(D_NS_A, udp_send, &u));
	END();
	EXPECT_EQ(2, A.seen[1][1]);
	EXPECT_EQ(2, SECOND.seen[1][1]);
}

TEST_F_TIMEOUT(decode, ttl_exceeded4, 120)
{
	struct udp_plan u = { D_B4, 33435, 1, 40, 1 };

	BEGIN(0, CAP_A, CAP_R);
	ASSERT_EQ(0, in_ns(D_NS_A, udp_send, &u));
	END();
	EXPECT_EQ(1, A.seen[0][11]);
	EXPECT_EQ(1, SECOND.seen[0][11]);
}

TEST_F_TIMEOUT(decode, hop_limit_exceeded6, 120)
{
	struct udp_plan u = { D_B6, 33435, 1, 40, 1 };

	BEGIN(0, CAP_A, CAP_R);
	ASSERT_EQ(0, in_ns(D_NS_A, udp_send, &u));
	END();
	EXPECT_EQ(1, A.seen[1][3]);
	EXPECT_EQ(1, SECOND.seen[1][3]);
}

TEST_F_TIMEOUT(decode, traceroute_udp, 120)
{
	BEGIN(0, CAP_A);
	vm_sh("ip netns exec " D_NS_A " traceroute -n -q 1 -w 2 -m 3 " D_B4 " >/dev/null 2>&1");
	vm_sh("ip netns exec " D_NS_A " traceroute -6 -n -q 1 -w 2 -m 3 " D_B6 " >/dev/null 2>&1");
	END();
	EXPECT_LE(1, A.seen[0][11]);
	EXPECT_LE(1, A.seen[0][3]);
	EXPECT_LE(1, A.seen[1][3]);
	EXPECT_LE(1, A.seen[1][1]);
}

TEST_F_TIMEOUT(decode, traceroute_icmp, 120)
{
	BEGIN(0, CAP_A);
	vm_sh("ip netns exec " D_NS_A " traceroute -I -n -q 1 -w 2 -m 3 " D_B4 " >/dev/null 2>&1");
	vm_sh("ip netns exec " D_NS_A " traceroute -6 -I -n -q 1 -w 2 -m 3 " D_B6 " >/dev/null 2>&1");
	END();
	EXPECT_LE(1, A.seen[0][11]);
	EXPECT_LE(1, A.seen[0][0]);
	EXPECT_LE(1, A.seen[1][3]);
	EXPECT_LE(1, A.seen[1][129]);
}

/* R - B at MTU 1000 (v4) / 1280 (v6): R says how much fits. */
TEST_F_TIMEOUT(decode, frag_needed4, 120)
{
	struct udp_plan u = { D_B4, 33436, 0, 1200, 1 };

	ASSERT_EQ(0, vm_sh("ip -n " D_NS_R " link set dr1 mtu 1000 && "
			   "ip -n " D_NS_B " link set db0 mtu 1000"));
	BEGIN(0, CAP_A, CAP_R);
	/* ping first: once the route knows MTU 1000 it sends nothing bigger. */
	vm_sh("ip netns exec " D_NS_A " ping -c 1 -W 1 -M do -s 1100 " D_B4 " >/dev/null 2>&1");
	ASSERT_EQ(0, in_ns(D_NS_A, udp_send, &u));
	END();
	EXPECT_LE(2, A.seen[0][3]);
	EXPECT_LE(2, SECOND.seen[0][3]);
}

TEST_F_TIMEOUT(decode, packet_too_big6, 120)
{
	struct udp_plan u = { D_B6, 33436, 0, 1400, 1 };

	ASSERT_EQ(0, vm_sh("ip -n " D_NS_R " link set dr1 mtu 1280 && "
			   "ip -n " D_NS_B " link set db0 mtu 1280"));
	BEGIN(0, CAP_A, CAP_R);
	ASSERT_EQ(0, in_ns(D_NS_A, udp_send, &u));
	END();
	EXPECT_EQ(1, A.seen[1][2]);
	EXPECT_EQ(1, SECOND.seen[1][2]);
}

/* A reaches 198.18.0.3, on its own link, through R: R forwards it back
 * out of the interface it came in on and tells A the better gateway. */
TEST_F_TIMEOUT(decode, redirect4, 120)
{
	ASSERT_EQ(0, vm_sh("ip -n " D_NS_A " route add 198.18.0.3/32 via " D_R4A " && "
			   "ip netns exec " D_NS_R " sysctl -qw net.ipv4.conf.all.send_redirects=1"
			   " net.ipv4.conf.dr0.send_redirects=1"));
	BEGIN(0, CAP_A, CAP_R);
	vm_sh("ip netns exec " D_NS_A " ping -c 1 -W 1 198.18.0.3 >/dev/null 2>&1");
	END();
	EXPECT_EQ(1, A.seen[0][5]);
	EXPECT_EQ(1, SECOND.seen[0][5]);
}

/* A bad record-route option (pointer 3 < 4) to R, an unknown protocol to B. */
TEST_F_TIMEOUT(decode, parameter_problem, 120)
{
	static const uint8_t rr[4] = { 7, 3, 3, 0 };
	uint8_t echo[16] = { 8, 0, 0, 0, 0x12, 0x34, 0, 1, 'p', 'p' };
	struct raw4 r;

	set_csum(echo, sizeof(echo));
	raw4_build(&r, D_A4, D_R4A, IPPROTO_ICMP, 0x2222, 0, rr, 4, echo, sizeof(echo));
	BEGIN(0, CAP_A, CAP_B);
	ASSERT_EQ(0, in_ns(D_NS_A, raw4_send, &r));
	ASSERT_EQ(0, in_ns(D_NS_A, raw_proto, D_B6));
	ASSERT_EQ(0, in_ns(D_NS_A, raw_proto, D_B4));
	END();
	EXPECT_EQ(1, A.seen[0][12]);
	EXPECT_EQ(1, A.seen[1][4]);
	EXPECT_EQ(1, A.seen[0][3]);	/* protocol unreachable */
	EXPECT_EQ(1, SECOND.seen[1][4]);
}

TEST_F_TIMEOUT(decode, timestamp, 120)
{
	uint8_t ts[20] = { 13, 0, 0, 0, 0x0a, 0x0b, 0, 7, 0x01, 0x02, 0x03, 0x04 };

	set_csum(ts, sizeof(ts));
	BEGIN(0, CAP_A, CAP_B);
	ASSERT_EQ(0, send4(D_NS_A, D_B4, ts, sizeof(ts)));
	vm_sh("ip netns exec " D_NS_A " hping3 --icmp --icmptype 13 -c 1 " D_B4
	      " >/dev/null 2>&1");
	END();
	EXPECT_LE(1, A.seen[0][13]);
	EXPECT_LE(1, A.seen[0][14]);
	EXPECT_LE(1, SECOND.seen[0][14]);
}

/* NS/NA from resolving R; an RS from A and an RA from R, crafted. */
TEST_F_TIMEOUT(decode, neighbor_discovery, 120)
{
	struct icmp6_plan rs = { "ff02::2", "da0",
				 { 133, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 0, 0, 0xa, 0xb, 0xc }, 16 };
	struct icmp6_plan ra = { "ff02::1", "dr0",
				 { 134, 0, 0, 0, 64, 0x40, 0, 0, 0, 0, 0x75, 0x30, 0, 0, 0x3, 0xe8,
				   1, 1, 2, 0, 0, 0xd, 0xe, 0xf,
				   5, 1, 0, 0, 0, 0, 0x5, 0xdc }, 32 };

	BEGIN(0, CAP_A);
	vm_sh("ip netns exec " D_NS_A " ping -6 -c 1 -W 1 " D_R6A " >/dev/null 2>&1");
	ASSERT_EQ(0, in_ns(D_NS_A, icmp6_send, &rs));
	ASSERT_EQ(0, in_ns(D_NS_R, icmp6_send, &ra));
	END();
	EXPECT_LE(1, A.seen[1][135]);
	EXPECT_LE(1, A.seen[1][136]);
	EXPECT_EQ(1, A.seen[1][133]);
	EXPECT_EQ(1, A.seen[1][134]);
}

/* A 3000-byte echo: cut on the wire, one datagram at each hook (IPv4). */
TEST_F_TIMEOUT(decode, fragmented_echo4, 120)
{
	BEGIN(0, CAP_A, CAP_B);
	vm_sh("ip netns exec " D_NS_A " ping -c 1 -W 2 -s 3000 " D_B4 " >/dev/null 2>&1");
	END();
	EXPECT_EQ(2, A.reassembled);
	EXPECT_EQ(2, SECOND.reassembled);
	EXPECT_EQ(1, A.seen[0][0]);
	EXPECT_EQ(1, SECOND.seen[0][8]);
}

/* IPv6 reassembles after LOCAL_IN: the receiver's hook sees each fragment. */
TEST_F_TIMEOUT(decode, fragmented_echo6, 120)
{
	BEGIN(0, CAP_A, CAP_B);
	vm_sh("ip netns exec " D_NS_A " ping -6 -c 1 -W 2 -s 3000 " D_B6 " >/dev/null 2>&1");
	END();
	EXPECT_EQ(1, A.seen[1][129]);	/* first fragment of the reply */
	EXPECT_LE(1, A.frag_records);
	EXPECT_EQ(1, SECOND.seen[1][128]);
}

/* A raw socket sends its own fragment train: LOCAL_OUT sees each piece,
 * the receiver's LOCAL_IN the reassembled echo once. */
TEST_F_TIMEOUT(decode, raw_fragments4, 120)
{
	static uint8_t m[1200];
	struct raw4 r[3];
	int i;

	for (i = 8; i < (int)sizeof(m); i++)
		m[i] = i;
	m[0] = 8;
	m[4] = 0x4d;
	m[7] = 1;
	set_csum(m, sizeof(m));
	for (i = 0; i < 3; i++)
		raw4_build(&r[i], D_A4, D_B4, IPPROTO_ICMP, 0x4d4d,
			   (i < 2 ? 0x2000 : 0) | (i * 400 / 8), NULL, 0, m + i * 400, 400);
	BEGIN(1, CAP_A, CAP_B);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, in_ns(D_NS_A, raw4_send, &r[i]));
	END();
	EXPECT_EQ(2, A.frag_records);
	EXPECT_EQ(1, A.seen[0][8]);	/* the first fragment, more_frags */
	EXPECT_EQ(1, A.seen[0][0]);
	EXPECT_EQ(1, SECOND.reassembled);
	EXPECT_EQ(1, SECOND.seen[0][8]);
}

/* Cut-short messages and a wrong checksum, sent and received. */
TEST_F_TIMEOUT(decode, truncated_and_bad_checksum, 120)
{
	uint8_t tiny[4] = { 8, 0, 0, 0 };
	uint8_t ts[12] = { 13, 0, 0, 0, 0, 1, 0, 2, 9, 9, 9, 9 };
	uint8_t unreach[18] = { 3, 1, 0, 0, 0, 0, 0, 0, 0x45, 0, 0, 40, 0, 1, 0, 0, 64, 17 };
	uint8_t bad[16] = { 8, 0, 0x12, 0x34, 0, 9, 0, 9 };

	set_csum(tiny, sizeof(tiny));
	set_csum(ts, sizeof(ts));
	set_csum(unreach, sizeof(unreach));
	BEGIN(0, CAP_A, CAP_B);
	ASSERT_EQ(0, send4(D_NS_A, D_B4, tiny, sizeof(tiny)));
	ASSERT_EQ(0, send4(D_NS_A, D_B4, ts, sizeof(ts)));
	ASSERT_EQ(0, send4(D_NS_A, D_B4, unreach, sizeof(unreach)));
	ASSERT_EQ(0, send4(D_NS_A, D_B4, bad, sizeof(bad)));
	END();
	EXPECT_EQ(5, A.packets);	/* and B's reply to the 12-byte timestamp */
	EXPECT_EQ(5, SECOND.packets);
}

TEST_HARNESS_MAIN
