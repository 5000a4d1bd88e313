/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the in-VM tests: network namespaces joined by veth, the
 * reader run as a child with its kv output parsed, hand-built ICMP, and
 * pcap files written by tcpdump read back.
 */
#ifndef ICMPT_VMLIB_H
#define ICMPT_VMLIB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* 198.18.0.0/15 is set aside for benchmarks and tests (RFC 2544). */
#define VM_ADDR_A "198.18.0.1"
#define VM_ADDR_B "198.18.0.2"
#define VM_NS_A "icmpt-a"
#define VM_NS_B "icmpt-b"

/*
 * IT_TIMEOUT_SCALE=N in the environment (default 1; scripts/check-debug sets
 * it for the KASAN/lockdep kernel under TCG, where one namespace pair takes a
 * minute to set up) multiplies the harness's per-test timeout and the waits
 * of these helpers.  vm_timeout_scale() is N, vm_scaled_ms(ms) is ms * N.
 */
int vm_timeout_scale(void);
int vm_scaled_ms(int ms);

/* Run a shell command; returns its exit status, -1 if it did not exit. */
int vm_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * A fresh named netns with lo up and unprivileged ping allowed; quiet_v6:
 * no DAD and no router solicitations on links made in it later.  0 or -1.
 */
int vm_netns_add(const char *ns, int quiet_v6);
/*
 * A veth pair between two namespaces: if_a in ns_a, if_b in ns_b, each
 * with its IPv4 address (CIDR) and, unless NULL, IPv6 address (CIDR, no
 * DAD), both links up.  0 or -1.
 */
int vm_veth_pair(const char *ns_a, const char *if_a, const char *addr4_a, const char *addr6_a,
		 const char *ns_b, const char *if_b, const char *addr4_b, const char *addr6_b);
/* Two namespaces icmpt-a and icmpt-b joined by a veth pair, addressed. */
int vm_netns_pair_up(void);
void vm_netns_pair_down(void);
/* Inode number of a named netns (what records carry in pkt_netns). */
unsigned long vm_netns_inode(const char *name);
/* Move the calling process into a named netns. */
int vm_netns_enter(const char *name);
/*
 * A counter of /proc/net/snmp (group "Icmp", name "InEchos") in the named
 * netns, or the caller's (ns NULL); -1 if there is none.
 */
long vm_snmp(const char *ns, const char *group, const char *name);

/* One record of the reader's kv output. */
#define VM_KV_MAX 80
struct vm_rec {
	int n;
	char key[VM_KV_MAX][24];
	char val[VM_KV_MAX][72];
};
const char *vm_rec_get(const struct vm_rec *r, const char *key);
long long vm_rec_num(const struct vm_rec *r, const char *key);
int vm_rec_parse(struct vm_rec *r, const char *line);

/* The reader (build/icmptrace) as a child process. */
struct vm_reader {
	pid_t pid;
	int out_fd;		/* its stdout */
	int err_fd;		/* its stderr */
	char out[1 << 20];
	size_t out_len;
	char err[16384];
	size_t err_len;
	int status;		/* exit status after vm_reader_stop() */
};
/* Starts the reader with extra args; returns once it says it listens. */
int vm_reader_start(struct vm_reader *rd, const char *const *args);
/* Collects stdout until it holds want lines or timeout_ms (scaled) passed. */
int vm_reader_collect(struct vm_reader *rd, int want, int timeout_ms);
/* SIGINT, then waits; collects all output. Returns the exit status. */
int vm_reader_stop(struct vm_reader *rd);
/* Splits collected kv lines into recs; returns how many. */
int vm_reader_records(const struct vm_reader *rd, struct vm_rec *recs, int max);

/* RFC 1071 checksum. */
uint16_t vm_csum(const void *data, size_t len);

/* A captured packet, decoded from a tcpdump pcap file (Ethernet). */
struct vm_cap {
	char src[16], dst[16];
	int type, code, csum, id, seq;
};
int vm_pcap_read(const char *path, struct vm_cap *caps, int max);

/*
 * For decode_test: IPv4 and IPv6 datagrams of a pcap file (Ethernet), with
 * the IP-level facts a test compares and the bytes from the IP header on.
 */
struct vm_pkt {
	int family;			/* 4 or 6 */
	char src[48], dst[48];
	int ttl;			/* TTL or hop limit */
	unsigned int ip_len;		/* v4 total length, v6 40 + payload */
	unsigned int ip_id;		/* v4 id, v6 fragment id */
	unsigned int frag_off;		/* fragment offset, bytes */
	int more_frags;
	int proto;			/* after IPv6 fragment/hop-by-hop headers */
	unsigned int l4_off;		/* of the ICMP header in ip[] */
	unsigned int caplen;		/* bytes of ip[] present */
	uint8_t ip[1600];
};
int vm_pcap_read_pkts(const char *path, struct vm_pkt *pkts, int max);
/* The value of key in a kv line into val; 0 if found, -1 if not. */
int vm_kv_get(const char *line, const char *key, char *val, size_t n);

/* ---- Hand-built packets to loopback, for raw sockets ---- */

/*
 * An IPv4 header at p, 127.0.0.1 to itself, TTL 64, protocol proto, total
 * length 20 + payload; version: the version nibble (4, or another to see
 * a bad one).  Id and checksum 0: an IPPROTO_RAW socket fills them in.
 * Returns 20.
 */
size_t vm_ip4_hdr_lo(uint8_t *p, int version, int proto, size_t payload);
/* An IPv6 header at p, ::1 to itself, hop limit 64, next header nh: 40. */
size_t vm_ip6_hdr_lo(uint8_t *p, int nh, size_t payload);
/*
 * The header of an echo message at p whose len data bytes are already at
 * p + 8: type, code 0, id, seq and the checksum; ICMPv6 if ip6 is the
 * IPv6 header it goes behind (the checksum covers its pseudo-header),
 * ICMP if NULL.  Returns 8 + len, 0 if out of memory.
 */
size_t vm_echo_build(uint8_t *p, int type, uint16_t id, uint16_t seq, size_t len,
		     const uint8_t *ip6);
/* sendto() of len bytes to 127.0.0.1 (family 4) or ::1 (6): what it returns. */
ssize_t vm_send_lo(int fd, int family, const void *buf, size_t len);

/*
 * This kselftest_harness.h runs a test's body after a SKIP in its fixture's
 * setup: the first line of such a body.
 */
#define VM_RETURN_IF_SKIPPED() do { if (_metadata->skip) return; } while (0)

#endif /* ICMPT_VMLIB_H */
