// The reader's memory stays bounded whatever the kernel's records or a
// capture file hold: every per-key table is fed more distinct keys than its
// limit through the real code path, its size checked, and what it says past
// the limit checked to add up.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli/icmp_summary.hpp"
#include "context/format_context.hpp"
#include "pcap/capture_reader.hpp"
#include "pcap/capture_writer.hpp"
#include "sample_events.hpp"
#include "sample_packets.hpp"
#include "scratch.hpp"
#include "util/unique_fd.hpp"
// Last: cmocka defines macros (fail, skip) that clash with the C++ library.
#include "cmocka_includes.hpp"

using namespace icmptrace;
using namespace icmptrace::test;
using Bytes = std::vector<uint8_t>;

namespace {

icmpt_event echo_record(const Bytes &ip, uint32_t netns, uint32_t ifindex)
{
	icmpt_event ev;
	assert_true(raw_ip_record(ip, static_cast<uint32_t>(ip.size()), ev));
	ev.ts_real_ns = 1700000000000000000ULL;
	ev.ts_boot_ns = 5000000000ULL;
	ev.direction = ICMPT_DIR_OUT;
	ev.owner = ICMPT_OWNER_NONE;
	ev.pkt_netns = netns;
	ev.ifindex = ifindex;
	return ev;
}

// -w on a host where namespaces and interfaces come and go without end:
// the interface table of a section stays at its limit, a new section takes
// the interfaces past it, and every packet reads back on its own interface.
void test_writer_interfaces_bounded(void **)
{
	TempDir dir;
	const std::string path = dir / "many.pcapng";
	const uint32_t n = 2 * CaptureWriter::kMaxInterfaces + 100;
	const Bytes ip = echo_v4(1, 1);
	size_t most = 0;
	{
		CaptureOptions o;
		o.path = path;
		o.live_names = false;
		CaptureWriter w(o);
		for (uint32_t i = 0; i < n; ++i) {
			assert_true(w.add(echo_record(ip, 1000 + i / 1000, i % 1000 + 1), FormatContext{},
					  ip, 0));
			most = std::max(most, w.interfaces());
		}
		w.close();
		assert_int_equal(w.packets(), n);
	}
	assert_true(most <= CaptureWriter::kMaxInterfaces);
	UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
	assert_true(fd.valid());
	CaptureReader r(fd_source(fd.get(), path));
	uint32_t i = 0, sections = 0;
	while (const CapturedPacket *p = r.next()) {
		const std::string want = "netns=" + std::to_string(1000 + i / 1000) +
					 " ifindex=" + std::to_string(i % 1000 + 1);
		assert_string_equal(std::string(p->if_description).c_str(), want.c_str());
		sections = p->section + 1;
		++i;
	}
	assert_int_equal(i, n);
	assert_int_equal(sections, 3);
}

// --summary of a run that sees a million owners, destinations and quoted
// destinations (pids, addresses: anyone's to choose): each table keeps
// kMaxRows rows, the rest counted under "(other)", and the counts add up.
constexpr uint32_t kMany = 1000000;

void addr_of(uint8_t (&a)[16], uint32_t n)
{
	std::memset(a, 0, sizeof(a));
	a[0] = 10;
	a[1] = static_cast<uint8_t>(n >> 16);
	a[2] = static_cast<uint8_t>(n >> 8);
	a[3] = static_cast<uint8_t>(n);
}

void test_summary_processes_bounded(void **)
{
	IcmpSummary s;
	icmpt_event ev = sample_echo_request();
	ev.pkt.flags &= static_cast<uint16_t>(~ICMPT_PKT_HAS_ECHO);	// no round trips here
	for (uint32_t i = 0; i < kMany; ++i) {
		ev.task.pid = ev.task.tid = 1000 + i;
		s.add(ev, FormatContext{});
	}
	assert_true(s.by_process().size() <= IcmpSummary::kMaxRows + 1);
	uint64_t total = 0, other = 0;
	for (const auto &[p, c] : s.by_process()) {
		total += c.total();
		if (p.comm == "(other)")
			other = c.total();
	}
	assert_int_equal(total, kMany);
	assert_int_equal(other, kMany - IcmpSummary::kMaxRows);
	assert_non_null(std::strstr(s.text().c_str(), "(other)"));
}

void test_summary_rtts_bounded(void **)
{
	IcmpSummary s;
	icmpt_event req = sample_echo_request(), rep = req;
	rep.direction = ICMPT_DIR_IN;
	rep.owner = ICMPT_OWNER_MATCHED;
	rep.pkt.type = 0;
	for (uint32_t i = 0; i < kMany; ++i) {
		req.ts_boot_ns = 1000000000ULL + i * 1000ULL;
		rep.ts_boot_ns = req.ts_boot_ns + 500;
		addr_of(req.pkt.daddr, i);
		addr_of(rep.pkt.saddr, i);
		s.add(req, FormatContext{});
		s.add(rep, FormatContext{});
	}
	assert_true(s.rtts().size() <= IcmpSummary::kMaxRows + 1);
	uint64_t replies = 0;
	for (const auto &[k, r] : s.rtts()) {
		replies += r.n;
		assert_int_equal(r.min_ns, 500);
		assert_int_equal(r.max_ns, 500);
	}
	assert_int_equal(replies, kMany);
	assert_int_equal(s.unanswered(), 0);
}

void test_summary_errors_bounded(void **)
{
	IcmpSummary s;
	icmpt_event ev = sample_echo_request();
	ev.direction = ICMPT_DIR_IN;
	ev.owner = ICMPT_OWNER_NONE;
	ev.pkt.type = 3;
	ev.pkt.code = 3;
	ev.pkt.flags = ICMPT_PKT_HAS_INNER;
	ev.detail.kind = ICMPT_DET_ERROR;
	ev.detail.inner.flags = ICMPT_INNER_IP;
	ev.detail.inner.version = 4;
	for (uint32_t i = 0; i < kMany; ++i) {
		addr_of(ev.detail.inner.daddr, i);
		s.add(ev, FormatContext{});
	}
	assert_true(s.errors().size() <= IcmpSummary::kMaxRows + 1);
	uint64_t n = 0;
	for (const auto &[k, c] : s.errors())
		n += c;
	assert_int_equal(n, kMany);
}

} // namespace

int main()
{
	const CMUnitTest tests[] = {
		cmocka_unit_test(test_writer_interfaces_bounded),
		cmocka_unit_test(test_summary_processes_bounded),
		cmocka_unit_test(test_summary_rtts_bounded),
		cmocka_unit_test(test_summary_errors_bounded),
	};
	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
