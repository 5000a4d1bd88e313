// SPDX-License-Identifier: GPL-2.0
/*
 * A consumer of /dev/icmptrace that does nothing but drain (make bench): maps
 * the rings as the uapi header says, spins over every ring moving
 * consumer_pos up to producer_pos record by record (each header is read and
 * checked), until SIGINT/SIGTERM.  Prints "drained=N ns=T" (T from the first
 * record to the last).  Pin it with taskset.
 *
 * --poll: sleep as the reader does (a quarter ring's wakeup threshold and a
 * 100 ms poll after a pass that found records, the first record after an empty
 * one): the floor of what a reader costs in the flood benchmark, no formatting.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <signal.h>

#include "ringlib.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

/* The reader's rule (userspace/cli/trace_loop.cpp, uapi "Wakeups"). */
static void sleep_as_reader(struct rl_map *m, int busy)
{
	struct pollfd p = { .fd = m->fd, .events = POLLIN };
	unsigned int i;

	for (i = 0; i < m->info.nr_rings; i++)
		__atomic_store_n(&m->r[i].cons->wakeup_bytes,
				 busy ? m->info.data_size / 4 : 0, __ATOMIC_RELAXED);
	poll(&p, 1, busy ? 100 : -1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	static struct rl_map m;
	uint64_t n = 0, first = 0, last = 0;
	int poll_mode = argc > 1 && !strcmp(argv[1], "--poll");
	unsigned int i;
	int err;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	err = rl_map_open(&m);
	if (err) {
		fprintf(stderr, "ring_drain: %s\n", strerror(-err));
		return 1;
	}
	rl_skip_all(&m);
	fprintf(stderr, "ring_drain: listening on %u rings\n", m.info.nr_rings);
	while (!stop) {
		uint64_t before = n;

		for (i = 0; i < m.info.nr_rings; i++) {
			long got = rl_drain(&m, i, NULL, NULL);

			if (got < 0) {
				fprintf(stderr, "ring_drain: corrupt ring %u\n", i);
				return 1;
			}
			if (got) {
				if (!n)
					first = now_ns();
				n += got;
				last = now_ns();
			}
		}
		if (poll_mode)
			sleep_as_reader(&m, n != before);
	}
	printf("drained=%llu ns=%llu\n", (unsigned long long)n,
	       (unsigned long long)(last - first));
	return 0;
}
