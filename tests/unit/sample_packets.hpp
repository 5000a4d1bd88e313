// Packet bytes for the capture tests: an ICMP echo with real checksums, the
// link-layer headers other tools' captures have, and a classic pcap file of
// frames, so a test writes its input where a reader can see what it holds.
#pragma once

#include <linux/icmptrace.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace icmptrace::test {

// The Internet checksum of n bytes.
uint16_t inet_csum(const uint8_t *p, size_t n);
// An IPv4 echo request 10.0.0.1 -> 10.0.0.2 (type 0: a reply), id, seq,
// 8 bytes of data.
std::vector<uint8_t> echo_v4(uint16_t id, uint16_t seq, uint8_t type = 8);
// The record -r makes of bytes, the first bytes of a raw IP datagram of
// wire_len bytes on the wire (a shorter snap length cuts it); false if none.
bool raw_ip_record(const std::vector<uint8_t> &bytes, uint32_t wire_len, icmpt_event &ev);
// ip behind a Linux cooked v2 header (pkttype 4: outgoing).
std::vector<uint8_t> sll2(const std::vector<uint8_t> &ip, uint8_t pkttype);
// ip behind an Ethernet header (ethertype IPv4).
std::vector<uint8_t> ether(const std::vector<uint8_t> &ip);
// A classic pcap file (swapped: the other byte order; nanos: the nanosecond
// magic) of frames, snap length 262144, one a second from 1700000000 s with
// a fraction of 5 ns (nanos) or 7 us.
std::vector<uint8_t> pcap_file(bool swapped, bool nanos, uint32_t linktype,
			       const std::vector<std::vector<uint8_t>> &frames);

} // namespace icmptrace::test
