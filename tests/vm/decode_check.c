// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include "decode_check.h"

#include <arpa/inet.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vmlib.h"

unsigned long long now_real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

int topo_up(void)
{
	topo_down();
	/* No DAD (addresses usable at once) and no router solicitations:
	 * the only ICMP is what a scenario makes. */
	return vm_netns_add(D_NS_A, 1) || vm_netns_add(D_NS_R, 1) || vm_netns_add(D_NS_B, 1) ||
	       vm_veth_pair(D_NS_A, "da0", D_A4 "/24", D_A6 "/64",
			    D_NS_R, "dr0", D_R4A "/24", D_R6A "/64") ||
	       vm_veth_pair(D_NS_R, "dr1", D_R4B "/24", D_R6B "/64",
			    D_NS_B, "db0", D_B4 "/24", D_B6 "/64") ||
	       vm_sh("set -e; ip netns exec " D_NS_R " sysctl -qw net.ipv4.ip_forward=1"
		     " net.ipv6.conf.all.forwarding=1;"
		     "ip -n " D_NS_A " route add default via " D_R4A ";"
		     "ip -n " D_NS_A " -6 route add default via " D_R6A ";"
		     "ip -n " D_NS_B " route add default via " D_R4B ";"
		     "ip -n " D_NS_B " -6 route add default via " D_R6B ";"
		     /* Link-up MLD reports are over before any capture starts. */
		     "sleep 2");
}

void topo_down(void)
{
	vm_sh("for n in " D_NS_A " " D_NS_R " " D_NS_B "; do ip netns del $n 2>/dev/null; done; true");
}

int if_index(const char *ns, const char *ifname)
{
	char cmd[160];
	FILE *f;
	int idx = -1;

	snprintf(cmd, sizeof(cmd), "ip -n %s -o link show dev %s", ns, ifname);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%d:", &idx) != 1)
		idx = -1;
	pclose(f);
	return idx;
}

int dcap_start(struct dcap *c, const char *ns, const char *ifname)
{
	int i;

	memset(c, 0, sizeof(*c));
	snprintf(c->ns, sizeof(c->ns), "%s", ns);
	snprintf(c->ifname, sizeof(c->ifname), "%s", ifname);
	snprintf(c->path, sizeof(c->path), "/tmp/icmpt-%s-%s.pcap", ns, ifname);
	snprintf(c->log, sizeof(c->log), "/tmp/icmpt-%s-%s.log", ns, ifname);
	unlink(c->path);
	unlink(c->log);	/* not the last test's "listening" */
	c->pid = fork();
	if (c->pid < 0)
		return -1;
	if (c->pid == 0) {
		FILE *log = freopen(c->log, "w", stderr);

		(void)log;
		/* MLD has a hop-by-hop header and fragments a fragment
		 * header first: "icmp6" alone would not match them. */
		execlp("ip", "ip", "netns", "exec", ns, "tcpdump", "-i", ifname,
		       "--immediate-mode", "-U", "-n", "-w", c->path,
		       "icmp or icmp6 or (ip6 and (ip6[6] == 0 or ip6[6] == 44))", NULL);
		_exit(127);
	}
	for (i = 0; i < 200; i++) {
		if (!vm_sh("grep -q listening %s", c->log))
			return 0;
		usleep(50000);
	}
	return -1;
}

void dcap_stop(struct dcap *c)
{
	if (c->pid <= 0)
		return;
	kill(c->pid, SIGINT);
	waitpid(c->pid, NULL, 0);
	c->pid = 0;
}

/* ---- expected fields of a captured packet ---- */

#define MAX_EXP 64
struct exp {
	int n;
	char key[MAX_EXP][24];
	char val[MAX_EXP][72];
	unsigned int flags_mask, flags_want;	/* on the record's flags */
	int csum_either;	/* "none" is fine too: message beyond the snapshot */
	int inner_trunc;	/* -1: don't care, 0/1: inner_flags has truncated */
};

