#include "pcap/owner_comment.hpp"

#include <charconv>
#include <cstring>

#include "format/event_fields.hpp"
#include "util/append.hpp"

namespace icmptrace {
namespace {

void escaped(std::string &out, std::string_view v)
{
	if (v.empty()) {
		out += '-';
		return;
	}
	for (unsigned char c : v) {
		if (c <= ' ' || c >= 0x7f || c == '%' || (c == '-' && v.size() == 1)) {
			out += '%';
			append_hex(out, c, 2);
		} else {
			out += static_cast<char>(c);
		}
	}
}

std::string unescaped(std::string_view v)
{
	std::string out;
	if (v == "-")
		return out;
	for (size_t i = 0; i < v.size(); ++i) {
		unsigned x = 0;
		if (v[i] == '%' && i + 2 < v.size() &&
		    std::from_chars(v.data() + i + 1, v.data() + i + 3, x, 16).ptr ==
			    v.data() + i + 3) {
			out += static_cast<char>(x);
			i += 2;
		} else {
			out += v[i];
		}
	}
	return out;
}

void key(std::string &out, const char *k, uint64_t v)
{
	out += ' ';
	out += k;
	out += '=';
	append_uint(out, v);
}

template <typename T>
bool number(std::string_view v, T &dst)
{
	T x{};
	auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
	if (ec != std::errc() || p != v.data() + v.size())
		return false;
	dst = x;
	return true;
}

} // namespace

std::string owner_comment(const icmpt_event &ev, const FormatContext &ctx)
{
	std::string out;
	const icmpt_task &t = ev.task;
	if (ev.owner != ICMPT_OWNER_NONE) {
		out += "pid=";
		append_uint(out, t.pid);
		key(out, "tid", t.tid);
		key(out, "ppid", t.ppid);
		key(out, "uid", t.uid);
		out += " comm=";
		escaped(out, comm_of(t));
		out += " container=";
		escaped(out, ctx.container_id);
		out += ' ';
	}
	out += "owner=";
	out += owner_name(ev.owner);
	if (ev.owner != ICMPT_OWNER_NONE) {
		if (t.ns_pid != t.pid)
			key(out, "ns_pid", t.ns_pid);
		if (t.ns_tid != t.tid)
			key(out, "ns_tid", t.ns_tid);
		if (t.ns_ppid != t.ppid)
			key(out, "ns_ppid", t.ns_ppid);
		key(out, "gid", t.gid);
		key(out, "start", t.start_time_ns);
		key(out, "cgroup", t.cgroup_id);
		key(out, "mntns", t.mnt_ns);
		key(out, "pidns", t.pid_ns);
		key(out, "netns_task", t.net_ns);
		key(out, "utsns", t.uts_ns);
		out += " syscall=";
		append_int(out, t.syscall_nr);
	}
	out += " ctx=";
	out += ctx_name(ev.ctx);
	key(out, "cpu", ev.cpu);
	key(out, "boot", ev.ts_boot_ns);
	key(out, "ifindex", ev.ifindex);
	key(out, "netns", ev.pkt_netns);
	if (!ctx.hostname.empty()) {
		out += " host=";
		escaped(out, ctx.hostname);
	}
	if (ctx.mnt_ns)
		key(out, "ctx_mntns", ctx.mnt_ns);
	if (ctx.thread_entity_id || ctx.process_entity_id || ctx.parent_entity_id) {
		key(out, "eid_thread", ctx.thread_entity_id);
		key(out, "eid_process", ctx.process_entity_id);
		key(out, "eid_parent", ctx.parent_entity_id);
	}
	return out;
}

bool parse_owner_comment(std::string_view text, icmpt_event &ev, FormatContext &ctx)
{
	icmpt_event e = ev;
	FormatContext c;
	std::memset(&e.task, 0, sizeof(e.task));
	icmpt_task &t = e.task;
	bool owner_known = false, have_ns_pid = false, have_ns_tid = false,
	     have_ns_ppid = false;
	size_t pos = 0;
	while (pos < text.size()) {
		size_t end = text.find(' ', pos);
		if (end == std::string_view::npos)
			end = text.size();
		const std::string_view item = text.substr(pos, end - pos);
		pos = end + 1;
		const size_t eq = item.find('=');
		if (eq == std::string_view::npos)
			continue;
		const std::string_view k = item.substr(0, eq), v = item.substr(eq + 1);
		if (k == "owner") {
			for (uint8_t o = ICMPT_OWNER_NONE; o <= ICMPT_OWNER_SOCKET; ++o)
				if (v == owner_name(o)) {
					e.owner = o;
					owner_known = true;
				}
		} else if (k == "ctx") {
			for (uint8_t x = ICMPT_CTX_TASK; x <= ICMPT_CTX_OTHER; ++x)
				if (v == ctx_name(x))
					e.ctx = x;
		} else if (k == "comm") {
			const std::string s = unescaped(v);
			std::memcpy(t.comm, s.data(), std::min(s.size(), sizeof(t.comm) - 1));
		} else if (k == "container") {
			c.container_id = unescaped(v);
		} else if (k == "host") {
			c.hostname = unescaped(v);
		} else if (k == "syscall") {
			number(v, t.syscall_nr);
		} else if (k == "pid") {
			number(v, t.pid);
		} else if (k == "tid") {
			number(v, t.tid);
		} else if (k == "ppid") {
			number(v, t.ppid);
		} else if (k == "uid") {
			number(v, t.uid);
		} else if (k == "gid") {
			number(v, t.gid);
		} else if (k == "ns_pid") {
			have_ns_pid = number(v, t.ns_pid);
		} else if (k == "ns_tid") {
			have_ns_tid = number(v, t.ns_tid);
		} else if (k == "ns_ppid") {
			have_ns_ppid = number(v, t.ns_ppid);
		} else if (k == "start") {
			number(v, t.start_time_ns);
		} else if (k == "cgroup") {
			number(v, t.cgroup_id);
		} else if (k == "mntns") {
			number(v, t.mnt_ns);
		} else if (k == "pidns") {
			number(v, t.pid_ns);
		} else if (k == "netns_task") {
			number(v, t.net_ns);
		} else if (k == "utsns") {
			number(v, t.uts_ns);
		} else if (k == "cpu") {
			number(v, e.cpu);
		} else if (k == "boot") {
			number(v, e.ts_boot_ns);
		} else if (k == "ifindex") {
			number(v, e.ifindex);
		} else if (k == "netns") {
			number(v, e.pkt_netns);
		} else if (k == "ctx_mntns") {
			number(v, c.mnt_ns);
		} else if (k == "eid_thread") {
			number(v, c.thread_entity_id);
		} else if (k == "eid_process") {
			number(v, c.process_entity_id);
		} else if (k == "eid_parent") {
			number(v, c.parent_entity_id);
		}
	}
	if (!owner_known)
		return false;
	if (e.owner != ICMPT_OWNER_NONE) {
		if (!have_ns_pid)
			t.ns_pid = t.pid;
		if (!have_ns_tid)
			t.ns_tid = t.tid;
		if (!have_ns_ppid)
			t.ns_ppid = t.ppid;
	}
	ev = e;
	ctx = std::move(c);
	return true;
}

} // namespace icmptrace
