#include "cli/capture_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <optional>

#include "cli/icmp_summary.hpp"
#include "cli/output_file.hpp"
#include "control/control.hpp"
#include "control/filter_match.hpp"
#include "control/session.hpp"
#include "format/formatters.hpp"
#include "pcap/capture_reader.hpp"
#include "pcap/capture_writer.hpp"
#include "pcap/packet_event.hpp"
#include "util/error.hpp"
#include "util/unique_fd.hpp"

namespace icmptrace {

uint32_t capture_snaplen(const Options &o)
{
	if (o.snaplen)
		return *o.snaplen == 0 ? ICMPT_SNAPLEN_MAX
				       : std::min<uint32_t>(*o.snaplen, ICMPT_SNAPLEN_MAX);
	Control ctl;
	return ctl.get_config().snaplen.value_or(ICMPT_SNAPLEN_DEFAULT);
}

CaptureOptions capture_options(const Options &o, uint32_t snaplen)
{
	CaptureOptions c;
	c.path = o.write;
	c.snaplen = snaplen;
	c.flush_each = o.flush_each;
	c.rotate_bytes = o.rotate_bytes;
	c.rotate_seconds = o.rotate_seconds;
	c.max_files = o.max_files;
	return c;
}

namespace {

// false: the reader of our output left (EPIPE), a quiet end as for a trace.
bool write_all(FILE *out, const std::string &s)
{
	if (std::fwrite(s.data(), 1, s.size(), out) == s.size())
		return true;
	if (errno == EPIPE)
		return false;
	throw Error(kExitRuntime, errno_message("write", errno));
}

} // namespace

int read_capture(const Options &o)
{
	::signal(SIGPIPE, SIG_IGN);
	const FilterSpec filter = resolve_filter_args(o.filter);
	UniqueFd owned;
	int fd = STDIN_FILENO;
	const std::string name = o.read == "-" ? "standard input" : o.read;
	if (o.read != "-") {
		owned.reset(::open(o.read.c_str(), O_RDONLY | O_CLOEXEC));
		if (!owned.valid())
			throw Error(kExitRuntime, errno_message("opening " + o.read, errno));
		fd = owned.get();
	}
	CaptureReader reader(fd_source(fd, name));

	std::optional<CaptureWriter> writer;
	std::optional<OutputFile> file;
	FILE *out = stdout;
	if (!o.write.empty()) {
		// The file's own snap length, as far as anyone knows: none.
		writer.emplace(capture_options(o, 0));
	} else if (!o.output.empty() && o.output != "-") {
		file.emplace(o.output);
		out = file->stream();
	}
	IcmpSummary summary;
	std::string line;
	uint64_t packets = 0, records = 0, dropped = 0;
	icmpt_event ev;
	FormatContext ctx;
	IpDatagram ip;
	try {
		while (const CapturedPacket *p = reader.next()) {
			++packets;
			dropped += p->dropcount;
			if (!event_from_packet(*p, ev, ctx, ip) || !filter_matches(filter, ev))
				continue;
			if (writer) {
				if (!writer->add(ev, ctx, ip.bytes, p->dropcount))
					break;
			} else {
				if (o.summary)
					summary.add(ev, ctx);
				if (!o.summary || o.print) {
					line.clear();
					format_event(o.format, ev, ctx, line);
					if (!write_all(out, line))
						return kExitOk;
				}
			}
			if (++records == o.count.value_or(0))
				break;
		}
	} catch (const CaptureError &e) {
		// What came before the bad block is out; then a clear error.
		if (writer)
			writer->close();
		std::fflush(out);
		throw Error(kExitRuntime, name + ": " + e.what());
	}
	if (writer)
		writer->close();
	if (o.summary) {
		const std::string table =
			o.format == OutputFormat::Json ? summary.json() : summary.text();
		if (!write_all(out, table))
			return kExitOk;
	}
	if (std::fflush(out) != 0 && errno != EPIPE)
		throw Error(kExitRuntime, errno_message("write", errno));
	std::fprintf(stderr, "icmptrace: %llu packets read, %llu ICMP records %s, %llu dropped by "
			     "the capture that wrote the file\n",
		     static_cast<unsigned long long>(packets),
		     static_cast<unsigned long long>(records), writer ? "written" : "printed",
		     static_cast<unsigned long long>(dropped));
	return kExitOk;
}

} // namespace icmptrace
