// SPDX-License-Identifier: GPL-2.0
/*
 * icmptrace --summary against what ping itself printed: ping -c N to
 * 127.0.0.1 in a fresh namespace while the reader, filtered to that
 * namespace, only counts.  The summary's counts must be ping's, its
 * round-trip times no longer than ping's.
 *
 * The tolerance: ping -U times each echo with gettimeofday() before
 * sendmsg() and after recvmsg() returned, so its interval holds the
 * kernel's (LOCAL_OUT of the request, then LOCAL_IN of the reply) for
 * every packet, and each of min/avg/max of ours is at most ping's.  The
 * only slack is ping's rounding to the microsecond: 0.002 ms.  A reply
 * paired with the wrong request would be off by the ping interval.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "ringlib.h"

#define NS "icmpt-summary"
#define NPING 6
#define TOL_MS 0.002

struct ping_out {
	int tx, rx;
	double min, avg, max, mdev;
};

/* ping -U -n -c NPING -i 0.2 127.0.0.1 in NS; its pid and what it printed. */
static int run_ping(pid_t *pid, struct ping_out *po, char *text, size_t n)
{
	const char *path = "/tmp/icmpt-summary-ping.out";
	const char *p;
	int st;

	*pid = fork();
	if (*pid < 0)
		return -1;
	if (*pid == 0) {
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd < 0 || vm_netns_enter(NS))
			_exit(126);
		dup2(fd, 1);
		dup2(fd, 2);
		execlp("ping", "ping", "-U", "-n", "-c", "6", "-i", "0.2", "127.0.0.1", (char *)NULL);
		_exit(127);
	}
	if (waitpid(*pid, &st, 0) != *pid || !WIFEXITED(st) || WEXITSTATUS(st))
		return -1;
	rl_slurp(path, text, n);
	p = strstr(text, " packets transmitted, ");
	while (p && p > text && p[-1] >= '0' && p[-1] <= '9')
		p--;
	if (!p || sscanf(p, "%d packets transmitted, %d received", &po->tx, &po->rx) != 2)
		return -1;
	p = strstr(text, "rtt min/avg/max/mdev = ");
	if (!p || sscanf(p, "rtt min/avg/max/mdev = %lf/%lf/%lf/%lf", &po->min, &po->avg,
			 &po->max, &po->mdev) != 4)
		return -1;
	return 0;
}

static const char *const args_json[] = { "--summary", "--json", "--netns", "/run/netns/" NS, NULL };

