#include "pcap/owner_comment.hpp"

#include <charconv>
#include <cstring>
#include <memory>

#include "context/container_id.hpp"
#include "format/cursor.hpp"
#include "format/event_fields.hpp"

namespace icmptrace {
namespace {

// A value without spaces: '-' for an empty one, %XX for blanks, controls,
// non-ASCII, '%' and a lone '-'.  At most 3 bytes a byte.
void escaped(Cursor &c, std::string_view v)
{
	static constexpr char kHex[] = "0123456789abcdef";
	if (v.empty()) {
		c.put('-');
		return;
	}
	for (unsigned char ch : v) {
		if (ch <= ' ' || ch >= 0x7f || ch == '%' || (ch == '-' && v.size() == 1)) {
			c.put('%');
			c.put(kHex[ch >> 4]);
			c.put(kHex[ch & 15]);
		} else {
			c.put(static_cast<char>(ch));
		}
	}
}

// " name=" and a number.
template <size_t N>
void key(Cursor &c, const char (&k)[N], uint64_t v)
{
	c.lit(k);
	c.u(v);
}

// The comment in three parts, so that OwnerComments can keep the first and
// the last as text.  The task's part, everything before " ctx=": owner= and,
// with an owner, the task's keys and the container; written from ev.owner,
// ev.task and ctx.container_id alone.
void task_part(Cursor &c, const icmpt_event &ev, const FormatContext &ctx)
{
	const icmpt_task &t = ev.task;
	if (ev.owner != ICMPT_OWNER_NONE) {
		c.lit("pid=");
		c.u(t.pid);
		key(c, " tid=", t.tid);
		key(c, " ppid=", t.ppid);
		key(c, " uid=", t.uid);
		c.lit(" comm=");
		escaped(c, comm_of(t));
		c.lit(" container=");
		escaped(c, ctx.container_id);
		c.put(' ');
	}
	c.lit("owner=");
	c.put(owner_padded(ev.owner));
	if (ev.owner != ICMPT_OWNER_NONE) {
		if (t.ns_pid != t.pid)
			key(c, " ns_pid=", t.ns_pid);
		if (t.ns_tid != t.tid)
			key(c, " ns_tid=", t.ns_tid);
		if (t.ns_ppid != t.ppid)
			key(c, " ns_ppid=", t.ns_ppid);
		key(c, " gid=", t.gid);
		key(c, " start=", t.start_time_ns);
		key(c, " cgroup=", t.cgroup_id);
		key(c, " mntns=", t.mnt_ns);
		key(c, " pidns=", t.pid_ns);
		key(c, " netns_task=", t.net_ns);
		key(c, " utsns=", t.uts_ns);
		c.lit(" syscall=");
		c.i(t.syscall_nr);
	}
}

// The record's own keys: ctx, cpu and booted= (the record's real time less
// its boot time: the instant of the boot on the real clock, one number for
// every record until the clock is set), then the interface's (iface_keys()).
void record_keys(Cursor &c, const icmpt_event &ev)
{
	c.lit(" ctx=");
	c.put(ctx_padded(ev.ctx));
	key(c, " cpu=", ev.cpu);
	c.lit(" booted=");
	c.i(static_cast<int64_t>(ev.ts_real_ns - ev.ts_boot_ns));
}

void iface_keys(Cursor &c, const icmpt_event &ev)
{
	key(c, " ifindex=", ev.ifindex);
	key(c, " netns=", ev.pkt_netns);
}

// The context's part after them: host, ctx_mntns and the entity ids, from
// ctx alone.
void context_part(Cursor &c, const FormatContext &ctx)
{
	if (!ctx.hostname.empty()) {
		c.lit(" host=");
		escaped(c, ctx.hostname);
	}
	if (ctx.mnt_ns)
		key(c, " ctx_mntns=", ctx.mnt_ns);
	if (ctx.thread_entity_id || ctx.process_entity_id || ctx.parent_entity_id) {
		key(c, " eid_thread=", ctx.thread_entity_id);
		key(c, " eid_process=", ctx.process_entity_id);
		key(c, " eid_parent=", ctx.parent_entity_id);
	}
}

// A UTS name's length at most (the kernel's __NEW_UTS_LEN).
constexpr size_t kHostNameMax = 64;

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
	owner_comment(out, ev, ctx);
	return out;
}

void owner_comment(std::string &out, const icmpt_event &ev, const FormatContext &ctx)
{
	// Into room reserved once (a Cursor, as the line formats write): a
	// comment per packet is two dozen numbers, and string appends with
	// their checks cost most of a capture's time (callgrind, fmt_bench).
	const size_t room = OwnerComments::room(ctx);
	// On the stack (a string resized to the room would zero it first).
	char stack[2 * kLineMax];
	std::unique_ptr<char[]> heap;
	char *const buf = room <= sizeof(stack)
				  ? stack
				  : (heap = std::make_unique_for_overwrite<char[]>(room)).get();
	Cursor c{buf};
	task_part(c, ev, ctx);
	record_keys(c, ev);
	iface_keys(c, ev);
	context_part(c, ctx);
	out.assign(buf, c.p);
}

// same() for contexts of different derivations: by the fields.
bool OwnerComments::same_fields(const Entry &e, const icmpt_event &ev, const FormatContext &ctx)
{
	if (ev.owner != ICMPT_OWNER_NONE && e.ctx.container_id != ctx.container_id)
		return false;
	// What context_part() reads (machine_name it does not).
	return e.ctx.mnt_ns == ctx.mnt_ns && e.ctx.thread_entity_id == ctx.thread_entity_id &&
	       e.ctx.process_entity_id == ctx.process_entity_id &&
	       e.ctx.parent_entity_id == ctx.parent_entity_id && e.ctx.hostname == ctx.hostname;
}

// The options of entry e, written at q from its kept parts (or afresh
// where it has none) and kept whole with m's flags and pid/tid.
OwnerComments::Whole &OwnerComments::written(uint8_t *q, Entry &e, const icmpt_event &ev,
					     const FormatContext &ctx, const pcapng::EpbFields &m,
					     const Key &key)
{
	char *const p = reinterpret_cast<char *>(q + 4);
	Cursor c{p};
	if (e.used) {
		c.put(std::string_view(e.head));
	} else {
		task_part(c, ev, ctx);
		e.head.assign(p, c.p);
	}
	record_keys(c, ev);
	iface_keys(c, ev);
	if (e.used) {
		c.put(std::string_view(e.tail));
	} else {
		char *const tail = c.p;
		context_part(c, ctx);
		e.tail.assign(tail, c.p);
		e.used = true;
		e.owner = ev.owner;
		e.task = ev.task;
		e.ctx = ctx;
		e.wholes = {};
	}
	// Into the whole not used last, with no dropcount: the caller writes
	// one around the kept text.
	e.whole_last ^= 1;
	Whole &w = e.wholes[e.whole_last];
	w.used = true;
	w.key = key;
	w.text_len = static_cast<size_t>(c.p - p);
	pcapng::EpbFields kept;
	kept.flags = m.flags;
	kept.pid_tid = m.pid_tid;
	w.opts.assign(reinterpret_cast<const char *>(q),
		      reinterpret_cast<const char *>(pcapng::epb_options(q, w.text_len, kept)));
	return w;
}

// Inline in write_options(), its only caller: a call was a tenth of its work.
__attribute__((always_inline)) inline OwnerComments::Entry &
OwnerComments::entry_for(const icmpt_event &ev, const FormatContext &ctx)
{
	static_assert(kEntries <= UINT8_MAX);
	// The entry that came after the record before's last time first (the
	// same in a burst of one task, the next in a cycle of a few), then all.
	size_t i = entries_[last_].follower;
	if (!same(entries_[i], ev, ctx)) {
		// Misses take the entries in turn: the used ones come first.
		for (i = 0; i < kEntries && entries_[i].used && !same(entries_[i], ev, ctx); ++i) {
		}
		if (i == kEntries || !entries_[i].used) {
			i = next_;
			next_ = (next_ + 1) % kEntries;
			entries_[i].used = false;	// until its text is written
		}
	}
	entries_[last_].follower = static_cast<uint8_t>(i);
	last_ = i;
	return entries_[i];
}

uint8_t *OwnerComments::write_options(uint8_t *q, const icmpt_event &ev, const FormatContext &ctx,
				      const pcapng::EpbFields &m)
{
	Entry &e = entry_for(ev, ctx);
	Key key;
	key.booted = ev.ts_real_ns - ev.ts_boot_ns;
	key.iface = uint64_t{ev.pkt_netns} << 32 | ev.ifindex;
	if (m.pid_tid)
		key.pid_tid = uint64_t{m.pid_tid->first} << 32 | m.pid_tid->second;
	key.cpu = ev.cpu;
	key.flags = m.flags;
	key.ctx_pid = ev.ctx | uint32_t{m.pid_tid.has_value()} << 8;
	const Whole *found = nullptr;
	if (e.used) {
		// Equal by the fields: the next record of this context is
		// found by its serial.
		e.ctx.serial = ctx.serial;
		for (unsigned k = 0; k < 2; ++k) {
			const unsigned wi = e.whole_last ^ k;
			const Whole &w = e.wholes[wi];
			if (w.used && w.key == key) {
				e.whole_last = static_cast<uint8_t>(wi);
				found = &w;
				break;
			}
		}
	}
	// A miss writes its list at q too: copied once more, as a hit's is.
	const Whole &w = found ? *found : written(q, e, ev, ctx, m, key);
	if (!m.dropcount) {
		std::memcpy(q, w.opts.data(), w.opts.size());
		return q + w.opts.size();
	}
	std::memcpy(q + 4, w.opts.data() + 4, w.text_len);
	return pcapng::epb_options(q, w.text_len, m);
}

bool parse_owner_comment(std::string_view text, icmpt_event &ev, FormatContext &ctx)
{
	icmpt_event e = ev;
	FormatContext c;
	std::memset(&e.task, 0, sizeof(e.task));
	icmpt_task &t = e.task;
	bool owner_known = false, have_ns_pid = false, have_ns_tid = false,
	     have_ns_ppid = false, have_boot = false, have_booted = false;
	// The keys every comment of ours has had (record_keys()), and an owned
	// one's task keys: without them, a foreign comment.  (ifindex= and
	// netns= came later.)
	bool have_ctx = false, have_cpu = false, have_pid = false, have_tid = false,
	     have_comm = false;
	int64_t booted = 0;
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
			// 0: "unknown", a -r -w rewrite's of another tool's packet.
			for (uint8_t x = 0; x <= ICMPT_CTX_OTHER; ++x)
				if (v == ctx_name(x)) {
					e.ctx = x;
					have_ctx = true;
				}
		} else if (k == "comm") {
			const std::string s = unescaped(v);
			std::memcpy(t.comm, s.data(), std::min(s.size(), sizeof(t.comm) - 1));
			have_comm = true;
		} else if (k == "container") {
			// Only what a live run can write: a file's other bytes
			// would reach every format unchecked in length and kind.
			std::string id = unescaped(v);
			if (is_container_id(id))
				c.container_id = std::move(id);
		} else if (k == "host") {
			std::string host = unescaped(v);
			if (host.size() <= kHostNameMax)
				c.hostname = std::move(host);
		} else if (k == "syscall") {
			number(v, t.syscall_nr);
		} else if (k == "pid") {
			have_pid = number(v, t.pid);
		} else if (k == "tid") {
			have_tid = number(v, t.tid);
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
			have_cpu = number(v, e.cpu);
		} else if (k == "boot") {
			have_boot = number(v, e.ts_boot_ns);
		} else if (k == "booted") {
			have_booted = number(v, booted);
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
	if (!owner_known || !have_ctx || !have_cpu || !(have_boot || have_booted))
		return false;
	if (e.owner != ICMPT_OWNER_NONE && !(have_pid && have_tid && have_comm))
		return false;
	// booted= and the packet's time (ev's ts_real_ns, set by the caller)
	// give the boot time; boot= (files before booted=) is the time itself.
	if (have_booted && !have_boot)
		e.ts_boot_ns = e.ts_real_ns - static_cast<uint64_t>(booted);
	// The task's part is an owned packet's only (task_part()): an unowned
	// one keeps no task and no container, whatever a foreign file says.
	if (e.owner == ICMPT_OWNER_NONE) {
		std::memset(&t, 0, sizeof(t));
		c.container_id.clear();
	} else {
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
