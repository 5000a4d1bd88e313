// -w's output when it does not simply take the bytes: a file that fills up
// (cut back to whole blocks, packets counted as they are in it), a rotation
// that cannot open its next file, an output that stalls while a stop is
// pending, and one that a supervisor left non-blocking.
#include <fcntl.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cli/trace_loop.hpp"
#include "pcap/capture_reader.hpp"
#include "pcap/capture_writer.hpp"
#include "ring/record.hpp"
#include "ring/ring_consumer.hpp"
#include "sample_events.hpp"
#include "scratch.hpp"
#include "synthetic_ring.hpp"
#include "util/error.hpp"
#include "util/unique_fd.hpp"
#include "cmocka_includes.hpp"

using namespace icmptrace;
using namespace icmptrace::test;
using namespace std::chrono_literals;

namespace {

// 84 bytes of "IP datagram": the writer copies them, whatever they are.
const uint8_t kBytes[84] = {0x45};

// Packets in the file at path, and whether it reads to its end.
struct ReadBack {
	uint64_t packets = 0;
	bool whole = true;
};
ReadBack read_back(const std::string &path)
{
	ReadBack r;
	UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
	assert_true(fd.valid());
	try {
		CaptureReader rd(fd_source(fd.get(), path));
		while (rd.next())
			++r.packets;
	} catch (const CaptureError &) {
		r.whole = false;
	}
	return r;
}

// A full disk (here RLIMIT_FSIZE, which fails a write with EFBIG as ENOSPC
// would, after a partial one), in a child: the file is cut back to its
// last whole block and reads to its end; packets() is what it holds and
// lost() the rest (the trial's find: "515 packets written" for a file of
// 165).
void test_full_file_counts(void **)
{
	TempDir dir("icmpt-capout");
	const std::string path = dir.path + "/cap.pcapng";
	int p[2];
	assert_int_equal(pipe(p), 0);
	const pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		::close(p[0]);
		::signal(SIGXFSZ, SIG_IGN);
		const rlimit lim{20000, 20000};
		::setrlimit(RLIMIT_FSIZE, &lim);
		CaptureOptions o;
		o.path = path;
		o.live_names = false;
		uint64_t counts[2] = {0, 0};
		{
			CaptureWriter w(o);
			icmpt_event ev = sample_echo_request();
			try {
				for (int i = 0; i < 500; ++i) {
					if (i % 64 == 63)
						w.flush();
					w.add(ev, FormatContext{}, kBytes, 0);
				}
			} catch (const OutputError &) {
			}
			try {
				w.close();
			} catch (const OutputError &) {
			}
			counts[0] = w.packets();
			counts[1] = w.lost();
		}
		_exit(::write(p[1], counts, sizeof(counts)) == sizeof(counts) ? 0 : 1);
	}
	::close(p[1]);
	uint64_t counts[2] = {0, 0};
	assert_int_equal(::read(p[0], counts, sizeof(counts)), sizeof(counts));
	::close(p[0]);
	int st = 0;
	waitpid(pid, &st, 0);
	assert_int_equal(WEXITSTATUS(st), 0);
	const ReadBack r = read_back(path);
	assert_true(r.whole);
	assert_int_equal(counts[0], r.packets);
	assert_true(counts[1] > 0);
	// Every add() before the failure was taken: written or lost.
	assert_true(counts[0] + counts[1] <= 500);
	assert_true(counts[0] + counts[1] >= 63);
}

// -C's next file cannot be opened: an OutputError (which the loops catch
// and sum up, not a plain Error that skips the summary), the first file
// whole, and close() after it quiet (it used to write to fd -1).
void test_rotation_open_failure(void **)
{
	TempDir dir("icmpt-capout");
	const std::string path = dir.path + "/cap";
	assert_int_equal(::mkdir((path + "1").c_str(), 0700), 0);	// cap1: a directory
	CaptureOptions o;
	o.path = path;
	o.rotate_bytes = 1;	// a new file at every packet but the file's first
	o.live_names = false;
	CaptureWriter w(o);
	icmpt_event ev = sample_echo_request();
	assert_true(w.add(ev, FormatContext{}, kBytes, 0));
	bool output_error = false;
	try {
		w.add(ev, FormatContext{}, kBytes, 0);
	} catch (const OutputError &e) {
		output_error = std::strstr(e.what(), "opening ") != nullptr;
	}
	assert_true(output_error);
	assert_false(w.add(ev, FormatContext{}, kBytes, 0));	// takes no more
	w.close();
	assert_int_equal(w.packets(), 1);
	const ReadBack r = read_back(path);
	assert_true(r.whole);
	assert_int_equal(r.packets, 1);
}

