// One typed model of a record's decoded body (struct icmpt_detail and its
// quoted packet): the fields the packet's type carries, visited once, in
// one fixed order, through typed callbacks.  Every output is a sink of this
// visitor (format_text, format_json, format_kv; later pcapng comments, ECS):
// it chooses keys and rendering by the Field it is handed, never by looking
// at values.
//
// A sink provides:
//   u(f, uint64_t)  s(f, int64_t)  hex(f, uint64_t)
//   addr(f, family, const uint8_t *)   (family 4: 4 bytes, 6: 16 bytes)
//   mac(f, const uint8_t *, unsigned len)
//   name(f, string_view)    text of our own tables: nothing to escape
//   str(f, string_view)     bytes from the kernel or the host: escape them
//   begin_detail(ev, kind name), end_detail()
//   begin_inner(ev), end_inner()     only for a message quoting a packet
#pragma once

#include <linux/icmptrace.h>
#include <linux/icmptrace_icmp.h>

#include <cstdint>
#include <string_view>

namespace icmptrace {

struct Field {
	std::string_view key;		// JSON member and kv key
	// Short key of the text format; empty: text leaves the field out.
	std::string_view text;
	// Text only: a 0 means "not given" (RFC 4884 length) and is left out.
	bool text_omit_zero = false;
	// Text only: the neighbour advertisement flags as letters (R, S, O).
	bool text_na_letters = false;
	// kv only: the key has this prefix ("icmp_id": id/seq of the body,
	// apart from the echo header's id/seq).
	std::string_view kv_prefix = {};
};

namespace field {
// Detail (by kind).
inline constexpr Field id{"id", "id", false, false, "icmp_"};
inline constexpr Field seq{"seq", "seq", false, false, "icmp_"};
inline constexpr Field mtu{"mtu", "mtu"};
inline constexpr Field pointer{"pointer", "ptr"};
inline constexpr Field gateway{"gateway", "gw"};
inline constexpr Field orig_len{"orig_len", "olen", true};
inline constexpr Field orig{"orig", "orig"};
inline constexpr Field recv{"recv", "recv"};
inline constexpr Field xmit{"xmit", "xmit"};
inline constexpr Field mask{"mask", "mask"};
inline constexpr Field num_addrs{"num_addrs", "num_addrs"};
inline constexpr Field addr_entry_size{"addr_entry_size", "addr_entry_size"};
inline constexpr Field lifetime{"lifetime", "lifetime"};
inline constexpr Field router{"router", "router"};
inline constexpr Field pref{"pref", "pref"};
inline constexpr Field local{"local", "local"};
inline constexpr Field state{"state", "state"};
inline constexpr Field active{"active", "active"};
inline constexpr Field ipv4{"ipv4", "ipv4"};
inline constexpr Field ipv6{"ipv6", "ipv6"};
inline constexpr Field source_lladdr{"lladdr", "slla"};
inline constexpr Field target_lladdr{"lladdr", "tlla"};
inline constexpr Field lladdr_type{"lladdr_type", {}};
inline constexpr Field opt_mtu{"opt_mtu", "opt_mtu"};
inline constexpr Field nr_opts{"nr_opts", {}};
inline constexpr Field opts_bad{"opts_bad", "opts_bad"};
inline constexpr Field cur_hop_limit{"cur_hop_limit", "hlim"};
inline constexpr Field ra_flags{"ra_flags", "ra_flags"};
inline constexpr Field router_lifetime{"router_lifetime", "lifetime"};
inline constexpr Field reachable{"reachable", "reachable"};
inline constexpr Field retrans{"retrans", "retrans"};
inline constexpr Field target{"target", "target"};
inline constexpr Field na_flags{"na_flags", "na", false, true};
inline constexpr Field dest{"dest", "dest"};
inline constexpr Field mcast{"mcast", "mcast"};
inline constexpr Field mld_version{"mld_version", "v"};
inline constexpr Field max_resp_code{"max_resp_code", {}};
inline constexpr Field max_resp_ms{"max_resp_ms", "maxresp_ms"};
inline constexpr Field qrv{"qrv", "qrv"};
inline constexpr Field qqic{"qqic", "qqic"};
inline constexpr Field nr_sources{"nr_sources", "nr_sources"};
inline constexpr Field nr_records{"nr_records", "nr_records"};
inline constexpr Field rec_type{"rec_type", "rec_type"};
inline constexpr Field rec_aux_len{"rec_aux_len", "rec_aux_len"};
inline constexpr Field rec_nr_sources{"rec_nr_sources", "rec_nr_sources"};
inline constexpr Field rec_mcast{"rec_mcast", "rec_mcast"};
// The quoted packet (detail.inner); text writes it in its own short form.
inline constexpr Field in_version{"version", {}};
inline constexpr Field in_proto{"proto", {}};
inline constexpr Field in_src{"src", {}};
inline constexpr Field in_dst{"dst", {}};
inline constexpr Field in_ttl{"ttl", {}};
inline constexpr Field in_ip_len{"ip_len", {}};
inline constexpr Field in_ip_id{"ip_id", {}};
inline constexpr Field in_sport{"sport", {}};
inline constexpr Field in_dport{"dport", {}};
inline constexpr Field in_type{"type", {}};
inline constexpr Field in_code{"code", {}};
inline constexpr Field in_id{"id", {}};
inline constexpr Field in_seq{"seq", {}};
inline constexpr Field in_flags{"flags", {}};
} // namespace field

// "none", "echo", "error", ... for detail.kind (detail_fields.hpp).
const char *detail_kind_name(uint16_t kind);

// Comma-separated ICMPT_INNER_* anomaly names into buf, "" if none.
constexpr size_t kInnerFlagsMax = 64;
std::string_view inner_flag_list(uint16_t flags, char (&buf)[kInnerFlagsMax]);

namespace visit_detail_impl {

// Which error fields the type carries (RFC 792, 1191, 4443, 4884).
struct ErrorShape {
	bool mtu, pointer, gateway, orig_len;
};

inline ErrorShape error_shape(const icmpt_packet &p)
{
	if (p.family == 6)
		return {p.type == ICMPT_V6_PACKET_TOO_BIG, p.type == ICMPT_V6_PARAM_PROBLEM, false,
			p.type == ICMPT_V6_DEST_UNREACH || p.type == ICMPT_V6_TIME_EXCEEDED};
	return {p.type == ICMPT_V4_DEST_UNREACH && p.code == ICMPT_V4_FRAG_NEEDED,
		p.type == ICMPT_V4_PARAM_PROBLEM, p.type == ICMPT_V4_REDIRECT,
		p.type == ICMPT_V4_DEST_UNREACH || p.type == ICMPT_V4_TIME_EXCEEDED ||
			p.type == ICMPT_V4_PARAM_PROBLEM};
}

template <typename Sink>
void ndp_opts(Sink &s, const icmpt_ndp_opts &o)
{
	if (o.lladdr_len) {
		const bool target = o.lladdr_type == ICMPT_NDP_OPT_TARGET_LLADDR;
		s.mac(target ? field::target_lladdr : field::source_lladdr, o.lladdr,
		      o.lladdr_len < sizeof(o.lladdr) ? o.lladdr_len : sizeof(o.lladdr));
		s.name(field::lladdr_type, target ? "target" : "source");
	}
	if (o.mtu)
		s.u(field::opt_mtu, o.mtu);
	s.u(field::nr_opts, o.nr_opts);
	if (o.flags & ICMPT_NDP_OPTS_BAD)
		s.u(field::opts_bad, 1);
}

template <typename Sink>
void body(const icmpt_event &ev, Sink &s)
{
	const icmpt_packet &p = ev.pkt;
	const auto &u = ev.detail.u;
	switch (ev.detail.kind) {
	case ICMPT_DET_ECHO:
		s.u(field::id, u.echo.id);
		s.u(field::seq, u.echo.seq);
		break;
	case ICMPT_DET_ERROR: {
		ErrorShape e = error_shape(p);
		if (e.mtu)
			s.u(field::mtu, u.error.mtu);
		if (e.pointer)
			s.u(field::pointer, u.error.pointer);
		if (e.gateway)
			s.addr(field::gateway, 4, u.error.gateway);
		if (e.orig_len)
			s.u(field::orig_len, u.error.orig_len);
		break;
	}
	case ICMPT_DET_TSTAMP:
		s.u(field::id, u.tstamp.id);
		s.u(field::seq, u.tstamp.seq);
		s.u(field::orig, u.tstamp.originate);
		s.u(field::recv, u.tstamp.receive);
		s.u(field::xmit, u.tstamp.transmit);
		break;
	case ICMPT_DET_MASK:
		s.u(field::id, u.mask.id);
		s.u(field::seq, u.mask.seq);
		s.addr(field::mask, 4, u.mask.mask);
		break;
	case ICMPT_DET_RTADV4:
		s.u(field::num_addrs, u.rtadv4.num_addrs);
		s.u(field::addr_entry_size, u.rtadv4.addr_entry_size);
		s.u(field::lifetime, u.rtadv4.lifetime);
		if (u.rtadv4.first_valid) {
			s.addr(field::router, 4, u.rtadv4.first_addr);
			s.s(field::pref, u.rtadv4.first_pref);
		}
		break;
	case ICMPT_DET_EXT_ECHO:
		s.u(field::id, u.ext_echo.id);
		s.u(field::seq, u.ext_echo.seq);
		if (p.type == (p.family == 6 ? ICMPT_V6_EXT_ECHO_REQUEST : ICMPT_V4_EXT_ECHO_REQUEST)) {
			s.u(field::local, u.ext_echo.local);
		} else {
			s.u(field::state, u.ext_echo.state);
			s.u(field::active, u.ext_echo.active);
			s.u(field::ipv4, u.ext_echo.ipv4);
			s.u(field::ipv6, u.ext_echo.ipv6);
		}
		break;
	case ICMPT_DET_NDP_RS:
		ndp_opts(s, u.rs);
		break;
	case ICMPT_DET_NDP_RA:
		s.u(field::cur_hop_limit, u.ra.cur_hop_limit);
		s.hex(field::ra_flags, u.ra.flags);
		s.u(field::router_lifetime, u.ra.router_lifetime);
		s.u(field::reachable, u.ra.reachable);
		s.u(field::retrans, u.ra.retrans);
		ndp_opts(s, u.ra.opts);
		break;
	case ICMPT_DET_NDP_NEIGH:
		s.addr(field::target, 6, u.neigh.target);
		if (p.type == ICMPT_V6_NEIGH_ADVERT)
			s.hex(field::na_flags, u.neigh.flags);
		ndp_opts(s, u.neigh.opts);
		break;
	case ICMPT_DET_NDP_REDIRECT:
		s.addr(field::target, 6, u.redirect.target);
		s.addr(field::dest, 6, u.redirect.dest);
		ndp_opts(s, u.redirect.opts);
		break;
	case ICMPT_DET_MLD:
		s.addr(field::mcast, 6, u.mld.mcast);
		s.u(field::mld_version, u.mld.version);
		s.u(field::max_resp_code, u.mld.max_resp_code);
		s.u(field::max_resp_ms, u.mld.max_resp_ms);
		if (u.mld.version == 2) {
			s.u(field::qrv, u.mld.qrv);
			s.u(field::qqic, u.mld.qqic);
			s.u(field::nr_sources, u.mld.nr_sources);
		}
		break;
	case ICMPT_DET_MLD2_REPORT:
		s.u(field::nr_records, u.mld2_report.nr_records);
		if (u.mld2_report.first_valid) {
			s.u(field::rec_type, u.mld2_report.first_type);
			s.u(field::rec_aux_len, u.mld2_report.first_aux_len);
			s.u(field::rec_nr_sources, u.mld2_report.first_nr_sources);
			s.addr(field::rec_mcast, 6, u.mld2_report.first_mcast);
		}
		break;
	}
}

template <typename Sink>
void inner(const icmpt_inner &in, Sink &s)
{
	s.u(field::in_version, in.version);
	if (in.flags & ICMPT_INNER_IP) {
		s.u(field::in_proto, in.proto);
		s.addr(field::in_src, in.version, in.saddr);
		s.addr(field::in_dst, in.version, in.daddr);
		s.u(field::in_ttl, in.ttl);
		s.u(field::in_ip_len, in.ip_len);
		s.u(field::in_ip_id, in.ip_id);
	}
	if (in.flags & ICMPT_INNER_PORTS) {
		s.u(field::in_sport, in.sport);
		s.u(field::in_dport, in.dport);
	}
	if (in.flags & ICMPT_INNER_ICMP) {
		s.u(field::in_type, in.icmp_type);
		s.u(field::in_code, in.icmp_code);
	}
	if (in.flags & ICMPT_INNER_ECHO) {
		s.u(field::in_id, in.id);
		s.u(field::in_seq, in.seq);
	}
	char buf[kInnerFlagsMax];
	std::string_view anomalies = inner_flag_list(in.flags, buf);
	if (!anomalies.empty())
		s.name(field::in_flags, anomalies);
}

} // namespace visit_detail_impl

// The body, then the quoted packet: begin_detail, the kind's fields (none
// for a non-first fragment), end_detail; then, for a message that quotes a
// packet, begin_inner, its fields (none for a fragment), end_inner.
template <typename Sink>
void visit_detail(const icmpt_event &ev, Sink &s)
{
	const bool fragment = ev.pkt.flags & ICMPT_PKT_FRAGMENT;
	s.begin_detail(ev, detail_kind_name(ev.detail.kind));
	if (!fragment && ev.detail.kind != ICMPT_DET_NONE)
		visit_detail_impl::body(ev, s);
	s.end_detail();
	if (ev.pkt.flags & ICMPT_PKT_HAS_INNER) {
		s.begin_inner(ev);
		if (!fragment)
			visit_detail_impl::inner(ev.detail.inner, s);
		s.end_inner();
	}
}

} // namespace icmptrace
