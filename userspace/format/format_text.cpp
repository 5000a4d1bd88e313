#include <cstring>
#include <ctime>
#include <string_view>

#include "context/container_id.hpp"
#include "format/detail_fields.hpp"
#include "format/escape.hpp"
#include "format/event_fields.hpp"
#include "format/formatters.hpp"
#include "format/sink_common.hpp"

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

void put_time(Cursor &c, const icmpt_event &ev)
{
	const time_t sec = static_cast<time_t>(ev.ts_real_ns / 1000000000ULL);
	const auto usec = static_cast<uint32_t>(ev.ts_real_ns % 1000000000ULL / 1000);
	c.put(local_hms(sec));
	c.put('.');
	// Six digits as three pairs: a division a digit cost more than the
	// rest of the timestamp.
	const uint32_t hi = usec / 10000, lo = usec % 10000;
	std::memcpy(c.p, kDigits2 + 2 * hi, 2);
	std::memcpy(c.p + 2, kDigits2 + 2 * (lo / 100), 2);
	std::memcpy(c.p + 4, kDigits2 + 2 * (lo % 100), 2);
	c.p += 6;
}

void put_id_seq(Cursor &c, uint16_t id, uint16_t seq)
{
	c.lit(" id=");
	c.u(id);
	c.lit(" seq=");
	c.u(seq);
}

// " 198.18.0.1:40000" of the quoted packet; [v6]:port keeps the port apart.
void put_inner_endpoint(Cursor &c, const icmpt_inner &in, const uint8_t *addr, uint16_t port)
{
	const bool ports = in.flags & ICMPT_INNER_PORTS;
	if (ports && in.version == 6)
		c.put('[');
	put_addr(c, in.version, addr);
	if (!ports)
		return;
	if (in.version == 6)
		c.put(']');
	c.put(':');
	c.u(port);
}

// " inner=udp 198.18.0.1:40000>198.18.1.2:33434", " inner=icmp A>B
// EchoRequest id=1 seq=2", " inner=? inner_flags=truncated".
void put_inner(Cursor &c, const icmpt_inner &in)
{
	c.lit(" inner=");
	if (!(in.flags & ICMPT_INNER_IP)) {
		c.put('?');
	} else {
		if (const char *n = ip_proto_name(in.proto)) {
			c.put(n);
		} else {
			c.lit("proto");
			c.u(in.proto);
		}
		c.put(' ');
		put_inner_endpoint(c, in, in.saddr, in.sport);
		c.put('>');
		put_inner_endpoint(c, in, in.daddr, in.dport);
		if (in.flags & ICMPT_INNER_ICMP) {
			c.put(' ');
			c.put(type_code_name(in.version, in.icmp_type, in.icmp_code));
		}
		if (in.flags & ICMPT_INNER_ECHO)
			put_id_seq(c, in.id, in.seq);
	}
	char buf[kInnerFlagsMax];
	std::string_view anomalies = inner_flag_list(in.flags, buf);
	if (!anomalies.empty()) {
		c.lit(" inner_flags=");
		c.put(anomalies);
	}
}

// The text sink of the body: " key=value" by each field's short text key;
// the quoted packet in its own short form.
struct TextSink {
	Cursor &c;
	bool skip = false;
	bool inner = false;