static void put(struct exp *e, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void put(struct exp *e, const char *key, const char *fmt, ...)
{
	va_list ap;

	if (e->n == MAX_EXP)
		return;
	snprintf(e->key[e->n], sizeof(e->key[0]), "%s", key);
	va_start(ap, fmt);
	vsnprintf(e->val[e->n], sizeof(e->val[0]), fmt, ap);
	va_end(ap);
	e->n++;
}

static unsigned int be16(const uint8_t *p) { return p[0] << 8 | p[1]; }
static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | p[2] << 8 | p[3];
}

static void put_addr(struct exp *e, const char *key, int family, const uint8_t *a)
{
	char buf[64];

	inet_ntop(family == 4 ? AF_INET : AF_INET6, a, buf, sizeof(buf));
	put(e, key, "%s", buf);
}

/* The embedded datagram at b[0..n). */
static void exp_inner(struct exp *e, const uint8_t *b, unsigned int n)
{
	unsigned int ver, off, proto;

	put(e, "inner_version", "%u", n ? b[0] >> 4 : 0);
	e->inner_trunc = 1;
	if (!n)
		return;
	ver = b[0] >> 4;
	if (ver == 4) {
		if (n < 20)
			return;
		off = (b[0] & 15) * 4;
		proto = b[9];
		put(e, "inner_ttl", "%u", b[8]);
		put(e, "inner_ip_len", "%u", be16(b + 2));
		put(e, "inner_ip_id", "%u", be16(b + 4));
		put_addr(e, "inner_src", 4, b + 12);
		put_addr(e, "inner_dst", 4, b + 16);
	} else if (ver == 6) {
		if (n < 40)
			return;
		off = 40;
		proto = b[6];
		put(e, "inner_ttl", "%u", b[7]);
		put(e, "inner_ip_len", "%u", 40 + be16(b + 4));
		put_addr(e, "inner_src", 6, b + 8);
		put_addr(e, "inner_dst", 6, b + 24);
	} else {
		e->inner_trunc = -1;
		return;
	}
	put(e, "inner_proto", "%u", proto);
	e->inner_trunc = 0;
	if (proto == 6 || proto == 17) {
		if (n < off + 4) {
			e->inner_trunc = 1;
			return;
		}
		put(e, "inner_sport", "%u", be16(b + off));
		put(e, "inner_dport", "%u", be16(b + off + 2));
	} else if (proto == (ver == 4 ? 1u : 58u)) {
		if (n < off + 2) {
			e->inner_trunc = 1;
			return;
		}
		put(e, "inner_type", "%u", b[off]);
		put(e, "inner_code", "%u", b[off + 1]);
		if (ver == 4 ? b[off] != 0 && b[off] != 8 : b[off] != 128 && b[off] != 129)
			return;
		if (n < off + 8) {
			e->inner_trunc = 1;
			return;
		}
		put(e, "inner_id", "%u", be16(b + off + 4));
		put(e, "inner_seq", "%u", be16(b + off + 6));
	}
}

/* Neighbor discovery options at b[0..n). */
static void exp_ndp_opts(struct exp *e, const uint8_t *b, unsigned int n)
{
	unsigned int off = 0, nr = 0, ll = 0, mtu = 0;

	while (off + 2 <= n && b[off + 1] && off + b[off + 1] * 8 <= n) {
		unsigned int t = b[off], len = b[off + 1] * 8;

		if ((t == 1 || t == 2) && !ll) {
			char s[32] = "";
			unsigned int i, l = len - 2 > 8 ? 8 : len - 2;

			for (i = 0; i < l; i++)
				snprintf(s + strlen(s), sizeof(s) - strlen(s), i ? ":%02x" : "%02x",
					 b[off + 2 + i]);
			put(e, "lladdr", "%s", s);
			put(e, "lladdr_type", "%s", t == 1 ? "source" : "target");
			ll = 1;
		} else if (t == 5 && !mtu) {
			mtu = be32(b + off + 4);
			if (mtu)
				put(e, "opt_mtu", "%u", mtu);
		}
		nr++;
		off += len;
	}
	put(e, "nr_opts", "%u", nr);
}

