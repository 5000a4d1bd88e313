#include "cli/options.hpp"

#include <linux/icmptrace.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string_view>

#include "control/filter_resolve.hpp"
#include "util/arg_reader.hpp"

namespace icmptrace {
namespace {

struct UsageError {
	std::string msg;
};

// Seconds and megabytes: digits with at most one point, nothing strtod also
// takes (blanks, signs, exponents, hex, "inf"), as the integer flags do.
bool plain_decimal(const std::string &s)
{
	const size_t point = s.find('.');
	return s.find_first_not_of("0123456789.") == std::string::npos &&
	       s.find_first_of("0123456789") != std::string::npos &&
	       (point == std::string::npos || s.find('.', point + 1) == std::string::npos);
}

uint64_t parse_count(const std::string &s)
{
	if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos)
		throw UsageError{"invalid count '" + s + "': expected 1 to 2^64-1"};
	errno = 0;
	unsigned long long v = std::strtoull(s.c_str(), nullptr, 10);
	if (errno == ERANGE || v == 0)
		throw UsageError{"invalid count '" + s + "': expected 1 to 2^64-1"};
	return v;
}

std::chrono::milliseconds parse_timeout(const std::string &s)
{
	// Plain digits parse whole; an overflow is +inf, an underflow near 0:
	// the range test takes both.  The upper bound keeps the millisecond
	// count far from overflow.
	const double v = plain_decimal(s) ? std::strtod(s.c_str(), nullptr) : 0;
	if (v < 0.001 || v > 1e9)
		throw UsageError{"invalid timeout '" + s + "': expected seconds, 0.001 to 1000000000"};
	return std::chrono::milliseconds(static_cast<int64_t>(std::ceil(v * 1000.0)));
}

// -s N: 0..2^31 (0: the whole packet).
uint32_t parse_snaplen(const std::string &s)
{
	if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos ||
	    s.size() > 10 || std::stoull(s) > (1ULL << 31))
		throw UsageError{"invalid snap length '" + s + "': expected 0 (whole packet) to 2^31"};
	return static_cast<uint32_t>(std::stoull(s));
}

// -C MB: millions of bytes as tcpdump counts them; decimals allowed.
uint64_t parse_megabytes(const std::string &s)
{
	const double v = plain_decimal(s) ? std::strtod(s.c_str(), nullptr) : 0;
	if (v * 1e6 < 1 || v > 1e9)
		throw UsageError{"invalid file size '" + s + "': expected megabytes > 0"};
	return static_cast<uint64_t>(v * 1e6);
}

uint32_t parse_positive(const std::string &s, const char *what)
{
	if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos || s.size() > 9 ||
	    std::stoul(s) == 0)
		throw UsageError{std::string("invalid ") + what + " '" + s +
				 "': expected a positive integer"};
	return static_cast<uint32_t>(std::stoul(s));
}

// The capture flags together: what goes with what.
void check_capture_flags(const Options &o)
{
	const bool rotating = o.rotate_bytes || o.rotate_seconds || o.max_files;
	if (o.write.empty() && (rotating || o.flush_each))
		throw UsageError{"-C, -G, -W and -U go with -w"};
	if (o.max_files && !o.rotate_bytes && !o.rotate_seconds)
		throw UsageError{"-W goes with -C or -G"};
	if (o.write == "-" && rotating)
		throw UsageError{"-C, -G and -W need a file name, not -w -"};
	if (o.snaplen && (o.write.empty() || !o.read.empty()))
		throw UsageError{"-s goes with -w when tracing (-r keeps what the file has)"};
	if (!o.write.empty() && !o.output.empty() && !o.print && !o.summary)
		throw UsageError{"-w writes packets, --output lines: --output goes with -w --print "
				 "or --summary"};
	if (o.write == "-" && (o.print || o.summary) && (o.output.empty() || o.output == "-"))
		throw UsageError{"-w - and --print or --summary would both write to standard "
				 "output (add --output FILE)"};
	if (!o.read.empty() && o.backlog)
		throw UsageError{"--backlog does not go with -r"};
	if (!o.read.empty() && !o.command.empty())
		throw UsageError{"-- COMMAND does not go with -r (it traces a live command)"};
	if (o.write == "-" && o.read == "-")
		return;
	if (!o.write.empty() && o.write == o.read)
		throw UsageError{"-r and -w name the same file"};
	// By another name too, when the files are opened.
	if (!o.output.empty() && o.output != "-" && (o.output == o.write || o.output == o.read))
		throw UsageError{std::string("--output and ") + (o.output == o.read ? "-r" : "-w") +
				 " name the same file"};
}

