// --summary over synthetic records: counts by process and type, echo RTTs
// matched by netns+id+seq+peer, errors per destination, and the trace
// loop printing lines or not.
#include <arpa/inet.h>
#include <sys/eventfd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "cli/icmp_summary.hpp"
#include "cli/options.hpp"
#include "cli/trace_loop.hpp"
#include "json_shape.hpp"
#include "ring/ring_consumer.hpp"
#include "sample_events.hpp"
#include "synthetic_ring.hpp"
#include "util/unique_fd.hpp"
// Last: cmocka defines macros (fail, skip) that clash with the C++ library.
#include "cmocka_includes.hpp"

using namespace icmptrace;
using namespace icmptrace::test;
using namespace std::chrono_literals;

namespace {

constexpr uint64_t kT0 = 7000000000000ULL;
constexpr uint32_t kPid = 4242;
constexpr uint32_t kNetns = 4026532000U;

void v4(uint8_t (&dst)[16], const char *a)
{
	std::memset(dst, 0, sizeof(dst));
	assert_int_equal(inet_pton(AF_INET, a, dst), 1);
}

// ping (kPid) sends seq to dst at t; owner sender.
icmpt_event request(uint16_t seq, uint64_t t, const char *dst = "10.0.0.2",
		    uint32_t netns = kNetns)
{
	icmpt_event ev = sample_echo_request();
	ev.ts_boot_ns = t;
	ev.pkt_netns = netns;
	ev.pkt.id = 77;
	ev.pkt.seq = seq;
	v4(ev.pkt.saddr, "10.0.0.1");
	v4(ev.pkt.daddr, dst);
	ev.task.pid = ev.task.tid = kPid;
	return ev;
}

// Its reply, received at t, matched to ping by the module.
icmpt_event reply(uint16_t seq, uint64_t t, const char *from = "10.0.0.2",
		  uint32_t netns = kNetns)
{
	icmpt_event ev = request(seq, t, "10.0.0.1", netns);
	ev.direction = ICMPT_DIR_IN;
	ev.owner = ICMPT_OWNER_MATCHED;
	ev.ctx = ICMPT_CTX_SOFTIRQ;
	ev.pkt.type = 0;
	v4(ev.pkt.saddr, from);
	return ev;
}

// Port unreachable from router about a datagram to inner_dst.
icmpt_event unreachable(const char *router, const char *inner_dst)
{
	icmpt_event ev = request(0, kT0, "10.0.0.1");
	ev.direction = ICMPT_DIR_IN;
	ev.owner = ICMPT_OWNER_NONE;
	ev.pkt.type = 3;
	ev.pkt.code = 3;
	ev.pkt.flags = ICMPT_PKT_HAS_INNER;
	v4(ev.pkt.saddr, router);
	ev.detail.kind = ICMPT_DET_ERROR;
	ev.detail.inner.flags = ICMPT_INNER_IP | ICMPT_INNER_PORTS;
	ev.detail.inner.version = 4;
	ev.detail.inner.proto = 17;
	v4(ev.detail.inner.saddr, "10.0.0.1");
	v4(ev.detail.inner.daddr, inner_dst);
	return ev;
}

bool has(const std::string &s, const std::string &what)
{
	if (s.find(what) != std::string::npos)
		return true;
	std::fprintf(stderr, "missing \"%s\" in:\n%s\n", what.c_str(), s.c_str());
	return false;
}

// Three round trips of 100, 200 and 300 us: ping's arithmetic.
void test_rtt_min_avg_max_mdev(void **)
{
	IcmpSummary s;
	for (uint16_t i = 1; i <= 3; ++i) {
		s.add(request(i, kT0 + i * 1000000000ULL), {});
		s.add(reply(i, kT0 + i * 1000000000ULL + i * 100000ULL), {});
	}
	assert_int_equal(s.rtts().size(), 1);
	const auto &[key, r] = *s.rtts().begin();
	assert_int_equal(key.first.pid, kPid);
	assert_string_equal(key.first.comm.c_str(), "ping");
	assert_string_equal(key.second.addr.c_str(), "10.0.0.2");
	assert_int_equal(r.n, 3);
	assert_int_equal(r.min_ns, 100000);
	assert_int_equal(r.max_ns, 300000);
	assert_true(std::abs(r.avg_ms() - 0.2) < 1e-9);
	// sqrt((0.01 + 0.04 + 0.09) / 3 - 0.2^2) ms
	assert_true(std::abs(r.mdev_ms() - 0.0816497) < 1e-6);
	assert_int_equal(s.unanswered(), 0);
	const std::string t = s.text();
	assert_true(has(t, "4242  ping  -          10.0.0.2           3  0.100  0.200  0.300  0.082"));
	assert_true(has(t, "requests without a reply: 0"));
}

// A reply counts only for the request of the same netns, id, seq and peer.
void test_rtt_matching_key(void **)
{
	IcmpSummary s;
	s.add(request(5, kT0), {});
	s.add(reply(5, kT0 + 50000, "10.0.0.3"), {});		// other peer
	s.add(reply(5, kT0 + 60000, "10.0.0.2", kNetns + 1), {});	// other netns
	s.add(reply(6, kT0 + 70000), {});			// other seq
	icmpt_event other_id = reply(5, kT0 + 80000);
	other_id.pkt.id = 78;
	s.add(other_id, {});
	assert_int_equal(s.rtts().size(), 0);
	s.add(reply(5, kT0 + 90000), {});
	s.add(reply(5, kT0 + 95000), {});	// a duplicate is no second round trip
	assert_int_equal(s.rtts().size(), 1);
	assert_int_equal(s.rtts().begin()->second.n, 1);
	assert_int_equal(s.rtts().begin()->second.min_ns, 90000);
	// A request out again with the same seq: the later one is timed.
	s.add(request(9, kT0 + 1000000), {});
	s.add(request(9, kT0 + 2000000), {});
	s.add(reply(9, kT0 + 2000500), {});
	assert_int_equal(s.rtts().begin()->second.n, 2);
	assert_int_equal(s.rtts().begin()->second.min_ns, 500);
	// An inbound request (someone pings us) is no round trip of ours.
	icmpt_event in_req = request(11, kT0);
	in_req.direction = ICMPT_DIR_IN;
	s.add(in_req, {});
	s.add(reply(11, kT0 + 10), {});
	assert_int_equal(s.rtts().begin()->second.n, 2);
	assert_int_equal(s.unanswered(), 0);
	s.add(request(12, kT0), {});
	assert_int_equal(s.unanswered(), 1);
}

// The pending table is bounded; what falls out is still counted.
void test_pending_bounded(void **)
{
	IcmpSummary s;
	const size_t n = IcmpSummary::kMaxPending + 10;
	for (size_t i = 0; i < n; ++i)
		s.add(request(static_cast<uint16_t>(i), kT0 + i, "10.0.0.2",
			      kNetns + static_cast<uint32_t>(i >> 16)), {});
	assert_int_equal(s.unanswered(), n);
	// The oldest was forgotten, the newest is still matched.
	s.add(reply(0, kT0 + n), {});
	assert_int_equal(s.rtts().size(), 0);
	s.add(reply(static_cast<uint16_t>(n - 1), kT0 + n, "10.0.0.2",
		    kNetns + static_cast<uint32_t>((n - 1) >> 16)), {});
	assert_int_equal(s.rtts().size(), 1);
}

void test_counts_by_process_and_type(void **)
{
	IcmpSummary s;
	FormatContext ctx;
	ctx.container_id = std::string(64, 'a');
	for (uint16_t i = 0; i < 4; ++i) {
		s.add(request(i, kT0 + i), ctx);
		s.add(reply(i, kT0 + i + 5), ctx);
	}
	icmpt_event kernel_reply = reply(1, kT0);
	kernel_reply.direction = ICMPT_DIR_OUT;
	kernel_reply.owner = ICMPT_OWNER_KERNEL;
	s.add(kernel_reply, {});
	s.add(unreachable("192.0.2.1", "198.51.100.7"), {});
	s.add(unreachable("192.0.2.1", "198.51.100.7"), {});
	s.add(unreachable("192.0.2.9", "198.51.100.8"), {});

	assert_int_equal(s.packets(), 12);
	assert_int_equal(s.by_process().size(), 3);
	IcmpSummary::Process ping{true, kPid, "ping", std::string(12, 'a')};
	assert_int_equal(s.by_process().at(ping).out, 4);
	assert_int_equal(s.by_process().at(ping).in, 4);
	assert_int_equal(s.by_process().at({false, 0, "(kernel)", ""}).out, 1);
	assert_int_equal(s.by_process().at({false, 0, "(no owner)", ""}).in, 3);
	assert_int_equal(s.by_type().at({4, 8, 0, ICMPT_DIR_OUT}), 4);
	assert_int_equal(s.by_type().at({4, 0, 0, ICMPT_DIR_IN}), 4);
	assert_int_equal(s.by_type().at({4, 0, 0, ICMPT_DIR_OUT}), 1);
	assert_int_equal(s.by_type().at({4, 3, 3, ICMPT_DIR_IN}), 3);
	assert_int_equal(s.errors().size(), 2);
	assert_int_equal(s.errors().at({{4, "198.51.100.7"}, 3, 3}), 2);
	assert_int_equal(s.errors().at({{4, "198.51.100.8"}, 3, 3}), 1);

	const std::string t = s.text();
	assert_true(has(t, "icmptrace summary: 12 packets"));
	assert_true(has(t, "4242  ping        aaaaaaaaaaaa    4   4      8"));
	assert_true(has(t, "out  ipv4    8     0     EchoRequest                       4"));
	assert_true(has(t, "198.51.100.7  3     3     DestinationUnreachable(Port)      2"));
}

// The rows of the last few owners and the last round-trip row are kept: six
// processes (two with one pid and another comm, two in containers), unowned
// and kernel records and two destinations, interleaved at random, give the
// counts and round trips the test counts itself.
void test_kept_rows_count_right(void **)
{
	IcmpSummary s;
	std::map<IcmpSummary::Process, IcmpSummary::Counts> want;
	std::map<std::pair<IcmpSummary::Process, std::string>, uint64_t> want_rtts;
	const std::string ids[] = {"", std::string(64, 'b'), std::string(64, 'c')};
	uint32_t rng = 7;
	auto next = [&rng]() { return rng = rng * 1103515245u + 12345u, rng >> 16; };
	for (uint16_t seq = 0; seq < 3000; ++seq) {
		const unsigned who = next() % 8;
		const char *dst = next() % 2 ? "10.0.0.2" : "10.0.0.3";
		icmpt_event req = request(seq, kT0 + seq * 10);
		v4(req.pkt.daddr, dst);
		FormatContext ctx;
		IcmpSummary::Process proc{false, 0, who == 6 ? "(no owner)" : "(kernel)", ""};
		if (who < 6) {
			req.task.pid = req.task.tid = kPid + who / 2;
			std::snprintf(req.task.comm, sizeof(req.task.comm), "%s", who % 2 ? "ping" : "fping");
			ctx.container_id = ids[who % 3];
			proc = {true, req.task.pid, who % 2 ? "ping" : "fping", ctx.container_id.substr(0, 12)};
		} else {
			req.owner = who == 6 ? ICMPT_OWNER_NONE : ICMPT_OWNER_KERNEL;
		}
		s.add(req, ctx);
		++want[proc].out;
		icmpt_event rep = reply(seq, kT0 + seq * 10 + 3, dst);
		rep.task = req.task;
		rep.owner = req.owner == ICMPT_OWNER_SENDER ? uint8_t{ICMPT_OWNER_MATCHED} : req.owner;
		s.add(rep, ctx);
		++want[proc].in;
		++want_rtts[{proc, dst}];
	}
	assert_int_equal(s.by_process().size(), want.size());
	for (const auto &[proc, c] : want) {
		assert_int_equal(s.by_process().at(proc).out, c.out);
		assert_int_equal(s.by_process().at(proc).in, c.in);
	}
	assert_int_equal(s.rtts().size(), want_rtts.size());
	for (const auto &[k, n] : want_rtts) {
		const IcmpSummary::Rtt &r = s.rtts().at({k.first, IcmpSummary::Dest{4, k.second}});
		assert_int_equal(r.n, n);
		assert_int_equal(r.min_ns, 3);
		assert_int_equal(r.max_ns, 3);
	}
}

// --json: one valid JSON object, one line, with the numbers above.
void test_json_object(void **)
{
	IcmpSummary s;
	s.add(request(1, kT0), {});
	s.add(reply(1, kT0 + 250000), {});
	s.add(unreachable("192.0.2.1", "198.51.100.7"), {});
	const std::string j = s.json();
	assert_int_equal(j.back(), '\n');
	assert_int_equal(j.find('\n'), j.size() - 1);
	std::vector<std::string> shape = json_shape(j.substr(0, j.size() - 1));
	assert_false(shape.empty());
	assert_true(has(j, "\"packets\":3"));
	assert_true(has(j, "{\"comm\":\"ping\",\"pid\":4242,\"container\":\"\",\"out\":1,\"in\":1}"));
	assert_true(has(j, "\"destination\":\"10.0.0.2\",\"replies\":1,\"min_ms\":0.250,"
			   "\"avg_ms\":0.250,\"max_ms\":0.250,\"mdev_ms\":0.000}"));
	assert_true(has(j, "{\"destination\":\"198.51.100.7\",\"family\":4,\"type\":3,\"code\":3,"
			   "\"name\":\"DestinationUnreachable(Port)\",\"count\":1}"));
}

// A comm's odd bytes are escaped once, each output its own way: JSON as
// JSON, the table as the text lines have them (the review's find: the
// table's escape went into JSON again as literal backslashes).
void test_comm_escaped_once(void **)
{
	IcmpSummary s;
	icmpt_event ev = request(1, kT0);
	std::memcpy(ev.task.comm, "p\x01 g\0", 6);
	s.add(ev, {});
	const std::string j = s.json();
	assert_true(has(j, "{\"comm\":\"p\\u0001 g\",\"pid\":4242,"));
	const std::string t = s.text();
	assert_true(has(t, " p\\x01\\x20g ") || has(t, " p\\x01\\040g "));
	assert_null(std::memchr(t.data(), 0x01, t.size()));
}

// The loop feeds every record to observe; print=false writes no line.
void test_loop_observe_without_print(void **)
{
	for (bool print : {false, true}) {
		SyntheticRing ring(8192);
		std::vector<RingConsumer> rings;
		rings.emplace_back(0, ring.view(), false);
		assert_true(ring.push(packet_record(request(1, kT0))));
		assert_true(ring.push(packet_record(reply(1, kT0 + 1000))));
		UniqueFd ready(eventfd(1, EFD_CLOEXEC));
		IcmpSummary s;
		LoopConfig cfg;
		cfg.format = OutputFormat::Kv;
		cfg.timeout = 50ms;
		cfg.print = print;
		cfg.observe = [&s](const icmpt_event &ev, const FormatContext &ctx) { s.add(ev, ctx); };
		std::FILE *out = std::tmpfile(), *err = std::tmpfile();
		LoopResult r = run_trace_loop(ready.get(), -1, rings, cfg, out, err);
		long size = std::ftell(out);
		std::fclose(out);
		std::fclose(err);
		assert_int_equal(r.records, 2);
		assert_int_equal(s.packets(), 2);
		assert_int_equal(s.rtts().begin()->second.min_ns, 1000);
		assert_true(print ? size > 0 : size == 0);
	}
}

void test_options(void **)
{
	ParsedArgs p = parse_args({"--summary"});
	assert_int_equal(static_cast<int>(p.action), static_cast<int>(ParsedArgs::Action::Run));
	assert_true(p.options.summary);
	assert_false(p.options.print);
	p = parse_args({"--summary", "--print", "--json"});
	assert_true(p.options.summary && p.options.print);
	p = parse_args({"--print"});
	assert_int_equal(static_cast<int>(p.action), static_cast<int>(ParsedArgs::Action::UsageError));
	assert_true(p.error.find("--print goes with --summary") == 0);
	// The summary is a table or one JSON object: kv and ECS have no form of it,
	// and -w alone prints nothing a format could shape.
	for (const char *f : {"--format=kv", "--format=ecs"}) {
		p = parse_args({"--summary", f});
		assert_int_equal(static_cast<int>(p.action),
				 static_cast<int>(ParsedArgs::Action::UsageError));
		assert_true(p.error.find("no summary") != std::string::npos);
		// With --print the format shapes the lines; the table follows.
		p = parse_args({"--summary", "--print", f});
		assert_int_equal(static_cast<int>(p.action),
				 static_cast<int>(ParsedArgs::Action::Run));
	}
	p = parse_args({"-w", "x.pcapng", "--json"});
	assert_int_equal(static_cast<int>(p.action), static_cast<int>(ParsedArgs::Action::UsageError));
	assert_true(p.error.find("add --print") != std::string::npos);
	p = parse_args({"-w", "x.pcapng", "--summary", "--json"});
	assert_int_equal(static_cast<int>(p.action), static_cast<int>(ParsedArgs::Action::Run));
	p = parse_args({"-w", "x.pcapng", "--print", "--format", "kv"});
	assert_int_equal(static_cast<int>(p.action), static_cast<int>(ParsedArgs::Action::Run));
	p = parse_args({"--output=/var/log/x.json"});
	assert_string_equal(p.options.output.c_str(), "/var/log/x.json");
	p = parse_args({"-o", ""});
	assert_int_equal(static_cast<int>(p.action), static_cast<int>(ParsedArgs::Action::UsageError));
}

} // namespace

int main()
{
	const CMUnitTest tests[] = {
		cmocka_unit_test(test_rtt_min_avg_max_mdev),
		cmocka_unit_test(test_rtt_matching_key),
		cmocka_unit_test(test_pending_bounded),
		cmocka_unit_test(test_counts_by_process_and_type),
		cmocka_unit_test(test_kept_rows_count_right),
		cmocka_unit_test(test_json_object),
		cmocka_unit_test(test_comm_escaped_once),
		cmocka_unit_test(test_loop_observe_without_print),
		cmocka_unit_test(test_options),
	};
	return cmocka_run_group_tests_name("icmp_summary", tests, nullptr, nullptr);
}
