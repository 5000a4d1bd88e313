// Whether a record's ICMP type and code were read: the one rule of the
// formats (format/) and the userspace filters (control/), kept here because
// both may use util/ and neither may use the other.
#pragma once

#include <linux/icmptrace.h>

namespace icmptrace {

// Whether the record's type and code were read: not for a non-first
// fragment, not from fewer than 2 bytes of message (a bad IP header or a
// broken IPv6 chain leaves none), and not when the capture ended before the
// type byte (-r of a file cut at the IP header, tcpdump's "[|icmp]"): the
// parser then stops with truncated, type and code 0, and det.caplen short
// of icmp_off + 2.  The module sees whole datagrams, so its records always
// hold the type byte (its IPv6 det.caplen counts 40 + the ICMPv6 bytes, not
// the extension headers: only a truncated type 0 code 0 is tested).  The
// filters' rule too (control/filter_match.cpp; kmod/icmpt_filter.c needs
// no caplen test).  Else type 0 is no type, and no format names one
// (ICMPv4's 0 would read as EchoReply).
inline bool icmp_type_known(const icmpt_event &ev)
{
	const icmpt_packet &p = ev.pkt;
	if (p.flags & (ICMPT_PKT_FRAGMENT | ICMPT_PKT_BAD_IP | ICMPT_PKT_EXT_BROKEN) ||
	    p.icmp_len < 2)
		return false;
	const bool cut_before_type = (p.flags & ICMPT_PKT_TRUNCATED) && !p.type && !p.code &&
				     ev.detail.icmp_off + 2u > ev.detail.caplen;
	return !cut_before_type;
}

// Whether the checksum was read: the type was, and the 2 bytes after it
// (the parser leaves 0 without them: a 2- or 3-byte message, a capture cut
// inside the ICMP header).  Tested as the type is: only a truncated 0.
inline bool icmp_checksum_known(const icmpt_event &ev)
{
	const icmpt_packet &p = ev.pkt;
	if (!icmp_type_known(ev) || p.icmp_len < 4)
		return false;
	const bool cut_before_csum = (p.flags & ICMPT_PKT_TRUNCATED) && !p.checksum &&
				     ev.detail.icmp_off + 4u > ev.detail.caplen;
	return !cut_before_csum;
}

} // namespace icmptrace
