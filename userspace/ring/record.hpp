// Validating and decoding one record of a ring (see "Records" in the uapi
// header).  Pure functions on bytes, so the unit tests can feed them anything.
#pragma once

#include <linux/icmptrace.h>

#include <cstddef>
#include <cstdint>
#include <span>

namespace icmptrace {

// The largest record: the fixed part (with room to grow) and a whole
// snap length of packet bytes.  A longer len is a garbage header.
constexpr uint32_t kMaxRecordLen = ICMPT_SNAPLEN_MAX + 64 * 1024;

enum class HeaderProblem {
	None,
	TooShort,	// len < sizeof(icmpt_rec_hdr): would never advance
	Misaligned,	// len not a multiple of ICMPT_REC_ALIGN
	TooLong,	// len > kMaxRecordLen
	PastProducer,	// record would end beyond producer_pos
};

// available: bytes between this record's start and producer_pos.  Inline:
// the merge asks once per record.
inline HeaderProblem check_header(const icmpt_rec_hdr &hdr, uint64_t available)
{
	if (hdr.len < sizeof(icmpt_rec_hdr))
		return HeaderProblem::TooShort;
	if (hdr.len % ICMPT_REC_ALIGN != 0)
		return HeaderProblem::Misaligned;
	if (hdr.len > kMaxRecordLen)
		return HeaderProblem::TooLong;
	if (hdr.len > available)
		return HeaderProblem::PastProducer;
	return HeaderProblem::None;
}
const char *to_string(HeaderProblem p);

// Compatibility rule: copy min(len, sizeof(icmpt_event)) bytes into a zeroed
// event, so a longer record from a newer module loses only its new tail and a
// shorter one from an older module reads as zeros.  The copy's hdr.len is
// what it holds, min(len, sizeof): packet bytes stay behind in the ring, and
// packet_bytes() of a copy is empty rather than a read past its end.
icmpt_event decode_event(const void *record, uint32_t len);

// The packet bytes a record carries ("Packet bytes" in the uapi header).
// rec points at a whole record of rec->len readable bytes: a record in its
// ring, as RingMerge::next() or RingConsumer::head() hand it out, valid
// until the space is given back.  Empty when it carries none: a record of an older
// module, cap_len 0, or cap_off/cap_len pointing outside the record
// (malformed; bytes_problem() tells that case apart, for counting).
std::span<const uint8_t> packet_bytes(const icmpt_rec_hdr *rec);

enum class BytesProblem {
	None,		// no bytes, or valid ones
	BadOffset,	// cap_len set but cap_off inside the fixed fields
	PastEnd,	// cap_off + cap_len beyond len
};
BytesProblem bytes_problem(const icmpt_rec_hdr *rec);
const char *to_string(BytesProblem p);

} // namespace icmptrace
