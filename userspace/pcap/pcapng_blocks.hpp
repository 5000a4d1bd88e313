// pcapng blocks as bytes (the pcapng draft, draft-ietf-opsawg-pcapng): each
// function appends one whole block, in host byte order (the Section Header's
// byte-order magic tells readers which), so a writer emits it with one
// write().  Pure: the unit tests check the bytes.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace icmptrace::pcapng {

using Bytes = std::vector<uint8_t>;

// Block types and the options the writer and the reader use.
constexpr uint32_t kShb = 0x0A0D0D0A;
constexpr uint32_t kIdb = 1;
constexpr uint32_t kSpb = 3;
constexpr uint32_t kIsb = 5;
constexpr uint32_t kEpb = 6;
constexpr uint32_t kByteOrderMagic = 0x1A2B3C4D;

constexpr uint16_t kOptEnd = 0;
constexpr uint16_t kOptComment = 1;
constexpr uint16_t kShbHardware = 2, kShbOs = 3, kShbUserAppl = 4;
constexpr uint16_t kIfName = 2, kIfDescription = 3, kIfTsresol = 9, kIfTsoffset = 14;
constexpr uint16_t kEpbFlags = 2, kEpbDropCount = 4, kEpbProcessIdThreadId = 8;
constexpr uint16_t kIsbStartTime = 2, kIsbEndTime = 3, kIsbIfRecv = 4, kIsbIfDrop = 5,
		   kIsbOsDrop = 7;

constexpr uint16_t kLinktypeRaw = 101;	// the packet starts at its IP header
// Linux cooked capture v1 (tcpdump -i any's): a 16-byte header, then the IP
// header.  Our records' interfaces have it, not LINKTYPE_RAW: libpcap (1.10.3
// in bookworm, 1.10.5 in trixie) compares a later interface's LINKTYPE_RAW
// with the DLT_RAW (12) it made of the first one's and stops, so tcpdump -r
// read only the packets before a file's second interface ("an interface has
// a type 101 different from the type of the first interface").  113 is its
// own DLT; the header says the direction and the protocol, and has no
// link-layer address (ARPHRD_NONE), as a tun device's.
constexpr uint16_t kLinktypeLinuxSll = 113;
constexpr size_t kSllLen = 16;
constexpr uint8_t kSllOutgoing = 4;	// PACKET_OUTGOING, the cooked headers' packet type
using SllHeader = std::array<uint8_t, kSllLen>;
// out: PACKET_OUTGOING, else PACKET_HOST (0); the protocol by family.
constexpr SllHeader sll_header(bool out, bool ipv6)
{
	return {0, static_cast<uint8_t>(out ? kSllOutgoing : 0), 0xff, 0xfe,	// ARPHRD_NONE
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0,			// address length and address
		static_cast<uint8_t>(ipv6 ? 0x86 : 0x08), static_cast<uint8_t>(ipv6 ? 0xdd : 0x00)};
}

// epb_flags bits 0-1: direction.
constexpr uint32_t kEpbInbound = 1, kEpbOutbound = 2;

void append_shb(Bytes &out, std::string_view userappl, std::string_view os);
// snaplen 0: no limit.  tsresol 9: timestamps in nanoseconds (if_tsresol's
// encoding: 10^-n, or 2^-n with the high bit); tsoffset: seconds added to
// every timestamp, written only when not 0.
void append_idb(Bytes &out, uint16_t linktype, uint32_t snaplen, std::string_view name,
		std::string_view description, uint8_t tsresol = 9, int64_t tsoffset = 0);

struct EpbFields {
	uint32_t interface_id = 0;
	uint64_t ts = 0;			// units of the IDB's if_tsresol
	uint32_t wire_len = 0;			// original length
	uint32_t flags = 0;			// epb_flags, 0: none written
	std::optional<std::pair<uint32_t, uint32_t>> pid_tid;	// epb_processid_threadid
	uint64_t dropcount = 0;			// epb_dropcount, 0: none written
};
struct EpbMeta : EpbFields {
	std::vector<std::string> comments;	// opt_comment each
};
void append_epb(Bytes &out, const EpbMeta &m, std::span<const uint8_t> data);

