// SPDX-License-Identifier: GPL-2.0
/*
 * Packet bytes in records (uapi "Packet bytes"): with a session's snap
 * length set over netlink, every record of the test's own echoes and of
 * an ICMP error quoting its UDP datagram carries the packet from the IP
 * header on, byte for byte as tcpdump captured it on the wire, cut at the
 * snap length; snap length 0 gives none; the value belongs to its socket
 * and goes with it; a whole 64 KB echo is one record per hook in a large
 * ring, and is dropped and counted, never written, in a ring too small
 * for it.  Reads the rings itself (ringlib) and talks netlink by hand.
 */
#define _GNU_SOURCE
#include "kselftest_harness.h"
#include "genllib.h"
#include "ringlib.h"

#define ECHO_ID 0x5a17
#define UDP_PORT 9		/* closed in B: port unreachable comes back */
#define NSEQ 3
#define MAX_KEEP 64
#define BIG_PAYLOAD 65000
#define PCAP "/tmp/icmpt-snap.pcap"

/* A record of the test's own traffic, copied out of the ring. */
struct kept {
	struct icmpt_event ev;
	uint8_t *bytes;		/* cap_len bytes, NULL if none */
};

struct keep_ctx {
	unsigned long ns_a, ns_b;
	struct kept k[MAX_KEEP];
	int n, bad, big;
	const char *why;
};

static int ours(const struct keep_ctx *c, const struct icmpt_event *ev)
{
	const struct icmpt_packet *p = &ev->pkt;

	if ((ev->pkt_netns != c->ns_a && ev->pkt_netns != c->ns_b) || p->family != 4)
		return 0;
	if ((p->type == 8 || p->type == 0) && (p->flags & ICMPT_PKT_HAS_ECHO))
		return p->id == ECHO_ID;
	return p->type == 3 && ev->detail.inner.proto == IPPROTO_UDP &&
	       ev->detail.inner.dport == UDP_PORT;
}

static void keep_rec(void *arg, unsigned int ring, const struct icmpt_rec_hdr *hdr,
		     const void *rec)
{
	struct keep_ctx *c = arg;
	const struct icmpt_event *ev = rec;
	struct kept *k;
	const char *why;

	if (hdr->type != ICMPT_REC_PACKET || !ours(c, ev))
		return;
	why = rl_check_event(ev, hdr->len);
	if (why) {
		c->bad++;
		c->why = why;
	}
	if (ev->pkt.ip_len > 60000)
		c->big++;
	if (c->n == MAX_KEEP)
		return;
	k = &c->k[c->n++];
	k->ev = *ev;
	k->bytes = NULL;
	if (ev->cap_len && !why) {
		k->bytes = malloc(ev->cap_len);
		if (k->bytes)
			memcpy(k->bytes, (const uint8_t *)rec + ev->cap_off, ev->cap_len);
	}
}

static void keep_free(struct keep_ctx *c)
{
	int i;

	for (i = 0; i < c->n; i++)
		free(c->k[i].bytes);
	c->n = 0;
}

/* Everything the rings hold now, ours kept; -1 if a ring held garbage. */
static int drain_all(struct rl_map *m, struct keep_ctx *c)
{
	unsigned int i;

	for (i = 0; i < m->info.nr_rings; i++)
		if (rl_drain(m, i, keep_rec, c) < 0)
			return -1;
	return 0;
}

/* ---- netlink: the session's snap length ---- */

static int set_snaplen(int fd, int fam, uint32_t v)
{
	struct gmsg m;

	gmsg_init(&m, fam, ICMPT_CMD_SET_CONFIG);
	gmsg_u32(&m, ICMPT_A_SNAPLEN, v);
	return genl_xfer(fd, &m, NULL);
}

/* The snap length in force (GET_CONFIG), -1 if the reply has none. */
static long get_snaplen(int fd, int fam)
{
	struct gmsg r;
	struct nlattr *a;
	int rem;

	if (genl_cmd(fd, fam, ICMPT_CMD_GET_CONFIG, &r))
		return -1;
	for_each_attr(a, attr_first(&r, &rem), rem)
		if (a->nla_type == ICMPT_A_SNAPLEN && a->nla_len == NLA_HDRLEN + 4)
			return *(uint32_t *)attr_data(a);
	return -1;
}

/* ---- traffic from namespace A to B ---- */

static uint8_t pattern(size_t i, unsigned int seq)
{
	return (uint8_t)(i * 31 + seq * 7 + 1);
}

