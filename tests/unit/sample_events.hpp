// Records for the tests.  sample_echo_request() is the packet of the first
// line of tracee's documented net_packet_icmp output (testdata/), so our
// JSON for it can be compared with tracee's own.
#pragma once

#include <linux/icmptrace.h>

#include <cstdint>
#include <vector>

namespace icmptrace::test {

icmpt_event sample_echo_request();	// ping's egress, owner=sender
icmpt_event sample_echo_reply();	// ingress, softirq, owner=none
icmpt_event sample_icmpv6_unreach();	// ICMPv6 port unreachable, owner=kernel

// The record bytes of ev as the module writes them (hdr filled in).
std::vector<unsigned char> packet_record(icmpt_event ev, uint32_t len = sizeof(icmpt_event));

} // namespace icmptrace::test