// The same block with one comment, written in place for a writer that
// emits one per packet: into room the caller checked once (kEpbRoom, the
// data and the comment's length), with plain stores, nothing allocated.
// epb_begin() writes up to the comment's text, which the caller writes at
// text(); epb_options() writes the options from the comment's head on (or
// the caller copies a list it kept), and epb_close() the block's length.
// The bytes are append_epb()'s with comments = {text}.
constexpr size_t kEpbRoom = 28 + 3 + 4 + 3 + 8 + 12 + 12 + 4 + 4;	// 3s: padding
struct EpbAt {
	uint8_t *block;
	uint8_t *comment;	// the opt_comment option
	char *text() const { return reinterpret_cast<char *>(comment + 4); }
};
// Inline: a call each, with m in memory, cost a third of their work.
namespace epb_detail {

inline uint8_t *store32(uint8_t *p, uint32_t v)
{
	std::memcpy(p, &v, 4);
	return p + 4;
}

inline uint8_t *store_opt_head(uint8_t *p, uint16_t code, uint16_t len)
{
	std::memcpy(p, &code, 2);
	std::memcpy(p + 2, &len, 2);
	return p + 4;
}

// n bytes at p are followed by zeros up to a multiple of 4: returns the end.
inline uint8_t *padded(uint8_t *p, size_t n)
{
	std::memset(p + n, 0, 3);
	return p + ((n + 3) & ~size_t{3});
}

} // namespace epb_detail

// The packet's bytes are head (a link-layer header, or none) and data.
inline EpbAt epb_begin(uint8_t *p, const EpbFields &m, std::span<const uint8_t> head,
		       std::span<const uint8_t> data)
{
	using namespace epb_detail;
	const size_t n = head.size() + data.size();
	uint8_t *q = store32(p, kEpb);
	q = store32(q + 4, m.interface_id);	// the length: epb_close()
	q = store32(q, static_cast<uint32_t>(m.ts >> 32));
	q = store32(q, static_cast<uint32_t>(m.ts));
	q = store32(q, static_cast<uint32_t>(n));
	q = store32(q, m.wire_len);
	if (!head.empty())
		std::memcpy(q, head.data(), head.size());
	if (!data.empty())
		std::memcpy(q + head.size(), data.data(), data.size());
	return {p, padded(q, n)};
}

inline EpbAt epb_begin(uint8_t *p, const EpbFields &m, std::span<const uint8_t> data)
{
	return epb_begin(p, m, {}, data);
}

// The options after the data, from opt_comment (its text_len bytes of text
// already at comment + 4; longer than an option holds, cut as append_epb()
// cuts it) to opt_endofopt, for m's flags, dropcount and pid/tid: returns
// their end.
inline uint8_t *epb_options(uint8_t *comment, size_t text_len, const EpbFields &m)
{
	using namespace epb_detail;
	const size_t n = std::min<size_t>(text_len, 0xffff);
	store_opt_head(comment, kOptComment, static_cast<uint16_t>(n));
	uint8_t *q = padded(comment + 4, n);
	if (m.flags)
		q = store32(store_opt_head(q, kEpbFlags, 4), m.flags);
	if (m.dropcount) {
		q = store_opt_head(q, kEpbDropCount, 8);
		std::memcpy(q, &m.dropcount, 8);
		q += 8;
	}
	if (m.pid_tid)
		q = store32(store32(store_opt_head(q, kEpbProcessIdThreadId, 8), m.pid_tid->first),
			    m.pid_tid->second);
	return store_opt_head(q, kOptEnd, 0);
}

// The block's length at both ends, its options ending at options_end:
// returns the block's end.
inline uint8_t *epb_close(const EpbAt &at, uint8_t *options_end)
{
	using namespace epb_detail;
	const uint32_t len = static_cast<uint32_t>(options_end + 4 - at.block);
	store32(at.block + 4, len);
	return store32(options_end, len);
}

struct IsbCounts {
	uint32_t interface_id = 0;
	uint64_t ts = 0;
	std::optional<uint64_t> start, end;	// isb_starttime/endtime
	uint64_t ifrecv = 0;
	// Ring-full drops are the capture buffer's, as dumpcap writes libpcap's
	// ps_drop: isb_osdrop.  isb_ifdrop (the NIC's) is unknown to us.
	std::optional<uint64_t> ifdrop, osdrop;
	std::string comment;			// "" none
};
void append_isb(Bytes &out, const IsbCounts &c);

} // namespace icmptrace::pcapng
