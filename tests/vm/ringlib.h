/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For the reliability tests (stress_test, hostile_test, unload_test): our
 * own consumer of /dev/icmptrace that maps the rings by the uapi rules,
 * per-CPU floods of hand-built ICMP from pinned raw sockets, the reader as
 * a child writing to files, and module load/unload by syscall.
 * Compiled once (ringlib.c) into the tests that use it; vmlib.c stays
 * shared with the other tests.  The includes below are what its users need.
 */
#ifndef ICMPT_RINGLIB_H
#define ICMPT_RINGLIB_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/icmp.h>
#include <linux/icmptrace.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vmlib.h"

#define RL_DEV "/dev/" ICMPT_DEVICE_NAME
#define RL_MAX_RINGS 64

struct rl_ring {
	struct icmpt_consumer_page *cons;	/* RW, one page */
	const struct icmpt_producer_page *prod;	/* RO: producer page + data x2 */
	const uint8_t *data;
	size_t map_len;
};

struct rl_map {
	int fd;
	struct icmpt_info info;
	struct rl_ring r[RL_MAX_RINGS];
};

long long rl_now_ms(void);

void rl_unmap(struct rl_map *m);

/* Open and map every ring as a reader does; -errno on failure. */
int rl_map_open(struct rl_map *m);

static inline uint64_t rl_prod_pos(const struct rl_ring *r)
{
	return __atomic_load_n(&r->prod->producer_pos, __ATOMIC_ACQUIRE);
}

static inline uint64_t rl_cons_pos(const struct rl_ring *r)
{
	return __atomic_load_n(&r->cons->consumer_pos, __ATOMIC_RELAXED);
}

static inline void rl_set_cons(struct rl_ring *r, uint64_t pos)
{
	__atomic_store_n(&r->cons->consumer_pos, pos, __ATOMIC_RELEASE);
}

uint64_t rl_drops(const struct icmpt_producer_page *p);

/* Skip everything the rings hold now. */
void rl_skip_all(struct rl_map *m);

/*
 * Reads ring i from its consumer position to the producer position, calls
 * fn for each record (a copy, so the kernel may reuse the space), then
 * publishes the new position.  Returns records read, or -1 if the ring
 * holds something that is not a record (the test then fails).
 */
typedef void (*rl_rec_fn)(void *ctx, unsigned int ring, const struct icmpt_rec_hdr *hdr,
			  const void *rec);

long rl_drain(struct rl_map *m, unsigned int i, rl_rec_fn fn, void *ctx);

/*
 * Whole packet records kept for a test to look at: rl_collect() drains
 * every ring into e until it holds want records or timeout_ms passed
 * (times IT_TIMEOUT_SCALE, as every wait here: vmlib.h).
 */
#define RL_EVS_MAX 64
struct rl_evs {
	int n;
	struct icmpt_event ev[RL_EVS_MAX];
};

void rl_collect(struct rl_map *m, struct rl_evs *e, int want, int timeout_ms);

/* ---- floods ---------------------------------------------------------- */

int rl_nr_cpus(void);

int rl_pin(int cpu);

/* A raw ICMP socket that never queues what it receives. */
int rl_raw_socket(void);

/* An ICMP message of type/id/seq with a valid checksum, 8 + 24 bytes. */
size_t rl_build(uint8_t *buf, int type, uint16_t id, uint16_t seq);

/*
 * Forks one sender per CPU, each pinned to its CPU, in netns (NULL: ours),
 * each sending count messages (0: until SIGTERM) of type/id to dst.
 * sent[cpu] (shared memory, may be NULL) gets the sends that succeeded.
 * Returns 0; pids[] gets the children.
 */
int rl_flood_start(pid_t *pids, int ncpu, const char *netns, const char *dst,
		   int type, uint16_t id, long count, volatile long *sent);

/* Waits for the senders (after SIGTERM if stop); 0 if all exited 0 or by it. */
int rl_flood_wait(pid_t *pids, int ncpu, int stop);

volatile long *rl_shared_counters(int n);

/* ---- the reader as a child, output into files ----------------------- */

struct rl_reader {
	pid_t pid;
	char out[64], err[64];
};

size_t rl_slurp(const char *path, char *buf, size_t n);

/* Starts build/icmptrace ARGS; returns 0 once it says it is listening. */
int rl_reader_start(struct rl_reader *rd, const char *tag,
		    const char *const *args);

/* Waits until the reader's output has not grown for quiet_ms (both scaled). */
void rl_reader_quiet(const struct rl_reader *rd, int quiet_ms, int max_ms);

/* Sends sig and waits; returns the exit status or 128 + signal. */
int rl_reader_stop(struct rl_reader *rd, int sig);

/*
 * "icmptrace: N records, M dropped[, K left unread]" from the reader's
 * stderr; left_unread (may be NULL) gets K, 0 when absent.
 */
int rl_reader_summary(const struct rl_reader *rd, unsigned long long *recs,
		      unsigned long long *dropped, unsigned long long *left_unread);

/* The number after " key=" (or at the start of line); -1 if absent. */
long rl_kv_num(const char *line, const char *key);

/* kv lines of the reader's output with type and id; *other gets the rest. */
long rl_count_kv(const char *path, int type, int id, long *other);

/* ---- the module ------------------------------------------------------- */

int rl_rmmod(void);

int rl_insmod(const char *params);

/* insmod of another build (e.g. the test module), IT_MODULE left as it was. */
int rl_insmod_ko(const char *ko, const char *params);

int rl_loaded(void);

/* ---- packet bytes in records ----------------------------------------- */

/* Length of a packet record carrying cap packet bytes (uapi "Packet bytes"). */
static inline size_t rl_rec_len(size_t cap)
{
	return (sizeof(struct icmpt_event) + cap + ICMPT_REC_ALIGN - 1) &
	       ~(size_t)(ICMPT_REC_ALIGN - 1);
}

/* The module parameter snaplen: what a reader that sets none gets. */
unsigned int rl_default_snaplen(void);

/* The record of one flood message (rl_build, IPv4) when no session set a snap length. */
size_t rl_flood_rec_len(void);

/* ---- no uninitialised bytes in a record ------------------------------- */

int rl_zero(const void *p, size_t n);

/* Bytes of detail.u that the member of kind fills (its fixed part). */
size_t rl_det_size(unsigned int kind);

int rl_opts_ok(const struct icmpt_ndp_opts *o);

/*
 * Every reserved field, every byte a record of this kind leaves unfilled,
 * every task field of an unattributed record and the padding after the
 * packet bytes must be zero, and len must be what cap_len makes it.
 * Returns NULL if so, else which rule broke.
 */
const char *rl_check_event(const struct icmpt_event *ev, size_t len);

#endif /* ICMPT_RINGLIB_H */
