// SPDX-License-Identifier: GPL-2.0
/*
 * icmptrace --format ecs on a real ping: ping -e ID -c N from namespace A to
 * B while the reader, filtered to A, writes ECS lines.  Every line must pass
 * the field check (tests/vm/ecs_check.py against the ECS type table of the
 * unit tests), and carry what was sent: N echo requests out of A with ping's
 * pid, name and uid, our identifier and seq 1..N, A > B; N replies into A,
 * owner matched, with the same pid, B > A.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "ringlib.h"

#define ECS_ID 20165
#define NPING 3
#define CHECK "/usr/bin/python3 tests/vm/ecs_check.py tests/unit/testdata/ecs_fields.tsv"

/* ping -n -e ECS_ID -c NPING from VM_NS_A to B; its pid, 0 when it passed. */
static int run_ping(pid_t *pid)
{
	int st;

	*pid = fork();
	if (*pid < 0)
		return -1;
	if (*pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		if (fd < 0 || vm_netns_enter(VM_NS_A))
			_exit(126);
		dup2(fd, 1);
		execlp("ping", "ping", "-n", "-e", "20165", "-c", "3", "-i", "0.2", VM_ADDR_B,
		       (char *)NULL);
		_exit(127);
	}
	if (waitpid(*pid, &st, 0) != *pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static const char *const args[] = { "--format", "ecs", "-4", "--netns", "/run/netns/" VM_NS_A,
				    NULL };

TEST(ping_lines_pass_the_field_check)
{
	static char out[1 << 16], summary[8192], cmd[256], want[256];
	int seq, requests = 0, replies = 0;
	struct rl_reader rd;
	const char *line;
	pid_t pid;
	FILE *f;

	ASSERT_EQ(0, vm_netns_pair_up());
	ASSERT_EQ(0, rl_reader_start(&rd, "ecs", args));
	ASSERT_EQ(0, run_ping(&pid));
	rl_reader_quiet(&rd, 300, 5000);
	ASSERT_EQ(0, rl_reader_stop(&rd, SIGINT));
	rl_slurp(rd.out, out, sizeof(out));
	TH_LOG("%s", out);

	snprintf(cmd, sizeof(cmd), CHECK " %s", rd.out);
	f = popen(cmd, "r");
	ASSERT_NE(NULL, f);
	summary[fread(summary, 1, sizeof(summary) - 1, f)] = '\0';
	ASSERT_EQ(0, pclose(f)) TH_LOG("%s", summary);
	TH_LOG("%s", summary);

	/* direction type code source destination pid name user owner id seq */
	for (seq = 1; seq <= NPING; seq++) {
		snprintf(want, sizeof(want), "egress 8 0 %s %s %d ping 0 sender %d %d\n",
			 VM_ADDR_A, VM_ADDR_B, pid, ECS_ID, seq);
		line = strstr(summary, want);
		EXPECT_NE(NULL, line) TH_LOG("no line %s", want);
		requests += line != NULL;
		snprintf(want, sizeof(want), "ingress 0 0 %s %s %d ping 0 matched %d %d\n",
			 VM_ADDR_B, VM_ADDR_A, pid, ECS_ID, seq);
		line = strstr(summary, want);
		EXPECT_NE(NULL, line) TH_LOG("no line %s", want);
		replies += line != NULL;
	}
	EXPECT_EQ(NPING, requests);
	EXPECT_EQ(NPING, replies);
	snprintf(want, sizeof(want), "# %d lines pass the field check", 2 * NPING);
	EXPECT_NE(NULL, strstr(summary, want));
	vm_netns_pair_down();
}

TEST_HARNESS_MAIN
