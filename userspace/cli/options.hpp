// Command line of icmptrace.  Parsing is pure (no I/O) so it is unit-tested.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "control/filter_spec.hpp"
#include "format/formatters.hpp"
#include "ring/device.hpp"

namespace icmptrace {

struct Options {
	std::string device = kDefaultDevice;
	OutputFormat format = OutputFormat::Text;
	std::optional<uint64_t> count;				// -c N
	std::optional<std::chrono::milliseconds> timeout;	// -t SECONDS
	bool backlog = false;					// --backlog
	std::string output;			// --output FILE, "" or "-": stdout
	bool summary = false;			// --summary: table at exit
	bool print = false;			// --print: lines too, with --summary
	FilterArgs filter;			// -4/-6, --in/--out, --type, --pid, ...
	std::vector<std::string> command;	// after --: trace only it and its children
	std::string user;			// --user NAME: run the command as NAME
	// Capture files (pcap/).
	std::string write;			// -w FILE: pcapng, "-" stdout
	std::string read;			// -r FILE: pcapng or pcap, "-" stdin
	std::optional<uint32_t> snaplen;	// -s N, 0: whole packet; none: module's
	bool flush_each = false;		// -U
	bool immediate = false;			// --immediate-mode (-U implies it)
	uint64_t rotate_bytes = 0;		// -C MB, as bytes
	uint32_t rotate_seconds = 0;		// -G SECONDS
	uint32_t max_files = 0;			// -W N
};

struct ParsedArgs {
	enum class Action { Run, Help, Version, UsageError } action = Action::Run;
	Options options;
	std::string error;	// for UsageError
};

// args excludes argv[0].
ParsedArgs parse_args(const std::vector<std::string> &args);

std::string help_text();
// "icmptrace VERSION (ABI N, generic netlink family version M)\n"
std::string version_text();
constexpr const char *kUsageHint = "Try 'icmptrace --help' for more information.";

} // namespace icmptrace
