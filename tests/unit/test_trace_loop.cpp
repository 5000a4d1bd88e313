// The poll loop on synthetic rings: an eventfd stands in for the device fd.
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <fcntl.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "ring/ring_consumer.hpp"
#include "sample_events.hpp"
#include "scratch.hpp"
#include "synthetic_ring.hpp"
#include "cli/trace_loop.hpp"
#include "util/error.hpp"
#include "util/unique_fd.hpp"
// Last: cmocka defines macros (fail, skip) that clash with the C++ library.
#include "cmocka_includes.hpp"

using namespace icmptrace;
using namespace icmptrace::test;
using namespace std::chrono_literals;

namespace {


std::string contents(FILE *f)
{
	std::fflush(f);
	std::rewind(f);
	std::string s;
	char buf[4096];
	size_t n;
	while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0)
		s.append(buf, n);
	return s;
}

// "ts_boot=" values of kv lines, in output order.
std::vector<uint64_t> boot_stamps(const std::string &out)
{
	std::vector<uint64_t> v;
	for (size_t at = out.find("ts_boot="); at != std::string::npos;
	     at = out.find("ts_boot=", at + 1))
		v.push_back(std::stoull(out.substr(at + 8)));
	return v;
}

void push(SyntheticRing &ring, uint32_t cpu, uint64_t ts_boot)
{
	icmpt_event ev = sample_echo_request();
	ev.cpu = cpu;
	ev.ts_boot_ns = ts_boot;
	assert_true(ring.push(packet_record(ev)));
}

struct Fixture {
	SyntheticRing r0{4096}, r1{4096};
	std::vector<RingConsumer> rings;
	UniqueFd ready{eventfd(1, EFD_CLOEXEC)};	// always readable
	File out{std::tmpfile()}, err{std::tmpfile()};
	LoopConfig cfg;

	Fixture()
	{
		rings.emplace_back(0, r0.view(), false);
		rings.emplace_back(1, r1.view(), false);
		cfg.format = OutputFormat::Kv;
		push(r0, 0, 10);
		push(r0, 0, 30);
		push(r0, 0, 50);
		push(r1, 1, 20);
		push(r1, 1, 40);
	}
};

// Records of different CPUs come out ordered by CLOCK_BOOTTIME.
void test_orders_batch_by_boot_time(void **)
{
	Fixture f;
	f.cfg.timeout = 50ms;
	LoopResult r = run_trace_loop(f.ready.get(), -1, f.rings, f.cfg, f.out.get(), f.err.get());
	assert_int_equal(r.records, 5);
	assert_false(r.output_closed);
	std::vector<uint64_t> want = {10, 20, 30, 40, 50};
	assert_true(boot_stamps(contents(f.out.get())) == want);
	assert_int_equal(f.r0.consumer_pos(), f.r0.producer_pos());
	assert_int_equal(f.r1.consumer_pos(), f.r1.producer_pos());
}

// -c N stops after N records, well before the timeout.
void test_count(void **)
{
	Fixture f;
	f.cfg.count = 3;
	f.cfg.timeout = 10s;
	auto t0 = std::chrono::steady_clock::now();
	LoopResult r = run_trace_loop(f.ready.get(), -1, f.rings, f.cfg, f.out.get(), f.err.get());
	assert_true(std::chrono::steady_clock::now() - t0 < 5s);
	assert_int_equal(r.records, 3);
	std::vector<uint64_t> want = {10, 20, 30};
	assert_true(boot_stamps(contents(f.out.get())) == want);
}

// A stop request ends the loop after one last drain: nothing recorded is lost.
void test_stop_fd_drains_first(void **)
{
	Fixture f;
	int p[2];
	assert_int_equal(pipe(p), 0);
	UniqueFd rd(p[0]), wr(p[1]);
	assert_int_equal(write(wr.get(), "x", 1), 1);
	UniqueFd idle(eventfd(0, EFD_CLOEXEC));	// device with nothing to say
	LoopResult r = run_trace_loop(idle.get(), rd.get(), f.rings, f.cfg, f.out.get(), f.err.get());
	assert_int_equal(r.signal, SIGTERM);
	assert_int_equal(r.records, 5);
}

