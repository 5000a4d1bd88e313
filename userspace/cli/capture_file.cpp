#include "cli/capture_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <map>
#include <optional>

#include "cli/icmp_summary.hpp"
#include "cli/output_file.hpp"
#include "cli/signal_fd.hpp"
#include "control/control.hpp"
#include "control/filter_match.hpp"
#include "control/session.hpp"
#include "format/formatters.hpp"
#include "pcap/capture_reader.hpp"
#include "pcap/capture_writer.hpp"
#include "pcap/packet_event.hpp"
#include "util/error.hpp"
#include "util/stall_writer.hpp"
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
	// With -C too: each period starts its numbers again.
	if (o.rotate_seconds && o.write != "-" &&
	    o.write.find('%') == std::string::npos)
		std::fprintf(stderr, "icmptrace: WARNING: -G with a file name without strftime "
				     "conversions: each period overwrites %s (e.g. cap-%%H%%M%%S.pcapng "
				     "keeps them)\n",
			     o.write.c_str());
	return c;
}

namespace {

// "2 more sections<verb> (a section describes 65536 interfaces at most)".
std::string more_sections(const CaptureWriter &w, const char *verb)
{
	const uint32_t n = w.sections_split();
	return std::to_string(n) + " more section" + (n == 1 ? "" : "s") + verb +
	       " (a section describes " + std::to_string(CaptureWriter::kMaxInterfaces) +
	       " interfaces at most)";
}

} // namespace

void report_capture(const CaptureWriter &w)
{
	std::fprintf(stderr, "icmptrace: %llu packets written to %u file%s",
		     static_cast<unsigned long long>(w.packets()), w.files(),
		     w.files() == 1 ? "" : "s");
	if (w.reopened())
		std::fprintf(stderr, ", names opened again %u times (their earlier packets are gone)",
			     w.reopened());
	if (w.sections_split())
		std::fprintf(stderr, ", %s", more_sections(w, "").c_str());
	if (w.lost())
		std::fprintf(stderr, "; %llu not written (%s)",
			     static_cast<unsigned long long>(w.lost()),
			     w.abandoned() ? "the output took nothing after the stop"
					   : "the output failed or was closed");
	std::fputc('\n', stderr);
}

namespace {

// The lines of -r, straight to the descriptor in 64 KiB writes, through a
// StallWriter: a stop signal pending on stop_fd gives up on a stalled
// output kStopGrace later, as a live trace does.
class LineOut {
public:
	LineOut(int fd, std::string name, int stop_fd) : out_(fd), name_(std::move(name))
	{
		out_.watch_stop(stop_fd);	// the signal stays pending for fd_source
	}

	// false: the reader of our output left (EPIPE), a quiet end as for a
	// trace, or it stalled past a stop (abandoned()).  Other errors throw
	// OutputError.
	bool put(std::string_view s)
	{
		buf_.append(s);
		return buf_.size() < kBatch || flush();
	}

	bool flush()
	{
		size_t written = 0;
		switch (out_.write(buf_.data(), buf_.size(), written)) {
		case StallWriter::Status::Ok:
			buf_.clear();
			return true;
		case StallWriter::Status::Closed:
			return false;
		case StallWriter::Status::GaveUp:
			lost_ = static_cast<uint64_t>(std::count(buf_.begin() + written, buf_.end(), '\n'));
			abandoned_ = true;
			return false;
		case StallWriter::Status::Failed:
			break;
		}
		throw OutputError(errno_message("writing " + name_, out_.error()));
	}

	bool abandoned() const { return abandoned_; }
	uint64_t lost() const { return lost_; }	// lines given up on

private:
	static constexpr size_t kBatch = 64 * 1024;

	StallWriter out_;
	std::string name_;
	std::string buf_;
	bool abandoned_ = false;
	uint64_t lost_ = 0;
};

} // namespace

