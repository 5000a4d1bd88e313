#include "pcap/capture_reader.hpp"

#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>

#include "pcap/pcapng_blocks.hpp"
#include "util/error.hpp"

namespace icmptrace {
namespace {

constexpr uint32_t kPcapMicro = 0xA1B2C3D4, kPcapNano = 0xA1B23C4D;
// Alexey Kuznetsov's patched libpcap (editcap -F modpcap): microseconds, and
// each record header has 8 bytes more: ifindex u32, protocol u16, pkt_type
// u8 (as Linux cooked headers have it), pad u8.
constexpr uint32_t kPcapModified = 0xA1B2CD34;
constexpr uint32_t kPcapHeader = 24, kPcapRecord = 16, kPcapModifiedRecord = 24;
constexpr uint8_t kPacketOutgoing = 4;

uint32_t bswap(uint32_t v) { return __builtin_bswap32(v); }

std::string hex32(uint32_t v)
{
	char b[16];
	std::snprintf(b, sizeof(b), "0x%08x", v);
	return b;
}

// ts in units of 10^-k or 2^-k seconds (tsresol's high bit) as ns.
uint64_t to_ns(uint64_t ts, uint8_t tsresol)
{
	const unsigned k = tsresol & 0x7f;
	if (tsresol & 0x80) {
		if (k >= 64)
			return 0;
		return static_cast<uint64_t>((static_cast<unsigned __int128>(ts) * 1000000000u) >> k);
	}
	uint64_t v = ts;
	for (unsigned i = k; i < 9; ++i)
		v *= 10;
	for (unsigned i = 9; i < k && i < 40; ++i)
		v /= 10;
	return v;
}

// Compressed data where a capture was expected, by its magic, and the tool
// that decompresses it.  xz's magic is fd 37 7a 58 5a 00: its first 4 bytes,
// all there is to see, are no other format's.
struct Compressed {
	std::string_view magic;
	const char *name, *cat;
};
constexpr Compressed kCompressed[] = {
	{"\x1f\x8b", "gzip", "zcat"},
	{"\x28\xb5\x2f\xfd", "zstd", "zstdcat"},
	{"\xfd\x37\x7a\x58", "xz", "xzcat"},
	{"BZh", "bzip2", "bzcat"},
	{"\x04\x22\x4d\x18", "lz4", "lz4cat"},
};

// path as one shell word, for a command line to copy (not an option).
std::string shell_word(std::string path)
{
	if (path.starts_with('-'))
		path = "./" + path;
	if (path.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
						   "0123456789._/+,:@%=-") == std::string::npos)
		return path;
	std::string q = "'";
	for (char c : path)
		q += c == '\'' ? std::string("'\\''") : std::string(1, c);
	return q + "'";
}

} // namespace

CaptureReader::CaptureReader(Source src) : src_(std::move(src)) {}

void CaptureReader::fail(const std::string &msg) const
{
	throw CaptureError(msg + " (block at byte " + std::to_string(block_offset_) + ")");
}

bool CaptureReader::read(size_t n, const char *what)
{
	const size_t at = block_.size();
	block_.resize(at + n);
	size_t got = 0;
	while (got < n) {
		const size_t r = src_.read(block_.data() + at + got, n - got);
		if (r == 0)
			break;
		got += r;
	}
	offset_ += got;
	if (got == n)
		return true;
	block_.resize(at + got);
	if (got == 0 && at == 0)
		return false;
	fail(std::string("truncated ") + what + ": the input ends " +
	     std::to_string(n - got) + " bytes short");
}

uint32_t CaptureReader::u32(size_t at) const
{
	uint32_t v;
	std::memcpy(&v, block_.data() + at, 4);
	return swap_ ? bswap(v) : v;
}

uint64_t CaptureReader::u64(size_t at) const
{
	uint64_t v;
	std::memcpy(&v, block_.data() + at, 8);
	return swap_ ? __builtin_bswap64(v) : v;
}

uint16_t CaptureReader::u16(size_t at) const
{
	uint16_t v;
	std::memcpy(&v, block_.data() + at, 2);
	return swap_ ? __builtin_bswap16(v) : v;
}

void CaptureReader::start()
{
	started_ = true;
	uint32_t magic;
	std::memcpy(&magic, block_.data(), 4);
	if (magic == pcapng::kShb) {
		pcapng_ = true;
		first_block_ = true;
		return;
	}
	auto pcap_magic = [](uint32_t m) {
		return m == kPcapMicro || m == kPcapNano || m == kPcapModified;
	};
	if (pcap_magic(magic))
		swap_ = false;
	else if (pcap_magic(bswap(magic)))
		swap_ = true;
	else
		not_a_capture();
	const uint32_t m = swap_ ? bswap(magic) : magic;
	nanos_ = m == kPcapNano;
	modified_ = m == kPcapModified;
	if (!read(kPcapHeader - 4, "pcap file header"))
		fail("truncated pcap file header");
	pcap_snaplen_ = u32(16);
	pcap_linktype_ = u32(20) & 0xffff;	// upper bits: FCS length
	block_.clear();
}