// After a pass that found records, the loop asks the producer to wait for a
// quarter of each ring (and polls with the batch timeout); after an empty
// pass, for the first record again.  --immediate-mode (batch 0): always the
// first record.
void test_wakeup_follows_the_passes(void **)
{
	for (auto batch : {10ms, 0ms}) {
		Fixture f;
		std::vector<uint64_t> seen;
		f.cfg.batch = batch;
		f.cfg.timeout = 60ms;
		f.cfg.begin_pass = [&] { seen.push_back(f.r0.wakeup_bytes()); };
		LoopResult r = run_trace_loop(f.ready.get(), -1, f.rings, f.cfg, f.out.get(), f.err.get());
		assert_int_equal(r.records, 5);
		// Pass 1 drains the five records; pass 2 finds none; then idle.
		assert_true(seen.size() >= 3);
		assert_int_equal(seen[0], 0);
		assert_int_equal(seen[1], batch.count() ? 4096 / 4 : 0);
		assert_int_equal(seen[2], 0);
		assert_int_equal(f.r1.wakeup_bytes(), 0);
	}
}

// A pipe whose reader has gone ends a quiet loop at once, not at the next record.
void test_closed_pipe_ends_quiet_loop(void **)
{
	SyntheticRing empty{4096};
	std::vector<RingConsumer> rings;
	rings.emplace_back(0, empty.view(), false);
	int p[2];
	assert_int_equal(pipe(p), 0);
	close(p[0]);
	File out{fdopen(p[1], "w")}, err{std::tmpfile()};
	UniqueFd idle(eventfd(0, EFD_CLOEXEC));
	LoopConfig cfg;
	cfg.timeout = 5s;	// the old loop waited this long
	auto t0 = std::chrono::steady_clock::now();
	LoopResult r = run_trace_loop(idle.get(), -1, rings, cfg, out.get(), err.get());
	assert_true(std::chrono::steady_clock::now() - t0 < 1s);
	assert_true(r.output_closed);
	assert_int_equal(r.records, 0);
}

// A corrupt ring is reported on err, the other ring still delivers, and
// the run's status says records were lost.
void test_corrupt_reported(void **)
{
	Fixture f;
	icmpt_rec_hdr bad{12, 1, 0};
	f.r1.write_at(f.r1.producer_pos(), &bad, sizeof(bad));
	f.r1.set_producer_pos(f.r1.producer_pos() + 64);
	f.cfg.timeout = 20ms;
	LoopResult r = run_trace_loop(f.ready.get(), -1, f.rings, f.cfg, f.out.get(), f.err.get());
	assert_int_equal(r.records, 5);
	std::string err = contents(f.err.get());
	const uint64_t bad_pos = 2 * sizeof(icmpt_event);	// after ring 1's two records
	std::string want = "icmptrace: WARNING: ring 1: corrupt ring at position " +
			   std::to_string(bad_pos) + " (producer_pos " + std::to_string(bad_pos + 64) +
			   "): record length not a multiple of 8 [len=12 type=1]; skipped 64 bytes\n";
	assert_string_equal(err.c_str(), want.c_str());
	assert_int_equal(f.rings[1].corrupt_events(), 1);
	// Records were lost: the run must not end 0 (cli.cpp's status).
	assert_int_equal(run_status(collect_totals(f.rings), !r.error.empty(), std::nullopt),
			 kExitRuntime);
}

// A 1 MiB ring full of records (far more lines than a pipe holds) and a
// pipe for the output, read by nobody unless the test reads out_rd.
struct FullRingToPipe {
	SyntheticRing ring{1 << 20};
	std::vector<RingConsumer> rings;
	uint64_t pushed = 0;
	UniqueFd out_rd;
	File out, err{std::tmpfile()};
	UniqueFd ready{eventfd(1, EFD_CLOEXEC)};
	LoopConfig cfg;

	FullRingToPipe()
	{
		rings.emplace_back(0, ring.view(), false);
		for (icmpt_event ev = sample_echo_request(); ring.push(packet_record(ev)); ++pushed)
			ev.ts_boot_ns += 1000;
		int p[2];
		assert_int_equal(pipe(p), 0);
		out_rd = UniqueFd(p[0]);
		out.reset(fdopen(p[1], "w"));
		cfg.format = OutputFormat::Kv;
	}
};

