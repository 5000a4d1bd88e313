// tracee's net_packet_icmp / net_packet_icmpv6 JSON (keys, order, nesting and
// types as in tracee's documented output), then one "icmptrace" object for
// what tracee has no field for.  Keys and punctuation are prebuilt
// fragments; only strings from the kernel or the host are escaped.
#include <string_view>

#include "format/detail_fields.hpp"
#include "format/escape.hpp"
#include "format/event_fields.hpp"
#include "format/formatters.hpp"
#include "format/json_sink.hpp"
#include "format/sink_common.hpp"

namespace icmptrace {
namespace {

void put_args(Cursor &c, const icmpt_event &ev)
{
	const icmpt_packet &p = ev.pkt;
	const bool v6 = p.family == 6;
	c.lit(",\"args\":[{\"name\":\"src\",\"type\":\"const char*\",\"value\":\"");
	put_addr(c, p.family, p.saddr);
	c.lit("\"},{\"name\":\"dst\",\"type\":\"const char*\",\"value\":\"");
	put_addr(c, p.family, p.daddr);
	if (v6)
		c.lit("\"},{\"name\":\"proto_icmpv6\",\"type\":\"trace.ProtoICMPv6\","
		      "\"value\":{\"typeCode\":\"");
	else
		c.lit("\"},{\"name\":\"proto_icmp\",\"type\":\"trace.ProtoICMP\","
		      "\"value\":{\"typeCode\":\"");
	// No type read: no name (gopacket would not have decoded the layer).
	if (icmp_type_known(ev))
		c.put(type_code_name(p.family, p.type, p.code));
	c.lit("\",\"checksum\":");
	c.u(p.checksum);
	if (!v6) {
		// gopacket reads bytes 4..7 as id/seq for every ICMPv4 type.
		c.lit(",\"id\":");
		c.u(p.rest >> 16);
		c.lit(",\"seq\":");
		c.u(p.rest & 0xffff);
	}
	c.lit("}}]");
}

// The task's two pieces of a JSON line, in the line's order.
void put_task_segments(TaskSegments<2> &seg, const icmpt_event &ev, const FormatContext &ctx)
{
	const TaskFields tf = task_fields(ev, ctx);
	const icmpt_task &t = tf.t;
	Cursor c = seg.start(0);
	c.lit(",\"processId\":");
	c.u(t.ns_pid);
	c.lit(",\"cgroupId\":");
	c.u(t.cgroup_id);
	c.lit(",\"threadId\":");
	c.u(t.ns_tid);
	c.lit(",\"parentProcessId\":");
	c.u(t.ns_ppid);
	c.lit(",\"hostProcessId\":");
	c.u(t.pid);
	c.lit(",\"hostThreadId\":");
	c.u(t.tid);
	c.lit(",\"hostParentProcessId\":");
	c.u(t.ppid);
	c.lit(",\"userId\":");
	c.u(t.uid);
	c.lit(",\"mountNamespace\":");
	c.u(tf.mnt_ns);
	c.lit(",\"pidNamespace\":");
	c.u(t.pid_ns);
	c.lit(",\"processName\":");
	put_json_string(c, tf.comm);
	seg.end(0, c);
	c = seg.start(1);
	c.lit(",\"task_netns\":");
	c.u(t.net_ns);
	c.lit(",\"uts_ns\":");
	c.u(t.uts_ns);
	c.lit(",\"gid\":");
	c.u(t.gid);
	c.lit(",\"syscall_nr\":");
	c.i(tf.syscall_nr);
	seg.end(1, c);
	seg.remember(ev, ctx);
}

void put_icmptrace(Cursor &c, const icmpt_event &ev, const TaskSegments<2> &seg)
{
	const icmpt_packet &p = ev.pkt;
	c.lit(",\"icmptrace\":{\"direction\":\"");
	c.put(direction_tracee(ev.direction));
	c.lit("\",\"owner\":\"");
	c.put(owner_padded(ev.owner));
	c.lit("\",\"ctx\":\"");
	c.put(ctx_name(ev.ctx));
	c.lit("\",\"family\":");
	c.u(p.family);
	c.lit(",\"type\":");
	c.u(p.type);
	c.lit(",\"code\":");
	c.u(p.code);
	c.lit(",\"rest\":");
	c.u(p.rest);
	c.lit(",\"flags\":");
	c.u(p.flags);
	c.lit(",\"ttl\":");
	c.u(p.ttl);
	c.lit(",\"ip_len\":");
	c.u(p.ip_len);
	c.lit(",\"icmp_len\":");
	c.u(p.icmp_len);
	c.lit(",\"ifindex\":");
	c.u(ev.ifindex);
	c.lit(",\"pkt_netns\":");
	c.u(ev.pkt_netns);
	seg.put(c, 1);
	c.lit(",\"ts_boot_ns\":");
	c.u(ev.ts_boot_ns);
	// The decoded body; "inner" only for an error message.
	c.lit(",\"csum_check\":\"");
	c.put(csum_check_name(p.flags));
	c.put('"');
	JsonSink sink{c};
	visit_detail(ev, sink);
	c.put('}');
}

void put_json(Cursor &c, const icmpt_event &ev, const FormatContext &ctx)
{
	thread_local TaskSegments<2> seg;
	if (!seg.select(ev, ctx))
		put_task_segments(seg, ev, ctx);
	const bool v6 = ev.pkt.family == 6;
	c.lit("{\"timestamp\":");
	c.u(ev.ts_real_ns);
	c.lit(",\"threadStartTime\":");
	c.u(thread_start_epoch_ns(ev));
	c.lit(",\"processorId\":");
	// tracee's processorId is a Go int: -1 says "not known", never a CPU.
	if (cpu_known(ev))
		c.u(ev.cpu);
	else
		c.lit("-1");
	seg.put(c, 0);
	c.lit(",\"executable\":{\"path\":\"\"},\"hostName\":");
	put_json_string(c, ctx.hostname);
	c.lit(",\"containerId\":");
	put_json_string(c, ctx.container_id);
	// tracee's Container{id,name,image,imageDigest}, all omitempty: only the
	// id is known without asking the runtime.
	if (ctx.container_id.empty()) {
		c.lit(",\"container\":{}");
	} else {
		c.lit(",\"container\":{\"id\":");
		put_json_string(c, ctx.container_id);
		c.put('}');
	}
	if (v6)
		c.lit(",\"kubernetes\":{},\"eventId\":\"2005\",\"eventName\":\"net_packet_icmpv6\"");
	else
		c.lit(",\"kubernetes\":{},\"eventId\":\"2004\",\"eventName\":\"net_packet_icmp\"");
	c.lit(",\"matchedPolicies\":[\"\"],\"argsNum\":3,\"returnValue\":0,\"syscall\":");
	put_plain_string(c, event_syscall(ev));
	c.lit(",\"stackAddresses\":[0],"
	      "\"contextFlags\":{\"containerStarted\":false,\"isCompat\":false},"
	      "\"threadEntityId\":");
	c.u(ctx.thread_entity_id);
	c.lit(",\"processEntityId\":");
	c.u(ctx.process_entity_id);
	c.lit(",\"parentEntityId\":");
	c.u(ctx.parent_entity_id);
	put_args(c, ev);
	put_icmptrace(c, ev, seg);
	c.lit("}\n");
}

} // namespace

char *format_json(const icmpt_event &ev, const FormatContext &ctx, char *out)
{
	Cursor c{out};
	put_json(c, ev, ctx);
	return c.p;
}

void format_json(const icmpt_event &ev, const FormatContext &ctx, std::string &out)
{
	append_with_cursor(out, line_room(ctx), [&](Cursor &c) { put_json(c, ev, ctx); });
}

} // namespace icmptrace
