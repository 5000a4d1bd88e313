// -w's per-packet writing in place: OwnerComments (the comment with its task
// and context parts kept as text for the last few tasks, and whole option
// lists) must give the very bytes of epb_options() with owner_comment()'s
// text written afresh, and epb_begin(), epb_options() and epb_close() those
// of append_epb(), whatever the records before were.
#include <cstring>
#include <string>
#include <vector>

#include "context/record_context.hpp"
#include "format/event_fields.hpp"
#include "pcap/owner_comment.hpp"
#include "pcap/pcapng_blocks.hpp"
#include "sample_events.hpp"
#include "cmocka_includes.hpp"

using namespace icmptrace;
using namespace icmptrace::test;
namespace ng = icmptrace::pcapng;

namespace {

struct Rec {
	icmpt_event ev;
	FormatContext ctx;
	ng::EpbFields m{};	// the options after the comment
};

std::string hex(const uint8_t *p, size_t n)
{
	static constexpr char kHex[] = "0123456789abcdef";
	std::string out;
	for (size_t i = 0; i < n; ++i) {
		out += kHex[p[i] >> 4];
		out += kHex[p[i] & 15];
	}
	return out;
}

// The cached writer's options for r, checked against epb_options() of
// owner_comment(), into room with garbage where padding goes.
void check_same(OwnerComments &oc, const Rec &r, const char *what, size_t n)
{
	std::vector<uint8_t> buf(OwnerComments::room(r.ctx) + ng::kEpbRoom, 0xee);
	const size_t cached = static_cast<size_t>(oc.write_options(buf.data(), r.ev, r.ctx, r.m) -
						  buf.data());
	const std::string text = owner_comment(r.ev, r.ctx);
	std::vector<uint8_t> want(text.size() + ng::kEpbRoom, 0x55);
	std::memcpy(want.data() + 4, text.data(), text.size());
	const size_t fresh =
		static_cast<size_t>(ng::epb_options(want.data(), text.size(), r.m) - want.data());
	if (cached != fresh || std::memcmp(buf.data(), want.data(), fresh) != 0)
		fail_msg("%s, record %zu:\n cached: %s\n  %s\n fresh:  %s\n  %s", what, n,
			 std::string(reinterpret_cast<const char *>(buf.data()) + 4,
				     std::min(cached, text.size() + 4) - 4)
				 .c_str(),
			 hex(buf.data(), cached).c_str(), text.c_str(), hex(want.data(), fresh).c_str());
}

// The options the writer gives a record (CaptureWriter::put()), and a
// dropcount every eleventh record.
ng::EpbFields options_of(const icmpt_event &ev, uint32_t i)
{
	ng::EpbFields m;
	m.flags = ev.direction == ICMPT_DIR_IN ? ng::kEpbInbound : ng::kEpbOutbound;
	if (ev.owner != ICMPT_OWNER_NONE)
		m.pid_tid.emplace(ev.task.pid, ev.task.tid);
	m.dropcount = i % 11 == 10 ? i : 0;
	return m;
}

// Two tasks of one process and an unowned record in a ping -f's order,
// with the record's own keys new each time and three interfaces.
std::vector<Rec> flood()
{
	Rec a{sample_echo_request(), {}};
	a.ctx.container_id = std::string(64, 'c');
	a.ctx.hostname = "web 1";
	a.ctx.thread_entity_id = 11;
	a.ctx.process_entity_id = 12;
	Rec b = a;
	b.ev.task.tid += 1;
	b.ev.task.ns_tid += 1;
	b.ctx.thread_entity_id = 13;
	Rec none{sample_echo_reply(), {}};
	none.ev.owner = ICMPT_OWNER_NONE;
	none.ctx.hostname = "web 1";
	std::vector<Rec> out;
	for (uint32_t i = 0; i < 64; ++i) {
		Rec r = i % 3 == 0 ? a : i % 3 == 1 ? none : b;
		r.ev.cpu = i % 5;
		// booted=: the same for runs of records, then the clock set
		// (forward, back, and behind the boot clock).
		r.ev.ts_boot_ns = 5000000000000ULL + 37000001ULL * i;
		const uint64_t booted[] = {1764820000123456789ULL, 1764820000123456789ULL - 1000,
					   0, 0 - 5ULL};
		r.ev.ts_real_ns = r.ev.ts_boot_ns + booted[i / 8 % 4];
		if (i % 16 == 5)
			r.ev.ts_boot_ns = i % 32 == 5 ? 99999999 + i / 16 : 1ULL << 63 | i;
		r.ev.ctx = static_cast<uint8_t>(1 + i % 3);
		r.ev.ifindex = 1 + i % 3;
		r.ev.pkt_netns = 4026531840U + (i % 3 == 2 ? 7 : 0);
		r.ev.direction = i % 4 < 2 ? ICMPT_DIR_OUT : ICMPT_DIR_IN;
		r.m = options_of(r.ev, i);
		out.push_back(r);
	}
	return out;
}

void test_cached_as_fresh(void **)
{
	OwnerComments oc;
	const std::vector<Rec> recs = flood();
	for (size_t i = 0; i < recs.size(); ++i)
		check_same(oc, recs[i], "flood", i);
}

// Each input of the cached parts changed alone, between hits of the same
// task: a key that missed one of them would give the record before's text.
void test_every_key_counts(void **)
{
	const Rec base = flood()[0];
	std::vector<void (*)(Rec &)> changes = {
		[](Rec &r) { r.ev.owner = ICMPT_OWNER_MATCHED; },
		[](Rec &r) { r.ev.task.comm[0] = 'P'; },	// same length
		[](Rec &r) { r.ev.task.comm[3] = ' '; },	// escaped
		[](Rec &r) { r.ev.task.pid += 10; },
		[](Rec &r) { r.ev.task.ns_pid += 1; },
		[](Rec &r) { r.ev.task.ns_ppid = r.ev.task.ppid; },
		[](Rec &r) { r.ev.task.uid += 1; },
		[](Rec &r) { r.ev.task.start_time_ns += 1; },
		[](Rec &r) { r.ev.task.cgroup_id += 1; },
		[](Rec &r) { r.ev.task.uts_ns += 1; },
		[](Rec &r) { r.ev.task.syscall_nr = -1; },
		[](Rec &r) { r.ctx.container_id[63] = 'd'; },
		[](Rec &r) { r.ctx.container_id.clear(); },
		[](Rec &r) { r.ctx.hostname[4] = '2'; },
		[](Rec &r) { r.ctx.hostname.clear(); },
		[](Rec &r) { r.ctx.mnt_ns = 4026531841U; },
		[](Rec &r) { r.ctx.thread_entity_id += 1; },
		[](Rec &r) { r.ctx.process_entity_id = 0; },
		[](Rec &r) { r.ctx.parent_entity_id = 5; },
		// The record's own keys, kept in the whole comments.
		[](Rec &r) { r.ev.ctx = static_cast<uint8_t>(r.ev.ctx % 3 + 1); },
		[](Rec &r) { r.ev.cpu += 1; },
		[](Rec &r) { r.ev.ifindex += 1; },
		[](Rec &r) { r.ev.pkt_netns += 1; },
		[](Rec &r) { r.ev.ts_real_ns += 1; },			// booted
		[](Rec &r) { r.ev.ts_boot_ns += 1000000000; },		// booted
		[](Rec &r) { r.ev.ts_boot_ns += 1; r.ev.ts_real_ns += 1; },	// not booted
		// The options kept with them, and the dropcount written around.
		[](Rec &r) { r.m.flags = ng::kEpbInbound; },
		[](Rec &r) { r.m.flags = 0; },
		[](Rec &r) { r.m.pid_tid.reset(); },
		[](Rec &r) { r.m.pid_tid->second += 1; },
		[](Rec &r) { r.m.pid_tid->first += 1; },
		[](Rec &r) { r.m.pid_tid.emplace(0, 0); },
		[](Rec &r) { r.m.dropcount = 3; },
	};
	OwnerComments oc;
	size_t n = 0;
	for (auto change : changes) {
		Rec r = base;
		change(r);
		check_same(oc, base, "the task before", n++);
		check_same(oc, r, "one key changed", n++);
		check_same(oc, base, "the task again", n++);
		// More distinct tasks than entries: every one is taken again.
		for (uint32_t k = 0; k < OwnerComments::kEntries + 1; ++k) {
			Rec other = base;
			other.ev.task.pid += 100 + k;
			check_same(oc, other, "another task", n++);
		}
		check_same(oc, r, "one key changed, after the others", n++);
	}
	// No pid/tid, and pid 0 with tid 0: one number, not the same options.
	Rec nopid = base, zero = base;
	nopid.m.pid_tid.reset();
	zero.m.pid_tid.emplace(0, 0);
	check_same(oc, nopid, "no pid/tid", n++);
	check_same(oc, zero, "pid/tid 0/0", n++);
	check_same(oc, nopid, "no pid/tid again", n++);
	// An unowned record's text does not read the task or the container.
	Rec none = base;
	none.ev.owner = ICMPT_OWNER_NONE;
	check_same(oc, none, "unowned", n++);
	none.ev.task.pid += 1;
	none.ctx.container_id = "x";
	check_same(oc, none, "unowned, other task bytes", n++);
}

// Contexts as the reader has them, from RecordContext (kept for 4 tasks,
// derived again for a fifth and sixth): OwnerComments takes equal serials
// for equal contexts and compares no fields then.  A derivation that kept a
// serial it had would give a task the entity ids of another.
void test_derived_contexts(void **)
{
	RecordContext rc;
	OwnerComments oc;
	std::vector<icmpt_event> tasks;
	for (uint32_t k = 0; k < 6; ++k) {
		icmpt_event ev = sample_echo_request();
		ev.task.pid = ev.task.tid = 4000000 + k;	// no such process
		ev.task.ns_pid = ev.task.ns_tid = 7 + k;
		ev.task.start_time_ns += 1000 * k;
		tasks.push_back(ev);
	}
	icmpt_event none = sample_echo_reply();
	none.owner = ICMPT_OWNER_NONE;
	uint64_t serial = 0;
	for (size_t i = 0; i < 200; ++i) {
		if (i % 50 == 0)
			rc.begin_batch();	// kept contexts forgotten: new serials
		const icmpt_event &ev = i % 2 ? none : tasks[(i * 7 / 2) % tasks.size()];
		const FormatContext &ctx = rc.context_for(ev);
		if (!ctx.serial)
			fail_msg("record %zu: a derived context without a serial", i);
		check_same(oc, Rec{ev, ctx, options_of(ev, static_cast<uint32_t>(i))}, "derived", i);
		if (i == 0)
			serial = ctx.serial;
	}
	if (rc.derive(tasks[0]).serial == serial)
		fail_msg("a fresh derivation has an old serial");
}

// The padded " ctx=" names are ctx_name()'s, for every value.
void test_ctx_names(void **)
{
	OwnerComments oc;
	Rec r = flood()[0];
	for (unsigned v = 0; v < 256; ++v) {
		r.ev.ctx = static_cast<uint8_t>(v);
		check_same(oc, r, "ctx", v);
		const std::string want = std::string(" ctx=") + ctx_name(r.ev.ctx) + " cpu=";
		if (owner_comment(r.ev, r.ctx).find(want) == std::string::npos)
			fail_msg("ctx %u: no '%s'", v, want.c_str());
	}
}

// epb_begin() + epb_options() + epb_close() give append_epb()'s bytes with
// one comment: every padding of data and comment, each optional option
// present or not.
void test_epb_in_place(void **)
{
	for (size_t len = 0; len < 9; ++len) {
		for (size_t clen = 0; clen < 9; ++clen) {
			for (unsigned opts = 0; opts < 8; ++opts) {
				ng::EpbMeta m;
				m.interface_id = 3;
				m.ts = 0x0102030405060708ULL + len;
				m.wire_len = static_cast<uint32_t>(len + 100);
				m.flags = opts & 1 ? ng::kEpbInbound : 0;
				m.dropcount = opts & 2 ? 0x1122334455667788ULL : 0;
				if (opts & 4)
					m.pid_tid.emplace(77, 78);
				m.comments = {std::string(clen, 'c')};
				std::vector<uint8_t> data(len);
				for (size_t i = 0; i < len; ++i)
					data[i] = static_cast<uint8_t>(0xa0 + i);
				ng::Bytes want;
				ng::append_epb(want, m, data);
				// Garbage where padding goes: it must be zeroed.
				std::vector<uint8_t> buf(ng::kEpbRoom + len + clen, 0xee);
				const ng::EpbAt at = ng::epb_begin(buf.data(), m, data);
				std::memcpy(at.text(), m.comments[0].data(), clen);
				const uint8_t *end = ng::epb_close(at, ng::epb_options(at.comment, clen, m));
				assert_int_equal(end - buf.data(), want.size());
				assert_memory_equal(buf.data(), want.data(), want.size());
			}
		}
	}
}

} // namespace

int main()
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cached_as_fresh),
		cmocka_unit_test(test_every_key_counts),
		cmocka_unit_test(test_derived_contexts),
		cmocka_unit_test(test_ctx_names),
		cmocka_unit_test(test_epb_in_place),
	};
	return cmocka_run_group_tests_name("owner_comments", tests, nullptr, nullptr);
}
