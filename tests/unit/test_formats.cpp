// text, kv and JSON lines, compared as full strings; JSON also against the
// key order and value types of tracee's own net_packet_icmp line.
#include <arpa/inet.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <string>

#include "format/event_fields.hpp"
#include "format/formatters.hpp"
#include "json_shape.hpp"
#include "sample_events.hpp"
// Last: cmocka defines macros (fail, skip) that clash with the C++ library.
#include "cmocka_includes.hpp"

using namespace icmptrace;
using namespace icmptrace::test;

namespace {

const FormatContext kCtx{"rugged"};

std::string text(const icmpt_event &ev)
{
	std::string s;
	format_text(ev, s);
	return s;
}
std::string kv(const icmpt_event &ev)
{
	std::string s;
	format_kv(ev, s);
	return s;
}
std::string json(const icmpt_event &ev)
{
	std::string s;
	format_json(ev, kCtx, s);
	return s;
}

std::string seed_line()
{
	std::ifstream f(TESTDATA_DIR "/tracee_net_packet_icmp.json");
	std::string line;
	std::getline(f, line);
	return line;
}

void replace(std::string &s, const std::string &from, const std::string &to)
{
	size_t at = s.find(from);
	assert_true(at != std::string::npos);
	s.replace(at, from.size(), to);
}

// --- text ---

void test_text_sender(void **)
{
	assert_string_equal(text(sample_echo_request()).c_str(),
			    "18:09:41.814910 cpu6 out 192.168.200.50 > 8.8.8.8 EchoRequest id=6 "
			    "seq=2 csum=0x9549 len=84 pid=1094692 tid=1094692 uid=1000 comm=ping "
			    "owner=sender\n");
}

void test_text_no_owner(void **)
{
	// The record's stray task bytes must not show.
	assert_string_equal(text(sample_echo_reply()).c_str(),
			    "18:09:41.823805 cpu1 in 8.8.8.8 > 192.168.200.50 EchoReply id=6 seq=2 "
			    "csum=0x9d49 len=84 owner=none\n");
}

void test_text_kernel_v6(void **)
{
	assert_string_equal(text(sample_icmpv6_unreach()).c_str(),
			    "22:13:20.000000 cpu0 out ::1 > fd00::2 "
			    "DestinationUnreachable(PortUnreachable) csum=0xbeef len=1280 "
			    "owner=kernel\n");
}

void test_text_flags_and_comm(void **)
{
	icmpt_event ev = sample_echo_request();
	ev.pkt.flags = ICMPT_PKT_FRAGMENT | ICMPT_PKT_TRUNCATED;
	std::memcpy(ev.task.comm, "my prog=\"x\"\\\x01", 14);
	assert_string_equal(text(ev).c_str(),
			    "18:09:41.814910 cpu6 out 192.168.200.50 > 8.8.8.8 fragment "
			    "len=84 flags=truncated,fragment pid=1094692 tid=1094692 "
			    "uid=1000 comm=my\\x20prog\\x3d\\x22x\\x22\\x5c\\x01 owner=sender\n");
}

// Fewer than 2 bytes of message, or a fragment: no type was read, and type
// 0 must not read as EchoReply in any format (it did, from a 1-byte ICMP).
void test_no_type_is_not_named(void **)
{
	icmpt_event ev = sample_echo_reply();
	ev.pkt.icmp_len = 1;
	ev.pkt.flags = ICMPT_PKT_TRUNCATED;
	ev.detail.kind = ICMPT_DET_NONE;	// as the parser leaves it
	assert_string_equal(text(ev).c_str(),
			    "18:09:41.823805 cpu1 in 8.8.8.8 > 192.168.200.50 no-type "
			    "len=84 flags=truncated owner=none\n");
	assert_true(json(ev).find("\"typeCode\":\"\",") != std::string::npos);
	std::string ecs;
	format_ecs(ev, kCtx, ecs);
	assert_true(ecs.find("\"icmp\":{\"version\":\"4\"},") != std::string::npos);
	assert_true(ecs.find("EchoReply") == std::string::npos);
	ev.pkt.icmp_len = 64;
	ev.pkt.flags = ICMPT_PKT_FRAGMENT;
	assert_true(json(ev).find("\"typeCode\":\"\",") != std::string::npos);
	ev.pkt.flags = 0;
	assert_true(json(ev).find("\"typeCode\":\"EchoReply\",") != std::string::npos);
}

// format_addr writes IPv6 text itself: it must be inet_ntop's, for every
// pattern of zero words (runs, ties, v4-mapped/compatible) and for IPv4.
void test_addr_matches_inet_ntop(void **)
{
	const uint16_t words[] = {0, 1, 0xffff, 0xabc};
	for (unsigned pattern = 0; pattern < (1u << 16); ++pattern) {
		uint8_t a[16];
		for (int i = 0; i < 8; ++i) {
			const uint16_t w = words[pattern >> (2 * i) & 3];
			a[2 * i] = static_cast<uint8_t>(w >> 8);
			a[2 * i + 1] = static_cast<uint8_t>(w);
		}
		char want[INET6_ADDRSTRLEN];
		assert_non_null(inet_ntop(AF_INET6, a, want, sizeof(want)));
		assert_string_equal(format_addr(6, a).c_str(), want);
		assert_non_null(inet_ntop(AF_INET, a, want, sizeof(want)));
		assert_string_equal(format_addr(4, a).c_str(), want);
	}
	const uint8_t none[16] = {};
	assert_string_equal(format_addr(5, none).c_str(), "?");
}

void test_flag_names(void **)
{
	assert_string_equal(packet_flag_names(0).c_str(), "");
	assert_string_equal(packet_flag_names(ICMPT_PKT_HAS_ECHO).c_str(), "echo");
	assert_string_equal(packet_flag_names(ICMPT_PKT_TRUNCATED | ICMPT_PKT_BAD_IP).c_str(),
			    "truncated,bad_ip");
	assert_string_equal(packet_flag_names(0x80000000u | ICMPT_PKT_FRAGMENT).c_str(),
			    "fragment,0x80000000");
}

// --- kv ---

void test_kv_sender(void **)
{
	assert_string_equal(kv(sample_echo_request()).c_str(),
			    "ts=1696270181814910395 cpu=6 dir=out family=4 src=192.168.200.50 "
			    "dst=8.8.8.8 type=8 code=0 csum=38217 rest=0x00060002 id=6 seq=2 "
			    "flags=0x8 ip_len=84 owner=sender ctx=task pid=1094692 tid=1094692 "
			    "ppid=1037836 ns_pid=1094692 ns_tid=1094692 uid=1000 gid=1000 comm=ping "
			    "netns=4026531840 pkt_netns=4026531840 cgroup=5650 syscall=sendto "
			    "ts_boot=5000000000000 ttl=64 icmp_len=64 ifindex=2 ns_ppid=1037836 "
			    "start_time=4998996386541 mnt_ns=4026531841 pid_ns=4026531836 "
			    "uts_ns=4026531838 syscall_nr=44 csum_check=none detail=echo icmp_id=6 "
			    "icmp_seq=2 container= hostname=\n");
}

void test_kv_no_owner(void **)
{
	assert_string_equal(kv(sample_echo_reply()).c_str(),
			    "ts=1696270181823805929 cpu=1 dir=in family=4 src=8.8.8.8 "
			    "dst=192.168.200.50 type=0 code=0 csum=40265 rest=0x00060002 id=6 seq=2 "
			    "flags=0x8 ip_len=84 owner=none ctx=softirq pid=0 tid=0 ppid=0 ns_pid=0 "
			    "ns_tid=0 uid=0 gid=0 comm= netns=0 pkt_netns=4026531840 cgroup=0 "
			    "syscall= ts_boot=5000008895534 ttl=117 icmp_len=64 ifindex=2 ns_ppid=0 "
			    "start_time=0 mnt_ns=0 pid_ns=0 uts_ns=0 syscall_nr=-1 csum_check=none "
			    "detail=echo icmp_id=6 icmp_seq=2 container= hostname=\n");
}

// Whatever comm holds, the line stays space-separated key=value tokens.
void test_kv_tokens(void **)
{
	icmpt_event ev = sample_echo_request();
	std::memcpy(ev.task.comm, "a b=c\td\ne\xff\x80 zzzz", 16);	// no NUL
	std::string line = kv(ev);
	assert_true(line.find("comm=a\\x20b\\x3dc\\x09d\\x0ae\\xff\\x80\\x20zzzz ") !=
		    std::string::npos);
	assert_int_equal(line.back(), '\n');
	std::istringstream in(line);
	std::string tok;
	int n = 0;
	while (in >> tok) {
		size_t eq = tok.find('=');
		assert_true(eq != std::string::npos && eq > 0);
		assert_true(tok.find('=', eq + 1) == std::string::npos);
		++n;
	}
	assert_int_equal(n, 44);
}

// --- JSON ---

// Our line for the seed's packet is tracee's line, except the entity ids we
// do not compute yet, plus our own trailing object.
void test_json_equals_tracee_line(void **)
{
	std::string want = seed_line();
	assert_true(want.size() > 100);
	replace(want, "\"threadEntityId\":4158935444,\"processEntityId\":4158935444,"
		      "\"parentEntityId\":2142180145",
		"\"threadEntityId\":0,\"processEntityId\":0,\"parentEntityId\":0");
	replace(want, "}}]}",
		"}}],\"icmptrace\":{\"direction\":\"egress\",\"owner\":\"sender\","
		"\"ctx\":\"task\",\"family\":4,\"type\":8,\"code\":0,\"rest\":393218,"
		"\"flags\":8,\"ttl\":64,\"ip_len\":84,\"icmp_len\":64,\"ifindex\":2,"
		"\"pkt_netns\":4026531840,\"task_netns\":4026531840,\"uts_ns\":4026531838,"
		"\"gid\":1000,\"syscall_nr\":44,\"ts_boot_ns\":5000000000000,"
		"\"csum_check\":\"none\",\"detail\":{\"kind\":\"echo\",\"id\":6,\"seq\":2}}}");
	want += '\n';
	assert_string_equal(json(sample_echo_request()).c_str(), want.c_str());
}

// Same keys, order, nesting and value types as tracee, for every kind of
// record; "icmptrace" only last.
void check_shape(const icmpt_event &ev, bool v6, size_t detail_members)
{
	std::vector<std::string> want = json_shape(seed_line());
	std::vector<std::string> got = json_shape(json(ev));
	size_t mine = 0;
	while (!got.empty() && got.back().rfind("icmptrace", 0) == 0) {
		got.pop_back();
		++mine;
	}
	// The object, its 19 members, and what "detail"/"inner" hold.
	assert_int_equal(mine, 20 + detail_members);
	if (v6) {
		// tracee's ProtoICMPv6 has typeCode and checksum only.
		std::erase(want, std::string("args[].value.id=number"));
		std::erase(want, std::string("args[].value.seq=number"));
	}
	assert_int_equal(got.size(), want.size());
	for (size_t i = 0; i < want.size(); ++i)
		assert_string_equal(got[i].c_str(), want[i].c_str());
}

void test_json_shape(void **)
{
	check_shape(sample_echo_request(), false, 4);	// detail{kind,id,seq}
	check_shape(sample_echo_reply(), false, 4);
	check_shape(sample_icmpv6_unreach(), true, 2);	// detail{kind}
}

void test_json_no_owner(void **)
{
	assert_string_equal(
		json(sample_echo_reply()).c_str(),
		"{\"timestamp\":1696270181823805929,\"threadStartTime\":0,\"processorId\":1,"
		"\"processId\":0,\"cgroupId\":0,\"threadId\":0,\"parentProcessId\":0,"
		"\"hostProcessId\":0,\"hostThreadId\":0,\"hostParentProcessId\":0,\"userId\":0,"
		"\"mountNamespace\":0,\"pidNamespace\":0,\"processName\":\"\","
		"\"executable\":{\"path\":\"\"},\"hostName\":\"rugged\",\"containerId\":\"\","
		"\"container\":{},\"kubernetes\":{},\"eventId\":\"2004\","
		"\"eventName\":\"net_packet_icmp\",\"matchedPolicies\":[\"\"],\"argsNum\":3,"
		"\"returnValue\":0,\"syscall\":\"\",\"stackAddresses\":[0],"
		"\"contextFlags\":{\"containerStarted\":false,\"isCompat\":false},"
		"\"threadEntityId\":0,\"processEntityId\":0,\"parentEntityId\":0,"
		"\"args\":[{\"name\":\"src\",\"type\":\"const char*\",\"value\":\"8.8.8.8\"},"
		"{\"name\":\"dst\",\"type\":\"const char*\",\"value\":\"192.168.200.50\"},"
		"{\"name\":\"proto_icmp\",\"type\":\"trace.ProtoICMP\",\"value\":"
		"{\"typeCode\":\"EchoReply\",\"checksum\":40265,\"id\":6,\"seq\":2}}],"
		"\"icmptrace\":{\"direction\":\"ingress\",\"owner\":\"none\",\"ctx\":\"softirq\","
		"\"family\":4,\"type\":0,\"code\":0,\"rest\":393218,\"flags\":8,\"ttl\":117,"
		"\"ip_len\":84,\"icmp_len\":64,\"ifindex\":2,\"pkt_netns\":4026531840,"
		"\"task_netns\":0,\"uts_ns\":0,\"gid\":0,\"syscall_nr\":-1,"
		"\"ts_boot_ns\":5000008895534,\"csum_check\":\"none\","
		"\"detail\":{\"kind\":\"echo\",\"id\":6,\"seq\":2}}}\n");
}

void test_json_icmpv6(void **)
{
	std::string s = json(sample_icmpv6_unreach());
	for (const char *want :
	     {"\"eventId\":\"2005\",\"eventName\":\"net_packet_icmpv6\"",
	      "{\"name\":\"src\",\"type\":\"const char*\",\"value\":\"::1\"}",
	      "{\"name\":\"dst\",\"type\":\"const char*\",\"value\":\"fd00::2\"}",
	      "{\"name\":\"proto_icmpv6\",\"type\":\"trace.ProtoICMPv6\",\"value\":"
	      "{\"typeCode\":\"DestinationUnreachable(PortUnreachable)\",\"checksum\":48879}}]",
	      "\"owner\":\"kernel\"", "\"syscall\":\"\""}) {
		if (s.find(want) == std::string::npos)
			fail_msg("missing %s in %s", want, s.c_str());
	}
}

// ICMPv4 id/seq come from bytes 4..7 for every type, as gopacket decodes.
void test_json_id_seq_from_rest(void **)
{
	icmpt_event ev = sample_echo_request();
	ev.pkt.type = 3;
	ev.pkt.code = 4;
	ev.pkt.flags = 0;
	ev.pkt.id = 0;
	ev.pkt.seq = 0;
	ev.pkt.rest = 0x000005dc;	// next-hop MTU 1500
	std::string s = json(ev);
	assert_true(s.find("{\"typeCode\":\"DestinationUnreachable(FragmentationNeeded)\","
			   "\"checksum\":38217,\"id\":0,\"seq\":1500}") != std::string::npos);
}

void test_json_syscall(void **)
{
	icmpt_event ev = sample_echo_request();
	const struct {
		int nr;
		const char *name;
	} cases[] = {{44, "sendto"}, {46, "sendmsg"}, {1, "write"}, {307, "sendmmsg"},
		     {20, "writev"}, {-1, ""}, {9999, ""}};
	for (const auto &c : cases) {
		ev.task.syscall_nr = c.nr;
		std::string want = std::string("\"syscall\":\"") + c.name + "\"";
		assert_true(json(ev).find(want) != std::string::npos);
	}
	ev.task.syscall_nr = 44;
	ev.owner = ICMPT_OWNER_KERNEL;	// only a sender has a syscall
	assert_true(json(ev).find("\"syscall\":\"\"") != std::string::npos);
}

// comm with quotes, backslash, control bytes, invalid UTF-8: valid JSON that
// decodes to the expected text.
void test_json_comm_escaping(void **)
{
	icmpt_event ev = sample_echo_request();
	std::memcpy(ev.task.comm, "a\"b\\c\n\x01\xff\xc3\xa9\x7f" "xyzw", 16);	// no NUL
	std::string s = json(ev);
	assert_true(s.find("\"processName\":\"a\\\"b\\\\c\\n\\u0001\\ufffd\xc3\xa9\\u007fxyzw\"") !=
		    std::string::npos);
	std::vector<std::string> shape = json_shape(s);	// throws if invalid
	assert_true(shape.size() > 10);
	size_t at = s.find("\"processName\":") + 14;
	assert_string_equal(json_unquote(std::string_view(s).substr(at)).c_str(),
			    "a\"b\\c\n\x01\xef\xbf\xbd\xc3\xa9\x7fxyzw");
}

// line_room() is the one bounds check of a line: it must hold every string
// as often as a format writes it, at its worst escaped size (the review's
// find: JSON writes the container id twice).  Hand-built contexts may hold
// anything; under ASan an overrun fails here.
void test_room_for_every_string(void **)
{
	icmpt_event ev = sample_echo_request();
	std::memcpy(ev.task.comm, "\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01", 16);
	FormatContext ctx;
	ctx.container_id.assign(3000, '\x01');
	ctx.hostname.assign(3000, '\x01');
	ctx.machine_name.assign(3000, '\x02');
	for (OutputFormat f : {OutputFormat::Text, OutputFormat::Json, OutputFormat::Kv,
			       OutputFormat::Ecs}) {
		std::string line = "x";
		format_event(f, ev, ctx, line);
		assert_int_equal(line[0], 'x');
		assert_int_equal(line.back(), '\n');
		assert_int_equal(std::count(line.begin(), line.end(), '\n'), 1);
		assert_null(std::memchr(line.data(), 0x01, line.size()));
	}
}

} // namespace

int main()
{
	// Text timestamps are local time; pin it.
	setenv("TZ", "UTC", 1);
	tzset();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_sender),
		cmocka_unit_test(test_text_no_owner),
		cmocka_unit_test(test_text_kernel_v6),
		cmocka_unit_test(test_text_flags_and_comm),
		cmocka_unit_test(test_no_type_is_not_named),
		cmocka_unit_test(test_flag_names),
		cmocka_unit_test(test_addr_matches_inet_ntop),
		cmocka_unit_test(test_kv_sender),
		cmocka_unit_test(test_kv_no_owner),
		cmocka_unit_test(test_kv_tokens),
		cmocka_unit_test(test_json_equals_tracee_line),
		cmocka_unit_test(test_json_shape),
		cmocka_unit_test(test_json_no_owner),
		cmocka_unit_test(test_json_icmpv6),
		cmocka_unit_test(test_json_id_seq_from_rest),
		cmocka_unit_test(test_json_syscall),
		cmocka_unit_test(test_json_comm_escaping),
		cmocka_unit_test(test_room_for_every_string),
	};
	return cmocka_run_group_tests_name("formats", tests, nullptr, nullptr);
}
