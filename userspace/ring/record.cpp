#include "ring/record.hpp"

#include <algorithm>
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
		return "record length above 64 KiB";
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
	return ev;
}

} // namespace icmptrace
