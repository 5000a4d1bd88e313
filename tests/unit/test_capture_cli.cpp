// -w and -r as a user runs them (issue 13's open defects): a closed pipe
// ends a capture quietly, -r -w keeps --summary and --print, -r and -w never
// clobber the file being read, the flags that cannot go together are
// refused.  The capture read is the fuzzer's seed of our own format: an echo
// request out, its reply in, a port unreachable in.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "cli/cli.hpp"
#include "cli/options.hpp"
#include "cli_child.hpp"
#include "scratch.hpp"
#include "pcap/capture_reader.hpp"
#include "pcap/capture_writer.hpp"
#include "pcap/packet_event.hpp"
#include "sample_events.hpp"
#include "sample_packets.hpp"
#include "util/error.hpp"
#include "util/unique_fd.hpp"
// Last: cmocka defines macros (fail, skip) that clash with the C++ library.
#include "cmocka_includes.hpp"

using namespace icmptrace;
using namespace icmptrace::test;
using Args = std::vector<std::string>;

namespace {

const std::string kOwn = TESTDATA_DIR "/../../fuzz/corpus_capture/own.pcapng";


std::string slurp(const std::string &path)
{
	std::string s;
	FILE *f = std::fopen(path.c_str(), "rb");
	if (!f)
		return s;
	char buf[4096];
	size_t n;
	while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0)
		s.append(buf, n);
	std::fclose(f);
	return s;
}

// Packets of a capture file, or -1 if it does not read to its end.
int packets_in(const std::string &path)
{
	UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
	if (!fd.valid())
		return -1;
	try {
		CaptureReader r(fd_source(fd.get(), path));
		int n = 0;
		while (r.next())
			++n;
		return n;
	} catch (const std::exception &) {
		return -1;
	}
}

size_t count(const std::string &s, const char *what)
{
	size_t n = 0;
	for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1))
		++n;
	return n;
}

