// tracee's thread/process/parent entity ids: a 32-bit MurmurHash3 (x86_32,
// seed 0x18273645) over the host id (u32) and the task's start time (u64),
// both big-endian, with the start time rounded down to 10 ms (one clock tick
// at USER_HZ 100, so a start time read from /proc hashes the same).  The
// start time is the kernel's, counted from boot, not the epoch value tracee
// prints as threadStartTime (tracee 2023, the version of the seed line; later
// versions hash the epoch value rounded to 100 ms instead).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include <linux/icmptrace.h>

namespace icmptrace {

uint32_t murmur3_32(const void *data, size_t len, uint32_t seed);

// HashTaskID of tracee: id is a host tid or tgid, start_ns since boot.
uint32_t task_entity_id(uint32_t id, uint64_t start_ns);

struct EntityIds {
	uint32_t thread = 0;	// threadEntityId: (tid, thread start)
	uint32_t process = 0;	// processEntityId: (pid, leader start)
	uint32_t parent = 0;	// parentEntityId: (ppid, parent leader start)
};

// The record holds the thread's start only.  A thread that leads its process
// (tid == pid) gives the process id too; otherwise the leader's and the
// parent's start times come from elsewhere (/proc), and an id whose start time
// is unknown stays 0.
EntityIds entity_ids(const icmpt_task &t, std::optional<uint64_t> leader_start_ns,
		     std::optional<uint64_t> parent_start_ns);

} // namespace icmptrace