// -r reads a file: what only a live trace of the module means is refused
// rather than dropped without a word.  device_given: -d was on the line
// (Options::device has a default).
void check_read_flags(const Options &o, bool device_given)
{
	if (o.read.empty())
		return;
	if (o.timeout)
		throw UsageError{"-t does not go with -r (it ends a live trace; -c N stops after N "
				 "records)"};
	if (device_given)
		throw UsageError{"-d does not go with -r (the packets come from the file, not a "
				 "device)"};
	if (o.immediate)
		throw UsageError{"--immediate-mode does not go with -r (a file is read as fast as "
				 "it can be; -U writes each packet at once)"};
}

OutputFormat parse_format(const std::string &s)
{
	if (s == "text")
		return OutputFormat::Text;
	if (s == "json")
		return OutputFormat::Json;
	if (s == "kv")
		return OutputFormat::Kv;
	if (s == "ecs")
		return OutputFormat::Ecs;
	throw UsageError{"invalid format '" + s + "': expected text, json, kv or ecs"};
}

std::vector<std::string> split_list(const std::string &s)
{
	std::vector<std::string> out;
	size_t start = 0, end;
	do {
		end = s.find(',', start);
		out.push_back(s.substr(start, end - start));
		start = end + 1;
	} while (end != std::string::npos);
	return out;
}

// The filter flags; false if name is none of them.
template <typename Value, typename NoValue>
bool parse_filter_flag(const std::string &name, Value value, NoValue no_value, FilterArgs &f)
{
	try {
		if (name == "-4" || name == "-6") {
			no_value();
			f.families |= name == "-4" ? ICMPT_F_V4 : ICMPT_F_V6;
		} else if (name == "--in" || name == "--out") {
			no_value();
			f.dirs |= name == "--in" ? ICMPT_F_IN : ICMPT_F_OUT;
		} else if (name == "--type") {
			f.types.push_back(value());
		} else if (name == "--pid") {
			for (const std::string &v : split_list(value()))
				f.pids.push_back(parse_u32(v, "pid"));
		} else if (name == "--comm") {
			f.comms.push_back(parse_comm(value()));
		} else if (name == "--uid") {
			for (const std::string &v : split_list(value()))
				f.uids.push_back(parse_uid(v));
		} else if (name == "--container") {
			f.containers.push_back(value());
		} else if (name == "--netns") {
			f.netns.push_back(value());
		} else {
			return false;
		}
	} catch (const FilterError &e) {
		throw UsageError{e.what()};
	}
	return true;
}

} // namespace

