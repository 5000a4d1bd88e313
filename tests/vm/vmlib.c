// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include "vmlib.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int vm_timeout_scale(void)
{
	static int scale;

	if (!scale) {
		const char *s = getenv("IT_TIMEOUT_SCALE");
		long v = s ? strtol(s, NULL, 10) : 1;

		/* Bounded so that scaled milliseconds stay an int. */
		scale = v >= 1 && v <= 100 ? (int)v : 1;
	}
	return scale;
}

int vm_scaled_ms(int ms)
{
	return ms * vm_timeout_scale();
}

/*
 * The kselftest harness arms alarm(t->timeout) around each test (setup, body
 * and teardown run in the child it waits for).  Every test links vmlib.c, and
 * a definition in the executable takes precedence over libc's, so this alarm()
 * scales that timeout without a change to the harness, which is the kernel's
 * own file (IT_KSELFTEST_DIR) and not ours to edit; TEST_F_TIMEOUT values
 * stay what a normal kernel needs.  setitimer() is what alarm() is made of.
 */
unsigned int alarm(unsigned int seconds)
{
	struct itimerval new = { .it_value.tv_sec = (time_t)seconds * vm_timeout_scale() };
	struct itimerval old;

	if (setitimer(ITIMER_REAL, &new, &old))
		return 0;
	/* As libc: round to the nearest second, never 0 while still armed. */
	if (old.it_value.tv_usec >= 500000 ||
	    (!old.it_value.tv_sec && old.it_value.tv_usec))
		old.it_value.tv_sec++;
	return old.it_value.tv_sec;
}