int read_capture(const Options &o)
{
	// SIGINT, SIGTERM, SIGHUP end the reading (a pipe or FIFO may never
	// end), then the lines, the file and the closing line go out as at the
	// input's end: they were lost with the process.
	SignalFd signals;
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
	// Lines go out before a wait for more input (a live -w - | -r -).
	std::optional<LineOut> out;
	bool closed = false;	// the reader of our output left (EPIPE)
	CaptureReader reader(fd_source(
		fd, name,
		[&out, &closed] {
			if (out && !closed)
				closed = !out->flush();
		},
		signals.fd()));

	struct stat in_st;
	const bool in_file = ::fstat(fd, &in_st) == 0 && S_ISREG(in_st.st_mode);
	std::optional<OutputFile> file;
	if (!o.output.empty() && o.output != "-") {
		file.emplace(o.output);	// its stream is never written: no buffer
		if (in_file && file->id() == std::pair<uint64_t, uint64_t>(in_st.st_dev,
									   in_st.st_ino))
			throw Error(kExitUsage, o.output + " is the file -r reads: no lines appended");
		out.emplace(fileno(file->stream()), o.output, signals.fd());
	} else {
		out.emplace(STDOUT_FILENO, "standard output", signals.fd());
	}
	std::optional<CaptureWriter> writer;
	if (!o.write.empty()) {
		// The file's own snap length, as far as anyone knows: none.
		CaptureOptions c = capture_options(o, 0);
		c.live_names = false;	// this host's interfaces are not the file's
		c.stop_fd = signals.fd();
		if (in_file)
			c.keep.push_back({in_st.st_dev, in_st.st_ino, "the file -r reads"});
		if (file) {
			const auto [dev, ino] = file->id();
			c.keep.push_back({dev, ino, "the --output file"});
		}
		writer.emplace(c);
	}
	// Lines as a live run has them: none with -w or --summary unless --print.
	const bool lines = o.print || (!writer && !o.summary);
	IcmpSummary summary;
	std::string line, bad_file, write_error;
	uint64_t packets = 0, records = 0;
	bool stopped = false;	// by a signal, before the input's end
	// Packets of a link type the reader cannot take apart, by type (the
	// first 16 types; the rest together): said at the end, not taken for
	// "no ICMP here".
	std::map<uint32_t, uint64_t> unknown_links;
	uint64_t other_links = 0;
	// Ethernet frames of more VLAN tags than ip_datagram() takes off.
	uint64_t too_many_tags = 0;
	icmpt_event ev;
	FormatContext ctx;
	IpDatagram ip;
	try {
		while (const CapturedPacket *p = reader.next()) {
			if (closed)	// our reader left while we waited for input
				break;
			++packets;
			if (!linktype_known(p->linktype)) {
				if (unknown_links.size() < 16 || unknown_links.contains(p->linktype))
					++unknown_links[p->linktype];
				else
					++other_links;
			}
			if (!event_from_packet(*p, ev, ctx, ip)) {
				too_many_tags += ip.too_many_tags;
				continue;
			}
			if (!filter_matches(filter, ev))
				continue;
			// Our own records name their namespace: an interface per
			// (netns, ifindex), as the live run wrote them.  Other
			// tools' packets keep their input interface, as they are.
			// False: -G -W made its last file, or -w -'s reader left.
			if (writer && !(ev.pkt_netns
						? writer->add(ev, ctx, ip.bytes, p->dropcount, p->if_name)
						: writer->add_frame(ev, ctx, *p, p->dropcount)))
				break;
			if (o.summary)
				summary.add(ev, ctx);
			if (lines) {
				line.clear();
				format_event(o.format, ev, ctx, line);
				if (!out->put(line)) {
					// Given up on at a stop: in lost(), so counted.
					records += out->abandoned();
					closed = true;
					break;
				}
			}
			if (++records == o.count.value_or(0))
				break;
		}
	} catch (const CaptureError &e) {
		// What came before the bad block is out, summary included; then
		// a clear error.
		bad_file = name + ": " + e.what();
	} catch (const OutputError &e) {
		// The output (or -w's file) failed: the count, then the error.
		write_error = e.what();
		closed = true;
	} catch (const CaptureStopped &) {
		stopped = true;
		if (writer)
			writer->stop_soon();
	}
	if (writer) {
		try {
			writer->close();
		} catch (const OutputError &e) {
			if (write_error.empty())
				write_error = e.what();
		}
	}
	if (writer && writer->sections_split())
		std::fprintf(stderr, "icmptrace: %s\n", more_sections(*writer, " written").c_str());
	// Not a capture at all: no summary of nothing on stdout, the error
	// alone (a summary of the packets before a bad block still goes out).
	if (o.summary && !closed && (packets || bad_file.empty())) {
		const std::string table =
			o.format == OutputFormat::Json ? summary.json() : summary.text();
		closed = !out->put(table);
	}
	try {
		if (!closed)
			out->flush();
	} catch (const OutputError &e) {
		if (write_error.empty())
			write_error = e.what();
	}
	for (const auto &[lt, n] : unknown_links)
		std::fprintf(stderr,
			     "icmptrace: WARNING: %llu packets of link type %u not decoded (known: "
			     "Ethernet, raw IP, Linux cooked v1 and v2)\n",
			     static_cast<unsigned long long>(n), lt);
	if (other_links)
		std::fprintf(stderr,
			     "icmptrace: WARNING: %llu packets of other link types not decoded\n",
			     static_cast<unsigned long long>(other_links));
	if (too_many_tags)
		std::fprintf(stderr,
			     "icmptrace: WARNING: %llu Ethernet frames of more than %u VLAN tags not "
			     "decoded\n",
			     static_cast<unsigned long long>(too_many_tags), kMaxVlanTags);
	if (reader.strings_cut())
		std::fprintf(stderr,
			     "icmptrace: WARNING: %llu interface names or descriptions longer than %zu "
			     "bytes cut to that\n",
			     static_cast<unsigned long long>(reader.strings_cut()),
			     CaptureReader::kMaxIfString);
	const uint64_t dropped = reader.dropped();
	// Not a capture at all: the error alone says it.
	if (packets || bad_file.empty()) {
		// Lines given up on at a stop were not printed.
		const uint64_t lost = lines && !writer ? out->lost() : 0;
		stopped = stopped || out->abandoned();
		std::fprintf(stderr,
			     "icmptrace: %llu packets read%s, %llu ICMP records %s, %llu dropped by "
			     "the capture that wrote the file",
			     static_cast<unsigned long long>(packets),
			     stopped ? " (stopped by a signal)" : "",
			     static_cast<unsigned long long>(records - std::min(lost, records)),
			     !write_error.empty() ? "taken before the output failed"
			     : writer	  ? "written"
			     : lines	  ? "printed"
					  : "counted",
			     static_cast<unsigned long long>(dropped));
		if (out->abandoned())
			std::fprintf(stderr, "; %llu line%s not written (the output took nothing "
					     "after the stop)",
				     static_cast<unsigned long long>(out->lost()),
				     out->lost() == 1 ? "" : "s");
		std::fputc('\n', stderr);
	}
	if (!write_error.empty())
		throw Error(kExitRuntime, write_error);
	if (!bad_file.empty())
		throw Error(kExitRuntime, bad_file);
	return kExitOk;
}

} // namespace icmptrace
