// --output FILE: appending, reopening after a rename (logrotate), and the
// trace loop's SIGHUP hook that calls the reopen between batches.
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/output_file.hpp"
#include "cli/trace_loop.hpp"
#include "ring/ring_consumer.hpp"
#include "sample_events.hpp"
#include "synthetic_ring.hpp"
#include "util/error.hpp"
#include "util/unique_fd.hpp"
// Last: cmocka defines macros (fail, skip) that clash with the C++ library.
#include "cmocka_includes.hpp"

using namespace icmptrace;
using namespace icmptrace::test;

namespace {

struct TempDir {
	std::string path;
	TempDir()
	{
		char tmpl[] = "/tmp/icmpt-output-XXXXXX";
		assert_non_null(mkdtemp(tmpl));
		path = tmpl;
	}
	~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
};

std::string slurp(const std::string &path)
{
	std::ifstream in(path);
	std::stringstream ss;
	ss << in.rdbuf();
	return ss.str();
}

void put(OutputFile &f, const char *line)
{
	assert_true(std::fputs(line, f.stream()) >= 0);
}

// Appends to what is there; after a rename and reopen, lines go to a new
// file of the same name and the renamed one keeps exactly the earlier ones.
void test_reopen_after_rename(void **)
{
	TempDir d;
	const std::string p = d.path + "/trace.json";
	{
		std::ofstream pre(p);
		pre << "old\n";
	}
	OutputFile f(p);
	put(f, "one\n");
	put(f, "two\n");	// still in the stream's buffer: reopen must flush it
	assert_int_equal(std::rename(p.c_str(), (p + ".1").c_str()), 0);
	assert_string_equal(f.reopen().c_str(), "");
	put(f, "three\n");
	std::fflush(f.stream());
	assert_string_equal(slurp(p + ".1").c_str(), "old\none\ntwo\n");
	assert_string_equal(slurp(p).c_str(), "three\n");
	struct stat st;
	assert_int_equal(stat(p.c_str(), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
}

// A reopen that cannot open the path keeps writing the old file.
void test_reopen_failure_keeps_old_file(void **)
{
	TempDir d;
	const std::string sub = d.path + "/sub", p = sub + "/trace.json";
	assert_int_equal(mkdir(sub.c_str(), 0700), 0);
	OutputFile f(p);
	put(f, "a\n");
	assert_int_equal(std::rename(sub.c_str(), (d.path + "/moved").c_str()), 0);
	std::string err = f.reopen();
	assert_true(err.find("reopen " + p) == 0);
	put(f, "b\n");
	std::fflush(f.stream());
	assert_string_equal(slurp(d.path + "/moved/trace.json").c_str(), "a\nb\n");
}

void test_open_failure_is_an_error(void **)
{
	bool threw = false;
	try {
		OutputFile f("/nonexistent-dir/x");
	} catch (const Error &e) {
		threw = std::string(e.what()).find("open /nonexistent-dir/x") == 0;
	}
	assert_true(threw);
}

// A signalfd_siginfo as the loop reads it from its stop fd.
void send_signal(int fd, int sig)
{
	signalfd_siginfo si{};
	si.ssi_signo = static_cast<uint32_t>(sig);
	assert_int_equal(write(fd, &si, sizeof(si)), sizeof(si));
}

struct Loop {
	SyntheticRing ring{4096};
	std::vector<RingConsumer> rings;
	UniqueFd idle{eventfd(0, EFD_CLOEXEC)};
	UniqueFd stop_rd, stop_wr;
	LoopConfig cfg;
	Loop()
	{
		rings.emplace_back(0, ring.view(), false);
		cfg.format = OutputFormat::Kv;
		int p[2];
		assert_int_equal(pipe(p), 0);
		stop_rd.reset(p[0]);
		stop_wr.reset(p[1]);
		for (int i = 0; i < 3; ++i)
			assert_true(ring.push(packet_record(sample_echo_request())));
	}
};

size_t lines(const std::string &s)
{
	size_t n = 0;
	for (char c : s)
		n += c == '\n';
	return n;
}

// SIGHUP with a hook: the hook runs, the loop goes on to the next stop
// signal, and every record is still written.
void test_loop_hangup_calls_hook(void **)
{
	TempDir d;
	const std::string p = d.path + "/t.kv";
	OutputFile f(p);
	Loop l;
	int hups = 0;
	l.cfg.on_hangup = [&]() {
		++hups;
		assert_int_equal(std::rename(p.c_str(), (p + ".1").c_str()), 0);
		assert_string_equal(f.reopen().c_str(), "");
	};
	send_signal(l.stop_wr.get(), SIGHUP);
	send_signal(l.stop_wr.get(), SIGTERM);
	std::FILE *err = std::tmpfile();
	LoopResult r = run_trace_loop(l.idle.get(), l.stop_rd.get(), l.rings, l.cfg,
				      f.stream(), err);
	std::fclose(err);
	assert_int_equal(hups, 1);
	assert_int_equal(r.signal, SIGTERM);
	assert_int_equal(r.records, 3);
	// The hook ran before the batch: all of it is in the new file.
	assert_int_equal(lines(slurp(p)), 3);
	assert_int_equal(lines(slurp(p + ".1")), 0);
}

// Without a hook (no --output), SIGHUP stops the loop like SIGTERM.
void test_loop_hangup_without_hook_stops(void **)
{
	Loop l;
	send_signal(l.stop_wr.get(), SIGHUP);
	std::FILE *out = std::tmpfile(), *err = std::tmpfile();
	LoopResult r = run_trace_loop(l.idle.get(), l.stop_rd.get(), l.rings, l.cfg, out, err);
	std::fclose(out);
	std::fclose(err);
	assert_int_equal(r.signal, SIGHUP);
	assert_int_equal(r.records, 3);
}

} // namespace

int main()
{
	const CMUnitTest tests[] = {
		cmocka_unit_test(test_reopen_after_rename),
		cmocka_unit_test(test_reopen_failure_keeps_old_file),
		cmocka_unit_test(test_open_failure_is_an_error),
		cmocka_unit_test(test_loop_hangup_calls_hook),
		cmocka_unit_test(test_loop_hangup_without_hook_stops),
	};
	return cmocka_run_group_tests_name("output_file", tests, nullptr, nullptr);
}
