#include "format/detail_fields.hpp"

#include <linux/icmptrace_icmp.h>

#include <cstdio>
#include <cstring>

#include "util/append.hpp"
#include "format/event_fields.hpp"
#include "format/icmp_type_code.hpp"

namespace icmptrace {
namespace {

class Fields {
public:
	void num(const char *key, uint64_t v) { f_.push_back({key, std::to_string(v), true}); }
	void snum(const char *key, int64_t v) { f_.push_back({key, std::to_string(v), true}); }
	void str(const char *key, std::string v) { f_.push_back({key, std::move(v), false}); }
	std::vector<DetailField> take() { return std::move(f_); }

private:
	std::vector<DetailField> f_;
};

std::string addr4(const uint8_t *b)
{
	uint8_t a[16] = {};
	std::memcpy(a, b, 4);
	return format_addr(4, a);
}

std::string addr6(const uint8_t (&b)[16])
{
	return format_addr(6, b);
}

std::string lladdr(const icmpt_ndp_opts &o)
{
	std::string s;
	char buf[4];
	for (unsigned i = 0; i < o.lladdr_len && i < sizeof(o.lladdr); ++i) {
		std::snprintf(buf, sizeof(buf), i ? ":%02x" : "%02x", o.lladdr[i]);
		s += buf;
	}
	return s;
}

std::string hex(uint64_t v)
{
	char buf[24];
	std::snprintf(buf, sizeof(buf), "0x%llx", static_cast<unsigned long long>(v));
	return buf;
}

const char *proto_name(uint8_t p)
{
	switch (p) {
#define ICMPT_PROTO_NAME_(num, id, name) case num: return name;
	ICMPT_IPPROTOS(ICMPT_PROTO_NAME_)
#undef ICMPT_PROTO_NAME_
	}
	return nullptr;
}

void ndp_opts(Fields &f, const icmpt_ndp_opts &o)
{
	if (o.lladdr_len) {
		f.str("lladdr", lladdr(o));
		f.str("lladdr_type", o.lladdr_type == ICMPT_NDP_OPT_TARGET_LLADDR ? "target" : "source");
	}
	if (o.mtu)
		f.num("opt_mtu", o.mtu);
	f.num("nr_opts", o.nr_opts);
	if (o.flags & ICMPT_NDP_OPTS_BAD)
		f.num("opts_bad", 1);
}

// Which error fields the type carries (RFC 792, 1191, 4443, 4884).
struct ErrorShape {
	bool mtu, pointer, gateway, orig_len;
};

ErrorShape error_shape(const icmpt_packet &p)
{
	if (p.family == 6)
		return {p.type == ICMPT_V6_PACKET_TOO_BIG, p.type == ICMPT_V6_PARAM_PROBLEM, false,
			p.type == ICMPT_V6_DEST_UNREACH || p.type == ICMPT_V6_TIME_EXCEEDED};
	return {p.type == ICMPT_V4_DEST_UNREACH && p.code == ICMPT_V4_FRAG_NEEDED,
		p.type == ICMPT_V4_PARAM_PROBLEM, p.type == ICMPT_V4_REDIRECT,
		p.type == ICMPT_V4_DEST_UNREACH || p.type == ICMPT_V4_TIME_EXCEEDED ||
			p.type == ICMPT_V4_PARAM_PROBLEM};
}

bool has_detail(const icmpt_event &ev)
{
	return !(ev.pkt.flags & ICMPT_PKT_FRAGMENT) && ev.detail.kind != ICMPT_DET_NONE;
}

} // namespace

const char *csum_check_name(uint32_t pkt_flags)
{
	if (pkt_flags & ICMPT_PKT_CSUM_BAD)
		return "bad";
	return pkt_flags & ICMPT_PKT_CSUM_OK ? "ok" : "none";
}

const char *detail_kind_name(uint16_t kind)
{
	switch (kind) {
	case ICMPT_DET_NONE: return "none";
	case ICMPT_DET_ECHO: return "echo";
	case ICMPT_DET_ERROR: return "error";
	case ICMPT_DET_TSTAMP: return "tstamp";
	case ICMPT_DET_MASK: return "mask";
	case ICMPT_DET_RTADV4: return "rtadv";
	case ICMPT_DET_EXT_ECHO: return "ext_echo";
	case ICMPT_DET_NDP_RS: return "rs";
	case ICMPT_DET_NDP_RA: return "ra";
	case ICMPT_DET_NDP_NEIGH: return "neigh";
	case ICMPT_DET_NDP_REDIRECT: return "redirect";
	case ICMPT_DET_MLD: return "mld";
	case ICMPT_DET_MLD2_REPORT: return "mld2_report";
	}
	return "unknown";
}

std::vector<DetailField> detail_fields(const icmpt_event &ev)
{
	const icmpt_packet &p = ev.pkt;
	const auto &u = ev.detail.u;
	Fields f;

	if (!has_detail(ev))
		return {};
	switch (ev.detail.kind) {
	case ICMPT_DET_ECHO:
		f.num("id", u.echo.id);
		f.num("seq", u.echo.seq);
		break;
	case ICMPT_DET_ERROR: {
		ErrorShape s = error_shape(p);
		if (s.mtu)
			f.num("mtu", u.error.mtu);
		if (s.pointer)
			f.num("pointer", u.error.pointer);
		if (s.gateway)
			f.str("gateway", addr4(u.error.gateway));
		if (s.orig_len)
			f.num("orig_len", u.error.orig_len);
		break;
	}
	case ICMPT_DET_TSTAMP:
		f.num("id", u.tstamp.id);
		f.num("seq", u.tstamp.seq);
		f.num("orig", u.tstamp.originate);
		f.num("recv", u.tstamp.receive);
		f.num("xmit", u.tstamp.transmit);
		break;
	case ICMPT_DET_MASK:
		f.num("id", u.mask.id);
		f.num("seq", u.mask.seq);
		f.str("mask", addr4(u.mask.mask));
		break;
	case ICMPT_DET_RTADV4:
		f.num("num_addrs", u.rtadv4.num_addrs);
		f.num("addr_entry_size", u.rtadv4.addr_entry_size);
		f.num("lifetime", u.rtadv4.lifetime);
		if (u.rtadv4.first_valid) {
			f.str("router", addr4(u.rtadv4.first_addr));
			f.snum("pref", u.rtadv4.first_pref);
		}
		break;
	case ICMPT_DET_EXT_ECHO:
		f.num("id", u.ext_echo.id);
		f.num("seq", u.ext_echo.seq);
		if (p.type == ICMPT_V4_EXT_ECHO_REQUEST || p.type == ICMPT_V6_EXT_ECHO_REQUEST) {
			f.num("local", u.ext_echo.local);
		} else {
			f.num("state", u.ext_echo.state);
			f.num("active", u.ext_echo.active);
			f.num("ipv4", u.ext_echo.ipv4);
			f.num("ipv6", u.ext_echo.ipv6);
		}
		break;
	case ICMPT_DET_NDP_RS:
		ndp_opts(f, u.rs);
		break;
	case ICMPT_DET_NDP_RA:
		f.num("cur_hop_limit", u.ra.cur_hop_limit);
		f.str("ra_flags", hex(u.ra.flags));
		f.num("router_lifetime", u.ra.router_lifetime);
		f.num("reachable", u.ra.reachable);
		f.num("retrans", u.ra.retrans);
		ndp_opts(f, u.ra.opts);
		break;
	case ICMPT_DET_NDP_NEIGH:
		f.str("target", addr6(u.neigh.target));
		if (p.type == ICMPT_V6_NEIGH_ADVERT)
			f.str("na_flags", hex(u.neigh.flags));
		ndp_opts(f, u.neigh.opts);
		break;
	case ICMPT_DET_NDP_REDIRECT:
		f.str("target", addr6(u.redirect.target));
		f.str("dest", addr6(u.redirect.dest));
		ndp_opts(f, u.redirect.opts);
		break;
	case ICMPT_DET_MLD:
		f.str("mcast", addr6(u.mld.mcast));
		f.num("mld_version", u.mld.version);
		f.num("max_resp_code", u.mld.max_resp_code);
		f.num("max_resp_ms", u.mld.max_resp_ms);
		if (u.mld.version == 2) {
			f.num("qrv", u.mld.qrv);
			f.num("qqic", u.mld.qqic);
			f.num("nr_sources", u.mld.nr_sources);
		}
		break;
	case ICMPT_DET_MLD2_REPORT:
		f.num("nr_records", u.mld2_report.nr_records);
		if (u.mld2_report.first_valid) {
			f.num("rec_type", u.mld2_report.first_type);
			f.num("rec_aux_len", u.mld2_report.first_aux_len);
			f.num("rec_nr_sources", u.mld2_report.first_nr_sources);
			f.str("rec_mcast", addr6(u.mld2_report.first_mcast));
		}
		break;
	}
	return f.take();
}

std::string inner_flag_names(uint16_t flags)
{
	static const struct {
		uint16_t bit;
		const char *name;
	} names[] = {
		{ICMPT_INNER_TRUNCATED, "truncated"}, {ICMPT_INNER_FRAGMENT, "fragment"},
		{ICMPT_INNER_BAD_IP, "bad_ip"},       {ICMPT_INNER_IP_OPTS, "ip_opts"},
		{ICMPT_INNER_EXT_HDRS, "ext_hdrs"},
	};
	std::string out;
	for (const auto &n : names)
		if (flags & n.bit)
			out += (out.empty() ? "" : ",") + std::string(n.name);
	return out;
}

std::vector<DetailField> inner_fields(const icmpt_event &ev)
{
	const icmpt_inner &in = ev.detail.inner;
	Fields f;

	if (!(ev.pkt.flags & ICMPT_PKT_HAS_INNER) || (ev.pkt.flags & ICMPT_PKT_FRAGMENT))
		return {};
	f.num("version", in.version);
	if (in.flags & ICMPT_INNER_IP) {
		f.num("proto", in.proto);
		f.str("src", format_addr(in.version, in.saddr));
		f.str("dst", format_addr(in.version, in.daddr));
		f.num("ttl", in.ttl);
		f.num("ip_len", in.ip_len);
		f.num("ip_id", in.ip_id);
	}
	if (in.flags & ICMPT_INNER_PORTS) {
		f.num("sport", in.sport);
		f.num("dport", in.dport);
	}
	if (in.flags & ICMPT_INNER_ICMP) {
		f.num("type", in.icmp_type);
		f.num("code", in.icmp_code);
	}
	if (in.flags & ICMPT_INNER_ECHO) {
		f.num("id", in.id);
		f.num("seq", in.seq);
	}
	std::string anomalies = inner_flag_names(in.flags);
	if (!anomalies.empty())
		f.str("flags", anomalies);
	return f.take();
}

namespace {

// " inner=udp 198.18.0.1:40000>198.18.1.2:33434", " inner=icmp A>B
// EchoRequest id=1 seq=2", " inner=? flags=truncated".
void append_inner_endpoint(std::string &out, const icmpt_inner &in, const uint8_t (&addr)[16],
			   uint16_t port)
{
	if (!(in.flags & ICMPT_INNER_PORTS)) {
		append_addr(out, in.version, addr);
		return;
	}
	// [v6]:port keeps the port apart from the address.
	if (in.version == 6)
		out += '[';
	append_addr(out, in.version, addr);
	if (in.version == 6)
		out += ']';
	out += ':';
	append_uint(out, port);
}

void append_inner_text(const icmpt_event &ev, std::string &out)
{
	const icmpt_inner &in = ev.detail.inner;
	out += " inner=";

	if (!(in.flags & ICMPT_INNER_IP)) {
		out += '?';
	} else {
		if (const char *n = proto_name(in.proto)) {
			out += n;
		} else {
			out += "proto";
			append_uint(out, in.proto);
		}
		out += ' ';
		append_inner_endpoint(out, in, in.saddr, in.sport);
		out += '>';
		append_inner_endpoint(out, in, in.daddr, in.dport);
		if (in.flags & ICMPT_INNER_ICMP) {
			out += ' ';
			append_icmp_type_code(out, in.version, in.icmp_type, in.icmp_code);
		}
		if (in.flags & ICMPT_INNER_ECHO) {
			out += " id=";
			append_uint(out, in.id);
			out += " seq=";
			append_uint(out, in.seq);
		}
	}
	std::string anomalies = inner_flag_names(in.flags);
	if (!anomalies.empty()) {
		out += " inner_flags=";
		out += anomalies;
	}
}

// Short text names: ids already printed for echo, and a few renames.
const char *text_key(const std::string &key)
{
	static const struct {
		const char *from, *to;
	} renames[] = {
		{"pointer", "ptr"}, {"gateway", "gw"}, {"orig_len", "olen"},
		{"cur_hop_limit", "hlim"}, {"router_lifetime", "lifetime"},
		{"lladdr_type", nullptr}, {"nr_opts", nullptr}, {"mld_version", "v"},
		{"max_resp_code", nullptr}, {"max_resp_ms", "maxresp_ms"},
	};
	for (const auto &r : renames)
		if (key == r.from)
			return r.to;
	return key.c_str();
}

// R, S, O of a neighbour advertisement as letters, "-" for none.
std::string na_letters(uint8_t fl)
{
	std::string value;
	if (fl & ICMPT_NA_ROUTER)
		value += 'R';
	if (fl & ICMPT_NA_SOLICITED)
		value += 'S';
	if (fl & ICMPT_NA_OVERRIDE)
		value += 'O';
	return value.empty() ? "-" : value;
}

} // namespace

void append_detail_text(const icmpt_event &ev, std::string &out)
{
	const bool echo_shown = ev.pkt.flags & ICMPT_PKT_HAS_ECHO;
	if (echo_shown && ev.detail.kind == ICMPT_DET_ECHO)
		return;	// id and seq are on the line already
	const std::vector<DetailField> fields = detail_fields(ev);
	for (size_t i = 0; i < fields.size(); ++i) {
		const DetailField &f = fields[i];
		const char *key = text_key(f.key);
		if (!key)
			continue;
		// RFC 4884 length only when the sender set it.
		if (f.key == "orig_len" && f.value == "0")
			continue;
		if (f.key == "lladdr")	// lladdr_type follows it
			key = i + 1 < fields.size() && fields[i + 1].value == "target" ? "tlla"
										 : "slla";
		const bool na = f.key == "na_flags";
		out += ' ';
		out += na ? "na" : key;
		out += '=';
		out += na ? na_letters(ev.detail.u.neigh.flags) : f.value;
	}
	if (ev.pkt.flags & ICMPT_PKT_HAS_INNER && !(ev.pkt.flags & ICMPT_PKT_FRAGMENT))
		append_inner_text(ev, out);
}

std::string detail_text(const icmpt_event &ev)
{
	std::string s;
	append_detail_text(ev, s);
	return s;
}

} // namespace icmptrace
