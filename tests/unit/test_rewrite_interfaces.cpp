// -r IN -w OUT of another tool's capture keeps its interfaces (issue 13):
// each input interface (section, interface id) becomes an IDB of its own
// with the input's if_name, if_description, link type, snap length,
// if_tsresol and if_tsoffset, and each packet keeps its interface, its
// link-layer header and its timestamp.  (All of them landed on one IDB,
// "ifindex 0 (netns 0)", LINKTYPE_RAW, nanoseconds.)  Our own files still
// get an IDB per (netns, ifindex) with their names and descriptions.
//
// The input is written here as dumpcap would: three interfaces of three
// link types and resolutions in one section, a fourth in a second section.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli_child.hpp"
#include "pcap/capture_reader.hpp"
#include "pcap/packet_event.hpp"
#include "pcap/pcapng_blocks.hpp"
#include "sample_packets.hpp"
#include "util/unique_fd.hpp"
// Last: cmocka defines macros (fail, skip) that clash with the C++ library.
#include "cmocka_includes.hpp"

using namespace icmptrace;
using namespace icmptrace::test;
namespace ng = icmptrace::pcapng;
using Bytes = std::vector<uint8_t>;
using Args = std::vector<std::string>;

namespace {

const std::string kOwn = TESTDATA_DIR "/../../fuzz/corpus_capture/own.pcapng";

// A packet as read back, with its interface as the file describes it.
struct Pkt {
	uint32_t iface;
	std::string name, desc;
	uint32_t linktype, snaplen;
	uint8_t tsresol;
	int64_t tsoffset;
	uint64_t ts_raw;
	Bytes data;
};

std::vector<Pkt> read_packets(const std::string &path)
{
	std::vector<Pkt> out;
	UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
	assert_true(fd.valid());
	CaptureReader r(fd_source(fd.get(), path));
	while (const CapturedPacket *p = r.next())
		out.push_back({p->interface_id, std::string(p->if_name), std::string(p->if_description),
			       p->linktype, p->if_snaplen, p->if_tsresol, p->if_tsoffset, p->ts_raw,
			       Bytes(p->data.begin(), p->data.end())});
	return out;
}

void write_file(const std::string &path, const Bytes &b)
{
	FILE *f = std::fopen(path.c_str(), "wb");
	assert_non_null(f);
	assert_int_equal(std::fwrite(b.data(), 1, b.size(), f), b.size());
	assert_int_equal(std::fclose(f), 0);
}

struct TempFiles {
	std::string in, out;
	TempFiles()
	{
		char d[] = "/tmp/icmpt-rewrite-XXXXXX";
		assert_non_null(mkdtemp(d));
		dir = d;
		in = dir + "/in";
		out = dir + "/out.pcapng";
	}
	~TempFiles()
	{
		unlink(in.c_str());
		unlink(out.c_str());
		rmdir(dir.c_str());
	}
	std::string dir;
};

void epb(Bytes &b, uint32_t iface, uint64_t ts, const Bytes &frame)
{
	ng::EpbMeta m;
	m.interface_id = iface;
	m.ts = ts;
	m.wire_len = static_cast<uint32_t>(frame.size());
	ng::append_epb(b, m, frame);
}

constexpr uint8_t kMicro = 6, kNano = 9, kBinary20 = 0x80 | 20;	// 2^-20 s

// Section 1: eth0 (Ethernet, us), tun0 (raw IP, ns, a description), any
// (Linux cooked v2, 2^-20 s, an offset of 100 s); a UDP packet on eth0 that
// -r skips.  Section 2: eth0 again, an interface of its own.
Bytes foreign_capture()
{
	Bytes b;
	ng::append_shb(b, "Dumpcap (Wireshark) 4.0.17", "Linux 6.1.0");
	ng::append_idb(b, kLinktypeEthernet, 262144, "eth0", "", kMicro);
	ng::append_idb(b, kLinktypeRaw, 65535, "tun0", "the VPN", kNano);
	ng::append_idb(b, kLinktypeLinuxSll2, 262144, "any", "", kBinary20, 100);
	Bytes udp = echo_v4(9, 9);
	udp[9] = 17;
	epb(b, 0, 1700000000000001ULL, ether(echo_v4(1, 1)));
	epb(b, 1, 1700000000000000002ULL, echo_v4(1, 1, 0));
	epb(b, 2, (1700000000ULL << 20) | 3, sll2(echo_v4(2, 1), 4));
	epb(b, 0, 1700000000000004ULL, ether(udp));
	epb(b, 0, 1700000000000005ULL, ether(echo_v4(1, 2, 0)));
	ng::append_shb(b, "Dumpcap (Wireshark) 4.0.17", "Linux 6.1.0");
	ng::append_idb(b, kLinktypeEthernet, 262144, "eth0", "", kMicro);
	epb(b, 0, 1700000001000006ULL, ether(echo_v4(3, 1)));
	return b;
}

void expect_same(const Pkt &got, const Pkt &want, uint32_t iface)
{
	if (got.iface != iface || got.name != want.name || got.desc != want.desc ||
	    got.linktype != want.linktype || got.snaplen != want.snaplen ||
	    got.tsresol != want.tsresol || got.tsoffset != want.tsoffset ||
	    got.ts_raw != want.ts_raw || got.data != want.data)
		fail_msg("packet on interface %u '%s' (linktype %u, tsresol %u, ts %llu, %zu "
			 "bytes): expected interface %u '%s' (linktype %u, tsresol %u, ts %llu, "
			 "%zu bytes)",
			 got.iface, got.name.c_str(), got.linktype, got.tsresol,
			 static_cast<unsigned long long>(got.ts_raw), got.data.size(), iface,
			 want.name.c_str(), want.linktype, want.tsresol,
			 static_cast<unsigned long long>(want.ts_raw), want.data.size());
}

void test_foreign_interfaces_kept(void **)
{
	TempFiles f;
	write_file(f.in, foreign_capture());
	const std::vector<Pkt> in = read_packets(f.in);
	assert_int_equal(in.size(), 6);

	ChildResult r = run_cli_child({"-r", f.in, "-w", f.out}, "/dev/null");
	assert_int_equal(r.status, 0);
	std::vector<Pkt> out = read_packets(f.out);
	assert_int_equal(out.size(), 5);	// the UDP packet is no ICMP
	expect_same(out[0], in[0], 0);
	expect_same(out[1], in[1], 1);
	expect_same(out[2], in[2], 2);
	expect_same(out[3], in[4], 0);
	expect_same(out[4], in[5], 3);	// the second section's eth0

	// With a filter: only the interfaces of the packets written.
	r = run_cli_child({"-r", f.in, "-w", f.out, "--type", "echo-reply"}, "/dev/null");
	assert_int_equal(r.status, 0);
	out = read_packets(f.out);
	assert_int_equal(out.size(), 2);
	expect_same(out[0], in[1], 0);
	expect_same(out[1], in[4], 1);
}

// A classic pcap: its one interface, no name, its link type and resolution.
void test_classic_pcap_interface_kept(void **)
{
	TempFiles f;
	for (const bool nanos : {false, true}) {
		write_file(f.in, pcap_file(nanos, nanos, kLinktypeEthernet,
					   {ether(echo_v4(5, 1)), ether(echo_v4(5, 1, 0))}));
		const std::vector<Pkt> in = read_packets(f.in);
		ChildResult r = run_cli_child({"-r", f.in, "-w", f.out}, "/dev/null");
		assert_int_equal(r.status, 0);
		const std::vector<Pkt> out = read_packets(f.out);
		assert_int_equal(out.size(), 2);
		expect_same(out[0], in[0], 0);
		expect_same(out[1], in[1], 0);
		assert_int_equal(out[0].tsresol, nanos ? kNano : kMicro);
		assert_int_equal(out[0].snaplen, 262144);
		assert_int_equal(out[1].ts_raw,
				 nanos ? 1700000001000000005ULL : 1700000001000007ULL);
	}
}

// Our own file: an IDB per (netns, ifindex) as the live run wrote them, the
// same names and descriptions, the packets on the same interfaces.
void test_own_interfaces_round_trip(void **)
{
	TempFiles f;
	const std::vector<Pkt> in = read_packets(kOwn);
	ChildResult r = run_cli_child({"-r", kOwn, "-w", f.out}, "/dev/null");
	assert_int_equal(r.status, 0);
	const std::vector<Pkt> out = read_packets(f.out);
	assert_int_equal(out.size(), in.size());
	for (size_t i = 0; i < in.size(); ++i) {
		Pkt want = in[i];
		want.snaplen = out[i].snaplen;	// -r -w does not know the live run's
		expect_same(out[i], want, in[i].iface);
		assert_int_equal(out[i].linktype, kLinktypeRaw);
		assert_non_null(std::strstr(out[i].desc.c_str(), "netns="));
	}
}

} // namespace

int main()
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_foreign_interfaces_kept),
		cmocka_unit_test(test_classic_pcap_interface_kept),
		cmocka_unit_test(test_own_interfaces_round_trip),
	};
	return cmocka_run_group_tests_name("rewrite_interfaces", tests, nullptr, nullptr);
}
