// Validating and decoding one record of a ring (see "Records" in the uapi
// header).  Pure functions on bytes, so the unit tests can feed them anything.
#pragma once

#include <linux/icmptrace.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
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
// Inline: -w asks for every record's bytes.
enum class BytesProblem {
	None,		// no bytes, or valid ones
	BadOffset,	// cap_len set but cap_off inside the fixed fields
	PastEnd,	// cap_off + cap_len beyond len
};
struct RecordBytes {
	std::span<const uint8_t> bytes;
	BytesProblem problem = BytesProblem::None;
};
inline RecordBytes record_bytes(const icmpt_rec_hdr *rec)
{
	// cap_len .. reserved1: a record shorter than that is from ABI 1.
	constexpr size_t cap_end = offsetof(icmpt_event, cap_len) + 8;
	const uint32_t len = rec->len;
	if (len < cap_end)
		return {};
	const auto *base = reinterpret_cast<const uint8_t *>(rec);
	uint32_t cap_len;
	uint16_t cap_off;
	std::memcpy(&cap_len, base + offsetof(icmpt_event, cap_len), sizeof(cap_len));
	std::memcpy(&cap_off, base + offsetof(icmpt_event, cap_off), sizeof(cap_off));
	if (cap_len == 0)
		return {};
	if (cap_off < cap_end)
		return {{}, BytesProblem::BadOffset};
	// 64-bit sum: cap_len is not trusted to be small.
	if (uint64_t{cap_off} + cap_len > len)
		return {{}, BytesProblem::PastEnd};
	return {{base + cap_off, cap_len}, BytesProblem::None};
}
inline std::span<const uint8_t> packet_bytes(const icmpt_rec_hdr *rec)
{
	return record_bytes(rec).bytes;
}
inline BytesProblem bytes_problem(const icmpt_rec_hdr *rec) { return record_bytes(rec).problem; }
const char *to_string(BytesProblem p);

} // namespace icmptrace
