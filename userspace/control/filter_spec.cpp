#include "control/filter_spec.hpp"

#include <linux/icmptrace.h>
#include <pwd.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <span>
#include <string_view>

namespace icmptrace {
namespace {

struct TypeName {
	uint8_t type;
	const char *name;
};

constexpr TypeName v4_names[] = {
	{0, "echo-reply"}, {3, "dest-unreach"}, {4, "source-quench"}, {5, "redirect"},
	{8, "echo-request"}, {9, "router-advert"}, {10, "router-solicit"},
	{11, "time-exceeded"}, {12, "param-problem"}, {13, "timestamp-request"},
	{14, "timestamp-reply"}, {15, "info-request"}, {16, "info-reply"},
	{17, "mask-request"}, {18, "mask-reply"}, {42, "ext-echo-request"},
	{43, "ext-echo-reply"},
};

constexpr TypeName v6_names[] = {
	{1, "dest-unreach"}, {2, "packet-too-big"}, {3, "time-exceeded"},
	{4, "param-problem"}, {128, "echo-request"}, {129, "echo-reply"},
	{130, "mld-query"}, {131, "mld-report"}, {132, "mld-done"},
	{133, "router-solicit"}, {134, "router-advert"}, {135, "neighbor-solicit"},
	{136, "neighbor-advert"}, {137, "redirect"}, {143, "mld2-report"},
	{160, "ext-echo-request"}, {161, "ext-echo-reply"},
};

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
	for (const TypeName &t : family == 6 ? std::span<const TypeName>(v6_names)
					     : std::span<const TypeName>(v4_names))
		if (name == t.name)
			return t.type;
	return std::nullopt;
}

std::string icmp_type_name(uint8_t family, uint8_t type)
{
	for (const TypeName &t : family == 6 ? std::span<const TypeName>(v6_names)
					     : std::span<const TypeName>(v4_names))
		if (t.type == type)
			return t.name;
	return std::to_string(type);
}

std::vector<IcmpMatch> parse_icmp_types(const std::string &list, uint8_t families)
{
	std::vector<IcmpMatch> out;
	for (const std::string &item : split(list, ','))
		parse_one_type(item, families, out);
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

uint32_t parse_uid(const std::string &s)
{
	if (all_digits(s))
		return parse_u32(s, "uid");
	if (const passwd *pw = ::getpwnam(s.c_str()))
		return pw->pw_uid;
	throw FilterError("invalid uid '" + s + "': not a number nor a known user");
}

uint32_t resolve_netns(const std::string &s)
{
	if (all_digits(s))
		return parse_u32(s, "network namespace inode");
	struct stat st;
	if (s.empty() || ::stat(s.c_str(), &st) != 0)
		throw FilterError("invalid netns '" + s + "': " +
				  (s.empty() ? std::string("empty") : std::strerror(errno)) +
				  " (give /run/netns/NAME, /proc/PID/ns/net or an inode number)");
	return static_cast<uint32_t>(st.st_ino);
}

uint64_t resolve_container(const std::string &id, const std::string &root)
{
	namespace fs = std::filesystem;
	if (id.size() < 3 || id.find_first_not_of("0123456789abcdefABCDEF_.-"
						  "ghijklmnopqrstuvwxyzGHIJKLMNOPQRSTUVWXYZ") !=
				     std::string::npos)
		throw FilterError("invalid container id '" + id +
				  "': expected 3 or more letters, digits, '-', '_' or '.'");
	std::optional<uint64_t> best;
	int best_depth = 0;
	bool ambiguous = false;
	std::error_code ec;
	fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec),
		end;
	if (ec)
		throw FilterError("cannot read the cgroup hierarchy " + root + ": " + ec.message());
	for (; it != end; it.increment(ec)) {
		if (ec)
			break;
		if (best && it.depth() > best_depth) {
			it.disable_recursion_pending();
			continue;
		}
		if (!it->is_directory(ec) || it->is_symlink(ec))
			continue;
		if (it->path().filename().string().find(id) == std::string::npos)
			continue;
		struct stat st;
		if (::stat(it->path().c_str(), &st) != 0)
			continue;
		if (!best || it.depth() < best_depth) {
			best = st.st_ino;
			best_depth = it.depth();
			ambiguous = false;
		} else if (it.depth() == best_depth && *best != st.st_ino) {
			ambiguous = true;
		}
	}
	if (!best)
		throw FilterError("no cgroup under " + root + " is named after container '" +
				  id + "'");
	if (ambiguous)
		throw FilterError("container id '" + id + "' matches several cgroups under " +
				  root + ": give more of it");
	return *best;
}

FilterSpec resolve_filter(const FilterArgs &a, const std::string &cgroup_root)
{
	FilterSpec f;
	f.families = a.families;
	f.dirs = a.dirs;
	for (const std::string &t : a.types)
		for (const IcmpMatch &m : parse_icmp_types(t, a.families))
			f.icmp.push_back(m);
	f.pids = a.pids;
	f.comms = a.comms;
	f.uids = a.uids;
	for (const std::string &c : a.containers)
		f.cgroups.push_back(resolve_container(c, cgroup_root));
	for (const std::string &n : a.netns)
		f.netns.push_back(resolve_netns(n));
	auto check = [](size_t n, const char *what) {
		if (n > ICMPT_FILTER_MAX)
			throw FilterError(std::string("too many ") + what + " values (at most " +
					  std::to_string(ICMPT_FILTER_MAX) + ")");
	};
	check(f.icmp.size(), "--type");
	check(f.pids.size(), "--pid");
	check(f.comms.size(), "--comm");
	check(f.uids.size(), "--uid");
	check(f.cgroups.size(), "--container");
	check(f.netns.size(), "--netns");
	return f;
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
	return s.empty() ? "(matches everything)" : s;
}

} // namespace icmptrace