/* The ICMP message m[0..have) of a v4 or v6 packet. */
static void exp_icmp(struct exp *e, int v6, const uint8_t *m, unsigned int have)
{
	unsigned int t = m[0], c = m[1];
	int trunc = 0;

	if (have < 8) {
		e->flags_mask |= 1;
		e->flags_want |= 1;
		put(e, "detail", "none");
		return;
	}
	put(e, "rest", "0x%08x", be32(m + 4));
	if (v6 ? t == 128 || t == 129 : t == 0 || t == 8) {
		put(e, "id", "%u", be16(m + 4));
		put(e, "seq", "%u", be16(m + 6));
	} else {
		put(e, "id", "0");
		put(e, "seq", "0");
	}
	if (v6 ? t == 128 || t == 129 : t == 0 || t == 8 || t == 15 || t == 16) {
		put(e, "detail", "echo");
		put(e, "icmp_id", "%u", be16(m + 4));
		put(e, "icmp_seq", "%u", be16(m + 6));
	} else if (!v6 && (t == 3 || t == 4 || t == 5 || t == 11 || t == 12)) {
		put(e, "detail", "error");
		if (t == 3 && c == 4)
			put(e, "mtu", "%u", be16(m + 6));
		if (t == 5)
			put_addr(e, "gateway", 4, m + 4);
		if (t == 12)
			put(e, "pointer", "%u", m[4]);
		if (t == 3 || t == 11 || t == 12)
			put(e, "orig_len", "%u", m[5] * 4);
		exp_inner(e, m + 8, have - 8);
	} else if (v6 && t >= 1 && t <= 4) {
		put(e, "detail", "error");
		if (t == 2)
			put(e, "mtu", "%u", be32(m + 4));
		else if (t == 4)
			put(e, "pointer", "%u", be32(m + 4));
		else
			put(e, "orig_len", "%u", m[4] * 8);
		exp_inner(e, m + 8, have - 8);
	} else if (!v6 && (t == 13 || t == 14)) {
		trunc = have < 20;
		put(e, "detail", trunc ? "none" : "tstamp");
		if (!trunc) {
			put(e, "icmp_id", "%u", be16(m + 4));
			put(e, "icmp_seq", "%u", be16(m + 6));
			put(e, "orig", "%u", be32(m + 8));
			put(e, "recv", "%u", be32(m + 12));
			put(e, "xmit", "%u", be32(m + 16));
		}
	} else if (v6 && t == 133) {
		put(e, "detail", "rs");
		exp_ndp_opts(e, m + 8, have - 8);
	} else if (v6 && t == 134) {
		trunc = have < 16;
		put(e, "detail", trunc ? "none" : "ra");
		if (!trunc) {
			put(e, "cur_hop_limit", "%u", m[4]);
			put(e, "ra_flags", "0x%x", m[5]);
			put(e, "router_lifetime", "%u", be16(m + 6));
			put(e, "reachable", "%u", be32(m + 8));
			put(e, "retrans", "%u", be32(m + 12));
			exp_ndp_opts(e, m + 16, have - 16);
		}
	} else if (v6 && (t == 135 || t == 136)) {
		trunc = have < 24;
		put(e, "detail", trunc ? "none" : "neigh");
		if (!trunc) {
			put_addr(e, "target", 6, m + 8);
			if (t == 136)
				put(e, "na_flags", "0x%x", m[4]);
			exp_ndp_opts(e, m + 24, have - 24);
		}
	} else if (v6 && t == 137) {
		trunc = have < 40;
		put(e, "detail", trunc ? "none" : "redirect");
		if (!trunc) {
			put_addr(e, "target", 6, m + 8);
			put_addr(e, "dest", 6, m + 24);
		}
	} else if (v6 && t >= 130 && t <= 132) {
		put(e, "detail", "mld");
		if (have >= 24)
			put_addr(e, "mcast", 6, m + 8);
	} else if (v6 && t == 143) {
		put(e, "detail", "mld2_report");
		put(e, "nr_records", "%u", be16(m + 6));
	}
	e->flags_mask |= 1;
	e->flags_want |= trunc;
}

