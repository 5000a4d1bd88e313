// SPDX-License-Identifier: GPL-2.0
/*
 * dropped_nested (issue 12 item 3): a producer that finds itself in hard
 * IRQ or NMI context must write nothing into the ring and count its packet
 * in dropped_nested and in seen, so that seen = recorded + filtered +
 * dropped still holds.  The test module's nest_irq=N runs the producer N
 * times in an IPI handler (kmod/icmpt_test.c).
 *
 * Also with the test module (item 9): the checksum rule in every skb
 * state, csum_selftest=1: CHECKSUM_COMPLETE gives the verdict from
 * skb->csum (a wrong skb->csum over right bytes must read bad: no second
 * pass over the message), CHECKSUM_PARTIAL gives none (the field is filled
 * at transmit), the same for a short and a long message.
 */
#define _GNU_SOURCE
#include "kselftest_harness.h"
#include "genllib.h"
#include "ringlib.h"

#define NEST 5

FIXTURE(nested) {
	char real[512], test[512];
};

FIXTURE_SETUP(nested)
{
	const char *ko = getenv("IT_MODULE"), *kernel = getenv("IT_KERNEL");

	if (!ko || !*ko || !kernel)
		SKIP(return, "IT_MODULE/IT_KERNEL not set: not run by vm-run");
	snprintf(self->real, sizeof(self->real), "%s", ko);
	snprintf(self->test, sizeof(self->test), "%s", getenv("IT_TEST_MODULE") ?
		 getenv("IT_TEST_MODULE") : "");
	if (!self->test[0])
		snprintf(self->test, sizeof(self->test), "build/kmod/%s-test/icmptrace.ko", kernel);
	ASSERT_EQ(0, access(self->test, R_OK)) TH_LOG("%s missing (vm-run builds it)", self->test);
	if (rl_loaded())
		ASSERT_EQ(0, rl_rmmod());
	ASSERT_EQ(0, rl_insmod_ko(self->test, ""));
}

FIXTURE_TEARDOWN(nested)
{
	if (rl_loaded())
		rl_rmmod();
	rl_insmod_ko(self->real, "");
}

TEST_F(nested, hard_irq_producer_counted)
{
	VM_RETURN_IF_SKIPPED();
	struct stats t0, t1, cpus[RL_MAX_RINGS];
	static struct rl_evs e;
	struct rl_map m;
	uint64_t nested = 0;
	unsigned int i;
	int fd, family, ncpu;

	ASSERT_EQ(0, rl_map_open(&m));
	fd = genl_open();
	ASSERT_LE(0, fd);
	family = genl_family(fd);
	ASSERT_LT(0, family);
	rl_skip_all(&m);
	ASSERT_LE(1, get_stats(fd, family, &t0, cpus, RL_MAX_RINGS));
	ASSERT_EQ(0, vm_sh("echo %d > /sys/module/icmptrace/parameters/nest_irq", NEST));
	ncpu = get_stats(fd, family, &t1, cpus, RL_MAX_RINGS);
	ASSERT_LE(1, ncpu);
	rl_collect(&m, &e, RL_EVS_MAX, 300);
	for (i = 0; i < m.info.nr_rings; i++)
		nested += m.r[i].prod->dropped_nested;
#define DELTA(a) (t1.v[a] - t0.v[a])
	TH_LOG("seen +%llu recorded +%llu dropped +%llu nested +%llu, ring records %d",
	       (unsigned long long)DELTA(ICMPT_STAT_A_SEEN),
	       (unsigned long long)DELTA(ICMPT_STAT_A_RECORDED),
	       (unsigned long long)DELTA(ICMPT_STAT_A_DROPPED),
	       (unsigned long long)DELTA(ICMPT_STAT_A_DROPPED_NESTED), e.n);
	/* Nothing else sends ICMP meanwhile. */
	EXPECT_EQ(NEST, DELTA(ICMPT_STAT_A_DROPPED_NESTED));
	EXPECT_EQ(NEST, DELTA(ICMPT_STAT_A_DROPPED));
	EXPECT_EQ(NEST, DELTA(ICMPT_STAT_A_SEEN));
	EXPECT_EQ(0, DELTA(ICMPT_STAT_A_RECORDED));
	EXPECT_EQ(NEST, nested);
	EXPECT_EQ(0, e.n);
	for (i = 0; i < (unsigned int)ncpu; i++) {
		const uint64_t *v = cpus[i].v;

		EXPECT_EQ(v[ICMPT_STAT_A_SEEN], v[ICMPT_STAT_A_RECORDED] +
			  v[ICMPT_STAT_A_FILTERED] + v[ICMPT_STAT_A_DROPPED]);
	}
	close(fd);
	rl_unmap(&m);
}

TEST_F(nested, checksum_rule)
{
	VM_RETURN_IF_SKIPPED();
	int rc = vm_sh("echo 1 > /sys/module/icmptrace/parameters/csum_selftest");

	if (rc)
		vm_sh("dmesg | grep csum_selftest | tail -20 >&2");
	EXPECT_EQ(0, rc);
}

TEST_HARNESS_MAIN