// In the loop, the same failure ends the pass with the error kept for the
// summary, and the records read counted.
void test_rotation_failure_in_loop(void **)
{
	SyntheticRing ring(4096);
	std::vector<RingConsumer> rings;
	rings.emplace_back(0, ring.view(), false);
	assert_true(ring.push(packet_record(sample_echo_request())));
	assert_true(ring.push(packet_record(sample_echo_request())));
	LoopConfig cfg;
	cfg.print = false;
	int calls = 0;
	cfg.capture = [&](const icmpt_event &, const FormatContext &) -> bool {
		if (++calls == 2)
			throw OutputError("opening cap1: Permission denied");
		return true;
	};
	cfg.capture_flush = [] { return true; };
	cfg.timeout = 50ms;
	UniqueFd ready(eventfd(1, EFD_CLOEXEC));
	File out(std::tmpfile()), err(std::tmpfile());
	LoopResult r = run_trace_loop(ready.get(), -1, rings, cfg, out.get(), err.get());
	assert_string_equal(r.error.c_str(), "opening cap1: Permission denied");
	assert_int_equal(r.records, 2);
}

// A FIFO whose reader never reads (its pipe 4 KiB), and a stop pipe: what
// the capture's options name.
struct StalledFifo {
	TempDir dir{"icmpt-capout"};
	std::string path = dir / "fifo";
	UniqueFd reader, stop_rd, stop_wr;
	StalledFifo()
	{
		assert_int_equal(mkfifo(path.c_str(), 0600), 0);
		reader.reset(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
		assert_true(reader.valid());
		::fcntl(reader.get(), F_SETPIPE_SZ, 4096);
		int p[2];
		assert_int_equal(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
		stop_rd.reset(p[0]);
		stop_wr.reset(p[1]);
	}
	CaptureOptions options() const
	{
		CaptureOptions o;
		o.path = path;
		o.flush_each = true;
		o.live_names = false;
		o.stop_fd = stop_rd.get();
		return o;
	}
};

// A stop while -w's output (a FIFO nobody reads) is stalled: the loop
// returns within the grace period and the writer says it gave up, where
// its write(2) used to block until SIGKILL.
void test_stop_with_stalled_capture(void **)
{
	StalledFifo f;
	SyntheticRing ring(1 << 20);
	std::vector<RingConsumer> rings;
	rings.emplace_back(0, ring.view(), false);
	for (int i = 0; i < 400; ++i) {
		icmpt_event ev = sample_echo_request();
		ev.ts_boot_ns = 1000 + i;
		assert_true(ring.push(packet_record(ev)));
	}
	auto writer = std::make_shared<CaptureWriter>(f.options());
	LoopConfig cfg;
	cfg.capture = [writer](const icmpt_event &ev, const FormatContext &ctx) {
		return writer->add(ev, ctx, packet_bytes(&ev.hdr), 0);
	};
	cfg.capture_flush = [writer]() { return writer->flush(); };
	cfg.on_stop = [writer]() { writer->stop_soon(); };
	cfg.print = false;
	assert_int_equal(write(f.stop_wr.get(), "x", 1), 1);	// the stop is there at once
	UniqueFd idle(eventfd(0, EFD_CLOEXEC));
	File out(std::tmpfile()), err(std::tmpfile());
	auto done = std::async(std::launch::async, [&] {
		return run_trace_loop(idle.get(), f.stop_rd.get(), rings, cfg, out.get(), err.get());
	});
	const bool stopped = done.wait_for(3s) == std::future_status::ready;
	std::vector<char> sink(1 << 16);
	while (done.wait_for(10ms) != std::future_status::ready)
		(void)!read(f.reader.get(), sink.data(), sink.size());
	assert_true(stopped);
	writer->close();	// gives up at once: the output is abandoned
	assert_true(writer->abandoned());
	assert_true(writer->lost() > 0);
}

// The writer alone: a signal pending on stop_fd (not read: the loop reads
// it) or -t's deadline passed gives up on the stalled FIFO within the
// grace, and add() takes no more.
void test_stalled_writer_gives_up(void **)
{
	for (const bool by_deadline : {false, true}) {
		StalledFifo f;
		CaptureOptions o = f.options();
		if (by_deadline)
			o.deadline = std::chrono::steady_clock::now() + 200ms;
		else
			assert_int_equal(write(f.stop_wr.get(), "x", 1), 1);
		CaptureWriter w(o);
		const auto t0 = std::chrono::steady_clock::now();
		icmpt_event ev = sample_echo_request();
		int added = 0;
		while (added < 10000 && w.add(ev, FormatContext{}, kBytes, 0))
			++added;
		assert_true(std::chrono::steady_clock::now() - t0 < 2s);
		assert_true(added < 10000);
		assert_true(w.abandoned());
		w.close();
		char c;
		assert_int_equal(read(f.stop_rd.get(), &c, 1), by_deadline ? -1 : 1);	// left pending
	}
}

// -w - into a pipe that someone made O_NONBLOCK, with a slow reader: every
// packet goes out (EAGAIN waits for room, as the lines' output does).
void test_nonblocking_output_waits(void **)
{
	const pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int p[2];
		if (pipe(p))
			_exit(9);
		fcntl(p[1], F_SETPIPE_SZ, 4096);
		fcntl(p[1], F_SETFL, O_NONBLOCK);
		dup2(p[1], STDOUT_FILENO);
		::close(p[1]);
		std::thread reader([fd = p[0]] {
			char buf[512];
			while (read(fd, buf, sizeof(buf)) > 0)
				usleep(200);
		});
		uint64_t packets = 0;
		try {
			CaptureOptions o;
			o.path = "-";
			o.flush_each = true;
			o.live_names = false;
			CaptureWriter w(o);
			icmpt_event ev = sample_echo_request();
			for (int i = 0; i < 200; ++i)
				w.add(ev, FormatContext{}, kBytes, 0);
			w.close();
			packets = w.packets();
		} catch (const OutputError &e) {
			std::fprintf(stderr, "child: %s\n", e.what());
			_exit(3);
		}
		::close(STDOUT_FILENO);
		reader.join();
		_exit(packets == 200 ? 0 : 4);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

// A record whose packet bytes do not fit it (cap_off inside its fields):
// the uapi says the reader counts it malformed; -w wrote an empty packet
// and said nothing (the review's find).
void test_malformed_bytes_counted(void **)
{
	TempDir dir("icmpt-capout");
	CaptureOptions o;
	o.path = dir / "cap.pcapng";
	o.live_names = false;
	CaptureWriter w(o);
	icmpt_event ev = sample_echo_request();
	ev.cap_len = 84;
	ev.cap_off = 8;		// inside the header
	assert_true(w.add_record(ev, FormatContext{}, 0));
	ev.cap_off = sizeof(icmpt_event);
	ev.hdr.len = sizeof(icmpt_event) + 40;	// 84 bytes past the end
	assert_true(w.add_record(ev, FormatContext{}, 0));
	w.close();
	assert_int_equal(w.malformed(BytesProblem::BadOffset), 1);
	assert_int_equal(w.malformed(BytesProblem::PastEnd), 1);
	assert_int_equal(w.packets(), 2);
}

} // namespace

int main()
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_file_counts),
		cmocka_unit_test(test_rotation_open_failure),
		cmocka_unit_test(test_rotation_failure_in_loop),
		cmocka_unit_test(test_stop_with_stalled_capture),
		cmocka_unit_test(test_stalled_writer_gives_up),
		cmocka_unit_test(test_nonblocking_output_waits),
		cmocka_unit_test(test_malformed_bytes_counted),
	};
	return cmocka_run_group_tests_name("capture_output", tests, nullptr, nullptr);
}
