// tracee's net_packet_icmp / net_packet_icmpv6 JSON (keys, order, nesting and
// types as in tracee's documented output), then one "icmptrace" object for
// what tracee has no field for.
#include <string_view>

#include "util/append.hpp"
#include "format/detail_fields.hpp"
#include "format/escape.hpp"
#include "format/event_fields.hpp"
#include "format/formatters.hpp"
#include "format/icmp_type_code.hpp"

namespace icmptrace {
namespace {

// Writes `"key":value` pairs, adding commas between members.  Keys are
// this file's (or detail_fields') literals: plain ASCII, never escaped.
class JsonObject {
public:
	explicit JsonObject(std::string &out) : out_(out) { out_ += '{'; }
	void close() { out_ += '}'; }

	void num(std::string_view key, uint64_t v) { name(key); append_uint(out_, v); }
	void inum(std::string_view key, int64_t v) { name(key); append_int(out_, v); }
	void str(std::string_view key, std::string_view v)
	{
		name(key);
		append_json_string(out_, v);
	}
	// Raw JSON text (nested literal or object written by the caller).
	void raw(std::string_view key, std::string_view json) { name(key); out_ += json; }
	std::string &begin(std::string_view key) { name(key); return out_; }

private:
	void name(std::string_view key)
	{
		out_ += first_ ? std::string_view("\"") : std::string_view(",\"");
		first_ = false;
		out_ += key;
		out_ += "\":";
	}
	std::string &out_;
	bool first_ = true;
};

// `{"name":"NAME","type":"TYPE","value":` of one tracee argument.
void append_arg(std::string &out, std::string_view name, std::string_view type)
{
	out += "{\"name\":\"";
	out += name;
	out += "\",\"type\":\"";
	out += type;
	out += "\",\"value\":";
}

// A JSON string of an address (digits, dots and colons: nothing to escape).
void append_addr_string(std::string &out, uint8_t family, const uint8_t (&addr)[16])
{
	out += '"';
	append_addr(out, family, addr);
	out += '"';
}

void append_args(const icmpt_event &ev, std::string &out)
{
	const icmpt_packet &p = ev.pkt;
	const bool v6 = p.family == 6;
	out += '[';
	append_arg(out, "src", "const char*");
	append_addr_string(out, p.family, p.saddr);
	out += "},";
	append_arg(out, "dst", "const char*");
	append_addr_string(out, p.family, p.daddr);
	out += "},";
	append_arg(out, v6 ? "proto_icmpv6" : "proto_icmp",
		   v6 ? "trace.ProtoICMPv6" : "trace.ProtoICMP");
	JsonObject proto(out);
	proto.str("typeCode", icmp_type_code(p.family, p.type, p.code));
	proto.num("checksum", p.checksum);
	if (!v6) {
		// gopacket reads bytes 4..7 as id/seq for every ICMPv4 type.
		proto.num("id", p.rest >> 16);
		proto.num("seq", p.rest & 0xffff);
	}
	proto.close();
	out += "}]";
}

void append_fields(JsonObject &o, const std::vector<DetailField> &fields)
{
	for (const DetailField &f : fields) {
		if (f.number)
			o.raw(f.key, f.value);
		else
			o.str(f.key, f.value);
	}
}

void append_icmptrace(const icmpt_event &ev, std::string &out)
{
	const icmpt_packet &p = ev.pkt;
	const icmpt_task t = effective_task(ev);
	JsonObject o(out);
	o.str("direction", direction_tracee(ev.direction));
	o.str("owner", owner_name(ev.owner));
	o.str("ctx", ctx_name(ev.ctx));
	o.num("family", p.family);
	o.num("type", p.type);
	o.num("code", p.code);
	o.num("rest", p.rest);
	o.num("flags", p.flags);
	o.num("ttl", p.ttl);
	o.num("ip_len", p.ip_len);
	o.num("icmp_len", p.icmp_len);
	o.num("ifindex", ev.ifindex);
	o.num("pkt_netns", ev.pkt_netns);
	o.num("task_netns", t.net_ns);
	o.num("uts_ns", t.uts_ns);
	o.num("gid", t.gid);
	o.inum("syscall_nr", ev.owner == ICMPT_OWNER_NONE ? -1 : t.syscall_nr);
	o.num("ts_boot_ns", ev.ts_boot_ns);
	// The decoded body; "inner" only for an error message.
	o.str("csum_check", csum_check_name(p.flags));
	JsonObject d(o.begin("detail"));
	d.str("kind", detail_kind_name(ev.detail.kind));
	append_fields(d, detail_fields(ev));
	d.close();
	if (p.flags & ICMPT_PKT_HAS_INNER) {
		JsonObject in(o.begin("inner"));
		append_fields(in, inner_fields(ev));
		in.close();
	}
	o.close();
}

} // namespace

void format_json(const icmpt_event &ev, const FormatContext &ctx, std::string &out)
{
	const icmpt_task t = effective_task(ev);
	const bool v6 = ev.pkt.family == 6;
	JsonObject o(out);
	o.num("timestamp", ev.ts_real_ns);
	o.num("threadStartTime", thread_start_epoch_ns(ev));
	o.num("processorId", ev.cpu);
	o.num("processId", t.ns_pid);
	o.num("cgroupId", t.cgroup_id);
	o.num("threadId", t.ns_tid);
	o.num("parentProcessId", t.ns_ppid);
	o.num("hostProcessId", t.pid);
	o.num("hostThreadId", t.tid);
	o.num("hostParentProcessId", t.ppid);
	o.num("userId", t.uid);
	o.num("mountNamespace", t.mnt_ns ? t.mnt_ns : ctx.mnt_ns);
	o.num("pidNamespace", t.pid_ns);
	o.str("processName", comm_of(t));
	o.raw("executable", "{\"path\":\"\"}");
	o.str("hostName", ctx.hostname);
	o.str("containerId", ctx.container_id);
	// tracee's Container{id,name,image,imageDigest}, all omitempty: only the
	// id is known without asking the runtime.
	JsonObject ctr(o.begin("container"));
	if (!ctx.container_id.empty())
		ctr.str("id", ctx.container_id);
	ctr.close();
	o.raw("kubernetes", "{}");
	o.str("eventId", v6 ? "2005" : "2004");
	o.str("eventName", v6 ? "net_packet_icmpv6" : "net_packet_icmp");
	o.raw("matchedPolicies", "[\"\"]");
	o.num("argsNum", 3);
	o.num("returnValue", 0);
	o.str("syscall", event_syscall(ev));
	o.raw("stackAddresses", "[0]");
	o.raw("contextFlags", "{\"containerStarted\":false,\"isCompat\":false}");
	o.num("threadEntityId", ctx.thread_entity_id);
	o.num("processEntityId", ctx.process_entity_id);
	o.num("parentEntityId", ctx.parent_entity_id);
	append_args(ev, o.begin("args"));
	append_icmptrace(ev, o.begin("icmptrace"));
	o.close();
	out += '\n';
}

} // namespace icmptrace
