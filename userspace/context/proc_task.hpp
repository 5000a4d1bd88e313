// A live task in /proc, checked to be the one a record names: same tid and
// the same start time (records give CLOCK_BOOTTIME ns, /proc/.../stat gives
// clock ticks since boot).  Everything else is read relative to the task's
// /proc directory fd, which keeps pointing at that task: once it exits, reads
// fail instead of reaching a new task that reused the id.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/unique_fd.hpp"

namespace icmptrace {

struct ProcStat {
	uint32_t ppid = 0;
	uint64_t start_ticks = 0;	// field 22, clock ticks since boot
};

// Parses a /proc/<pid>/stat line; comm (field 2) may hold spaces and ')'.
std::optional<ProcStat> parse_proc_stat(std::string_view line);

// True when a tick count from /proc and a start time in ns are the same
// moment, to one tick (the ns value is truncated to ticks by the kernel).
bool start_matches(uint64_t start_ticks, uint64_t start_ns, long ticks_per_sec);

uint64_t ticks_to_ns(uint64_t ticks, long ticks_per_sec);

class ProcTask {
public:
	// /proc/<pid>/task/<tid>, if that thread lives and started at start_ns.
	static std::optional<ProcTask> open(uint32_t pid, uint32_t tid, uint64_t start_ns,
					    const std::string &proc_root = "/proc");
	// Inode of ns/<name> ("mnt", "uts"...), 0 if unreadable.
	uint64_t ns_inode(const char *name) const;
	// An fd on ns/<name>, -1 inside if unreadable.
	UniqueFd open_ns(const char *name) const;
	int dir_fd() const { return dir_.get(); }

private:
	explicit ProcTask(UniqueFd dir) : dir_(std::move(dir)) {}
	UniqueFd dir_;
};

// The stat of /proc/<pid> (a process leader), if it exists.
std::optional<ProcStat> read_proc_stat(uint32_t pid, const std::string &proc_root = "/proc");

long clock_ticks_per_sec();

} // namespace icmptrace
