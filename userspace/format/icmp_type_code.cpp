#include "format/icmp_type_code.hpp"

#include <linux/icmptrace_icmp.h>

#include <span>

#include "util/append.hpp"

namespace icmptrace {
namespace {

struct CodeName {
	uint8_t code;
	const char *name;
};

struct TypeInfo {
	uint8_t family;
	uint8_t type;
	const char *name;	// null: gopacket does not know the type
	// Empty: the type has no code table (gopacket's nil map), which is
	// not the same as a table where the code is missing.
	std::span<const CodeName> codes;
	bool has_code_table;
};

constexpr CodeName v4_unreach[] = {
	{0, "Net"}, {1, "Host"}, {2, "Protocol"}, {3, "Port"},
	{4, "FragmentationNeeded"}, {5, "SourceRoutingFailed"},
	{6, "NetUnknown"}, {7, "HostUnknown"}, {8, "SourceIsolated"},
	{9, "NetAdminProhibited"}, {10, "HostAdminProhibited"},
	{11, "NetTOS"}, {12, "HostTOS"}, {13, "CommAdminProhibited"},
	{14, "HostPrecedence"}, {15, "PrecedenceCutoff"},
};
constexpr CodeName v4_time_exceeded[] = {
	{0, "TTLExceeded"}, {1, "FragmentReassemblyTimeExceeded"},
};
constexpr CodeName v4_param_problem[] = {
	{0, "PointerIndicatesError"}, {1, "MissingOption"}, {2, "BadLength"},
};
constexpr CodeName v4_redirect[] = {
	{0, "Net"}, {1, "Host"}, {2, "TOS+Net"}, {3, "TOS+Host"},
};

// gopacket's code tables, by type; a type without one is gopacket's nil map.
constexpr std::span<const CodeName> v4_codes(uint8_t type)
{
	switch (type) {
	case ICMPT_V4_DEST_UNREACH: return v4_unreach;
	case ICMPT_V4_REDIRECT: return v4_redirect;
	case ICMPT_V4_TIME_EXCEEDED: return v4_time_exceeded;
	case ICMPT_V4_PARAM_PROBLEM: return v4_param_problem;
	}
	return {};
}

constexpr CodeName v6_unreach[] = {
	{0, "NoRouteToDst"}, {1, "AdminProhibited"}, {2, "BeyondScopeOfSrc"},
	{3, "AddressUnreachable"}, {4, "PortUnreachable"},
	{5, "SrcAddressFailedPolicy"}, {6, "RejectRouteToDst"},
};
constexpr CodeName v6_time_exceeded[] = {
	{0, "HopLimitExceeded"}, {1, "FragmentReassemblyTimeExceeded"},
};
// gopacket names code 2 "UnrecognizedNextHeader" too (RFC 4443 says
// "unrecognized IPv6 option"); we match gopacket, not the RFC.
constexpr CodeName v6_param_problem[] = {
	{0, "ErroneousHeaderField"}, {1, "UnrecognizedNextHeader"},
	{2, "UnrecognizedNextHeader"},
};

constexpr std::span<const CodeName> v6_codes(uint8_t type)
{
	switch (type) {
	case ICMPT_V6_DEST_UNREACH: return v6_unreach;
	case ICMPT_V6_TIME_EXCEEDED: return v6_time_exceeded;
	case ICMPT_V6_PARAM_PROBLEM: return v6_param_problem;
	}
	return {};
}

// gopacket's code table of a type; none is gopacket's nil map.
constexpr std::span<const CodeName> codes_of(uint8_t family, uint8_t type)
{
	return family == 6 ? v6_codes(type) : v4_codes(type);
}

// The types gopacket names, from the one table in linux/icmptrace_icmp.h.
#define ICMPT_GOPACKET_(fam, num, id, name, gopacket) \
	{fam, num, gopacket, codes_of(fam, num), !codes_of(fam, num).empty()},
const TypeInfo types[] = {ICMPT_ICMP_TYPES(ICMPT_GOPACKET_)};
#undef ICMPT_GOPACKET_

void append_format(std::string &out, uint8_t family, uint8_t type, uint8_t code)
{
	const TypeInfo *info = nullptr;
	for (const TypeInfo &t : types)
		if (t.family == family && t.type == type && t.name)
			info = &t;
	if (!info) {
		append_uint(out, type);
		out += '(';
		append_uint(out, code);
		out += ')';
		return;
	}
	out += info->name;
	if (!info->has_code_table && code == 0)
		return;
	if (info->has_code_table) {
		for (const CodeName &c : info->codes) {
			if (c.code == code) {
				out += '(';
				out += c.name;
				out += ')';
				return;
			}
		}
	}
	out += "(Code: ";
	append_uint(out, code);
	out += ')';
}

std::string format(uint8_t family, uint8_t type, uint8_t code)
{
	std::string s;
	append_format(s, family, type, code);
	return s;
}

} // namespace

std::string icmpv4_type_code(uint8_t type, uint8_t code)
{
	return format(4, type, code);
}

std::string icmpv6_type_code(uint8_t type, uint8_t code)
{
	return format(6, type, code);
}

std::string icmp_type_code(uint8_t family, uint8_t type, uint8_t code)
{
	std::string s;
	append_icmp_type_code(s, family, type, code);
	return s;
}

void append_icmp_type_code(std::string &out, uint8_t family, uint8_t type, uint8_t code)
{
	append_format(out, family == 6 ? 6 : 4, type, code);
}

} // namespace icmptrace
