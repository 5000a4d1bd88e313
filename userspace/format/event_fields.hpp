// Field helpers shared by the output formats: names of enum values,
// addresses, and the task view (zeroed when the record has no owner).
#pragma once

#include <linux/icmptrace.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "format/cursor.hpp"
#include "util/icmp_type_known.hpp"

namespace icmptrace {

// Whether the record gives its CPU: the module's records do, with the
// context of their hook (task, softirq, other); a packet of another tool's
// capture (-r) has neither, its ctx 0 ("unknown"), nor has a rewrite of one
// (-r -w: ctx=unknown cpu=0 in its comment).  ev.cpu is then 0, not CPU 0.
inline bool cpu_known(const icmpt_event &ev) { return ev.ctx != 0; }

// "in", "out", "unknown"; padded for a line (Cursor::put).
inline const PaddedName &direction_padded(uint8_t dir)
{
	static constexpr PaddedName names[] = {"unknown", "in", "out"};
	static_assert(ICMPT_DIR_IN == 1 && ICMPT_DIR_OUT == 2);
	return names[dir <= ICMPT_DIR_OUT ? dir : 0];
}
inline const char *direction_short(uint8_t dir) { return direction_padded(dir).text; }
const char *direction_tracee(uint8_t dir);	// "ingress", "egress"
// "none", "sender", "kernel", "matched", "socket", "unknown"; padded for a line.
inline const PaddedName &owner_padded(uint8_t owner)
{
	static constexpr PaddedName names[] = {"none", "sender", "kernel", "matched", "socket",
					       "unknown"};
	static_assert(ICMPT_OWNER_NONE == 0 && ICMPT_OWNER_SENDER == 1 &&
		      ICMPT_OWNER_KERNEL == 2 && ICMPT_OWNER_MATCHED == 3 &&
		      ICMPT_OWNER_SOCKET == 4);
	return names[owner <= ICMPT_OWNER_SOCKET ? owner : ICMPT_OWNER_SOCKET + 1];
}
inline const char *owner_name(uint8_t owner) { return owner_padded(owner).text; }
// "task", "softirq", "other", "unknown"; padded for a line.
inline const PaddedName &ctx_padded(uint8_t ctx)
{
	static constexpr PaddedName names[] = {"unknown", "task", "softirq", "other"};
	static_assert(ICMPT_CTX_TASK == 1 && ICMPT_CTX_SOFTIRQ == 2 && ICMPT_CTX_OTHER == 3);
	return names[ctx <= ICMPT_CTX_OTHER ? ctx : 0];
}
inline const char *ctx_name(uint8_t ctx) { return ctx_padded(ctx).text; }

// inet_ntop of saddr/daddr for family 4 or 6; "?" for anything else.
std::string format_addr(uint8_t family, const uint8_t (&addr)[16]);
// The same, appended to out.
void append_addr(std::string &out, uint8_t family, const uint8_t (&addr)[16]);
// The same through a cursor: at most kAddrMax bytes; addr holds 16 bytes
// for family 6, 4 for family 4.
constexpr size_t kAddrMax = 46;
void put_addr(Cursor &c, uint8_t family, const uint8_t *addr);

// comm up to its NUL (at most 16 bytes, even if the kernel sent no NUL).
std::string_view comm_of(const icmpt_task &t);

// The task fields to print: all zero when owner is none, whatever the
// record holds (the header says they are not filled then).
icmpt_task effective_task(const icmpt_event &ev);

// task.start_time_ns is CLOCK_BOOTTIME; tracee prints epoch ns.  The record's
// two clocks give the offset.  0 when there is no task or start time.
uint64_t thread_start_epoch_ns(const icmpt_event &ev);

// Syscall name for tracee's "syscall": only a sending task has one.
const char *event_syscall(const icmpt_event &ev);

// Comma-separated names of pkt.flags ("truncated,fragment,..."), "" if none;
// bits this reader does not know are appended as hex.
std::string packet_flag_names(uint32_t flags);
// The same through a cursor: at most kFlagNamesMax bytes.
constexpr size_t kFlagNamesMax = 128;
void put_packet_flags(Cursor &c, uint32_t flags);

} // namespace icmptrace
