// The opt_comment icmptrace puts on each packet: the record's owner and
// everything else of the record that the packet bytes do not hold, as
// space-separated key=value pairs a person reads in Wireshark's packet
// comment and the reader parses back (-r):
//   pid=812 tid=812 ppid=790 uid=0 comm=ping container=- owner=sender
//   ns_pid=5 ... ctx=task cpu=1 booted=1764820000123456789 ifindex=1 ...
// The process keys come first (none for owner=none); ns_pid/ns_tid/ns_ppid
// only where they differ from the host ids.  booted= is the record's real
// time less its boot time (the boot's instant on the real clock, as the
// module's two stamps of one clock read say it): the packet's timestamp
// less it gives the record's boot time back.  Files before it carry boot=,
// which the reader still takes.  A comment is ours when it has
// a known owner= value.  Values are %XX-escaped where they hold a space, '%',
// a control or a non-ASCII byte (comm, host name).  Unknown keys are
// skipped on reading, so the form can grow.
#pragma once

#include <linux/icmptrace.h>

#include <array>
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

#include "context/format_context.hpp"
#include "format/cursor.hpp"
#include "pcap/pcapng_blocks.hpp"

namespace icmptrace {

std::string owner_comment(const icmpt_event &ev, const FormatContext &ctx);
// The same into out, replacing what it held: a writer that keeps out from
// packet to packet allocates nothing.
void owner_comment(std::string &out, const icmpt_event &ev, const FormatContext &ctx);

// owner_comment() for a writer that emits one per packet, as the Enhanced
// Packet Block's options (epb_options(): the comment, then the flags,
// dropcount and pid/tid), into room the caller reserved (room() bytes and
// pcapng::kEpbRoom), kept for the last kEntries (owner, task, context) seen,
// keyed by exactly what they are written from: a capture writes the same few
// tasks again and again (a ping -f alternates ping, unowned and kernel-built
// records), and their two dozen numbers cost most of a comment (callgrind,
// fmt_bench pcapng).  Each entry keeps its task part and context part, and
// its last two whole option lists with the record's own keys (ctx, cpu,
// booted, ifindex, netns) and the options' (flags, pid/tid; a dropcount is
// written around the kept text): those change little (booted only when the
// real clock is set), so most packets copy one block of bytes.
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
	// The options at q, from opt_comment to opt_endofopt; returns their
	// end.  The bytes of epb_options() with owner_comment()'s text.
	uint8_t *write_options(uint8_t *q, const icmpt_event &ev, const FormatContext &ctx,
			       const pcapng::EpbFields &m);

private:
	// What a whole option list is written from beyond its entry: the
	// record's own keys and the options'.  No padding: compared as bytes.
	struct Key {
		uint64_t booted = 0;
		uint64_t iface = 0;		// pkt_netns << 32 | ifindex
		uint64_t pid_tid = 0;		// pid << 32 | tid
		uint32_t cpu = 0;
		uint32_t flags = 0;
		uint32_t ctx_pid = 0;		// ctx | (has pid/tid) << 8
		uint32_t zero = 0;
		bool operator==(const Key &o) const { return std::memcmp(this, &o, sizeof(o)) == 0; }
	};
	static_assert(sizeof(Key) == 40);
	// A whole option list (no dropcount) and its key.
	struct Whole {
		bool used = false;
		Key key;
		size_t text_len = 0;		// the comment's, at opts + 4
		std::string opts;
	};
	struct Entry {
		bool used = false;
		uint8_t owner = 0;
		uint8_t follower = 0;		// the entry of the record after, last time
		uint8_t whole_last = 0;		// the whole that answered last
		icmpt_task task{};		// compared only when owner is not none,
		FormatContext ctx;		// as its container_id
		std::string head;		// up to " ctx="
		std::string tail;		// after netns=N
		std::array<Whole, 2> wholes;	// forgotten when the entry is taken
	};
	// Inline: asked once a packet at least.
	static bool same(const Entry &e, const icmpt_event &ev, const FormatContext &ctx)
	{
		if (!e.used || e.owner != ev.owner)
			return false;
		// The task part reads the task and the container only with an
		// owner (task_part()); the whole task is compared, a stricter
		// key than the fields it prints.
		if (ev.owner != ICMPT_OWNER_NONE &&
		    std::memcmp(&e.task, &ev.task, sizeof(e.task)) != 0)
			return false;
		// One derivation of RecordContext, so the same container and
		// all that context_part() reads: no strings compared.
		if (ctx.serial && e.ctx.serial == ctx.serial)
			return true;
		return same_fields(e, ev, ctx);
	}
	static bool same_fields(const Entry &e, const icmpt_event &ev, const FormatContext &ctx);
	Entry &entry_for(const icmpt_event &ev, const FormatContext &ctx);
	static Whole &written(uint8_t *q, Entry &e, const icmpt_event &ev, const FormatContext &ctx,
			      const pcapng::EpbFields &m, const Key &key);
	std::array<Entry, kEntries> entries_;
	size_t last_ = 0;	// the entry of the record before
	size_t next_ = 0;	// the one a miss takes: round robin
};

// Fills ev's owner, ctx, cpu, ts_boot_ns, ifindex, pkt_netns and task, and
// ctx, from a comment written by owner_comment(); false (ev and ctx
// untouched) if the text is not one: a comment from someone else.
bool parse_owner_comment(std::string_view text, icmpt_event &ev, FormatContext &ctx);

} // namespace icmptrace
