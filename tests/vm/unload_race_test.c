// SPDX-License-Identifier: GPL-2.0
/*
 * Unloading while hooks are in flight (issue 12 item 1).  The test module
 * (build/kmod/TARGET-test, kmod/icmpt_test.c) holds every hook for a while
 * inside the record path, between classifying a packet and writing its
 * record, and delays the namespace exit step while the module goes, so
 * that hooks begin after the grace period of unregister_pernet_subsys().
 * If the module freed its rings, owner table or filter before such a hook
 * left, the guest oopses (oops=panic) or KASAN reports it, and vm-run
 * fails with 125.  The real module is loaded again at the end, because
 * vm-run unloads it after the tests.
 *
 * Under QEMU's emulation the old order did not crash here either: the
 * unregistration (probably its text patching, which waits for every CPU)
 * let the held hooks finish first.  The debug kernel (make check-debug)
 * and real hardware are where this test can catch a regression.
 */
#define _GNU_SOURCE
#include "kselftest_harness.h"
#include "ringlib.h"

/* Each hook spins this long: longer than a send, shorter than a stall. */
#define HOLD_US 50000

FIXTURE(race) {
	char real[512];		/* IT_MODULE: the module vm-run loaded */
	char test[512];		/* the same sources built with ICMPT_TEST=y */
};

FIXTURE_SETUP(race)
{
	const char *ko = getenv("IT_MODULE"), *kernel = getenv("IT_KERNEL");

	if (!ko || !*ko || !kernel)
		SKIP(return, "IT_MODULE/IT_KERNEL not set: not run by vm-run");
	snprintf(self->real, sizeof(self->real), "%s", ko);
	/* IT_TEST_MODULE: another test build, e.g. of an older commit. */
	if (getenv("IT_TEST_MODULE"))
		snprintf(self->test, sizeof(self->test), "%s", getenv("IT_TEST_MODULE"));
	else
		snprintf(self->test, sizeof(self->test), "build/kmod/%s-test/icmptrace.ko",
			 kernel);
	ASSERT_EQ(0, access(self->test, R_OK))
		TH_LOG("%s missing: scripts/build-kmod --test %s (vm-run builds it)",
		       self->test, kernel);
	ASSERT_TRUE(rl_loaded());
}

FIXTURE_TEARDOWN(race)
{
	if (rl_loaded())
		rl_rmmod();
	rl_insmod_ko(self->real, "");
}

/*
 * A sender per CPU, sending without pause: every CPU is inside a held hook
 * nearly all the time, also while rmmod (on CPU 0) unregisters the hooks
 * and frees what they use.
 */
static pid_t sender_start(int cpu)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct sockaddr_in sin = { .sin_family = AF_INET,
					   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		uint8_t buf[32];
		uint16_t seq = 0;
		int fd;

		if (rl_pin(cpu))
			_exit(10);
		fd = rl_raw_socket();
		if (fd < 0)
			_exit(11);
		for (;;) {
			size_t len = rl_build(buf, ICMP_ECHOREPLY, 0x7e7e, seq++);

			sendto(fd, buf, len, 0, (struct sockaddr *)&sin, sizeof(sin));
		}
	}
	return pid;
}

TEST_F_TIMEOUT(race, unload_with_hooks_held, 300)
{
	VM_RETURN_IF_SKIPPED();
	int ncpu = rl_nr_cpus(), i, cpu;
	char params[64];

	ASSERT_EQ(0, rl_pin(0));
	snprintf(params, sizeof(params), "hold_us=%d", HOLD_US);
	ASSERT_EQ(0, rl_rmmod());
	for (i = 0; i < 8; i++) {
		pid_t pids[RL_MAX_RINGS];
		long long t0;
		int err, st;

		ASSERT_EQ(0, rl_insmod_ko(self->test, params)) TH_LOG("cycle %d", i);
		for (cpu = 0; cpu < ncpu; cpu++) {
			pids[cpu] = sender_start(cpu);
			ASSERT_LT(0, pids[cpu]);
		}
		usleep(300000);
		t0 = rl_now_ms();
		err = rl_rmmod();
		EXPECT_EQ(0, err) TH_LOG("cycle %d: delete_module: %s", i, strerror(-err));
		/* A hook that outlived the module runs on into freed memory now. */
		usleep(4 * HOLD_US);
		for (cpu = 0; cpu < ncpu; cpu++) {
			kill(pids[cpu], SIGKILL);
			ASSERT_EQ(pids[cpu], waitpid(pids[cpu], &st, 0));
		}
		TH_LOG("cycle %d: rmmod took %lld ms", i, rl_now_ms() - t0);
		ASSERT_FALSE(rl_loaded());
	}
	EXPECT_EQ(0, rl_insmod_ko(self->real, ""));
}

TEST_HARNESS_MAIN
