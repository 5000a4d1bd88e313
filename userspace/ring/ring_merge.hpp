// The records of every ring in CLOCK_BOOTTIME order, read where they lie in
// the mapped rings: a k-way merge over the ring heads (a binary heap keyed
// by (ts_boot_ns, ring index), so equal stamps keep ring order and each
// ring its own order).  Nothing is copied and nothing grows with the rings:
// a record stays in its ring until give_back() returns the space of every
// record taken so far to the producers.
#pragma once

#include <linux/icmptrace.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <utility>
#include <vector>

#include "ring/ring_consumer.hpp"

namespace icmptrace {

class RingMerge {
public:
	explicit RingMerge(std::vector<RingConsumer> &rings);

	// Ends of this pass: what each ring holds now.  Garbage found on the
	// way is reported in corrupt_reports().
	void begin_pass();
	// The next record of the pass in time order; nullptr when all are taken.
	// Valid until give_back() (a record shorter than icmpt_event, from an
	// older module, is read through a zero-padded copy, valid until the
	// next call).  A record with packet bytes is always the one in the
	// ring: packet_bytes(&ev->hdr) (ring/record.hpp) reads them there.
	// Inline, as is the common case below it (the ring has a next record,
	// at most one other ring to compare with): called once a record, its
	// call and a general sift were most of the merge's cost.
	const icmpt_event *next()
	{
		if (heap_.empty())
			return nullptr;
		Head &top = heap_[0];
		const Head out = top;
		RingConsumer &r = rings_[out.ring];
		r.pop();
		// The ring's next record takes the top's place (one sift instead
		// of a pop and a push).
		if (const unsigned char *rec = r.head()) [[likely]] {
			top.rec = rec;
			top.len = r.head_len();
			top.ts = stamp(rec, top.len);
			sift_top();
		} else {
			ring_done(out.ring);
		}
		if (out.len >= sizeof(icmpt_event)) [[likely]] {
			// Mapped pages, records 8-aligned (ICMPT_REC_ALIGN): readable
			// in place.
			return reinterpret_cast<const icmpt_event *>(out.rec);
		}
		return short_copy(out);
	}
	// consumer_pos of every ring up to the records taken so far.
	void give_back();

	// Reports of corrupt rings since the last call; cleared by the caller.
	std::vector<CorruptReport> &corrupt_reports() { return corrupt_; }

private:
	struct Head {
		uint64_t ts;
		const unsigned char *rec;
		uint32_t ring;
		uint32_t len;
	};
	static bool later(const Head &a, const Head &b)
	{
		return a.ts != b.ts ? a.ts > b.ts : a.ring > b.ring;
	}
	// A record too short to hold a stamp sorts first.
	static uint64_t stamp(const unsigned char *rec, uint32_t len)
	{
		constexpr size_t at = offsetof(icmpt_event, ts_boot_ns);
		uint64_t ts = 0;
		if (len >= at + sizeof(ts))
			std::memcpy(&ts, rec + at, sizeof(ts));
		return ts;
	}
	// The ring's next record as a heap entry; false when it has none.
	bool load(uint32_t ring, Head &h);
	void sift_down(size_t i);
	// After the top's key grew: with two rings one compare, else a sift.
	void sift_top()
	{
		const size_t n = heap_.size();
		if (n == 2) {
			if (later(heap_[0], heap_[1]))
				std::swap(heap_[0], heap_[1]);
		} else if (n > 2) {
			sift_down(0);
		}
	}
	// The top's ring has no record left: its reports kept, its place given
	// to the last entry.
	void ring_done(uint32_t ring);
	const icmpt_event *short_copy(const Head &h);

	std::vector<RingConsumer> &rings_;
	std::vector<Head> heap_;		// min-heap on (ts, ring)
	std::vector<CorruptReport> corrupt_;
	icmpt_event short_{};			// a short record, zero-padded
};

} // namespace icmptrace
