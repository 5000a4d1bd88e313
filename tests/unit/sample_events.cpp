#include "sample_events.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

namespace icmptrace::test {
namespace {

void set_v4(uint8_t (&dst)[16], const char *addr)
{
	std::memset(dst, 0, sizeof(dst));
	inet_pton(AF_INET, addr, dst);
}

void set_v6(uint8_t (&dst)[16], const char *addr)
{
	inet_pton(AF_INET6, addr, dst);
}

} // namespace

icmpt_event sample_echo_request()
{
	icmpt_event ev;
	std::memset(&ev, 0, sizeof(ev));
	ev.hdr.len = sizeof(ev);
	ev.hdr.type = ICMPT_REC_PACKET;
	ev.ts_real_ns = 1696270181814910395ULL;
	ev.ts_boot_ns = 5000000000000ULL;
	ev.cpu = 6;
	ev.direction = ICMPT_DIR_OUT;
	ev.owner = ICMPT_OWNER_SENDER;
	ev.ctx = ICMPT_CTX_TASK;
	ev.ifindex = 2;
	ev.pkt_netns = 4026531840U;
	ev.pkt.family = 4;
	ev.pkt.ttl = 64;
	ev.pkt.proto = 1;
	ev.pkt.type = 8;
	ev.pkt.code = 0;
	ev.pkt.checksum = 38217;
	ev.pkt.rest = 0x00060002;
	ev.pkt.id = 6;
	ev.pkt.seq = 2;
	ev.pkt.flags = ICMPT_PKT_HAS_ECHO;
	ev.pkt.ip_len = 84;
	ev.pkt.icmp_len = 64;
	set_v4(ev.pkt.saddr, "192.168.200.50");
	set_v4(ev.pkt.daddr, "8.8.8.8");
	ev.detail.kind = ICMPT_DET_ECHO;
	ev.detail.u.echo.id = 6;
	ev.detail.u.echo.seq = 2;
	ev.task.pid = 1094692;
	ev.task.tid = 1094692;
	ev.task.ppid = 1037836;
	ev.task.ns_pid = 1094692;
	ev.task.ns_tid = 1094692;
	ev.task.ns_ppid = 1037836;
	ev.task.uid = 1000;
	ev.task.gid = 1000;
	// tracee's threadStartTime 1696270180811296936, in CLOCK_BOOTTIME.
	ev.task.start_time_ns = ev.ts_boot_ns - (ev.ts_real_ns - 1696270180811296936ULL);
	ev.task.cgroup_id = 5650;
	ev.task.mnt_ns = 4026531841U;
	ev.task.pid_ns = 4026531836U;
	ev.task.net_ns = 4026531840U;
	ev.task.uts_ns = 4026531838U;
	ev.task.syscall_nr = 44;	// sendto
	std::strcpy(ev.task.comm, "ping");
	return ev;
}

icmpt_event sample_echo_reply()
{
	icmpt_event ev;
	std::memset(&ev, 0, sizeof(ev));
	ev.hdr.len = sizeof(ev);
	ev.hdr.type = ICMPT_REC_PACKET;
	ev.ts_real_ns = 1696270181823805929ULL;
	ev.ts_boot_ns = 5000008895534ULL;
	ev.cpu = 1;
	ev.direction = ICMPT_DIR_IN;
	ev.owner = ICMPT_OWNER_NONE;
	ev.ctx = ICMPT_CTX_SOFTIRQ;
	ev.ifindex = 2;
	ev.pkt_netns = 4026531840U;
	ev.pkt.family = 4;
	ev.pkt.ttl = 117;
	ev.pkt.proto = 1;
	ev.pkt.type = 0;
	ev.pkt.checksum = 40265;
	ev.pkt.rest = 0x00060002;
	ev.pkt.id = 6;
	ev.pkt.seq = 2;
	ev.pkt.flags = ICMPT_PKT_HAS_ECHO;
	ev.pkt.ip_len = 84;
	ev.pkt.icmp_len = 64;
	set_v4(ev.pkt.saddr, "8.8.8.8");
	set_v4(ev.pkt.daddr, "192.168.200.50");
	ev.detail.kind = ICMPT_DET_ECHO;
	ev.detail.u.echo.id = 6;
	ev.detail.u.echo.seq = 2;
	// Garbage the reader must not show: owner none means "not filled".
	ev.task.pid = 999;
	std::strcpy(ev.task.comm, "bogus");
	return ev;
}

icmpt_event sample_icmpv6_unreach()
{
	icmpt_event ev;
	std::memset(&ev, 0, sizeof(ev));
	ev.hdr.len = sizeof(ev);
	ev.hdr.type = ICMPT_REC_PACKET;
	ev.ts_real_ns = 1700000000000000000ULL;
	ev.ts_boot_ns = 6000000000000ULL;
	ev.cpu = 0;
	ev.direction = ICMPT_DIR_OUT;
	ev.owner = ICMPT_OWNER_KERNEL;
	ev.ctx = ICMPT_CTX_SOFTIRQ;
	ev.ifindex = 1;
	ev.pkt_netns = 4026532000U;
	ev.pkt.family = 6;
	ev.pkt.ttl = 64;
	ev.pkt.proto = 58;
	ev.pkt.type = 1;
	ev.pkt.code = 4;
	ev.pkt.checksum = 0xbeef;
	ev.pkt.rest = 0;
	ev.pkt.ip_len = 1280;
	ev.pkt.icmp_len = 1240;
	set_v6(ev.pkt.saddr, "::1");
	set_v6(ev.pkt.daddr, "fd00::2");
	ev.task.syscall_nr = -1;
	return ev;
}

std::vector<unsigned char> packet_record(icmpt_event ev, uint32_t len)
{
	ev.hdr.len = len;
	ev.hdr.type = ICMPT_REC_PACKET;
	std::vector<unsigned char> rec(len, 0);
	std::memcpy(rec.data(), &ev, std::min<size_t>(len, sizeof(ev)));
	return rec;
}

} // namespace icmptrace::test
