// Messages of the icmptrace generic netlink family, with no kernel: built
// with libnl as the kernel or the reader would, parsed back with the
// reader's own parsing code.  And the filter flags of the command line.
#include <linux/icmptrace.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "control/filter_resolve.hpp"
#include "control/filter_spec.hpp"
#include "control/genl_msg.hpp"
#include "cli/options.hpp"
// Last: cmocka defines macros (fail, skip) that clash with the C++ library.
#include "cmocka_includes.hpp"

using namespace icmptrace;

namespace {

constexpr int kFamilyId = 0x20;

struct MsgDeleter {
	void operator()(nl_msg *m) const { nlmsg_free(m); }
};
using Msg = std::unique_ptr<nl_msg, MsgDeleter>;

Msg new_msg(uint8_t cmd)
{
	Msg m(nlmsg_alloc());
	assert_non_null(m.get());
	assert_non_null(genlmsg_put(m.get(), 1234, 7, kFamilyId, 0, 0, cmd, ICMPT_GENL_VERSION));
	return m;
}

FilterSpec sample_filter()
{
	FilterSpec f;
	f.families = ICMPT_F_V4 | ICMPT_F_V6;
	f.dirs = ICMPT_F_IN;
	f.icmp = {{4, 8, std::nullopt}, {6, 1, 4}, {4, 3, 3}};
	f.pids = {1, 4242};
	f.comms = {"ping", "exactly15chars_"};
	f.uids = {0, 65534};
	f.cgroups = {1, 0x1234567890abcdefULL};
	f.netns = {4026531840U};
	f.tree = 31337;
	return f;
}

// SET_FILTER request as the reader builds it, read back as GET_FILTER.
void test_filter_round_trip(void **)
{
	Msg m = new_msg(ICMPT_CMD_SET_FILTER);
	FilterSpec f = sample_filter();
	assert_int_equal(0, put_filter(m.get(), f));
	FilterState st = parse_filter(nlmsg_hdr(m.get()));
	assert_false(st.active);	// no owner attributes in a request
	assert_true(st.spec == f);
}

// What the kernel's strict validation demands of the request.
void test_filter_wire_format(void **)
{
	Msg m = new_msg(ICMPT_CMD_SET_FILTER);
	assert_int_equal(0, put_filter(m.get(), sample_filter()));
	nlmsghdr *nlh = nlmsg_hdr(m.get());
	auto *gh = static_cast<genlmsghdr *>(nlmsg_data(nlh));
	assert_int_equal(gh->cmd, ICMPT_CMD_SET_FILTER);
	assert_int_equal(gh->version, ICMPT_GENL_VERSION);
	assert_int_equal(gh->reserved, 0);
	int counts[ICMPT_A_MAX + 1] = {};
	nlattr *a;
	int rem;
	nla_for_each_attr(a, genlmsg_attrdata(gh, 0), genlmsg_attrlen(gh, 0), rem) {
		int t = nla_type(a);
		assert_true(t > 0 && t <= ICMPT_A_MAX);
		counts[t]++;
		switch (t) {
		case ICMPT_A_F_ICMP:
			assert_true(a->nla_type & NLA_F_NESTED);
			break;
		case ICMPT_A_F_COMM:	// NUL included, at most 16 bytes
			assert_true(nla_len(a) <= 16);
			assert_int_equal(0, static_cast<char *>(nla_data(a))[nla_len(a) - 1]);
			break;
		case ICMPT_A_F_CGROUP:
			assert_int_equal(8, nla_len(a));
			break;
		case ICMPT_A_F_FAMILY:
		case ICMPT_A_F_DIR:
			assert_int_equal(1, nla_len(a));
			break;
		default:
			assert_int_equal(4, nla_len(a));
		}
	}
	assert_int_equal(0, rem);
	assert_int_equal(3, counts[ICMPT_A_F_ICMP]);
	assert_int_equal(2, counts[ICMPT_A_F_PID]);
	assert_int_equal(2, counts[ICMPT_A_F_COMM]);
	assert_int_equal(1, counts[ICMPT_A_F_NETNS]);
	assert_int_equal(1, counts[ICMPT_A_F_TREE]);
	assert_int_equal(0, counts[ICMPT_A_PAD]);
}

void test_empty_filter(void **)
{
	Msg m = new_msg(ICMPT_CMD_SET_FILTER);
	assert_int_equal(0, put_filter(m.get(), FilterSpec{}));
	assert_int_equal(nlmsg_hdr(m.get())->nlmsg_len, NLMSG_HDRLEN + GENL_HDRLEN);
}

// A GET_FILTER reply as the kernel builds it: owner, reader, u64 padded.
void test_filter_reply(void **)
{
	Msg m = new_msg(ICMPT_CMD_GET_FILTER);
	assert_int_equal(0, nla_put_u32(m.get(), ICMPT_A_READER_PID, 77));
	assert_int_equal(0, nla_put_u32(m.get(), ICMPT_A_F_OWNER_PORTID, 99));
	assert_int_equal(0, nla_put_u32(m.get(), ICMPT_A_F_OWNER_PID, 78));
	assert_int_equal(0, nla_put_u8(m.get(), ICMPT_A_F_DIR, ICMPT_F_OUT));
	assert_int_equal(0, nla_put(m.get(), ICMPT_A_PAD, 0, nullptr));
	assert_int_equal(0, nla_put_u64(m.get(), ICMPT_A_F_CGROUP, 5));
	assert_int_equal(0, nla_put_u32(m.get(), ICMPT_A_F_TREE, 4321));
	assert_int_equal(0, nla_put_u32(m.get(), ICMPT_A_F_TREE_MEMBERS, 3));
	assert_int_equal(0, nla_put(m.get(), ICMPT_A_PAD, 0, nullptr));
	assert_int_equal(0, nla_put_u64(m.get(), ICMPT_A_F_TREE_UNTRACKED, 1ULL << 33));
	assert_int_equal(0, nla_put_u32(m.get(), 200, 1));	// from a newer module
	FilterState st = parse_filter(nlmsg_hdr(m.get()));
	assert_true(st.active);
	assert_int_equal(99, st.owner_portid);
	assert_int_equal(78, st.owner_pid);
	assert_int_equal(77, st.reader_pid);
	assert_int_equal(ICMPT_F_OUT, st.spec.dirs);
	assert_int_equal(1, st.spec.cgroups.size());
	assert_int_equal(5, st.spec.cgroups[0]);
	assert_int_equal(4321, st.spec.tree.value_or(0));
	assert_int_equal(3, st.tree_members);
	assert_int_equal(1ULL << 33, st.tree_untracked);

	Msg none = new_msg(ICMPT_CMD_GET_FILTER);
	assert_int_equal(0, nla_put_u32(none.get(), ICMPT_A_READER_PID, 0));
	st = parse_filter(nlmsg_hdr(none.get()));
	assert_false(st.active);
	assert_true(st.spec.empty());
}

void put_stats(nl_msg *m, int attr, std::optional<uint32_t> cpu, uint64_t base)
{
	nlattr *n = nla_nest_start(m, attr);
	if (cpu)
		nla_put_u32(m, ICMPT_STAT_A_CPU, *cpu);
	nla_put(m, ICMPT_STAT_A_PAD, 0, nullptr);
	for (int t = ICMPT_STAT_A_SEEN; t <= ICMPT_STAT_A_DROPPED_NESTED; t++)
		nla_put_u64(m, t, base + t);
	nla_nest_end(m, n);
}

void test_stats_reply(void **)
{
	Msg m = new_msg(ICMPT_CMD_GET_STATS);
	put_stats(m.get(), ICMPT_A_STATS_CPU, 0, 100);
	put_stats(m.get(), ICMPT_A_STATS_CPU, 1, 200);
	put_stats(m.get(), ICMPT_A_STATS_TOTAL, std::nullopt, 300);
	KernelStats s = parse_stats(nlmsg_hdr(m.get()));
	assert_int_equal(2, s.cpus.size());
	assert_int_equal(1, *s.cpus[1].cpu);
	assert_int_equal(200 + ICMPT_STAT_A_RECORDED, s.cpus[1].recorded);
	assert_false(s.total.cpu.has_value());
	assert_int_equal(300 + ICMPT_STAT_A_SEEN, s.total.seen);
	assert_int_equal(300 + ICMPT_STAT_A_FILTERED, s.total.filtered);
	assert_int_equal(300 + ICMPT_STAT_A_DROPPED, s.total.dropped);
	assert_int_equal(300 + ICMPT_STAT_A_UNATTRIBUTED, s.total.unattributed);
	assert_int_equal(300 + ICMPT_STAT_A_DROPPED_FULL, s.total.dropped_full);
	assert_int_equal(300 + ICMPT_STAT_A_DROPPED_BAD_CONSUMER, s.total.dropped_bad_consumer);
	assert_int_equal(300 + ICMPT_STAT_A_DROPPED_NESTED, s.total.dropped_nested);
}

bool throws_protocol(const std::function<void()> &fn)
{
	try {
		fn();
	} catch (const ProtocolError &) {
		return true;
	}
	return false;
}

void test_malformed_replies(void **)
{
	Msg no_total = new_msg(ICMPT_CMD_GET_STATS);
	put_stats(no_total.get(), ICMPT_A_STATS_CPU, 0, 1);
	assert_true(throws_protocol([&] { parse_stats(nlmsg_hdr(no_total.get())); }));

	Msg no_cpu = new_msg(ICMPT_CMD_GET_STATS);
	put_stats(no_cpu.get(), ICMPT_A_STATS_CPU, std::nullopt, 1);
	put_stats(no_cpu.get(), ICMPT_A_STATS_TOTAL, std::nullopt, 1);
	assert_true(throws_protocol([&] { parse_stats(nlmsg_hdr(no_cpu.get())); }));

	Msg short_u64 = new_msg(ICMPT_CMD_GET_CONFIG);
	nla_put_u32(short_u64.get(), ICMPT_A_RING_SIZE, 4096);
	assert_true(throws_protocol([&] { parse_config(nlmsg_hdr(short_u64.get())); }));

	Msg bad_comm = new_msg(ICMPT_CMD_GET_FILTER);
	nla_put(bad_comm.get(), ICMPT_A_F_COMM, 4, "ping");	// no NUL
	assert_true(throws_protocol([&] { parse_filter(nlmsg_hdr(bad_comm.get())); }));

	Msg bad_icmp = new_msg(ICMPT_CMD_GET_FILTER);
	nlattr *n = nla_nest_start(bad_icmp.get(), ICMPT_A_F_ICMP);
	nla_put_u8(bad_icmp.get(), ICMPT_ICMP_A_TYPE, 8);	// no family
	nla_nest_end(bad_icmp.get(), n);
	assert_true(throws_protocol([&] { parse_filter(nlmsg_hdr(bad_icmp.get())); }));

	// Shorter than a genl header.
	nlmsghdr tiny = {NLMSG_HDRLEN, kFamilyId, 0, 1, 1};
	assert_true(throws_protocol([&] { parse_config(&tiny); }));
}

void test_config_reply(void **)
{
	Msg m = new_msg(ICMPT_CMD_GET_CONFIG);
	nla_put_u8(m.get(), ICMPT_A_ENABLED, 1);
	nla_put_u32(m.get(), ICMPT_A_ABI_VERSION, ICMPT_ABI_VERSION);
	nla_put_u32(m.get(), ICMPT_A_GENL_VERSION, ICMPT_GENL_VERSION);
	nla_put_u32(m.get(), ICMPT_A_NR_RINGS, 4);
	nla_put(m.get(), ICMPT_A_PAD, 0, nullptr);
	nla_put_u64(m.get(), ICMPT_A_RING_SIZE, 1 << 20);
	nla_put_u32(m.get(), ICMPT_A_EVENT_SIZE, 312);
	nla_put_u32(m.get(), ICMPT_A_SNAPLEN, 256);
	nla_put_u32(m.get(), ICMPT_A_READERS, 1);
	nla_put_u8(m.get(), ICMPT_A_FILTER_ACTIVE, 1);
	KernelConfig c = parse_config(nlmsg_hdr(m.get()));
	assert_true(c.enabled);
	assert_int_equal(ICMPT_GENL_VERSION, c.genl_version);
	assert_int_equal(4, c.nr_rings);
	assert_int_equal(1 << 20, c.ring_size);
	assert_int_equal(312, c.event_size);
	assert_true(c.snaplen.has_value());
	assert_int_equal(256, *c.snaplen);
	assert_int_equal(1, c.readers);
	assert_true(c.filter_active);
}

std::vector<IcmpMatch> types(const std::string &s, uint8_t fam)
{
	return parse_icmp_types(s, fam);
}

bool bad_types(const std::string &s, uint8_t fam)
{
	try {
		parse_icmp_types(s, fam);
	} catch (const FilterError &) {
		return true;
	}
	return false;
}

void test_type_names(void **)
{
	// A name means each family that has it, unless -4/-6 says otherwise.
	auto t = types("echo-request", 0);
	assert_int_equal(2, t.size());
	assert_true(t[0] == (IcmpMatch{4, 8, std::nullopt}));
	assert_true(t[1] == (IcmpMatch{6, 128, std::nullopt}));
	t = types("echo-request,dest-unreach/3", ICMPT_F_V4);
	assert_int_equal(2, t.size());
	assert_true(t[1] == (IcmpMatch{4, 3, 3}));
	t = types("packet-too-big", 0);	// v6 only
	assert_int_equal(1, t.size());
	assert_true(t[0] == (IcmpMatch{6, 2, std::nullopt}));
	t = types("v4:13,v6:1/4", 0);
	assert_true(t[0] == (IcmpMatch{4, 13, std::nullopt}));
	assert_true(t[1] == (IcmpMatch{6, 1, 4}));
	t = types("135", ICMPT_F_V6);
	assert_true(t[0] == (IcmpMatch{6, 135, std::nullopt}));

	assert_true(bad_types("8", 0));			// ambiguous number
	assert_true(bad_types("packet-too-big", ICMPT_F_V4));
	assert_true(bad_types("v6:1", ICMPT_F_V4));
	assert_true(bad_types("nonsense", 0));
	assert_true(bad_types("256", ICMPT_F_V4));
	assert_true(bad_types("echo-request/256", 0));
	assert_true(bad_types("echo-request/", 0));
	assert_true(bad_types("echo-request,", 0));
	assert_true(bad_types("", 0));
	// The message quotes the list, not the empty item ("in ''").
	try {
		parse_icmp_types("echo-request,", 0);
	} catch (const FilterError &e) {
		assert_string_equal(e.what(), "empty ICMP type in the list 'echo-request,'");
	}
	assert_true(bad_types("-1", ICMPT_F_V4));
	assert_string_equal("echo-reply", icmp_type_name(6, 129).c_str());
	assert_string_equal("200", icmp_type_name(4, 200).c_str());
}

void test_filter_flags(void **)
{
	ParsedArgs p = parse_args({"-4", "--in", "--type", "echo-reply", "--pid", "10,20",
				   "--comm", "ping", "--uid", "0,1000", "--container", "abc123",
				   "--netns", "4026531840", "--type=v4:3/1", "-6", "--out"});
	assert_int_equal(p.action, ParsedArgs::Action::Run);
	const FilterArgs &f = p.options.filter;
	assert_int_equal(ICMPT_F_V4 | ICMPT_F_V6, f.families);
	assert_int_equal(ICMPT_F_IN | ICMPT_F_OUT, f.dirs);
	assert_int_equal(2, f.types.size());
	assert_int_equal(2, f.pids.size());
	assert_int_equal(20, f.pids[1]);
	assert_int_equal(1000, f.uids[1]);
	assert_string_equal("ping", f.comms[0].c_str());
	assert_string_equal("abc123", f.containers[0].c_str());

	// Bad values are usage errors (exit 2), with the value named.
	for (const std::vector<std::string> &bad :
	     std::vector<std::vector<std::string>>{{"--pid", "x"},
						   {"--pid", "1,"},
						   {"--pid", "99999999999"},
						   {"--comm", "a-name-longer-than-15"},
						   {"--comm", ""},
						   {"--uid", "no-such-user-here"},
						   {"--type", "8"},
						   {"-6", "--type", "v4:8"},
						   {"--type", "packet-too-big", "-4"},
						   {"-4x"},
						   {"--in=1"}}) {
		ParsedArgs b = parse_args(bad);
		assert_int_equal(b.action, ParsedArgs::Action::UsageError);
		assert_false(b.error.empty());
	}
}

void test_resolve(void **)
{
	namespace fs = std::filesystem;
	char tmpl[] = "/tmp/icmpt-cg-XXXXXX";
	assert_non_null(mkdtemp(tmpl));
	fs::path root = tmpl;
	fs::create_directories(root / "system.slice/docker-0123abcdef99.scope");
	fs::create_directories(root / "system.slice/docker-0123abcdef99.scope/inner-0123abcdef99");
	fs::create_directories(root / "machine.slice/libpod-77aa.scope");
	fs::create_directories(root / "a/x-dup1");
	fs::create_directories(root / "b/y-dup1");
	struct stat st;
	assert_int_equal(0, stat((root / "system.slice/docker-0123abcdef99.scope").c_str(), &st));
	// The shallowest match wins: the container's own cgroup, not one inside.
	assert_int_equal(st.st_ino, resolve_container("0123abcdef", root));
	assert_int_equal(0, stat((root / "machine.slice/libpod-77aa.scope").c_str(), &st));
	assert_int_equal(st.st_ino, resolve_container("77aa", root));
	// Podman's monitor beside its container, with the same id: the
	// container, whole id or prefix; a shallower monitor does not win
	// over a deeper container either.  (Both failed: "give more of it",
	// and the conmon scope.)
	const std::string pod(64, 'c');
	fs::create_directories(root / ("machine.slice/libpod-" + pod + ".scope"));
	fs::create_directories(root / ("machine.slice/libpod-conmon-" + pod + ".scope"));
	assert_int_equal(0, stat((root / ("machine.slice/libpod-" + pod + ".scope")).c_str(), &st));
	assert_int_equal(st.st_ino, resolve_container(pod, root));
	assert_int_equal(st.st_ino, resolve_container("cccccccc", root));
	fs::create_directories(root / "libpod-conmon-fedcba01.scope");
	fs::create_directories(root / "kubepods.slice/pod1/cri-containerd-fedcba01.scope");
	assert_int_equal(0, stat((root / "kubepods.slice/pod1/cri-containerd-fedcba01.scope").c_str(),
				 &st));
	assert_int_equal(st.st_ino, resolve_container("fedcba", root));
	bool threw = false;
	try {
		resolve_container("dup1", root);	// two at the same depth
	} catch (const FilterError &) {
		threw = true;
	}
	assert_true(threw);
	threw = false;
	try {
		resolve_container("nothere", root);
	} catch (const FilterError &) {
		threw = true;
	}
	assert_true(threw);
	threw = false;
	try {
		resolve_container("../etc", root);
	} catch (const FilterError &) {
		threw = true;
	}
	assert_true(threw);

	fs::remove_all(root);

	FilterArgs a;
	a.families = ICMPT_F_V6;
	a.types = {"echo-request,echo-reply"};
	a.netns = {"7"};
	FilterSpec f = resolve_filter(a);
	assert_int_equal(2, f.icmp.size());
	assert_int_equal(7, f.netns[0]);
	assert_string_equal("-6 --type v6:echo-request,v6:echo-reply --netns 7",
			    describe_filter(f).c_str());
	FilterArgs many;
	for (int i = 0; i <= ICMPT_FILTER_MAX; i++)
		many.pids.push_back(i);
	threw = false;
	try {
		resolve_filter(many);
	} catch (const FilterError &) {
		threw = true;
	}
	assert_true(threw);
}

// A path must name a network namespace: any other file's inode (a
// directory, /etc/passwd, another kind of namespace) was taken and
// filtered on, matching nothing, without a word.  No namespace has inode 0.
void test_resolve_netns(void **)
{
	struct stat st;
	assert_int_equal(0, stat("/proc/self/ns/net", &st));
	assert_int_equal(st.st_ino, resolve_netns("/proc/self/ns/net"));
	assert_int_equal(12345, resolve_netns("12345"));
	// The argument, and how its message starts.
	const std::pair<const char *, const char *> refused[] = {
		{"/etc/passwd", "invalid netns '/etc/passwd': not a network namespace"},
		{"/tmp", "invalid netns '/tmp': not a network namespace"},
		{"/proc/self/ns/mnt", "invalid netns '/proc/self/ns/mnt': not a network namespace"},
		{"/no/such/file", "invalid netns '/no/such/file': No such file or directory"},
		{"", "invalid netns '': empty"},
		{"0", "invalid netns '0': no namespace has inode 0"},
	};
	for (const auto &[arg, expected] : refused) {
		std::string error;
		try {
			resolve_netns(arg);
		} catch (const FilterError &e) {
			error = e.what();
		}
		if (error.find(expected) != 0)
			fail_msg("--netns '%s': error '%s'", arg, error.c_str());
	}
}

} // namespace

int main()
{
	const CMUnitTest tests[] = {
		cmocka_unit_test(test_filter_round_trip),
		cmocka_unit_test(test_filter_wire_format),
		cmocka_unit_test(test_empty_filter),
		cmocka_unit_test(test_filter_reply),
		cmocka_unit_test(test_stats_reply),
		cmocka_unit_test(test_malformed_replies),
		cmocka_unit_test(test_config_reply),
		cmocka_unit_test(test_type_names),
		cmocka_unit_test(test_filter_flags),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_resolve_netns),
	};
	return cmocka_run_group_tests_name("genl", tests, nullptr, nullptr);
}
