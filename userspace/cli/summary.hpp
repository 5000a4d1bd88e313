// The end-of-run report on stderr: records, drops since start, corruption.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ring/ring_consumer.hpp"

namespace icmptrace {

struct RingTotals {
	uint32_t ring = 0;	// ring i is CPU id i
	DropCounts drops;	// since the reader started
	uint64_t corrupt = 0;	// corrupt-ring events (resyncs)
	uint64_t data_size = 0;	// bytes of records the ring holds
};

std::vector<RingTotals> collect_totals(const std::vector<RingConsumer> &rings);

// How the reader kept up: its slowest chunk of records (trace_loop).
struct ReaderPace {
	std::chrono::nanoseconds longest_chunk{0};
	std::chrono::nanoseconds longest_chunk_output{0};	// of it, in the output
};

// "icmptrace: N records, M dropped" (", K left unread" when the output was
// given up on with K records still in the rings) then, only for rings with
// trouble, one line per CPU and a plain warning; when a ring was full, what
// gives it more room, and the reader's slowest chunk (pace), so that the
// user sees whether the output or the reader fell behind.  Every line ends
// in '\n'.
std::string format_summary(uint64_t records, const std::vector<RingTotals> &rings,
			   uint64_t left_unread = 0, const ReaderPace &pace = {});

// The live run's exit status: kExitRuntime when the output (the lines' or
// -w's file) failed or a ring was corrupt (records skipped: the module and
// the reader broke their contract, and what was lost is not even counted),
// else COMMAND's status (-- COMMAND) or kExitOk.  Drops at a full ring are
// normal operation, counted and reported: they leave it alone.
int run_status(const std::vector<RingTotals> &rings, bool output_error,
	       std::optional<int> command_status);

} // namespace icmptrace
