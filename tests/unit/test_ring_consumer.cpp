// RingConsumer on synthetic double-mapped rings.
#include <cstring>
#include <vector>

#include "ring/ring_consumer.hpp"
#include "sample_events.hpp"
#include "cli/summary.hpp"
#include "synthetic_ring.hpp"
#include "util/exit_codes.hpp"
// Last: cmocka defines macros (fail, skip) that clash with the C++ library.
#include "cmocka_includes.hpp"

using namespace icmptrace;
using namespace icmptrace::test;

namespace {

constexpr uint64_t kSize = 4096;	// small, so wrapping is quick

std::vector<unsigned char> rec_with_seq(uint16_t seq, uint64_t ts_boot,
					uint32_t len = sizeof(icmpt_event))
{
	icmpt_event ev = sample_echo_request();
	ev.pkt.seq = seq;
	ev.ts_boot_ns = ts_boot;
	return packet_record(ev, len);
}

std::vector<unsigned char> unknown_record(uint32_t len, uint16_t type)
{
	std::vector<unsigned char> r(len, 0x5A);
	icmpt_rec_hdr h{len, type, 0};
	std::memcpy(r.data(), &h, sizeof(h));
	return r;
}

void test_empty(void **)
{
	SyntheticRing ring(kSize);
	RingConsumer c(0, ring.view(), true);
	std::vector<icmpt_event> out;
	DrainResult r = c.drain(out);
	assert_int_equal(r.packets, 0);
	assert_int_equal(r.unknown, 0);
	assert_false(r.corrupt.has_value());
	assert_true(out.empty());
	assert_int_equal(ring.consumer_pos(), 0);
}

void test_several_records(void **)
{
	SyntheticRing ring(kSize);
	RingConsumer c(0, ring.view(), false);
	for (uint16_t s = 1; s <= 5; ++s)
		assert_true(ring.push(rec_with_seq(s, 100 + s)));
	assert_int_equal(c.unread_records(), 5);
	std::vector<icmpt_event> out;
	DrainResult r = c.drain(out);
	assert_int_equal(c.unread_records(), 0);
	assert_int_equal(r.packets, 5);
	assert_int_equal(out.size(), 5);
	for (uint16_t s = 1; s <= 5; ++s) {
		assert_int_equal(out[s - 1].pkt.seq, s);
		assert_int_equal(out[s - 1].ts_boot_ns, 100 + s);
	}
	assert_int_equal(ring.consumer_pos(), 5 * sizeof(icmpt_event));
	assert_int_equal(ring.consumer_pos(), ring.producer_pos());
	// Nothing new: nothing returned, position unchanged.
	out.clear();
	assert_int_equal(c.drain(out).packets, 0);
	assert_int_equal(ring.consumer_pos(), 5 * sizeof(icmpt_event));
}

// Records of other types and of other lengths are skipped by len.
void test_unknown_types_and_lengths(void **)
{
	SyntheticRing ring(kSize);
	RingConsumer c(0, ring.view(), false);
	assert_true(ring.push(unknown_record(24, 99)));
	assert_true(ring.push(rec_with_seq(1, 1, sizeof(icmpt_event) + 32)));	// newer module
	assert_true(ring.push(unknown_record(8, 0)));
	assert_true(ring.push(rec_with_seq(2, 2, offsetof(icmpt_event, task))));	// older
	assert_true(ring.push(unknown_record(1024, 7)));
	std::vector<icmpt_event> out;
	DrainResult r = c.drain(out);
	assert_int_equal(r.packets, 2);
	assert_int_equal(r.unknown, 3);
	assert_int_equal(c.unknown_records(), 3);
	assert_false(r.corrupt.has_value());
	assert_int_equal(out[0].pkt.seq, 1);
	assert_int_equal(out[0].task.pid, 1094692);
	assert_int_equal(out[1].pkt.seq, 2);
	assert_int_equal(out[1].task.pid, 0);	// not in the older record
	assert_int_equal(ring.consumer_pos(), 24 + (sizeof(icmpt_event) + 32) + 8 +
						       offsetof(icmpt_event, task) + 1024);
}

// A record crossing the end of the data area is read whole through the
// second mapping.
void test_wrap_around(void **)
{
	SyntheticRing ring(kSize);
	// Start near the end: 4096 - 100 = 3996 is not 8-aligned; use 4000.
	const uint64_t start = 3 * kSize + 4000;
	ring.set_producer_pos(start);
	ring.set_consumer_pos(start);
	RingConsumer c(0, ring.view(), true);
	assert_true(ring.push(rec_with_seq(7, 70)));	// crosses the end at 4096
	assert_true(ring.push(rec_with_seq(8, 80)));
	// The double mapping shows the wrapped tail after the end.
	assert_memory_equal(ring.data() + kSize, ring.data(), 200);
	std::vector<icmpt_event> out;
	DrainResult r = c.drain(out);
	assert_int_equal(r.packets, 2);
	assert_false(r.corrupt.has_value());
	icmpt_event want = sample_echo_request();
	want.pkt.seq = 7;
	want.ts_boot_ns = 70;
	assert_memory_equal(&out[0], &want, sizeof(want));
	assert_int_equal(out[1].pkt.seq, 8);
	assert_int_equal(ring.consumer_pos(), start + 2 * sizeof(icmpt_event));
}

// Fill the ring to the last byte: prod - cons == data_size is still valid.
void test_full_ring(void **)
{
	SyntheticRing ring(kSize);
	RingConsumer c(0, ring.view(), false);
	// 4096 / 256 = 16 records of 256 bytes fill it exactly.
	for (uint16_t s = 0; s < 16; ++s)
		assert_true(ring.push(rec_with_seq(s, s, 256)));
	assert_false(ring.push(rec_with_seq(99, 99, 256)));	// producer drops it
	assert_int_equal(ring.producer_pos() - ring.consumer_pos(), kSize);
	std::vector<icmpt_event> out;
	DrainResult r = c.drain(out);
	assert_int_equal(r.packets, 16);
	assert_false(r.corrupt.has_value());
	assert_int_equal(out[15].pkt.seq, 15);
	assert_int_equal(c.drops_since_start().ring_full, 1);
	// Space again: the next record goes in and comes out.
	assert_true(ring.push(rec_with_seq(100, 100, 256)));
	out.clear();
	assert_int_equal(c.drain(out).packets, 1);
	assert_int_equal(out[0].pkt.seq, 100);
}

// Drops are reported relative to the counters when the reader started.
void test_drop_deltas(void **)
{
	SyntheticRing ring(kSize);
	ring.producer().dropped = 40;
	ring.producer().dropped_bad_consumer = 7;
	ring.producer().dropped_nested = 2;
	RingConsumer c(3, ring.view(), false);
	DropCounts d = c.drops_since_start();
	assert_int_equal(d.total(), 0);
	ring.producer().dropped += 5;
	ring.producer().dropped_bad_consumer += 1;
	ring.producer().dropped_nested += 2;
	d = c.drops_since_start();
	assert_int_equal(d.ring_full, 5);
	assert_int_equal(d.bad_consumer, 1);
	assert_int_equal(d.nested, 2);
	assert_int_equal(d.total(), 8);

	std::vector<RingConsumer> rings;
	rings.push_back(c);
	std::string s = format_summary(12, collect_totals(rings));
	assert_string_equal(s.c_str(),
			    "icmptrace: 12 records, 8 dropped\n"
			    "icmptrace:   cpu3: 8 dropped (ring full 5, bad consumer_pos 1, nested 2)\n"
			    "icmptrace: WARNING: the kernel dropped 8 records; the output above is incomplete\n"
			    "icmptrace: a ring (4 KiB a CPU) filled before it was read: the module's "
			    "ring_size parameter (bytes a CPU, at load) gives more room\n");
}

// A corrupt ring ends the run with status 1, whatever COMMAND's status;
// drops at a full ring (normal operation, counted) leave the status alone.
void test_run_status(void **)
{
	std::vector<RingTotals> t(2);
	t[1].drops.ring_full = 5;
	assert_int_equal(run_status(t, false, std::nullopt), kExitOk);
	assert_int_equal(run_status(t, false, 3), 3);
	assert_int_equal(run_status(t, true, 0), kExitRuntime);
	t[0].corrupt = 1;
	assert_int_equal(run_status(t, false, std::nullopt), kExitRuntime);
	assert_int_equal(run_status(t, false, 0), kExitRuntime);
	assert_int_equal(run_status(t, false, 3), kExitRuntime);
}

void test_summary_clean(void **)
{
	std::vector<RingTotals> t(4);
	for (uint32_t i = 0; i < 4; ++i)
		t[i].ring = i;
	assert_string_equal(format_summary(3, t).c_str(), "icmptrace: 3 records, 0 dropped\n");
	assert_string_equal(format_summary(3, t, 7).c_str(),
			    "icmptrace: 3 records, 0 dropped, 7 left unread\n"
			    "icmptrace: WARNING: the output did not take the last 7 records in "
			    "time after the stop; they were not printed\n");
	t[2].corrupt = 1;
	assert_string_equal(format_summary(3, t).c_str(),
			    "icmptrace: 3 records, 0 dropped, 1 corrupt-ring events\n"
			    "icmptrace:   cpu2: 0 dropped (ring full 0, bad consumer_pos 0, nested 0), 1 corrupt-ring events\n"
			    "icmptrace: WARNING: 1 corrupt-ring events; records in the skipped bytes are lost\n");
	// Drops that a larger ring would not have avoided: no ring_size hint.
	t[2].corrupt = 0;
	t[1].drops.nested = 2;
	t[1].data_size = 1 << 20;
	assert_string_equal(format_summary(3, t).c_str(),
			    "icmptrace: 3 records, 2 dropped\n"
			    "icmptrace:   cpu1: 2 dropped (ring full 0, bad consumer_pos 0, nested 2)\n"
			    "icmptrace: WARNING: the kernel dropped 2 records; the output above is incomplete\n");
	t[1].drops.ring_full = 1;
	assert_string_equal(format_summary(3, t).c_str(),
			    "icmptrace: 3 records, 3 dropped\n"
			    "icmptrace:   cpu1: 3 dropped (ring full 1, bad consumer_pos 0, nested 2)\n"
			    "icmptrace: WARNING: the kernel dropped 3 records; the output above is incomplete\n"
			    "icmptrace: a ring (1024 KiB a CPU) filled before it was read: the module's "
			    "ring_size parameter (bytes a CPU, at load) gives more room\n");
	// With the reader's pace: which side was slow.
	ReaderPace pace;
	pace.longest_chunk = std::chrono::microseconds(52130);
	pace.longest_chunk_output = std::chrono::microseconds(48000);
	assert_string_equal(format_summary(3, t, 0, pace).c_str(),
			    "icmptrace: 3 records, 3 dropped\n"
			    "icmptrace:   cpu1: 3 dropped (ring full 1, bad consumer_pos 0, nested 2)\n"
			    "icmptrace: WARNING: the kernel dropped 3 records; the output above is incomplete\n"
			    "icmptrace: a ring (1024 KiB a CPU) filled before it was read: the module's "
			    "ring_size parameter (bytes a CPU, at load) gives more room\n"
			    "icmptrace: the reader's slowest chunk of records took 52.1 ms, 48.0 ms of "
			    "it writing to the output\n");
	// Drops of another kind: the pace says nothing about them.
	t[1].drops.ring_full = 0;
	assert_true(format_summary(3, t, 0, pace).find("slowest") == std::string::npos);
}

// Each kind of garbage header: resync to producer_pos, report, no crash.
void check_garbage(uint32_t len, uint16_t type, const char *reason)
{
	SyntheticRing ring(kSize);
	RingConsumer c(2, ring.view(), false);
	assert_true(ring.push(rec_with_seq(1, 1)));
	const uint64_t bad_pos = ring.producer_pos();
	icmpt_rec_hdr h{len, type, 0};
	ring.write_at(bad_pos, &h, sizeof(h));
	ring.set_producer_pos(bad_pos + 512);
	std::vector<icmpt_event> out;
	DrainResult r = c.drain(out);
	assert_int_equal(r.packets, 1);	// the good record before it
	assert_true(r.corrupt.has_value());
	assert_int_equal(r.corrupt->ring, 2);
	assert_int_equal(r.corrupt->pos, bad_pos);
	assert_int_equal(r.corrupt->len, len);
	assert_int_equal(r.corrupt->skipped_bytes, 512);
	assert_string_equal(r.corrupt->reason.c_str(), reason);
	assert_int_equal(c.corrupt_events(), 1);
	assert_int_equal(ring.consumer_pos(), bad_pos + 512);
	// After the resync the ring works again.
	assert_true(ring.push(rec_with_seq(2, 2)));
	out.clear();
	r = c.drain(out);
	assert_int_equal(r.packets, 1);
	assert_false(r.corrupt.has_value());
	assert_int_equal(out[0].pkt.seq, 2);
}

void test_garbage_headers(void **)
{
	check_garbage(0, 1, "record length shorter than its header");
	check_garbage(4, 1, "record length shorter than its header");
	check_garbage(13, 1, "record length not a multiple of 8");
	check_garbage(1u << 20, 1, "record length above the largest possible record");
	check_garbage(0xfffffff8u, 0xffff, "record length above the largest possible record");
	check_garbage(1024, 1, "record extends past producer_pos");
}

void test_describe(void **)
{
	CorruptReport r;
	r.ring = 2;
	r.pos = 192;
	r.producer_pos = 704;
	r.len = 13;
	r.type = 1;
	r.reason = "record length not a multiple of 8";
	r.skipped_bytes = 512;
	assert_string_equal(describe(r).c_str(),
			    "ring 2: corrupt ring at position 192 (producer_pos 704): record "
			    "length not a multiple of 8 [len=13 type=1]; skipped 512 bytes");
}

// A torn tail: producer_pos ends 4 bytes into a header.
void test_partial_header(void **)
{
	SyntheticRing ring(kSize);
	RingConsumer c(0, ring.view(), false);
	assert_true(ring.push(rec_with_seq(1, 1)));
	ring.set_producer_pos(ring.producer_pos() + 4);
	std::vector<icmpt_event> out;
	DrainResult r = c.drain(out);
	assert_int_equal(r.packets, 1);
	assert_true(r.corrupt.has_value());
	assert_string_equal(r.corrupt->reason.c_str(), "partial record header");
	assert_int_equal(ring.consumer_pos(), ring.producer_pos());
}

// producer_pos more than data_size ahead, or behind us: resync, don't walk.
void test_producer_pos_out_of_range(void **)
{
	for (uint64_t prod : {kSize + 8, uint64_t(1) << 62}) {
		SyntheticRing ring(kSize);
		// Valid-looking 8-byte records everywhere: only the range check
		// can tell that the position is wrong.
		icmpt_rec_hdr filler{8, 99, 0};
		for (uint64_t pos = 0; pos < kSize; pos += 8)
			ring.write_at(pos, &filler, sizeof(filler));
		RingConsumer c(0, ring.view(), true);
		ring.set_producer_pos(prod);
		std::vector<icmpt_event> out;
		DrainResult r = c.drain(out);
		assert_int_equal(r.packets, 0);
		assert_int_equal(r.unknown, 0);
		assert_true(r.corrupt.has_value());
		assert_string_equal(r.corrupt->reason.c_str(),
				    "producer_pos more than data_size away from the consumer");
		assert_int_equal(r.corrupt->skipped_bytes, prod);
		assert_int_equal(ring.consumer_pos(), prod);
	}
	// Behind: the unsigned distance is huge.
	SyntheticRing ring(kSize);
	ring.set_producer_pos(1024);
	ring.set_consumer_pos(2048);	// left by a broken earlier reader
	RingConsumer c(0, ring.view(), true);
	std::vector<icmpt_event> out;
	DrainResult r = c.drain(out);
	assert_true(r.corrupt.has_value());
	assert_int_equal(ring.consumer_pos(), 1024);
	assert_int_equal(c.position(), 1024);
}

// Without --backlog the reader starts at producer_pos; with it, at
// consumer_pos.  Either way consumer_pos never passes producer_pos.
void test_backlog(void **)
{
	SyntheticRing ring(kSize);
	for (uint16_t s = 1; s <= 3; ++s)
		assert_true(ring.push(rec_with_seq(s, s)));
	{
		RingConsumer skipper(0, ring.view(), false);
		assert_int_equal(ring.consumer_pos(), ring.producer_pos());
		std::vector<icmpt_event> out;
		assert_int_equal(skipper.drain(out).packets, 0);
	}
	ring.set_consumer_pos(0);
	RingConsumer keep(0, ring.view(), true);
	assert_int_equal(ring.consumer_pos(), 0);
	std::vector<icmpt_event> out;
	assert_int_equal(keep.drain(out).packets, 3);
	assert_int_equal(out[0].pkt.seq, 1);
	assert_int_equal(ring.consumer_pos(), ring.producer_pos());
}

// Many laps of a small ring, with drains at odd moments: positions keep
// growing, every record comes out once, in order, consumer <= producer.
void test_many_laps(void **)
{
	SyntheticRing ring(kSize);
	RingConsumer c(0, ring.view(), false);
	uint16_t next = 0, expect = 0;
	std::vector<icmpt_event> out;
	for (int round = 0; round < 1000; ++round) {
		int burst = round % 7;
		for (int i = 0; i < burst; ++i) {
			uint32_t len = (round + i) % 3 ? 192 : 256;
			if (ring.push(rec_with_seq(next, next, len)))
				++next;
		}
		out.clear();
		DrainResult r = c.drain(out);
		assert_false(r.corrupt.has_value());
		for (const icmpt_event &e : out)
			assert_int_equal(e.pkt.seq, expect++);
		assert_true(ring.consumer_pos() <= ring.producer_pos());
		assert_int_equal(ring.consumer_pos(), ring.producer_pos());
	}
	assert_int_equal(expect, next);
	assert_true(ring.producer_pos() > 100 * kSize);
	assert_int_equal(c.drops_since_start().total(), 0);
}

} // namespace

int main()
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_several_records),
		cmocka_unit_test(test_unknown_types_and_lengths),
		cmocka_unit_test(test_wrap_around),
		cmocka_unit_test(test_full_ring),
		cmocka_unit_test(test_drop_deltas),
		cmocka_unit_test(test_summary_clean),
		cmocka_unit_test(test_run_status),
		cmocka_unit_test(test_garbage_headers),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_partial_header),
		cmocka_unit_test(test_producer_pos_out_of_range),
		cmocka_unit_test(test_backlog),
		cmocka_unit_test(test_many_laps),
	};
	return cmocka_run_group_tests_name("ring_consumer", tests, nullptr, nullptr);
}
