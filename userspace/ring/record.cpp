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
