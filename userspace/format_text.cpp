#include <cstdio>
#include <ctime>

#include "container_id.hpp"
#include "detail_fields.hpp"
#include "escape.hpp"
#include "event_fields.hpp"
#include "formatters.hpp"
#include "icmp_type_code.hpp"

namespace icmptrace {
namespace {

void append_time(const icmpt_event &ev, std::string &out)
{
	time_t sec = static_cast<time_t>(ev.ts_real_ns / 1000000000ULL);
	unsigned usec = static_cast<unsigned>(ev.ts_real_ns % 1000000000ULL / 1000);
	struct tm tm;
	localtime_r(&sec, &tm);
	char buf[32];
	std::snprintf(buf, sizeof(buf), "%02d:%02d:%02d.%06u", tm.tm_hour, tm.tm_min,
		      tm.tm_sec, usec);
	out += buf;
}

} // namespace

void format_text(const icmpt_event &ev, const FormatContext &ctx, std::string &out)
{
	const icmpt_packet &p = ev.pkt;
	char buf[64];

	append_time(ev, out);
	out += " cpu" + std::to_string(ev.cpu);
	out += ' ';
	out += direction_short(ev.direction);
	out += ' ' + format_addr(p.family, p.saddr) + " > " + format_addr(p.family, p.daddr);
	// A non-first fragment carries no ICMP header: no type to name.
	if (p.flags & ICMPT_PKT_FRAGMENT)
		out += " fragment";
	else	// from our table: safe, and "Name(Code: 3)" stays readable
		out += ' ' + icmp_type_code(p.family, p.type, p.code);
	if (p.flags & ICMPT_PKT_HAS_ECHO)
		out += " id=" + std::to_string(p.id) + " seq=" + std::to_string(p.seq);
	out += detail_text(ev);
	std::snprintf(buf, sizeof(buf), " csum=0x%04x len=%u", p.checksum, p.ip_len);
	out += buf;
	// Only what says the packet is odd; echo/checksum-ok are the norm.
	// A first fragment (more_frags) is odd too: its checksum is unchecked.
	const uint32_t odd = ICMPT_PKT_TRUNCATED | ICMPT_PKT_FRAGMENT | ICMPT_PKT_BAD_IP |
			     ICMPT_PKT_CSUM_BAD | ICMPT_PKT_MORE_FRAGS;
	std::string flags = packet_flag_names(p.flags & odd);
	if (!flags.empty())
		out += " flags=" + flags;
	// A kernel-built packet may still name a task (kthread); show it then.
	if (ev.owner == ICMPT_OWNER_SENDER ||
	    (ev.owner != ICMPT_OWNER_NONE && ev.task.pid != 0)) {
		const icmpt_task &t = ev.task;
		out += " pid=" + std::to_string(t.pid) + " tid=" + std::to_string(t.tid) +
		       " uid=" + std::to_string(t.uid) + " comm=" + escape_token(comm_of(t));
		// docker's short id: enough to tell containers apart on one host.
		if (!ctx.container_id.empty())
			out += " ctr=" + std::string(short_container_id(ctx.container_id));
	}
	out += " owner=";
	out += owner_name(ev.owner);
	out += '\n';
}

} // namespace icmptrace
