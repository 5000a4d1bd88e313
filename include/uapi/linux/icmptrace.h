/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * icmptrace: the contract between the kernel module and its readers.
 *
 * Everything a reader needs to consume /dev/icmptrace is in this file:
 * the record layout, the mmap layout of the per-CPU rings, the ring
 * protocol (who writes which position, with which barriers) and the
 * ioctls.  Records only ever grow at their end; see "Compatibility".
 */
#ifndef _UAPI_LINUX_ICMPTRACE_H
#define _UAPI_LINUX_ICMPTRACE_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define ICMPT_ABI_VERSION	2
#define ICMPT_DEVICE_NAME	"icmptrace"	/* /dev/icmptrace */

/*
 * Ring protocol
 * =============
 *
 * There is one ring per possible CPU, and exactly one producer per ring:
 * the netfilter hook running on that CPU.  The producer holds the CPU's
 * ring for the few instructions a record takes with bottom halves
 * disabled (local_bh_disable()) and, where the kernel has
 * local_lock_nested_bh() (6.10+), the ring's per-CPU local lock.  On a
 * !PREEMPT_RT kernel that excludes both softirqs and preemption on the
 * CPU, so a LOCAL_OUT writer in task context cannot be interrupted by the
 * LOCAL_IN softirq of the same CPU half-way through a record.  On
 * PREEMPT_RT the local lock (before 6.10: the per-CPU softirq lock that
 * local_bh_disable() takes) with migration disabled serialises the
 * softirq thread and other tasks of that CPU the same way.  Netfilter
 * hooks never run in hard IRQ or NMI context, nor with interrupts off;
 * should a producer ever run there (it could interrupt the CPU's producer
 * half-way, or could not turn bottom halves back on), it writes nothing
 * and counts the packet in dropped_nested (and in seen).
 *
 * Positions are byte counts since the ring was created; they only grow
 * and are taken modulo data_size to find a byte in the data area.
 *
 *   producer_pos  written by the kernel only, in the read-only producer
 *                 page.
 *   consumer_pos  written by the reader only, in the consumer page (the
 *                 one page of the mapping a reader may write).
 *
 * Producer (kernel), per record:
 *   cons = smp_load_acquire(&consumer_pos);
 *   if the record does not fit in data_size - (prod - cons): dropped++;
 *   write the record at prod;
 *   smp_store_release(&producer_pos, prod + len);
 *   wake the reader if it sleeps and this record brings the ring's fill
 *   (prod + len - cons) to its wakeup threshold (see "Wakeups")
 *
 * Consumer (reader):
 *   prod = smp_load_acquire(&producer_pos)   (__atomic_load_n ACQUIRE)
 *   read records in [cons, prod)
 *   smp_store_release(&consumer_pos, prod)   (__atomic_store_n RELEASE)
 *
 * Bytes from producer_pos on are not records: the kernel writes a record
 * there before it knows whether it will keep it (a packet filtered out, or
 * not ICMP after all, is never published), so they may change or hold a
 * record that never comes.
 *
 * The kernel never trusts consumer_pos: a value ahead of producer_pos or
 * more than data_size behind it makes the ring count as full (records
 * are dropped and counted in dropped_bad_consumer), and every write is
 * masked into the data area, so a hostile reader can lose its own
 * records but cannot make the kernel write outside the buffer or spin.
 *
 * The data area is mapped twice, back to back, so a record that starts
 * near the end of the area is contiguous in the reader's view: a reader
 * never handles wrap-around inside a record.
 *
 * Wakeups: poll()/select()/epoll on the device fd report EPOLLIN when any
 * ring holds at least its threshold of unread bytes, and the producer
 * wakes the waiting reader only for the record that brings a ring to its
 * threshold, never once per record under load.  A reader therefore drains
 * every ring before it sleeps again.  The threshold is wakeup_bytes in the
 * ring's consumer page, which the reader may write at any time (relaxed
 * store, before it polls), made at least 1 (the first record in a ring the
 * reader emptied: the default, 0) and at most data_size / 2.  Every open of
 * the device sets it back to 0.  A reader that sets it must poll with a
 * timeout, since a ring may hold records below its threshold: it trades
 * wakeups for latency (icmptrace: 0 when its last pass found nothing, so
 * the first record after a quiet spell wakes it at once; during a burst a
 * quarter of the ring, with a timeout that bounds the delay).  Modules
 * older than this field wake the reader on the first record, as at 0.
 *
 * Edge-triggered epoll (EPOLLET) gets an edge only from such a wakeup, so
 * a record that lands in a ring already at or past its threshold brings
 * no new edge.  Before it calls epoll_wait() again, an edge-triggered reader
 * must see every ring empty after its last consumer_pos store: store
 * consumer_pos (release), then a full barrier (__atomic_thread_fence
 * SEQ_CST, pairing with the producer's smp_mb()), then load producer_pos
 * (acquire) of every ring once more, and drain again any ring where it
 * moved.  Level-triggered poll()/epoll need none of this: the kernel
 * re-checks every ring in poll.
 */

