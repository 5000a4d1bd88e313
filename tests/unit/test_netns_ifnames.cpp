// if_name asked in the packet's network namespace (pcap/netns_ifnames): a
// child in a namespace of its own renames its lo, and every way of finding
// that namespace must give the new name; a namespace nobody holds gets the
// placeholder.  Needs root (unshare); skipped without it.
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "pcap/capture_reader.hpp"
#include "pcap/capture_writer.hpp"
#include "pcap/netns_ifnames.hpp"
#include "sample_events.hpp"
#include "util/unique_fd.hpp"
// Last: cmocka defines macros (fail, skip) that clash with the C++ library.
#include "cmocka_includes.hpp"

using namespace icmptrace;
using namespace icmptrace::test;

namespace {

constexpr const char *kName = "icmpt-ut-lo";
constexpr const char *kTun = "icmpt-ut-tun";

// A tun device named kTun in the caller's namespace, for as long as the
// process lives; its ifindex, 0 if none could be made.
uint32_t add_tun()
{
	const int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	ifreq ifr{};
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	std::strcpy(ifr.ifr_name, kTun);
	if (fd < 0 || ioctl(fd, TUNSETIFF, &ifr) != 0)
		return 0;
	return if_nametoindex(kTun);	// fd stays open: the device with it
}

// A child in a new network namespace whose lo (ifindex 1) is named kName,
// and with a tun device (ifindex tun) where one can be made.
struct NetnsChild {
	pid_t pid = -1;
	uint32_t netns = 0;
	uint32_t tun = 0;

	// False: no namespace could be made (not root).
	bool start()
	{
		int p[2];
		assert_int_equal(pipe(p), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			// A failed assertion longjmps past stop(): die with the test.
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			close(p[0]);
			uint32_t ino = 0;
			struct stat st;
			ifreq ifr{};
			std::strcpy(ifr.ifr_name, "lo");
			std::strcpy(ifr.ifr_newname, kName);
			int s = -1;
			if (unshare(CLONE_NEWNET) == 0 && stat("/proc/self/ns/net", &st) == 0 &&
			    (s = socket(AF_INET, SOCK_DGRAM, 0)) >= 0 &&
			    ioctl(s, SIOCSIFNAME, &ifr) == 0)
				ino = static_cast<uint32_t>(st.st_ino);
			const uint32_t msg[2] = {ino, ino ? add_tun() : 0};
			if (write(p[1], msg, sizeof(msg)) != sizeof(msg))
				_exit(1);
			pause();
			_exit(0);
		}
		close(p[1]);
		uint32_t msg[2] = {};
		assert_int_equal(read(p[0], msg, sizeof(msg)), sizeof(msg));
		close(p[0]);
		netns = msg[0];
		tun = msg[1];
		return netns != 0;
	}
	void stop()
	{
		if (pid <= 0)
			return;
		kill(pid, SIGKILL);
		waitpid(pid, nullptr, 0);
		pid = -1;
	}
	~NetnsChild() { stop(); }
};

void test_placeholder_and_own(void **)
{
	NetnsIfnames n;
	assert_string_equal(n.name(12345, 3, 0).c_str(), "ifindex 3 (netns 12345)");
	assert_string_equal(n.name(n.own_netns(), 0, 0).c_str(),
			    ifname_placeholder(n.own_netns(), 0).c_str());
	char lo[IF_NAMESIZE] = "";
	assert_non_null(if_indextoname(1, lo));
	assert_string_equal(n.name(n.own_netns(), 1, 0).c_str(), lo);
}

// By the owner's pid, by a /run/netns entry, by scanning /proc.
void test_other_netns(void **)
{
	NetnsChild c;
	if (!c.start()) {
		std::printf("# no network namespace of our own (not root?)\n");
		skip();
	}
	assert_string_equal(NetnsIfnames().name(c.netns, 1, c.pid).c_str(), kName);
	assert_string_equal(NetnsIfnames("/proc", "/nonexistent").name(c.netns, 1, 0).c_str(),
			    kName);
	char dir[] = "/tmp/icmpt-netns-XXXXXX";
	assert_non_null(mkdtemp(dir));
	const std::string link = std::string(dir) + "/ns";
	const std::string target = "/proc/" + std::to_string(c.pid) + "/ns/net";
	assert_int_equal(symlink(target.c_str(), link.c_str()), 0);
	NetnsIfnames run_only("/nonexistent", dir);
	assert_string_equal(run_only.name(c.netns, 1, 0).c_str(), kName);
	unlink(link.c_str());
	rmdir(dir);
	// Cached: the same answer once the namespace is gone.
	c.stop();
	assert_string_equal(run_only.name(c.netns, 1, 0).c_str(), kName);
	assert_string_equal(NetnsIfnames().name(c.netns, 1, 0).c_str(),
			    ifname_placeholder(c.netns, 1).c_str());
}

// The capture loop waits for each lookup, so it costs one visit a namespace
// and one scan of /proc for all the namespaces the scan passed.
void test_one_scan_one_visit(void **)
{
	NetnsChild first, second;
	if (!first.start() || !second.start())
		skip();
	NetnsIfnames n("/proc", "/nonexistent");
	// /proc lists pids in order: the scan for the later child passes the
	// earlier one.
	NetnsChild &later = first.pid > second.pid ? first : second;
	NetnsChild &earlier = first.pid > second.pid ? second : first;
	assert_string_equal(n.name(later.netns, 1, 0).c_str(), kName);
	assert_int_equal(n.scans(), 1);
	assert_string_equal(n.name(earlier.netns, 1, 0).c_str(), kName);
	assert_int_equal(n.scans(), 1);
	if (!later.tun) {
		std::printf("# no tun device: the one-visit check skipped\n");
		return;
	}
	// Its namespace gone, the tun's name can come only from the first visit.
	later.stop();
	assert_string_equal(n.name(later.netns, later.tun, 0).c_str(), kTun);
	assert_int_equal(n.scans(), 1);
}

// The IDB if_name of a -w file for a packet of another namespace.  (It was
// "ifindex 1".)
void test_writer_names_interface(void **)
{
	NetnsChild c;
	if (!c.start())
		skip();
	char path[] = "/tmp/icmpt-ifname-XXXXXX";
	const int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	icmpt_event ev = sample_echo_request();
	ev.pkt_netns = c.netns;
	ev.ifindex = 1;
	ev.task.pid = static_cast<uint32_t>(c.pid);
	const uint8_t ip[28] = {0x45};
	for (bool live : {true, false}) {
		CaptureOptions o;
		o.path = path;
		o.live_names = live;
		CaptureWriter w(o);
		assert_true(w.add(ev, FormatContext{}, ip, 0));
		w.close();
		UniqueFd in(open(path, O_RDONLY | O_CLOEXEC));
		CaptureReader r(fd_source(in.get(), path));
		const CapturedPacket *p = r.next();
		assert_non_null(p);
		const std::string want = live ? kName : ifname_placeholder(c.netns, 1);
		assert_string_equal(std::string(p->if_name).c_str(), want.c_str());
	}
	unlink(path);
}

} // namespace

int main()
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_placeholder_and_own),
		cmocka_unit_test(test_other_netns),
		cmocka_unit_test(test_one_scan_one_visit),
		cmocka_unit_test(test_writer_names_interface),
	};
	return cmocka_run_group_tests_name("netns_ifnames", tests, nullptr, nullptr);
}
