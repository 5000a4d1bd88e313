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

// A format's text of the task fields, kept for the next records of the same
// task: a flood's records are one task's, and a task's ten-digit namespace
// numbers and pids cost more to write than to copy.  A few tasks' texts are
// kept (a ping -f traced at both ends alternates ping's records with unowned
// ones).  N segments (the pieces the format's line puts between other
// fields), each at most kSegmentMax.
template <size_t N>
class TaskSegments {
public:
	static constexpr size_t kSegmentMax = 512;
	static constexpr unsigned kKept = 4;

	// True when a kept text holds ev's task fields as ctx completes them,
	// which put() then copies; false when the caller must write them:
	// start(i), write through the cursor, end(i, cursor) for each segment,
	// then remember().
	bool select(const icmpt_event &ev, const FormatContext &ctx)
	{
		if (kept_[cur_].matches(ev, ctx))
			return true;
		for (unsigned i = 0; i < kKept; ++i) {
			if (kept_[i].matches(ev, ctx)) {
				cur_ = i;
				return true;
			}
		}
		cur_ = oldest_;
		oldest_ = (oldest_ + 1) % kKept;
		kept_[cur_].valid = false;
		return false;
	}
	Cursor start(size_t i) { return Cursor{kept_[cur_].buf[i]}; }
	void end(size_t i, const Cursor &c)
	{
		kept_[cur_].len[i] = static_cast<size_t>(c.p - kept_[cur_].buf[i]);
	}
	void remember(const icmpt_event &ev, const FormatContext &ctx)
	{
		Kept &k = kept_[cur_];
		k.valid = true;
		k.owner = ev.owner;
		k.ctx_mnt_ns = ctx.mnt_ns;
		// Without an owner the fields are not filled (uapi) and the
		// formats show zeros: the key leaves them out.
		k.task = ev.owner == ICMPT_OWNER_NONE ? icmpt_task{} : ev.task;
	}
	void put(Cursor &c, size_t i) const
	{
		const Kept &k = kept_[cur_];
		std::memcpy(c.p, k.buf[i], k.len[i]);
		c.p += k.len[i];
	}

private:
	struct Kept {
		bool valid = false;
		uint8_t owner = 0;
		uint64_t ctx_mnt_ns = 0;
		icmpt_task task{};
		char buf[N][kSegmentMax];
		size_t len[N] = {};

		bool matches(const icmpt_event &ev, const FormatContext &ctx) const
		{
			if (!valid || ev.owner != owner || ctx.mnt_ns != ctx_mnt_ns)
				return false;
			return ev.owner == ICMPT_OWNER_NONE ||
			       std::memcmp(&ev.task, &task, sizeof(task)) == 0;
		}
	};
	Kept kept_[kKept];
	unsigned cur_ = 0;
	unsigned oldest_ = 0;
};

// The one bounds check of a record: the room its line can need, each string
// escaped at its worst as often as a format writes it (JSON writes the
// container id twice, ECS the machine's name beside the task's hostname).
inline size_t line_room(const FormatContext &ctx)
{
	return kLineMax +
	       kEscapeMax * (sizeof(icmpt_task::comm) + ctx.hostname.size() +
			     2 * ctx.container_id.size() + ctx.machine_name.size());
}

} // namespace icmptrace