void CaptureReader::not_a_capture() const
{
	const std::string_view head(reinterpret_cast<const char *>(block_.data()), 4);
	for (const Compressed &c : kCompressed) {
		if (!head.starts_with(c.magic))
			continue;
		const std::string cmd = src_.path.empty()
						? std::string("... | ") + c.cat
						: std::string(c.cat) + " " + shell_word(src_.path);
		throw CaptureError(std::string(c.name) +
				   "-compressed, not a pcap or pcapng file: decompress it first (" +
				   cmd + " | icmptrace -r -)");
	}
	// The bytes as the file has them, not as a number of this host.
	char hex[16];
	std::snprintf(hex, sizeof(hex), "%02x %02x %02x %02x", block_[0], block_[1], block_[2],
		      block_[3]);
	throw CaptureError(std::string("not a pcap or pcapng file (it starts with ") + hex + ")");
}

const CapturedPacket *CaptureReader::next()
{
	if (!started_) {
		block_.clear();
		block_offset_ = offset_;
		if (!read(4, "file header"))
			throw CaptureError("empty input: not a pcap or pcapng file");
		start();
	}
	const bool got = pcapng_ ? next_pcapng() : next_pcap();
	return got ? &pkt_ : nullptr;
}

bool CaptureReader::next_pcap()
{
	block_.clear();
	block_offset_ = offset_;
	const size_t hdr = modified_ ? kPcapModifiedRecord : kPcapRecord;
	if (!read(hdr, "packet record header"))
		return false;
	const uint32_t sec = u32(0), frac = u32(4), incl = u32(8), orig = u32(12);
	if (incl > kMaxBlock)
		fail("packet record of " + std::to_string(incl) + " bytes: longer than any capture");
	if ((nanos_ && frac >= 1000000000u) || (!nanos_ && frac >= 1000000u))
		fail("packet record with a fraction of a second out of range (" +
		     std::to_string(frac) + ")");
	read(incl, "packet");
	pkt_ = CapturedPacket{};
	pkt_.linktype = pcap_linktype_;
	pkt_.if_snaplen = pcap_snaplen_;
	pkt_.if_tsresol = nanos_ ? 9 : 6;
	pkt_.ts_raw = uint64_t{sec} * (nanos_ ? 1000000000u : 1000000u) + frac;
	pkt_.ts_ns = uint64_t{sec} * 1000000000u + (nanos_ ? frac : uint64_t{frac} * 1000u);
	pkt_.data = std::span<const uint8_t>(block_.data() + hdr, incl);
	pkt_.wire_len = std::max(orig, incl);
	// A direction where the record has one: a protocol of 0 is a record
	// converted from a format without these fields (editcap writes zeros),
	// whose pkt_type 0 would say "received" of every packet.
	if (modified_ && u16(20) != 0)
		pkt_.epb_flags = block_[22] == kPacketOutgoing ? pcapng::kEpbOutbound
							       : pcapng::kEpbInbound;
	return true;
}

void CaptureReader::section_header()
{
	// type, length, byte-order magic: the magic says how to read the length.
	if (!read(8, "section header"))
		fail("truncated section header");
	uint32_t bom;
	std::memcpy(&bom, block_.data() + 8, 4);
	if (bom == pcapng::kByteOrderMagic)
		swap_ = false;
	else if (bswap(bom) == pcapng::kByteOrderMagic)
		swap_ = true;
	else
		fail("section header with a bad byte-order magic " + hex32(bom));
	dropped_before_ = dropped();
	ifaces_.clear();
	++sections_;
}

bool CaptureReader::next_pcapng()
{
	for (;;) {
		if (first_block_) {
			// next() has read the first block's type already.
			first_block_ = false;
			read(4, "block header");
		} else {
			block_.clear();
			block_offset_ = offset_;
			if (!read(8, "block header"))
				return false;
		}
		uint32_t raw_type;
		std::memcpy(&raw_type, block_.data(), 4);
		if (raw_type == pcapng::kShb)
			section_header();
		const uint32_t type = u32(0), len = u32(4);
		const size_t have = block_.size();
		if (len < 12 + (have - 8) || len % 4 || len > kMaxBlock)
			fail("block of type " + hex32(type) + " with an invalid length " +
			     std::to_string(len));
		read(len - have, "block");
		if (u32(len - 4) != len)
			fail("block of type " + hex32(type) +
			     " whose trailing length does not repeat its length");
		const size_t body = 8, end = len - 4;
		switch (type) {
		case pcapng::kShb:
			if (len < 28)
				fail("section header too short");
			if (u16(12) != 1)
				fail("section header of pcapng version " + std::to_string(u16(12)) +
				     "." + std::to_string(u16(14)) + ": only 1.x is known");
			break;
		case pcapng::kIdb:
			interface_block(body, end);
			break;
		case pcapng::kEpb:
		case pcapng::kSpb:
			packet_block(type, body, end);
			return true;
		case pcapng::kIsb:
			statistics_block(body, end);
			break;
		default:
			break;	// NRB, custom, unknown: skipped
		}
	}
}

