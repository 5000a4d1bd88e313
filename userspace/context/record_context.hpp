// What a line shows beyond the record, derived on the reader's side:
// container id (from the cgroup id), hostName (UTS namespace), the mount
// namespace (the module cannot read it) and tracee's entity ids.  Anything
// that needs the owning task alive is checked against the record's tid and
// start time first, and stays empty/0 when the task is gone: a reused pid
// must never lend its facts to a record.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <utility>

#include <linux/icmptrace.h>

#include "context/cgroup_resolver.hpp"
#include "context/format_context.hpp"
#include "util/lru_cache.hpp"
#include "context/uts_names.hpp"

namespace icmptrace {

class RecordContext {
public:
	static constexpr size_t kTaskCapacity = 4096;

	RecordContext() = default;
	// A fresh derivation, as a copy.
	FormatContext derive(const icmpt_event &ev);

	// The reader's path: begin_batch() reads the clock once for the batch
	// (UTS name refresh) and forgets the kept contexts, so a name changed
	// since is seen; context_for() answers a record of a task seen lately
	// (tid, start time, namespaces, cgroup) with the very same context, no
	// string copied, and otherwise derives into the oldest kept one in
	// place.  A few are kept, not one: a ping -f traced at both ends
	// alternates ping's records with unowned ones.  The reference is valid
	// until the next context_for().
	void begin_batch();
	const FormatContext &context_for(const icmpt_event &ev)
	{
		const Kept &k = kept_[last_];
		if (k.valid && k.key.matches(ev))
			return k.ctx;
		// The one that came after it last time: a flood's cycle of a
		// few tasks is answered here without the search.
		const unsigned f = k.follower;
		if (kept_[f].valid && kept_[f].key.matches(ev)) {
			last_ = f;
			return kept_[f].ctx;
		}
		return find_or_derive(ev);
	}

private:
	// Facts of one task instance (tid, start): they do not change, so
	// they are looked up once, dead or alive.
	struct TaskFacts {
		bool alive = false;
		uint64_t mnt_ns = 0;
		std::optional<uint64_t> leader_start_ns;
		std::optional<uint64_t> parent_start_ns;
	};
	struct KeyHash {
		size_t operator()(const std::pair<uint32_t, uint64_t> &k) const
		{
			return std::hash<uint64_t>()(k.second * 0x9e3779b97f4a7c15ULL ^ k.first);
		}
	};
	const TaskFacts &facts(const icmpt_task &t, std::string &hostname);
	void derive_into(const icmpt_event &ev, FormatContext &c);

	// What a kept context was derived from: every task field derive_into()
	// reads, or "none" for a record without a task.
	struct Key {
		bool none;
		uint32_t pid, tid, ppid;
		uint64_t start_time_ns, uts_ns, cgroup_id, mnt_ns;

		static Key of(const icmpt_event &ev);
		bool matches(const icmpt_event &ev) const
		{
			const icmpt_task &t = ev.task;
			if (ev.owner == ICMPT_OWNER_NONE || t.tid == 0)
				return none;
			return !none && t.tid == tid && t.start_time_ns == start_time_ns &&
			       t.pid == pid && t.ppid == ppid && t.uts_ns == uts_ns &&
			       t.cgroup_id == cgroup_id && t.mnt_ns == mnt_ns;
		}
	};
	struct Kept {
		bool valid = false;
		unsigned follower = 0;	// the kept one asked for after it, last time
		Key key{};
		FormatContext ctx;
	};
	static constexpr unsigned kKept = 4;
	const FormatContext &find_or_derive(const icmpt_event &ev);

	UtsNames::Clock::time_point now_{};
	std::array<Kept, kKept> kept_{};
	unsigned last_ = 0;	// the one that answered last
	unsigned oldest_ = 0;	// the next to be replaced

	CgroupResolver cgroups_;
	UtsNames uts_;
	LruCache<std::pair<uint32_t, uint64_t>, TaskFacts, KeyHash> tasks_{kTaskCapacity};
};

// The start of a process that, by its start time, can be the one the record
// names: a leader or parent starts no later than the thread itself, while a
// process that reused the id started after that id's first owner was gone.
std::optional<uint64_t> plausible_start_ns(uint32_t pid, uint64_t thread_start_ns);

} // namespace icmptrace
