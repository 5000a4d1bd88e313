// Records whose ICMP type was not read (a capture cut before the ICMP
// header, a non-first fragment): no format, filter or summary may present
// them as type 0 (EchoReply); and records of unknown direction (pcaps of
// other tools) are neither in nor out.
#include <cstring>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/icmp_summary.hpp"
#include "control/filter_match.hpp"
#include "format/event_fields.hpp"
#include "format/formatters.hpp"
#include "sample_packets.hpp"
extern "C" {
#include "../../kmod/icmpt_parse.h"
}
// Last: cmocka defines macros (fail, skip) that clash with the C++ library.
#include "cmocka_includes.hpp"

using namespace icmptrace;
using namespace icmptrace::test;

namespace {

using Bytes = std::vector<uint8_t>;

bool has(const std::string &s, const char *part) { return s.find(part) != std::string::npos; }

// -r of the first snap bytes of ip (raw IP, as tcpdump -s snap writes it).
icmpt_event read_cut(const Bytes &ip, size_t snap)
{
	icmpt_event ev;
	assert_true(raw_ip_record(Bytes(ip.begin(), ip.begin() + static_cast<long>(snap)),
				  static_cast<uint32_t>(ip.size()), ev));
	return ev;
}

// An ICMPv6 echo reply fd00::1 -> fd00::2 behind ext (extension header
// bytes, first next-header 60 when any), 8 bytes of message.
Bytes echo_v6(size_t ext = 0)
{
	Bytes b(40 + ext + 8, 0);
	b[0] = 0x60;
	b[4] = 0;
	b[5] = static_cast<uint8_t>(ext + 8);
	b[6] = ext ? 60 : 58;
	b[7] = 64;
	b[8] = b[24] = 0xfd;
	b[23] = 1;
	b[39] = 2;
	if (ext) {
		b[40] = 58;
		b[41] = static_cast<uint8_t>(ext / 8 - 1);
	}
	b[40 + ext] = 129;
	return b;
}

std::string text(const icmpt_event &ev)
{
	std::string s;
	format_text(ev, s);
	return s;
}

// What every format goes by: the text line names a type or says no-type.
bool typed(const icmpt_event &ev) { return !has(text(ev), " no-type "); }

std::string json(const icmpt_event &ev)
{
	std::string s;
	format_json(ev, FormatContext{}, s);
	return s;
}

std::string ecs(const icmpt_event &ev)
{
	std::string s;
	format_ecs(ev, FormatContext{}, s);
	return s;
}

// D3: tcpdump -s 20 (or icmptrace -w -s 20) keeps the IPv4 header only.
// The IP length says 16 bytes of ICMP, but none was captured: the type is
// not known, whatever icmp_len says.
void test_cut_before_type_v4(void **)
{
	const icmpt_event ev = read_cut(echo_v4(1, 1, 0), 20);
	assert_int_equal(ev.pkt.icmp_len, 16);
	assert_false(typed(ev));
	assert_false(has(text(ev), "EchoReply"));
	assert_true(has(json(ev), "\"typeCode\":\"\","));
	assert_false(has(ecs(ev), "EchoReply"));
	FilterSpec f;
	f.icmp.push_back({4, 0, std::nullopt});	// --type echo-reply
	assert_false(filter_matches(f, ev));
	IcmpSummary s;
	s.add(ev, FormatContext{});
	assert_int_equal(s.packets(), 1);
	assert_true(s.by_type().empty());
	assert_false(has(s.text(), "EchoReply"));
	// One byte of ICMP (21): still no type.  Two (22): the type was read.
	assert_false(typed(read_cut(echo_v4(1, 1, 0), 21)));
	const icmpt_event two = read_cut(echo_v4(1, 1, 0), 22);
	assert_true(typed(two));
	assert_true(has(text(two), " EchoReply "));
	assert_true(filter_matches(f, two));
}

void test_cut_before_type_v6(void **)
{
	const icmpt_event ev = read_cut(echo_v6(), 40);
	assert_false(typed(ev));
	// Behind 8 bytes of extension header, cut at the ICMPv6 header.
	assert_false(typed(read_cut(echo_v6(8), 48)));
	assert_true(typed(read_cut(echo_v6(8), 50)));
	FilterSpec f;
	f.icmp.push_back({6, 129, std::nullopt});
	assert_false(filter_matches(f, ev));
	assert_true(filter_matches(f, read_cut(echo_v6(8), 50)));
}

std::string kv(const icmpt_event &ev)
{
	std::string s;
	format_kv(ev, s);
	return s;
}

// A non-first IPv4 fragment (offset 8 bytes): no ICMP header at all.
icmpt_event fragment_v4()
{
	Bytes b = echo_v4(1, 1, 0);
	b[6] = 0x00;
	b[7] = 0x01;
	icmpt_event ev;
	assert_true(raw_ip_record(b, static_cast<uint32_t>(b.size()), ev));
	assert_true(ev.pkt.flags & ICMPT_PKT_FRAGMENT);
	return ev;
}

// D7: ECS leaves out icmp.request/icmp.response when no type was read
// (Packetbeat's "response" with type 0 says echo reply); kv keeps its keys
// but gives them no value.
void test_ecs_kv_without_type(void **)
{
	for (const icmpt_event &ev : {fragment_v4(), read_cut(echo_v4(1, 1, 0), 20)}) {
		const std::string e = ecs(ev);
		assert_true(has(e, ",\"icmp\":{\"version\":\"4\"},\"icmptrace\":{"));
		assert_false(has(e, "\"response\""));
		assert_false(has(e, "\"request\""));
		assert_true(has(kv(ev), " dst=10.0.0.2 type= code= csum="));
	}
	const icmpt_event reply = read_cut(echo_v4(1, 1, 0), 36);
	assert_true(has(ecs(reply), ",\"icmp\":{\"version\":\"4\",\"response\":{\"type\":0,"
				    "\"code\":0,\"message\":\"EchoReply\"}},"));
	assert_true(has(kv(reply), " type=0 code=0 csum="));
}

// kv's csum= has no value where the checksum was not read (a fragment, a
// capture cut before it), as type= and code= have none: "csum=0" said the
// packet's checksum field held 0.  csum_check=none stays: nothing was
// checked, which is true.
void test_kv_csum_unknown(void **)
{
	for (const icmpt_event &ev : {fragment_v4(), read_cut(echo_v4(1, 1, 0), 20),
				      read_cut(echo_v4(1, 1, 0), 21)}) {
		const std::string k = kv(ev);
		assert_true(has(k, " type= code= csum= rest="));
		assert_true(has(k, " csum_check=none "));
	}
	// The type read, the checksum not (2 of its bytes cut off, or 1).
	for (size_t snap : {22, 23})
		assert_true(has(kv(read_cut(echo_v4(1, 1, 0), snap)), " type=0 code=0 csum= rest="));
	const icmpt_event whole = read_cut(echo_v4(1, 1, 0), 24);
	assert_false(has(kv(whole), " csum= "));
	const std::string want = " csum=" + std::to_string(whole.pkt.checksum) + " ";
	assert_true(has(kv(whole), want.c_str()));
}

// The same in text (no csum=0x0000) and ECS (no icmptrace.checksum: 0,
// doc/ecs.md leaves out what the record lacks).
void test_text_ecs_csum_unknown(void **)
{
	for (size_t snap : {20, 21, 22, 23}) {
		const icmpt_event ev = read_cut(echo_v4(1, 1, 0), snap);
		assert_false(has(text(ev), " csum="));
		assert_false(has(ecs(ev), "\"checksum\""));
	}
	assert_false(has(text(fragment_v4()), " csum="));
	assert_false(has(ecs(fragment_v4()), "\"checksum\""));
	const icmpt_event whole = read_cut(echo_v4(1, 1, 0), 24);
	char want[32];
	std::snprintf(want, sizeof(want), " csum=0x%04x ", whole.pkt.checksum);
	assert_true(has(text(whole), want));
	const std::string ecs_want = "\"checksum\":" + std::to_string(whole.pkt.checksum) + ",";
	assert_true(has(ecs(whole), ecs_want.c_str()));
}

// D7: --summary's type table gives packets with no type a row, so its
// counts add up to the packets.
void test_summary_no_type_rows(void **)
{
	IcmpSummary s;
	icmpt_event frag = fragment_v4();
	frag.direction = ICMPT_DIR_IN;
	s.add(frag, FormatContext{});
	s.add(frag, FormatContext{});
	icmpt_event cut = read_cut(echo_v4(1, 1, 0), 20);
	cut.direction = ICMPT_DIR_IN;
	s.add(cut, FormatContext{});
	icmpt_event reply = read_cut(echo_v4(1, 1, 0), 36);
	reply.direction = ICMPT_DIR_IN;
	s.add(reply, FormatContext{});
	assert_int_equal(s.packets(), 4);
	const std::string t = s.text();
	assert_true(has(t, "  in   ipv4    0     0     EchoReply      1\n"
			   "  in   ipv4    -     -     no-type        1\n"
			   "  in   ipv4    -     -     fragment       2\n"));
	assert_true(has(s.json(), "\"types\":[{\"family\":4,\"type\":0,\"code\":0,"
			    "\"name\":\"EchoReply\",\"direction\":\"in\",\"count\":1},"
			    "{\"family\":4,\"type\":null,\"code\":null,\"name\":\"no-type\","
			    "\"direction\":\"in\",\"count\":1},{\"family\":4,\"type\":null,"
			    "\"code\":null,\"name\":\"fragment\",\"direction\":\"in\",\"count\":2}],"));
}

// D10: -r of a pcap that does not give the direction (Ethernet, raw IP):
// such packets are neither OUT nor IN in the process table, but in TOTAL.
void test_summary_unknown_direction(void **)
{
	IcmpSummary s;
	const icmpt_event none = read_cut(echo_v4(1, 1, 0), 36);	// direction 0
	s.add(none, FormatContext{});
	s.add(none, FormatContext{});
	icmpt_event in = none;
	in.direction = ICMPT_DIR_IN;
	s.add(in, FormatContext{});
	const std::string t = s.text();
	assert_true(has(t, "  PID  COMM        CONTAINER  OUT  IN  TOTAL\n"
			   "  -    (no owner)  -            0   1      3\n"));
	assert_true(has(s.json(), "\"processes\":[{\"comm\":\"(no owner)\",\"pid\":0,"
			    "\"container\":\"\",\"out\":0,\"in\":1,\"unknown\":2}],"));
	// Records with a direction (every live one) keep their JSON.
	IcmpSummary live;
	live.add(in, FormatContext{});
	assert_true(has(live.json(), "\"out\":0,\"in\":1}],"));
}

// The module's IPv6 records (icmpt_parse_v6_at) count det.caplen as 40 +
// the ICMPv6 bytes, without the extension headers: behind 64 bytes of
// them an 8-byte echo has caplen 48 < icmp_off 104 + 2, and its type was
// read all the same.  Live output must not change.
void test_module_v6_records_keep_type(void **)
{
	const Bytes b = echo_v6(64);
	icmpt_v6_chain c{};
	c.nh = 58;
	c.off = 104;
	c.hdrs = 1;
	icmpt_event ev{};
	icmpt_parse_v6_at(&ev.pkt, &ev.detail, b.data(), &c, b.data() + 104, 8,
			  static_cast<unsigned>(b.size()));
	assert_int_equal(ev.detail.icmp_off, 104);
	assert_int_equal(ev.detail.caplen, 48);
	assert_int_equal(ev.pkt.type, 129);
	assert_true(typed(ev));
	assert_true(has(text(ev), " EchoReply "));
}

} // namespace

int main()
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cut_before_type_v4),
		cmocka_unit_test(test_cut_before_type_v6),
		cmocka_unit_test(test_module_v6_records_keep_type),
		cmocka_unit_test(test_ecs_kv_without_type),
		cmocka_unit_test(test_kv_csum_unknown),
		cmocka_unit_test(test_text_ecs_csum_unknown),
		cmocka_unit_test(test_summary_no_type_rows),
		cmocka_unit_test(test_summary_unknown_direction),
	};
	return cmocka_run_group_tests_name("no_type", tests, nullptr, nullptr);
}
