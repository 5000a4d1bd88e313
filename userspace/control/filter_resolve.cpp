#include "control/filter_resolve.hpp"

#include <fcntl.h>
#include <linux/icmptrace.h>
#include <linux/nsfs.h>
#include <pwd.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "util/unique_fd.hpp"

namespace icmptrace {
namespace {

bool is_number(const std::string &s)
{
	return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

} // namespace

uint32_t parse_uid(const std::string &s)
{
	if (is_number(s))
		return parse_u32(s, "uid");
	if (const passwd *pw = ::getpwnam(s.c_str()))
		return pw->pw_uid;
	throw FilterError("invalid uid '" + s + "': not a number nor a known user");
}

uint32_t resolve_netns(const std::string &s)
{
	auto invalid = [&s](const std::string &why) {
		return FilterError("invalid netns '" + s + "': " + why +
				   " (give /run/netns/NAME, /proc/PID/ns/net or an inode number)");
	};
	if (is_number(s)) {
		const uint32_t ino = parse_u32(s, "network namespace inode");
		if (ino == 0)
			throw invalid("no namespace has inode 0");
		return ino;
	}
	if (s.empty())
		throw invalid("empty");
	// Any file has an inode: only nsfs can say it is a network namespace
	// (ENOTTY for a plain file, another type for mnt, uts...).  Namespace
	// files are regular; nothing else is opened (a FIFO would block, a
	// device could act on open).
	struct stat st;
	if (::stat(s.c_str(), &st) != 0)
		throw invalid(std::strerror(errno));
	if (!S_ISREG(st.st_mode))
		throw invalid("not a network namespace");
	const UniqueFd fd(::open(s.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
	if (!fd.valid() || ::fstat(fd.get(), &st) != 0)
		throw invalid(std::strerror(errno));
	if (::ioctl(fd.get(), NS_GET_NSTYPE) != CLONE_NEWNET)
		throw invalid("not a network namespace");
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
		const std::string name = it->path().filename().string();
		// "libpod-conmon-<id>.scope", "crio-conmon-<id>.scope": the
		// container's monitor, not the container (as the reader derives
		// containerId, context/container_id.cpp).
		if (name.find(id) == std::string::npos || name.find("conmon-") != std::string::npos)
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

} // namespace icmptrace
