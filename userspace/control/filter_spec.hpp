// In-kernel filter of a run: what the command line asks for, resolved into
// the values the kernel compares (see "Filters" in linux/icmptrace.h).
// Parsing here is pure; control/filter_resolve.hpp looks up users, paths and
// container ids on this host.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace icmptrace {

// A bad filter value: the message says which and why (exit code 2).
struct FilterError : std::invalid_argument {
	using std::invalid_argument::invalid_argument;
};

struct IcmpMatch {
	uint8_t family = 4;		// 4 or 6
	uint8_t type = 0;
	std::optional<uint8_t> code;	// none: any code
	bool operator==(const IcmpMatch &) const = default;
};

struct FilterSpec {
	uint8_t families = 0;		// ICMPT_F_V4 | ICMPT_F_V6, 0: any
	uint8_t dirs = 0;		// ICMPT_F_IN | ICMPT_F_OUT, 0: any
	std::vector<IcmpMatch> icmp;
	std::vector<uint32_t> pids;
	std::vector<std::string> comms;
	std::vector<uint32_t> uids;
	std::vector<uint64_t> cgroups;
	std::vector<uint32_t> netns;
	std::optional<uint32_t> tree;	// -- COMMAND: its host tgid, the tree's root

	bool empty() const
	{
		return !families && !dirs && icmp.empty() && pids.empty() &&
		       comms.empty() && uids.empty() && cgroups.empty() && netns.empty() &&
		       !tree;
	}
	bool operator==(const FilterSpec &) const = default;
};

// The filter flags as given, before -4/-6 settle what a type name means and
// before paths and container ids are looked up.
struct FilterArgs {
	uint8_t families = 0;
	uint8_t dirs = 0;
	std::vector<std::string> types;		// --type lists, unsplit
	std::vector<uint32_t> pids;
	std::vector<std::string> comms;
	std::vector<uint32_t> uids;
	std::vector<std::string> containers;
	std::vector<std::string> netns;		// path or inode number
	bool empty() const
	{
		return !families && !dirs && types.empty() && pids.empty() && comms.empty() &&
		       uids.empty() && containers.empty() && netns.empty();
	}
};

// "echo-request,dest-unreach/3,v4:13,..." for the families of -4/-6
// (families 0: both).  Items: [v4:|v6:]NAME-or-NUMBER[/CODE].  A name
// applies to each selected family that has it; a bare number needs exactly
// one family.
std::vector<IcmpMatch> parse_icmp_types(const std::string &list, uint8_t families);
// Decimal 0..2^32-2 (what=for the message).
uint32_t parse_u32(const std::string &s, const char *what);
// A process name as the kernel keeps it: 1..15 bytes.
std::string parse_comm(const std::string &s);
// Names of types for --type and for showing a filter.
std::optional<uint8_t> icmp_type_by_name(uint8_t family, const std::string &name);
std::string icmp_type_name(uint8_t family, uint8_t type);	// number if none
// A filter as command-line flags (for status).
std::string describe_filter(const FilterSpec &f);

} // namespace icmptrace
