#include "format/detail_fields.hpp"

#include <linux/icmptrace_icmp.h>

#include <string_view>

namespace icmptrace {

const char *ip_proto_name(uint8_t p)
{
	switch (p) {
#define ICMPT_PROTO_NAME_(num, id, name) case num: return name;
	ICMPT_IPPROTOS(ICMPT_PROTO_NAME_)
#undef ICMPT_PROTO_NAME_
	}
	return nullptr;
}

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

std::string_view inner_flag_list(uint16_t flags, char (&buf)[kInnerFlagsMax])
{
	static const struct {
		uint16_t bit;
		std::string_view name;
	} names[] = {
		{ICMPT_INNER_TRUNCATED, "truncated"}, {ICMPT_INNER_FRAGMENT, "fragment"},
		{ICMPT_INNER_BAD_IP, "bad_ip"},       {ICMPT_INNER_IP_OPTS, "ip_opts"},
		{ICMPT_INNER_EXT_HDRS, "ext_hdrs"},
	};
	size_t n = 0;
	for (const auto &f : names) {
		if (!(flags & f.bit))
			continue;
		if (n)
			buf[n++] = ',';
		f.name.copy(buf + n, f.name.size());
		n += f.name.size();
	}
	return std::string_view(buf, n);
}

std::string inner_flag_names(uint16_t flags)
{
	char buf[kInnerFlagsMax];
	return std::string(inner_flag_list(flags, buf));
}

} // namespace icmptrace
