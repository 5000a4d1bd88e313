#include "control/filter_match.hpp"

#include <algorithm>
#include <cstring>

#include "util/icmp_type_known.hpp"

namespace icmptrace {
namespace {

template <typename T, typename V>
bool in(const std::vector<T> &set, V v)
{
	return std::find(set.begin(), set.end(), v) != set.end();
}

// As icmpt_filter_icmp_match(): entries of one (family, type) add codes.
bool icmp_matches(const FilterSpec &f, const icmpt_event &ev)
{
	// A non-first fragment, fewer than 2 bytes, a capture cut before the
	// type: type and code unknown.
	if (!icmp_type_known(ev))
		return false;
	const icmpt_packet &pkt = ev.pkt;
	for (const IcmpMatch &m : f.icmp)
		if (m.family == pkt.family && m.type == pkt.type && (!m.code || *m.code == pkt.code))
			return true;
	return false;
}

bool owner_matches(const FilterSpec &f, const icmpt_event &ev)
{
	const bool needs_owner =
		!f.pids.empty() || !f.comms.empty() || !f.uids.empty() || !f.cgroups.empty();
	if (!needs_owner)
		return true;
	if (ev.owner == ICMPT_OWNER_NONE || ev.owner == ICMPT_OWNER_KERNEL)
		return false;
	const icmpt_task &t = ev.task;
	if (!f.pids.empty() && !in(f.pids, t.pid) && !in(f.pids, t.tid))
		return false;
	if (!f.uids.empty() && !in(f.uids, t.uid))
		return false;
	if (!f.cgroups.empty() && !in(f.cgroups, t.cgroup_id))
		return false;
	if (!f.comms.empty()) {
		const std::string comm(t.comm, strnlen(t.comm, sizeof(t.comm)));
		if (!in(f.comms, comm))
			return false;
	}
	return true;
}

} // namespace

bool filter_matches(const FilterSpec &f, const icmpt_event &ev)
{
	const icmpt_packet &pkt = ev.pkt;
	if (f.families && !(f.families & (pkt.family == 6 ? ICMPT_F_V6 : ICMPT_F_V4)))
		return false;
	// A capture that does not say (Ethernet, raw IP): neither in nor out.
	if (f.dirs && !(f.dirs & (ev.direction == ICMPT_DIR_IN    ? ICMPT_F_IN
				  : ev.direction == ICMPT_DIR_OUT ? ICMPT_F_OUT
								  : 0)))
		return false;
	if (!f.icmp.empty() && !icmp_matches(f, ev))
		return false;
	if (!f.netns.empty() && !in(f.netns, ev.pkt_netns))
		return false;
	return owner_matches(f, ev);
}

} // namespace icmptrace
