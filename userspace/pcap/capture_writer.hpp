// -w FILE: records as pcapng (pcapng_blocks.hpp), one section a file.  An
// Interface Description Block is written before the first packet of each
// (network namespace, ifindex), named in that namespace; each packet is an Enhanced Packet Block with
// the owner comment, direction, pid/tid and the drops before it; at the
// close of a file an Interface Statistics Block per interface.
//
// The interface table is bounded: a section describes kMaxInterfaces
// (65536, what -r takes in one section) at most.  The packet of one more
// ends the section (statistics blocks for its interfaces) and starts a new
// one in the same file (SHB), where interfaces are described again as their
// packets come; pcapng allows any number of sections, and Wireshark, tshark
// and -r read every packet of them all.  A host with namespaces and
// interfaces that come and go for weeks thus costs a section header and some
// IDBs again, never memory; the count of such sections is said at the end
// (sections_split()).  The price, seen with tshark 4.0.17: a later
// section's packets show frame.interface_name of the first section's
// interface of the same id (frame.section_number tells them apart, and the
// owner comment's netns= and ifindex= are the packet's own); -C or -G
// rotation, a new file each, avoids it.  A single section growing without
// end was the alternative: no reader could then hold its interfaces in
// bounded memory, -r included.
//
// -r -w of another tool's capture (add_frame()): its records name no
// namespace, so each interface of the input (section, interface id) gets an
// IDB of its own with the input's if_name, if_description, link type, snap
// length, if_tsresol and if_tsoffset, and each packet is written as the
// input has it, link-layer header included, with its own timestamp.
//
// Blocks are built whole in a buffer and the buffer is written only at
// block boundaries, so a writer killed at any point leaves a file readable
// up to its last whole block.  A write error throws OutputError (an open
// for rotation too): nothing is dropped silently.  A file a failed write
// cut inside a block (a full disk) is cut back to its last whole block, and
// packets() counts only the packets before it, lost() the rest.  One
// exception, as tcpdump and the text output have it: EPIPE (the reader of
// a pipe left: -w - | head) is the end of the capture, not an error:
// output_closed(), and add() asks for no more.
//
// An output that can stall (a pipe, FIFO, socket or terminal, or one set
// non-blocking) is written through a StallWriter, as the lines are: a stop
// signal pending on stop_fd, or the deadline, gives up on it kStopGrace
// later: abandoned().
//
// Rotation as tcpdump's -C/-G/-W (rotate_name()):
//   -C MB   a new file when the current one has grown past MB * 1,000,000
//           bytes: FILE, FILE1, FILE2, ... ; with -W N: FILE0 .. FILE(N-1),
//           then FILE0 again (overwritten);
//   -G SEC  a new file every SEC seconds, FILE passed through strftime(3);
//           with -W N (and no -C) the capture ends after N files.
#pragma once

#include <linux/icmptrace.h>

#include <chrono>
#include <cstdint>
#include <ctime>
#include <map>
#include <span>
#include <string>
#include <unordered_set>
#include <string_view>
#include <utility>
#include <vector>

#include "context/format_context.hpp"
#include "pcap/block_buffer.hpp"
#include "pcap/capture_reader.hpp"
#include "pcap/netns_ifnames.hpp"
#include "pcap/owner_comment.hpp"
#include "pcap/pcapng_blocks.hpp"
#include "ring/record.hpp"
#include "util/stall_writer.hpp"

namespace icmptrace {

struct CaptureOptions {
	std::string path;		// "-": standard output
	uint32_t snaplen = 0;		// in the IDBs; 0: no limit
	bool flush_each = false;	// -U: a write per packet
	uint64_t rotate_bytes = 0;	// -C, in bytes; 0: none
	uint32_t rotate_seconds = 0;	// -G; 0: none
	uint32_t max_files = 0;		// -W; 0: none
	// Files never opened for writing, whatever name leads to them: the
	// file -r reads, the --output file of the lines.
	struct KeptFile {
		uint64_t dev = 0, ino = 0;
		std::string what;	// "the file -r reads"
	};
	std::vector<KeptFile> keep = {};
	// if_name asked of this host (netns_ifnames.hpp); false for -r, whose
	// packets name their interface themselves or get a placeholder.
	bool live_names = true;
	// A stalled output is given up on kStopGrace after a signal is
	// pending here (left for its owner to read), after stop_soon(), or
	// after the deadline: the trace's signalfd and -t.
	int stop_fd = -1;
	std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

// The name of the file number n of a capture started (or last rotated by
// -G) at t; tcpdump's MakeFilename.
std::string rotate_name(const CaptureOptions &o, uint32_t n, std::time_t t);

class CaptureWriter {
public:
	// Opens the first file and writes its section header; throws Error.
	explicit CaptureWriter(CaptureOptions o);
	// Writes what is buffered; errors are lost here: call close() first.
	~CaptureWriter();
	CaptureWriter(const CaptureWriter &) = delete;
	CaptureWriter &operator=(const CaptureWriter &) = delete;

