// The if_name of a packet's interface for its Interface Description Block.
// An ifindex means something only inside its network namespace, so the name
// is asked there: a short-lived thread joins the namespace (setns changes
// only the calling thread) and asks if_nameindex(), whose socket then
// belongs to that namespace.  The namespace is found by its inode number (the
// record's pkt_netns) at, in order: the owner's /proc/PID/ns/net, where it
// was found before, /run/netns/* (ip netns), then every /proc/PID/ns/net.
// No namespace fd is kept: holding one would keep a dead container's
// namespace, and its interfaces, alive for as long as the capture runs.
// Names are cached per (netns, ifindex), all of a namespace's at its first
// visit, and a scan of /proc remembers where each namespace it passes is:
// the lookup stalls the capture loop, so a namespace is joined once, and
// /proc is scanned again only for one that was not there before.  What
// cannot be found gets ifname_placeholder().
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "util/lru_cache.hpp"
#include "util/unique_fd.hpp"

namespace icmptrace {

// "ifindex N (netns M)": the interface of a namespace that is gone or that
// no process and no /run/netns entry holds.
std::string ifname_placeholder(uint32_t netns, uint32_t ifindex);

// Every (ifindex, name) of the network namespace nsfd refers to; none if it
// cannot be joined.
std::vector<std::pair<uint32_t, std::string>> ifnames_in_netns(int nsfd);

class NetnsIfnames {
public:
	static constexpr size_t kNames = 1024, kPlaces = 256;

	// proc, run_netns: the roots searched (tests give others).
	explicit NetnsIfnames(std::string proc = "/proc", std::string run_netns = "/run/netns");
	uint32_t own_netns() const { return own_; }

	// The name of ifindex in netns (an inode number); hint_pid: a process
	// that may live in it (the packet's owner), 0 for none.  Never "".
	const std::string &name(uint32_t netns, uint32_t ifindex, uint32_t hint_pid);
	// Directories read so far (for tests: a scan is the dear part).
	uint64_t scans() const { return scans_; }

private:
	UniqueFd open_netns(uint32_t netns, uint32_t hint_pid);
	UniqueFd try_path(const std::string &path, uint32_t netns);

	std::string proc_, run_netns_;
	uint32_t own_ = 0;
	uint64_t scans_ = 0;
	LruCache<uint64_t, std::string> names_{kNames};		// netns << 32 | ifindex
	LruCache<uint32_t, std::string> places_{kPlaces};	// netns: where it was found
};

} // namespace icmptrace