int vm_sh(const char *fmt, ...)
{
	char *cmd;
	va_list ap;
	int st, n;

	/* As long as it needs to be: a command cut short runs something else. */
	va_start(ap, fmt);
	n = vasprintf(&cmd, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	st = system(cmd);
	free(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int vm_netns_add(const char *ns, int quiet_v6)
{
	vm_sh("ip netns del %s 2>/dev/null", ns);
	if (vm_sh("ip netns add %s", ns) ||
	    (quiet_v6 && vm_sh("ip netns exec %s sysctl -qw net.ipv6.conf.default.accept_dad=0"
			       " net.ipv6.conf.default.router_solicitations=0", ns)) ||
	    vm_sh("ip netns exec %s sysctl -qw net.ipv4.ping_group_range='0 2147483647'", ns) ||
	    vm_sh("ip -n %s link set lo up", ns))
		return -1;
	return 0;
}

/* One end's addresses: "ip -n NS addr add ..." for v4 and, if given, v6. */
static int vm_veth_addr(const char *ns, const char *ifname, const char *addr4,
			const char *addr6)
{
	if (vm_sh("ip -n %s addr add %s dev %s", ns, addr4, ifname))
		return -1;
	if (addr6 && vm_sh("ip -n %s addr add %s dev %s nodad", ns, addr6, ifname))
		return -1;
	return 0;
}

int vm_veth_pair(const char *ns_a, const char *if_a, const char *addr4_a, const char *addr6_a,
		 const char *ns_b, const char *if_b, const char *addr4_b, const char *addr6_b)
{
	if (vm_sh("ip link add %s netns %s type veth peer name %s netns %s",
		  if_a, ns_a, if_b, ns_b) ||
	    vm_veth_addr(ns_a, if_a, addr4_a, addr6_a) ||
	    vm_veth_addr(ns_b, if_b, addr4_b, addr6_b) ||
	    vm_sh("ip -n %s link set %s up && ip -n %s link set %s up", ns_a, if_a, ns_b, if_b))
		return -1;
	return 0;
}

int vm_netns_pair_up(void)
{
	vm_netns_pair_down();
	return vm_netns_add(VM_NS_A, 0) || vm_netns_add(VM_NS_B, 0) ||
	       vm_veth_pair(VM_NS_A, "icmpt-va", VM_ADDR_A "/24", NULL,
			    VM_NS_B, "icmpt-vb", VM_ADDR_B "/24", NULL);
}

void vm_netns_pair_down(void)
{
	vm_sh("ip netns del " VM_NS_A " 2>/dev/null; ip netns del " VM_NS_B " 2>/dev/null; true");
}

unsigned long vm_netns_inode(const char *name)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	return stat(path, &st) ? 0 : (unsigned long)st.st_ino;
}

int vm_netns_enter(const char *name)
{
	char path[128];
	int fd, err;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	err = setns(fd, CLONE_NEWNET);
	close(fd);
	return err;
}

/* A counter of this netns's /proc/net/snmp: "Group: names" then "Group: values". */
static long snmp_here(const char *group, const char *name)
{
	char head[2048], vals[2048], *hs, *vs, *h, *v;
	size_t glen = strlen(group);
	FILE *f = fopen("/proc/net/snmp", "r");
	long r = -1;

	if (!f)
		return -1;
	while (fgets(head, sizeof(head), f)) {
		if (strncmp(head, group, glen) || head[glen] != ':' || !fgets(vals, sizeof(vals), f))
			continue;
		h = strtok_r(head + glen + 1, " \n", &hs);
		v = strtok_r(vals + glen + 1, " \n", &vs);
		for (; h && v; h = strtok_r(NULL, " \n", &hs), v = strtok_r(NULL, " \n", &vs))
			if (!strcmp(h, name))
				r = atol(v);
		break;
	}
	fclose(f);
	return r;
}

long vm_snmp(const char *ns, const char *group, const char *name)
{
	long v = -1, r;
	int p[2], st;
	pid_t pid;

	if (!ns)
		return snmp_here(group, name);
	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		r = vm_netns_enter(ns) ? -1 : snmp_here(group, name);
		_exit(write(p[1], &r, sizeof(r)) == (ssize_t)sizeof(r) ? 0 : 1);
	}
	close(p[1]);
	if (pid > 0 && read(p[0], &v, sizeof(v)) != (ssize_t)sizeof(v))
		v = -1;
	close(p[0]);
	if (pid > 0)
		waitpid(pid, &st, 0);
	return v;
}

const char *vm_rec_get(const struct vm_rec *r, const char *key)
{
	int i;

	for (i = 0; i < r->n; i++)
		if (!strcmp(r->key[i], key))
			return r->val[i];
	return NULL;
}

long long vm_rec_num(const struct vm_rec *r, const char *key)
{
	const char *v = vm_rec_get(r, key);

	return v ? strtoll(v, NULL, 0) : -1;
}

int vm_rec_parse(struct vm_rec *r, const char *line)
{
	const char *p = line;

	r->n = 0;
	while (*p && *p != '\n' && r->n < VM_KV_MAX) {
		const char *eq, *end;
		size_t kl, vl;

		while (*p == ' ')
			p++;
		end = p + strcspn(p, " \n");
		eq = memchr(p, '=', end - p);
		if (!eq)
			return -1;
		kl = eq - p;
		vl = end - eq - 1;
		if (kl >= sizeof(r->key[0]) || vl >= sizeof(r->val[0]))
			return -1;
		memcpy(r->key[r->n], p, kl);
		r->key[r->n][kl] = 0;
		memcpy(r->val[r->n], eq + 1, vl);
		r->val[r->n][vl] = 0;
		r->n++;
		p = end;
		while (*p == ' ')
			p++;
	}
	/* A line with more keys than fit is an error, not silently cut. */
	if (*p && *p != '\n')
		return -1;
	return r->n ? 0 : -1;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int count_lines(const char *s, size_t n)
{
	int c = 0;
	size_t i;

	for (i = 0; i < n; i++)
		c += s[i] == '\n';
	return c;
}

/* Reads what is available from both pipes, waiting up to ms. */
static void pump(struct vm_reader *rd, int ms)
{
	struct pollfd p[2] = {
		{ .fd = rd->out_fd, .events = POLLIN },
		{ .fd = rd->err_fd, .events = POLLIN },
	};
	ssize_t n;

	if (poll(p, 2, ms) <= 0)
		return;
	if (p[0].revents && rd->out_len < sizeof(rd->out) - 1) {
		n = read(rd->out_fd, rd->out + rd->out_len,
			 sizeof(rd->out) - 1 - rd->out_len);
		if (n > 0)
			rd->out_len += n;
	}
	if (p[1].revents && rd->err_len < sizeof(rd->err) - 1) {
		n = read(rd->err_fd, rd->err + rd->err_len,
			 sizeof(rd->err) - 1 - rd->err_len);
		if (n > 0)
			rd->err_len += n;
	}
	rd->out[rd->out_len] = 0;
	rd->err[rd->err_len] = 0;
}

int vm_reader_start(struct vm_reader *rd, const char *const *args)
{
	const char *argv[32] = { "build/icmptrace" };
	int out[2], err[2], i;
	long long deadline;

	memset(rd, 0, sizeof(*rd));
	for (i = 0; args && args[i] && i < 30; i++)
		argv[i + 1] = args[i];
	if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC))
		return -1;
	rd->pid = fork();
	if (rd->pid < 0)
		return -1;
	if (rd->pid == 0) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		execv(argv[0], (char **)argv);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	rd->out_fd = out[0];
	rd->err_fd = err[0];
	deadline = now_ms() + vm_scaled_ms(20000);
	while (now_ms() < deadline) {
		pump(rd, 100);
		if (strstr(rd->err, "listening on"))
			return 0;
		if (waitpid(rd->pid, &rd->status, WNOHANG) == rd->pid) {
			pump(rd, 0);
			rd->pid = 0;
			return -1;
		}
	}
	return -1;
}