// A signal while the output is stalled (a pipe nobody reads) ends the loop
// within a second; the count is the lines that did go out, whole.
void test_signal_while_output_stalls(void **)
{
	FullRingToPipe f;
	auto &[ring, rings, pushed, out_rd, out, err, ready, cfg] = f;
	int stop_pipe[2];
	assert_int_equal(pipe(stop_pipe), 0);
	UniqueFd stop_rd(stop_pipe[0]), stop_wr(stop_pipe[1]);
	// Room for a few chunks, not for all the lines.
	assert_true(fcntl(fileno(out.get()), F_SETPIPE_SZ, 1 << 20) >= (1 << 20));
	cfg.timeout = 3s;	// so a loop that ignores the signal still ends
	auto loop = std::async(std::launch::async, [&] {
		return run_trace_loop(ready.get(), stop_rd.get(), rings, cfg, out.get(),
				      err.get());
	});
	std::this_thread::sleep_for(200ms);
	const auto t0 = std::chrono::steady_clock::now();
	assert_int_equal(write(stop_wr.get(), "x", 1), 1);
	const bool ended = loop.wait_for(1s) == std::future_status::ready;
	// What the loop wrote; reading also frees a loop that did not end.
	fcntl(out_rd.get(), F_SETFL, O_NONBLOCK);
	std::string got;
	char buf[65536];
	for (;;) {
		ssize_t n = read(out_rd.get(), buf, sizeof(buf));
		if (n > 0) {
			got.append(buf, static_cast<size_t>(n));
			continue;
		}
		if (ended || loop.wait_for(10ms) == std::future_status::ready)
			break;
	}
	LoopResult r = loop.get();
	assert_true(ended);
	assert_true(std::chrono::steady_clock::now() - t0 < 1s);
	assert_int_equal(r.signal, SIGTERM);
	assert_true(r.records > 0 && r.records < pushed);
	assert_int_equal(r.records, std::count(got.begin(), got.end(), '\n'));
	// Records whose chunk went out are given back, the rest stay.
	assert_true(ring.consumer_pos() > 0 && ring.consumer_pos() < ring.producer_pos());
	// And are accounted for: printed + left unread == recorded.
	assert_true(r.abandoned);
	assert_int_equal(r.records + rings[0].unread_records() - r.unreturned_written, pushed);
}

// -t ends a loop whose output stalls too (a second after its end at most).
void test_timeout_while_output_stalls(void **)
{
	FullRingToPipe f;
	auto &[ring, rings, pushed, out_rd, out, err, ready, cfg] = f;
	cfg.timeout = 300ms;
	auto loop = std::async(std::launch::async, [&] {
		return run_trace_loop(ready.get(), -1, rings, cfg, out.get(), err.get());
	});
	const bool ended = loop.wait_for(2s) == std::future_status::ready;
	if (!ended) {	// free the old loop: read until it ends
		fcntl(out_rd.get(), F_SETFL, O_NONBLOCK);
		char buf[65536];
		while (loop.wait_for(10ms) != std::future_status::ready)
			while (read(out_rd.get(), buf, sizeof(buf)) > 0) {
			}
	}
	loop.get();
	assert_true(ended);
}

// -c N takes exactly N records from the rings: the rest stay for later.
void test_count_leaves_the_rest(void **)
{
	Fixture f;
	f.cfg.count = 3;
	LoopResult r = run_trace_loop(f.ready.get(), -1, f.rings, f.cfg, f.out.get(), f.err.get());
	assert_int_equal(r.records, 3);
	assert_int_equal(f.r0.consumer_pos(), 2 * sizeof(icmpt_event));	// 10, 30
	assert_int_equal(f.r1.consumer_pos(), sizeof(icmpt_event));	// 20
}

// -w - | head: a capture whose output is gone ends the loop at once, though
// the device still says "readable".  The chunk's records count as read (the
// writer counts the packets it lost) and are not given back.
void test_closed_capture_ends_loop(void **)
{
	Fixture f;
	f.cfg.print = false;
	f.cfg.timeout = 5s;	// the loop went on this long
	int captured = 0, flushes = 0;
	f.cfg.capture = [&](const icmpt_event &, const FormatContext &) {
		++captured;
		return true;
	};
	f.cfg.capture_flush = [&]() {
		++flushes;
		return false;
	};
	auto t0 = std::chrono::steady_clock::now();
	LoopResult r = run_trace_loop(f.ready.get(), -1, f.rings, f.cfg, f.out.get(), f.err.get());
	assert_true(std::chrono::steady_clock::now() - t0 < 1s);
	assert_int_equal(captured, 5);
	assert_int_equal(flushes, 1);
	assert_int_equal(r.records, 5);
	assert_int_equal(r.unreturned_written, 5);
	assert_int_equal(f.r0.consumer_pos(), 0);
	assert_int_equal(f.r1.consumer_pos(), 0);
}

