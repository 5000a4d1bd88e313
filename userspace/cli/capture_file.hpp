// -r FILE: a capture file printed (or, with -w, rewritten) through the same
// formats and filters as a live trace.
#pragma once

#include "cli/options.hpp"
#include "pcap/capture_writer.hpp"

namespace icmptrace {

// Returns the exit code; throws Error for a bad file or a write error.
int read_capture(const Options &o);

// The capture file options of a -w run.
CaptureOptions capture_options(const Options &o);

} // namespace icmptrace
