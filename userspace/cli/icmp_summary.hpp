// --summary: what a trace saw, at its end, like strace -c: packets by
// process and by ICMP type/code/direction, echo round-trip times per process
// and destination from the kernel's own timestamps, errors received per
// destination.  Fed record by record with what the formats get.
#pragma once

#include <linux/icmptrace.h>

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <tuple>

#include "context/format_context.hpp"

namespace icmptrace {

class IcmpSummary {
public:
	void add(const icmpt_event &ev, const FormatContext &ctx);

	// Tables for a terminal; every line ends in '\n'.
	std::string text() const;
	// One JSON object and '\n'.
	std::string json() const;

	// The owner a row is counted under.  pid 0: no task (comm says why).
	struct Process {
		bool task = false;	// comm is a task's (raw bytes), not "(kernel)"
		uint32_t pid = 0;
		std::string comm;
		std::string container;	// short id, "" if none
		auto tie() const { return std::tie(task, pid, comm, container); }
		bool operator<(const Process &o) const { return tie() < o.tie(); }
	};
	struct Rtt {
		uint64_t n = 0;
		uint64_t min_ns = 0, max_ns = 0;
		double sum_ns = 0, sum_sq_ns = 0;
		double avg_ms() const;
		double mdev_ms() const;	// as ping: sqrt(mean(x^2) - mean(x)^2)
	};
	struct Dest {
		uint8_t family = 0;
		std::string addr;
		auto tie() const { return std::tie(family, addr); }
		bool operator<(const Dest &o) const { return tie() < o.tie(); }
	};
	// (family, type, code, direction)
	using TypeKey = std::tuple<uint8_t, uint8_t, uint8_t, uint8_t>;
	// Packets with no type read: (family, non-first fragment, direction).
	using NoTypeKey = std::tuple<uint8_t, bool, uint8_t>;
	// (destination, type, code)
	using ErrorKey = std::tuple<Dest, uint8_t, uint8_t>;

	struct Counts {
		uint64_t out = 0, in = 0;
		uint64_t unknown = 0;	// no direction (-r of other tools' pcaps)
		uint64_t total() const { return out + in + unknown; }
	};

	uint64_t packets() const { return packets_; }
	const std::map<Process, Counts> &by_process() const { return by_process_; }
	const std::map<TypeKey, uint64_t> &by_type() const { return by_type_; }
	const std::map<std::pair<Process, Dest>, Rtt> &rtts() const { return rtts_; }
	const std::map<ErrorKey, uint64_t> &errors() const { return errors_; }
	uint64_t unanswered() const { return pending_.size() + evicted_; }

	// Requests waiting for their reply; past this the oldest is forgotten
	// (counted as unanswered), so a flood of unanswered pings stays bounded.
	static constexpr size_t kMaxPending = 1 << 16;
	// Rows a table (processes, round trips, errors) keeps; what comes
	// past them is counted in a row of its own, comm or destination
	// "(other)" (errors: one per type and code), and said under the table.
	static constexpr size_t kMaxRows = 4096;

private:
	// The peer's address bytes (IPv4 in the first 4, the rest zero).
	using AddrBytes = std::array<uint8_t, 16>;
	// (netns, family, id, seq, peer address bytes)
	using EchoKey = std::tuple<uint32_t, uint8_t, uint16_t, uint16_t, AddrBytes>;
	struct Pending {
		uint64_t ts_boot_ns;
		const Process *proc;	// a key of by_process_, which never shrinks
		AddrBytes dest;
	};
	// The last few owners' rows: a record of one of them costs a compare,
	// not a Process built and looked up (a flood's records are two or
	// three owners').  Keyed by what process_of() reads.
	struct KeptOwner {
		bool valid = false;
		uint8_t owner_class = 0;	// 0 none, 1 kernel, 2 a task
		uint32_t pid = 0;
		char comm[16] = {};
		std::string container;	// ctx.container_id, as given
		const Process *proc = nullptr;
		Counts *counts = nullptr;
	};
	static constexpr unsigned kKeptOwners = 4;
	KeptOwner &owner_row(const icmpt_event &ev, const FormatContext &ctx);
	void add_echo(const icmpt_event &ev, const Process *proc);

	uint64_t packets_ = 0;
	std::map<Process, Counts> by_process_;
	std::map<TypeKey, uint64_t> by_type_;
	std::map<NoTypeKey, uint64_t> no_type_;
	std::map<std::pair<Process, Dest>, Rtt> rtts_;
	std::map<ErrorKey, uint64_t> errors_;
	std::map<EchoKey, Pending> pending_;
	std::deque<std::pair<EchoKey, uint64_t>> pending_order_;	// key, ts: oldest first
	uint64_t evicted_ = 0;
	std::array<KeptOwner, kKeptOwners> kept_{};
	unsigned kept_next_ = 0;
	// The round-trip row of the last reply (a flood's are all one row's).
	const Process *last_rtt_proc_ = nullptr;
	uint8_t last_rtt_family_ = 0;
	AddrBytes last_rtt_dest_{};
	Rtt *last_rtt_ = nullptr;
};

} // namespace icmptrace