/* The echo request of seq with len payload bytes (pattern()): 8 + len. */
static size_t build_echo(uint8_t *buf, unsigned int seq, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[8 + i] = pattern(i, seq);
	return vm_echo_build(buf, 8, ECHO_ID, seq, len, NULL);
}

/*
 * In a child in namespace A: NSEQ echo requests (seq 1.., payload len
 * each) from a raw socket and, if udp, one UDP datagram to B's closed port.
 * 0 if all were sent.
 */
static int send_from_a(size_t len, int nseq, int udp)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		struct sockaddr_in to = { .sin_family = AF_INET };
		static uint8_t buf[8 + BIG_PAYLOAD];
		int fd, s;

		inet_pton(AF_INET, VM_ADDR_B, &to.sin_addr);
		if (vm_netns_enter(VM_NS_A))
			_exit(2);
		fd = rl_raw_socket();
		if (fd < 0)
			_exit(3);
		for (s = 1; s <= nseq; s++) {
			size_t n = build_echo(buf, s, len);

			if (sendto(fd, buf, n, 0, (struct sockaddr *)&to, sizeof(to)) != (ssize_t)n)
				_exit(4);
			usleep(100000);
		}
		if (udp) {
			static const char msg[] = "icmptrace-snap-udp";

			fd = socket(AF_INET, SOCK_DGRAM, 0);
			to.sin_port = htons(UDP_PORT);
			if (fd < 0 || sendto(fd, msg, sizeof(msg), 0, (struct sockaddr *)&to,
					     sizeof(to)) != sizeof(msg))
				_exit(5);
		}
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* tcpdump on A's end of the veth, both directions, until capture_stop(). */
static int capture_start(void)
{
	unlink(PCAP);
	return vm_sh("ip netns exec " VM_NS_A " tcpdump -i icmpt-va -U -n -w " PCAP
		     " icmp >/tmp/icmpt-snap-tcpdump.log 2>&1 & echo $! >/tmp/icmpt-snap.pid;"
		     " n=0; until grep -q listening /tmp/icmpt-snap-tcpdump.log; do"
		     " n=$((n + 1)); [ $n -gt 100 ] && exit 1; sleep 0.1; done");
}

static void capture_stop(void)
{
	vm_sh("sleep 1; kill -INT $(cat /tmp/icmpt-snap.pid); sleep 1");
}

/* ---- the fixture: two namespaces, our rings, a netlink session ---- */

FIXTURE(snap) {
	struct rl_map m;
	int fd, fam;
	struct keep_ctx c;
	struct vm_pkt *pkts;
};

FIXTURE_SETUP(snap)
{
	memset(&self->c, 0, sizeof(self->c));
	self->fd = -1;
	self->m.fd = -1;
	self->pkts = calloc(MAX_KEEP, sizeof(*self->pkts));
	ASSERT_NE(NULL, self->pkts);
	ASSERT_EQ(0, vm_netns_pair_up());
	self->c.ns_a = vm_netns_inode(VM_NS_A);
	self->c.ns_b = vm_netns_inode(VM_NS_B);
	ASSERT_EQ(0, rl_map_open(&self->m));
	self->fd = genl_open();
	ASSERT_LE(0, self->fd);
	self->fam = genl_family(self->fd);
	ASSERT_LT(0, self->fam);
	/* ARP and the like settle before the rings are emptied. */
	ASSERT_EQ(0, send_from_a(8, 1, 0));
	usleep(300000);
	rl_skip_all(&self->m);
}

FIXTURE_TEARDOWN(snap)
{
	keep_free(&self->c);
	free(self->pkts);
	if (self->fd >= 0)
		close(self->fd);
	rl_unmap(&self->m);
	vm_netns_pair_down();
}

static const char *dir_name(const struct icmpt_event *ev)
{
	return ev->direction == ICMPT_DIR_IN ? "in" : "out";
}

/*
 * The capture's packet that a record describes: same ICMP type and code,
 * and for an echo the same seq.  Exactly one, or NULL.
 */
static const struct vm_pkt *wire_packet(const struct vm_pkt *pkts, int np,
					const struct icmpt_event *ev)
{
	const struct vm_pkt *found = NULL;
	int i, n = 0;

	for (i = 0; i < np; i++) {
		const uint8_t *h = pkts[i].ip + pkts[i].l4_off;

		if (pkts[i].family != 4 || pkts[i].proto != 1 ||
		    pkts[i].l4_off + 8 > pkts[i].caplen || h[0] != ev->pkt.type ||
		    h[1] != ev->pkt.code)
			continue;
		if (ev->pkt.type != 3 && (h[4] << 8 | h[5]) != ECHO_ID)
			continue;
		if (ev->pkt.type != 3 && (h[6] << 8 | h[7]) != ev->pkt.seq)
			continue;
		found = &pkts[i];
		n++;
	}
	return n == 1 ? found : NULL;
}

