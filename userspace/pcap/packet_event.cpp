#include "pcap/packet_event.hpp"

#include <cstring>

#include "pcap/owner_comment.hpp"
#include "pcap/pcapng_blocks.hpp"

extern "C" {
#include "../../kmod/icmpt_parse.h"
}

namespace icmptrace {
namespace {

constexpr uint16_t kEtherIpv4 = 0x0800, kEtherIpv6 = 0x86dd;

uint16_t be16(const uint8_t *p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

bool is_ip(uint16_t ethertype) { return ethertype == kEtherIpv4 || ethertype == kEtherIpv6; }

// 802.1Q, 802.1ad and the 0x9100 of QinQ before 802.1ad.
bool is_vlan(uint16_t tpid) { return tpid == 0x8100 || tpid == 0x88a8 || tpid == 0x9100; }

} // namespace

bool linktype_known(uint32_t linktype)
{
	switch (linktype) {
	case kLinktypeRaw:
	case 12:
	case 14:
	case kLinktypeIpv4:
	case kLinktypeIpv6:
	case kLinktypeEthernet:
	case kLinktypeLinuxSll:
	case kLinktypeLinuxSll2:
		return true;
	}
	return false;
}

bool ip_datagram(const CapturedPacket &p, IpDatagram &out)
{
	const std::span<const uint8_t> d = p.data;
	size_t hdr = 0;
	switch (p.linktype) {
	case kLinktypeRaw:
	case 12:	// DLT_RAW as some systems wrote it
	case 14:
	case kLinktypeIpv4:
	case kLinktypeIpv6:
		break;
	case kLinktypeEthernet: {
		hdr = 14;
		if (d.size() < hdr)
			return false;
		uint16_t type = be16(&d[12]);
		for (unsigned tags = 0; is_vlan(type); ++tags) {
			if (tags == kMaxVlanTags) {
				out.too_many_tags = true;
				return false;
			}
			if (d.size() < hdr + 4)
				return false;
			type = be16(&d[hdr + 2]);
			hdr += 4;
		}
		if (!is_ip(type))
			return false;
		break;
	}
	case kLinktypeLinuxSll:
		hdr = pcapng::kSllLen;
		if (d.size() < hdr || !is_ip(be16(&d[14])))
			return false;
		out.direction = be16(&d[0]) == pcapng::kSllOutgoing ? ICMPT_DIR_OUT : ICMPT_DIR_IN;
		break;
	case kLinktypeLinuxSll2:
		hdr = 20;
		if (d.size() < hdr || !is_ip(be16(&d[0])))
			return false;
		out.direction = d[10] == pcapng::kSllOutgoing ? ICMPT_DIR_OUT : ICMPT_DIR_IN;
		break;
	default:
		return false;
	}
	out.bytes = d.subspan(hdr);
	out.wire_len = p.wire_len > hdr ? p.wire_len - static_cast<uint32_t>(hdr) : 0;
	if (out.wire_len < out.bytes.size())
		out.wire_len = static_cast<uint32_t>(out.bytes.size());
	if ((p.epb_flags & 3) == pcapng::kEpbInbound)
		out.direction = ICMPT_DIR_IN;
	else if ((p.epb_flags & 3) == pcapng::kEpbOutbound)
		out.direction = ICMPT_DIR_OUT;
	return true;
}

bool event_from_packet(const CapturedPacket &p, icmpt_event &ev, FormatContext &ctx,
		       IpDatagram &ip)
{
	ip = IpDatagram{};
	if (!ip_datagram(p, ip))
		return false;
	std::memset(&ev, 0, sizeof(ev));
	if (icmpt_parse(&ev.pkt, &ev.detail, ip.bytes.data(),
			static_cast<unsigned>(ip.bytes.size()), ip.wire_len) != 0)
		return false;
	ev.hdr.type = ICMPT_REC_PACKET;
	ev.hdr.len = sizeof(ev);
	ev.ts_real_ns = p.ts_ns;
	ev.direction = ip.direction;
	ctx = FormatContext{};
	for (std::string_view c : p.comments)
		if (parse_owner_comment(c, ev, ctx))
			break;
	return true;
}

} // namespace icmptrace