/*
 * mmap layout
 * ===========
 *
 * Ring i (0 <= i < icmpt_info.nr_rings) starts at file offset
 * i * icmpt_info.ring_stride and holds, in pages of icmpt_info.page_size:
 *
 *   offset 0                  consumer page   struct icmpt_consumer_page, RW
 *   offset page_size          producer page   struct icmpt_producer_page, RO
 *   offset 2*page_size        data area, data_size bytes, RO
 *   offset 2*page_size+data_size   the same data pages again, RO
 *
 *   ring_stride = 2 * page_size + 2 * data_size
 *
 * Rules (anything else fails with the errno given):
 *   - MAP_SHARED only (EINVAL); the mapping lies within one ring (EINVAL);
 *   - PROT_WRITE only for a mapping of exactly the consumer page (EPERM);
 *     mprotect() cannot add write or exec to the other pages later;
 *   - PROT_EXEC never (EPERM).
 * A reader typically maps the consumer page RW, and the producer page with
 * both copies of the data area RO in one mapping at offset page_size.
 */

#define ICMPT_REC_ALIGN		8	/* every record length is a multiple */

struct icmpt_consumer_page {
	__u64 consumer_pos;
	__u64 wakeup_bytes;	/* appended: see "Wakeups" (0 before, and at open) */
};

struct icmpt_producer_page {
	__u64 producer_pos;
	__u64 data_size;		/* bytes, a power of two */
	__u64 records;			/* records written into this ring */
	__u64 dropped;			/* records lost: ring full */
	__u64 dropped_bad_consumer;	/* records lost: consumer_pos invalid */
	__u64 dropped_nested;		/* records lost: nested producer */
	__u32 cpu;
	__u32 reserved;
};

/*
 * Records
 * =======
 *
 * Every record starts with struct icmpt_rec_hdr.  len counts the whole
 * record including the header and is a multiple of ICMPT_REC_ALIGN.  A
 * reader skips record types it does not know, by len.
 *
 * Compatibility: fields are only ever appended at the end of a record.
 * A reader copies min(len, sizeof(its struct)) bytes into a zeroed struct,
 * so an old reader ignores new fields and a new reader sees zeros for
 * fields an old module does not fill.  All padding is explicit and zero.
 * Records are variable-length: len may exceed the module's struct (and
 * every reader's) by the packet bytes below, so a reader always steps by
 * len, never by a size of its own; a reader of ABI 1 copies min(len,
 * sizeof) as before and ignores the tail.
 *
 * Packet bytes (ABI 2).  A packet record may carry the packet as the hook
 * saw it, from the IP header on: cap_len bytes at offset cap_off from the
 * record's start, [cap_off, cap_off + cap_len), and
 * len = round_up(cap_off + cap_len, ICMPT_REC_ALIGN) with the pad bytes
 * zero.  cap_off is the module's sizeof(struct icmpt_event), so a newer
 * module that appends fields moves it: readers use cap_off, never their
 * own sizeof.  cap_len = min(snap length, bytes of the datagram in the
 * skb); the datagram's length on the wire is pkt.ip_len, so
 * cap_len < pkt.ip_len means the packet was cut at the snap length.  A
 * reader treats a record as carrying no bytes, and counts it malformed,
 * unless cap_off >= offsetof(struct icmpt_event, cap_len) + 8 and
 * cap_off + cap_len <= len (when cap_len is 0, cap_off is 0 too).
 *
 * What is copied: the skb's bytes at the hook (skb_copy_bits(), so paged
 * and frag_list skbs are copied whole).  LOCAL_OUT sees the datagram
 * before fragmentation (a 64 KB echo is one record) and before
 * POST_ROUTING; IPv4 LOCAL_IN sees it reassembled; IPv6 LOCAL_IN sees
 * each fragment (one record each) unless conntrack's defragmentation
 * reassembled them before.  A transport checksum left to offload
 * (CHECKSUM_PARTIAL) is copied as it lies, unfinished; ICMP that the
 * kernel or a ping/raw socket sends carries its checksum computed, and
 * the IPv4 header checksum is set before LOCAL_OUT.
 *
 * The snap length is the session's (ICMPT_A_SNAPLEN, see the generic
 * netlink section), else the module parameter snaplen, whose default
 * ICMPT_SNAPLEN_DEFAULT holds every byte the parser decodes (outer header
 * with options or extension headers, ICMP header, and the quoted datagram
 * of an error up to its ports or echo id).  Copying costs the reader ring
 * space and the hook a copy only for records that pass the filter.  A
 * record that does not fit in the ring's free space (or is larger than
 * the whole ring) is dropped and counted like any other.
 */
