#include "cli/summary.hpp"

#include <algorithm>
#include <cstdio>

#include "util/exit_codes.hpp"

namespace icmptrace {

std::vector<RingTotals> collect_totals(const std::vector<RingConsumer> &rings)
{
	std::vector<RingTotals> out;
	for (const RingConsumer &r : rings)
		out.push_back({r.index(), r.drops_since_start(), r.corrupt_events(), r.data_size()});
	return out;
}

std::string format_summary(uint64_t records, const std::vector<RingTotals> &rings,
			   uint64_t left_unread, const ReaderPace &pace)
{
	uint64_t dropped = 0, corrupt = 0, full = 0, size = 0;
	for (const RingTotals &r : rings) {
		dropped += r.drops.total();
		full += r.drops.ring_full;
		corrupt += r.corrupt;
		size = std::max(size, r.data_size);
	}
	std::string s = "icmptrace: " + std::to_string(records) + " records, " +
			std::to_string(dropped) + " dropped";
	if (left_unread)
		s += ", " + std::to_string(left_unread) + " left unread";
	if (corrupt)
		s += ", " + std::to_string(corrupt) + " corrupt-ring events";
	s += '\n';
	for (const RingTotals &r : rings) {
		if (!r.drops.total() && !r.corrupt)
			continue;
		s += "icmptrace:   cpu" + std::to_string(r.ring) + ": " +
		     std::to_string(r.drops.total()) + " dropped (ring full " +
		     std::to_string(r.drops.ring_full) + ", bad consumer_pos " +
		     std::to_string(r.drops.bad_consumer) + ", nested " +
		     std::to_string(r.drops.nested) + ")";
		if (r.corrupt)
			s += ", " + std::to_string(r.corrupt) + " corrupt-ring events";
		s += '\n';
	}
	if (dropped)
		s += "icmptrace: WARNING: the kernel dropped " + std::to_string(dropped) +
		     " records; the output above is incomplete\n";
	// The remedy a user can apply: the ring's size is a load-time choice.
	if (full)
		s += "icmptrace: a ring (" + std::to_string(size / 1024) +
		     " KiB a CPU) filled before it was read: the module's ring_size "
		     "parameter (bytes a CPU, at load) gives more room\n";
	if (full && pace.longest_chunk.count()) {
		char line[160];
		std::snprintf(line, sizeof(line),
			      "icmptrace: the reader's slowest chunk of records took %.1f ms, "
			      "%.1f ms of it writing to the output\n",
			      pace.longest_chunk.count() / 1e6, pace.longest_chunk_output.count() / 1e6);
		s += line;
	}
	if (left_unread)
		s += "icmptrace: WARNING: the output did not take the last " +
		     std::to_string(left_unread) +
		     " records in time after the stop; they were not printed\n";
	if (corrupt)
		s += "icmptrace: WARNING: " + std::to_string(corrupt) +
		     " corrupt-ring events; records in the skipped bytes are lost\n";
	return s;
}

int run_status(const std::vector<RingTotals> &rings, bool output_error,
	       std::optional<int> command_status)
{
	const bool corrupt = std::any_of(rings.begin(), rings.end(),
					 [](const RingTotals &r) { return r.corrupt != 0; });
	if (output_error || corrupt)
		return kExitRuntime;
	return command_status.value_or(kExitOk);
}

} // namespace icmptrace
