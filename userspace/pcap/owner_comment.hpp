// The opt_comment icmptrace puts on each packet: the record's owner and
// everything else of the record that the packet bytes do not hold, as
// space-separated key=value pairs a person reads in Wireshark's packet
// comment and the reader parses back (-r):
//   pid=812 tid=812 ppid=790 uid=0 comm=ping container=- owner=sender
//   ns_pid=5 ... ctx=task cpu=1 boot=123456 ifindex=1 netns=4026531840 ...
// The process keys come first (none for owner=none); ns_pid/ns_tid/ns_ppid
// only where they differ from the host ids.  A comment is ours when it has
// a known owner= value.  Values are %XX-escaped where they hold a space, '%',
// a control or a non-ASCII byte (comm, host name).  Unknown keys are
// skipped on reading, so the form can grow.
#pragma once

#include <linux/icmptrace.h>

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "context/format_context.hpp"
#include "format/cursor.hpp"

namespace icmptrace {

std::string owner_comment(const icmpt_event &ev, const FormatContext &ctx);
// The same into out, replacing what it held: a writer that keeps out from
// packet to packet allocates nothing.
void owner_comment(std::string &out, const icmpt_event &ev, const FormatContext &ctx);

// owner_comment() for a writer that emits one per packet, into room the
// caller reserved (room() bytes), with the parts that come from the task and
// the context (all but ctx, cpu, boot, ifindex and netns) kept as text for
// the last kEntries (owner, task, context) seen, keyed by exactly what they
// are written from: a capture writes the same few tasks again and again (a
// ping -f alternates ping, unowned and kernel-built records), and their two
// dozen numbers cost most of a comment (callgrind, fmt_bench pcapng).
class OwnerComments {
public:
	static constexpr size_t kEntries = 8;
	// The room write() needs at most: owner_comment()'s, each string at
	// its worst escaped size.
	static size_t room(const FormatContext &ctx)
	{
		return kLineMax + 3 * (sizeof(icmpt_task::comm) + ctx.container_id.size() +
				       ctx.hostname.size());
	}
	// The comment at p; returns its end.  The same bytes as owner_comment().
	char *write(char *p, const icmpt_event &ev, const FormatContext &ctx);

private:
	struct Entry {
		bool used = false;
		uint8_t owner = 0;
		uint8_t follower = 0;		// the entry of the record after, last time
		icmpt_task task{};		// compared only when owner is not none,
		FormatContext ctx;		// as its container_id
		std::string head;		// up to " ctx="
		std::string tail;		// after netns=N
	};
	// " ifindex=N netns=N" of the last two interfaces (a flood between two
	// namespaces alternates them), keyed by (pkt_netns, ifindex).
	struct IfaceText {
		uint64_t key = 0;
		uint8_t len = 0;		// 0: unused
		char text[40];			// 36 at most
	};
	static bool same(const Entry &e, const icmpt_event &ev, const FormatContext &ctx);
	std::array<Entry, kEntries> entries_;
	size_t last_ = 0;	// the entry of the record before
	size_t next_ = 0;	// the one a miss takes: round robin
	std::array<IfaceText, 2> ifaces_{};
	size_t iface_last_ = 0;
	// The digits of boot= but its last 8, of boot_hi_ = boot / 10^8.
	static constexpr uint64_t kE8 = 100000000;
	uint64_t boot_hi_ = 0;		// 0: none (boot < 10^8 has no high part)
	uint8_t boot_hi_len_ = 0;
	char boot_hi_text_[16] = {};	// 12 digits at most
};

// Fills ev's owner, ctx, cpu, ts_boot_ns, ifindex, pkt_netns and task, and
// ctx, from a comment written by owner_comment(); false (ev and ctx
// untouched) if the text is not one: a comment from someone else.
bool parse_owner_comment(std::string_view text, icmpt_event &ev, FormatContext &ctx);

} // namespace icmptrace
