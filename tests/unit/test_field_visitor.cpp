// The typed field visitor (its order and callbacks), the cursor's number
// writers, and the reuse of the last task's context.
#include <arpa/inet.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "context/record_context.hpp"
#include "format/cursor.hpp"
#include "format/field_visitor.hpp"
#include "format/formatters.hpp"
#include "sample_events.hpp"
// Last: cmocka defines macros (fail, skip) that clash with the C++ library.
#include "cmocka_includes.hpp"

using namespace icmptrace;
using namespace icmptrace::test;

namespace {

// Writes "callback:key" for every call, in order.
struct LogSink {
	std::vector<std::string> log;
	void add(const char *what, const Field &f) { log.push_back(std::string(what) + ":" + std::string(f.key)); }
	void u(const Field &f, uint64_t) { add("u", f); }
	void s(const Field &f, int64_t) { add("s", f); }
	void hex(const Field &f, uint64_t) { add("hex", f); }
	void addr(const Field &f, uint8_t, const uint8_t *) { add("addr", f); }
	void mac(const Field &f, const uint8_t *, unsigned) { add("mac", f); }
	void name(const Field &f, std::string_view) { add("name", f); }
	void str(const Field &f, std::string_view) { add("str", f); }
	void begin_detail(const icmpt_event &, const char *kind)
	{
		log.push_back(std::string("detail:") + kind);
	}
	void end_detail() { log.push_back("end_detail"); }
	void begin_inner(const icmpt_event &) { log.push_back("inner"); }
	void end_inner() { log.push_back("end_inner"); }
};

std::vector<std::string> visit(const icmpt_event &ev)
{
	LogSink s;
	visit_detail(ev, s);
	return s.log;
}

void test_visitor_order_error_with_inner(void **)
{
	icmpt_event ev = sample_echo_reply();
	ev.pkt.type = 3;	// fragmentation needed: mtu and RFC 4884 length
	ev.pkt.code = 4;
	ev.pkt.flags = ICMPT_PKT_CSUM_OK | ICMPT_PKT_HAS_INNER;
	std::memset(&ev.detail, 0, sizeof(ev.detail));
	ev.detail.kind = ICMPT_DET_ERROR;
	ev.detail.inner.version = 4;
	ev.detail.inner.flags = ICMPT_INNER_IP | ICMPT_INNER_PORTS | ICMPT_INNER_TRUNCATED;
	std::vector<std::string> want = {
		"detail:error", "u:mtu", "u:orig_len", "end_detail", "inner", "u:version",
		"u:proto", "addr:src", "addr:dst", "u:ttl", "u:ip_len", "u:ip_id", "u:sport",
		"u:dport", "name:flags", "end_inner"};
	assert_true(visit(ev) == want);

	// A non-first fragment: the frame of both, no field.
	ev.pkt.flags |= ICMPT_PKT_FRAGMENT;
	want = {"detail:error", "end_detail", "inner", "end_inner"};
	assert_true(visit(ev) == want);
}

void test_visitor_order_neighbour(void **)
{
	icmpt_event ev = sample_icmpv6_unreach();
	ev.pkt.type = 136;	// neighbour advertisement
	ev.pkt.flags = ICMPT_PKT_CSUM_OK;
	std::memset(&ev.detail, 0, sizeof(ev.detail));
	ev.detail.kind = ICMPT_DET_NDP_NEIGH;
	ev.detail.u.neigh.opts.lladdr_len = 6;
	ev.detail.u.neigh.opts.lladdr_type = 2;
	std::vector<std::string> want = {"detail:neigh", "addr:target",  "hex:na_flags",
					 "mac:lladdr",   "name:lladdr_type", "u:nr_opts",
					 "end_detail"};
	assert_true(visit(ev) == want);
	// The text key says which address it is; the value need not be looked at.
	assert_true(field::target_lladdr.text == "tlla");
	assert_true(field::source_lladdr.text == "slla");
}

std::string decimal(uint64_t v)
{
	char buf[32];
	Cursor c{buf};
	c.u(v);
	return std::string(buf, c.p);
}

void test_cursor_numbers(void **)
{
	std::vector<uint64_t> vals = {0, 1, 9, 10, 99, 100, 999, 1000, 9999, 10000, 99999,
				      100000, 9999999, 10000000, 99999999, 100000000,
				      4294967295ULL, 4294967296ULL, 9999999999999999ULL,
				      10000000000000000ULL, 1696270181814910395ULL,
				      18446744073709551615ULL};
	for (uint64_t p = 1, i = 0; i < 64; ++i, p *= 3)
		vals.push_back(p);
	for (uint64_t v : vals)
		assert_string_equal(decimal(v).c_str(), std::to_string(v).c_str());
	char buf[64];
	Cursor c{buf};
	c.i(-1);
	c.put(' ');
	c.i(INT64_MIN);
	c.put(' ');
	c.hex(0x9549, 4);
	c.put(' ');
	c.hex(0, 1);
	c.put(' ');
	c.hex(0xab, 8);
	c.put(' ');
	c.hex(UINT64_MAX, 1);
	assert_string_equal(std::string(buf, c.p).c_str(),
			    "-1 -9223372036854775808 9549 0 000000ab ffffffffffffffff");
}

// The same task again: the very same context, nothing derived or copied;
// another task, or a new batch, derives again.
void test_context_reused_for_same_task(void **)
{
	icmpt_event ev = sample_echo_request();
	ev.task.uts_ns = 0;	// nothing from the host needed
	ev.task.cgroup_id = 0;
	RecordContext rc;
	rc.begin_batch();
	const FormatContext *first = &rc.context_for(ev);
	const uint32_t id = first->thread_entity_id;
	assert_int_not_equal(id, 0);
	icmpt_event next = ev;
	next.pkt.seq += 1;	// another packet of the same task
	assert_ptr_equal(&rc.context_for(next), first);
	assert_int_equal(rc.context_for(next).thread_entity_id, id);
	next.task.start_time_ns += 1000000000ULL;	// another task with the same tid
	assert_int_not_equal(rc.context_for(next).thread_entity_id, id);
	assert_int_equal(rc.context_for(ev).thread_entity_id, id);
	// No owner: the host's context, not the last task's.
	icmpt_event none = sample_echo_reply();
	assert_int_equal(rc.context_for(none).thread_entity_id, 0);
}

// The formats keep the last task's fields as text: a record of another
// task, or of the same task with another context, must not show it.
void test_task_text_not_stale(void **)
{
	icmpt_event a = sample_echo_request();
	icmpt_event b = a;
	b.task.pid = b.task.tid = 4242;
	b.task.mnt_ns = 0;	// the derived one is shown
	for (OutputFormat f : {OutputFormat::Kv, OutputFormat::Json}) {
		FormatContext ctx;
		ctx.mnt_ns = 7777;
		auto line = [&](const icmpt_event &ev) {
			std::string s;
			format_event(f, ev, ctx, s);
			return s;
		};
		const std::string la = line(a), lb = line(b);
		assert_string_equal(line(a).c_str(), la.c_str());	// after b
		assert_true(lb.find("4242") != std::string::npos);
		assert_true(la.find("4242") == std::string::npos);
		assert_true(lb.find("7777") != std::string::npos);
		// Right after b: the derived mount namespace changes.
		line(b);
		ctx.mnt_ns = 8888;
		const std::string lb2 = line(b);
		assert_true(lb2.find("8888") != std::string::npos);
		assert_true(lb2.find("7777") == std::string::npos);
		// The same bytes without an owner, right after a: zeros, not a's task.
		line(a);
		icmpt_event n = a;
		n.owner = ICMPT_OWNER_NONE;
		assert_true(line(n).find("1094692") == std::string::npos);
	}
}

// A ping -f traced at both ends alternates ping's records with unowned ones,
// and a host has more tasks than are kept: over a random sequence of six
// tasks and unowned records (their task bytes garbage, as the uapi allows),
// every kept context and every line built from kept task text is what a
// fresh derivation and a fresh line give.
std::vector<icmpt_event> task_mix(std::mt19937 &rng, size_t n)
{
	std::vector<icmpt_event> tasks;
	for (uint32_t i = 0; i < 6; ++i) {
		icmpt_event ev = sample_echo_request();
		ev.task.uts_ns = 0;	// nothing from the host needed
		ev.task.cgroup_id = 0;
		ev.task.pid = 5000 + i / 2;
		ev.task.tid = 5000 + i;
		if (i == 4)	// task 0's tid, reused by a later task
			ev.task.pid = ev.task.tid = 5000;
		ev.task.start_time_ns += i * 1000000ULL;
		if (i == 3)	// the derived one is shown
			ev.task.mnt_ns = 0;
		ev.owner = i == 5 ? ICMPT_OWNER_MATCHED : ICMPT_OWNER_SENDER;
		tasks.push_back(ev);
	}
	std::vector<icmpt_event> seq;
	for (size_t k = 0; k < n; ++k) {
		const unsigned pick = rng() % 9;
		icmpt_event ev = tasks[pick % 6];
		if (pick >= 6) {	// unowned, with garbage task bytes
			ev = sample_echo_reply();
			ev.owner = ICMPT_OWNER_NONE;
			auto *b = reinterpret_cast<unsigned char *>(&ev.task);
			for (size_t j = 0; j < sizeof(ev.task); ++j)
				b[j] = static_cast<unsigned char>(rng());
		}
		ev.pkt.seq = static_cast<uint16_t>(k);
		seq.push_back(ev);
	}
	return seq;
}

void test_kept_contexts_are_fresh(void **)
{
	std::mt19937 rng(11);
	RecordContext rc;
	rc.begin_batch();
	for (const icmpt_event &ev : task_mix(rng, 400)) {
		const FormatContext &kept = rc.context_for(ev);
		RecordContext fresh;
		const FormatContext f = fresh.derive(ev);
		assert_int_equal(kept.thread_entity_id, f.thread_entity_id);
		assert_int_equal(kept.process_entity_id, f.process_entity_id);
		assert_int_equal(kept.parent_entity_id, f.parent_entity_id);
		assert_true(kept.mnt_ns == f.mnt_ns);
		assert_string_equal(kept.hostname.c_str(), f.hostname.c_str());
		assert_string_equal(kept.container_id.c_str(), f.container_id.c_str());
	}
}

void test_kept_task_text_is_fresh(void **)
{
	std::mt19937 rng(12);
	const std::vector<icmpt_event> seq = task_mix(rng, 300);
	for (OutputFormat f : {OutputFormat::Kv, OutputFormat::Json}) {
		RecordContext rc;
		rc.begin_batch();
		for (const icmpt_event &ev : seq) {
			const FormatContext &ctx = rc.context_for(ev);
			std::string kept, fresh;
			format_event(f, ev, ctx, kept);
			// The kept texts are per thread: a new thread has none.
			std::thread([&] { format_event(f, ev, ctx, fresh); }).join();
			assert_string_equal(kept.c_str(), fresh.c_str());
		}
	}
}

} // namespace

int main()
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_visitor_order_error_with_inner),
		cmocka_unit_test(test_visitor_order_neighbour),
		cmocka_unit_test(test_cursor_numbers),
		cmocka_unit_test(test_context_reused_for_same_task),
		cmocka_unit_test(test_task_text_not_stale),
		cmocka_unit_test(test_kept_contexts_are_fresh),
		cmocka_unit_test(test_kept_task_text_is_fresh),
	};
	return cmocka_run_group_tests_name("field_visitor", tests, nullptr, nullptr);
}
