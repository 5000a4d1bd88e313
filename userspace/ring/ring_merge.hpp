// The records of every ring in CLOCK_BOOTTIME order, read where they lie in
// the mapped rings: a k-way merge over the ring heads (a binary heap keyed
// by (ts_boot_ns, ring index), so equal stamps keep ring order and each
// ring its own order).  Nothing is copied and nothing grows with the rings:
// a record stays in its ring until give_back() returns the space of every
// record taken so far to the producers.
#pragma once

#include <linux/icmptrace.h>

#include <cstdint>
#include <optional>
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
	const icmpt_event *next();
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
	// The ring's next record as a heap entry; false when it has none.
	bool load(uint32_t ring, Head &h);
	void sift_down(size_t i);

	std::vector<RingConsumer> &rings_;
	std::vector<Head> heap_;		// min-heap on (ts, ring)
	std::vector<CorruptReport> corrupt_;
	icmpt_event short_{};			// a short record, zero-padded
};

} // namespace icmptrace
