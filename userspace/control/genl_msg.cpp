#include "control/genl_msg.hpp"

#include <linux/icmptrace.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <cstring>

namespace icmptrace {
namespace {

// The attributes of a genl message, after its genl header.
struct AttrRange {
	nlattr *head;
	int len;
};

AttrRange attrs_of(const nlmsghdr *nlh)
{
	auto *h = const_cast<nlmsghdr *>(nlh);
	if (!genlmsg_valid_hdr(h, 0))
		throw ProtocolError("reply too short for a generic netlink header");
	return {genlmsg_attrdata(static_cast<genlmsghdr *>(nlmsg_data(h)), 0),
		genlmsg_attrlen(static_cast<genlmsghdr *>(nlmsg_data(h)), 0)};
}

void need_len(const nlattr *a, int len, const char *what)
{
	if (nla_len(a) != len)
		throw ProtocolError(std::string("attribute ") + what + " has " +
				    std::to_string(nla_len(a)) + " bytes, expected " +
				    std::to_string(len));
}

uint8_t get_u8(const nlattr *a, const char *what)
{
	need_len(a, 1, what);
	return nla_get_u8(const_cast<nlattr *>(a));
}

uint32_t get_u32(const nlattr *a, const char *what)
{
	need_len(a, 4, what);
	return nla_get_u32(const_cast<nlattr *>(a));
}

uint64_t get_u64(const nlattr *a, const char *what)
{
	need_len(a, 8, what);
	uint64_t v;
	std::memcpy(&v, nla_data(a), sizeof(v));	// may be unaligned
	return v;
}

StatsRow parse_stats_nest(nlattr *nest)
{
	StatsRow r;
	nlattr *a;
	int rem;
	nla_for_each_nested(a, nest, rem) {
		switch (nla_type(a)) {
		case ICMPT_STAT_A_CPU: r.cpu = get_u32(a, "CPU"); break;
		case ICMPT_STAT_A_SEEN: r.seen = get_u64(a, "SEEN"); break;
		case ICMPT_STAT_A_RECORDED: r.recorded = get_u64(a, "RECORDED"); break;
		case ICMPT_STAT_A_FILTERED: r.filtered = get_u64(a, "FILTERED"); break;
		case ICMPT_STAT_A_DROPPED: r.dropped = get_u64(a, "DROPPED"); break;
		case ICMPT_STAT_A_UNATTRIBUTED:
			r.unattributed = get_u64(a, "UNATTRIBUTED");
			break;
		case ICMPT_STAT_A_DROPPED_FULL: r.dropped_full = get_u64(a, "DROPPED_FULL"); break;
		case ICMPT_STAT_A_DROPPED_BAD_CONSUMER:
			r.dropped_bad_consumer = get_u64(a, "DROPPED_BAD_CONSUMER");
			break;
		case ICMPT_STAT_A_DROPPED_NESTED:
			r.dropped_nested = get_u64(a, "DROPPED_NESTED");
			break;
		default: break;
		}
	}
	if (rem != 0)
		throw ProtocolError("stats entry has trailing bytes");
	return r;
}

IcmpMatch parse_icmp_nest(nlattr *nest)
{
	IcmpMatch m;
	bool fam = false, type = false;
	nlattr *a;
	int rem;
	nla_for_each_nested(a, nest, rem) {
		switch (nla_type(a)) {
		case ICMPT_ICMP_A_FAMILY:
			m.family = get_u8(a, "ICMP family");
			fam = true;
			break;
		case ICMPT_ICMP_A_TYPE:
			m.type = get_u8(a, "ICMP type");
			type = true;
			break;
		case ICMPT_ICMP_A_CODE: m.code = get_u8(a, "ICMP code"); break;
		default: break;
		}
	}
	if (!fam || !type || (m.family != 4 && m.family != 6))
		throw ProtocolError("ICMP filter entry without a valid family and type");
	return m;
}

} // namespace

int put_filter(nl_msg *msg, const FilterSpec &f)
{
	int err = 0;
	if (f.families)
		err = err ?: nla_put_u8(msg, ICMPT_A_F_FAMILY, f.families);
	if (f.dirs)
		err = err ?: nla_put_u8(msg, ICMPT_A_F_DIR, f.dirs);
	for (const IcmpMatch &m : f.icmp) {
		nlattr *nest = nla_nest_start(msg, ICMPT_A_F_ICMP);
		if (!nest)
			return -NLE_NOMEM;
		// The kernel validates strictly: nests must say they are nests.
		nest->nla_type |= NLA_F_NESTED;
		err = err ?: nla_put_u8(msg, ICMPT_ICMP_A_FAMILY, m.family);
		err = err ?: nla_put_u8(msg, ICMPT_ICMP_A_TYPE, m.type);
		if (m.code)
			err = err ?: nla_put_u8(msg, ICMPT_ICMP_A_CODE, *m.code);
		if (err)
			return err;
		nla_nest_end(msg, nest);
	}
	for (uint32_t v : f.pids)
		err = err ?: nla_put_u32(msg, ICMPT_A_F_PID, v);
	for (const std::string &v : f.comms)
		err = err ?: nla_put_string(msg, ICMPT_A_F_COMM, v.c_str());
	for (uint32_t v : f.uids)
		err = err ?: nla_put_u32(msg, ICMPT_A_F_UID, v);
	for (uint64_t v : f.cgroups)
		err = err ?: nla_put_u64(msg, ICMPT_A_F_CGROUP, v);
	for (uint32_t v : f.netns)
		err = err ?: nla_put_u32(msg, ICMPT_A_F_NETNS, v);
	return err;
}

KernelConfig parse_config(const nlmsghdr *nlh)
{
	KernelConfig c;
	AttrRange r = attrs_of(nlh);
	nlattr *a;
	int rem;
	nla_for_each_attr(a, r.head, r.len, rem) {
		switch (nla_type(a)) {
		case ICMPT_A_ENABLED: c.enabled = get_u8(a, "ENABLED"); break;
		case ICMPT_A_ABI_VERSION: c.abi_version = get_u32(a, "ABI_VERSION"); break;
		case ICMPT_A_GENL_VERSION: c.genl_version = get_u32(a, "GENL_VERSION"); break;
		case ICMPT_A_NR_RINGS: c.nr_rings = get_u32(a, "NR_RINGS"); break;
		case ICMPT_A_RING_SIZE: c.ring_size = get_u64(a, "RING_SIZE"); break;
		case ICMPT_A_EVENT_SIZE: c.event_size = get_u32(a, "EVENT_SIZE"); break;
		case ICMPT_A_READERS: c.readers = get_u32(a, "READERS"); break;
		case ICMPT_A_FILTER_ACTIVE: c.filter_active = get_u8(a, "FILTER_ACTIVE"); break;
		case ICMPT_A_SNAPLEN: c.snaplen = get_u32(a, "SNAPLEN"); break;
		default: break;
		}
	}
	if (rem != 0)
		throw ProtocolError("config reply has trailing bytes");
	return c;
}

KernelStats parse_stats(const nlmsghdr *nlh)
{
	KernelStats s;
	bool total = false;
	AttrRange r = attrs_of(nlh);
	nlattr *a;
	int rem;
	nla_for_each_attr(a, r.head, r.len, rem) {
		switch (nla_type(a)) {
		case ICMPT_A_STATS_TOTAL:
			s.total = parse_stats_nest(a);
			total = true;
			break;
		case ICMPT_A_STATS_CPU: {
			StatsRow row = parse_stats_nest(a);
			if (!row.cpu)
				throw ProtocolError("per-CPU stats entry without its CPU");
			s.cpus.push_back(row);
			break;
		}
		default: break;
		}
	}
	if (rem != 0)
		throw ProtocolError("stats reply has trailing bytes");
	if (!total)
		throw ProtocolError("stats reply without a total");
	return s;
}

FilterState parse_filter(const nlmsghdr *nlh)
{
	FilterState st;
	FilterSpec &f = st.spec;
	AttrRange r = attrs_of(nlh);
	nlattr *a;
	int rem;
	nla_for_each_attr(a, r.head, r.len, rem) {
		switch (nla_type(a)) {
		case ICMPT_A_F_OWNER_PORTID:
			st.owner_portid = get_u32(a, "OWNER_PORTID");
			st.active = true;
			break;
		case ICMPT_A_F_OWNER_PID: st.owner_pid = get_u32(a, "OWNER_PID"); break;
		case ICMPT_A_READER_PID: st.reader_pid = get_u32(a, "READER_PID"); break;
		case ICMPT_A_F_FAMILY: f.families = get_u8(a, "F_FAMILY"); break;
		case ICMPT_A_F_DIR: f.dirs = get_u8(a, "F_DIR"); break;
		case ICMPT_A_F_ICMP: f.icmp.push_back(parse_icmp_nest(a)); break;
		case ICMPT_A_F_PID: f.pids.push_back(get_u32(a, "F_PID")); break;
		case ICMPT_A_F_UID: f.uids.push_back(get_u32(a, "F_UID")); break;
		case ICMPT_A_F_CGROUP: f.cgroups.push_back(get_u64(a, "F_CGROUP")); break;
		case ICMPT_A_F_NETNS: f.netns.push_back(get_u32(a, "F_NETNS")); break;
		case ICMPT_A_F_COMM: {
			const char *p = static_cast<const char *>(nla_data(a));
			int n = nla_len(a);
			if (n < 1 || n > 16 || p[n - 1] != '\0' || std::strlen(p) != size_t(n - 1))
				throw ProtocolError("F_COMM is not a NUL-terminated name");
			f.comms.emplace_back(p);
			break;
		}
		default: break;
		}
	}
	if (rem != 0)
		throw ProtocolError("filter reply has trailing bytes");
	return st;
}

} // namespace icmptrace
