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

#define ICMPT_ABI_VERSION	1
#define ICMPT_DEVICE_NAME	"icmptrace"	/* /dev/icmptrace */

/*
 * Ring protocol
 * =============
 *
 * There is one ring per possible CPU, and exactly one producer per ring:
 * the netfilter hook running on that CPU.  The producer holds the CPU's
 * ring for the few instructions a record takes with bottom halves
 * disabled (local_bh_disable()).  On a !PREEMPT_RT kernel that excludes
 * both softirqs and preemption on the CPU, so a LOCAL_OUT writer in task
 * context cannot be interrupted by the LOCAL_IN softirq of the same CPU
 * half-way through a record.  On PREEMPT_RT it takes the per-CPU
 * softirq lock and disables migration, which serialises the softirq
 * thread and other tasks of that CPU the same way.  Netfilter hooks never
 * run in hard IRQ or NMI context; should one ever do, the record is
 * dropped and counted (icmpt_producer_page.dropped_nested).
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
 *   wake the reader if it sleeps and had consumed everything (cons == prod)
 *
 * Consumer (reader):
 *   prod = smp_load_acquire(&producer_pos)   (__atomic_load_n ACQUIRE)
 *   read records in [cons, prod)
 *   smp_store_release(&consumer_pos, prod)   (__atomic_store_n RELEASE)
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
 * ring holds a record.  The producer wakes the waiting reader only for a
 * record that lands in a ring the reader had emptied, never once per
 * record under load.  A reader therefore drains every ring before it
 * sleeps again.
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
 */
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

#endif /* _UAPI_LINUX_ICMPTRACE_H */