#define ICMPT_SNAPLEN_DEFAULT	256		/* the parser's snapshot */
#define ICMPT_SNAPLEN_MAX	262144		/* larger than any IP datagram */

enum icmpt_rec_type {
	ICMPT_REC_PACKET = 1,		/* struct icmpt_event */
};

struct icmpt_rec_hdr {
	__u32 len;
	__u16 type;			/* enum icmpt_rec_type */
	__u16 reserved;
};

enum icmpt_direction {
	ICMPT_DIR_IN = 1,		/* NF_INET_LOCAL_IN: delivered to this host */
	ICMPT_DIR_OUT = 2,		/* NF_INET_LOCAL_OUT: sent by this host */
};

/* How the task fields of a record were obtained, if at all. */
enum icmpt_owner {
	ICMPT_OWNER_NONE = 0,	/* unknown: no task fields are filled */
	ICMPT_OWNER_SENDER = 1,	/* task context, the task sending the packet */
	ICMPT_OWNER_KERNEL = 2,	/* the kernel built the packet (softirq, kthread) */
	/* the task that sent the echo request this reply (or an error quoting it) answers */
	ICMPT_OWNER_MATCHED = 3,
	/* the task that last sent from the local port of the UDP/TCP datagram an error quotes */
	ICMPT_OWNER_SOCKET = 4,
};

/* Execution context of the hook when it saw the packet. */
enum icmpt_ctx {
	ICMPT_CTX_TASK = 1,
	ICMPT_CTX_SOFTIRQ = 2,
	ICMPT_CTX_OTHER = 3,
};

/* icmpt_packet.flags */
#define ICMPT_PKT_TRUNCATED	(1U << 0)  /* bytes ended inside a header */
#define ICMPT_PKT_FRAGMENT	(1U << 1)  /* non-first fragment: no ICMP header */
#define ICMPT_PKT_BAD_IP	(1U << 2)  /* IP header malformed */
#define ICMPT_PKT_HAS_ECHO	(1U << 3)  /* id and seq are valid */
#define ICMPT_PKT_CSUM_OK	(1U << 4)  /* whole message present, checksum right */
#define ICMPT_PKT_CSUM_BAD	(1U << 5)  /* whole message present, checksum wrong */
#define ICMPT_PKT_HAS_INNER	(1U << 6)  /* error message: detail.inner is filled */
#define ICMPT_PKT_IP_OPTS	(1U << 7)  /* IPv4 header with options (ihl > 5) */
#define ICMPT_PKT_EXT_HDRS	(1U << 8)  /* IPv6 extension headers were walked */
#define ICMPT_PKT_MORE_FRAGS	(1U << 9)  /* first fragment: the message goes on */
/*
 * IPv6 whose extension headers end past the packet's last byte: no ICMPv6
 * header was found, yet the packet may be ICMPv6, so it is recorded
 * (type, code and icmp_len 0; no type filter matches it).
 */
#define ICMPT_PKT_EXT_BROKEN	(1U << 10)

/* The packet as parsed by icmpt_parse(): addresses and the ICMP header. */
struct icmpt_packet {
	__u8 family;		/* 4 or 6 */
	__u8 ttl;		/* TTL or hop limit */
	__u8 proto;		/* IPPROTO_ICMP or IPPROTO_ICMPV6 */
	__u8 type;		/* ICMP type */
	__u8 code;		/* ICMP code */
	__u8 reserved0;
	__u16 checksum;		/* as on the wire, host byte order */
	__u32 rest;		/* rest of header: bytes 4..7, big-endian value */
	__u16 id;		/* echo identifier (ICMPT_PKT_HAS_ECHO) */
	__u16 seq;		/* echo sequence (ICMPT_PKT_HAS_ECHO) */
	__u32 flags;		/* ICMPT_PKT_* */
	__u32 ip_len;		/* IP datagram length, header included */
	__u32 icmp_len;		/* ICMP message length (header + data) */
	__u8 saddr[16];		/* IPv4 in the first 4 bytes */
	__u8 daddr[16];
	__u32 reserved1;
};

