// SPDX-License-Identifier: GPL-2.0
/*
 * A consumer of /dev/icmptrace that does nothing but drain (make bench): maps
 * the rings as the uapi header says, spins over every ring moving
 * consumer_pos up to producer_pos record by record (each header is read and
 * checked), until SIGINT/SIGTERM.  Prints "drained=N ns=T" (T from the first
 * record to the last).  Pin it with taskset.
 */
#define _GNU_SOURCE
#include <signal.h>

#include "ringlib.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

int main(void)
{
	static struct rl_map m;
	uint64_t n = 0, first = 0, last = 0;
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
	}
	printf("drained=%llu ns=%llu\n", (unsigned long long)n,
	       (unsigned long long)(last - first));
	return 0;
}
