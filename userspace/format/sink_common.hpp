// What the three line formats share on their fast path.
#pragma once

#include <linux/icmptrace.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "context/format_context.hpp"
#include "format/cursor.hpp"

namespace icmptrace {

// ICMP type/code name (icmp_type_code.hpp) of the last packet asked about,
// kept: a flood asks about one type again and again.  Valid until the next call.
std::string_view type_code_name(uint8_t family, uint8_t type, uint8_t code);

// The record's task, or all zeros when owner is none (the header says the
// fields are not filled then).  No copy.
const icmpt_task &task_or_zero(const icmpt_event &ev);

// "aa:bb:cc:dd:ee:ff" of n bytes.
void put_mac(Cursor &c, const uint8_t *a, unsigned n);

// The one bounds check of a record: the room its line can need.
inline size_t line_room(const FormatContext &ctx)
{
	return kLineMax +
	       kEscapeMax * (sizeof(icmpt_task::comm) + ctx.hostname.size() + ctx.container_id.size());
}

} // namespace icmptrace
