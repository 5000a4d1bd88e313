// Reading pcapng (both byte orders, any number of sections) and classic
// pcap (microsecond, nanosecond and Kuznetsov's modified magic, both byte
// orders) from a byte stream, one packet at a time.  Blocks it has no use
// for (NRB, custom, unknown) are skipped by their length; an Interface
// Statistics Block gives its interface's drops (dropped()).  Bad input --
// truncated, garbage, lengths that do not add up -- ends with a
// CaptureError naming the offset; nothing is read beyond what a length
// allows, nothing grows past kMaxBlock.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace icmptrace {

struct CaptureError : std::runtime_error {
	using std::runtime_error::runtime_error;
};

// A packet as the file has it, valid until the next CaptureReader::next().
struct CapturedPacket {
	uint32_t linktype = 0;
	uint64_t ts_ns = 0;			// since the epoch
	std::span<const uint8_t> data;		// captured bytes, link layer on
	uint32_t wire_len = 0;			// length on the wire
	uint32_t epb_flags = 0;			// pcapng epb_flags, 0 if none; a
						// modified pcap's direction there
	uint64_t dropcount = 0;			// pcapng epb_dropcount
	std::vector<std::string_view> comments;	// opt_comment, in order
	uint32_t interface_id = 0;
	std::string_view if_name, if_description;	// pcapng IDB, "" if none
	// The interface as the file describes it, for a rewrite that keeps it
	// (-r -w): the section (0 for the first; classic pcap: 0), its snap
	// length, if_tsresol and if_tsoffset, and the timestamp in its units
	// before the offset (ts_ns is it in nanoseconds after the offset).
	uint32_t section = 0;
	uint32_t if_snaplen = 0;
	uint8_t if_tsresol = 6;
	int64_t if_tsoffset = 0;
	uint64_t ts_raw = 0;
};

class CaptureReader {
public:
	// read: up to n bytes into buf; returns how many, 0 only at the end.
	// Throws on a read error.  path: the file's name for a hint that names
	// it, "" for standard input or memory.
	struct Source {
		std::function<size_t(uint8_t *buf, size_t n)> read;
		std::string path;
	};
	static constexpr uint32_t kMaxBlock = 16u << 20;

	explicit CaptureReader(Source src);
	// The next packet, or nullptr at the end of the input.
	const CapturedPacket *next();
	bool is_pcapng() const { return pcapng_; }
	// Packets the capture that wrote the file lost, as far as read: per
	// interface the larger of its packets' epb_dropcount sum and its last
	// statistics block's isb_ifdrop + isb_osdrop (a total since the start;
	// tcpdump and dumpcap write drops there alone).
	uint64_t dropped() const;
	// What a section keeps of an interface's if_name and if_description:
	// kMaxIfString bytes each; strings_cut() counts those cut.
	static constexpr size_t kMaxIfString = 256;
	uint64_t strings_cut() const { return strings_cut_; }
	// Bytes the section's interface strings hold.
	size_t interface_bytes() const;

private:
	struct Interface {
		uint32_t linktype = 0;
		uint32_t snaplen = 0;
		uint8_t tsresol = 6;
		int64_t tsoffset = 0;
		std::string name, description;
		uint64_t epb_drops = 0, isb_drops = 0;
	};
	// Exactly n bytes appended to block_, or false at a clean end (nothing
	// read); throws if the input ends part-way.
	bool read(size_t n, const char *what);
	// The file header, whose first 4 bytes are in block_.
	void start();
	[[noreturn]] void not_a_capture() const;
	bool next_pcap();
	bool next_pcapng();
	void section_header();
	void interface_block(size_t body, size_t end);
	void packet_block(uint32_t type, size_t body, size_t end);
	void statistics_block(size_t body, size_t end);
	uint32_t u32(size_t at) const;
	uint64_t u64(size_t at) const;
	uint16_t u16(size_t at) const;
	[[noreturn]] void fail(const std::string &msg) const;

	Source src_;
	bool started_ = false, first_block_ = false, pcapng_ = false, swap_ = false, nanos_ = false,
	     modified_ = false;
	uint32_t pcap_linktype_ = 0, pcap_snaplen_ = 0;
	uint32_t sections_ = 0;		// section headers read
	uint64_t offset_ = 0;		// of the next byte in the input
	uint64_t block_offset_ = 0;	// of the block being read
	std::vector<uint8_t> block_;
	std::vector<Interface> ifaces_;
	uint64_t dropped_before_ = 0;	// dropped() of the sections before
	uint64_t strings_cut_ = 0;
	CapturedPacket pkt_;
};

// A reader over a memory buffer (tests, the fuzzer).
CaptureReader::Source memory_source(std::span<const uint8_t> bytes);
// A signal pending on fd_source's stop_fd: the reading ends there.
struct CaptureStopped : std::runtime_error {
	CaptureStopped() : std::runtime_error("stopped by a signal") {}
};

// A reader over a file descriptor (not owned); errors name path.  A
// non-blocking one is waited on.  idle, if given, runs before a read that
// would wait (a pipe with nothing in it yet): a caller flushes its output
// there, so lines of a live `-w - | -r -` are not held back.  stop_fd (a
// signalfd, left for its owner to read): readable, a read throws
// CaptureStopped, at once where it would wait, else within 64 reads.
CaptureReader::Source fd_source(int fd, std::string path, std::function<void()> idle = {},
				int stop_fd = -1);

} // namespace icmptrace