/* The task that owns the packet, when owner != ICMPT_OWNER_NONE. */
struct icmpt_task {
	__u32 pid;		/* host tgid */
	__u32 tid;		/* host pid of the thread */
	__u32 ppid;		/* host tgid of the parent */
	__u32 ns_pid;		/* tgid in the task's own PID namespace */
	__u32 ns_tid;
	__u32 ns_ppid;
	__u32 uid;		/* in the initial user namespace */
	__u32 gid;
	__u64 start_time_ns;	/* thread start, CLOCK_BOOTTIME */
	__u64 cgroup_id;	/* cgroup v2 id, 0 if unknown */
	__u32 mnt_ns;		/* namespace inode numbers, 0 if unknown */
	__u32 pid_ns;
	__u32 net_ns;
	__u32 uts_ns;
	__s32 syscall_nr;	/* syscall in progress, -1 if none */
	__u32 reserved;
	char comm[16];
};

/*
 * Detail decoded from the ICMP message body (struct icmpt_detail)
 * ================================================================
 *
 * kind says which member of the union u is filled; it is set only when
 * every byte of that member's fixed part was present, so a reader never
 * sees a half-decoded member.  Messages that carry nothing beyond type and
 * code (v4 router solicitation, unknown types) keep ICMPT_DET_NONE.  Multi-
 * byte fields are in host byte order; addresses are bytes as on the wire.
 * u is 48 bytes for good: struct icmpt_inner follows it.
 */
enum icmpt_detail_kind {
	ICMPT_DET_NONE = 0,
	ICMPT_DET_ECHO = 1,		/* u.echo: v4 0/8/15/16, v6 128/129 */
	ICMPT_DET_ERROR = 2,		/* u.error: v4 3/4/5/11/12, v6 1-4 */
	ICMPT_DET_TSTAMP = 3,		/* u.tstamp: v4 13/14 */
	ICMPT_DET_MASK = 4,		/* u.mask: v4 17/18 */
	ICMPT_DET_RTADV4 = 5,		/* u.rtadv4: v4 9 */
	ICMPT_DET_EXT_ECHO = 6,		/* u.ext_echo: v4 42/43, v6 160/161 */
	ICMPT_DET_NDP_RS = 7,		/* u.rs: v6 133 */
	ICMPT_DET_NDP_RA = 8,		/* u.ra: v6 134 */
	ICMPT_DET_NDP_NEIGH = 9,	/* u.neigh: v6 135/136 */
	ICMPT_DET_NDP_REDIRECT = 10,	/* u.redirect: v6 137 */
	ICMPT_DET_MLD = 11,		/* u.mld: v6 130/131/132 */
	ICMPT_DET_MLD2_REPORT = 12,	/* u.mld2_report: v6 143 */
};

struct icmpt_det_echo {			/* also information request/reply */
	__u16 id;
	__u16 seq;
	__u32 reserved;
};

struct icmpt_det_error {
	__u32 mtu;		/* v4 3/4: next-hop MTU (RFC 1191); v6 2: MTU */
	__u32 pointer;		/* parameter problem: v4 byte 4, v6 32 bits */
	__u8 gateway[4];	/* v4 redirect */
	__u16 orig_len;		/* RFC 4884 original datagram length, bytes */
	__u16 reserved;
};

struct icmpt_det_tstamp {		/* ms since midnight UT, RFC 792 */
	__u16 id;
	__u16 seq;
	__u32 originate;
	__u32 receive;
	__u32 transmit;
};

struct icmpt_det_mask {
	__u16 id;
	__u16 seq;
	__u8 mask[4];
};

struct icmpt_det_rtadv4 {		/* RFC 1256 */
	__u8 num_addrs;
	__u8 addr_entry_size;	/* 32-bit words per entry */
	__u16 lifetime;		/* seconds */
	__u8 first_addr[4];	/* first entry, if first_valid */
	__s32 first_pref;	/* its preference level */
	__u8 first_valid;
	__u8 reserved[3];
};

struct icmpt_det_ext_echo {		/* RFC 8335 */
	__u16 id;
	__u8 seq;
	__u8 local;		/* request: L bit */
	__u8 state;		/* reply: State */
	__u8 active;		/* reply: A bit */
	__u8 ipv4;		/* reply: 4 bit */
	__u8 ipv6;		/* reply: 6 bit */
};

/* Neighbor discovery options: the first link-layer address and an MTU. */
#define ICMPT_NDP_OPTS_BAD	0x01	/* zero length or cut short: walk stopped */

