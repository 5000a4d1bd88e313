#include "format/icmp_type_code.hpp"

#include <span>

#include "util/append.hpp"

namespace icmptrace {
namespace {

struct CodeName {
	uint8_t code;
	const char *name;
};

struct TypeInfo {
	uint8_t type;
	const char *name;
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

const TypeInfo v4_types[] = {
	{0, "EchoReply", {}, false},
	{3, "DestinationUnreachable", v4_unreach, true},
	{4, "SourceQuench", {}, false},
	{5, "Redirect", v4_redirect, true},
	{8, "EchoRequest", {}, false},
	{9, "RouterAdvertisement", {}, false},
	{10, "RouterSolicitation", {}, false},
	{11, "TimeExceeded", v4_time_exceeded, true},
	{12, "ParameterProblem", v4_param_problem, true},
	{13, "TimestampRequest", {}, false},
	{14, "TimestampReply", {}, false},
	{15, "InfoRequest", {}, false},
	{16, "InfoReply", {}, false},
	{17, "AddressMaskRequest", {}, false},
	{18, "AddressMaskReply", {}, false},
};

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

const TypeInfo v6_types[] = {
	{1, "DestinationUnreachable", v6_unreach, true},
	{2, "PacketTooBig", {}, false},
	{3, "TimeExceeded", v6_time_exceeded, true},
	{4, "ParameterProblem", v6_param_problem, true},
	{128, "EchoRequest", {}, false},
	{129, "EchoReply", {}, false},
	{133, "RouterSolicitation", {}, false},
	{134, "RouterAdvertisement", {}, false},
	{135, "NeighborSolicitation", {}, false},
	{136, "NeighborAdvertisement", {}, false},
	{137, "Redirect", {}, false},
};

void append_format(std::string &out, std::span<const TypeInfo> table, uint8_t type,
		   uint8_t code)
{
	const TypeInfo *info = nullptr;
	for (const TypeInfo &t : table)
		if (t.type == type)
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

std::string format(std::span<const TypeInfo> table, uint8_t type, uint8_t code)
{
	std::string s;
	append_format(s, table, type, code);
	return s;
}

} // namespace

std::string icmpv4_type_code(uint8_t type, uint8_t code)
{
	return format(v4_types, type, code);
}

std::string icmpv6_type_code(uint8_t type, uint8_t code)
{
	return format(v6_types, type, code);
}

std::string icmp_type_code(uint8_t family, uint8_t type, uint8_t code)
{
	std::string s;
	append_icmp_type_code(s, family, type, code);
	return s;
}

void append_icmp_type_code(std::string &out, uint8_t family, uint8_t type, uint8_t code)
{
	append_format(out, family == 6 ? std::span<const TypeInfo>(v6_types)
				       : std::span<const TypeInfo>(v4_types),
		      type, code);
}

} // namespace icmptrace
