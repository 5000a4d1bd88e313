// The reader's main loop: poll the device, merge the rings' records in
// CLOCK_BOOTTIME order straight from the mapped rings, print them chunk by
// chunk, and give each chunk's records back to the producers once its lines
// are written.  Takes plain fds and FILE*s so a test can run it on synthetic
// rings with an eventfd in place of the device.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "context/record_context.hpp"
#include "format/formatters.hpp"
#include "cli/summary.hpp"
#include "ring/ring_consumer.hpp"

namespace icmptrace {

// What a signal read from stop_fd does (see LoopConfig::on_signal).
enum class SignalAction {
	Stop,	// stop now: print what the rings hold if the output takes it soon
	Drain,	// stop once every record in the rings is written, however long
	Ignore,	// go on tracing
};

struct LoopConfig {
	OutputFormat format = OutputFormat::Text;
	// What each line shows beyond its record; none derived if null.
	RecordContext *context = nullptr;
	std::optional<uint64_t> count;				// stop after N records
	std::optional<std::chrono::milliseconds> timeout;	// stop after this long
	// SIGHUP on stop_fd calls this (--output reopens its file) instead of
	// stopping; called between batches, when every line before is flushed.
	std::function<void()> on_hangup;
	// Every record with its context, printed or not (--summary).
	std::function<void(const icmpt_event &, const FormatContext &)> observe;
	bool print = true;	// false: records are only observed and counted
	// Decides what a signal (number, siginfo si_code) does; none: Stop.
	// SIGHUP with on_hangup reopens and never comes here.
	std::function<SignalAction(int signo, int code)> on_signal;
	// -w: every record goes here instead of a line; false ends the loop
	// (the capture is complete).  capture_flush() runs after each chunk,
	// before its records go back to the rings; false ends the loop at once
	// (the capture's output is gone, or stalled past a stop).  begin_pass() runs before
	// each pass over the rings (the drop counters are read there).
	std::function<bool(const icmpt_event &, const FormatContext &)> capture;
	std::function<bool()> capture_flush;
	std::function<void()> begin_pass;
	// A signal asked to stop (read here, so -w's writer cannot see it
	// pending): it gives a stalled output its grace from now.
	std::function<void()> on_stop;
	// After a pass that found records, sleep until a ring is a quarter full
	// or this long has passed, so a burst costs a wakeup per batch and not
	// per record; the first record after a quiet spell still wakes at once.
	// 0: wake at every first record (--immediate-mode, -U).
	std::chrono::milliseconds batch{100};
	// What the lines go to, for an error: "standard output" or -o's file.
	std::string output_name = "standard output";
};

struct LoopResult {
	// Records whose lines were written whole; with -w, records read (the
	// capture writer counts the packets that reached the file).
	uint64_t records = 0;
	bool output_closed = false;	// stdout went away (EPIPE): stopped early
	int signal = 0;			// signal that stopped us, 0 if none
	// A stop signal (or -t) came and the output did not take the rest in
	// time: the loop gave up on it.  What the rings still hold is then
	// unprinted, less unreturned_written records whose lines did go out.
	bool abandoned = false;
	uint64_t unreturned_written = 0;
	// The slowest chunk: from its first record taken to its records given
	// back, and the part of that spent handing its lines or blocks to the
	// output.  The kernel drops while a ring waits on it, so a summary
	// with drops says which side was slow.
	ReaderPace pace;
	// The output (or -w's file) failed: "writing NAME: reason".  The loop
	// ended there; the records before it count, the rest stay in the
	// rings.  Empty if none.
	std::string error;
	bool output_failed = false;	// the error is the lines' output's
};

// wait_fd: readable when some ring holds records (the device fd).
// stop_fd: readable when we must stop (signalfd); -1 for none.  A stop is
// acted on within a second even while the output is stalled.
// Corrupt-ring reports go to err as they happen.  Lines go to fileno(out)
// with write(2) (anything buffered in out is flushed first).
LoopResult run_trace_loop(int wait_fd, int stop_fd, std::vector<RingConsumer> &rings,
			  const LoopConfig &cfg, FILE *out, FILE *err);

} // namespace icmptrace