struct icmpt_ndp_opts {
	__u8 lladdr[8];		/* first source/target link-layer address */
	__u8 lladdr_len;	/* bytes of it kept (6 for Ethernet), 0: none */
	__u8 lladdr_type;	/* 1 source, 2 target */
	__u8 nr_opts;		/* options walked */
	__u8 flags;		/* ICMPT_NDP_OPTS_* */
	__u32 mtu;		/* MTU option, 0 if none */
};

#define ICMPT_RA_MANAGED	0x80	/* icmpt_det_ra.flags: M */
#define ICMPT_RA_OTHER		0x40	/* O */

struct icmpt_det_ra {
	__u8 cur_hop_limit;
	__u8 flags;		/* byte 5 as is: ICMPT_RA_*, H, Prf, P */
	__u16 router_lifetime;	/* seconds */
	__u32 reachable;	/* ms */
	__u32 retrans;		/* ms */
	__u32 reserved;
	struct icmpt_ndp_opts opts;
};

#define ICMPT_NA_ROUTER		0x80	/* icmpt_det_neigh.flags: R */
#define ICMPT_NA_SOLICITED	0x40	/* S */
#define ICMPT_NA_OVERRIDE	0x20	/* O */

struct icmpt_det_neigh {		/* neighbor solicitation/advertisement */
	__u8 target[16];
	__u8 flags;		/* NA: byte 4 as is, ICMPT_NA_*; NS: 0 */
	__u8 reserved[7];
	struct icmpt_ndp_opts opts;
};

struct icmpt_det_redirect {
	__u8 target[16];
	__u8 dest[16];
	struct icmpt_ndp_opts opts;
};

struct icmpt_det_mld {			/* RFC 2710, and the RFC 3810 query */
	__u8 mcast[16];
	__u16 max_resp_code;	/* as on the wire */
	__u8 version;		/* 2 for an MLDv2 query (28 bytes or more) */
	__u8 qrv;		/* v2 query: S flag 0x08, QRV 0x07 */
	__u32 max_resp_ms;	/* max_resp_code decoded (v2 uses a float) */
	__u8 qqic;		/* v2 query */
	__u8 reserved0;
	__u16 nr_sources;	/* v2 query */
	__u32 reserved1;
};

struct icmpt_det_mld2_report {		/* RFC 3810 */
	__u16 nr_records;
	__u8 first_valid;	/* the first record is decoded */
	__u8 first_type;	/* record type, 1-6 */
	__u8 first_aux_len;
	__u8 reserved;
	__u16 first_nr_sources;
	__u8 first_mcast[16];
};

/* The original datagram embedded in an error message (RFC 792, 4443). */
#define ICMPT_INNER_IP		(1U << 0)  /* version..daddr: IP header present */
#define ICMPT_INNER_PORTS	(1U << 1)  /* sport, dport (TCP, UDP, SCTP...) */
#define ICMPT_INNER_ICMP	(1U << 2)  /* icmp_type, icmp_code */
#define ICMPT_INNER_ECHO	(1U << 3)  /* id, seq of an inner echo */
#define ICMPT_INNER_TRUNCATED	(1U << 4)  /* bytes ended inside a header */
#define ICMPT_INNER_FRAGMENT	(1U << 5)  /* non-first fragment: no ports */
#define ICMPT_INNER_BAD_IP	(1U << 6)  /* version not the message's family's, ihl < 5 */
#define ICMPT_INNER_IP_OPTS	(1U << 7)  /* IPv4 options */
#define ICMPT_INNER_EXT_HDRS	(1U << 8)  /* IPv6 extension headers walked */

struct icmpt_inner {
	__u16 flags;		/* ICMPT_INNER_* */
	__u8 version;		/* version nibble, 4 or 6 when ICMPT_INNER_IP */
	__u8 proto;		/* transport, after IPv6 extension headers */
	__u8 ttl;		/* TTL or hop limit */
	__u8 icmp_type;
	__u8 icmp_code;
	__u8 reserved;
	__u16 sport;
	__u16 dport;
	__u16 id;
	__u16 seq;
	__u32 ip_len;		/* length its IP header claims */
	__u32 ip_id;		/* v4 identification, v6 fragment id */
	__u8 saddr[16];
	__u8 daddr[16];
};