	bool key(const Field &f)
	{
		if (skip || f.text.empty())
			return false;
		c.put(' ');
		c.put(f.text);
		c.put('=');
		return true;
	}
	void u(const Field &f, uint64_t v)
	{
		if ((f.text_omit_zero && v == 0) || !key(f))
			return;
		c.u(v);
	}
	void s(const Field &f, int64_t v)
	{
		if (key(f))
			c.i(v);
	}
	void hex(const Field &f, uint64_t v)
	{
		if (!key(f))
			return;
		if (!f.text_na_letters) {
			c.lit("0x");
			c.hex(v);
			return;
		}
		const char *start = c.p;
		if (v & ICMPT_NA_ROUTER)
			c.put('R');
		if (v & ICMPT_NA_SOLICITED)
			c.put('S');
		if (v & ICMPT_NA_OVERRIDE)
			c.put('O');
		if (c.p == start)
			c.put('-');
	}
	void addr(const Field &f, uint8_t family, const uint8_t *a)
	{
		if (key(f))
			put_addr(c, family, a);
	}
	void mac(const Field &f, const uint8_t *a, unsigned n)
	{
		if (!key(f))
			return;
		put_mac(c, a, n);
	}
	void name(const Field &f, std::string_view v)
	{
		if (key(f))
			c.put(v);
	}
	void str(const Field &f, std::string_view v)
	{
		if (key(f))
			put_token(c, v);
	}
	void begin_detail(const icmpt_event &ev, const char *)
	{
		// An echo's id and seq are on the line already.
		skip = (ev.pkt.flags & ICMPT_PKT_HAS_ECHO) && ev.detail.kind == ICMPT_DET_ECHO;
	}
	void end_detail() {}
	void begin_inner(const icmpt_event &ev)
	{
		inner = !skip && !(ev.pkt.flags & ICMPT_PKT_FRAGMENT);
		if (inner)
			put_inner(c, ev.detail.inner);
		skip = true;
	}
	void end_inner() {}
};

void put_text(Cursor &c, const icmpt_event &ev, const FormatContext &ctx)
{
	const icmpt_packet &p = ev.pkt;

	put_time(c, ev);
	if (cpu_known(ev)) {	// else left out, as an unowned packet's task
		c.lit(" cpu");
		c.u(ev.cpu);
	}
	c.put(' ');
	c.put(direction_padded(ev.direction));
	c.put(' ');
	put_addr(c, p.family, p.saddr);
	c.lit(" > ");
	put_addr(c, p.family, p.daddr);
	// A non-first fragment carries no ICMP header: no type to name; nor
	// do fewer than 2 bytes of one.
	if (p.flags & ICMPT_PKT_FRAGMENT) {
		c.lit(" fragment");
	} else if (!icmp_type_known(ev)) {
		c.lit(" no-type");
	} else {	// from our table: safe, and "Name(Code: 3)" stays readable
		c.put(' ');
		c.put(type_code_name(p.family, p.type, p.code));
	}
	if (p.flags & ICMPT_PKT_HAS_ECHO)
		put_id_seq(c, p.id, p.seq);
	TextSink sink{c};
	visit_detail(ev, sink);
	if (icmp_checksum_known(ev)) {	// not a fragment's or a cut header's 0
		c.lit(" csum=0x");
		c.hex(p.checksum, 4);
	}
	c.lit(" len=");
	c.u(p.ip_len);
	// Only what says the packet is odd; echo/checksum-ok are the norm.
	// A first fragment (more_frags) is odd too: its checksum is unchecked.
	const uint32_t odd = ICMPT_PKT_TRUNCATED | ICMPT_PKT_FRAGMENT | ICMPT_PKT_BAD_IP |
			     ICMPT_PKT_CSUM_BAD | ICMPT_PKT_MORE_FRAGS | ICMPT_PKT_EXT_BROKEN;
	if (p.flags & odd) {
		c.lit(" flags=");
		put_packet_flags(c, p.flags & odd);
	}
	// A kernel-built packet may still name a task (kthread); show it then.
	if (ev.owner == ICMPT_OWNER_SENDER ||
	    (ev.owner != ICMPT_OWNER_NONE && ev.task.pid != 0)) {
		const icmpt_task &t = ev.task;
		c.lit(" pid=");
		c.u(t.pid);
		c.lit(" tid=");
		c.u(t.tid);
		c.lit(" uid=");
		c.u(t.uid);
		c.lit(" comm=");
		put_token(c, comm_of(t));
		// docker's short id: enough to tell containers apart on one host.
		if (!ctx.container_id.empty()) {
			c.lit(" ctr=");
			put_token(c, short_container_id(ctx.container_id));
		}
	}
	c.lit(" owner=");
	c.put(owner_padded(ev.owner));
	c.put('\n');
}

} // namespace

char *format_text(const icmpt_event &ev, const FormatContext &ctx, char *out)
{
	Cursor c{out};
	put_text(c, ev, ctx);
	return c.p;
}

void format_text(const icmpt_event &ev, const FormatContext &ctx, std::string &out)
{
	append_with_cursor(out, line_room(ctx), [&](Cursor &c) { put_text(c, ev, ctx); });
}

} // namespace icmptrace
