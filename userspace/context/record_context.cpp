#include "context/record_context.hpp"

#include <atomic>

#include "context/entity_id.hpp"
#include "context/proc_task.hpp"

namespace icmptrace {

std::optional<uint64_t> plausible_start_ns(uint32_t pid, uint64_t thread_start_ns)
{
	std::optional<ProcStat> st = read_proc_stat(pid);
	if (!st)
		return std::nullopt;
	const uint64_t ns = ticks_to_ns(st->start_ticks, clock_ticks_per_sec());
	if (ns > thread_start_ns)
		return std::nullopt;
	return ns;
}

const RecordContext::TaskFacts &RecordContext::facts(const icmpt_task &t, std::string &hostname)
{
	const std::pair<uint32_t, uint64_t> key(t.tid, t.start_time_ns);
	if (const TaskFacts *f = tasks_.find(key)) {
		hostname = uts_.name(t.uts_ns, nullptr, now_);
		return *f;
	}
	TaskFacts f;
	std::optional<ProcTask> task = ProcTask::open(t.pid, t.tid, t.start_time_ns);
	hostname = uts_.name(t.uts_ns, task ? &*task : nullptr, now_);
	if (task) {
		f.alive = true;
		f.mnt_ns = task->ns_inode("mnt");
	}
	if (t.tid != t.pid)
		f.leader_start_ns = plausible_start_ns(t.pid, t.start_time_ns);
	f.parent_start_ns = plausible_start_ns(t.ppid, t.start_time_ns);
	return tasks_.put(key, f);
}

void RecordContext::derive_into(const icmpt_event &ev, FormatContext &c)
{
	static std::atomic<uint64_t> serials{0};
	const icmpt_task &t = ev.task;
	c.serial = serials.fetch_add(1, std::memory_order_relaxed) + 1;
	// No task (unattributed, or built by the kernel in softirq): the packet
	// is this host's, and tracee names the host too.
	c.machine_name = uts_.name(uts_.own_ns(), nullptr, now_);
	if (ev.owner == ICMPT_OWNER_NONE || t.tid == 0) {
		c.hostname = c.machine_name;
		c.container_id.clear();
		c.mnt_ns = 0;
		c.thread_entity_id = c.process_entity_id = c.parent_entity_id = 0;
		return;
	}
	c.container_id = cgroups_.container(t.cgroup_id).id;
	const TaskFacts &f = facts(t, c.hostname);
	c.mnt_ns = t.mnt_ns ? t.mnt_ns : f.mnt_ns;
	EntityIds e = entity_ids(t, f.leader_start_ns, f.parent_start_ns);
	c.thread_entity_id = e.thread;
	c.process_entity_id = e.process;
	c.parent_entity_id = e.parent;
}

FormatContext RecordContext::derive(const icmpt_event &ev)
{
	now_ = UtsNames::Clock::now();
	for (Kept &k : kept_)
		k.valid = false;
	FormatContext c;
	derive_into(ev, c);
	return c;
}

RecordContext::Key RecordContext::Key::of(const icmpt_event &ev)
{
	const icmpt_task &t = ev.task;
	if (ev.owner == ICMPT_OWNER_NONE || t.tid == 0)
		return Key{true, 0, 0, 0, 0, 0, 0, 0};
	return Key{false, t.pid, t.tid, t.ppid, t.start_time_ns, t.uts_ns, t.cgroup_id, t.mnt_ns};
}

void RecordContext::begin_batch()
{
	now_ = UtsNames::Clock::now();
	for (Kept &k : kept_)
		k.valid = false;
}

const FormatContext &RecordContext::find_or_derive(const icmpt_event &ev)
{
	for (unsigned i = 0; i < kKept; ++i) {
		if (kept_[i].valid && kept_[i].key.matches(ev)) {
			kept_[last_].follower = i;
			last_ = i;
			return kept_[i].ctx;
		}
	}
	if (now_ == UtsNames::Clock::time_point{})
		now_ = UtsNames::Clock::now();	// no batch begun
	Kept &k = kept_[oldest_];
	derive_into(ev, k.ctx);
	k.key = Key::of(ev);
	k.valid = true;
	kept_[last_].follower = oldest_;
	last_ = oldest_;
	oldest_ = (oldest_ + 1) % kKept;
	return k.ctx;
}

} // namespace icmptrace