/* One's-complement sum of the ICMP bytes (+ IPv6 pseudo-header). */
static uint32_t sum16(uint32_t s, const uint8_t *b, unsigned int n)
{
	unsigned int i;

	for (i = 0; i + 1 < n; i += 2)
		s += be16(b + i);
	if (n & 1)
		s += b[n - 1] << 8;
	return s;
}

static int csum_ok(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s == 0xffff;
}

static uint32_t pseudo6(const struct vm_pkt *p, unsigned int icmp_len)
{
	uint32_t s = sum16(0, p->ip + 8, 32);

	return s + (icmp_len >> 16) + (icmp_len & 0xffff) + 58;
}

/*
 * Expected record of packet p (as the first of n fragments frags[], the
 * train seen as one datagram, when n > 1).
 */
static void expect(struct exp *e, const char *dir, struct vm_pkt **frags, int n)
{
	const struct vm_pkt *p = frags[0];
	unsigned int end = p->caplen < p->ip_len ? p->caplen : p->ip_len;
	unsigned int total = p->ip_len, icmp_len, have, hdr = p->l4_off;
	int whole = !p->more_frags && !p->frag_off, i;
	uint32_t s;

	memset(e, 0, sizeof(*e));
	e->inner_trunc = -1;
	if (n > 1) {	/* reassembled: the header of the first, every payload */
		if (p->family == 6)
			hdr -= 8;	/* the fragment header came with the cutting */
		total = hdr;
		for (i = 0; i < n; i++)
			total += frags[i]->ip_len - frags[i]->l4_off;
		whole = 1;
	}
	put(e, "dir", "%s", dir);
	put(e, "family", "%d", p->family);
	put(e, "src", "%s", p->src);
	put(e, "dst", "%s", p->dst);
	put(e, "ttl", "%d", p->ttl);
	put(e, "ip_len", "%u", total);
	e->flags_mask = 0x2 | 0x200;	/* fragment, more_frags */
	if (p->frag_off) {
		e->flags_want = 0x2;
		/* No ICMP header: kv leaves type and code empty. */
		put(e, "type", "%s", "");
		put(e, "code", "%s", "");
		put(e, "detail", "none");
		return;
	}
	e->flags_want = p->more_frags && n == 1 ? 0x200 : 0;
	icmp_len = total - hdr;
	put(e, "icmp_len", "%u", icmp_len);
	have = end - p->l4_off;
	if (have >= 2) {
		put(e, "type", "%u", p->ip[p->l4_off]);
		put(e, "code", "%u", p->ip[p->l4_off + 1]);
	}
	if (have >= 4)
		put(e, "csum", "%u", be16(p->ip + p->l4_off + 2));
	exp_icmp(e, p->family == 6, p->ip + p->l4_off, have);
	/* The parser judges the checksum of messages of 8 bytes or more. */
	e->csum_either = have < 8;
	if (!whole) {
		put(e, "csum_check", "none");
		return;
	}
	s = p->family == 6 ? pseudo6(p, icmp_len) : 0;
	for (i = 0; i < n; i++)
		s = sum16(s, frags[i]->ip + frags[i]->l4_off, frags[i]->ip_len - frags[i]->l4_off);
	/* Longer than the parser's snapshot too: the hook sums the skb. */
	put(e, "csum_check", "%s", csum_ok(s) ? "ok" : "bad");
}

/* ---- matching against the reader's lines ---- */

struct own {
	int n;
	char addr[16][48];
};

