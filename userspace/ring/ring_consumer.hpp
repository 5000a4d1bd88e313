// Consumer side of one per-CPU ring (protocol in the uapi header).  Works on
// a RingView only, so tests drive it with synthetic rings in plain memory.
#pragma once

#include <linux/icmptrace.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ring/record.hpp"
#include "ring/ring_view.hpp"

namespace icmptrace {

struct DropCounts {
	uint64_t ring_full = 0;		// icmpt_producer_page.dropped
	uint64_t bad_consumer = 0;	// .dropped_bad_consumer
	uint64_t nested = 0;		// .dropped_nested
	uint64_t total() const { return ring_full + bad_consumer + nested; }
};

// What the consumer found when it had to resync a ring.
struct CorruptReport {
	uint32_t ring = 0;
	uint64_t pos = 0;		// consumer position of the bad header
	uint64_t producer_pos = 0;
	uint32_t len = 0;		// the header as read (0 if none was read)
	uint16_t type = 0;
	std::string reason;
	uint64_t skipped_bytes = 0;	// bytes thrown away by the resync
};
std::string describe(const CorruptReport &r);

struct DrainResult {
	size_t packets = 0;		// packet records appended
	size_t unknown = 0;		// records of unknown type, skipped by len
	std::optional<CorruptReport> corrupt;
};

class RingConsumer {
public:
	// keep_backlog=false starts at producer_pos (skips what is already
	// there); true starts at the consumer_pos found in the consumer page.
	RingConsumer(uint32_t index, const RingView &view, bool keep_backlog);

	// Appends every packet record in [cons, prod) to out, then publishes
	// the new consumer_pos.  Never moves past producer_pos; on a garbage
	// header it jumps to producer_pos and reports the corruption.
	DrainResult drain(std::vector<icmpt_event> &out);

	// Record by record, for a merge that formats straight from the ring:
	// begin_pass() takes producer_pos as the end of this pass; head() is the
	// next packet record before it (unknown types skipped), nullptr when
	// there is none; pop() steps past it.  Nothing is given back to the
	// producer until give_back(): a popped record stays valid until then.
	// A garbage header jumps to the pass's end; take_corrupt() tells.
	void begin_pass();
	const unsigned char *head()
	{
		// The common case inline: a whole, valid packet record.
		const uint64_t avail = limit_ - cons_;
		if (avail >= sizeof(icmpt_rec_hdr)) {
			const unsigned char *rec = view_.data + (cons_ & (view_.data_size - 1));
			icmpt_rec_hdr hdr;
			std::memcpy(&hdr, rec, sizeof(hdr));
			if (hdr.type == ICMPT_REC_PACKET &&
			    check_header(hdr, avail) == HeaderProblem::None) {
				head_len_ = hdr.len;
				return rec;
			}
		}
		return head_slow();
	}
	// Length of the record head() returned last.
	uint32_t head_len() const { return head_len_; }
	std::optional<CorruptReport> take_corrupt() { return std::exchange(pending_, {}); }
	void pop() { cons_ += head_len_; }
	void give_back() { publish(); }

	// Asks the producer to wake a poll()ing reader only once this ring holds
	// bytes unread (0: at the first record); see "Wakeups" in the uapi header.
	void set_wakeup(uint64_t bytes);
	uint64_t data_size() const { return view_.data_size; }

	// Packet records between the consumer_pos given back and producer_pos:
	// what a reader that stops now leaves unread (up to a bad header).
	uint64_t unread_records() const;

	// Drop counters of the producer page minus their value at construction.
	DropCounts drops_since_start() const;

	uint32_t index() const { return index_; }
	uint64_t position() const { return cons_; }
	uint64_t corrupt_events() const { return corrupt_; }
	uint64_t unknown_records() const { return unknown_; }

private:
	const unsigned char *head_slow();
	DropCounts read_drops() const;
	uint64_t load_producer_pos() const;
	void publish();
	CorruptReport resync(uint64_t prod, uint32_t len, uint16_t type,
			     std::string reason);

	uint32_t index_;
	RingView view_;
	uint64_t cons_;			// our position; consumer_pos follows it
	uint64_t limit_ = 0;		// producer_pos at begin_pass()
	uint32_t head_len_ = 0;		// length of the record head() returned
	std::optional<CorruptReport> pending_;	// found by begin_pass() or head()
	DropCounts baseline_;
	uint64_t corrupt_ = 0;
	uint64_t unknown_ = 0;
	uint64_t wakeup_ = 0;		// what the consumer page's wakeup_bytes holds
};

} // namespace icmptrace
