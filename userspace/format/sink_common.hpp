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

// The task fields as every format shows them, with their rules applied in
// one place: zeros without an owner, the derived mount namespace where the
// record has none, syscall_nr -1 without an owner, the syscall's name only
// for a sending task.  The formats order them as their pinned lines do.
struct TaskFields {
	const icmpt_task &t;
	uint64_t mnt_ns;
	int64_t syscall_nr;
	std::string_view comm;
	const char *syscall;
};
TaskFields task_fields(const icmpt_event &ev, const FormatContext &ctx);

// "aa:bb:cc:dd:ee:ff" of n bytes.
void put_mac(Cursor &c, const uint8_t *a, unsigned n);

// The one bounds check of a record: the room its line can need.
inline size_t line_room(const FormatContext &ctx)
{
	return kLineMax +
	       kEscapeMax * (sizeof(icmpt_task::comm) + ctx.hostname.size() + ctx.container_id.size());
}

} // namespace icmptrace