struct icmpt_detail {
	__u16 kind;		/* enum icmpt_detail_kind */
	__u16 icmp_off;		/* ICMP header offset in the datagram */
	__u32 caplen;		/* datagram bytes the parser saw */
	union {
		__u8 raw[48];	/* first: an initializer clears it all */
		struct icmpt_det_echo echo;
		struct icmpt_det_error error;
		struct icmpt_det_tstamp tstamp;
		struct icmpt_det_mask mask;
		struct icmpt_det_rtadv4 rtadv4;
		struct icmpt_det_ext_echo ext_echo;
		struct icmpt_ndp_opts rs;
		struct icmpt_det_ra ra;
		struct icmpt_det_neigh neigh;
		struct icmpt_det_redirect redirect;
		struct icmpt_det_mld mld;
		struct icmpt_det_mld2_report mld2_report;
	} u;
	struct icmpt_inner inner;	/* ICMPT_PKT_HAS_INNER */
};

struct icmpt_event {
	struct icmpt_rec_hdr hdr;
	__u64 ts_real_ns;	/* CLOCK_REALTIME, nanoseconds */
	__u64 ts_boot_ns;	/* CLOCK_BOOTTIME: orders records across CPUs */
	__u32 cpu;
	__u8 direction;		/* enum icmpt_direction */
	__u8 owner;		/* enum icmpt_owner */
	__u8 ctx;		/* enum icmpt_ctx */
	__u8 reserved0;
	__u32 ifindex;		/* in/out device, 0 if not known yet */
	__u32 pkt_netns;	/* inode number of the packet's network namespace */
	struct icmpt_packet pkt;
	struct icmpt_task task;
	struct icmpt_detail detail;	/* appended in ABI 1: zero from older modules */
	/* appended in ABI 2 */
	__u32 cap_len;		/* packet bytes in this record, from the IP header on */
	__u16 cap_off;		/* their offset from the record's start; 0 when cap_len is 0 */
	__u16 reserved1;
};

/* ioctls on /dev/icmptrace */
struct icmpt_info {
	__u32 abi_version;	/* ICMPT_ABI_VERSION */
	__u32 nr_rings;		/* rings 0..nr_rings-1, one per possible CPU id */
	__u32 page_size;
	__u32 event_size;	/* sizeof(struct icmpt_event) of the module */
	__u64 data_size;	/* bytes of one ring's data area */
	__u64 ring_stride;	/* file offset between rings */
};

#define ICMPT_IOC_MAGIC		0xB7
#define ICMPT_IOC_INFO		_IOR(ICMPT_IOC_MAGIC, 1, struct icmpt_info)

