#include "cli/icmp_summary.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include "format/escape.hpp"
#include "format/event_fields.hpp"
#include "format/icmp_type_code.hpp"

namespace icmptrace {
namespace {

bool is_echo_request(uint8_t family, uint8_t type)
{
	return family == 6 ? type == 128 : type == 8;
}

bool is_echo_reply(uint8_t family, uint8_t type)
{
	return family == 6 ? type == 129 : type == 0;
}

// Errors quote the packet they answer (RFC 792, RFC 4443 section 2.1).
bool is_error(uint8_t family, uint8_t type)
{
	if (family == 6)
		return type >= 1 && type <= 4;
	return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

// The type table's name for packets with no type, as the text lines say.
const char *no_type_name(bool fragment) { return fragment ? "fragment" : "no-type"; }

std::array<uint8_t, 16> addr_bytes(uint8_t family, const uint8_t (&a)[16])
{
	std::array<uint8_t, 16> b{};
	std::memcpy(b.data(), a, family == 6 ? 16 : 4);
	return b;
}

uint8_t owner_class(uint8_t owner)
{
	return owner == ICMPT_OWNER_NONE ? 0 : owner == ICMPT_OWNER_KERNEL ? 1 : 2;
}

IcmpSummary::Process process_of(const icmpt_event &ev, const FormatContext &ctx)
{
	IcmpSummary::Process p;
	if (ev.owner == ICMPT_OWNER_NONE) {
		p.comm = "(no owner)";
	} else if (ev.owner == ICMPT_OWNER_KERNEL) {
		p.comm = "(kernel)";
	} else {
		p.task = true;
		p.pid = ev.task.pid;
		p.comm = comm_of(ev.task);
		p.container = ctx.container_id.substr(0, 12);
	}
	return p;
}

// The row past a table's kMaxRows: everything else, counted together.
const IcmpSummary::Process &other_process()
{
	static const IcmpSummary::Process p{false, 0, "(other)", ""};
	return p;
}

IcmpSummary::Dest other_dest(uint8_t family) { return {family, "(other)"}; }

bool is_other(const IcmpSummary::Dest &d) { return d.addr == "(other)"; }

// key's row of m, added if m has fewer than kMaxRows rows, else the row of
// other (added past the limit, so a table has kMaxRows rows and its others).
template <typename Map>
typename Map::iterator row_of(Map &m, typename Map::key_type &&key,
			      const typename Map::key_type &other)
{
	auto it = m.find(key);
	if (it != m.end())
		return it;
	if (m.size() < IcmpSummary::kMaxRows)
		return m.try_emplace(std::move(key)).first;
	return m.try_emplace(other).first;
}

std::string ms(double v)
{
	char buf[32];
	std::snprintf(buf, sizeof(buf), "%.3f", v);
	return buf;
}

std::string pad(const std::string &s, size_t w)
{
	return s.size() >= w ? s : s + std::string(w - s.size(), ' ');
}

std::string rpad(const std::string &s, size_t w)
{
	return s.size() >= w ? s : std::string(w - s.size(), ' ') + s;
}

// Columns as wide as their widest cell, two spaces apart; columns from
// first_num on are numbers, right-aligned.
std::string table(const std::vector<std::vector<std::string>> &rows, size_t first_num)
{
	std::vector<size_t> w;
	for (const auto &r : rows)
		for (size_t i = 0; i < r.size(); ++i) {
			if (w.size() <= i)
				w.push_back(0);
			w[i] = std::max(w[i], r[i].size());
		}
	std::string out;
	for (const auto &r : rows) {
		std::string line;
		for (size_t i = 0; i < r.size(); ++i) {
			line += "  ";
			line += i >= first_num ? rpad(r[i], w[i]) : pad(r[i], w[i]);
		}
		while (!line.empty() && line.back() == ' ')
			line.pop_back();
		out += line + '\n';
	}
	return out;
}

// Under a table with an "(other)" row.
std::string other_note(const char *what)
{
	return "  (other): the " + std::string(what) + " past the table's " +
	       std::to_string(IcmpSummary::kMaxRows) + " rows, counted together\n";
}

std::string dash(const std::string &s)
{
	return s.empty() ? "-" : escape_token(s);
}

// A table cell: a task's comm escaped as the text lines have it (JSON
// escapes the raw bytes its own way).
std::string comm_cell(const IcmpSummary::Process &p)
{
	return p.task ? escape_token(p.comm) : p.comm;
}

void json_process(std::string &out, const IcmpSummary::Process &p)
{
	out += "\"comm\":";
	append_json_string(out, p.comm);
	out += ",\"pid\":" + std::to_string(p.pid) + ",\"container\":";
	append_json_string(out, p.container);
}

} // namespace

double IcmpSummary::Rtt::avg_ms() const
{
	return n ? sum_ns / static_cast<double>(n) / 1e6 : 0;
}

double IcmpSummary::Rtt::mdev_ms() const
{
	if (!n)
		return 0;
	const double mean = sum_ns / static_cast<double>(n);
	const double var = sum_sq_ns / static_cast<double>(n) - mean * mean;
	return var > 0 ? std::sqrt(var) / 1e6 : 0;
}

IcmpSummary::KeptOwner &IcmpSummary::owner_row(const icmpt_event &ev, const FormatContext &ctx)
{
	const uint8_t cls = owner_class(ev.owner);
	static_assert(sizeof(KeptOwner::comm) == sizeof(ev.task.comm));
	for (KeptOwner &k : kept_) {
		if (!k.valid || k.owner_class != cls)
			continue;
		if (cls < 2 || (k.pid == ev.task.pid &&
				std::memcmp(k.comm, ev.task.comm, sizeof(k.comm)) == 0 &&
				k.container == ctx.container_id))
			return k;
	}
	KeptOwner &k = kept_[kept_next_];
	kept_next_ = (kept_next_ + 1) % kKeptOwners;
	auto it = row_of(by_process_, process_of(ev, ctx), other_process());
	k.valid = true;
	k.owner_class = cls;
	k.pid = ev.task.pid;
	std::memcpy(k.comm, ev.task.comm, sizeof(k.comm));
	k.container = ctx.container_id;
	k.proc = &it->first;
	k.counts = &it->second;
	return k;
}

void IcmpSummary::add(const icmpt_event &ev, const FormatContext &ctx)
{
	const icmpt_packet &p = ev.pkt;
	KeptOwner &owner = owner_row(ev, ctx);
	++packets_;
	// A capture that does not say is neither (as --in/--out): TOTAL only.
	(ev.direction == ICMPT_DIR_OUT  ? owner.counts->out
	 : ev.direction == ICMPT_DIR_IN ? owner.counts->in
					: owner.counts->unknown)++;
	if (!icmp_type_known(ev)) {
		// A row of their own, so the type table adds up to the packets.
		++no_type_[NoTypeKey{p.family, (p.flags & ICMPT_PKT_FRAGMENT) != 0, ev.direction}];
		return;
	}
	++by_type_[TypeKey{p.family, p.type, p.code, ev.direction}];

	if (p.flags & ICMPT_PKT_HAS_ECHO)
		add_echo(ev, owner.proc);
	if (ev.direction == ICMPT_DIR_IN && is_error(p.family, p.type)) {
		const icmpt_inner &in = ev.detail.inner;
		Dest d;
		if ((p.flags & ICMPT_PKT_HAS_INNER) && (in.flags & ICMPT_INNER_IP) &&
		    (in.version == 4 || in.version == 6)) {
			d.family = in.version;
			d.addr = format_addr(in.version, in.daddr);
		} else {
			d.family = p.family;
			d.addr = "?";	// the quoted header is cut short
		}
		++row_of(errors_, ErrorKey{d, p.type, p.code},
			 ErrorKey{other_dest(d.family), p.type, p.code})->second;
	}
}

void IcmpSummary::add_echo(const icmpt_event &ev, const Process *proc)
{
	const icmpt_packet &p = ev.pkt;
	if (ev.direction == ICMPT_DIR_OUT && is_echo_request(p.family, p.type)) {
		EchoKey k{ev.pkt_netns, p.family, p.id, p.seq, addr_bytes(p.family, p.daddr)};
		pending_[k] = Pending{ev.ts_boot_ns, proc, std::get<4>(k)};
		pending_order_.emplace_back(k, ev.ts_boot_ns);
		while (pending_order_.size() > kMaxPending) {
			auto it = pending_.find(pending_order_.front().first);
			if (it != pending_.end() && it->second.ts_boot_ns == pending_order_.front().second) {
				pending_.erase(it);
				++evicted_;
			}
			pending_order_.pop_front();
		}
	} else if (ev.direction == ICMPT_DIR_IN && is_echo_reply(p.family, p.type)) {
		auto it = pending_.find(
			EchoKey{ev.pkt_netns, p.family, p.id, p.seq, addr_bytes(p.family, p.saddr)});
		if (it == pending_.end() || ev.ts_boot_ns < it->second.ts_boot_ns)
			return;	// not one of the requests we saw go out
		const uint64_t rtt = ev.ts_boot_ns - it->second.ts_boot_ns;
		const Pending &q = it->second;
		if (!last_rtt_ || last_rtt_proc_ != q.proc || last_rtt_family_ != p.family ||
		    last_rtt_dest_ != q.dest) {
			uint8_t a[16];
			std::memcpy(a, q.dest.data(), sizeof(a));
			last_rtt_ = &row_of(rtts_, {*q.proc, Dest{p.family, format_addr(p.family, a)}},
					    {other_process(), other_dest(0)})->second;
			last_rtt_proc_ = q.proc;
			last_rtt_family_ = p.family;
			last_rtt_dest_ = q.dest;
		}
		Rtt &r = *last_rtt_;
		r.min_ns = r.n ? std::min(r.min_ns, rtt) : rtt;
		r.max_ns = std::max(r.max_ns, rtt);
		r.sum_ns += static_cast<double>(rtt);
		r.sum_sq_ns += static_cast<double>(rtt) * static_cast<double>(rtt);
		++r.n;
		pending_.erase(it);	// a duplicate reply is not a second round trip
	}
}

std::string IcmpSummary::text() const
{
	std::string out = "icmptrace summary: " + std::to_string(packets_) + " packets\n\n";
	out += "by process:\n";
	std::vector<std::vector<std::string>> rows = {{"PID", "COMM", "CONTAINER", "OUT", "IN", "TOTAL"}};
	std::vector<std::pair<Process, Counts>> procs(by_process_.begin(), by_process_.end());
	std::stable_sort(procs.begin(), procs.end(), [](const auto &a, const auto &b) {
		return a.second.total() > b.second.total();
	});
	for (const auto &[proc, c] : procs)
		rows.push_back({proc.pid ? std::to_string(proc.pid) : "-", comm_cell(proc),
				dash(proc.container), std::to_string(c.out), std::to_string(c.in),
				std::to_string(c.total())});
	out += table(rows, 3);
	if (by_process_.contains(other_process()))
		out += other_note("owners");

	out += "\nby ICMP type, code and direction:\n";
	rows = {{"DIR", "FAMILY", "TYPE", "CODE", "NAME", "COUNT"}};
	for (const auto &[k, n] : by_type_) {
		const auto &[family, type, code, dir] = k;
		rows.push_back({direction_short(dir), family == 6 ? "ipv6" : "ipv4",
				std::to_string(type), std::to_string(code),
				icmp_type_code(family, type, code), std::to_string(n)});
	}
	for (const auto &[k, n] : no_type_) {
		const auto &[family, fragment, dir] = k;
		rows.push_back({direction_short(dir), family == 6 ? "ipv6" : "ipv4", "-", "-",
				no_type_name(fragment), std::to_string(n)});
	}
	out += table(rows, 5);

	out += "\necho round-trip times (ms; kernel timestamps, request out to reply in):\n";
	rows = {{"PID", "COMM", "CONTAINER", "DESTINATION", "REPLIES", "MIN", "AVG", "MAX", "MDEV"}};
	for (const auto &[k, r] : rtts_)
		rows.push_back({k.first.pid ? std::to_string(k.first.pid) : "-", comm_cell(k.first),
				dash(k.first.container), k.second.addr, std::to_string(r.n),
				ms(static_cast<double>(r.min_ns) / 1e6), ms(r.avg_ms()),
				ms(static_cast<double>(r.max_ns) / 1e6), ms(r.mdev_ms())});
	out += table(rows, 4);
	if (rtts_.contains({other_process(), other_dest(0)}))
		out += other_note("processes and destinations");
	out += "  requests without a reply: " + std::to_string(unanswered()) + "\n";

	out += "\nerrors received, by the destination of the packet they answer:\n";
	rows = {{"DESTINATION", "TYPE", "CODE", "NAME", "COUNT"}};
	for (const auto &[k, n] : errors_) {
		const auto &[d, type, code] = k;
		rows.push_back({d.addr, std::to_string(type), std::to_string(code),
				icmp_type_code(d.family == 6 ? 6 : 4, type, code), std::to_string(n)});
	}
	out += table(rows, 4);
	if (std::any_of(errors_.begin(), errors_.end(),
			[](const auto &e) { return is_other(std::get<0>(e.first)); }))
		out += other_note("destinations");
	return out;
}

std::string IcmpSummary::json() const
{
	std::string out = "{\"packets\":" + std::to_string(packets_) + ",\"processes\":[";
	bool first = true;
	for (const auto &[proc, c] : by_process_) {
		out += first ? "{" : ",{";
		first = false;
		json_process(out, proc);
		out += ",\"out\":" + std::to_string(c.out) + ",\"in\":" + std::to_string(c.in);
		if (c.unknown)	// only -r of other tools' files has any
			out += ",\"unknown\":" + std::to_string(c.unknown);
		out += "}";
	}
	out += "],\"types\":[";
	first = true;
	for (const auto &[k, n] : by_type_) {
		const auto &[family, type, code, dir] = k;
		out += first ? "{" : ",{";
		first = false;
		out += "\"family\":" + std::to_string(family) + ",\"type\":" + std::to_string(type) +
		       ",\"code\":" + std::to_string(code) + ",\"name\":";
		append_json_string(out, icmp_type_code(family, type, code));
		out += ",\"direction\":\"" + std::string(direction_short(dir)) +
		       "\",\"count\":" + std::to_string(n) + "}";
	}
	for (const auto &[k, n] : no_type_) {
		const auto &[family, fragment, dir] = k;
		out += first ? "{" : ",{";
		first = false;
		out += "\"family\":" + std::to_string(family) + ",\"type\":null,\"code\":null,\"name\":\"" +
		       no_type_name(fragment) + "\",\"direction\":\"" + direction_short(dir) +
		       "\",\"count\":" + std::to_string(n) + "}";
	}
	out += "],\"rtt\":[";
	first = true;
	for (const auto &[k, r] : rtts_) {
		out += first ? "{" : ",{";
		first = false;
		json_process(out, k.first);
		out += ",\"destination\":";
		append_json_string(out, k.second.addr);
		out += ",\"replies\":" + std::to_string(r.n) +
		       ",\"min_ms\":" + ms(static_cast<double>(r.min_ns) / 1e6) +
		       ",\"avg_ms\":" + ms(r.avg_ms()) +
		       ",\"max_ms\":" + ms(static_cast<double>(r.max_ns) / 1e6) +
		       ",\"mdev_ms\":" + ms(r.mdev_ms()) + "}";
	}
	out += "],\"unanswered_requests\":" + std::to_string(unanswered()) + ",\"errors\":[";
	first = true;
	for (const auto &[k, n] : errors_) {
		const auto &[d, type, code] = k;
		out += first ? "{" : ",{";
		first = false;
		out += "\"destination\":";
		append_json_string(out, d.addr);
		out += ",\"family\":" + std::to_string(d.family) + ",\"type\":" + std::to_string(type) +
		       ",\"code\":" + std::to_string(code) + ",\"name\":";
		append_json_string(out, icmp_type_code(d.family == 6 ? 6 : 4, type, code));
		out += ",\"count\":" + std::to_string(n) + "}";
	}
	out += "]}\n";
	return out;
}

} // namespace icmptrace