/* The namespace's addresses, all-nodes/routers and solicited-node groups. */
static void own_addrs(const char *ns, struct own *o)
{
	char cmd[128], line[256], a[48];
	FILE *f;

	o->n = 0;
	snprintf(o->addr[o->n++], 48, "ff02::1");
	snprintf(o->addr[o->n++], 48, "ff02::2");
	snprintf(cmd, sizeof(cmd), "ip -n %s -o addr show", ns);
	f = popen(cmd, "r");
	while (f && fgets(line, sizeof(line), f) && o->n < 14) {
		char *p = strstr(line, " inet");
		struct in6_addr in6;

		if (!p || sscanf(p, " %*s %47[^/]", a) != 1)
			continue;
		snprintf(o->addr[o->n++], 48, "%s", a);
		if (inet_pton(AF_INET6, a, &in6) == 1) {
			uint8_t g[16] = { 0xff, 2, [11] = 1, [12] = 0xff };

			memcpy(g + 13, in6.s6_addr + 13, 3);
			inet_ntop(AF_INET6, g, o->addr[o->n++], 48);
		}
	}
	if (f)
		pclose(f);
}

static int is_own(const struct own *o, const char *a)
{
	int i;

	for (i = 0; i < o->n; i++)
		if (!strcmp(o->addr[i], a))
			return 1;
	return 0;
}

static const char *getv(const char *line, const char *key, char *buf, size_t n)
{
	return vm_kv_get(line, key, buf, n) ? NULL : buf;
}

static void fail(struct dresult *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct dresult *r, const char *fmt, ...)
{
	va_list ap;

	r->failures++;
	fprintf(stderr, "# ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Does the record line agree with every expected field?  verbose: print
 * each difference. */
static int agrees(const char *line, const struct exp *e, int verbose)
{
	char v[128];
	int i, ok = 1;
	unsigned long flags;

	for (i = 0; i < e->n; i++) {
		if (getv(line, e->key[i], v, sizeof(v)) && !strcmp(v, e->val[i]))
			continue;
		if (!strcmp(e->key[i], "csum_check") && e->csum_either &&
		    getv(line, "csum_check", v, sizeof(v)) && !strcmp(v, "none"))
			continue;
		ok = 0;
		if (verbose)
			fprintf(stderr, "#   %s: tcpdump %s, reader %s\n", e->key[i], e->val[i],
			     getv(line, e->key[i], v, sizeof(v)) ? v : "(absent)");
	}
	flags = getv(line, "flags", v, sizeof(v)) ? strtoul(v, NULL, 0) : 0;
	if ((flags & e->flags_mask) != e->flags_want) {
		ok = 0;
		if (verbose)
			fprintf(stderr, "#   flags: reader 0x%lx, want 0x%x under 0x%x\n", flags,
			     e->flags_want, e->flags_mask);
	}
	if (e->inner_trunc >= 0) {
		int has = getv(line, "inner_flags", v, sizeof(v)) && strstr(v, "truncated");

		if (has != e->inner_trunc) {
			ok = 0;
			if (verbose)
				fprintf(stderr, "#   inner truncated: reader %d, want %d\n", has,
					e->inner_trunc);
		}
	}
	return ok;
}

/* Records of the capture's namespace and interface inside the window. */
static int select_lines(const char *out, const char *ns_ino, const char *ifidx,
			const struct dcheck_opts *o, char ***lines)
{
	int n = 0, cap = 64;
	const char *p = out;
	char v[64];

	*lines = malloc(cap * sizeof(char *));
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p) : strlen(p);
		char *line = strndup(p, l);
		unsigned long long ts;

		p += l + (nl ? 1 : 0);
		if (!getv(line, "pkt_netns", v, sizeof(v)) || strcmp(v, ns_ino) ||
		    !getv(line, "ifindex", v, sizeof(v)) || strcmp(v, ifidx) ||
		    !getv(line, "ts", v, sizeof(v))) {
			free(line);
			continue;
		}
		ts = strtoull(v, NULL, 10);
		if (ts < o->t0_ns || ts > o->t1_ns) {
			free(line);
			continue;
		}
		if (n == cap)
			*lines = realloc(*lines, (cap *= 2) * sizeof(char *));
		(*lines)[n++] = line;
	}
	return n;
}

