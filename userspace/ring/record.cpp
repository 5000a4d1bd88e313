#include "ring/record.hpp"

#include <algorithm>
#include <cstring>

namespace icmptrace {

HeaderProblem check_header(const icmpt_rec_hdr &hdr, uint64_t available)
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