// The writer on a pipe whose reader leaves: EPIPE ends it quietly, every
// later call says so, and closing is no error.  (It threw "Broken pipe".)
void test_writer_closed_pipe(void **)
{
	::signal(SIGPIPE, SIG_IGN);
	TempDir dir("icmpt-capcli");
	const std::string fifo = dir / "fifo";
	assert_int_equal(mkfifo(fifo.c_str(), 0600), 0);
	UniqueFd reader(open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
	assert_true(reader.valid());
	CaptureOptions o;
	o.path = fifo;
	CaptureWriter w(o);	// its section header is in the pipe
	assert_false(w.output_closed());
	reader.reset();	// head -c 100 has had enough
	const icmpt_event ev = sample_echo_request();
	const uint8_t ip[28] = {0x45};
	assert_true(w.add(ev, FormatContext{}, ip, 0));	// buffered
	assert_false(w.flush());
	assert_true(w.output_closed());
	assert_false(w.add(ev, FormatContext{}, ip, 0));
	w.close();
}

// The program on such a pipe: exit 0 and no error, as the text output and
// tcpdump; the count of what was read still goes to stderr.
void test_closed_stdout_is_no_error(void **)
{
	::signal(SIGPIPE, SIG_IGN);
	int p[2];
	assert_int_equal(pipe(p), 0);
	close(p[0]);
	UniqueFd out(p[1]);
	for (const Args &args : {Args{"-r", kOwn, "-w", "-"}, Args{"-r", kOwn}}) {
		ChildResult r = run_cli_child(args, out.get());
		if (r.status != 0 || r.err.find("Broken pipe") != std::string::npos ||
		    r.err.find("packets read") == std::string::npos)
			fail_msg("%s %s: exit %d, stderr '%s'", args[0].c_str(),
				 args.back().c_str(), r.status, r.err.c_str());
	}
}

// -r on a non-blocking standard output (a parent's pipe set O_NONBLOCK) that
// fills: the lines wait for room, none lost, as a live run's.  (stdio gave
// up with "Resource temporarily unavailable" and exit 1.)
void test_read_to_nonblocking_pipe(void **)
{
	TempDir dir("icmpt-capnb");
	const std::string big = dir / "big.pcapng";
	{
		// Sections of a pcapng follow one another: 3 packets, 600 times.
		const std::string one = slurp(kOwn);
		File f(std::fopen(big.c_str(), "wb"));
		for (int i = 0; i < 600; ++i)
			assert_int_equal(std::fwrite(one.data(), 1, one.size(), f.get()), one.size());
	}
	const std::string want_path = dir / "want.json";
	{
		File f(std::fopen(want_path.c_str(), "w"));
	}
	assert_int_equal(run_cli_child({"-r", big, "--json"}, want_path.c_str()).status, 0);
	const std::string want = slurp(want_path);
	assert_int_equal(count(want, "\n"), 1800);
	int p[2];
	assert_int_equal(pipe2(p, O_NONBLOCK), 0);
	UniqueFd rd(p[0]), wr(p[1]);
	const std::string got_path = dir / "got.json";
	// The pipe's reader is a process, not a thread: run_cli_child() forks,
	// and a thread that held the allocator's lock at that instant (ASan's,
	// in trixie's build) left the child waiting for it for ever.
	const pid_t reader = fork();
	assert_true(reader >= 0);
	if (reader == 0) {
		wr.reset();
		UniqueFd out(::open(got_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
		usleep(200000);	// the pipe fills first
		char buf[4096];
		for (;;) {
			const ssize_t n = read(rd.get(), buf, sizeof(buf));
			if (n > 0 && write(out.get(), buf, static_cast<size_t>(n)) != n)
				_exit(1);
			if (n == 0 || (n < 0 && errno != EAGAIN))
				_exit(n == 0 ? 0 : 1);
			if (n < 0)
				usleep(1000);
		}
	}
	rd.reset();
	ChildResult r = run_cli_child({"-r", big, "--json"}, wr.get());
	wr.reset();
	int st = 0;
	assert_int_equal(waitpid(reader, &st, 0), reader);
	if (r.status != 0)
		fail_msg("exit %d, stderr '%s'", r.status, r.err.c_str());
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_true(slurp(got_path) == want);
}

// -r - of a non-blocking pipe written bit by bit: the reader waits for its
// bytes (it failed with EAGAIN), and says when it is about to wait (where
// -r flushes its lines).
void test_read_from_nonblocking_pipe(void **)
{
	const std::string one = slurp(kOwn);
	int p[2];
	assert_int_equal(pipe2(p, O_NONBLOCK), 0);
	UniqueFd rd(p[0]), wr(p[1]);
	std::thread writer([&one, &wr] {
		for (size_t at = 0; at < one.size(); at += 100) {
			usleep(20000);
			const size_t n = std::min<size_t>(100, one.size() - at);
			assert_int_equal(write(wr.get(), one.data() + at, n), n);
		}
		wr.reset();
	});
	int idle = 0, n = 0;
	try {
		CaptureReader r(fd_source(rd.get(), "pipe", [&idle] { ++idle; }));
		while (r.next())
			++n;
	} catch (const std::exception &e) {
		writer.join();
		fail_msg("%s", e.what());
	}
	writer.join();
	assert_int_equal(n, 3);
	assert_true(idle > 0);
}

// --output never names the file -r reads nor -w's, by any name: the lines
// were appended to the capture, which then read as garbage.
void test_output_never_names_a_capture(void **)
{
	TempDir dir("icmpt-capout");
	const std::string in = dir / "in.pcapng", link = dir / "link", out = dir / "w.pcapng",
			  outlink = dir / "wlink";
	const std::string own = slurp(kOwn);
	{
		File f(std::fopen(in.c_str(), "wb"));
		assert_int_equal(std::fwrite(own.data(), 1, own.size(), f.get()), own.size());
	}
	assert_int_equal(symlink(in.c_str(), link.c_str()), 0);
	assert_int_equal(symlink(out.c_str(), outlink.c_str()), 0);
	struct Case {
		Args args;
		const char *error;
	};
	const Case cases[] = {
		{{"-r", in, "-o", in}, "--output and -r name the same file"},
		{{"-r", in, "-o", link}, "is the file -r reads"},
		{{"-r", in, "-w", out, "--print", "-o", out}, "--output and -w name the same file"},
		{{"-r", in, "-w", out, "--print", "-o", outlink}, "is the --output file"},
	};
	for (const Case &c : cases) {
		ChildResult r = run_cli_child(c.args, "/dev/null");
		if (r.status != 2 || r.err.find(c.error) == std::string::npos)
			fail_msg("%s: exit %d, stderr '%s'", c.args.back().c_str(), r.status,
				 r.err.c_str());
		assert_true(slurp(in) == own);
		assert_true(slurp(out).empty());
		unlink(out.c_str());
	}
}

// The program in a child with stdout on out_fd and stderr to err_path, not
// waited for: the test signals it.
pid_t start_cli(const Args &args, int out_fd, const std::string &err_path)
{
	const pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (err < 0 || dup2(out_fd, STDOUT_FILENO) < 0 || dup2(err, STDERR_FILENO) < 0)
			_exit(99);
		_exit(run_cli(args));
	}
	return pid;
}

// Waits (up to 10 s) until path holds n lines.
bool wait_lines(const std::string &path, size_t n)
{
	for (int i = 0; i < 1000; ++i) {
		if (count(slurp(path), "\n") >= n)
			return true;
		usleep(10000);
	}
	return false;
}

// The exit status of pid, -1 if a signal ended it; its time in ms.
int wait_exit(pid_t pid, long &ms)
{
	const auto t0 = std::chrono::steady_clock::now();
	int ws = 0;
	assert_int_equal(waitpid(pid, &ws, 0), pid);
	ms = static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(
				       std::chrono::steady_clock::now() - t0)
				       .count());
	return WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
}

// -r of a pipe that never ends, stopped by SIGINT and SIGTERM: the lines, the
// -w file and the closing line are out, exit 0.  (The signal killed it:
// exit 130, nothing printed, a -w file of its section header alone.)
void test_read_pipe_stopped_by_signal(void **)
{
	TempDir dir("icmpt-capsig");
	const std::string own = slurp(kOwn), lines = dir / "lines", err = dir / "err",
			  w = dir / "w.pcapng";
	for (const int sig : {SIGINT, SIGTERM}) {
		int p[2];
		assert_int_equal(pipe2(p, O_CLOEXEC), 0);
		UniqueFd rd(p[0]), wr(p[1]);
		assert_int_equal(fcntl(rd.get(), F_SETFD, 0), 0);	// the child's input
		assert_int_equal(write(wr.get(), own.data(), own.size()), own.size());
		UniqueFd out(open(lines.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
		const Args args = sig == SIGINT
			? Args{"-r", "/dev/fd/" + std::to_string(rd.get()), "--json"}
			: Args{"-r", "/dev/fd/" + std::to_string(rd.get()), "-w", w, "--print"};
		const pid_t pid = start_cli(args, out.get(), err);
		rd.reset();
		// The lines are out while it waits for more input.
		const bool printed = wait_lines(lines, 3);
		kill(pid, sig);
		long ms = 0;
		const int status = wait_exit(pid, ms);
		const std::string e = slurp(err);
		if (!printed || status != 0 ||
		    e.find("3 packets read (stopped by a signal), 3 ICMP records") == std::string::npos)
			fail_msg("signal %d: printed %d, exit %d, stderr '%s'", sig, printed, status,
				 e.c_str());
		assert_int_equal(count(slurp(lines), "\n"), 3);
		if (sig == SIGTERM)
			assert_int_equal(packets_in(w), 3);
	}
}

// A stop while the output takes nothing: given up on half a second later,
// with the count of lines not written.  (It waited for the output forever.)
void test_read_stalled_output_stopped(void **)
{
	TempDir dir("icmpt-capstall");
	const std::string big = dir / "big.pcapng", err = dir / "err";
	{
		const std::string one = slurp(kOwn);
		File f(std::fopen(big.c_str(), "wb"));
		for (int i = 0; i < 600; ++i)
			assert_int_equal(std::fwrite(one.data(), 1, one.size(), f.get()), one.size());
	}
	int p[2];
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	UniqueFd rd(p[0]), wr(p[1]);	// nobody reads rd
	const pid_t pid = start_cli({"-r", big, "--json"}, wr.get(), err);
	usleep(300000);	// the pipe is full
	kill(pid, SIGINT);
	long ms = 0;
	const int status = wait_exit(pid, ms);
	const std::string e = slurp(err);
	if (status != 0 || ms > 3000 ||
	    e.find("(stopped by a signal)") == std::string::npos ||
	    e.find("not written (the output took nothing after the stop)") == std::string::npos)
		fail_msg("exit %d after %ld ms, stderr '%s'", status, ms, e.c_str());
}

// A closed stdout is an output that fails, for the lines and for -w -: the
// input or the -w file never takes fd 1.
void test_read_with_stdout_closed(void **)
{
	for (const Args &args : {Args{"-r", kOwn, "--json"}, Args{"-r", kOwn, "-w", "-"}}) {
		ChildResult r = run_cli_child(args, kStdoutClosed);
		if (r.status != 1 || r.err.find("Bad file descriptor") == std::string::npos)
			fail_msg("%s: exit %d, stderr '%s'", args.back().c_str(), r.status,
				 r.err.c_str());
	}
}

// An Ethernet frame of 9 VLAN tags (one more than are taken off) is said in
// a warning, not taken for "no ICMP here"; one of 8 is decoded.
void test_too_many_vlan_tags_said(void **)
{
	TempDir dir("icmpt-capvlan");
	auto le32 = [](std::string &s, uint32_t v) {
		for (int i = 0; i < 4; ++i)
			s += static_cast<char>(v >> (8 * i));
	};
	std::string f;
	for (const uint32_t v : {0xa1b2c3d4u, 0x00040002u, 0u, 0u, 65535u, 1u})	// Ethernet
		le32(f, v);
	const std::string ip("\x45\0\0\x1c\0\0\0\0\x40\x01\0\0\x0a\0\0\x01\x0a\0\0\x02"
			     "\x08\0\xf7\xfe\0\x01\0\0",
			     28);
	for (const int tags : {8, 9}) {
		std::string frame(12, '\x02');
		for (int i = 0; i < tags; ++i)
			frame += std::string("\x81\x00\x00\x05", 4);
		frame += std::string("\x08\x00", 2) + ip;
		for (const uint32_t v : {1u, 0u, static_cast<uint32_t>(frame.size()),
					 static_cast<uint32_t>(frame.size())})
			le32(f, v);
		f += frame;
	}
	const std::string path = dir / "tags.pcap";
	{
		File out(std::fopen(path.c_str(), "wb"));
		assert_int_equal(std::fwrite(f.data(), 1, f.size(), out.get()), f.size());
	}
	ChildResult r = run_cli_child({"-r", path}, "/dev/null");
	if (r.status != 0 ||
	    r.err.find("WARNING: 1 Ethernet frames of more than 8 VLAN tags not decoded") ==
		    std::string::npos ||
	    r.err.find("2 packets read, 1 ICMP records printed") == std::string::npos)
		fail_msg("exit %d, stderr '%s'", r.status, r.err.c_str());
}

// -r -w --summary: the file rewritten and the table of what was written, as a
// live -w --summary gives it; the filter applies to both.  (The table was
// empty.)
void test_rewrite_keeps_summary(void **)
{
	TempDir dir("icmpt-capcli");
	const std::string out = dir / "out.pcapng", table = dir / "table";
	assert_int_equal(close(open(table.c_str(), O_CREAT | O_WRONLY, 0600)), 0);
	ChildResult r = run_cli_child({"-r", kOwn, "-w", out, "--summary"}, table.c_str());
	assert_int_equal(r.status, 0);
	std::string t = slurp(table);
	assert_int_equal(packets_in(out), 3);
	assert_int_equal(count(t, "icmptrace summary: 3 packets"), 1);
	assert_int_equal(count(t, "EchoRequest"), 1);
	assert_int_equal(count(t, "DestinationUnreachable(Port)"), 2);	// by type, by destination
	assert_int_equal(count(t, "cpu0"), 0);	// no lines

	assert_int_equal(truncate(table.c_str(), 0), 0);
	r = run_cli_child({"-r", kOwn, "-w", out, "--summary", "--type", "echo-reply", "--json"},
			  table.c_str());
	assert_int_equal(r.status, 0);
	assert_int_equal(packets_in(out), 1);
	t = slurp(table);
	assert_int_equal(count(t, "\"packets\":1"), 1);
	assert_int_equal(count(t, "EchoRequest"), 0);

	// Plain -r --summary: the same table.
	assert_int_equal(truncate(table.c_str(), 0), 0);
	r = run_cli_child({"-r", kOwn, "--summary"}, table.c_str());
	assert_int_equal(r.status, 0);
	assert_int_equal(count(slurp(table), "icmptrace summary: 3 packets"), 1);
}

// -r -w --print: the lines too, to --output when given.  (None were printed.)
void test_rewrite_prints_lines(void **)
{
	TempDir dir("icmpt-capcli");
	const std::string out = dir / "out.pcapng", lines = dir / "lines";
	const std::string std_out = dir / "stdout";
	assert_int_equal(close(open(std_out.c_str(), O_CREAT | O_WRONLY, 0600)), 0);
	ChildResult r = run_cli_child({"-r", kOwn, "-w", out, "--print", "-o", lines},
				      std_out.c_str());
	assert_int_equal(r.status, 0);
	assert_int_equal(packets_in(out), 3);
	const std::string l = slurp(lines);
	assert_int_equal(count(l, "\n"), 3);
	assert_int_equal(count(l, "EchoRequest id=1 seq=1"), 1);
	assert_string_equal(slurp(std_out).c_str(), "");
}

// -r F -w ./F, or F reached any other way: refused before F is emptied.
// (O_TRUNC emptied it: 0 packets read.)
void test_rewrite_never_clobbers_input(void **)
{
	TempDir dir("icmpt-capcli");
	const std::string f = dir / "f.pcapng";
	const std::string own = slurp(kOwn);
	FILE *c = std::fopen(f.c_str(), "wb");
	assert_non_null(c);
	assert_int_equal(std::fwrite(own.data(), 1, own.size(), c), own.size());
	std::fclose(c);
	const std::string other_name = dir.path + "/./f.pcapng";
	ChildResult r = run_cli_child({"-r", f, "-w", other_name}, "/dev/null");
	assert_int_equal(r.status, kExitUsage);
	assert_non_null(std::strstr(r.err.c_str(), "is the file -r reads"));
	assert_true(slurp(f) == own);
	// The writer itself, for any file of a rotation.
	struct stat st;
	assert_int_equal(stat(f.c_str(), &st), 0);
	CaptureOptions o;
	o.path = other_name;
	o.keep.push_back({st.st_dev, st.st_ino, "the file -r reads"});
	bool thrown = false;
	try {
		CaptureWriter w(o);
	} catch (const Error &e) {
		thrown = true;
	}
	assert_true(thrown);
	assert_true(slurp(f) == own);
}

// What goes with what: the advice of one message must not lead to another.
void test_flag_combinations(void **)
{
	auto action = [](const Args &a) { return parse_args(a).action; };
	// "-w - and --summary ... (add --output FILE)": and so it runs.
	assert_int_equal(action({"-w", "-", "--summary"}), ParsedArgs::Action::UsageError);
	assert_int_equal(action({"-w", "-", "--summary", "-o", "t"}), ParsedArgs::Action::Run);
	assert_int_equal(action({"-w", "f", "--summary", "-o", "t"}), ParsedArgs::Action::Run);
	assert_int_equal(action({"-w", "f", "-o", "t"}), ParsedArgs::Action::UsageError);
	// -r reads a file: a command to trace has nothing to do there.
	ParsedArgs p = parse_args({"-r", "f", "--", "ping", "x"});
	assert_int_equal(p.action, ParsedArgs::Action::UsageError);
	assert_non_null(std::strstr(p.error.c_str(), "-- COMMAND does not go with -r"));
}

// -r with what only a live trace means: a usage error that names the
// option, exit 2, nothing read.  (-t, -d and --immediate-mode were dropped
// without a word.)  The options -r does use still go with it.
void test_read_refuses_live_flags(void **)
{
	const struct {
		Args args;
		const char *error;
	} refused[] = {
		{{"-r", kOwn, "-t", "5"}, "-t does not go with -r"},
		{{"-r", kOwn, "--timeout", "0.5", "-w", "/dev/null"}, "-t does not go with -r"},
		{{"-r", kOwn, "-d", "/dev/icmptrace"}, "-d does not go with -r"},
		{{"--device", "/dev/x", "-r", kOwn}, "-d does not go with -r"},
		{{"-r", kOwn, "--immediate-mode"}, "--immediate-mode does not go with -r"},
	};
	for (const auto &c : refused) {
		const ParsedArgs p = parse_args(c.args);
		if (p.action != ParsedArgs::Action::UsageError ||
		    p.error.find(c.error) == std::string::npos)
			fail_msg("%s %s: action %d, error '%s'", c.args[2].c_str(),
				 c.args[3].c_str(), static_cast<int>(p.action), p.error.c_str());
	}
	ChildResult r = run_cli_child({"-r", kOwn, "-t", "5"}, "/dev/null");
	assert_int_equal(r.status, kExitUsage);
	assert_non_null(std::strstr(r.err.c_str(), "-t does not go with -r"));
	assert_null(std::strstr(r.err.c_str(), "packets read"));
	for (const Args &ok : {Args{"-r", kOwn, "-c", "1", "--json", "-4", "--in"},
			       Args{"-r", kOwn, "-w", "f", "-U", "-C", "1", "-W", "2"},
			       Args{"-t", "5", "-d", "/dev/x", "--immediate-mode"}})
		assert_int_equal(parse_args(ok).action, ParsedArgs::Action::Run);
}

// What is no capture gets its error alone, exit 1: no count of 0 packets
// before it, no crash.
void test_not_a_capture(void **)
{
	ChildResult r = run_cli_child({"-r", "/dev/null"}, "/dev/null");
	assert_int_equal(r.status, kExitRuntime);
	assert_string_equal(r.err.c_str(),
			    "icmptrace: /dev/null: empty input: not a pcap or pcapng file\n");
	r = run_cli_child({"-r", "/tmp"}, "/dev/null");
	assert_int_equal(r.status, kExitRuntime);
	assert_string_equal(r.err.c_str(), "icmptrace: reading /tmp: Is a directory\n");
}

// Packets of a link type -r cannot take apart are said, not taken for a
// capture without ICMP (the trial's find: BSD loopback and 802.11 files
// gave "0 ICMP records printed" and nothing more).
void test_unknown_link_type_is_said(void **)
{
	TempDir d("icmpt-capcli");
	const std::string f = d / "null.pcap";
	// Classic pcap, LINKTYPE_NULL (0): a 4-byte address family, then IP.
	std::vector<uint32_t> w = {0xa1b2c3d4, 0x00040002, 0, 0, 65535, 0};
	for (uint32_t i = 0; i < 2; ++i) {
		const uint32_t rec[] = {i, 0, 32, 32, 2, 0x00001c45, 0, 0x00000140, 0x0100007f,
					0x0100007f, 0, 0};
		w.insert(w.end(), rec, rec + 12);
	}
	FILE *out = std::fopen(f.c_str(), "wb");
	assert_non_null(out);
	assert_int_equal(std::fwrite(w.data(), 4, w.size(), out), w.size());
	std::fclose(out);
	ChildResult r = run_cli_child({"-r", f}, "/dev/null");
	assert_int_equal(r.status, kExitOk);
	assert_non_null(std::strstr(r.err.c_str(),
				    "icmptrace: WARNING: 2 packets of link type 0 not decoded"));
	assert_non_null(std::strstr(r.err.c_str(), "2 packets read, 0 ICMP records printed"));
}

// -r resolves --netns as a live run does: what is no network namespace is
// a usage error, exit 2, before anything is read.
void test_read_netns_checked(void **)
{
	ChildResult r = run_cli_child({"-r", kOwn, "--netns", "/etc/passwd"}, "/dev/null");
	assert_int_equal(r.status, kExitUsage);
	assert_string_equal(r.err.c_str(), "icmptrace: invalid netns '/etc/passwd': not a network "
					   "namespace (give /run/netns/NAME, /proc/PID/ns/net or "
					   "an inode number)\n");
	r = run_cli_child({"-r", kOwn, "--netns", "/proc/self/ns/net"}, "/dev/null");
	assert_int_equal(r.status, kExitOk);
}

// -G with a name without strftime conversions reuses its names each
// period, with -C too (its numbers start again): the warning says so up
// front in both cases (the trial's find: only -G alone was warned of).
void test_rotate_name_warning(void **)
{
	TempDir d("icmpt-capcli");
	const std::string cap = d / "cap";
	for (const Args &a : {Args{"-r", kOwn, "-w", cap, "-G", "60"},
			      Args{"-r", kOwn, "-w", cap, "-G", "60", "-C", "1"}}) {
		ChildResult r = run_cli_child(a, "/dev/null");
		assert_int_equal(r.status, 0);
		assert_non_null(std::strstr(r.err.c_str(),
					    "WARNING: -G with a file name without strftime"));
	}
	ChildResult r = run_cli_child({"-r", kOwn, "-w", cap + "-%S", "-G", "60", "-C", "1"},
				      "/dev/null");
	assert_null(std::strstr(r.err.c_str(), "WARNING"));
}

// stdout of icmptrace ARGS (exit status 0 asserted).
std::string lines_of(const TempDir &dir, const Args &args)
{
	const std::string out = dir / "lines";
	assert_int_equal(close(open(out.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0600)), 0);
	ChildResult r = run_cli_child(args, out.c_str());
	if (r.status != 0)
		fail_msg("exit %d, stderr '%s'", r.status, r.err.c_str());
	return slurp(out);
}

// -r of another tool's packet: its CPU is unknown, not 0.  Text leaves it
// out, kv gives cpu= no value, ECS no icmptrace.cpu, tracee JSON
// processorId -1; so does a rewrite of it (-r -w, and the fuzzer's seed,
// rewritten by an earlier icmptrace with cpu=0).  A record of our own keeps
// its CPU.  (Every format said CPU 0.)
void test_read_foreign_cpu_unknown(void **)
{
	TempDir dir("icmpt-capcpu");
	const std::string in = dir / "tcpdump.pcap", re = dir / "re.pcapng";
	const std::vector<uint8_t> file =
		pcap_file(false, false, kLinktypeLinuxSll2, {sll2(echo_v4(7, 1), 4)});
	{
		File f(std::fopen(in.c_str(), "wb"));
		assert_int_equal(std::fwrite(file.data(), 1, file.size(), f.get()), file.size());
	}
	assert_string_equal(lines_of(dir, {"-r", in, "-w", re}).c_str(), "");
	for (const std::string &path : {in, re, kOwn}) {
		const std::string text = lines_of(dir, {"-r", path});
		assert_int_equal(count(text, " cpu"), 0);
		assert_int_equal(count(text, ".000007 out 10.0.0.1 > 10.0.0.2 EchoRequest"),
				 path == kOwn ? 0 : 1);
		const std::string json = lines_of(dir, {"-r", path, "--json"});
		assert_int_equal(count(json, "\"processorId\":-1,"), count(json, "\n"));
		const std::string kv = lines_of(dir, {"-r", path, "--format", "kv"});
		assert_int_equal(count(kv, " cpu= dir="), count(kv, "\n"));
		assert_int_equal(count(lines_of(dir, {"-r", path, "--format", "ecs"}), "\"cpu\""), 0);
	}
	const std::string own = dir / "own.pcapng";
	{
		CaptureOptions o;
		o.path = own;
		CaptureWriter w(o);
		const icmpt_event ev = sample_echo_request();	// cpu 6, ctx task
		assert_true(w.add(ev, FormatContext{}, echo_v4(7, 1), 0));
		w.close(0);
	}
	assert_int_equal(count(lines_of(dir, {"-r", own}), " cpu6 out "), 1);
	assert_int_equal(count(lines_of(dir, {"-r", own, "--json"}), "\"processorId\":6,"), 1);
	assert_int_equal(count(lines_of(dir, {"-r", own, "--format", "kv"}), " cpu=6 "), 1);
	assert_int_equal(count(lines_of(dir, {"-r", own, "--format", "ecs"}), "\"cpu\":6,"), 1);
}

} // namespace

int main()
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_writer_closed_pipe),
		cmocka_unit_test(test_closed_stdout_is_no_error),
		cmocka_unit_test(test_read_to_nonblocking_pipe),
		cmocka_unit_test(test_read_from_nonblocking_pipe),
		cmocka_unit_test(test_output_never_names_a_capture),
		cmocka_unit_test(test_read_pipe_stopped_by_signal),
		cmocka_unit_test(test_read_with_stdout_closed),
		cmocka_unit_test(test_too_many_vlan_tags_said),
		cmocka_unit_test(test_read_stalled_output_stopped),
		cmocka_unit_test(test_rewrite_keeps_summary),
		cmocka_unit_test(test_rewrite_prints_lines),
		cmocka_unit_test(test_rewrite_never_clobbers_input),
		cmocka_unit_test(test_flag_combinations),
		cmocka_unit_test(test_read_refuses_live_flags),
		cmocka_unit_test(test_not_a_capture),
		cmocka_unit_test(test_unknown_link_type_is_said),
		cmocka_unit_test(test_read_netns_checked),
		cmocka_unit_test(test_rotate_name_warning),
		cmocka_unit_test(test_read_foreign_cpu_unknown),
	};
	return cmocka_run_group_tests_name("capture_cli", tests, nullptr, nullptr);
}
