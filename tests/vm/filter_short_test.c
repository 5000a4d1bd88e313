// SPDX-License-Identifier: GPL-2.0
/*
 * Type filters and ICMP datagrams too short for a header (issue 12 item
 * 5): a 0- and a 1-byte ICMP datagram have no type or code to match, so
 * "--type echo-reply" must not let them through, as it does not let
 * non-first fragments through.  A real echo reply sent among them is the
 * control: it must pass, out and in.
 */
#define _GNU_SOURCE
#include "kselftest_harness.h"
#include "ringlib.h"

#define MAX_RECS 64
#define OUR_ID 0x5151

/*
 * An IPv4 datagram of protocol ICMP carrying n bytes (0 or 1) to
 * loopback, header built here: a plain ICMP raw socket wants 2 bytes.
 */
static ssize_t send_tiny(int fd, size_t n)
{
	uint8_t pkt[21];

	vm_ip4_hdr_lo(pkt, 4, IPPROTO_ICMP, n);
	pkt[20] = ICMP_ECHOREPLY;
	return vm_send_lo(fd, 4, pkt, 20 + n);
}

TEST(type_filter_drops_headerless)
{
	static const char *const args[] = { "--format", "kv", "-4", "--type", "echo-reply", NULL };
	static struct vm_reader rd;
	static struct vm_rec recs[MAX_RECS];
	uint8_t buf[32] = { 0 };
	int fd, hdrfd, n, i, ours = 0;
	size_t len;

	fd = rl_raw_socket();
	ASSERT_LE(0, fd);
	hdrfd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	ASSERT_LE(0, hdrfd);
	ASSERT_EQ(0, vm_reader_start(&rd, args)) TH_LOG("%s", rd.err);
	/* Type 0 (echo reply) is the one byte of the second. */
	ASSERT_EQ(20, send_tiny(hdrfd, 0)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(21, send_tiny(hdrfd, 1)) TH_LOG("%s", strerror(errno));
	len = rl_build(buf, ICMP_ECHOREPLY, OUR_ID, 7);
	ASSERT_EQ((ssize_t)len, vm_send_lo(fd, 4, buf, len));
	vm_reader_collect(&rd, 2, 3000);
	usleep(300 * 1000);
	vm_reader_stop(&rd);
	close(fd);
	close(hdrfd);
	n = vm_reader_records(&rd, recs, MAX_RECS);
	for (i = 0; i < n; i++) {
		TH_LOG("record %d: type=%s icmp_len=%s id=%s", i, vm_rec_get(&recs[i], "type"),
		       vm_rec_get(&recs[i], "icmp_len"), vm_rec_get(&recs[i], "id"));
		if (vm_rec_num(&recs[i], "id") == OUR_ID && vm_rec_num(&recs[i], "seq") == 7)
			ours++;
	}
	EXPECT_EQ(2, ours);
	EXPECT_EQ(2, n);
}

TEST_HARNESS_MAIN
