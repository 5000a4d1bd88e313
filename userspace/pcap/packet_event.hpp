// A packet from a capture file as a record: the link layer taken off, the
// IP datagram decoded by the module's own parser (kmod/icmpt_parse.c) and,
// for icmptrace's own files, the owner and the rest of the record taken back
// from the packet's comment (owner_comment.hpp).  Other captures give owner
// none, direction from epb_flags or the Linux cooked header, if any.
#pragma once

#include <linux/icmptrace.h>

#include <cstdint>
#include <span>

#include "context/format_context.hpp"
#include "pcap/capture_reader.hpp"
#include "pcap/pcapng_blocks.hpp"

namespace icmptrace {

// The linktypes a capture may have, as far as the reader is concerned.
constexpr uint32_t kLinktypeEthernet = 1, kLinktypeRaw = pcapng::kLinktypeRaw,
		   kLinktypeLinuxSll = pcapng::kLinktypeLinuxSll, kLinktypeIpv4 = 228,
		   kLinktypeIpv6 = 229, kLinktypeLinuxSll2 = 276;

// VLAN tags an Ethernet frame may have before its ethertype (real stacks
// have two; a bound keeps a hostile frame cheap).
constexpr unsigned kMaxVlanTags = 8;

// The IP datagram inside a packet: its captured bytes, its length on the
// wire and a direction (0 unknown).  False: not IP, or a linktype the reader
// does not know, or (too_many_tags) an Ethernet frame of more than
// kMaxVlanTags tags, whose ethertype was not reached: not "no ICMP here".
struct IpDatagram {
	std::span<const uint8_t> bytes;
	uint32_t wire_len = 0;
	uint8_t direction = 0;
	bool too_many_tags = false;
};
bool ip_datagram(const CapturedPacket &p, IpDatagram &out);
// The linktypes ip_datagram() takes apart.
bool linktype_known(uint32_t linktype);

// False when the packet is not ICMP/ICMPv6 (skipped, not an error); ip
// says why where its link layer was at fault (too_many_tags).
bool event_from_packet(const CapturedPacket &p, icmpt_event &ev, FormatContext &ctx,
		       IpDatagram &ip);

} // namespace icmptrace
