// How long a stalled output is still waited for once a stop signal (or -t's
// end) has come: the live loop's lines, the pcapng writer and -r's lines.
#pragma once

#include <chrono>

namespace icmptrace {

inline constexpr auto kStopGrace = std::chrono::milliseconds(500);

} // namespace icmptrace