namespace {

// Options from at to end: calls f(code, value offset, length) for each.
template <typename F>
void walk_options(const std::vector<uint8_t> &b, size_t at, size_t end, bool swap, F f)
{
	while (at + 4 <= end) {
		uint16_t code, len;
		std::memcpy(&code, b.data() + at, 2);
		std::memcpy(&len, b.data() + at + 2, 2);
		if (swap) {
			code = __builtin_bswap16(code);
			len = __builtin_bswap16(len);
		}
		if (code == pcapng::kOptEnd)
			return;
		const size_t padded = (size_t{len} + 3) & ~size_t{3};
		if (at + 4 + padded > end)
			throw CaptureError("option " + std::to_string(code) +
					   " runs past the end of its block");
		f(code, at + 4, len);
		at += 4 + padded;
	}
}

} // namespace

void CaptureReader::interface_block(size_t body, size_t end)
{
	if (body + 8 > end)
		fail("interface description too short");
	Interface i;
	i.linktype = u16(body);
	i.snaplen = u32(body + 4);
	// A string ends at its first NUL, if a writer padded it so, and is
	// kept up to kMaxIfString bytes (cut at a UTF-8 character's start):
	// 65536 interfaces of two 64 KiB strings would hold 8 GiB.
	auto keep = [this](std::string &to, const char *p, uint16_t n) {
		size_t len = ::strnlen(p, n);
		if (len > kMaxIfString) {
			++strings_cut_;
			len = kMaxIfString;
			while (len && (static_cast<uint8_t>(p[len]) & 0xc0) == 0x80)
				--len;
		}
		to.assign(p, len);
	};
	try {
		walk_options(block_, body + 8, end, swap_, [&](uint16_t code, size_t v, uint16_t n) {
			const char *p = reinterpret_cast<const char *>(block_.data() + v);
			if (code == pcapng::kIfName)
				keep(i.name, p, n);
			else if (code == pcapng::kIfDescription)
				keep(i.description, p, n);
			else if (code == pcapng::kIfTsresol && n >= 1)
				i.tsresol = block_[v];
			else if (code == pcapng::kIfTsoffset && n == 8)
				i.tsoffset = static_cast<int64_t>(u64(v));
		});
	} catch (const CaptureError &e) {
		fail(e.what());
	}
	if (ifaces_.size() >= 65536)
		fail("more than 65536 interfaces in one section");
	ifaces_.push_back(std::move(i));
}

void CaptureReader::packet_block(uint32_t type, size_t body, size_t end)
{
	pkt_ = CapturedPacket{};
	size_t data_at, caplen, opts;
	uint64_t ts = 0;
	if (type == pcapng::kEpb) {
		if (body + 20 > end)
			fail("enhanced packet block too short");
		pkt_.interface_id = u32(body);
		ts = uint64_t{u32(body + 4)} << 32 | u32(body + 8);
		caplen = u32(body + 12);
		pkt_.wire_len = u32(body + 16);
		data_at = body + 20;
		if (caplen > end - data_at)
			fail("enhanced packet block: " + std::to_string(caplen) +
			     " captured bytes do not fit in the block");
		opts = data_at + ((caplen + 3) & ~size_t{3});
	} else {
		if (body + 4 > end)
			fail("simple packet block too short");
		pkt_.wire_len = u32(body);
		data_at = body + 4;
		caplen = std::min<size_t>(pkt_.wire_len, end - data_at);
		opts = end;
	}
	if (pkt_.interface_id >= ifaces_.size())
		fail("packet on interface " + std::to_string(pkt_.interface_id) + ", but " +
		     std::to_string(ifaces_.size()) + " are described");
	const Interface &i = ifaces_[pkt_.interface_id];
	if (type == pcapng::kSpb && i.snaplen)
		caplen = std::min<size_t>(caplen, i.snaplen);
	pkt_.linktype = i.linktype;
	pkt_.if_name = i.name;
	pkt_.if_description = i.description;
	pkt_.ts_ns = to_ns(ts, i.tsresol) + static_cast<uint64_t>(i.tsoffset) * 1000000000u;
	pkt_.section = sections_ - 1;
	pkt_.if_snaplen = i.snaplen;
	pkt_.if_tsresol = i.tsresol;
	pkt_.if_tsoffset = i.tsoffset;
	pkt_.ts_raw = ts;
	pkt_.data = std::span<const uint8_t>(block_.data() + data_at, caplen);
	pkt_.wire_len = std::max<uint32_t>(pkt_.wire_len, static_cast<uint32_t>(caplen));
	if (opts > end)
		opts = end;
	try {
		walk_options(block_, opts, end, swap_, [&](uint16_t code, size_t v, uint16_t n) {
			const char *p = reinterpret_cast<const char *>(block_.data() + v);
			if (code == pcapng::kOptComment)
				pkt_.comments.emplace_back(p, n);
			else if (code == pcapng::kEpbFlags && n == 4)
				pkt_.epb_flags = u32(v);
			else if (code == pcapng::kEpbDropCount && n == 8)
				pkt_.dropcount = u64(v);
		});
	} catch (const CaptureError &e) {
		fail(e.what());
	}
	Interface &w = ifaces_[pkt_.interface_id];
	w.epb_drops += std::min(pkt_.dropcount, UINT64_MAX - w.epb_drops);
}

