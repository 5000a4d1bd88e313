/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * icmptrace_icmp.h: the ICMP, ICMPv6 and IP protocol numbers icmptrace
 * knows, with their names, in one table for the module, its pure-C parser
 * and the reader (filter names for --type, gopacket's names for tracee's
 * typeCode).  No includes, so the parser, the kernel and C++ can all use it;
 * the constants carry the ICMPT_ prefix so that they never clash with
 * <linux/icmp.h> or <netinet/ip_icmp.h>, whose values they repeat.
 *
 * ICMPT_ICMP_TYPES(X) calls X(family, number, CONSTANT, filter name, gopacket
 * name) for each type and defines ICMPT_V<family>_<CONSTANT>; a 0 gopacket
 * name means gopacket (v1.1.19) has none and prints the number.
 */
#ifndef _UAPI_LINUX_ICMPTRACE_ICMP_H
#define _UAPI_LINUX_ICMPTRACE_ICMP_H

#define ICMPT_ICMP_TYPES(X)							\
	X(4, 0, ECHO_REPLY, "echo-reply", "EchoReply")				\
	X(4, 3, DEST_UNREACH, "dest-unreach", "DestinationUnreachable")		\
	X(4, 4, SOURCE_QUENCH, "source-quench", "SourceQuench")			\
	X(4, 5, REDIRECT, "redirect", "Redirect")				\
	X(4, 8, ECHO_REQUEST, "echo-request", "EchoRequest")			\
	X(4, 9, ROUTER_ADVERT, "router-advert", "RouterAdvertisement")		\
	X(4, 10, ROUTER_SOLICIT, "router-solicit", "RouterSolicitation")	\
	X(4, 11, TIME_EXCEEDED, "time-exceeded", "TimeExceeded")		\
	X(4, 12, PARAM_PROBLEM, "param-problem", "ParameterProblem")		\
	X(4, 13, TIMESTAMP_REQUEST, "timestamp-request", "TimestampRequest")	\
	X(4, 14, TIMESTAMP_REPLY, "timestamp-reply", "TimestampReply")		\
	X(4, 15, INFO_REQUEST, "info-request", "InfoRequest")			\
	X(4, 16, INFO_REPLY, "info-reply", "InfoReply")				\
	X(4, 17, MASK_REQUEST, "mask-request", "AddressMaskRequest")		\
	X(4, 18, MASK_REPLY, "mask-reply", "AddressMaskReply")			\
	X(4, 42, EXT_ECHO_REQUEST, "ext-echo-request", 0)			\
	X(4, 43, EXT_ECHO_REPLY, "ext-echo-reply", 0)				\
	X(6, 1, DEST_UNREACH, "dest-unreach", "DestinationUnreachable")		\
	X(6, 2, PACKET_TOO_BIG, "packet-too-big", "PacketTooBig")		\
	X(6, 3, TIME_EXCEEDED, "time-exceeded", "TimeExceeded")			\
	X(6, 4, PARAM_PROBLEM, "param-problem", "ParameterProblem")		\
	X(6, 128, ECHO_REQUEST, "echo-request", "EchoRequest")			\
	X(6, 129, ECHO_REPLY, "echo-reply", "EchoReply")			\
	X(6, 130, MLD_QUERY, "mld-query", 0)					\
	X(6, 131, MLD_REPORT, "mld-report", 0)					\
	X(6, 132, MLD_DONE, "mld-done", 0)					\
	X(6, 133, ROUTER_SOLICIT, "router-solicit", "RouterSolicitation")	\
	X(6, 134, ROUTER_ADVERT, "router-advert", "RouterAdvertisement")	\
	X(6, 135, NEIGH_SOLICIT, "neighbor-solicit", "NeighborSolicitation")	\
	X(6, 136, NEIGH_ADVERT, "neighbor-advert", "NeighborAdvertisement")	\
	X(6, 137, REDIRECT, "redirect", "Redirect")				\
	X(6, 143, MLD2_REPORT, "mld2-report", 0)				\
	X(6, 160, EXT_ECHO_REQUEST, "ext-echo-request", 0)			\
	X(6, 161, EXT_ECHO_REPLY, "ext-echo-reply", 0)

#define ICMPT_ICMP_TYPE_ENUM_(fam, num, id, name, gopacket) ICMPT_V##fam##_##id = num,
enum icmpt_icmp_type { ICMPT_ICMP_TYPES(ICMPT_ICMP_TYPE_ENUM_) };
#undef ICMPT_ICMP_TYPE_ENUM_

/* The codes the parser and the reader look at. */
#define ICMPT_V4_FRAG_NEEDED	4	/* dest-unreach: the next-hop MTU is set */

/* Neighbor discovery option types (RFC 4861 4.6). */
#define ICMPT_NDP_OPT_SOURCE_LLADDR	1
#define ICMPT_NDP_OPT_TARGET_LLADDR	2
#define ICMPT_NDP_OPT_MTU		5

/* IP protocol numbers of what an ICMP error may quote: X(number, CONSTANT, name). */
#define ICMPT_IPPROTOS(X)		\
	X(1, ICMP, "icmp")		\
	X(6, TCP, "tcp")		\
	X(17, UDP, "udp")		\
	X(33, DCCP, "dccp")		\
	X(58, ICMPV6, "icmp6")		\
	X(132, SCTP, "sctp")		\
	X(136, UDPLITE, "udplite")

#define ICMPT_IPPROTO_ENUM_(num, id, name) ICMPT_IPPROTO_##id = num,
enum icmpt_ipproto { ICMPT_IPPROTOS(ICMPT_IPPROTO_ENUM_) };
#undef ICMPT_IPPROTO_ENUM_

/* IPv6 extension headers the parser walks (RFC 8200 4, RFC 4302). */
#define ICMPT_IPV6_HOPOPTS	0
#define ICMPT_IPV6_ROUTING	43
#define ICMPT_IPV6_FRAGMENT	44
#define ICMPT_IPV6_AH		51
#define ICMPT_IPV6_DSTOPTS	60

#endif /* _UAPI_LINUX_ICMPTRACE_ICMP_H */
