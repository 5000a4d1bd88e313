// The reader's memory stays bounded whatever the kernel's records or a
// capture file hold: every per-key table is fed more distinct keys than its
// limit through the real code path, its size checked, and what it says past
// the limit checked to add up.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cli/icmp_summary.hpp"
#include "cli_child.hpp"
#include "context/format_context.hpp"
#include "pcap/capture_reader.hpp"
#include "pcap/capture_writer.hpp"
#include "pcap/pcapng_blocks.hpp"
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

// Writes n packets (add(w, i) each) to path; the most interfaces a section
// of the writer held.
size_t write_n(const std::string &path, uint32_t n,
	       const std::function<bool(CaptureWriter &, uint32_t)> &add)
{
	size_t most = 0;
	CaptureOptions o;
	o.path = path;
	o.live_names = false;
	CaptureWriter w(o);
	for (uint32_t i = 0; i < n; ++i) {
		assert_true(add(w, i));
		most = std::max(most, w.interfaces());
	}
	w.close();
	assert_int_equal(w.packets(), n);
	return most;
}

// Reads path back, check(packet, i) each; how many packets.
uint32_t read_each(const std::string &path,
		   const std::function<void(const CapturedPacket &, uint32_t)> &check)
{
	UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
	assert_true(fd.valid());
	CaptureReader r(fd_source(fd.get(), path));
	uint32_t i = 0;
	while (const CapturedPacket *p = r.next())
		check(*p, i++);
	return i;
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
	const size_t most = write_n(path, n, [&](CaptureWriter &w, uint32_t i) {
		return w.add(echo_record(ip, 1000 + i / 1000, i % 1000 + 1), FormatContext{}, ip, 0);
	});
	assert_true(most <= CaptureWriter::kMaxInterfaces);
	uint32_t sections = 0;
	const uint32_t read = read_each(path, [&](const CapturedPacket &p, uint32_t i) {
		const std::string want = "netns=" + std::to_string(1000 + i / 1000) +
					 " ifindex=" + std::to_string(i % 1000 + 1);
		assert_string_equal(std::string(p.if_description).c_str(), want.c_str());
		sections = p.section + 1;
	});
	assert_int_equal(read, n);
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

// -r of a hostile pcapng: interfaces with names and descriptions of 64 KiB
// each (the most an option holds).  What a section keeps of them stays
// within kMaxIfString a string, the rest counted; the packets still read.
void test_reader_interface_strings_bounded(void **)
{
	constexpr uint32_t kIfaces = 2048;
	namespace ng = icmptrace::pcapng;
	struct Gen {
		Bytes head, idb, tail;
		uint32_t idbs = 0;
		size_t at = 0;	// in the current piece
		int piece = 0;	// 0 head, 1 idbs, 2 tail, 3 end
	};
	auto g = std::make_shared<Gen>();
	ng::append_shb(g->head, "test", "hostile");
	ng::append_idb(g->idb, ng::kLinktypeRaw, 0, std::string(65000, 'n'), std::string(65000, 'd'));
	ng::EpbMeta m;
	m.interface_id = kIfaces - 1;
	const Bytes ip = echo_v4(1, 1);
	m.wire_len = static_cast<uint32_t>(ip.size());
	ng::append_epb(g->tail, m, ip);
	CaptureReader::Source src{[g](uint8_t *buf, size_t n) -> size_t {
					  for (;;) {
						  const Bytes &b = g->piece == 0	? g->head
								   : g->piece == 1 ? g->idb
										   : g->tail;
						  if (g->piece == 3)
							  return 0;
						  if (g->at < b.size()) {
							  const size_t k = std::min(n, b.size() - g->at);
							  std::memcpy(buf, b.data() + g->at, k);
							  g->at += k;
							  return k;
						  }
						  g->at = 0;
						  if (g->piece != 1 || ++g->idbs == kIfaces)
							  ++g->piece;
					  }
				  },
				  ""};
	CaptureReader r(std::move(src));
	const CapturedPacket *p = r.next();
	assert_non_null(p);
	assert_int_equal(p->interface_id, kIfaces - 1);
	assert_int_equal(p->if_name.size(), CaptureReader::kMaxIfString);
	assert_int_equal(p->if_description.size(), CaptureReader::kMaxIfString);
	assert_true(p->if_name.find_first_not_of('n') == std::string_view::npos);
	assert_true(r.interface_bytes() <= size_t{kIfaces} * 2 * (CaptureReader::kMaxIfString + 1));
	assert_int_equal(r.strings_cut(), 2 * kIfaces);
	assert_null(r.next());
}

// -r of a file of more link types it cannot take apart than it names one
// by one: every such packet is still counted in a warning.
void test_unknown_link_types_all_counted(void **)
{
	namespace ng = icmptrace::pcapng;
	constexpr uint32_t kTypes = 40;
	TempDir dir;
	const std::string path = dir / "links.pcapng";
	Bytes b;
	ng::append_shb(b, "test", "links");
	for (uint32_t i = 0; i < kTypes; ++i)
		ng::append_idb(b, static_cast<uint16_t>(1000 + i), 0, "", "");
	const Bytes frame = echo_v4(1, 1);
	for (uint32_t i = 0; i < kTypes; ++i) {
		ng::EpbMeta m;
		m.interface_id = i;
		m.wire_len = static_cast<uint32_t>(frame.size());
		ng::append_epb(b, m, frame);
	}
	FILE *f = std::fopen(path.c_str(), "wb");
	assert_non_null(f);
	assert_int_equal(std::fwrite(b.data(), 1, b.size(), f), b.size());
	std::fclose(f);
	const ChildResult r = run_cli_child({"-r", path}, "/dev/null");
	assert_int_equal(r.status, 0);
	// "N packets of link type T" and "N packets of other link types".
	uint64_t said = 0;
	for (size_t at = 0; (at = r.err.find("WARNING: ", at)) != std::string::npos;) {
		at += 9;
		if (r.err.compare(at + r.err.substr(at).find(' '), 17, " packets of link ") == 0 ||
		    r.err.compare(at + r.err.substr(at).find(' '), 23, " packets of other link ") == 0)
			said += std::strtoull(r.err.c_str() + at, nullptr, 10);
	}
	if (said != kTypes)
		std::fprintf(stderr, "%s", r.err.c_str());
	assert_int_equal(said, kTypes);
}

// -r -w of a hostile file of ever new sections, an interface each: the
// input interfaces take the same bounded table, and every packet reads
// back on its own input interface.
void test_rewrite_sections_bounded(void **)
{
	TempDir dir;
	const std::string path = dir / "sections.pcapng";
	const uint32_t n = CaptureWriter::kMaxInterfaces + 1000;
	const Bytes ip = echo_v4(1, 1);
	const icmpt_event ev = echo_record(ip, 0, 0);
	CapturedPacket p;
	p.linktype = 101;	// LINKTYPE_RAW
	p.data = ip;
	p.wire_len = static_cast<uint32_t>(ip.size());
	std::string name;
	const size_t most = write_n(path, n, [&](CaptureWriter &w, uint32_t i) {
		name = "in" + std::to_string(i);
		p.section = i;
		p.if_name = name;
		return w.add_frame(ev, FormatContext{}, p, 0);
	});
	assert_true(most <= CaptureWriter::kMaxInterfaces);
	const uint32_t read = read_each(path, [](const CapturedPacket &q, uint32_t i) {
		assert_string_equal(std::string(q.if_name).c_str(), ("in" + std::to_string(i)).c_str());
	});
	assert_int_equal(read, n);
}

} // namespace

int main()
{
	const CMUnitTest tests[] = {
		cmocka_unit_test(test_writer_interfaces_bounded),
		cmocka_unit_test(test_rewrite_sections_bounded),
		cmocka_unit_test(test_summary_processes_bounded),
		cmocka_unit_test(test_summary_rtts_bounded),
		cmocka_unit_test(test_summary_errors_bounded),
		cmocka_unit_test(test_reader_interface_strings_bounded),
		cmocka_unit_test(test_unknown_link_types_all_counted),
	};
	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
