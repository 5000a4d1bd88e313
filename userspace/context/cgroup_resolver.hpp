// cgroup v2 id -> cgroup path -> container id, without walking the tree: the
// id is the kernfs node id, and open_by_handle_at() on the cgroup2 mount
// with a FILEID_KERNFS handle holding it opens that directory in O(1).
// Results are cached (LRU), and ids that resolve to nothing are remembered
// for a short while so a burst of records from a gone cgroup costs one try.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "context/container_id.hpp"
#include "util/lru_cache.hpp"
#include "util/unique_fd.hpp"

namespace icmptrace {

// Mount point of the first cgroup2 file system in a mountinfo text (fields:
// id parent maj:min root mountpoint opts... - fstype source superopts),
// octal escapes (\040) decoded; "" if there is none.
std::string find_cgroup2_mount(std::string_view mountinfo);

class CgroupResolver {
public:
	using Clock = std::chrono::steady_clock;
	static constexpr size_t kCapacity = 4096;
	static constexpr std::chrono::seconds kMissTtl{2};

	// The cgroup2 mount of /proc/self/mountinfo; none (cgroup v1 only
	// host, no permission) leaves the resolver answering "" for all.
	CgroupResolver();
	// For tests: a given mount point ("" for none).
	explicit CgroupResolver(const std::string &mount);

	bool usable() const { return mount_fd_.valid(); }
	// Path below the cgroup2 root ("/system.slice/x.scope", "/" for the
	// root), or nullopt if the id does not resolve (gone, unknown, no v2).
	std::optional<std::string> path(uint64_t cgroup_id);
	// The container that cgroup belongs to, "" if none or unknown.
	const ContainerRef &container(uint64_t cgroup_id);

private:
	std::optional<std::string> resolve(uint64_t cgroup_id);

	std::string mount_;
	UniqueFd mount_fd_;
	LruCache<uint64_t, ContainerRef> hits_{kCapacity};
	LruCache<uint64_t, Clock::time_point> misses_{kCapacity};
	const ContainerRef none_{};
};

} // namespace icmptrace