/*
 * Generic netlink control: family ICMPT_GENL_NAME
 * ================================================
 *
 * Configuration, statistics and in-kernel filters.  Every command checks
 * its attributes strictly: an attribute the command does not take, one of
 * the wrong length, a string without its NUL, trailing bytes, or a
 * non-zero reserved byte in the genl header fail with EINVAL (or ERANGE for
 * a value out of range) and an extack message.  Unknown commands fail with
 * EOPNOTSUPP.  The family exists only in the initial network namespace.
 *
 * Permissions.  GET_CONFIG and GET_STATS are open to every user of the
 * initial network namespace (the family's only one), for monitoring: sizes,
 * and counts of ICMP packets summed over every namespace, per CPU.  That is
 * more than /proc/net/snmp shows (its namespace's own), but never which
 * packets or whose.
 * Everything else, GET_FILTER included (it names the processes an admin
 * watches), needs CAP_NET_ADMIN in the initial user namespace
 * (GENL_ADMIN_PERM), as opening /dev/icmptrace does: the configuration and
 * the filter apply to the whole host, every namespace, so root in a user
 * namespace (GENL_UNS_ADMIN_PERM) must not change them.  Otherwise EPERM.
 *
 * Readers and sessions.  There is one stream: one set of per-CPU rings
 * with one consumer position each, so one reader maps /dev/icmptrace at a
 * time (EBUSY for the next).  There is one filter, and it belongs to the
 * netlink socket that set it (its session): SET_FILTER from another socket
 * fails with EBUSY while the owner's socket is open; the filter goes away
 * with CLEAR_FILTER from its owner or when the owner's socket is closed,
 * for whatever reason, including kill -9 (NETLINK_URELEASE).  The reader
 * opens the device first, then sets its filter; so two readers starting
 * and stopping in any order never see each other's filter: the second one
 * fails with EBUSY before it touches the filter, and everything the first
 * held is released when its file descriptors close.  Control tools (stats,
 * status) may run any number at a time.  Per-reader rings would cost a copy
 * of every record per reader on the packet path and memory per reader;
 * the attribute set leaves room for them.
 *
 * Filters.  A filter is a set of conditions of several kinds.  A packet is
 * recorded when it satisfies every kind present (AND), and a kind is
 * satisfied by any one of its values (OR).  An absent kind matches all;
 * an empty SET_FILTER matches everything (and claims the session).
 *   ICMPT_A_F_FAMILY   mask of ICMPT_F_V4/ICMPT_F_V6
 *   ICMPT_A_F_DIR      mask of ICMPT_F_IN/ICMPT_F_OUT
 *   ICMPT_A_F_ICMP     (family, type, code or any); several entries with
 *                      one (family, type) add codes.  A non-first fragment
 *                      (no ICMP header) never matches.
 *   ICMPT_A_F_NETNS    inode of the packet's network namespace (pkt_netns)
 *   ICMPT_A_F_PID      host tgid or tid of the owner (task.pid/task.tid)
 *   ICMPT_A_F_COMM     owner's comm, exact
 *   ICMPT_A_F_UID      owner's uid in the initial user namespace
 *   ICMPT_A_F_CGROUP   owner's cgroup v2 id (the inode of its directory)
 *   ICMPT_A_F_TREE     host tgid of a live process, at most once: the owner
 *                      (task.pid) is it or a process it started after the
 *                      filter was set, at any depth (double forks, setsid
 *                      included); children it had before are not.  Kept
 *                      by the kernel (fork/exit tracepoints), keyed by tgid
 *                      and start time; no cgroup needed.  The module's
 *                      tree_slots parameter bounds the processes alive at
 *                      once; forks past it are not followed and are counted
 *                      in ICMPT_A_F_TREE_UNTRACKED (GET_FILTER).  ESRCH: no
 *                      such process; EOPNOTSUPP: no sched tracepoints.
 * Each repeatable kind takes at most ICMPT_FILTER_MAX values (E2BIG).
 * Owner kinds (pid, comm, uid, cgroup, tree) match only records with a task
 * (owner sender, matched or socket): never an unattributed or
 * kernel-built one.  The filter runs in the hook, lock-free (RCU), before
 * a record is committed: a record it rejects is never published, and its
 * ring space is reused by the next packet.  Packet-only kinds run before
 * attribution.
 *
 * Snap length.  ICMPT_A_SNAPLEN in SET_CONFIG sets how many bytes of each
 * recorded packet, from the IP header on, its records carry (see "Packet
 * bytes"): 0 for none, at most ICMPT_SNAPLEN_MAX (more: ERANGE; a reader
 * that wants the whole packet asks for ICMPT_SNAPLEN_MAX).  Like the
 * filter it belongs to the netlink socket that set it: SET_CONFIG with a
 * snap length from another socket fails with EBUSY while the owner's is
 * open, and it goes away when the owner's socket closes (NETLINK_URELEASE).
 * Without a session's value the module parameter snaplen applies (default
 * ICMPT_SNAPLEN_DEFAULT), so a reader that never asks (ABI 1 readers, the
 * tests' rings) still gets what the parser decodes; icmptrace always
 * sets its own, 0 unless it writes a capture.  GET_CONFIG reports the
 * snap length in force.
 *
 * Statistics (GET_STATS), per CPU and in total, counted since the module
 * loaded while tracing is enabled:
 *   seen = recorded + filtered + dropped, exactly, on each CPU once no
 *   packet is in flight;  dropped = dropped_full + dropped_bad_consumer +
 *   dropped_nested (the producer page's counters);  unattributed counts
 *   the records that passed the filter without an owner (owner none),
 *   recorded or dropped.  Seen are every IPv4 datagram of protocol ICMP,
 *   whatever its header says (ICMPT_PKT_BAD_IP), and every IPv6 datagram
 *   whose extension headers lead to ICMPv6 or end past its last byte
 *   (ICMPT_PKT_EXT_BROKEN), however long the chain; a packet of a nested
 *   producer counts in seen through dropped_nested.
 */
#define ICMPT_GENL_NAME		"icmptrace"
#define ICMPT_GENL_VERSION	1
#define ICMPT_FILTER_MAX	64

enum icmpt_cmd {
	ICMPT_CMD_UNSPEC,
	ICMPT_CMD_GET_CONFIG,	/* any user; reply: config attributes */
	ICMPT_CMD_SET_CONFIG,	/* admin; ICMPT_A_ENABLED, ICMPT_A_SNAPLEN */
	ICMPT_CMD_GET_STATS,	/* any user; reply: ICMPT_A_STATS_* */
	ICMPT_CMD_SET_FILTER,	/* admin; ICMPT_A_F_*: replace the filter */
	ICMPT_CMD_CLEAR_FILTER,	/* admin; no attributes; owner only */
	ICMPT_CMD_GET_FILTER,	/* admin; reply: ICMPT_A_F_* and owner, or none */
	__ICMPT_CMD_MAX,
};
#define ICMPT_CMD_MAX (__ICMPT_CMD_MAX - 1)

