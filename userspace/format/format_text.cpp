#include <ctime>
#include <string_view>

#include "util/append.hpp"
#include "context/container_id.hpp"
#include "format/detail_fields.hpp"
#include "format/escape.hpp"
#include "format/event_fields.hpp"
#include "format/formatters.hpp"
#include "format/icmp_type_code.hpp"

namespace icmptrace {
namespace {

// "HH:MM:SS" of a second in local time.  localtime_r costs more than the
// rest of a line, and records come in bursts within one second: the last
// second's text is kept, along with the zone it was computed in (tzset()
// after a TZ change, as tests do, must not show a stale zone).
struct LocalSecond {
	time_t sec = -1;
	long zone = 0;
	const char *zone_name = nullptr;
	char hms[8] = {};
};

void put_2digits(char *p, int v)
{
	p[0] = static_cast<char>('0' + v / 10 % 10);
	p[1] = static_cast<char>('0' + v % 10);
}

std::string_view local_hms(time_t sec)
{
	thread_local LocalSecond cache;
	if (sec != cache.sec || timezone != cache.zone || tzname[0] != cache.zone_name) {
		struct tm tm;
		localtime_r(&sec, &tm);
		put_2digits(cache.hms, tm.tm_hour);
		cache.hms[2] = ':';
		put_2digits(cache.hms + 3, tm.tm_min);
		cache.hms[5] = ':';
		put_2digits(cache.hms + 6, tm.tm_sec);
		cache.sec = sec;
		cache.zone = timezone;
		cache.zone_name = tzname[0];
	}
	return std::string_view(cache.hms, sizeof(cache.hms));
}

void append_time(const icmpt_event &ev, std::string &out)
{
	const time_t sec = static_cast<time_t>(ev.ts_real_ns / 1000000000ULL);
	const unsigned usec = static_cast<unsigned>(ev.ts_real_ns % 1000000000ULL / 1000);
	out += local_hms(sec);
	out += '.';
	char buf[6];
	for (unsigned i = sizeof(buf), v = usec; i-- > 0; v /= 10)
		buf[i] = static_cast<char>('0' + v % 10);
	out.append(buf, sizeof(buf));
}

} // namespace

void format_text(const icmpt_event &ev, const FormatContext &ctx, std::string &out)
{
	const icmpt_packet &p = ev.pkt;

	append_time(ev, out);
	out += " cpu";
	append_uint(out, ev.cpu);
	out += ' ';
	out += direction_short(ev.direction);
	out += ' ';
	append_addr(out, p.family, p.saddr);
	out += " > ";
	append_addr(out, p.family, p.daddr);
	// A non-first fragment carries no ICMP header: no type to name.
	if (p.flags & ICMPT_PKT_FRAGMENT) {
		out += " fragment";
	} else {	// from our table: safe, and "Name(Code: 3)" stays readable
		out += ' ';
		append_icmp_type_code(out, p.family, p.type, p.code);
	}
	if (p.flags & ICMPT_PKT_HAS_ECHO) {
		out += " id=";
		append_uint(out, p.id);
		out += " seq=";
		append_uint(out, p.seq);
	}
	append_detail_text(ev, out);
	out += " csum=0x";
	append_hex(out, p.checksum, 4);
	out += " len=";
	append_uint(out, p.ip_len);
	// Only what says the packet is odd; echo/checksum-ok are the norm.
	// A first fragment (more_frags) is odd too: its checksum is unchecked.
	const uint32_t odd = ICMPT_PKT_TRUNCATED | ICMPT_PKT_FRAGMENT | ICMPT_PKT_BAD_IP |
			     ICMPT_PKT_CSUM_BAD | ICMPT_PKT_MORE_FRAGS;
	if (p.flags & odd) {
		out += " flags=";
		out += packet_flag_names(p.flags & odd);
	}
	// A kernel-built packet may still name a task (kthread); show it then.
	if (ev.owner == ICMPT_OWNER_SENDER ||
	    (ev.owner != ICMPT_OWNER_NONE && ev.task.pid != 0)) {
		const icmpt_task &t = ev.task;
		out += " pid=";
		append_uint(out, t.pid);
		out += " tid=";
		append_uint(out, t.tid);
		out += " uid=";
		append_uint(out, t.uid);
		out += " comm=";
		append_token(out, comm_of(t));
		// docker's short id: enough to tell containers apart on one host.
		if (!ctx.container_id.empty()) {
			out += " ctr=";
			out += short_container_id(ctx.container_id);
		}
	}
	out += " owner=";
	out += owner_name(ev.owner);
	out += '\n';
}

} // namespace icmptrace
