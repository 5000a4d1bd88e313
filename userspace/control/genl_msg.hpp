// Messages of the icmptrace generic netlink family (linux/icmptrace.h),
// built and parsed with libnl, with no socket: the unit tests run them.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "control/filter_spec.hpp"

struct nl_msg;
struct nlmsghdr;

namespace icmptrace {

// A reply that does not follow the contract.
struct ProtocolError : std::runtime_error {
	using std::runtime_error::runtime_error;
};

struct KernelConfig {
	bool enabled = false;
	uint32_t abi_version = 0;
	uint32_t genl_version = 0;
	uint32_t nr_rings = 0;
	uint64_t ring_size = 0;
	uint32_t event_size = 0;
	uint32_t readers = 0;
	bool filter_active = false;
	// Snap length in force (ICMPT_A_SNAPLEN); none from a module before ABI 2.
	std::optional<uint32_t> snaplen;
};

struct StatsRow {
	std::optional<uint32_t> cpu;	// none: the total
	uint64_t seen = 0, recorded = 0, filtered = 0, dropped = 0, unattributed = 0;
	uint64_t dropped_full = 0, dropped_bad_consumer = 0, dropped_nested = 0;
	bool operator==(const StatsRow &) const = default;
};

struct KernelStats {
	StatsRow total;
	std::vector<StatsRow> cpus;
};

struct FilterState {
	bool active = false;		// a filter is set (owner attributes present)
	uint32_t owner_portid = 0;
	uint32_t owner_pid = 0;
	uint32_t reader_pid = 0;
	FilterSpec spec;
};

// Appends the ICMPT_A_F_* attributes of f to msg (after genlmsg_put());
// returns 0 or a negative libnl error.
int put_filter(nl_msg *msg, const FilterSpec &f);

// Parse one reply (nlmsghdr of family fam_id, genl header included).
// Unknown attributes are skipped (newer module); a known one of the wrong
// size throws ProtocolError.
KernelConfig parse_config(const nlmsghdr *nlh);
KernelStats parse_stats(const nlmsghdr *nlh);
FilterState parse_filter(const nlmsghdr *nlh);

} // namespace icmptrace
