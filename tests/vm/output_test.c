// SPDX-License-Identifier: GPL-2.0
/*
 * icmptrace --output FILE under logrotate's "rename, then SIGHUP": echo
 * replies of our own identifier, seq 0..N-1, sent from a raw socket in a
 * fresh namespace while the file is renamed and the reader signalled
 * several times mid-stream.  The union of the files must hold each seq
 * exactly once, every line whole, and each renamed file some of them (so
 * the reopen really happened each time).
 *
 * Echo replies to 127.0.0.1 are answered by nothing: with --out each
 * message makes exactly one record.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>

#include "kselftest_harness.h"
#include "ringlib.h"

#define NS "icmpt-output"
#define OUT_ID 0x0717
#define NMSG 4000
#define ROTATIONS 7
#define OUT_FILE "/tmp/icmpt-output.kv"

/* Lines of one file into seen[]; -1 on a line that is not whole or not ours. */
static long count_file(const char *path, unsigned char *seen, long *dups, char *why, size_t n)
{
	static char line[16384];
	FILE *f = fopen(path, "r");
	long lines = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		size_t len = strlen(line);
		long seq = rl_kv_num(line, "seq");

		/* Whole: from the first key through the last, then '\n'. */
		if (len == 0 || line[len - 1] != '\n' || strncmp(line, "ts=", 3) ||
		    !strstr(line, " hostname=") || rl_kv_num(line, "type") != 0 ||
		    rl_kv_num(line, "id") != OUT_ID || seq < 0 || seq >= NMSG) {
			snprintf(why, n, "%s: bad line %.200s", path, line);
			fclose(f);
			return -1;
		}
		if (seen[seq]++)
			(*dups)++;
		lines++;
	}
	fclose(f);
	return lines;
}

static void cleanup_files(void)
{
	vm_sh("rm -f " OUT_FILE " " OUT_FILE ".*; ip netns del " NS " 2>/dev/null; true");
}

FIXTURE(output) {
};

FIXTURE_SETUP(output)
{
}

FIXTURE_TEARDOWN(output)
{
}

/*
 * Its own wait for the last file is up to 30 s: the harness's default
 * 30 s would cut it short on a loaded host (seen once, with the host
 * compiling beside the VM).
 */
TEST_F_TIMEOUT(output, rename_and_sighup_lose_nothing, 120)
{
	static unsigned char seen[NMSG];
	struct sockaddr_in dst = { .sin_family = AF_INET };
	const char *args[] = { "--format", "kv", "--out", "--netns", "/run/netns/" NS,
			       "--output", OUT_FILE, NULL };
	struct rl_reader rd;
	unsigned long long recs = 0, dropped = 0;
	long total = 0, dups = 0, per[ROTATIONS + 1];
	long long deadline;
	char path[128], why[512] = "";
	int fd, i, r;
	uint8_t buf[64];

	cleanup_files();
	ASSERT_EQ(0, vm_netns_add(NS, 0));
	ASSERT_EQ(0, rl_reader_start(&rd, "output", args));
	ASSERT_EQ(0, vm_netns_enter(NS));
	fd = rl_raw_socket();
	ASSERT_LE(0, fd);
	inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);

	for (i = 0; i < NMSG; i++) {
		size_t len = rl_build(buf, 0, OUT_ID, (uint16_t)i);

		ASSERT_EQ((ssize_t)len, sendto(fd, buf, len, 0, (struct sockaddr *)&dst,
					       sizeof(dst)));
		/* Paced well inside what one reader drains: no drops. */
		if ((i & 15) == 15)
			usleep(1000);
		r = (i + 1) / (NMSG / (ROTATIONS + 1));
		if ((i + 1) % (NMSG / (ROTATIONS + 1)) == 0 && r <= ROTATIONS) {
			snprintf(path, sizeof(path), OUT_FILE ".%d", r);
			ASSERT_EQ(0, rename(OUT_FILE, path));
			ASSERT_EQ(0, kill(rd.pid, SIGHUP));
		}
	}
	close(fd);

	/* Wait until the current file holds the last part, then stop. */
	deadline = rl_now_ms() + 30000;
	while (rl_now_ms() < deadline) {
		memset(seen, 0, sizeof(seen));
		dups = 0;
		if (count_file(OUT_FILE, seen, &dups, why, sizeof(why)) >= NMSG / (ROTATIONS + 1))
			break;
		usleep(100000);
	}
	ASSERT_EQ(0, rl_reader_stop(&rd, SIGINT));
	ASSERT_EQ(0, rl_reader_summary(&rd, &recs, &dropped, NULL));
	EXPECT_EQ(0, dropped);

	memset(seen, 0, sizeof(seen));
	dups = 0;
	for (r = 1; r <= ROTATIONS + 1; r++) {
		if (r <= ROTATIONS)
			snprintf(path, sizeof(path), OUT_FILE ".%d", r);
		else
			snprintf(path, sizeof(path), OUT_FILE);
		per[r - 1] = count_file(path, seen, &dups, why, sizeof(why));
		TH_LOG("%s: %ld lines", path, per[r - 1]);
		ASSERT_LE(0, per[r - 1]) TH_LOG("%s", why);
		/* Each file got lines: the reader reopened every time. */
		EXPECT_LT(0, per[r - 1]);
		total += per[r - 1];
	}
	EXPECT_EQ(0, dups);
	for (i = 0; i < NMSG; i++)
		if (!seen[i]) {
			TH_LOG("seq %d in no file", i);
			break;
		}
	EXPECT_EQ(NMSG, i);
	EXPECT_EQ(NMSG, total);
	EXPECT_EQ((unsigned long long)NMSG, recs);
	cleanup_files();
}

TEST_HARNESS_MAIN
