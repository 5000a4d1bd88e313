#include <string_view>

#include "format/detail_fields.hpp"
#include "format/escape.hpp"
#include "format/event_fields.hpp"
#include "format/formatters.hpp"
#include "format/sink_common.hpp"

namespace icmptrace {
namespace {

// The body as " key=value" pairs: the detail's keys as they are (id/seq
// with their icmp_ prefix), the quoted packet's with inner_.
struct KvSink {
	Cursor &c;
	bool inner = false;

	void key(const Field &f)
	{
		if (inner)
			c.lit(" inner_");
		else if (!f.kv_prefix.empty()) {
			c.put(' ');
			c.put(f.kv_prefix);
		} else {
			c.put(' ');
		}
		c.put(f.key);
		c.put('=');
	}
	void u(const Field &f, uint64_t v) { key(f); c.u(v); }
	void s(const Field &f, int64_t v) { key(f); c.i(v); }
	void hex(const Field &f, uint64_t v)
	{
		key(f);
		c.lit("0x");
		c.hex(v);
	}
	void addr(const Field &f, uint8_t family, const uint8_t *a)
	{
		key(f);
		put_addr(c, family, a);
	}
	void mac(const Field &f, const uint8_t *a, unsigned n)
	{
		key(f);
		put_mac(c, a, n);
	}
	void name(const Field &f, std::string_view v) { key(f); c.put(v); }
	void str(const Field &f, std::string_view v) { key(f); put_token(c, v); }
	void begin_detail(const icmpt_event &, const char *kind)
	{
		c.lit(" detail=");
		c.put(kind);
	}
	void end_detail() {}
	void begin_inner(const icmpt_event &) { inner = true; }
	void end_inner() { inner = false; }
};

// The task's three pieces of a kv line, in the line's order.
void put_task_segments(TaskSegments<3> &seg, const icmpt_event &ev, const FormatContext &ctx)
{
	const TaskFields tf = task_fields(ev, ctx);
	const icmpt_task &t = tf.t;
	Cursor c = seg.start(0);
	c.lit(" pid=");
	c.u(t.pid);
	c.lit(" tid=");
	c.u(t.tid);
	c.lit(" ppid=");
	c.u(t.ppid);
	c.lit(" ns_pid=");
	c.u(t.ns_pid);
	c.lit(" ns_tid=");
	c.u(t.ns_tid);
	c.lit(" uid=");
	c.u(t.uid);
	c.lit(" gid=");
	c.u(t.gid);
	c.lit(" comm=");
	put_token(c, tf.comm);
	c.lit(" netns=");
	c.u(t.net_ns);
	seg.end(0, c);
	c = seg.start(1);
	c.lit(" cgroup=");
	c.u(t.cgroup_id);
	c.lit(" syscall=");
	c.put(tf.syscall);
	seg.end(1, c);
	c = seg.start(2);
	c.lit(" ns_ppid=");
	c.u(t.ns_ppid);
	c.lit(" start_time=");
	c.u(t.start_time_ns);
	c.lit(" mnt_ns=");
	c.u(tf.mnt_ns);
	c.lit(" pid_ns=");
	c.u(t.pid_ns);
	c.lit(" uts_ns=");
	c.u(t.uts_ns);
	c.lit(" syscall_nr=");
	c.i(tf.syscall_nr);
	seg.end(2, c);
	seg.remember(ev, ctx);
}

void put_kv(Cursor &c, const icmpt_event &ev, const FormatContext &ctx)
{
	const icmpt_packet &p = ev.pkt;
	thread_local TaskSegments<3> seg;
	if (!seg.select(ev, ctx))
		put_task_segments(seg, ev, ctx);

	c.lit("ts=");
	c.u(ev.ts_real_ns);
	c.lit(" cpu=");	// no value when unknown, as type=
	if (cpu_known(ev))
		c.u(ev.cpu);
	c.lit(" dir=");
	c.put(direction_padded(ev.direction));
	c.lit(" family=");
	c.u(p.family);
	c.lit(" src=");
	put_addr(c, p.family, p.saddr);
	c.lit(" dst=");
	put_addr(c, p.family, p.daddr);
	// Every key always, but no type read is no value: "type=0" would be
	// echo reply (text says no-type, JSON's typeCode is "").
	if (icmp_type_known(ev)) {
		c.lit(" type=");
		c.u(p.type);
		c.lit(" code=");
		c.u(p.code);
	} else {
		c.lit(" type= code=");
	}
	// No checksum read is no value either: 0 is one a packet may carry.
	c.lit(" csum=");
	if (icmp_checksum_known(ev))
		c.u(p.checksum);
	c.lit(" rest=0x");
	c.hex(p.rest, 8);
	c.lit(" id=");
	c.u(p.id);
	c.lit(" seq=");
	c.u(p.seq);
	c.lit(" flags=0x");
	c.hex(p.flags, 1);
	c.lit(" ip_len=");
	c.u(p.ip_len);
	c.lit(" owner=");
	c.put(owner_padded(ev.owner));
	c.lit(" ctx=");
	c.put(ctx_name(ev.ctx));
	seg.put(c, 0);
	c.lit(" pkt_netns=");
	c.u(ev.pkt_netns);
	seg.put(c, 1);
	// The rest of the record, after the fields scripts rely on.
	c.lit(" ts_boot=");
	c.u(ev.ts_boot_ns);
	c.lit(" ttl=");
	c.u(p.ttl);
	c.lit(" icmp_len=");
	c.u(p.icmp_len);
	c.lit(" ifindex=");
	c.u(ev.ifindex);
	seg.put(c, 2);
	// The decoded body: only the keys its type has.
	c.lit(" csum_check=");
	c.put(csum_check_name(p.flags));
	KvSink sink{c};
	visit_detail(ev, sink);
	// Derived by the reader, last so the keys above keep their places.
	// Both may be empty ("container="): a key is always there.
	c.lit(" container=");
	put_token(c, ctx.container_id);
	c.lit(" hostname=");
	put_token(c, ctx.hostname);
	c.put('\n');
}

} // namespace

char *format_kv(const icmpt_event &ev, const FormatContext &ctx, char *out)
{
	Cursor c{out};
	put_kv(c, ev, ctx);
	return c.p;
}

void format_kv(const icmpt_event &ev, const FormatContext &ctx, std::string &out)
{
	append_with_cursor(out, line_room(ctx), [&](Cursor &c) { put_kv(c, ev, ctx); });
}

} // namespace icmptrace
