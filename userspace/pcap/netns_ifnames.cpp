#include "pcap/netns_ifnames.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/stat.h>

#include <cctype>
#include <memory>
#include <thread>
#include <utility>

namespace icmptrace {
namespace {

uint32_t inode_of(const std::string &path)
{
	struct stat st;
	return ::stat(path.c_str(), &st) == 0 ? static_cast<uint32_t>(st.st_ino) : 0;
}

bool all_digits(const char *s)
{
	for (; *s; ++s)
		if (!std::isdigit(static_cast<unsigned char>(*s)))
			return false;
	return true;
}

} // namespace

std::string ifname_placeholder(uint32_t netns, uint32_t ifindex)
{
	return "ifindex " + std::to_string(ifindex) + " (netns " + std::to_string(netns) + ")";
}

std::vector<std::pair<uint32_t, std::string>> ifnames_in_netns(int nsfd)
{
	std::vector<std::pair<uint32_t, std::string>> out;
	// The thread dies in the namespace: the reader itself never leaves its own.
	std::thread t([&] {
		if (::setns(nsfd, CLONE_NEWNET) != 0)
			return;
		struct Freer {
			void operator()(struct if_nameindex *p) const { ::if_freenameindex(p); }
		};
		std::unique_ptr<struct if_nameindex, Freer> all(::if_nameindex());
		for (const struct if_nameindex *i = all.get(); i && i->if_index; ++i)
			out.emplace_back(i->if_index, i->if_name);
	});
	t.join();
	return out;
}

NetnsIfnames::NetnsIfnames(std::string proc, std::string run_netns)
	: proc_(std::move(proc)), run_netns_(std::move(run_netns)),
	  own_(inode_of(proc_ + "/self/ns/net"))
{
}

// An fd on path if it is the namespace netns (checked on the fd: the path
// may change under us); invalid otherwise.
UniqueFd NetnsIfnames::try_path(const std::string &path, uint32_t netns)
{
	if (inode_of(path) != netns)
		return UniqueFd();
	UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
	struct stat st;
	if (!fd.valid() || ::fstat(fd.get(), &st) != 0 || st.st_ino != netns)
		return UniqueFd();
	places_.put(netns, path);
	return fd;
}

UniqueFd NetnsIfnames::open_netns(uint32_t netns, uint32_t hint_pid)
{
	UniqueFd fd;
	if (hint_pid && (fd = try_path(proc_ + "/" + std::to_string(hint_pid) + "/ns/net", netns)).valid())
		return fd;
	if (const std::string *place = places_.find(netns))
		if ((fd = try_path(*place, netns)).valid())
			return fd;
	// ip netns's names first (few), then every process (one stat each).
	for (const auto &[dir, pids_only] : {std::pair{run_netns_, false}, std::pair{proc_, true}}) {
		UniqueDir d(::opendir(dir.c_str()));
		if (!d)
			continue;
		++scans_;
		while (const dirent *e = ::readdir(d.get())) {
			if (e->d_name[0] == '.' || (pids_only && !all_digits(e->d_name)))
				continue;
			const std::string path = dir + "/" + e->d_name + (pids_only ? "/ns/net" : "");
			const uint32_t ino = inode_of(path);
			if (ino == netns && (fd = try_path(path, netns)).valid())
				return fd;
			// Every other namespace passed on the way is remembered: on
			// a host of many processes one scan then serves them all
			// (an unowned packet's namespace has no hint).
			if (ino && ino != own_ && !places_.find(ino))
				places_.put(ino, path);
		}
	}
	return fd;
}

const std::string &NetnsIfnames::name(uint32_t netns, uint32_t ifindex, uint32_t hint_pid)
{
	const uint64_t key = static_cast<uint64_t>(netns) << 32 | ifindex;
	if (const std::string *n = names_.find(key))
		return *n;
	std::string n;
	if (ifindex && netns == own_) {
		char buf[IF_NAMESIZE] = "";
		if (::if_indextoname(ifindex, buf))
			n = buf;
	} else if (ifindex && netns) {
		// All the namespace's names at once: its other interfaces then
		// cost no second visit (a thread, setns and a socket).
		UniqueFd fd = open_netns(netns, hint_pid);
		if (fd.valid())
			for (auto &[i, name] : ifnames_in_netns(fd.get())) {
				if (i == ifindex)
					n = name;
				else if (!names_.find(static_cast<uint64_t>(netns) << 32 | i))
					names_.put(static_cast<uint64_t>(netns) << 32 | i,
						   std::move(name));
			}
	}
	if (n.empty())
		n = ifname_placeholder(netns, ifindex);
	return names_.put(key, std::move(n));
}

} // namespace icmptrace
