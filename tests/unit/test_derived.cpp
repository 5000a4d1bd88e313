// What the reader derives beyond the record: container ids from cgroup
// paths, tracee's entity ids, the caches, /proc and namespace look-ups, and
// how lines show them.
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "context/cgroup_resolver.hpp"
#include "context/container_id.hpp"
#include "context/entity_id.hpp"
#include "format/formatters.hpp"
#include "util/lru_cache.hpp"
#include "context/proc_task.hpp"
#include "context/record_context.hpp"
#include "sample_events.hpp"
#include "util/unique_fd.hpp"
#include "context/uts_names.hpp"
// Last: cmocka defines macros (fail, skip) that clash with the C++ library.
#include "cmocka_includes.hpp"

using namespace icmptrace;
using namespace icmptrace::test;

namespace {

const std::string kId = "4c01db0b339c2b9d5f2bb6b7ba2b1a9a3de1e52d8bd17ea1c7f5f3b6a3a2c1d0";
const std::string kId2 = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";

// The seed line's task, as its host's kernel counted (found by searching the
// boot-relative start times whose hashes give the seed's ids: one 10 ms step
// in 497 days of them matches the thread, and the parent's match lies 4 h
// earlier, as a shell that ran ping would).
constexpr uint64_t kSeedThreadStart = 611186990000000ULL;	// + up to 10 ms
constexpr uint64_t kSeedParentStart = 596487650000000ULL;

std::string read_file(const char *path)
{
	std::ifstream f(path);
	std::ostringstream ss;
	ss << f.rdbuf();
	return ss.str();
}

uint64_t inode_of(const char *path)
{
	struct stat st;
	return ::stat(path, &st) == 0 ? st.st_ino : 0;
}

// --- container ids ---

void test_container_paths(void **)
{
	const struct {
		std::string path;
		std::string id;
		const char *runtime;
	} cases[] = {
		{"/system.slice/docker-" + kId + ".scope", kId, "docker"},
		{"/docker/" + kId, kId, "docker"},
		{"/docker/" + kId + "/nested", kId, "docker"},
		{"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0a1b2c3d_4e5f_"
		 "6789_abcd_ef0123456789.slice/cri-containerd-" + kId + ".scope",
		 kId, "containerd"},
		{"/kubepods/burstable/pod0a1b2c3d-4e5f-6789-abcd-ef0123456789/" + kId, kId, ""},
		{"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/crio-" +
			 kId + ".scope",
		 kId, "crio"},
		{"/system.slice/containerd.service/kubepods-burstable-pod1.slice:cri-containerd:" +
			 kId,
		 kId, "containerd"},
		{"/machine.slice/libpod-" + kId + ".scope", kId, "podman"},
		{"/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + kId +
			 ".scope/container",
		 kId, "podman"},
		{"/system.slice/nerdctl-" + kId + ".scope", kId, "systemd"},
		// Upper-case hex is accepted and shown lower-case.
		{"/system.slice/docker-4C01DB0B339C2B9D5F2BB6B7BA2B1A9A3DE1E52D8BD17EA1C7F5F3B6A3A2C1D0.scope",
		 kId, "docker"},
		// The outer container, as tracee: the first id from the root.
		{"/system.slice/docker-" + kId + ".scope/docker/" + kId2, kId, "docker"},
		// Not containers.
		{"/machine.slice/libpod-conmon-" + kId + ".scope", "", ""},
		{"/kubepods.slice/crio-conmon-" + kId + ".scope", "", ""},
		{"/system.slice/foo.service", "", ""},
		{"/system.slice/docker.service", "", ""},
		{"/user.slice/user-1000.slice/session-3.scope", "", ""},
		{"/system.slice/docker-" + kId.substr(1) + ".scope", "", ""},	// 63 digits
		{"/system.slice/docker-" + kId + "0.scope", "", ""},		// 65 digits
		{"/system.slice/docker-" + kId.substr(0, 63) + "g.scope", "", ""},
		{"/docker-" + kId, "", ""},	// no .scope: not systemd's naming
		{"/", "", ""},
		{"", "", ""},
	};
	for (const auto &c : cases) {
		ContainerRef r = container_from_cgroup_path(c.path);
		if (r.id != c.id || std::strcmp(r.runtime, c.runtime) != 0)
			fail_msg("%s: got '%s' (%s), want '%s' (%s)", c.path.c_str(), r.id.c_str(),
				 r.runtime, c.id.c_str(), c.runtime);
	}
	assert_string_equal(std::string(short_container_id(kId)).c_str(), "4c01db0b339c");
	assert_string_equal(std::string(short_container_id("abc")).c_str(), "abc");
}

// --- entity ids ---

void test_murmur_vectors(void **)
{
	// Published MurmurHash3_x86_32 vectors.
	assert_int_equal(murmur3_32("", 0, 0), 0);
	assert_int_equal(murmur3_32("", 0, 1), 0x514e28b7);
	assert_int_equal(murmur3_32("hello", 5, 0), 0x248bfa47);
	assert_int_equal(murmur3_32("Hello, world!", 13, 1234), 0xfaf6cdb3);
	const char *fox = "The quick brown fox jumps over the lazy dog";
	assert_int_equal(murmur3_32(fox, std::strlen(fox), 0), 0x2e4ff723);
}

void test_entity_ids_of_seed(void **)
{
	// tracee's line: threadEntityId = processEntityId = 4158935444 for
	// hostThreadId 1094692, parentEntityId 2142180145 for 1037836.
	for (uint64_t sub : {0ULL, 1ULL, 5000000ULL, 9999999ULL})
		assert_int_equal(task_entity_id(1094692, kSeedThreadStart + sub), 4158935444U);
	assert_int_equal(task_entity_id(1037836, kSeedParentStart), 2142180145U);
	// 10 ms later is another task; another tid too.
	assert_int_not_equal(task_entity_id(1094692, kSeedThreadStart + 10000000), 4158935444U);
	assert_int_not_equal(task_entity_id(1094693, kSeedThreadStart), 4158935444U);

	icmpt_task t = sample_echo_request().task;
	t.start_time_ns = kSeedThreadStart + 4321;
	EntityIds e = entity_ids(t, std::nullopt, kSeedParentStart);
	assert_int_equal(e.thread, 4158935444U);
	assert_int_equal(e.process, 4158935444U);	// leader: tid == pid
	assert_int_equal(e.parent, 2142180145U);
	e = entity_ids(t, std::nullopt, std::nullopt);
	assert_int_equal(e.parent, 0);

	// A thread that is not the leader: the process id needs the leader's start.
	t.tid = 1094700;
	e = entity_ids(t, std::nullopt, std::nullopt);
	assert_int_equal(e.thread, task_entity_id(1094700, t.start_time_ns));
	assert_int_equal(e.process, 0);
	e = entity_ids(t, kSeedThreadStart, std::nullopt);
	assert_int_equal(e.process, 4158935444U);

	t.start_time_ns = 0;	// no start time: no ids
	e = entity_ids(t, kSeedThreadStart, kSeedParentStart);
	assert_int_equal(e.thread, 0);
	assert_int_equal(e.process, 0);
	assert_int_equal(e.parent, 0);
}

// The seed's packet, on the seed's host clock: our JSON is tracee's line,
// entity ids included.
void test_json_equals_tracee_line_with_ids(void **)
{
	icmpt_event ev = sample_echo_request();
	const uint64_t epoch_start = 1696270180811296936ULL;
	ev.task.start_time_ns = kSeedThreadStart + 5000000;
	ev.ts_boot_ns = ev.task.start_time_ns + (ev.ts_real_ns - epoch_start);
	EntityIds e = entity_ids(ev.task, std::nullopt, kSeedParentStart);
	FormatContext ctx;
	ctx.hostname = "rugged";
	ctx.thread_entity_id = e.thread;
	ctx.process_entity_id = e.process;
	ctx.parent_entity_id = e.parent;
	std::string got;
	format_json(ev, ctx, got);
	size_t ours = got.find(",\"icmptrace\":");
	assert_true(ours != std::string::npos);
	got = got.substr(0, ours) + "}";

	std::ifstream f(TESTDATA_DIR "/tracee_net_packet_icmp.json");
	std::string want;
	std::getline(f, want);
	assert_string_equal(got.c_str(), want.c_str());
}

// --- LRU ---

void test_lru(void **)
{
	LruCache<int, std::string> c(2);
	c.put(1, "one");
	c.put(2, "two");
	assert_non_null(c.find(1));	// 1 is now the most recent
	c.put(3, "three");		// evicts 2
	assert_null(c.find(2));
	assert_string_equal(c.find(1)->c_str(), "one");
	assert_string_equal(c.find(3)->c_str(), "three");
	assert_int_equal(c.size(), 2);
	c.put(3, "drei");		// replace, no eviction
	assert_int_equal(c.size(), 2);
	assert_string_equal(c.find(3)->c_str(), "drei");
	assert_non_null(c.find(1));
	assert_true(c.erase(1));
	assert_false(c.erase(1));
	assert_int_equal(c.size(), 1);

	// Stays bounded under many distinct keys; keeps the newest.
	LruCache<uint64_t, int> big(CgroupResolver::kCapacity);
	for (uint64_t i = 0; i < 3 * CgroupResolver::kCapacity; ++i)
		big.put(i, static_cast<int>(i));
	assert_int_equal(big.size(), CgroupResolver::kCapacity);
	assert_null(big.find(0));
	assert_non_null(big.find(3 * CgroupResolver::kCapacity - 1));
	assert_non_null(big.find(2 * CgroupResolver::kCapacity));
	assert_null(big.find(2 * CgroupResolver::kCapacity - 1));

	LruCache<int, int> zero(0);	// capacity 0 means 1, not a crash
	zero.put(1, 1);
	zero.put(2, 2);
	assert_int_equal(zero.size(), 1);
}

// --- /proc and mountinfo parsing ---

void test_parse_proc_stat(void **)
{
	std::string line = "1234 (a b) c) S 77 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 "
			   "61118699 1000000 100 18446744073709551615\n";
	std::optional<ProcStat> st = parse_proc_stat(line);
	assert_true(st.has_value());
	assert_int_equal(st->ppid, 77);
	assert_int_equal(st->start_ticks, 61118699);
	assert_false(parse_proc_stat("1234 (x) S 77 1 2").has_value());	// cut short
	assert_false(parse_proc_stat("no parens").has_value());
	assert_false(parse_proc_stat("1 (x) S zz 1 1 0 -1 0 0 0 0 0 0 0 0 0 0 0 1 0 5 1").has_value());

	// Records are ns since boot; /proc is ticks, truncated: one tick either way.
	assert_true(start_matches(61118699, 611186995000000ULL, 100));
	assert_true(start_matches(61118700, 611186995000000ULL, 100));
	assert_true(start_matches(61118698, 611186995000000ULL, 100));
	assert_false(start_matches(61118701, 611186995000000ULL, 100));
	assert_false(start_matches(61118697, 611186995000000ULL, 100));
	assert_false(start_matches(1, 1, 0));
	assert_int_equal(ticks_to_ns(61118699, 100), 611186990000000ULL);
}

void test_find_cgroup2_mount(void **)
{
	// This host's hybrid layout: v1 controllers and v2 at .../unified.
	const char *hybrid =
		"31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
		"32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
		"40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
		"41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
	assert_string_equal(find_cgroup2_mount(hybrid).c_str(), "/sys/fs/cgroup/unified");
	// Unified, with optional fields before "-".
	const char *unified = "25 21 0:22 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime "
			      "shared:4 master:1 - cgroup2 cgroup2 rw,nsdelegate\n";
	assert_string_equal(find_cgroup2_mount(unified).c_str(), "/sys/fs/cgroup");
	assert_string_equal(
		find_cgroup2_mount("9 1 0:9 / /my\\040cg rw - cgroup2 none rw").c_str(),
		"/my cg");
	assert_string_equal(find_cgroup2_mount("32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup "
					       "cgroup rw,cpu\n")
				    .c_str(),
			    "");
	assert_string_equal(find_cgroup2_mount("").c_str(), "");
	assert_string_equal(find_cgroup2_mount("garbage\n- cgroup2\n").c_str(), "");
}

// --- live look-ups on this host ---

// A cgroup named like docker's resolves, by id, to its container; a removed
// one to nothing.  Needs root and a cgroup2 mount.
void test_cgroup_resolver_live(void **)
{
	std::string mount = find_cgroup2_mount(read_file("/proc/self/mountinfo"));
	if (mount.empty() || geteuid() != 0)
		skip();
	std::string parent = mount + "/icmpt-unit.slice";
	std::string dir = parent + "/docker-" + kId + ".scope";
	::mkdir(parent.c_str(), 0755);
	if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
		skip();
	const uint64_t id = inode_of(dir.c_str());
	const uint64_t parent_id = inode_of(parent.c_str());

	CgroupResolver r;
	assert_true(r.usable());
	std::optional<std::string> p = r.path(id);
	assert_true(p.has_value());
	assert_string_equal(p->c_str(), ("/icmpt-unit.slice/docker-" + kId + ".scope").c_str());
	assert_string_equal(r.container(id).id.c_str(), kId.c_str());
	assert_string_equal(r.container(id).runtime, "docker");
	assert_string_equal(r.container(parent_id).id.c_str(), "");
	assert_string_equal(r.path(inode_of(mount.c_str())).value_or("?").c_str(), "/");

	::rmdir(dir.c_str());
	::rmdir(parent.c_str());
	assert_false(r.path(id).has_value());			// gone: ESTALE
	assert_string_equal(r.container(id).id.c_str(), kId.c_str());	// cached
	assert_string_equal(r.container(0xffffffffffULL).id.c_str(), "");	// never was
	assert_string_equal(r.container(0).id.c_str(), "");

	CgroupResolver none("");	// no cgroup v2: "" for all, never an error
	assert_false(none.usable());
	assert_string_equal(none.container(id).id.c_str(), "");
}

uint64_t own_start_ns()
{
	std::string stat = read_file(("/proc/self/task/" + std::to_string(gettid()) + "/stat").c_str());
	std::optional<ProcStat> st = parse_proc_stat(stat);
	assert_true(st.has_value());
	// Mid-tick, as a record's ns value would be.
	return ticks_to_ns(st->start_ticks, clock_ticks_per_sec()) + 3000000;
}

void test_proc_task_self(void **)
{
	const uint64_t start = own_start_ns();
	std::optional<ProcTask> t = ProcTask::open(getpid(), gettid(), start);
	assert_true(t.has_value());
	assert_int_equal(t->ns_inode("mnt"), inode_of("/proc/self/ns/mnt"));
	assert_int_equal(t->ns_inode("uts"), inode_of("/proc/self/ns/uts"));
	assert_int_equal(t->ns_inode("nonexistent"), 0);
	// A start time 1 s off is another task that had our tid.
	assert_false(ProcTask::open(getpid(), gettid(), start + 1000000000ULL).has_value());
	assert_false(ProcTask::open(getpid(), gettid(), 0).has_value());
	assert_false(ProcTask::open(0x7ffffff0, 0x7ffffff0, start).has_value());
}

void test_uts_names(void **)
{
	char host[256] = {};
	gethostname(host, sizeof(host) - 1);
	UniqueFd own(::open("/proc/self/ns/uts", O_RDONLY | O_CLOEXEC));
	assert_string_equal(hostname_in_uts_ns(own.get()).c_str(), host);

	UtsNames names;
	assert_int_equal(names.own_ns(), inode_of("/proc/self/ns/uts"));
	assert_string_equal(names.name(names.own_ns(), nullptr).c_str(), host);
	assert_string_equal(names.name(0, nullptr).c_str(), "");
	assert_string_equal(names.name(12345, nullptr).c_str(), "");	// unknown, no task

	// A thread of ours in a UTS namespace of its own, with its own name.
	std::atomic<int> state{0};	// 1: ready, -1: cannot, 2: done
	std::atomic<pid_t> tid{0};
	std::thread other([&] {
		tid = gettid();
		if (::unshare(CLONE_NEWUTS) != 0 || ::sethostname("icmpt-uts-test", 14) != 0) {
			state = -1;
			return;
		}
		state = 1;
		while (state != 2)
			std::this_thread::yield();
	});
	while (state == 0)
		std::this_thread::yield();
	if (state < 0) {
		other.join();
		skip();
	}
	const std::string task = "/proc/self/task/" + std::to_string(tid.load());
	const uint64_t ns = inode_of((task + "/ns/uts").c_str());
	std::optional<ProcStat> st = parse_proc_stat(read_file((task + "/stat").c_str()));
	assert_true(st.has_value());
	std::optional<ProcTask> pt = ProcTask::open(
		getpid(), tid, ticks_to_ns(st->start_ticks, clock_ticks_per_sec()) + 1);
	assert_true(pt.has_value());
	assert_int_not_equal(ns, names.own_ns());
	assert_string_equal(names.name(ns, &*pt).c_str(), "icmpt-uts-test");
	state = 2;
	other.join();
	// Gone, but the cached namespace fd still answers.
	assert_string_equal(names.name(ns, nullptr).c_str(), "icmpt-uts-test");
	assert_string_equal(host, names.name(names.own_ns(), nullptr).c_str());
}

// A record of this very thread: everything derivable is derived.
void test_record_context_self(void **)
{
	icmpt_event ev = sample_echo_request();
	icmpt_task &t = ev.task;
	t.pid = getpid();
	t.tid = gettid();
	t.ppid = getppid();
	t.start_time_ns = own_start_ns();
	t.mnt_ns = 0;	// as the module sends it
	t.uts_ns = inode_of("/proc/self/ns/uts");
	t.cgroup_id = 0;

	RecordContext rc;
	FormatContext c = rc.derive(ev);
	char host[256] = {};
	gethostname(host, sizeof(host) - 1);
	assert_string_equal(c.hostname.c_str(), host);
	assert_int_equal(c.mnt_ns, inode_of("/proc/self/ns/mnt"));
	assert_string_equal(c.container_id.c_str(), "");
	assert_int_equal(c.thread_entity_id, task_entity_id(t.tid, t.start_time_ns));
	if (t.tid == t.pid)
		assert_int_equal(c.process_entity_id, c.thread_entity_id);
	std::optional<ProcStat> parent = read_proc_stat(t.ppid);
	assert_true(parent.has_value());
	assert_int_equal(c.parent_entity_id,
			 task_entity_id(t.ppid, ticks_to_ns(parent->start_ticks,
							     clock_ticks_per_sec())));
	// The cached answer is the same.
	FormatContext again = rc.derive(ev);
	assert_int_equal(again.mnt_ns, c.mnt_ns);
	assert_string_equal(again.hostname.c_str(), c.hostname.c_str());

	// The same tid with another start time: a dead task, nothing from /proc.
	t.start_time_ns += 5000000000ULL;
	c = rc.derive(ev);
	assert_int_equal(c.mnt_ns, 0);
	assert_int_equal(c.parent_entity_id, task_entity_id(t.ppid, ticks_to_ns(
						       parent->start_ticks, clock_ticks_per_sec())));
	assert_int_equal(c.thread_entity_id, task_entity_id(t.tid, t.start_time_ns));

	// A record's own mnt_ns wins (a module that can read it).
	t.mnt_ns = 4026531841U;
	assert_int_equal(rc.derive(ev).mnt_ns, 4026531841U);

	// No owner: the host's name, nothing else.
	ev.owner = ICMPT_OWNER_NONE;
	c = rc.derive(ev);
	assert_string_equal(c.hostname.c_str(), host);
	assert_int_equal(c.thread_entity_id, 0);
	assert_int_equal(c.mnt_ns, 0);
}

// --- lines with a container ---

void test_lines_with_container(void **)
{
	setenv("TZ", "UTC", 1);
	tzset();
	icmpt_event ev = sample_echo_request();
	FormatContext ctx;
	ctx.hostname = "web-1";
	ctx.container_id = kId;
	ctx.mnt_ns = 4026532999U;

	std::string text;
	format_text(ev, ctx, text);
	assert_string_equal(text.c_str(),
			    "18:09:41.814910 cpu6 out 192.168.200.50 > 8.8.8.8 EchoRequest id=6 "
			    "seq=2 csum=0x9549 len=84 pid=1094692 tid=1094692 uid=1000 comm=ping "
			    "ctr=4c01db0b339c owner=sender\n");

	std::string kv;
	format_kv(ev, ctx, kv);
	assert_true(kv.ends_with(" icmp_seq=2 container=" + kId + " hostname=web-1\n"));
	// The record's mnt_ns is kept; the derived one fills a 0.
	assert_true(kv.find(" mnt_ns=4026531841 ") != std::string::npos);
	ev.task.mnt_ns = 0;
	kv.clear();
	format_kv(ev, ctx, kv);
	assert_true(kv.find(" mnt_ns=4026532999 ") != std::string::npos);

	std::string json;
	format_json(ev, ctx, json);
	for (const std::string &want :
	     {std::string("\"mountNamespace\":4026532999,"),
	      "\"hostName\":\"web-1\",\"containerId\":\"" + kId + "\",\"container\":{\"id\":\"" +
		      kId + "\"},\"kubernetes\":{},"}) {
		if (json.find(want) == std::string::npos)
			fail_msg("missing %s in %s", want.c_str(), json.c_str());
	}

	// A host process: no ctr, an empty container key, tracee's empty object.
	ctx.container_id.clear();
	text.clear();
	format_text(ev, ctx, text);
	assert_true(text.find("comm=ping owner=sender\n") != std::string::npos);
	kv.clear();
	format_kv(ev, ctx, kv);
	assert_true(kv.ends_with(" container= hostname=web-1\n"));
	json.clear();
	format_json(ev, ctx, json);
	assert_true(json.find("\"containerId\":\"\",\"container\":{},") != std::string::npos);

	// A hostname with a space stays one kv token.
	ctx.hostname = "a b";
	kv.clear();
	format_kv(ev, ctx, kv);
	assert_true(kv.ends_with(" hostname=a\\x20b\n"));
}

} // namespace

int main()
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_container_paths),
		cmocka_unit_test(test_murmur_vectors),
		cmocka_unit_test(test_entity_ids_of_seed),
		cmocka_unit_test(test_json_equals_tracee_line_with_ids),
		cmocka_unit_test(test_lru),
		cmocka_unit_test(test_parse_proc_stat),
		cmocka_unit_test(test_find_cgroup2_mount),
		cmocka_unit_test(test_cgroup_resolver_live),
		cmocka_unit_test(test_proc_task_self),
		cmocka_unit_test(test_uts_names),
		cmocka_unit_test(test_record_context_self),
		cmocka_unit_test(test_lines_with_container),
	};
	return cmocka_run_group_tests_name("derived", tests, nullptr, nullptr);
}