void CaptureReader::statistics_block(size_t body, size_t end)
{
	if (body + 12 > end)
		fail("interface statistics block too short");
	const uint32_t id = u32(body);
	if (id >= ifaces_.size())
		fail("statistics of interface " + std::to_string(id) + ", but " +
		     std::to_string(ifaces_.size()) + " are described");
	uint64_t ifdrop = 0, osdrop = 0;
	try {
		walk_options(block_, body + 12, end, swap_, [&](uint16_t code, size_t v, uint16_t n) {
			if (code == pcapng::kIsbIfDrop && n == 8)
				ifdrop = u64(v);
			else if (code == pcapng::kIsbOsDrop && n == 8)
				osdrop = u64(v);
		});
	} catch (const CaptureError &e) {
		fail(e.what());
	}
	ifaces_[id].isb_drops = ifdrop + std::min(osdrop, UINT64_MAX - ifdrop);
}

size_t CaptureReader::interface_bytes() const
{
	size_t n = 0;
	for (const Interface &i : ifaces_)
		n += i.name.capacity() + i.description.capacity();
	return n;
}

uint64_t CaptureReader::dropped() const
{
	uint64_t d = dropped_before_;
	for (const Interface &i : ifaces_) {
		const uint64_t n = std::max(i.epb_drops, i.isb_drops);
		d += std::min(n, UINT64_MAX - d);
	}
	return d;
}

CaptureReader::Source memory_source(std::span<const uint8_t> bytes)
{
	auto pos = std::make_shared<size_t>(0);
	auto read = [bytes, pos](uint8_t *buf, size_t n) {
		const size_t k = std::min(n, bytes.size() - *pos);
		if (k)
			std::memcpy(buf, bytes.data() + *pos, k);
		*pos += k;
		return k;
	};
	return {std::move(read), ""};
}

CaptureReader::Source fd_source(int fd, std::string path, std::function<void()> idle,
				int stop_fd)
{
	struct stat st;
	const bool may_wait = ::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode);
	if (!may_wait)
		idle = nullptr;
	// Standard input has no name a command line could use.
	std::string hint_path = fd == STDIN_FILENO ? std::string() : path;
	auto read = [fd, path = std::move(path), idle = std::move(idle), may_wait, stop_fd,
		     calls = 0u](uint8_t *buf, size_t n) mutable -> size_t {
		// [0] the input, [1] the stop; a file is asked every 64 reads.
		pollfd p[2] = {{fd, POLLIN, 0}, {stop_fd, POLLIN, 0}};
		const auto stopped = [&p, stop_fd] {
			return stop_fd >= 0 && (p[1].revents & POLLIN);
		};
		if (may_wait || (stop_fd >= 0 && ++calls % 64 == 0)) {
			if (::poll(p, 2, 0) >= 0 && stopped())
				throw CaptureStopped();
			if (may_wait && !p[0].revents) {
				if (idle)
					idle();
				// The input has nothing: wait for it or the stop.
				while (::poll(p, 2, -1) < 0 && errno == EINTR) {
				}
				if (stopped())
					throw CaptureStopped();
			}
		}
		for (;;) {
			const ssize_t r = ::read(fd, buf, n);
			if (r >= 0)
				return static_cast<size_t>(r);
			if (errno == EAGAIN) {
				// O_NONBLOCK, set by whoever shares the file.
				while (::poll(p, 2, -1) < 0 && errno == EINTR) {
				}
				if (stopped())
					throw CaptureStopped();
				continue;
			}
			if (errno != EINTR)
				throw Error(kExitRuntime, errno_message("reading " + path, errno));
		}
	};
	return {std::move(read), std::move(hint_path)};
}

} // namespace icmptrace