/*
 * NSEQ echoes with payload bytes and a UDP datagram into a closed port,
 * under snap length snap: each of the 4 * NSEQ + 2 records (both ends of
 * each wire packet) carries min(snap, ip_len) bytes equal to tcpdump's.
 */
static void bytes_as_on_the_wire(struct __test_metadata *_metadata,
				 FIXTURE_DATA(snap) *self, uint32_t snap, size_t payload)
{
	int np, i, echoes = 0, errors = 0;

	ASSERT_EQ(0, set_snaplen(self->fd, self->fam, snap));
	ASSERT_EQ(snap, get_snaplen(self->fd, self->fam));
	ASSERT_EQ(0, capture_start());
	ASSERT_EQ(0, send_from_a(payload, NSEQ, 1));
	capture_stop();
	ASSERT_EQ(0, drain_all(&self->m, &self->c));
	EXPECT_EQ(0, self->c.bad) TH_LOG("malformed record: %s", self->c.why);
	np = vm_pcap_read_pkts(PCAP, self->pkts, MAX_KEEP);
	ASSERT_EQ(2 * NSEQ + 1, np);
	ASSERT_EQ(4 * NSEQ + 2, self->c.n);
	for (i = 0; i < self->c.n; i++) {
		const struct kept *k = &self->c.k[i];
		const struct icmpt_event *ev = &k->ev;
		const struct vm_pkt *w = wire_packet(self->pkts, np, ev);
		uint32_t want;

		ASSERT_NE(NULL, w) TH_LOG("record %s type %u seq %u: no single wire packet",
					  dir_name(ev), ev->pkt.type, ev->pkt.seq);
		if (ev->pkt.type == 3)
			errors++;
		else
			echoes++;
		EXPECT_EQ(w->ip_len, ev->pkt.ip_len);
		want = snap < w->ip_len ? snap : w->ip_len;
		ASSERT_EQ(want, ev->cap_len) TH_LOG("type %u %s", ev->pkt.type, dir_name(ev));
		ASSERT_LE(want, w->caplen);
		ASSERT_NE(NULL, k->bytes);
		EXPECT_EQ(0, memcmp(k->bytes, w->ip, want))
			TH_LOG("type %u seq %u %s: bytes differ from the wire", ev->pkt.type,
			       ev->pkt.seq, dir_name(ev));
	}
	EXPECT_EQ(4 * NSEQ, echoes);
	EXPECT_EQ(2, errors);
}

/* Snap length above every packet: each is whole. */
TEST_F_TIMEOUT(snap, whole_packets_match_tcpdump, 90)
{
	bytes_as_on_the_wire(_metadata, self, 1500, 200);
}

/*
 * Cut inside the echo payload, and inside the error's quoted UDP data
 * (20 + 8 + 20 + 8 = 56 bytes of headers): 60, not a multiple of 8, also
 * checks the zero padding (rl_check_event).
 */
TEST_F_TIMEOUT(snap, cut_at_snaplen, 90)
{
	bytes_as_on_the_wire(_metadata, self, 60, 200);
}

/* The module's default: what the parser decodes, all of it. */
TEST_F_TIMEOUT(snap, default_snaplen, 90)
{
	bytes_as_on_the_wire(_metadata, self, ICMPT_SNAPLEN_DEFAULT, 400);
}

TEST_F_TIMEOUT(snap, zero_means_no_bytes, 60)
{
	int i;

	ASSERT_EQ(0, set_snaplen(self->fd, self->fam, 0));
	ASSERT_EQ(0, send_from_a(200, NSEQ, 1));
	usleep(500000);
	ASSERT_EQ(0, drain_all(&self->m, &self->c));
	EXPECT_EQ(0, self->c.bad) TH_LOG("malformed record: %s", self->c.why);
	ASSERT_EQ(4 * NSEQ + 2, self->c.n);
	for (i = 0; i < self->c.n; i++) {
		EXPECT_EQ(0, self->c.k[i].ev.cap_len);
		EXPECT_EQ(0, self->c.k[i].ev.cap_off);
		EXPECT_EQ(sizeof(struct icmpt_event), self->c.k[i].ev.hdr.len);
	}
}

/*
 * The snap length belongs to the socket that set it: another socket
 * cannot change it (EBUSY) but may still enable tracing; out of range is
 * ERANGE and changes nothing; it goes away when its socket closes, also
 * when its process is killed.
 */
