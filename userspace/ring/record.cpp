#include "ring/record.hpp"

#include <algorithm>
#include <cstddef>
#include <cstring>

namespace icmptrace {

const char *to_string(HeaderProblem p)
{
	switch (p) {
	case HeaderProblem::None:
		return "ok";
	case HeaderProblem::TooShort:
		return "record length shorter than its header";
	case HeaderProblem::Misaligned:
		return "record length not a multiple of 8";
	case HeaderProblem::TooLong:
		return "record length above the largest possible record";
	case HeaderProblem::PastProducer:
		return "record extends past producer_pos";
	}
	return "unknown problem";
}

icmpt_event decode_event(const void *record, uint32_t len)
{
	icmpt_event ev;
	std::memset(&ev, 0, sizeof(ev));
	std::memcpy(&ev, record, std::min<size_t>(len, sizeof(ev)));
	ev.hdr.len = std::min<uint32_t>(len, sizeof(ev));
	return ev;
}

namespace {

struct Capture {
	std::span<const uint8_t> bytes;
	BytesProblem problem = BytesProblem::None;
};

Capture capture_of(const icmpt_rec_hdr *rec)
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

} // namespace

std::span<const uint8_t> packet_bytes(const icmpt_rec_hdr *rec) { return capture_of(rec).bytes; }

BytesProblem bytes_problem(const icmpt_rec_hdr *rec) { return capture_of(rec).problem; }

const char *to_string(BytesProblem p)
{
	switch (p) {
	case BytesProblem::None:
		return "ok";
	case BytesProblem::BadOffset:
		return "packet bytes offset inside the record's fields";
	case BytesProblem::PastEnd:
		return "packet bytes past the record's end";
	}
	return "unknown problem";
}

} // namespace icmptrace
