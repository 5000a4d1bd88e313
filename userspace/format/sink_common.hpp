// What the three line formats share on their fast path.
#pragma once

#include <linux/icmptrace.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "context/format_context.hpp"
#include "format/cursor.hpp"

namespace icmptrace {

// ICMP type/code name (icmp_type_code.hpp), the last few asked about kept:
// a flood asks about the same few again and again.  Valid until the next call.
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

// A format's text of the task fields, kept for the next record of the same
// task: a flood's records are one task's, and a task's ten-digit namespace
// numbers and pids cost more to write than to copy.  N segments (the pieces
// the format's line puts between other fields), each at most kSegmentMax.
template <size_t N>
class TaskSegments {
public:
	static constexpr size_t kSegmentMax = 512;

	// The segments hold ev's task fields as ctx completes them.
	bool same(const icmpt_event &ev, const FormatContext &ctx) const
	{
		return valid_ && ev.owner == owner_ && ctx.mnt_ns == ctx_mnt_ns_ &&
		       std::memcmp(&ev.task, &task_, sizeof(task_)) == 0;
	}
	// Writing segment i: start(i), write through the cursor, end(i, cursor).
	Cursor start(size_t i) { return Cursor{buf_[i]}; }
	void end(size_t i, const Cursor &c) { len_[i] = static_cast<size_t>(c.p - buf_[i]); }
	// After every segment is written.
	void remember(const icmpt_event &ev, const FormatContext &ctx)
	{
		valid_ = true;
		owner_ = ev.owner;
		ctx_mnt_ns_ = ctx.mnt_ns;
		task_ = ev.task;
	}
	void put(Cursor &c, size_t i) const
	{
		std::memcpy(c.p, buf_[i], len_[i]);
		c.p += len_[i];
	}

private:
	bool valid_ = false;
	uint8_t owner_ = 0;
	uint64_t ctx_mnt_ns_ = 0;
	icmpt_task task_{};
	char buf_[N][kSegmentMax];
	size_t len_[N] = {};
};

// The one bounds check of a record: the room its line can need.
inline size_t line_room(const FormatContext &ctx)
{
	return kLineMax +
	       kEscapeMax * (sizeof(icmpt_task::comm) + ctx.hostname.size() + ctx.container_id.size());
}

} // namespace icmptrace