int vm_reader_collect(struct vm_reader *rd, int want, int timeout_ms)
{
	long long deadline = now_ms() + vm_scaled_ms(timeout_ms);

	while (count_lines(rd->out, rd->out_len) < want && now_ms() < deadline)
		pump(rd, 50);
	return count_lines(rd->out, rd->out_len);
}

int vm_reader_stop(struct vm_reader *rd)
{
	long long deadline = now_ms() + vm_scaled_ms(10000);

	if (rd->pid > 0) {
		kill(rd->pid, SIGINT);
		while (now_ms() < deadline) {
			pump(rd, 50);
			if (waitpid(rd->pid, &rd->status, WNOHANG) == rd->pid)
				break;
		}
		if (now_ms() >= deadline) {
			kill(rd->pid, SIGKILL);
			waitpid(rd->pid, &rd->status, 0);
		}
		rd->pid = 0;
	}
	/* Drain what is left in the pipes. */
	for (int i = 0; i < 20; i++)
		pump(rd, 10);
	close(rd->out_fd);
	close(rd->err_fd);
	return WIFEXITED(rd->status) ? WEXITSTATUS(rd->status) : 128 + WTERMSIG(rd->status);
}

int vm_reader_records(const struct vm_reader *rd, struct vm_rec *recs, int max)
{
	const char *p = rd->out;
	int n = 0;

	while (*p && n < max) {
		const char *nl = strchr(p, '\n');
		char line[4096];
		size_t l;

		if (!nl)
			break;
		l = nl - p;
		if (l < sizeof(line)) {
			memcpy(line, p, l);
			line[l] = 0;
			if (!vm_rec_parse(&recs[n], line))
				n++;
		}
		p = nl + 1;
	}
	return n;
}

