// hostName of a task: the hostname of its UTS namespace.  Our own namespace
// answers with gethostname(); another one is read by a short-lived thread
// that joins it (setns(CLONE_NEWUTS) changes only the calling thread).  The
// namespace fd is kept in a small LRU: it keeps the namespace, and so its
// inode number, alive while cached, so a later record of a task that has
// exited still gets the name, and a reused inode number cannot mislead us.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "util/lru_cache.hpp"
#include "context/proc_task.hpp"
#include "util/unique_fd.hpp"

namespace icmptrace {

// The hostname as seen inside the UTS namespace nsfd refers to ("" on error).
std::string hostname_in_uts_ns(int nsfd);

class UtsNames {
public:
	using Clock = std::chrono::steady_clock;
	static constexpr size_t kCapacity = 64;
	// sethostname() inside a container shows up after at most this long.
	static constexpr std::chrono::seconds kRefresh{1};

	UtsNames();
	uint64_t own_ns() const { return own_ns_; }
	// Name for a record's uts_ns; task may be null when the owner is gone
	// (then only a cached namespace can answer).  "" when unknown.  now:
	// the caller's clock reading (one per batch), for the refresh.  The
	// reference stays valid until the next call.
	const std::string &name(uint64_t uts_ns, const ProcTask *task, Clock::time_point now);
	const std::string &name(uint64_t uts_ns, const ProcTask *task)
	{
		return name(uts_ns, task, Clock::now());
	}

private:
	struct Entry {
		UniqueFd fd;
		std::string name;
		Clock::time_point read_at;
	};
	uint64_t own_ns_ = 0;
	std::string own_name_;
	const std::string none_;
	Clock::time_point own_read_at_{};
	LruCache<uint64_t, Entry> cache_{kCapacity};
};

} // namespace icmptrace
