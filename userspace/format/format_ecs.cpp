// One line per packet in the Elastic Common Schema, ECS 8.11.0 (kEcsVersion),
// as nested JSON objects.  ECS fields where ECS has them, Packetbeat's icmp.*
// for the ICMP type and code, everything else under "icmptrace" (doc/ecs.md
// has the mapping; tests/unit/testdata/ecs_fields.tsv the type of every key).
// Fields the record lacks are left out, never null: no process/user/group
// without a task, no container.id or host.name when empty.
#include <string_view>

#include "format/detail_fields.hpp"
#include "format/escape.hpp"
#include "format/event_fields.hpp"
#include "format/formatters.hpp"
#include "format/json_sink.hpp"
#include "format/sink_common.hpp"

namespace icmptrace {
namespace {

constexpr char kEcsVersion[] = "8.11.0";

// The proleptic Gregorian date of a day count since 1970-01-01 (Howard
// Hinnant's days_from_civil inverse): no time zone, no libc call per line.
struct Civil {
	int64_t y;
	unsigned m, d;
};
Civil civil_from_days(int64_t z)
{
	z += 719468;
	const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	const unsigned doe = static_cast<unsigned>(z - era * 146097);
	const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const unsigned mp = (5 * doy + 2) / 153;
	const unsigned d = doy - (153 * mp + 2) / 5 + 1;
	const unsigned m = mp < 10 ? mp + 3 : mp - 9;
	return {static_cast<int64_t>(yoe) + era * 400 + (m <= 2), m, d};
}

void two(Cursor &c, unsigned v)
{
	std::memcpy(c.p, kDigits2 + 2 * v, 2);
	c.p += 2;
}

// RFC 3339 in UTC with nanoseconds: "2023-10-02T18:09:41.814910395Z".
void put_timestamp(Cursor &c, uint64_t ns)
{
	const uint64_t secs = ns / 1000000000ULL;
	const uint32_t frac = static_cast<uint32_t>(ns % 1000000000ULL);
	const Civil day = civil_from_days(static_cast<int64_t>(secs / 86400));
	const unsigned sod = static_cast<unsigned>(secs % 86400);
	two(c, static_cast<unsigned>(day.y / 100));
	two(c, static_cast<unsigned>(day.y % 100));
	c.put('-');
	two(c, day.m);
	c.put('-');
	two(c, day.d);
	c.put('T');
	two(c, sod / 3600);
	c.put(':');
	two(c, sod / 60 % 60);
	c.put(':');
	two(c, sod % 60);
	c.put('.');
	c.put(static_cast<char>('0' + frac / 100000000));
	c.digits8(frac % 100000000);
	c.put('Z');
}

// Packetbeat's split (packetbeat/protos/icmp/message.go): these types are
// responses, every other type (errors included) a request.
bool is_response(const icmpt_packet &p)
{
	if (p.family == 6)
		return p.type == ICMPT_V6_ECHO_REPLY;
	return p.type == ICMPT_V4_ECHO_REPLY || p.type == ICMPT_V4_TIMESTAMP_REPLY ||
	       p.type == ICMPT_V4_INFO_REPLY || p.type == ICMPT_V4_MASK_REPLY;
}

// A task is known: process.*, user.id, group.id and icmptrace.process.
bool has_task(const icmpt_event &ev)
{
	return ev.owner != ICMPT_OWNER_NONE && ev.task.tid != 0;
}

void put_ecs_process(Cursor &c, const icmpt_event &ev, const FormatContext &ctx)
{
	const TaskFields tf = task_fields(ev, ctx);
	const icmpt_task &t = tf.t;
	c.lit(",\"process\":{\"pid\":");
	c.u(t.pid);
	c.lit(",\"name\":");
	put_json_string(c, tf.comm);
	c.lit(",\"thread\":{\"id\":");
	c.u(t.tid);
	c.lit("},\"parent\":{\"pid\":");
	c.u(t.ppid);
	c.lit("}},\"user\":{\"id\":\"");
	c.u(t.uid);
	c.lit("\"},\"group\":{\"id\":\"");
	c.u(t.gid);
	c.lit("\"}");
}

// What ECS has no field for: the record's own facts.
void put_icmptrace(Cursor &c, const icmpt_event &ev, const FormatContext &ctx)
{
	const icmpt_packet &p = ev.pkt;
	c.lit(",\"icmptrace\":{\"owner\":\"");
	c.put(owner_name(ev.owner));
	c.lit("\",\"ctx\":\"");
	c.put(ctx_name(ev.ctx));
	c.put('"');
	if (cpu_known(ev)) {	// doc/ecs.md: a field the record lacks is left out
		c.lit(",\"cpu\":");
		c.u(ev.cpu);
	}
	if (icmp_checksum_known(ev)) {
		c.lit(",\"checksum\":");
		c.u(p.checksum);
	}
	c.lit(",\"csum_check\":\"");
	c.put(csum_check_name(p.flags));
	c.lit("\",\"ttl\":");
	c.u(p.ttl);
	c.lit(",\"icmp_len\":");
	c.u(p.icmp_len);
	c.lit(",\"ifindex\":");
	c.u(ev.ifindex);
	c.lit(",\"pkt_netns\":");
	c.u(ev.pkt_netns);
	c.lit(",\"ts_boot_ns\":");
	c.u(ev.ts_boot_ns);
	if (p.flags) {
		c.lit(",\"flags\":\"");
		put_packet_flags(c, p.flags);
		c.put('"');
	}
	if (has_task(ev)) {
		const TaskFields tf = task_fields(ev, ctx);
		const icmpt_task &t = tf.t;
		c.lit(",\"process\":{\"ns_pid\":");
		c.u(t.ns_pid);
		if (!ctx.machine_name.empty() && !ctx.hostname.empty() &&
		    ctx.hostname != ctx.machine_name) {
			c.lit(",\"hostname\":");
			put_json_string(c, ctx.hostname);
		}
		c.lit(",\"ns_tid\":");
		c.u(t.ns_tid);
		c.lit(",\"ns_ppid\":");
		c.u(t.ns_ppid);
		c.lit(",\"pid_ns\":");
		c.u(t.pid_ns);
		c.lit(",\"net_ns\":");
		c.u(t.net_ns);
		c.lit(",\"uts_ns\":");
		c.u(t.uts_ns);
		if (tf.mnt_ns) {
			c.lit(",\"mnt_ns\":");
			c.u(tf.mnt_ns);
		}
		if (t.cgroup_id) {
			c.lit(",\"cgroup_id\":");
			c.u(t.cgroup_id);
		}
		if (*tf.syscall) {
			c.lit(",\"syscall\":\"");
			c.put(tf.syscall);
			c.put('"');
		}
		c.put('}');
	}
	JsonSink sink{c};
	visit_detail(ev, sink);
	c.put('}');
}

void put_ecs(Cursor &c, const icmpt_event &ev, const FormatContext &ctx)
{
	const icmpt_packet &p = ev.pkt;
	const bool v6 = p.family == 6;
	c.lit("{\"@timestamp\":\"");
	put_timestamp(c, ev.ts_real_ns);
	c.lit("\",\"ecs\":{\"version\":\"");
	c.lit(kEcsVersion);
	c.lit("\"},\"event\":{\"kind\":\"event\",\"category\":[\"network\"],"
	      "\"type\":[\"connection\",\"protocol\"],\"module\":\"icmptrace\","
	      "\"dataset\":\"icmptrace.icmp\"},\"network\":{");
	if (v6)
		c.lit("\"type\":\"ipv6\",\"transport\":\"ipv6-icmp\",\"iana_number\":\"58\"");
	else
		c.lit("\"type\":\"ipv4\",\"transport\":\"icmp\",\"iana_number\":\"1\"");
	c.lit(",\"direction\":\"");
	c.put(direction_tracee(ev.direction));
	c.lit("\",\"bytes\":");
	c.u(p.ip_len);
	c.lit(",\"packets\":1},\"source\":{\"ip\":\"");
	put_addr(c, p.family, p.saddr);
	c.lit("\"},\"destination\":{\"ip\":\"");
	put_addr(c, p.family, p.daddr);
	c.lit("\"},\"related\":{\"ip\":[\"");
	put_addr(c, p.family, p.saddr);
	c.lit("\",\"");
	put_addr(c, p.family, p.daddr);
	c.lit("\"]}");
	if (has_task(ev))
		put_ecs_process(c, ev, ctx);
	if (!ctx.container_id.empty()) {
		c.lit(",\"container\":{\"id\":");
		put_json_string(c, ctx.container_id);
		c.put('}');
	}
	// ECS host.name is the machine; a container's own UTS name goes under
	// icmptrace.process.hostname.  Hand-built contexts may name only one.
	const std::string &host = ctx.machine_name.empty() ? ctx.hostname : ctx.machine_name;
	if (!host.empty()) {
		c.lit(",\"host\":{\"name\":");
		put_json_string(c, host);
		c.put('}');
	}
	if (v6)
		c.lit(",\"icmp\":{\"version\":\"6\"");
	else
		c.lit(",\"icmp\":{\"version\":\"4\"");
	// No type read (a fragment, a capture cut before it): no request or
	// response, which would say type 0 (doc/ecs.md: a field the record
	// lacks is left out).
	if (icmp_type_known(ev)) {
		if (is_response(p))
			c.lit(",\"response\":{\"type\":");
		else
			c.lit(",\"request\":{\"type\":");
		c.u(p.type);
		c.lit(",\"code\":");
		c.u(p.code);
		c.lit(",\"message\":");
		put_plain_string(c, type_code_name(p.family, p.type, p.code));
		c.put('}');
	}
	c.put('}');
	put_icmptrace(c, ev, ctx);
	c.lit("}\n");
}

} // namespace

char *format_ecs(const icmpt_event &ev, const FormatContext &ctx, char *out)
{
	Cursor c{out};
	put_ecs(c, ev, ctx);
	return c.p;
}

void format_ecs(const icmpt_event &ev, const FormatContext &ctx, std::string &out)
{
	append_with_cursor(out, line_room(ctx), [&](Cursor &c) { put_ecs(c, ev, ctx); });
}

} // namespace icmptrace
