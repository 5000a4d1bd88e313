// -r FILE: a capture file printed (or, with -w, rewritten) through the same
// formats and filters as a live trace.
#pragma once

#include "cli/options.hpp"
#include "pcap/capture_writer.hpp"

namespace icmptrace {

// Returns the exit code; throws Error for a bad file or a write error.
int read_capture(const Options &o);

// The snap length of a -w run: -s N, -s 0 the whole packet
// (ICMPT_SNAPLEN_MAX), none the module's snaplen parameter (GET_CONFIG,
// asked before this run's session sets its own).
uint32_t capture_snaplen(const Options &o);
// The capture file options of a -w run with that snap length.  Warns on
// stderr when -G will overwrite one file (a name without strftime
// conversions, no -C).
CaptureOptions capture_options(const Options &o, uint32_t snaplen);
// "N packets written to M files" on stderr, and how often a name was
// opened again (its earlier packets gone).
void report_capture(const CaptureWriter &w);

} // namespace icmptrace
