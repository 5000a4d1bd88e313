// Output formats: each appends exactly one '\n'-terminated line per record.
#pragma once

#include <linux/icmptrace.h>

#include "context/format_context.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

namespace icmptrace {

enum class OutputFormat { Text, Json, Kv, Ecs };

// "09:14:03.123456 cpu1 out 10.0.0.1 > 10.0.0.2 EchoRequest id=6 ..."
// (local time of ts_real_ns).
void format_text(const icmpt_event &ev, const FormatContext &ctx, std::string &out);
// key=value pairs of every field, for scripts.
void format_kv(const icmpt_event &ev, const FormatContext &ctx, std::string &out);
// The same with nothing derived.
inline void format_text(const icmpt_event &ev, std::string &out)
{
	format_text(ev, FormatContext{}, out);
}
inline void format_kv(const icmpt_event &ev, std::string &out)
{
	format_kv(ev, FormatContext{}, out);
}
// tracee's net_packet_icmp(v6) JSON plus a trailing "icmptrace" object.
void format_json(const icmpt_event &ev, const FormatContext &ctx, std::string &out);
// The Elastic Common Schema (8.11) as nested JSON; doc/ecs.md.
void format_ecs(const icmpt_event &ev, const FormatContext &ctx, std::string &out);

void format_event(OutputFormat f, const icmpt_event &ev, const FormatContext &ctx,
		  std::string &out);

// The fast path: the line written at out, which has format_room(ctx) bytes
// of room (the one bounds check of a record, the caller's); returns its end.
size_t format_room(const FormatContext &ctx);
char *format_event(OutputFormat f, const icmpt_event &ev, const FormatContext &ctx, char *out);
char *format_text(const icmpt_event &ev, const FormatContext &ctx, char *out);
char *format_kv(const icmpt_event &ev, const FormatContext &ctx, char *out);
char *format_json(const icmpt_event &ev, const FormatContext &ctx, char *out);
char *format_ecs(const icmpt_event &ev, const FormatContext &ctx, char *out);

} // namespace icmptrace
