// The part of a filter that asks this host: user names, network namespace
// files and container cgroups become the numbers the kernel compares.
// Pure parsing is in control/filter_spec.hpp.
#pragma once

#include <cstdint>
#include <string>

#include "control/filter_spec.hpp"

namespace icmptrace {

// A user name or a number.
uint32_t parse_uid(const std::string &s);
// An inode number (not 0), or a path to a network namespace file
// (/run/netns/x, /proc/PID/ns/net) whose inode is taken; any other file is
// refused.
uint32_t resolve_netns(const std::string &s);
// The cgroup v2 id (inode of its directory) of the one directory under root
// whose name contains id (docker-ID.scope, libpod-ID.scope, ID, ...).  The
// shallowest wins; a different inode at the same depth is ambiguous.
uint64_t resolve_container(const std::string &id,
			   const std::string &root = "/sys/fs/cgroup");
// All of the above.
FilterSpec resolve_filter(const FilterArgs &a, const std::string &cgroup_root =
							"/sys/fs/cgroup");

} // namespace icmptrace