// The slowest chunk and its time in the output (said with drops): a pipe
// read only after 100 ms holds the first chunk's lines up that long.
void test_pace_counts_a_stalled_output(void **)
{
	FullRingToPipe f;
	auto &[ring, rings, pushed, out_rd, out, err, ready, cfg] = f;
	cfg.count = pushed;
	std::thread reader([&] {
		std::this_thread::sleep_for(100ms);
		char buf[65536];
		while (read(out_rd.get(), buf, sizeof(buf)) > 0) {
		}
	});
	const LoopResult r = run_trace_loop(ready.get(), -1, rings, cfg, out.get(), err.get());
	out.reset();	// the reader sees the end
	reader.join();
	assert_int_equal(r.records, pushed);
	assert_true(r.pace.longest_chunk_output >= 90ms);
	assert_true(r.pace.longest_chunk >= r.pace.longest_chunk_output);
}

// A capture's flush is its output.
void test_pace_counts_a_slow_capture(void **)
{
	Fixture f;
	f.cfg.print = false;
	f.cfg.count = 5;
	f.cfg.capture = [](const icmpt_event &, const FormatContext &) { return true; };
	f.cfg.capture_flush = []() {
		std::this_thread::sleep_for(50ms);
		return true;
	};
	const LoopResult r =
		run_trace_loop(f.ready.get(), -1, f.rings, f.cfg, f.out.get(), f.err.get());
	assert_int_equal(r.records, 5);
	assert_true(r.pace.longest_chunk_output >= 50ms);
	assert_true(r.pace.longest_chunk >= r.pace.longest_chunk_output);
}

// A failed output (a full disk) ends the loop with the error kept, not
// thrown past the summary; the records stay in the rings.  (The run ended
// with "write: No space left on device" and no summary.)
void test_failed_output_is_kept(void **)
{
	Fixture f;
	FILE *full = std::fopen("/dev/full", "w");
	assert_non_null(full);
	f.cfg.output_name = "the test's output";
	LoopResult r = run_trace_loop(f.ready.get(), -1, f.rings, f.cfg, full, f.err.get());
	std::fclose(full);
	assert_int_equal(r.records, 0);
	assert_true(r.output_failed);
	assert_string_equal(r.error.c_str(), "writing the test's output: No space left on device");
	assert_int_equal(f.r0.consumer_pos(), 0);
	// -w's file failing (CaptureWriter throws): the same, not the output's.
	Fixture g;
	g.cfg.print = false;
	g.cfg.capture = [](const icmpt_event &, const FormatContext &) -> bool {
		throw OutputError("writing cap.pcapng: No space left on device");
	};
	r = run_trace_loop(g.ready.get(), -1, g.rings, g.cfg, g.out.get(), g.err.get());
	assert_false(r.output_failed);
	assert_string_equal(r.error.c_str(), "writing cap.pcapng: No space left on device");
}

} // namespace

int main()
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_orders_batch_by_boot_time),
		cmocka_unit_test(test_count),
		cmocka_unit_test(test_stop_fd_drains_first),
		cmocka_unit_test(test_wakeup_follows_the_passes),
		cmocka_unit_test(test_closed_pipe_ends_quiet_loop),
		cmocka_unit_test(test_corrupt_reported),
		cmocka_unit_test(test_signal_while_output_stalls),
		cmocka_unit_test(test_timeout_while_output_stalls),
		cmocka_unit_test(test_count_leaves_the_rest),
		cmocka_unit_test(test_closed_capture_ends_loop),
		cmocka_unit_test(test_pace_counts_a_stalled_output),
		cmocka_unit_test(test_pace_counts_a_slow_capture),
		cmocka_unit_test(test_failed_output_is_kept),
	};
	return cmocka_run_group_tests_name("trace_loop", tests, nullptr, nullptr);
}