ParsedArgs parse_args(const std::vector<std::string> &args)
{
	ParsedArgs r;
	Options &o = r.options;
	bool device_given = false, format_given = false;
	try {
		ArgReader rd(args);
		while (rd.next()) {
			const std::string &a = rd.arg();
			const std::string &name = rd.name();
			auto value = [&rd]() { return rd.value(); };
			auto no_value = [&rd]() { rd.no_value(); };

			if (a == "--") {
				o.command = rd.rest();
				if (o.command.empty())
					throw UsageError{"'--' must be followed by a COMMAND"};
				break;
			} else if (name == "-h" || name == "--help") {
				no_value();
				r.action = ParsedArgs::Action::Help;
				return r;
			} else if (name == "-V" || name == "--version") {
				no_value();
				r.action = ParsedArgs::Action::Version;
				return r;
			} else if (name == "-c" || name == "--count") {
				o.count = parse_count(value());
			} else if (name == "-t" || name == "--timeout") {
				o.timeout = parse_timeout(value());
			} else if (name == "-d" || name == "--device") {
				o.device = value();
				device_given = true;
				if (o.device.empty())
					throw UsageError{"empty device path"};
			} else if (name == "--format") {
				o.format = parse_format(value());
				format_given = true;
			} else if (name == "--json") {
				no_value();
				o.format = OutputFormat::Json;
				format_given = true;
			} else if (name == "--backlog") {
				no_value();
				o.backlog = true;
			} else if (name == "-o" || name == "--output") {
				o.output = value();
				if (o.output.empty())
					throw UsageError{"empty output path (use - for stdout)"};
			} else if (name == "--summary") {
				no_value();
				o.summary = true;
			} else if (name == "--print") {
				no_value();
				o.print = true;
			} else if (name == "-u" || name == "--user") {
				o.user = value();
				if (o.user.empty())
					throw UsageError{"empty user name"};
			} else if (name == "-w") {
				o.write = value();
				if (o.write.empty())
					throw UsageError{"empty capture file name (use - for stdout)"};
			} else if (name == "-r") {
				o.read = value();
				if (o.read.empty())
					throw UsageError{"empty capture file name (use - for stdin)"};
			} else if (name == "-s") {
				o.snaplen = parse_snaplen(value());
			} else if (name == "-U") {
				no_value();
				o.flush_each = true;
			} else if (name == "--immediate-mode") {
				no_value();
				o.immediate = true;
			} else if (name == "-C") {
				o.rotate_bytes = parse_megabytes(value());
			} else if (name == "-G") {
				o.rotate_seconds = parse_positive(value(), "rotation period");
			} else if (name == "-W") {
				o.max_files = parse_positive(value(), "file count");
			} else if (parse_filter_flag(name, value, no_value, o.filter)) {
				// one of the filter flags
			} else if (rd.is_option()) {
				throw UsageError{"unknown option '" + name + "'"};
			} else {
				throw UsageError{"unexpected argument '" + a + "'"};
			}
		}
		if (!o.user.empty() && o.command.empty())
			throw UsageError{"--user goes with -- COMMAND"};
		if (o.print && !o.summary && o.write.empty())
			throw UsageError{"--print goes with --summary or -w (lines are printed anyway)"};
		// Not a text table for a kv or ECS consumer, nor a flag without a word.
		if (o.summary && !o.print &&
		    (o.format == OutputFormat::Kv || o.format == OutputFormat::Ecs))
			throw UsageError{"--summary is a table, or one JSON object with --json: kv and "
					 "ECS have no summary form (with --print they shape the lines)"};
		if (format_given && !o.write.empty() && !o.summary && !o.print)
			throw UsageError{"-w writes packets and prints no line for --format or --json "
					 "to shape: add --print for the lines"};
		check_capture_flags(o);
		check_read_flags(o, device_given);
		// Type names depend on -4/-6, wherever they are: check them now.
		for (const std::string &t : o.filter.types)
			parse_icmp_types(t, o.filter.families);
	} catch (const UsageError &e) {
		r.action = ParsedArgs::Action::UsageError;
		r.error = e.msg;
	} catch (const ArgError &e) {
		r.action = ParsedArgs::Action::UsageError;
		r.error = e.what();
	} catch (const FilterError &e) {
		r.action = ParsedArgs::Action::UsageError;
		r.error = e.what();
	}
	return r;
}

std::string version_text()
{
	return "icmptrace " ICMPTRACE_VERSION " (record ABI " + std::to_string(ICMPT_ABI_VERSION) +
	       ", generic netlink family version " + std::to_string(ICMPT_GENL_VERSION) + ")\n";
}