/* Same datagram: a fragment train shares addresses and id. */
static int same_train(const struct vm_pkt *a, const struct vm_pkt *b)
{
	return a->family == b->family && a->ip_id == b->ip_id &&
	       !strcmp(a->src, b->src) && !strcmp(a->dst, b->dst);
}

void dcheck(const char *reader_out, const struct dcap *c,
	    const struct dcheck_opts *o, struct dresult *res)
{
	struct vm_pkt *pkts = calloc(256, sizeof(*pkts));
	char ino[32], idx[16], **lines;
	int np, nl, i, j, k, *used;
	struct own own;

	memset(res, 0, sizeof(*res));
	snprintf(ino, sizeof(ino), "%lu", vm_netns_inode(c->ns));
	snprintf(idx, sizeof(idx), "%d", if_index(c->ns, c->ifname));
	own_addrs(c->ns, &own);
	np = vm_pcap_read_pkts(c->path, pkts, 256);
	if (np < 0)
		fail(res, "%s: no pcap", c->path);
	nl = select_lines(reader_out, ino, idx, o, &lines);
	used = calloc(nl + 1, sizeof(int));

	for (i = 0; i < np; i++) {
		struct vm_pkt *p = &pkts[i], *train[64];
		const char *dir;
		int n = 1, best = -1;
		struct exp e;

		if (p->proto != (p->family == 4 ? 1 : 58) || !p->family)
			continue;	/* claimed by a train, or not ICMP */
		dir = is_own(&own, p->src) ? "out" : is_own(&own, p->dst) ? "in" : NULL;
		if (!dir)
			continue;	/* forwarded, or not for this host: no hook */
		train[0] = p;
		/* v4 LOCAL_IN reassembles before the hook; LOCAL_OUT sees the
		 * datagram before it is cut, unless a raw socket cut it. */
		if ((p->more_frags || p->frag_off) &&
		    (!strcmp(dir, "in") ? p->family == 4 : !o->raw_frags_out)) {
			if (p->frag_off)
				continue;	/* the first one leads the train */
			for (j = i + 1; j < np && n < 64; j++)
				if (same_train(p, &pkts[j]) && pkts[j].frag_off)
					train[n++] = &pkts[j];
			for (k = 1; k < n; k++)
				train[k]->family = 0;	/* consumed */
			res->reassembled++;
		}
		res->packets++;
		expect(&e, dir, train, n);
		for (k = 0; k < nl; k++)
			if (!used[k] && agrees(lines[k], &e, 0)) {
				best = k;
				break;
			}
		if (best < 0) {
			fail(res, "%s: packet %d (%s %s > %s type %u len %u frag_off %u) has no "
			     "matching record; closest differences:", c->path, i, dir, p->src,
			     p->dst, p->ip[p->l4_off], p->ip_len, p->frag_off);
			for (k = 0; k < nl; k++) {
				char a[64], b[64];

				if (!used[k] && getv(lines[k], "src", a, sizeof(a)) &&
				    !strcmp(a, p->src) && getv(lines[k], "dir", b, sizeof(b)) &&
				    !strcmp(b, dir)) {
					fprintf(stderr, "#  record %d:\n", k);
					agrees(lines[k], &e, 1);
				}
			}
			continue;
		}
		used[best] = 1;
		if (p->frag_off)
			res->frag_records++;
		else
			res->seen[p->family == 6][p->ip[p->l4_off]]++;
	}
	for (k = 0; k < nl; k++) {
		if (!used[k])
			fail(res, "%s: record not seen by tcpdump (or seen twice): %.300s",
			     c->path, lines[k]);
		free(lines[k]);
	}
	free(lines);
	free(used);
	free(pkts);
}
