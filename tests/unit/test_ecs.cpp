// --format ecs: every key of every line has the type the ECS 8.11.0 reference
// (or Packetbeat's icmp.*, or our icmptrace.*) gives it in
// testdata/ecs_fields.tsv; values are what the record holds; one line pinned
// byte for byte.
#include <arpa/inet.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include <linux/icmptrace_icmp.h>

#include "cli/options.hpp"
#include "format/formatters.hpp"
#include "json_shape.hpp"
#include "sample_events.hpp"
// Last: cmocka defines macros (fail, skip) that clash with the C++ library.
#include "cmocka_includes.hpp"

using namespace icmptrace;
using namespace icmptrace::test;

namespace {

const std::string kContainer(64, 'c');

std::map<std::string, std::string> field_types()
{
	std::ifstream f(TESTDATA_DIR "/ecs_fields.tsv");
	std::map<std::string, std::string> types;
	std::string line;
	while (std::getline(f, line)) {
		if (line.empty() || line[0] == '#')
			continue;
		std::istringstream in(line);
		std::string key, type;
		in >> key >> type;
		types[key] = type;
	}
	assert_true(types.size() > 100);
	return types;
}

std::string ecs(const icmpt_event &ev, const FormatContext &ctx = FormatContext{"rugged"})
{
	std::string s;
	format_ecs(ev, ctx, s);
	return s;
}

bool is_long(const std::string &v)
{
	if (v.empty() || v.find_first_not_of("-0123456789") != std::string::npos)
		return false;
	errno = 0;
	char *end = nullptr;
	std::strtoll(v.c_str(), &end, 10);
	return errno == 0 && *end == '\0';
}

bool is_ip(const std::string &v)
{
	unsigned char buf[16];
	return inet_pton(AF_INET, v.c_str(), buf) == 1 || inet_pton(AF_INET6, v.c_str(), buf) == 1;
}

// RFC 3339 in UTC ("...T18:09:41.814910395Z"), a real date and time.
bool is_date(const std::string &v)
{
	struct tm tm = {};
	const char *rest = strptime(v.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
	if (!rest || v.size() < 20 || v[4] != '-' || v[10] != 'T')
		return false;
	if (*rest == '.') {
		size_t digits = std::strspn(rest + 1, "0123456789");
		if (digits < 1 || digits > 9)
			return false;
		rest += 1 + digits;
	}
	if (std::strcmp(rest, "Z") != 0)
		return false;
	// strptime takes 31 February: the date must survive a round trip.
	struct tm back = tm;
	time_t t = timegm(&back);
	struct tm again;
	gmtime_r(&t, &again);
	return again.tm_mday == tm.tm_mday && again.tm_mon == tm.tm_mon;
}

// Every leaf of the line: its key in the table, its value of that type.
// Returns the leaves by key ("[]" of an array element dropped).
std::multimap<std::string, std::string> check_line(const std::string &line)
{
	static const std::map<std::string, std::string> types = field_types();
	assert_true(!line.empty() && line.back() == '\n');
	assert_true(line.find('\n') == line.size() - 1);
	std::multimap<std::string, std::string> got;
	for (const JsonLeaf &l : json_leaves(line)) {
		std::string key = l.path;
		if (key.size() > 2 && key.ends_with("[]"))
			key.resize(key.size() - 2);
		auto t = types.find(key);
		if (t == types.end())
			fail_msg("key %s is not in ecs_fields.tsv: %s", key.c_str(), line.c_str());
		const std::string &type = t->second;
		bool ok = false;
		if (type == "keyword")
			ok = l.kind == "string";
		else if (type == "long")
			ok = l.kind == "number" && is_long(l.value);
		else if (type == "ip")
			ok = l.kind == "string" && is_ip(l.value);
		else if (type == "date")
			ok = l.kind == "string" && is_date(l.value);
		else
			fail_msg("unknown type %s in ecs_fields.tsv", type.c_str());
		if (!ok)
			fail_msg("%s is not a %s: %s %s", key.c_str(), type.c_str(), l.kind.c_str(),
				 l.value.c_str());
		got.emplace(key, l.value);
	}
	// What every line has, with ECS's allowed values.
	for (const char *key : {"@timestamp", "ecs.version", "event.kind", "event.category",
				"event.type", "event.dataset", "network.type", "network.transport",
				"network.iana_number", "network.direction", "source.ip",
				"destination.ip", "icmp.version"}) {
		if (got.count(key) != 1 && std::string(key) != "event.type")
			fail_msg("%s missing or repeated: %s", key, line.c_str());
	}
	assert_string_equal(got.find("ecs.version")->second.c_str(), "8.11.0");
	assert_string_equal(got.find("event.kind")->second.c_str(), "event");
	assert_string_equal(got.find("event.category")->second.c_str(), "network");
	auto [first, last] = got.equal_range("event.type");
	for (auto it = first; it != last; ++it)
		assert_true(it->second == "connection" || it->second == "protocol");
	const std::string dir = got.find("network.direction")->second;
	assert_true(dir == "ingress" || dir == "egress");
	return got;
}

std::string one(const std::multimap<std::string, std::string> &m, const char *key)
{
	if (m.count(key) != 1)
		fail_msg("%s: %zu values", key, m.count(key));
	return m.find(key)->second;
}

// The error a UDP datagram to a closed port causes, attributed to its sender.
icmpt_event port_unreachable()
{
	icmpt_event ev = sample_echo_request();
	ev.direction = ICMPT_DIR_IN;
	ev.owner = ICMPT_OWNER_SOCKET;
	ev.ctx = ICMPT_CTX_SOFTIRQ;
	ev.pkt.type = 3;
	ev.pkt.code = 3;
	ev.pkt.rest = 0;
	ev.pkt.id = ev.pkt.seq = 0;
	ev.pkt.flags = ICMPT_PKT_CSUM_OK | ICMPT_PKT_HAS_INNER;
	inet_pton(AF_INET, "8.8.8.8", ev.pkt.saddr);
	inet_pton(AF_INET, "192.168.200.50", ev.pkt.daddr);
	std::memset(&ev.detail, 0, sizeof(ev.detail));
	ev.detail.kind = ICMPT_DET_ERROR;
	icmpt_inner &in = ev.detail.inner;
	in.flags = ICMPT_INNER_IP | ICMPT_INNER_PORTS;
	in.version = 4;
	in.proto = 17;
	in.ttl = 64;
	in.ip_len = 40;
	in.ip_id = 7;
	in.sport = 40000;
	in.dport = 33434;
	inet_pton(AF_INET, "192.168.200.50", in.saddr);
	inet_pton(AF_INET, "8.8.8.8", in.daddr);
	std::strcpy(ev.task.comm, "python3");
	return ev;
}

// An IPv6 neighbour advertisement the kernel sends.
icmpt_event neighbor_advert()
{
	icmpt_event ev = sample_icmpv6_unreach();
	ev.pkt.type = 136;
	ev.pkt.code = 0;
	ev.pkt.flags = ICMPT_PKT_CSUM_OK;
	inet_pton(AF_INET6, "fe80::2", ev.pkt.saddr);
	inet_pton(AF_INET6, "fe80::1", ev.pkt.daddr);
	ev.detail.kind = ICMPT_DET_NDP_NEIGH;
	inet_pton(AF_INET6, "fe80::2", ev.detail.u.neigh.target);
	ev.detail.u.neigh.flags = ICMPT_NA_SOLICITED | ICMPT_NA_OVERRIDE;
	icmpt_ndp_opts &o = ev.detail.u.neigh.opts;
	o.lladdr_len = 6;
	o.lladdr_type = ICMPT_NDP_OPT_TARGET_LLADDR;
	o.nr_opts = 1;
	std::memcpy(o.lladdr, "\x02\x00\x00\x00\x00\xab", 6);
	return ev;
}

void test_echo_request_pinned(void **)
{
	assert_string_equal(
		ecs(sample_echo_request()).c_str(),
		"{\"@timestamp\":\"2023-10-02T18:09:41.814910395Z\",\"ecs\":{\"version\":\"8.11.0\"},"
		"\"event\":{\"kind\":\"event\",\"category\":[\"network\"],"
		"\"type\":[\"connection\",\"protocol\"],\"module\":\"icmptrace\","
		"\"dataset\":\"icmptrace.icmp\"},\"network\":{\"type\":\"ipv4\","
		"\"transport\":\"icmp\",\"iana_number\":\"1\",\"direction\":\"egress\","
		"\"bytes\":84,\"packets\":1},\"source\":{\"ip\":\"192.168.200.50\"},"
		"\"destination\":{\"ip\":\"8.8.8.8\"},"
		"\"related\":{\"ip\":[\"192.168.200.50\",\"8.8.8.8\"]},"
		"\"process\":{\"pid\":1094692,\"name\":\"ping\",\"thread\":{\"id\":1094692},"
		"\"parent\":{\"pid\":1037836}},\"user\":{\"id\":\"1000\"},"
		"\"group\":{\"id\":\"1000\"},\"host\":{\"name\":\"rugged\"},"
		"\"icmp\":{\"version\":\"4\",\"request\":{\"type\":8,\"code\":0,"
		"\"message\":\"EchoRequest\"}},\"icmptrace\":{\"owner\":\"sender\","
		"\"ctx\":\"task\",\"cpu\":6,\"checksum\":38217,\"csum_check\":\"none\",\"ttl\":64,"
		"\"icmp_len\":64,\"ifindex\":2,\"pkt_netns\":4026531840,"
		"\"ts_boot_ns\":5000000000000,\"flags\":\"echo\",\"process\":{\"ns_pid\":1094692,"
		"\"ns_tid\":1094692,\"ns_ppid\":1037836,\"pid_ns\":4026531836,"
		"\"net_ns\":4026531840,\"uts_ns\":4026531838,\"mnt_ns\":4026531841,"
		"\"cgroup_id\":5650,\"syscall\":\"sendto\"},"
		"\"detail\":{\"kind\":\"echo\",\"id\":6,\"seq\":2}}}\n");
	check_line(ecs(sample_echo_request()));
}

// An echo reply nobody owns: no process, user or group; Packetbeat's response.
void test_echo_reply_no_owner(void **)
{
	auto m = check_line(ecs(sample_echo_reply()));
	assert_int_equal(m.count("process.pid"), 0);
	assert_int_equal(m.count("process.name"), 0);
	assert_int_equal(m.count("user.id"), 0);
	assert_int_equal(m.count("icmptrace.process.ns_pid"), 0);
	assert_int_equal(m.count("icmp.request.type"), 0);
	assert_string_equal(one(m, "icmp.response.type").c_str(), "0");
	assert_string_equal(one(m, "icmp.response.message").c_str(), "EchoReply");
	assert_string_equal(one(m, "network.direction").c_str(), "ingress");
	assert_string_equal(one(m, "source.ip").c_str(), "8.8.8.8");
	assert_string_equal(one(m, "icmptrace.owner").c_str(), "none");
	assert_string_equal(one(m, "icmptrace.detail.seq").c_str(), "2");
}

// An error quoting a UDP datagram: a request in Packetbeat's terms, the
// quoted ports under icmptrace.inner, the socket's task as process.
void test_port_unreachable(void **)
{
	FormatContext ctx{"rugged", kContainer};
	auto m = check_line(ecs(port_unreachable(), ctx));
	assert_string_equal(one(m, "icmp.request.type").c_str(), "3");
	assert_string_equal(one(m, "icmp.request.code").c_str(), "3");
	assert_string_equal(one(m, "icmp.request.message").c_str(),
			    "DestinationUnreachable(Port)");
	assert_string_equal(one(m, "process.pid").c_str(), "1094692");
	assert_string_equal(one(m, "process.name").c_str(), "python3");
	assert_string_equal(one(m, "user.id").c_str(), "1000");
	assert_string_equal(one(m, "container.id").c_str(), kContainer.c_str());
	assert_string_equal(one(m, "icmptrace.owner").c_str(), "socket");
	assert_string_equal(one(m, "icmptrace.inner.dport").c_str(), "33434");
	assert_string_equal(one(m, "icmptrace.inner.dst").c_str(), "8.8.8.8");
	assert_string_equal(one(m, "icmptrace.csum_check").c_str(), "ok");
}

// IPv6 NDP from the kernel: ipv6-icmp / 58, no task, the target's lladdr.
void test_neighbor_advert(void **)
{
	auto m = check_line(ecs(neighbor_advert()));
	assert_string_equal(one(m, "network.type").c_str(), "ipv6");
	assert_string_equal(one(m, "network.transport").c_str(), "ipv6-icmp");
	assert_string_equal(one(m, "network.iana_number").c_str(), "58");
	assert_string_equal(one(m, "icmp.version").c_str(), "6");
	assert_string_equal(one(m, "icmp.request.type").c_str(), "136");
	assert_string_equal(one(m, "source.ip").c_str(), "fe80::2");
	assert_string_equal(one(m, "icmptrace.detail.target").c_str(), "fe80::2");
	assert_string_equal(one(m, "icmptrace.detail.lladdr").c_str(), "02:00:00:00:00:ab");
	assert_string_equal(one(m, "icmptrace.owner").c_str(), "kernel");
	assert_int_equal(m.count("process.pid"), 0);
	assert_int_equal(m.count("container.id"), 0);
}

// No host name: the key is left out, not empty or null.
void test_empty_context_omitted(void **)
{
	auto m = check_line(ecs(sample_icmpv6_unreach(), FormatContext{}));
	assert_int_equal(m.count("host.name"), 0);
	assert_int_equal(m.count("container.id"), 0);
	assert_int_equal(m.count("icmptrace.flags"), 0);
}

// host.name is the machine's; a container's own hostname goes under icmptrace.
void test_container_hostname(void **)
{
	FormatContext ctx;
	ctx.machine_name = "node1";
	ctx.hostname = "web-7f9c";
	auto m = check_line(ecs(sample_echo_request(), ctx));
	assert_string_equal(one(m, "host.name").c_str(), "node1");
	assert_string_equal(one(m, "icmptrace.process.hostname").c_str(), "web-7f9c");
	ctx.hostname = "node1";
	m = check_line(ecs(sample_echo_request(), ctx));
	assert_int_equal(m.count("icmptrace.process.hostname"), 0);
}

// Strings from the kernel or the host are escaped; the line stays valid.
void test_escaping(void **)
{
	icmpt_event ev = sample_echo_request();
	std::memcpy(ev.task.comm, "a\"b\\c\n\x01\xff" "xyzwvut", 15);
	FormatContext ctx{"h\"o\\st\t"};
	auto m = check_line(ecs(ev, ctx));
	assert_string_equal(one(m, "process.name").c_str(), "a\"b\\c\n\x01\xef\xbf\xbdxyzwvut");
	assert_string_equal(one(m, "host.name").c_str(), "h\"o\\st\t");
}

// @timestamp against gmtime for dates across centuries and leap days.
void test_timestamps(void **)
{
	icmpt_event ev = sample_echo_reply();
	const uint64_t secs[] = {0, 951782400 /* 2000-02-29 */, 1709164799, 4107542400 /* 2100-03-01 */,
				 16730323199ULL /* 2500-02-28T23:59:59 */};
	for (uint64_t s : secs) {
		for (uint64_t frac : {0ULL, 1ULL, 999999999ULL, 123456789ULL}) {
			ev.ts_real_ns = s * 1000000000ULL + frac;
			std::string line = ecs(ev);
			time_t t = static_cast<time_t>(s);
			struct tm tm;
			gmtime_r(&t, &tm);
			char want[64];
			size_t n = strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%S", &tm);
			snprintf(want + n, sizeof(want) - n, ".%09lluZ",
				 static_cast<unsigned long long>(frac));
			auto m = check_line(line);
			assert_string_equal(one(m, "@timestamp").c_str(), want);
		}
	}
}

// --format ecs goes through format_event as every format does.
void test_dispatch(void **)
{
	std::string s;
	format_event(OutputFormat::Ecs, sample_echo_request(), FormatContext{"rugged"}, s);
	assert_string_equal(s.c_str(), ecs(sample_echo_request()).c_str());
}

// Every kind of body, with every optional part present and arbitrary
// bytes, quoting a packet: each key the visitor can write is in the table
// with its type, and each body key of the table is written by some kind.
void test_every_detail_kind(void **)
{
	std::set<std::string> seen;
	const struct {
		uint8_t family, type, code;
		uint16_t kind;
	} cases[] = {
		{4, 8, 0, ICMPT_DET_ECHO},	{4, 3, 4, ICMPT_DET_ERROR},
		{4, 5, 1, ICMPT_DET_ERROR},	{4, 12, 0, ICMPT_DET_ERROR},
		{6, 2, 0, ICMPT_DET_ERROR},	{6, 4, 0, ICMPT_DET_ERROR},
		{4, 13, 0, ICMPT_DET_TSTAMP},	{4, 17, 0, ICMPT_DET_MASK},
		{4, 9, 0, ICMPT_DET_RTADV4},	{4, 42, 0, ICMPT_DET_EXT_ECHO},
		{6, 161, 0, ICMPT_DET_EXT_ECHO}, {6, 133, 0, ICMPT_DET_NDP_RS},
		{6, 134, 0, ICMPT_DET_NDP_RA},	{6, 135, 0, ICMPT_DET_NDP_NEIGH},
		{6, 136, 0, ICMPT_DET_NDP_NEIGH}, {6, 137, 0, ICMPT_DET_NDP_REDIRECT},
		{6, 130, 0, ICMPT_DET_MLD},	{6, 143, 0, ICMPT_DET_MLD2_REPORT},
		{4, 10, 0, ICMPT_DET_NONE},
	};
	for (const auto &k : cases) {
		icmpt_event ev = k.family == 6 ? sample_icmpv6_unreach() : sample_echo_request();
		ev.pkt.type = k.type;
		ev.pkt.code = k.code;
		ev.pkt.flags = ICMPT_PKT_CSUM_BAD | ICMPT_PKT_HAS_INNER | ICMPT_PKT_IP_OPTS;
		std::memset(&ev.detail, 0xa5, sizeof(ev.detail));
		ev.detail.kind = k.kind;
		// 0xa5: lladdr_len and first_valid are non-zero, so present.
		ev.detail.u.mld.version = 2;
		ev.detail.inner.version = k.family;
		ev.detail.inner.flags = ICMPT_INNER_IP | ICMPT_INNER_PORTS | ICMPT_INNER_ICMP |
					ICMPT_INNER_ECHO | ICMPT_INNER_TRUNCATED;
		auto m = check_line(ecs(ev));
		size_t detail = 0, inner = 0;
		for (const auto &[key, v] : m) {
			detail += key.starts_with("icmptrace.detail.");
			inner += key.starts_with("icmptrace.inner.");
			seen.insert(key);
		}
		// kind plus the body's fields; the quoted packet's 14.
		if (k.kind != ICMPT_DET_NONE)
			assert_true(detail > 1);
		assert_int_equal(inner, 14);
	}
	for (const auto &[key, type] : field_types()) {
		if ((key.starts_with("icmptrace.detail.") || key.starts_with("icmptrace.inner.")) &&
		    !seen.count(key))
			fail_msg("%s is in the table but no body writes it", key.c_str());
	}
}

// The option, and --json still tracee's.
void test_cli_format(void **)
{
	assert_int_equal(parse_args({"--format", "ecs"}).options.format, OutputFormat::Ecs);
	assert_int_equal(parse_args({"--format=ecs"}).options.format, OutputFormat::Ecs);
	assert_int_equal(parse_args({"--json"}).options.format, OutputFormat::Json);
	ParsedArgs bad = parse_args({"--format", "ECS"});
	assert_int_equal(bad.action, ParsedArgs::Action::UsageError);
	assert_string_equal(bad.error.c_str(),
			    "invalid format 'ECS': expected text, json, kv or ecs");
}

} // namespace

int main()
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_echo_request_pinned),
		cmocka_unit_test(test_echo_reply_no_owner),
		cmocka_unit_test(test_port_unreachable),
		cmocka_unit_test(test_neighbor_advert),
		cmocka_unit_test(test_empty_context_omitted),
		cmocka_unit_test(test_container_hostname),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_timestamps),
		cmocka_unit_test(test_dispatch),
		cmocka_unit_test(test_every_detail_kind),
		cmocka_unit_test(test_cli_format),
	};
	return cmocka_run_group_tests_name("ecs", tests, nullptr, nullptr);
}