std::string help_text()
{
	return R"(Usage: icmptrace [OPTIONS]
       icmptrace [OPTIONS] -- COMMAND [ARGS...]
Print every ICMP packet this host sends or receives, with the task that sent
it, as recorded by the icmptrace kernel module (/dev/icmptrace).  With a
COMMAND: start it and print only the packets of it and of every process it
starts (a process tree followed by the kernel, no cgroup needed), until it
exits; then exit with its status (128+N if signal N ended it).

Options:
  -c, --count N         stop after N records
  -t, --timeout SECONDS stop after SECONDS (decimals allowed)
  -d, --device PATH     device to read (default /dev/icmptrace)
      --format FORMAT   text (default), json (tracee net_packet_icmp lines),
                        kv (key=value pairs of every field) or ecs (Elastic
                        Common Schema 8.11 JSON lines)
      --json            same as --format json
      --backlog         also print records already in the rings at start
      --immediate-mode  print each record as soon as it is recorded; by
                        default the first record after a quiet spell is
                        printed at once and the records of a burst follow in
                        batches, at most 0.1 s late (fewer wakeups: a flood
                        costs less); -U implies it
  -o, --output FILE     append the lines to FILE (- for stdout, the default);
                        SIGHUP reopens FILE (for logrotate), no line is cut
      --summary         at exit, a table by process, by ICMP type/code and
                        direction, echo round-trip times per process and
                        destination, errors per destination; no lines
      --print           with --summary or -w: print the lines too
  -u, --user NAME       run COMMAND as user NAME (or a uid) with its groups;
                        without it, under sudo, COMMAND runs as the user who
                        ran sudo (SUDO_UID, SUDO_GID), else as we run
  -h, --help            show this help
  -V, --version         show the version (and the ABI it reads)

Capture files (pcapng, for Wireshark, tshark and tcpdump):
  -w FILE               write the packets to FILE as pcapng instead of printing
                        lines (- for stdout: icmptrace -w - | tshark -r -); each
                        packet carries its process in a comment (pid, tid,
                        ppid, uid, comm, container, owner), its direction and
                        epb_processid_threadid
  -s N                  with -w: keep N bytes of each packet from its IP header
                        on; 0 keeps whole packets; default: the module's
                        snaplen parameter (enough for every header icmptrace
                        decodes, the quoted datagram of errors included)
  -U                    with -w: write each packet at once (else per batch)
  -C MB                 with -w: a new file once the current one passes MB
                        million bytes (decimals allowed): FILE, FILE1, FILE2...
  -G SECONDS            with -w: a new file every SECONDS; FILE is passed
                        through strftime(3) (cap-%H%M%S.pcapng)
  -W N                  with -C: N files FILE0..FILE(N-1), reused in a cycle;
                        with -G alone: stop after N files
  -r FILE               read a pcapng or pcap file (- for stdin: icmptrace's
                        own, tcpdump's, Wireshark's) instead of the module and
                        print it, or with -w rewrite it (--print, --summary
                        as for a live run); the filters below apply in
                        userspace; packets of other tools have owner none,
                        no CPU (JSON processorId -1) and no direction where
                        the file does not say one (neither --in nor --out
                        matches them) and, rewritten,
                        keep their interface, link layer and
                        timestamps; -t, -d, --immediate-mode, --backlog, -s
                        and -- COMMAND are for a live trace: not with -r

Filters, evaluated in the kernel before a record is written; kinds combine
with AND, the values of one kind with OR.  They hold for this run only and
go away when it ends, however it ends:
  -4, -6                IPv4 / IPv6 only
      --in, --out       received / sent only
      --type LIST       ICMP types: names (echo-request, echo-reply,
                        dest-unreach, time-exceeded, packet-too-big, redirect,
                        param-problem, router-advert, neighbor-solicit, ...)
                        or numbers, optionally /CODE, v4: or v6: to pick a
                        family: --type echo-request,dest-unreach/3,v6:1
      --pid PID[,PID]   owner's process (tgid) or thread id
      --comm NAME       owner's process name, exactly (up to 15 bytes)
      --uid UID[,UID]   owner's user id or name
      --container ID    owner's container: the cgroup whose name contains ID
      --netns NS        packet's network namespace: a path (/run/netns/NAME,
                        /proc/PID/ns/net) or an inode number
  Owner filters (pid, comm, uid, container) never match packets without an
  owner (received requests, kernel-built replies).

Commands:
  icmptrace stats [--format kv]   per-CPU and total counters
  icmptrace status                module, configuration, filter, readers
  icmptrace enable | disable      turn recording on or off

SIGINT/SIGTERM (and SIGHUP without --output) stop cleanly; a summary
"N records, M dropped" goes to stderr.  With a COMMAND they go to the command
instead (Ctrl-C reaches it from the terminal) and tracing goes on until it
exits; -c, -t or a closed output end the trace early and stop the command
and every process it started with SIGTERM (SIGKILL 2 s later).

COMMAND exit status: 127 not found, 126 found but not runnable, else its own.

Exit codes:
  0  success
  1  other runtime error, a failed output, or a corrupt ring (records lost
     uncounted); drops at a full ring leave the status alone
  2  wrong option or argument
  3  device not found (or -d names no character device), or no icmptrace netlink
     family: the module is not loaded
  4  permission denied: needs root
  5  device busy: another reader is running (one reader at a time), or
     another session holds the filter
  6  ABI mismatch or bad device info (module and reader do not match)
)";
}

} // namespace icmptrace
