// RingMerge: the rings' records in time order, read in place, given back
// only when asked.
#include <cstddef>
#include <cstring>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "ring/ring_merge.hpp"
#include "sample_events.hpp"
#include "synthetic_ring.hpp"
// Last: cmocka defines macros (fail, skip) that clash with the C++ library.
#include "cmocka_includes.hpp"

using namespace icmptrace;
using namespace icmptrace::test;

namespace {

void push(SyntheticRing &ring, uint32_t cpu, uint64_t ts_boot, uint16_t seq,
	  uint32_t len = sizeof(icmpt_event))
{
	icmpt_event ev = sample_echo_request();
	ev.cpu = cpu;
	ev.ts_boot_ns = ts_boot;
	ev.pkt.seq = seq;
	assert_true(ring.push(packet_record(ev, len)));
}

// n synthetic rings and their consumers (starting empty).
struct Rings {
	std::vector<std::unique_ptr<SyntheticRing>> mem;
	std::vector<RingConsumer> consumers;
	explicit Rings(uint32_t n)
	{
		for (uint32_t i = 0; i < n; ++i) {
			mem.push_back(std::make_unique<SyntheticRing>(4096));
			consumers.emplace_back(i, mem.back()->view(), false);
		}
	}
	SyntheticRing &operator[](size_t i) { return *mem[i]; }
};

// (cpu, seq) of every record of one pass.
std::vector<std::pair<uint32_t, uint16_t>> take_all(RingMerge &m)
{
	std::vector<std::pair<uint32_t, uint16_t>> got;
	m.begin_pass();
	while (const icmpt_event *ev = m.next())
		got.emplace_back(ev->cpu, ev->pkt.seq);
	return got;
}

// Time order across rings; equal stamps: lower ring first, each ring's own
// order kept.
void test_order_with_equal_stamps(void **)
{
	Rings r(3);
	const struct {
		uint32_t ring;
		uint64_t ts;
	} recs[] = {{0, 10}, {0, 20}, {0, 20}, {1, 5}, {1, 20}, {2, 20}, {2, 30}};
	uint16_t seq = 0;
	for (const auto &x : recs)
		push(r[x.ring], x.ring, x.ts, ++seq);
	RingMerge m(r.consumers);
	std::vector<std::pair<uint32_t, uint16_t>> want = {
		{1, 4}, {0, 1}, {0, 2}, {0, 3}, {1, 5}, {2, 6}, {2, 7}};
	assert_true(take_all(m) == want);
	assert_null(m.next());
}

// Many rings, interleaved stamps: the output is sorted and complete.
void test_many_rings_sorted(void **)
{
	constexpr uint32_t kRings = 37;
	Rings r(kRings);
	uint16_t seq = 0;
	for (uint32_t k = 0; k < 10; ++k)
		for (uint32_t i = 0; i < kRings; ++i)
			push(r[i], i, (k * 7919 + i * 104729) % 1000 + 1000 * k, seq++);
	RingMerge m(r.consumers);
	m.begin_pass();
	uint64_t last = 0, n = 0;
	while (const icmpt_event *ev = m.next()) {
		assert_true(ev->ts_boot_ns >= last);
		last = ev->ts_boot_ns;
		++n;
	}
	assert_int_equal(n, 10 * kRings);
}

// consumer_pos moves only at give_back(), to just past the records taken.
void test_give_back(void **)
{
	Rings r(2);
	SyntheticRing &r0 = r[0], &r1 = r[1];
	push(r0, 0, 10, 1);
	push(r0, 0, 30, 2);
	push(r1, 1, 20, 3);
	push(r1, 1, 40, 4);
	RingMerge m(r.consumers);
	m.begin_pass();
	assert_int_equal(m.next()->pkt.seq, 1);
	assert_int_equal(m.next()->pkt.seq, 3);
	assert_int_equal(r0.consumer_pos(), 0);
	assert_int_equal(r1.consumer_pos(), 0);
	m.give_back();
	assert_int_equal(r0.consumer_pos(), sizeof(icmpt_event));
	assert_int_equal(r1.consumer_pos(), sizeof(icmpt_event));
	assert_int_equal(m.next()->pkt.seq, 2);
	m.give_back();
	assert_int_equal(r0.consumer_pos(), 2 * sizeof(icmpt_event));
	assert_int_equal(r1.consumer_pos(), sizeof(icmpt_event));
}

// A record written after begin_pass() waits for the next pass.
void test_pass_ends_at_snapshot(void **)
{
	Rings r(1);
	SyntheticRing &r0 = r[0];
	push(r0, 0, 10, 1);
	RingMerge m(r.consumers);
	m.begin_pass();
	push(r0, 0, 20, 2);
	assert_int_equal(m.next()->pkt.seq, 1);
	assert_null(m.next());
	m.give_back();
	m.begin_pass();
	assert_int_equal(m.next()->pkt.seq, 2);
}

// A record of an older module (shorter) reads zero-padded; a corrupt ring
// is reported and the others still deliver.
void test_short_record_and_corruption(void **)
{
	Rings r(2);
	SyntheticRing &r0 = r[0], &r1 = r[1];
	const uint32_t short_len = offsetof(icmpt_event, detail);
	push(r0, 0, 10, 1, short_len);
	push(r1, 1, 20, 2);
	icmpt_rec_hdr bad{12, 1, 0};
	r1.write_at(r1.producer_pos(), &bad, sizeof(bad));
	r1.set_producer_pos(r1.producer_pos() + 64);
	RingMerge m(r.consumers);
	m.begin_pass();
	const icmpt_event *ev = m.next();
	assert_int_equal(ev->pkt.seq, 1);
	assert_int_equal(ev->detail.kind, 0);
	assert_int_equal(m.next()->pkt.seq, 2);
	assert_null(m.next());
	assert_int_equal(m.corrupt_reports().size(), 1);
	assert_int_equal(m.corrupt_reports()[0].ring, 1);
	m.give_back();
	assert_int_equal(r1.consumer_pos(), r1.producer_pos());
}

// Variable-length records with packet bytes, merged across rings next to
// plain ones: each is read in place, its bytes where the module put them,
// and the consumers step by len.
void test_records_with_bytes(void **)
{
	Rings r(2);
	auto with_bytes = [](uint64_t ts, uint16_t seq, uint32_t cap) {
		icmpt_event ev = sample_echo_request();
		ev.ts_boot_ns = ts;
		ev.pkt.seq = seq;
		ev.cap_len = cap;
		ev.cap_off = sizeof(icmpt_event);
		const uint32_t len = (sizeof(icmpt_event) + cap + 7) / 8 * 8;
		std::vector<unsigned char> rec = packet_record(ev, len);
		for (uint32_t i = 0; i < cap; ++i)
			rec[sizeof(icmpt_event) + i] = static_cast<unsigned char>(seq + i);
		return rec;
	};
	assert_true(r[0].push(with_bytes(10, 1, 84)));
	push(r[1], 1, 20, 2);
	assert_true(r[0].push(with_bytes(30, 3, 1001)));
	RingMerge m(r.consumers);
	m.begin_pass();
	const uint16_t want_seq[] = {1, 2, 3};
	const size_t want_cap[] = {84, 0, 1001};
	for (int i = 0; i < 3; ++i) {
		const icmpt_event *ev = m.next();
		assert_non_null(ev);
		assert_int_equal(ev->pkt.seq, want_seq[i]);
		std::span<const uint8_t> b = packet_bytes(&ev->hdr);
		assert_int_equal(b.size(), want_cap[i]);
		if (!b.empty()) {
			assert_ptr_equal(b.data(), reinterpret_cast<const uint8_t *>(ev) + sizeof(icmpt_event));
			assert_int_equal(b[0], want_seq[i]);
			assert_int_equal(b[b.size() - 1], static_cast<uint8_t>(want_seq[i] + b.size() - 1));
		}
	}
	assert_null(m.next());
	m.give_back();
	assert_int_equal(r[0].consumer_pos(), (sizeof(icmpt_event) + 88) + (sizeof(icmpt_event) + 1008));
	assert_int_equal(r[1].consumer_pos(), sizeof(icmpt_event));
}

} // namespace

int main()
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_with_equal_stamps),
		cmocka_unit_test(test_many_rings_sorted),
		cmocka_unit_test(test_give_back),
		cmocka_unit_test(test_pass_ends_at_snapshot),
		cmocka_unit_test(test_short_record_and_corruption),
		cmocka_unit_test(test_records_with_bytes),
	};
	return cmocka_run_group_tests_name("ring_merge", tests, nullptr, nullptr);
}