uint16_t vm_csum(const void *data, size_t len)
{
	const uint8_t *b = data;
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The IPv4 ICMP packets of a capture, as echo_test compares them. */
int vm_pcap_read(const char *path, struct vm_cap *caps, int max)
{
	struct vm_pkt *pkts = calloc(max, sizeof(*pkts));
	int i, n = 0, got;

	if (!pkts)
		return -1;
	got = vm_pcap_read_pkts(path, pkts, max);
	for (i = 0; i < got; i++) {
		const struct vm_pkt *p = &pkts[i];
		const uint8_t *h = p->ip + p->l4_off;

		if (p->family != 4 || p->proto != 1 || p->l4_off + 8 > p->caplen)
			continue;
		snprintf(caps[n].src, sizeof(caps[n].src), "%s", p->src);
		snprintf(caps[n].dst, sizeof(caps[n].dst), "%s", p->dst);
		caps[n].type = h[0];
		caps[n].code = h[1];
		caps[n].csum = h[2] << 8 | h[3];
		caps[n].id = h[4] << 8 | h[5];
		caps[n].seq = h[6] << 8 | h[7];
		n++;
	}
	free(pkts);
	return got < 0 ? got : n;
}

/* IPv6: skip hop-by-hop, destination and fragment headers to the payload. */
static void pkt_v6_walk(struct vm_pkt *p)
{
	const uint8_t *ip = p->ip;
	unsigned int nh = ip[6], off = 40;

	while ((nh == 0 || nh == 60 || nh == 44) && off + 8 <= p->caplen) {
		if (nh == 44) {
			p->frag_off = (ip[off + 2] << 8 | ip[off + 3]) & 0xfff8;
			p->more_frags = ip[off + 3] & 1;
			p->ip_id = (uint32_t)ip[off + 4] << 24 | ip[off + 5] << 16 |
				   ip[off + 6] << 8 | ip[off + 7];
			nh = ip[off];
			off += 8;
			continue;
		}
		nh = ip[off];
		off += (ip[off + 1] + 1) * 8;
	}
	p->proto = nh;
	p->l4_off = off;
}

int vm_pcap_read_pkts(const char *path, struct vm_pkt *pkts, int max)
{
	static uint8_t buf[65536 + 16];
	FILE *f = fopen(path, "rb");
	int n = 0;

	if (!f)
		return -1;
	if (fread(buf, 1, 24, f) != 24) {
		fclose(f);
		return -1;
	}
	while (n < max && fread(buf, 1, 16, f) == 16) {
		struct vm_pkt *p = &pkts[n];
		uint32_t incl;
		int et;

		memcpy(&incl, buf + 8, 4);
		if (incl > 65536 || fread(buf, 1, incl, f) != incl)
			break;
		if (incl < 14 + 20)
			continue;
		et = buf[12] << 8 | buf[13];
		if (et != 0x0800 && et != 0x86dd)
			continue;
		memset(p, 0, sizeof(*p));
		p->caplen = incl - 14 < sizeof(p->ip) ? incl - 14 : sizeof(p->ip);
		memcpy(p->ip, buf + 14, p->caplen);
		if (et == 0x0800) {
			p->family = 4;
			inet_ntop(AF_INET, p->ip + 12, p->src, sizeof(p->src));
			inet_ntop(AF_INET, p->ip + 16, p->dst, sizeof(p->dst));
			p->ttl = p->ip[8];
			p->ip_len = p->ip[2] << 8 | p->ip[3];
			p->ip_id = p->ip[4] << 8 | p->ip[5];
			p->frag_off = ((p->ip[6] << 8 | p->ip[7]) & 0x1fff) * 8;
			p->more_frags = !!(p->ip[6] & 0x20);
			p->proto = p->ip[9];
			p->l4_off = (p->ip[0] & 15) * 4;
		} else {
			if (p->caplen < 40)
				continue;
			p->family = 6;
			inet_ntop(AF_INET6, p->ip + 8, p->src, sizeof(p->src));
			inet_ntop(AF_INET6, p->ip + 24, p->dst, sizeof(p->dst));
			p->ttl = p->ip[7];
			p->ip_len = 40 + (p->ip[4] << 8 | p->ip[5]);
			pkt_v6_walk(p);
		}
		n++;
	}
	fclose(f);
	return n;
}

int vm_kv_get(const char *line, const char *key, char *val, size_t n)
{
	size_t kl = strlen(key);
	const char *p = line;

	while (*p && *p != '\n') {
		const char *end = p + strcspn(p, " \n");

		if ((size_t)(end - p) > kl && !strncmp(p, key, kl) && p[kl] == '=') {
			size_t vl = end - p - kl - 1;

			if (vl >= n)
				return -1;
			memcpy(val, p + kl + 1, vl);
			val[vl] = 0;
			return 0;
		}
		p = end;
		while (*p == ' ')
			p++;
	}
	return -1;
}

/* ---- Hand-built packets to loopback ---- */

size_t vm_ip4_hdr_lo(uint8_t *p, int version, int proto, size_t payload)
{
	const uint32_t lo = htonl(INADDR_LOOPBACK);
	size_t total = 20 + payload;

	memset(p, 0, 20);
	p[0] = version << 4 | 5;
	p[2] = total >> 8;
	p[3] = total & 0xff;
	p[8] = 64;
	p[9] = proto;
	memcpy(p + 12, &lo, 4);
	memcpy(p + 16, &lo, 4);
	return 20;
}

size_t vm_ip6_hdr_lo(uint8_t *p, int nh, size_t payload)
{
	memset(p, 0, 40);
	p[0] = 0x60;
	p[4] = payload >> 8;
	p[5] = payload & 0xff;
	p[6] = nh;
	p[7] = 64;
	p[23] = 1;	/* ::1 */
	p[39] = 1;
	return 40;
}

size_t vm_echo_build(uint8_t *p, int type, uint16_t id, uint16_t seq, size_t len,
		     const uint8_t *ip6)
{
	size_t n = 8 + len;
	uint8_t *ph;
	uint16_t c;

	memset(p, 0, 8);
	p[0] = type;
	p[4] = id >> 8;
	p[5] = id & 0xff;
	p[6] = seq >> 8;
	p[7] = seq & 0xff;
	if (!ip6) {
		c = vm_csum(p, n);
	} else {
		/* Pseudo-header: src, dst, upper-layer length, next header 58. */
		ph = calloc(1, 40 + n);
		if (!ph)
			return 0;
		memcpy(ph, ip6 + 8, 32);
		ph[34] = n >> 8;
		ph[35] = n & 0xff;
		ph[39] = 58;
		memcpy(ph + 40, p, n);
		c = vm_csum(ph, 40 + n);
		free(ph);
	}
	p[2] = c >> 8;		/* vm_csum() is in host order */
	p[3] = c & 0xff;
	return n;
}

ssize_t vm_send_lo(int fd, int family, const void *buf, size_t len)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };

	if (family == 6)
		return sendto(fd, buf, len, 0, (struct sockaddr *)&sin6, sizeof(sin6));
	return sendto(fd, buf, len, 0, (struct sockaddr *)&sin, sizeof(sin));
}
