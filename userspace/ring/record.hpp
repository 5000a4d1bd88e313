// Validating and decoding one record of a ring (see "Records" in the uapi
// header).  Pure functions on bytes, so the unit tests can feed them anything.
#pragma once

#include <linux/icmptrace.h>

#include <cstdint>

namespace icmptrace {

// No record the module writes comes close; a longer len is a garbage header.
constexpr uint32_t kMaxRecordLen = 64 * 1024;

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
// shorter one from an older module reads as zeros.
icmpt_event decode_event(const void *record, uint32_t len);

} // namespace icmptrace
