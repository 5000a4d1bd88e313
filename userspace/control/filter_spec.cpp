#include "control/filter_spec.hpp"

#include <linux/icmptrace.h>
#include <linux/icmptrace_icmp.h>

#include <cstdlib>
#include <string_view>

namespace icmptrace {
namespace {

struct TypeName {
	uint8_t family;
	uint8_t type;
	const char *name;
};

// --type names, from the one table in linux/icmptrace_icmp.h.
#define ICMPT_FILTER_NAME_(fam, num, id, name, gopacket) {fam, num, name},
constexpr TypeName type_names[] = {ICMPT_ICMP_TYPES(ICMPT_FILTER_NAME_)};
#undef ICMPT_FILTER_NAME_

bool all_digits(std::string_view s)
{
	return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

std::optional<uint8_t> parse_u8(std::string_view s)
{
	if (!all_digits(s) || s.size() > 3)
		return std::nullopt;
	unsigned v = std::stoul(std::string(s));
	if (v > 255)
		return std::nullopt;
	return static_cast<uint8_t>(v);
}

uint8_t family_bit(uint8_t family) { return family == 6 ? ICMPT_F_V6 : ICMPT_F_V4; }

std::vector<std::string> split(const std::string &s, char sep)
{
	std::vector<std::string> out;
	size_t start = 0;
	for (;;) {
		size_t end = s.find(sep, start);
		out.push_back(s.substr(start, end - start));
		if (end == std::string::npos)
			return out;
		start = end + 1;
	}
}

void parse_one_type(const std::string &item, uint8_t families, std::vector<IcmpMatch> &out)
{
	std::string_view v = item;
	uint8_t fams = families ? families : (ICMPT_F_V4 | ICMPT_F_V6);
	if (v.starts_with("v4:") || v.starts_with("v6:")) {
		uint8_t bit = v[1] == '4' ? ICMPT_F_V4 : ICMPT_F_V6;
		if (families && !(families & bit))
			throw FilterError("type '" + item + "' is for IPv" + v[1] +
					  " but only IPv" + (bit == ICMPT_F_V4 ? "6" : "4") +
					  " is selected");
		fams = bit;
		v.remove_prefix(3);
	}
	std::optional<uint8_t> code;
	if (size_t slash = v.find('/'); slash != std::string_view::npos) {
		code = parse_u8(v.substr(slash + 1));
		if (!code)
			throw FilterError("invalid code in type '" + item +
					  "': expected a number 0..255 after '/'");
		v = v.substr(0, slash);
	}
	if (v.empty())
		throw FilterError("empty ICMP type in '" + item + "'");
	if (all_digits(v)) {
		auto t = parse_u8(v);
		if (!t)
			throw FilterError("invalid ICMP type '" + item + "': expected 0..255");
		if (fams == (ICMPT_F_V4 | ICMPT_F_V6))
			throw FilterError("numeric type '" + item + "' means different things "
					  "in ICMP and ICMPv6: add -4 or -6, or write v4:" +
					  std::string(v) + " or v6:" + std::string(v));
		out.push_back({static_cast<uint8_t>(fams == ICMPT_F_V6 ? 6 : 4), *t, code});
		return;
	}
	bool found = false;
	for (uint8_t family : {4, 6}) {
		if (!(fams & family_bit(family)))
			continue;
		if (auto t = icmp_type_by_name(family, std::string(v))) {
			out.push_back({family, *t, code});
			found = true;
		}
	}
	if (!found)
		throw FilterError("unknown ICMP type '" + std::string(v) + "'" +
				  (fams == ICMPT_F_V4   ? " for IPv4"
				   : fams == ICMPT_F_V6 ? " for IPv6"
							: "") +
				  " (names: echo-request, echo-reply, dest-unreach, "
				  "time-exceeded, packet-too-big, ... or a number)");
}

} // namespace

std::optional<uint8_t> icmp_type_by_name(uint8_t family, const std::string &name)
{
	for (const TypeName &t : type_names)
		if (t.family == (family == 6 ? 6 : 4) && name == t.name)
			return t.type;
	return std::nullopt;
}

std::string icmp_type_name(uint8_t family, uint8_t type)
{
	for (const TypeName &t : type_names)
		if (t.family == (family == 6 ? 6 : 4) && t.type == type)
			return t.name;
	return std::to_string(type);
}

std::vector<IcmpMatch> parse_icmp_types(const std::string &list, uint8_t families)
{
	std::vector<IcmpMatch> out;
	for (const std::string &item : split(list, ',')) {
		// An empty item ("a,,b", a trailing comma): the list says where.
		if (item.empty())
			throw FilterError("empty ICMP type in the list '" + list + "'");
		parse_one_type(item, families, out);
	}
	return out;
}

uint32_t parse_u32(const std::string &s, const char *what)
{
	if (!all_digits(s) || s.size() > 10)
		throw FilterError(std::string("invalid ") + what + " '" + s +
				  "': expected a non-negative integer");
	unsigned long long v = std::strtoull(s.c_str(), nullptr, 10);
	if (v >= 0xffffffffULL)
		throw FilterError(std::string("invalid ") + what + " '" + s + "': too large");
	return static_cast<uint32_t>(v);
}

std::string parse_comm(const std::string &s)
{
	if (s.empty() || s.size() > 15)
		throw FilterError("invalid comm '" + s + "': the kernel keeps 1 to 15 bytes "
				  "of a process name; give them exactly");
	return s;
}

std::string describe_filter(const FilterSpec &f)
{
	std::string s;
	auto add = [&s](const std::string &part) {
		if (!s.empty())
			s += ' ';
		s += part;
	};
	if (f.families == ICMPT_F_V4)
		add("-4");
	else if (f.families == ICMPT_F_V6)
		add("-6");
	if (f.dirs == ICMPT_F_IN)
		add("--in");
	else if (f.dirs == ICMPT_F_OUT)
		add("--out");
	if (!f.icmp.empty()) {
		std::string t;
		for (const IcmpMatch &m : f.icmp) {
			if (!t.empty())
				t += ',';
			t += (m.family == 6 ? "v6:" : "v4:") + icmp_type_name(m.family, m.type);
			if (m.code)
				t += '/' + std::to_string(*m.code);
		}
		add("--type " + t);
	}
	for (uint32_t v : f.pids)
		add("--pid " + std::to_string(v));
	for (const std::string &v : f.comms)
		add("--comm " + v);
	for (uint32_t v : f.uids)
		add("--uid " + std::to_string(v));
	for (uint64_t v : f.cgroups)
		add("cgroup=" + std::to_string(v));
	for (uint32_t v : f.netns)
		add("--netns " + std::to_string(v));
	if (f.tree)
		add("-- COMMAND (pid " + std::to_string(*f.tree) + " and what it starts)");
	return s.empty() ? "(matches everything)" : s;
}

} // namespace icmptrace