enum icmpt_attr {
	ICMPT_A_UNSPEC,
	ICMPT_A_PAD,		/* alignment of u64 attributes in replies */
	ICMPT_A_ENABLED,	/* u8 0/1: the hooks record (SET_CONFIG) */
	ICMPT_A_ABI_VERSION,	/* u32 ICMPT_ABI_VERSION (replies only) */
	ICMPT_A_GENL_VERSION,	/* u32 ICMPT_GENL_VERSION (replies only) */
	ICMPT_A_NR_RINGS,	/* u32 */
	ICMPT_A_RING_SIZE,	/* u64 data bytes of one ring */
	ICMPT_A_EVENT_SIZE,	/* u32 sizeof(struct icmpt_event) */
	ICMPT_A_READERS,	/* u32 processes holding /dev/icmptrace (0/1) */
	ICMPT_A_FILTER_ACTIVE,	/* u8 a filter is set */
	ICMPT_A_STATS_TOTAL,	/* nested enum icmpt_stat_attr */
	ICMPT_A_STATS_CPU,	/* nested enum icmpt_stat_attr, one per CPU */
	ICMPT_A_F_FAMILY,	/* u8 mask ICMPT_F_V4 | ICMPT_F_V6 */
	ICMPT_A_F_DIR,		/* u8 mask ICMPT_F_IN | ICMPT_F_OUT */
	ICMPT_A_F_ICMP,		/* nested enum icmpt_icmp_attr, repeatable */
	ICMPT_A_F_PID,		/* u32, repeatable */
	ICMPT_A_F_COMM,		/* NUL-terminated string <= 15 chars, repeatable */
	ICMPT_A_F_UID,		/* u32, repeatable */
	ICMPT_A_F_CGROUP,	/* u64, repeatable */
	ICMPT_A_F_NETNS,	/* u32 inode, repeatable */
	ICMPT_A_F_OWNER_PORTID,	/* u32 GET_FILTER: netlink port of the session */
	ICMPT_A_F_OWNER_PID,	/* u32 GET_FILTER: tgid that set it */
	ICMPT_A_READER_PID,	/* u32 GET_FILTER: tgid holding the device, 0: none */
	ICMPT_A_F_TREE,		/* u32 host tgid: root of a process tree, once */
	ICMPT_A_F_TREE_MEMBERS,	/* u32 GET_FILTER: processes of the tree now */
	ICMPT_A_F_TREE_UNTRACKED, /* u64 GET_FILTER: forks not followed, set full */
	ICMPT_A_SNAPLEN,	/* u32 SET_CONFIG: this session's snap length; GET_CONFIG */
	__ICMPT_A_MAX,
};
#define ICMPT_A_MAX (__ICMPT_A_MAX - 1)

#define ICMPT_F_V4	0x01	/* ICMPT_A_F_FAMILY */
#define ICMPT_F_V6	0x02
#define ICMPT_F_IN	0x01	/* ICMPT_A_F_DIR */
#define ICMPT_F_OUT	0x02

enum icmpt_icmp_attr {
	ICMPT_ICMP_A_UNSPEC,
	ICMPT_ICMP_A_FAMILY,	/* u8 4 or 6, required */
	ICMPT_ICMP_A_TYPE,	/* u8, required */
	ICMPT_ICMP_A_CODE,	/* u8; absent: any code */
	__ICMPT_ICMP_A_MAX,
};
#define ICMPT_ICMP_A_MAX (__ICMPT_ICMP_A_MAX - 1)

enum icmpt_stat_attr {		/* all u64 except CPU */
	ICMPT_STAT_A_UNSPEC,
	ICMPT_STAT_A_PAD,
	ICMPT_STAT_A_CPU,	/* u32, per-CPU entries only */
	ICMPT_STAT_A_SEEN,
	ICMPT_STAT_A_RECORDED,
	ICMPT_STAT_A_FILTERED,
	ICMPT_STAT_A_DROPPED,
	ICMPT_STAT_A_UNATTRIBUTED,
	ICMPT_STAT_A_DROPPED_FULL,
	ICMPT_STAT_A_DROPPED_BAD_CONSUMER,
	ICMPT_STAT_A_DROPPED_NESTED,
	__ICMPT_STAT_A_MAX,
};
#define ICMPT_STAT_A_MAX (__ICMPT_STAT_A_MAX - 1)

#endif /* _UAPI_LINUX_ICMPTRACE_H */
