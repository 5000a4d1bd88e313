#include "sample_packets.hpp"

#include "pcap/packet_event.hpp"

namespace icmptrace::test {

uint16_t inet_csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		s += static_cast<uint32_t>(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += static_cast<uint32_t>(p[n - 1] << 8);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return static_cast<uint16_t>(~s);
}

std::vector<uint8_t> echo_v4(uint16_t id, uint16_t seq, uint8_t type)
{
	std::vector<uint8_t> b = {
		0x45, 0, 0, 36, 0x12, 0x34, 0x40, 0, 64, 1, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
		type, 0, 0, 0, static_cast<uint8_t>(id >> 8), static_cast<uint8_t>(id),
		static_cast<uint8_t>(seq >> 8), static_cast<uint8_t>(seq),
		'i', 'c', 'm', 'p', 't', 'r', 'a', 'c'};
	uint16_t c = inet_csum(b.data(), 20);
	b[10] = static_cast<uint8_t>(c >> 8);
	b[11] = static_cast<uint8_t>(c);
	c = inet_csum(b.data() + 20, b.size() - 20);
	b[22] = static_cast<uint8_t>(c >> 8);
	b[23] = static_cast<uint8_t>(c);
	return b;
}

bool raw_ip_record(const std::vector<uint8_t> &bytes, uint32_t wire_len, icmpt_event &ev)
{
	CapturedPacket p;
	p.linktype = kLinktypeRaw;
	p.data = bytes;
	p.wire_len = wire_len;
	FormatContext ctx;
	IpDatagram d;
	return event_from_packet(p, ev, ctx, d);
}

std::vector<uint8_t> sll2(const std::vector<uint8_t> &ip, uint8_t pkttype)
{
	std::vector<uint8_t> h = {0x08, 0x00, 0, 0, 0, 0, 0, 1, 0, 1, pkttype, 6,
				  0,    0,    0, 0, 0, 0, 0, 0};
	h.insert(h.end(), ip.begin(), ip.end());
	return h;
}

std::vector<uint8_t> ether(const std::vector<uint8_t> &ip)
{
	std::vector<uint8_t> h = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00};
	h.insert(h.end(), ip.begin(), ip.end());
	return h;
}

std::vector<uint8_t> pcap_file(bool swapped, bool nanos, uint32_t linktype,
			       const std::vector<std::vector<uint8_t>> &frames)
{
	std::vector<uint8_t> b;
	auto put32 = [&](uint32_t v) {
		if (swapped)
			v = __builtin_bswap32(v);
		b.insert(b.end(), reinterpret_cast<uint8_t *>(&v), reinterpret_cast<uint8_t *>(&v) + 4);
	};
	auto put16 = [&](uint16_t v) {
		if (swapped)
			v = __builtin_bswap16(v);
		b.insert(b.end(), reinterpret_cast<uint8_t *>(&v), reinterpret_cast<uint8_t *>(&v) + 2);
	};
	put32(nanos ? 0xA1B23C4D : 0xA1B2C3D4);
	put16(2);
	put16(4);
	put32(0);
	put32(0);
	put32(262144);
	put32(linktype);
	uint32_t sec = 1700000000;
	for (const std::vector<uint8_t> &f : frames) {
		put32(sec++);
		put32(nanos ? 5 : 7);
		put32(static_cast<uint32_t>(f.size()));
		put32(static_cast<uint32_t>(f.size()));
		b.insert(b.end(), f.begin(), f.end());
	}
	return b;
}

} // namespace icmptrace::test