TEST_F_TIMEOUT(snap, belongs_to_its_session, 60)
{
	const long dflt = rl_default_snaplen();
	int other = genl_open(), status;
	struct gmsg m;
	pid_t pid;

	ASSERT_LE(0, other);
	ASSERT_EQ(0, set_snaplen(self->fd, self->fam, 100));
	EXPECT_EQ(100, get_snaplen(other, self->fam));
	EXPECT_EQ(-EBUSY, set_snaplen(other, self->fam, 200));
	EXPECT_EQ(100, get_snaplen(other, self->fam));
	gmsg_init(&m, self->fam, ICMPT_CMD_SET_CONFIG);
	gmsg_u8(&m, ICMPT_A_ENABLED, 1);
	EXPECT_EQ(0, genl_xfer(other, &m, NULL));
	EXPECT_EQ(-ERANGE, set_snaplen(self->fd, self->fam, ICMPT_SNAPLEN_MAX + 1));
	EXPECT_EQ(-ERANGE, set_snaplen(self->fd, self->fam, 0xffffffffu));
	EXPECT_EQ(100, get_snaplen(other, self->fam));
	EXPECT_EQ(0, set_snaplen(self->fd, self->fam, ICMPT_SNAPLEN_MAX));
	EXPECT_EQ(ICMPT_SNAPLEN_MAX, get_snaplen(other, self->fam));
	EXPECT_EQ(0, set_snaplen(self->fd, self->fam, 100));

	/* Records follow the session's value... */
	ASSERT_EQ(0, send_from_a(200, 1, 0));
	usleep(300000);
	ASSERT_EQ(0, drain_all(&self->m, &self->c));
	ASSERT_EQ(4, self->c.n);
	EXPECT_EQ(100, self->c.k[0].ev.cap_len);
	keep_free(&self->c);

	/* ...until its socket closes: then the module parameter's. */
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(dflt, get_snaplen(other, self->fam));
	ASSERT_EQ(0, send_from_a(200, 1, 0));
	usleep(300000);
	ASSERT_EQ(0, drain_all(&self->m, &self->c));
	ASSERT_EQ(4, self->c.n);
	EXPECT_EQ(dflt < 228 ? dflt : 228, self->c.k[0].ev.cap_len);

	/* Now another socket may take it; a killed owner lets it go too. */
	EXPECT_EQ(0, set_snaplen(other, self->fam, 50));
	close(other);
	self->fd = genl_open();
	ASSERT_LE(0, self->fd);
	EXPECT_EQ(dflt, get_snaplen(self->fd, self->fam));
	pid = fork();
	if (pid == 0) {
		int fd = genl_open();

		if (fd < 0 || set_snaplen(fd, self->fam, 77))
			_exit(1);
		kill(getpid(), SIGKILL);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(dflt, get_snaplen(self->fd, self->fam));
	EXPECT_EQ(0, set_snaplen(self->fd, self->fam, 33));
}

/*
 * A 64 KB echo (ping -s 65000) with snap length ICMPT_SNAPLEN_MAX: one
 * record per hook, the whole datagram in each (LOCAL_OUT before
 * fragmentation, LOCAL_IN after reassembly), the echo's bytes as sent.
 */
TEST_F_TIMEOUT(snap, whole_64k_echo, 120)
{
	static uint8_t sent[8 + BIG_PAYLOAD];
	const uint32_t ip_len = 20 + 8 + BIG_PAYLOAD;
	size_t n = build_echo(sent, 1, BIG_PAYLOAD);
	int i;

	ASSERT_LE(4 * rl_rec_len(ip_len), self->m.info.data_size)
		TH_LOG("the ring is too small for this test");
	ASSERT_EQ(0, set_snaplen(self->fd, self->fam, ICMPT_SNAPLEN_MAX));
	ASSERT_EQ(0, send_from_a(BIG_PAYLOAD, 1, 0));
	usleep(1000000);
	ASSERT_EQ(0, drain_all(&self->m, &self->c));
	EXPECT_EQ(0, self->c.bad) TH_LOG("malformed record: %s", self->c.why);
	ASSERT_EQ(4, self->c.n);
	for (i = 0; i < self->c.n; i++) {
		const struct kept *k = &self->c.k[i];
		const uint8_t *b = k->bytes;

		EXPECT_EQ(ip_len, k->ev.pkt.ip_len);
		ASSERT_EQ(ip_len, k->ev.cap_len);
		ASSERT_NE(NULL, b);
		EXPECT_EQ(0x45, b[0]);
		EXPECT_EQ(ip_len, (uint32_t)(b[2] << 8 | b[3]));
		EXPECT_EQ(0, b[6] & 0x3f);		/* no MF, offset 0: whole */
		EXPECT_EQ(0, b[7]);
		EXPECT_EQ(0, vm_csum(b, 20));		/* header checksum right */
		EXPECT_EQ(0, vm_csum(b + 20, n));	/* ICMP checksum right */
		if (k->ev.pkt.type == 8) {
			EXPECT_EQ(0, memcmp(b + 20, sent, n)) TH_LOG("request %s", dir_name(&k->ev));
		} else {
			EXPECT_EQ(0, b[20]);
			EXPECT_EQ(0, memcmp(b + 24, sent + 4, n - 4))
				TH_LOG("reply %s", dir_name(&k->ev));
		}
	}
}

/* ---- a ring smaller than one record ---- */

FIXTURE(tiny) {
	struct rl_map m;
	int fd, fam;
	struct keep_ctx c;
};

static int reload(const char *params)
{
	int i, err = -EBUSY;

	/* A reader of the previous test may still be closing. */
	for (i = 0; i < 50 && rl_loaded(); i++) {
		err = rl_rmmod();
		if (!err)
			break;
		usleep(100000);
	}
	if (rl_loaded())
		return err;
	return rl_insmod(params);
}

FIXTURE_SETUP(tiny)
{
	memset(&self->c, 0, sizeof(self->c));
	self->fd = -1;
	self->m.fd = -1;
	if (!getenv("IT_MODULE"))
		SKIP(return, "IT_MODULE not set: not run by vm-run");
	ASSERT_EQ(0, reload("ring_size=8192"));
	ASSERT_EQ(0, vm_netns_pair_up());
	self->c.ns_a = vm_netns_inode(VM_NS_A);
	self->c.ns_b = vm_netns_inode(VM_NS_B);
	ASSERT_EQ(0, rl_map_open(&self->m));
	ASSERT_EQ(8192, self->m.info.data_size);
	self->fd = genl_open();
	ASSERT_LE(0, self->fd);
	self->fam = genl_family(self->fd);
	ASSERT_LT(0, self->fam);
}

FIXTURE_TEARDOWN(tiny)
{
	keep_free(&self->c);
	if (self->fd >= 0)
		close(self->fd);
	rl_unmap(&self->m);
	vm_netns_pair_down();
	if (getenv("IT_MODULE"))
		reload("");
}

/*
 * Each 64 KB record is larger than the whole 8 KB ring: dropped and
 * counted (seen = recorded + filtered + dropped), never written; the
 * small echoes around it are recorded with their bytes.
 */
TEST_F_TIMEOUT(tiny, record_larger_than_ring_is_dropped, 120)
{
	struct stats before, after, cpus[RL_MAX_RINGS];
	int i;

	ASSERT_EQ(0, set_snaplen(self->fd, self->fam, ICMPT_SNAPLEN_MAX));
	ASSERT_EQ(0, send_from_a(8, 1, 0));
	usleep(300000);
	ASSERT_EQ(0, drain_all(&self->m, &self->c));
	keep_free(&self->c);
	ASSERT_LT(0, get_stats(self->fd, self->fam, &before, cpus, RL_MAX_RINGS));
	ASSERT_EQ(0, send_from_a(BIG_PAYLOAD, 1, 0));
	usleep(1000000);
	ASSERT_EQ(0, send_from_a(100, 1, 0));
	usleep(300000);
	ASSERT_EQ(0, drain_all(&self->m, &self->c));
	ASSERT_LT(0, get_stats(self->fd, self->fam, &after, cpus, RL_MAX_RINGS));

	EXPECT_EQ(0, self->c.bad) TH_LOG("malformed record: %s", self->c.why);
	EXPECT_EQ(0, self->c.big);
	ASSERT_EQ(4, self->c.n);
	for (i = 0; i < self->c.n; i++) {
		EXPECT_EQ(128, self->c.k[i].ev.pkt.ip_len);
		EXPECT_EQ(128, self->c.k[i].ev.cap_len);
	}
	EXPECT_LE(4, after.v[ICMPT_STAT_A_DROPPED_FULL] - before.v[ICMPT_STAT_A_DROPPED_FULL]);
	EXPECT_EQ(after.v[ICMPT_STAT_A_SEEN],
		  after.v[ICMPT_STAT_A_RECORDED] + after.v[ICMPT_STAT_A_FILTERED] +
		  after.v[ICMPT_STAT_A_DROPPED]);
}

TEST_HARNESS_MAIN
