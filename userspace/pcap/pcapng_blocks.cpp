#include "pcap/pcapng_blocks.hpp"

#include <algorithm>
#include <cstring>

namespace icmptrace::pcapng {
namespace {

void put32(Bytes &out, uint32_t v)
{
	const size_t at = out.size();
	out.resize(at + 4);
	std::memcpy(out.data() + at, &v, 4);
}

void put16(Bytes &out, uint16_t v)
{
	const size_t at = out.size();
	out.resize(at + 2);
	std::memcpy(out.data() + at, &v, 2);
}

// A u64 field or option value (timestamps are two words: see option_ts).
void put64(Bytes &out, uint64_t v)
{
	const size_t at = out.size();
	out.resize(at + 8);
	std::memcpy(out.data() + at, &v, 8);
}

void pad4(Bytes &out)
{
	while (out.size() % 4)
		out.push_back(0);
}

void put_bytes(Bytes &out, const void *p, size_t n)
{
	const auto *b = static_cast<const uint8_t *>(p);
	out.insert(out.end(), b, b + n);
	pad4(out);
}

void option(Bytes &out, uint16_t code, const void *p, size_t n)
{
	put16(out, code);
	put16(out, static_cast<uint16_t>(n));
	put_bytes(out, p, n);
}

void option(Bytes &out, uint16_t code, std::string_view s)
{
	// An option's length is 16 bits: longer text is cut (never happens
	// with what we write, but the format must stay valid).
	option(out, code, s.data(), std::min<size_t>(s.size(), 0xffff));
}

void option_u64(Bytes &out, uint16_t code, uint64_t v)
{
	put16(out, code);
	put16(out, 8);
	put64(out, v);
}

// 64-bit timestamps are two 32-bit words, the high one first.
void option_ts(Bytes &out, uint16_t code, uint64_t ts)
{
	put16(out, code);
	put16(out, 8);
	put32(out, static_cast<uint32_t>(ts >> 32));
	put32(out, static_cast<uint32_t>(ts));
}

void end_options(Bytes &out)
{
	put16(out, kOptEnd);
	put16(out, 0);
}

// Writes the type and a placeholder length; finish() patches both lengths.
size_t begin(Bytes &out, uint32_t type)
{
	const size_t start = out.size();
	put32(out, type);
	put32(out, 0);
	return start;
}

void finish(Bytes &out, size_t start)
{
	const uint32_t len = static_cast<uint32_t>(out.size() - start + 4);
	std::memcpy(out.data() + start + 4, &len, 4);
	put32(out, len);
}

} // namespace

void append_shb(Bytes &out, std::string_view userappl, std::string_view os)
{
	const size_t b = begin(out, kShb);
	put32(out, kByteOrderMagic);
	put16(out, 1);		// major
	put16(out, 0);		// minor
	put64(out, UINT64_MAX);	// section length: not known
	if (!os.empty())
		option(out, kShbOs, os);
	if (!userappl.empty())
		option(out, kShbUserAppl, userappl);
	end_options(out);
	finish(out, b);
}

void append_idb(Bytes &out, uint16_t linktype, uint32_t snaplen, std::string_view name,
		std::string_view description, uint8_t tsresol, int64_t tsoffset)
{
	const size_t b = begin(out, kIdb);
	put16(out, linktype);
	put16(out, 0);
	put32(out, snaplen);
	if (!name.empty())
		option(out, kIfName, name);
	if (!description.empty())
		option(out, kIfDescription, description);
	option(out, kIfTsresol, &tsresol, 1);
	if (tsoffset)
		option_u64(out, kIfTsoffset, static_cast<uint64_t>(tsoffset));
	end_options(out);
	finish(out, b);
}

void append_epb(Bytes &out, const EpbMeta &m, std::span<const uint8_t> data)
{
	const size_t b = begin(out, kEpb);
	put32(out, m.interface_id);
	put32(out, static_cast<uint32_t>(m.ts >> 32));
	put32(out, static_cast<uint32_t>(m.ts));
	put32(out, static_cast<uint32_t>(data.size()));
	put32(out, m.wire_len);
	put_bytes(out, data.data(), data.size());
	for (const std::string &c : m.comments)
		option(out, kOptComment, c);
	if (m.flags)
		option(out, kEpbFlags, &m.flags, 4);
	if (m.dropcount)
		option_u64(out, kEpbDropCount, m.dropcount);
	if (m.pid_tid) {
		const uint32_t v[2] = {m.pid_tid->first, m.pid_tid->second};
		option(out, kEpbProcessIdThreadId, v, sizeof(v));
	}
	end_options(out);
	finish(out, b);
}

void append_isb(Bytes &out, const IsbCounts &c)
{
	const size_t b = begin(out, kIsb);
	put32(out, c.interface_id);
	put32(out, static_cast<uint32_t>(c.ts >> 32));
	put32(out, static_cast<uint32_t>(c.ts));
	if (!c.comment.empty())
		option(out, kOptComment, c.comment);
	if (c.start)
		option_ts(out, kIsbStartTime, *c.start);
	if (c.end)
		option_ts(out, kIsbEndTime, *c.end);
	option_u64(out, kIsbIfRecv, c.ifrecv);
	if (c.ifdrop)
		option_u64(out, kIsbIfDrop, *c.ifdrop);
	if (c.osdrop)
		option_u64(out, kIsbOsDrop, *c.osdrop);
	end_options(out);
	finish(out, b);
}

} // namespace icmptrace::pcapng