TEST(json_summary_matches_ping)
{
	static char out[65536], ping_text[8192], want[256];
	struct rl_reader rd;
	struct ping_out po;
	double rmin, ravg, rmax, rmdev;
	int out_n, in_n, replies, lines = 0;
	const char *p, *rtt;
	pid_t pid;
	size_t len;

	ASSERT_EQ(0, vm_netns_add(NS, 0));
	ASSERT_EQ(0, rl_reader_start(&rd, "summary", args_json));
	ASSERT_EQ(0, run_ping(&pid, &po, ping_text, sizeof(ping_text))) TH_LOG("%s", ping_text);
	TH_LOG("ping: %d sent, %d received, rtt %.3f/%.3f/%.3f/%.3f ms", po.tx, po.rx,
	       po.min, po.avg, po.max, po.mdev);
	ASSERT_EQ(NPING, po.tx);
	ASSERT_EQ(NPING, po.rx);
	usleep(300000);	/* the reader's last poll round */
	ASSERT_EQ(0, rl_reader_stop(&rd, SIGINT));

	len = rl_slurp(rd.out, out, sizeof(out));
	for (p = out; p < out + len; p++)
		lines += *p == '\n';
	TH_LOG("%s", out);
	/* Alone, --summary prints no line per packet: one JSON object. */
	ASSERT_EQ(1, lines);
	ASSERT_EQ('{', out[0]);

	/* By process: ping sent N requests and got N replies. */
	snprintf(want, sizeof(want), "{\"comm\":\"ping\",\"pid\":%d,\"container\":\"\",\"out\":", pid);
	p = strstr(out, want);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(2, sscanf(p + strlen(want), "%d,\"in\":%d", &out_n, &in_n));
	EXPECT_EQ(po.tx, out_n);
	EXPECT_EQ(po.rx, in_n);

	/* By type and direction: each of the four legs on loopback, N times. */
	snprintf(want, sizeof(want), "\"type\":8,\"code\":0,\"name\":\"EchoRequest\",\"direction\":\"out\",\"count\":%d}", po.tx);
	EXPECT_NE(NULL, strstr(out, want)) TH_LOG("no %s", want);
	snprintf(want, sizeof(want), "\"type\":8,\"code\":0,\"name\":\"EchoRequest\",\"direction\":\"in\",\"count\":%d}", po.tx);
	EXPECT_NE(NULL, strstr(out, want)) TH_LOG("no %s", want);
	snprintf(want, sizeof(want), "\"type\":0,\"code\":0,\"name\":\"EchoReply\",\"direction\":\"out\",\"count\":%d}", po.rx);
	EXPECT_NE(NULL, strstr(out, want)) TH_LOG("no %s", want);
	snprintf(want, sizeof(want), "\"type\":0,\"code\":0,\"name\":\"EchoReply\",\"direction\":\"in\",\"count\":%d}", po.rx);
	EXPECT_NE(NULL, strstr(out, want)) TH_LOG("no %s", want);

	/* Round trips of ping to 127.0.0.1. */
	rtt = strstr(out, "\"rtt\":[");
	ASSERT_NE(NULL, rtt);
	snprintf(want, sizeof(want), "{\"comm\":\"ping\",\"pid\":%d,\"container\":\"\","
		 "\"destination\":\"127.0.0.1\",\"replies\":", pid);
	p = strstr(rtt, want);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(5, sscanf(p + strlen(want), "%d,\"min_ms\":%lf,\"avg_ms\":%lf,\"max_ms\":%lf,\"mdev_ms\":%lf",
			    &replies, &rmin, &ravg, &rmax, &rmdev));
	TH_LOG("kernel: %d replies, rtt %.3f/%.3f/%.3f/%.3f ms", replies, rmin, ravg, rmax, rmdev);
	EXPECT_EQ(po.rx, replies);
	EXPECT_LT(0.0, rmin);
	EXPECT_LE(rmin, ravg);
	EXPECT_LE(ravg, rmax);
	EXPECT_LE(rmin, po.min + TOL_MS);
	EXPECT_LE(ravg, po.avg + TOL_MS);
	EXPECT_LE(rmax, po.max + TOL_MS);
	EXPECT_NE(NULL, strstr(out, "\"unanswered_requests\":0,"));
	vm_sh("ip netns del " NS " 2>/dev/null; true");
}

static const char *const args_print[] = { "--summary", "--print", "--format", "kv", "--netns",
					  "/run/netns/" NS, NULL };

/* With --print: one kv line per packet, then the table. */
TEST(print_gives_lines_and_table)
{
	static char out[1 << 18], ping_text[8192], want[128];
	struct rl_reader rd;
	struct ping_out po;
	long kv = 0;
	const char *p;
	pid_t pid;

	ASSERT_EQ(0, vm_netns_add(NS, 0));
	ASSERT_EQ(0, rl_reader_start(&rd, "summary-print", args_print));
	ASSERT_EQ(0, run_ping(&pid, &po, ping_text, sizeof(ping_text))) TH_LOG("%s", ping_text);
	usleep(300000);
	ASSERT_EQ(0, rl_reader_stop(&rd, SIGINT));
	rl_slurp(rd.out, out, sizeof(out));
	for (p = out; (p = strstr(p, "ts=")); p++)
		if (p == out || p[-1] == '\n')
			kv++;
	EXPECT_EQ(4 * NPING, kv);
	EXPECT_NE(NULL, strstr(out, "icmptrace summary: 24 packets\n"));
	snprintf(want, sizeof(want), "\n  %d  ping ", pid);
	EXPECT_NE(NULL, strstr(out, want)) TH_LOG("%s", out);
	vm_sh("ip netns del " NS " 2>/dev/null; true");
}

TEST_HARNESS_MAIN
