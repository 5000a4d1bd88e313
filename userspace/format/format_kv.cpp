#include <string_view>

#include "util/append.hpp"
#include "format/detail_fields.hpp"
#include "format/escape.hpp"
#include "format/event_fields.hpp"
#include "format/formatters.hpp"

namespace icmptrace {
namespace {

// Appends " key=value" (no leading space for the first pair).
class KvLine {
public:
	explicit KvLine(std::string &out) : out_(out) {}
	void add(std::string_view key, std::string_view value) { key_(key); out_ += value; }
	void add(std::string_view key, const char *value) { add(key, std::string_view(value)); }
	void add(std::string_view key, uint64_t value) { key_(key); append_uint(out_, value); }
	void add_int(std::string_view key, int64_t value) { key_(key); append_int(out_, value); }
	void add_hex(std::string_view key, uint64_t value, int width)
	{
		key_(key);
		out_ += "0x";
		append_hex(out_, value, width);
	}
	void add_token(std::string_view key, std::string_view value)
	{
		key_(key);
		append_token(out_, value);
	}
	void add_addr(std::string_view key, uint8_t family, const uint8_t (&addr)[16])
	{
		key_(key);
		append_addr(out_, family, addr);
	}
	// "PREFIXkey=value", for the detail and inner keys.
	void add(std::string_view prefix, std::string_view key, std::string_view value)
	{
		key_(prefix, key);
		out_ += value;
	}

private:
	void key_(std::string_view key, std::string_view more = {})
	{
		if (!first_)
			out_ += ' ';
		first_ = false;
		out_ += key;
		out_ += more;
		out_ += '=';
	}
	std::string &out_;
	bool first_ = true;
};

} // namespace

void format_kv(const icmpt_event &ev, const FormatContext &ctx, std::string &out)
{
	const icmpt_packet &p = ev.pkt;
	const icmpt_task t = effective_task(ev);
	KvLine kv(out);

	kv.add("ts", ev.ts_real_ns);
	kv.add("cpu", ev.cpu);
	kv.add("dir", direction_short(ev.direction));
	kv.add("family", p.family);
	kv.add_addr("src", p.family, p.saddr);
	kv.add_addr("dst", p.family, p.daddr);
	kv.add("type", p.type);
	kv.add("code", p.code);
	kv.add("csum", p.checksum);
	kv.add_hex("rest", p.rest, 8);
	kv.add("id", p.id);
	kv.add("seq", p.seq);
	kv.add_hex("flags", p.flags, 1);
	kv.add("ip_len", p.ip_len);
	kv.add("owner", owner_name(ev.owner));
	kv.add("ctx", ctx_name(ev.ctx));
	kv.add("pid", t.pid);
	kv.add("tid", t.tid);
	kv.add("ppid", t.ppid);
	kv.add("ns_pid", t.ns_pid);
	kv.add("ns_tid", t.ns_tid);
	kv.add("uid", t.uid);
	kv.add("gid", t.gid);
	kv.add_token("comm", comm_of(t));
	kv.add("netns", t.net_ns);
	kv.add("pkt_netns", ev.pkt_netns);
	kv.add("cgroup", t.cgroup_id);
	kv.add("syscall", event_syscall(ev));
	// The rest of the record, after the fields scripts rely on.
	kv.add("ts_boot", ev.ts_boot_ns);
	kv.add("ttl", p.ttl);
	kv.add("icmp_len", p.icmp_len);
	kv.add("ifindex", ev.ifindex);
	kv.add("ns_ppid", t.ns_ppid);
	kv.add("start_time", t.start_time_ns);
	kv.add("mnt_ns", t.mnt_ns ? t.mnt_ns : ctx.mnt_ns);
	kv.add("pid_ns", t.pid_ns);
	kv.add("uts_ns", t.uts_ns);
	kv.add_int("syscall_nr", ev.owner == ICMPT_OWNER_NONE ? -1 : t.syscall_nr);
	// The decoded body: only the keys its type has.  id/seq of the body
	// are icmp_id/icmp_seq (id/seq above are the echo header's, 0 else).
	kv.add("csum_check", csum_check_name(p.flags));
	kv.add("detail", detail_kind_name(ev.detail.kind));
	for (const DetailField &f : detail_fields(ev)) {
		const bool idseq = f.key == "id" || f.key == "seq";
		kv.add(idseq ? "icmp_" : "", f.key, f.value);
	}
	for (const DetailField &f : inner_fields(ev))
		kv.add("inner_", f.key, f.value);
	// Derived by the reader, last so the keys above keep their places.
	// Both may be empty ("container="): a key is always there.
	kv.add("container", ctx.container_id);
	kv.add_token("hostname", ctx.hostname);
	out += '\n';
}

} // namespace icmptrace
