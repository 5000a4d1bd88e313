/* SPDX-License-Identifier: GPL-2.0 */
/*
 * decode_test's machinery: a three-namespace topology A - R - B, tcpdump
 * captures, and the check that every ICMP packet a capture saw on a traced
 * namespace is in the reader's kv output exactly once, field for field as
 * decoded here from the captured bytes (and nothing else in that window).
 */
#ifndef ICMPT_DECODE_CHECK_H
#define ICMPT_DECODE_CHECK_H

#include <sys/types.h>

/* A = 198.18.0.1, R = 198.18.0.254 | 198.18.1.254, B = 198.18.1.2. */
#define D_NS_A "icmpt-da"
#define D_NS_R "icmpt-dr"
#define D_NS_B "icmpt-db"
#define D_A4 "198.18.0.1"
#define D_R4A "198.18.0.254"
#define D_R4B "198.18.1.254"
#define D_B4 "198.18.1.2"
#define D_A6 "2001:db8::1"
#define D_R6A "2001:db8::fe"
#define D_R6B "2001:db8:1::fe"
#define D_B6 "2001:db8:1::2"
/* Interfaces: A da0 - dr0 R dr1 - db0 B. */

int topo_up(void);
void topo_down(void);
int if_index(const char *ns, const char *ifname);

/* tcpdump writing a pcap of one interface of one namespace. */
struct dcap {
	pid_t pid;
	char ns[16], ifname[16], path[64], log[64];
};
int dcap_start(struct dcap *c, const char *ns, const char *ifname);
void dcap_stop(struct dcap *c);

/* What a check saw, for the scenario's own assertions. */
struct dresult {
	int packets;		/* captured ICMP packets on a traced hook */
	int failures;		/* mismatches, each printed as "# ..." */
	int seen[2][256];	/* [family 6][type] of the matched ones */
	int frag_records;	/* records flagged fragment */
	int reassembled;	/* fragment trains matched as one record */
};

/* raw_frags_out: the namespace sent its own fragments (raw socket), so
 * LOCAL_OUT sees each one; else a train is one datagram at LOCAL_OUT. */
struct dcheck_opts {
	int raw_frags_out;
	unsigned long long t0_ns, t1_ns;	/* CLOCK_REALTIME window of the capture */
};

void dcheck(const char *reader_out, const struct dcap *c,
	    const struct dcheck_opts *o, struct dresult *res);

unsigned long long now_real_ns(void);

#endif /* ICMPT_DECODE_CHECK_H */