	// Adds the packet (ip: its bytes from the IP header on; the wire
	// length is ev.pkt.ip_len) with drops_before records lost since the
	// packet before.  False when the capture takes no more: -G with -W has
	// made its last file (this packet was not written), or the output was
	// closed (output_closed(); the packet is lost with it).
	// if_name: the interface's name when the caller knows it (-r), for the
	// interface's first packet.
	bool add(const icmpt_event &ev, const FormatContext &ctx, std::span<const uint8_t> ip,
		 uint64_t drops_before, std::string_view if_name = {});
	// A record from the rings with the packet bytes it carries; one whose
	// bytes do not fit it (uapi "Packet bytes": a module of another
	// version, or a bug) is written without them and counted.
	bool add_record(const icmpt_event &ev, const FormatContext &ctx, uint64_t drops_before)
	{
		const RecordBytes b = record_bytes(&ev.hdr);
		if (b.problem != BytesProblem::None) [[unlikely]]
			++malformed_[static_cast<size_t>(b.problem)];
		return add(ev, ctx, b.bytes, drops_before);
	}
	uint64_t malformed(BytesProblem p) const { return malformed_[static_cast<size_t>(p)]; }
	// -r -w of a packet whose record names no network namespace (another
	// tool's capture; ev decoded from p): p as it is, on an IDB of its own
	// input interface (see above).  Returns as add().
	bool add_frame(const icmpt_event &ev, const FormatContext &ctx, const CapturedPacket &p,
		       uint64_t drops_before);
	// Writes the buffered blocks (at the end of each batch of records);
	// false once the output is closed.
	bool flush();
	// The reader of the output left (EPIPE): nothing more is written.
	bool output_closed() const { return output_closed_; }
	// Statistics blocks, flush, close; drops_after: records lost after the
	// last packet.  Throws Error on a write or close error.
	void close(uint64_t drops_after = 0);

	// Interfaces described in the current section, at most kMaxInterfaces
	// (what -r takes in a section); sections begun because the table was
	// full.
	static constexpr size_t kMaxInterfaces = 65536;
	size_t interfaces() const { return ifaces_.size(); }
	uint32_t sections_split() const { return sections_split_; }
	uint64_t packets() const { return packets_; }	// in the output, whole
	// Packets add() took that did not reach the output: a write failed,
	// the reader left, or the output stalled past a stop.
	uint64_t lost() const { return lost_; }
	bool abandoned() const { return abandoned_; }	// see above
	// A stop the owner of stop_fd read: a stalled output is given up on
	// kStopGrace from now.
	void stop_soon() { out_.stop(); }
	// Files the capture left: names opened, each once however often it was
	// reused (-C -W cycles, -G with a name without strftime conversions).
	uint32_t files() const { return static_cast<uint32_t>(names_.size()) + names_over_; }
	// Opens of a name opened before: the earlier contents are gone.
	uint32_t reopened() const { return files_ - files(); }

private:
	struct Iface {
		uint32_t id;
		uint64_t recv = 0, drops = 0;
		uint64_t first_ts = 0, last_ts = 0;	// in the IDB's if_tsresol
	};
	// (netns, ifindex) of a record; (kInputIface | section, interface id)
	// of another tool's capture (add_frame).
	using IfaceKey = std::pair<uint64_t, uint32_t>;
	static constexpr uint64_t kInputIface = uint64_t{1} << 32;
	void open_file();
	void end_file(uint64_t drops_after);
	void start_section();
	void end_section(uint64_t drops_after);
	Iface &interface_of(const IfaceKey &key, bool &added);
	bool rotate_if_due();
	inline Iface &interface_for(const icmpt_event &ev, std::string_view if_name);
	Iface &interface_looked_up(const IfaceKey &key, const icmpt_event &ev,
				   std::string_view if_name);
	template <typename Build>
	void buffer_block(Build build);
	inline bool put(const icmpt_event &ev, const FormatContext &ctx, Iface &i, uint64_t ts,
			std::span<const uint8_t> head, std::span<const uint8_t> data,
			uint32_t wire_len, uint64_t drops_before);
	void count_written(size_t done);

	CaptureOptions o_;
	int fd_ = -1;				// owned unless to_stdout_
	bool to_stdout_ = false, closed_ = false, output_closed_ = false, abandoned_ = false;
	StallWriter out_;			// fd_, waited on if it can stall
	bool rotates_ = false;			// -C or -G, not to standard output
	std::string name_;			// of the current file
	BlockBuffer buf_;
	// The end of each block in buf_, kEpbEnd set for a packet's: what a
	// write cut short leaves whole.
	static constexpr uint32_t kEpbEnd = uint32_t{1} << 31;
	std::vector<uint32_t> ends_;
	pcapng::Bytes block_;			// an SHB, IDB or ISB being built
	uint64_t file_bytes_ = 0;		// written to the current file
	uint32_t files_ = 0, counter_ = 0;	// files opened; -C's number
	// The names opened, bounded: past kNames new ones are only counted.
	static constexpr size_t kNames = 1 << 16;
	std::unordered_set<std::string> names_;
	uint32_t names_over_ = 0;
	std::time_t period_start_ = 0;		// -G: when this file's period began
	std::map<IfaceKey, Iface> ifaces_;	// of the section, kMaxInterfaces at most
	uint32_t sections_split_ = 0;
	// The last two interfaces of add() (a flood between two namespaces
	// alternates them): no map lookup per packet.  Cleared with ifaces_.
	struct Hot {
		IfaceKey key{};
		Iface *iface = nullptr;
	};
	Hot hot_[2];
	uint32_t last_iface_ = UINT32_MAX;
	uint64_t packets_ = 0, lost_ = 0;
	uint32_t buffered_packets_ = 0;		// EPBs in buf_
	uint64_t malformed_[3] = {};		// by BytesProblem
	NetnsIfnames ifnames_;
	OwnerComments comments_;
};

} // namespace icmptrace
