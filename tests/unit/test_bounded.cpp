// The reader's memory stays bounded whatever the kernel's records or a
// capture file hold: every per-key table is fed more distinct keys than its
// limit through the real code path, its size checked, and what it says past
// the limit checked to add up.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "context/format_context.hpp"
#include "pcap/capture_reader.hpp"
#include "pcap/capture_writer.hpp"
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

} // namespace

int main()
{
	const CMUnitTest tests[] = {
		cmocka_unit_test(test_writer_interfaces_bounded),
	};
	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
