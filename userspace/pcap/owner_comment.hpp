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

#include <string>
#include <string_view>

#include "context/format_context.hpp"

namespace icmptrace {

std::string owner_comment(const icmpt_event &ev, const FormatContext &ctx);
// The same into out, replacing what it held: a writer that keeps out from
// packet to packet allocates nothing.
void owner_comment(std::string &out, const icmpt_event &ev, const FormatContext &ctx);

// Fills ev's owner, ctx, cpu, ts_boot_ns, ifindex, pkt_netns and task, and
// ctx, from a comment written by owner_comment(); false (ev and ctx
// untouched) if the text is not one: a comment from someone else.
bool parse_owner_comment(std::string_view text, icmpt_event &ev, FormatContext &ctx);

} // namespace icmptrace
