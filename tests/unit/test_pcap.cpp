// pcap/: the pcapng blocks byte by byte, the reader on our own files, on
// tcpdump-style pcap and on bad input, and write -> read giving back the
// records.
#include <arpa/inet.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli/options.hpp"
#include "control/filter_match.hpp"
#include "format/formatters.hpp"
#include "pcap/capture_reader.hpp"
#include "pcap/capture_writer.hpp"
#include "pcap/owner_comment.hpp"
#include "pcap/packet_event.hpp"
#include "pcap/pcapng_blocks.hpp"
#include "sample_events.hpp"
#include "sample_packets.hpp"
#include "util/error.hpp"
#include "cmocka_includes.hpp"

using namespace icmptrace;
using namespace icmptrace::test;
namespace ng = icmptrace::pcapng;

namespace {

using Bytes = std::vector<uint8_t>;

uint32_t le32(const Bytes &b, size_t at)
{
	uint32_t v;
	std::memcpy(&v, b.data() + at, 4);
	return v;
}

uint16_t le16(const Bytes &b, size_t at)
{
	uint16_t v;
	std::memcpy(&v, b.data() + at, 2);
	return v;
}

// A record as the module would make of ip (parsed the way it parses).
icmpt_event record_of(const Bytes &ip, uint8_t dir, uint8_t owner, uint32_t pid)
{
	icmpt_event ev;
	assert_true(raw_ip_record(ip, static_cast<uint32_t>(ip.size()), ev));
	ev.ts_real_ns = 1700000000123456789ULL + pid;
	ev.ts_boot_ns = 5000000000ULL + pid;
	ev.cpu = 1;
	ev.direction = dir;
	ev.owner = owner;
	ev.ctx = owner == ICMPT_OWNER_SENDER ? ICMPT_CTX_TASK : ICMPT_CTX_SOFTIRQ;
	ev.ifindex = 1;
	ev.pkt_netns = 4026531999U;
	if (owner != ICMPT_OWNER_NONE) {
		ev.task.pid = pid;
		ev.task.tid = pid + 1;
		ev.task.ppid = 1;
		ev.task.ns_pid = 7;	// in a PID namespace
		ev.task.ns_tid = pid + 1;
		ev.task.ns_ppid = 1;
		ev.task.uid = 1000;
		ev.task.gid = 1000;
		ev.task.start_time_ns = 123456789;
		ev.task.cgroup_id = 4242;
		ev.task.mnt_ns = 4026531841U;
		ev.task.pid_ns = 4026531836U;
		ev.task.net_ns = 4026531999U;
		ev.task.uts_ns = 4026531838U;
		ev.task.syscall_nr = 44;
		std::strcpy(ev.task.comm, "my ping%");
	}
	return ev;
}

std::string temp_path(const char *name)
{
	char dir[] = "/tmp/icmpt-pcap-XXXXXX";
	assert_non_null(mkdtemp(dir));
	return std::string(dir) + "/" + name;
}

Bytes slurp(const std::string &path)
{
	Bytes b;
	FILE *f = std::fopen(path.c_str(), "rb");
	assert_non_null(f);
	int c;
	while ((c = std::fgetc(f)) != EOF)
		b.push_back(static_cast<uint8_t>(c));
	std::fclose(f);
	return b;
}

// What the reader makes of bytes: the records, or the error text.
struct ReadBack {
	std::vector<icmpt_event> events;
	std::vector<FormatContext> ctxs;
	std::vector<Bytes> ip;
	std::string error;
};

ReadBack read_all(const Bytes &file)
{
	ReadBack r;
	try {
		CaptureReader rd(memory_source(file));
		while (const CapturedPacket *p = rd.next()) {
			icmpt_event ev;
			FormatContext ctx;
			IpDatagram d;
			if (!event_from_packet(*p, ev, ctx, d))
				continue;
			r.events.push_back(ev);
			r.ctxs.push_back(ctx);
			r.ip.emplace_back(d.bytes.begin(), d.bytes.end());
		}
	} catch (const CaptureError &e) {
		r.error = e.what();
	}
	return r;
}

void test_shb_bytes(void **)
{
	Bytes b;
	ng::append_shb(b, "icmptrace", "Linux 6.1");
	// 28 fixed + os (4+12) + appl (4+12) + end (4)
	assert_int_equal(b.size(), 28 + 16 + 16 + 4);
	assert_int_equal(le32(b, 0), 0x0A0D0D0A);
	assert_int_equal(le32(b, 4), b.size());
	assert_int_equal(le32(b, 8), 0x1A2B3C4D);
	assert_int_equal(le16(b, 12), 1);
	assert_int_equal(le16(b, 14), 0);
	assert_int_equal(le32(b, 16), 0xffffffff);	// section length -1
	assert_int_equal(le32(b, 20), 0xffffffff);
	assert_int_equal(le16(b, 24), 3);		// shb_os
	assert_int_equal(le16(b, 26), 9);
	assert_memory_equal(b.data() + 28, "Linux 6.1\0\0\0", 12);
	assert_int_equal(le16(b, 40), 4);		// shb_userappl
	assert_int_equal(le16(b, 42), 9);
	assert_memory_equal(b.data() + 44, "icmptrace\0\0\0", 12);
	assert_int_equal(le32(b, 56), 0);		// opt_endofopt
	assert_int_equal(le32(b, 60), b.size());	// trailing length
}

void test_idb_bytes(void **)
{
	Bytes b;
	ng::append_idb(b, ng::kLinktypeRaw, 0, "lo", "netns=1 ifindex=1");
	assert_int_equal(le32(b, 0), 1);
	assert_int_equal(b.size(), 16 + (4 + 4) + (4 + 20) + (4 + 4) + 4 + 4);
	assert_int_equal(le32(b, 4), b.size());
	assert_int_equal(le16(b, 8), 101);
	assert_int_equal(le16(b, 10), 0);
	assert_int_equal(le32(b, 12), 0);		// snaplen: no limit
	assert_int_equal(le16(b, 16), 2);		// if_name
	assert_int_equal(le16(b, 18), 2);
	assert_memory_equal(b.data() + 20, "lo\0\0", 4);
	assert_int_equal(le16(b, 24), 3);		// if_description
	assert_int_equal(le16(b, 26), 17);
	assert_memory_equal(b.data() + 28, "netns=1 ifindex=1\0\0\0", 20);
	assert_int_equal(le16(b, 48), 9);		// if_tsresol
	assert_int_equal(le16(b, 50), 1);
	assert_int_equal(b[52], 9);
	assert_int_equal(le32(b, 56), 0);
	assert_int_equal(le32(b, b.size() - 4), b.size());
}

void test_epb_bytes(void **)
{
	Bytes b;
	ng::EpbMeta m;
	m.interface_id = 3;
	m.ts = 0x0000000100000002ULL;
	m.wire_len = 100;
	m.flags = ng::kEpbOutbound;
	m.comments = {"pid=5"};
	m.pid_tid.emplace(5, 6);
	m.dropcount = 7;
	const Bytes data = {1, 2, 3, 4, 5};
	ng::append_epb(b, m, data);
	assert_int_equal(le32(b, 0), 6);
	assert_int_equal(le32(b, 8), 3);
	assert_int_equal(le32(b, 12), 1);	// timestamp high word first
	assert_int_equal(le32(b, 16), 2);
	assert_int_equal(le32(b, 20), 5);	// captured
	assert_int_equal(le32(b, 24), 100);	// original
	assert_memory_equal(b.data() + 28, "\1\2\3\4\5\0\0\0", 8);
	size_t at = 36;
	assert_int_equal(le16(b, at), 1);	// opt_comment
	assert_int_equal(le16(b, at + 2), 5);
	assert_memory_equal(b.data() + at + 4, "pid=5\0\0\0", 8);
	at += 12;
	assert_int_equal(le16(b, at), 2);	// epb_flags
	assert_int_equal(le16(b, at + 2), 4);
	assert_int_equal(le32(b, at + 4), 2);
	at += 8;
	assert_int_equal(le16(b, at), 4);	// epb_dropcount
	assert_int_equal(le16(b, at + 2), 8);
	assert_int_equal(le32(b, at + 4), 7);
	assert_int_equal(le32(b, at + 8), 0);
	at += 12;
	assert_int_equal(le16(b, at), 8);	// epb_processid_threadid
	assert_int_equal(le16(b, at + 2), 8);
	assert_int_equal(le32(b, at + 4), 5);
	assert_int_equal(le32(b, at + 8), 6);
	at += 12;
	assert_int_equal(le32(b, at), 0);	// end of options
	assert_int_equal(at + 8, b.size());
	assert_int_equal(le32(b, 4), b.size());
	assert_int_equal(le32(b, at + 4), b.size());
}

void test_isb_bytes(void **)
{
	Bytes b;
	ng::IsbCounts c;
	c.interface_id = 1;
	c.ts = 0x0000000300000004ULL;
	c.ifrecv = 10;
	c.osdrop = 2;
	ng::append_isb(b, c);
	assert_int_equal(le32(b, 0), 5);
	assert_int_equal(le32(b, 8), 1);
	assert_int_equal(le32(b, 12), 3);
	assert_int_equal(le32(b, 16), 4);
	assert_int_equal(le16(b, 20), 4);	// isb_ifrecv
	assert_int_equal(le32(b, 24), 10);
	assert_int_equal(le16(b, 32), 7);	// isb_osdrop (no isb_ifdrop)
	assert_int_equal(le32(b, 36), 2);
	assert_int_equal(le32(b, 44), 0);
	assert_int_equal(b.size(), 52);
	assert_int_equal(le32(b, 4), 52);
	assert_int_equal(le32(b, 48), 52);
}

constexpr char kContainerId[] =
	"3f4e5d6c7b8a99887766554433221100ffeeddccbbaa00112233445566778899";

void test_comment_round_trip(void **)
{
	icmpt_event ev = record_of(echo_v4(1, 2), ICMPT_DIR_OUT, ICMPT_OWNER_SENDER, 500);
	FormatContext ctx;
	const std::string id(kContainerId);
	ctx.container_id = id;
	ctx.hostname = "host 1";
	const std::string c = owner_comment(ev, ctx);
	const std::string head =
		"pid=500 tid=501 ppid=1 uid=1000 comm=my%20ping%25 container=" + id + " owner=";
	assert_string_equal(c.substr(0, head.size()).c_str(), head.c_str());
	assert_non_null(std::strstr(c.c_str(), " ns_pid=7 "));
	assert_null(std::strstr(c.c_str(), "ns_tid"));	// same as tid
	// booted=: the real time less the boot time, as a number of its own.
	const std::string booted = " booted=" + std::to_string(ev.ts_real_ns - ev.ts_boot_ns) + " ";
	assert_non_null(std::strstr(c.c_str(), booted.c_str()));
	icmpt_event back;
	std::memset(&back, 0, sizeof(back));
	back.ts_real_ns = ev.ts_real_ns;	// the packet's time, as the caller sets it
	FormatContext bctx;
	assert_true(parse_owner_comment(c, back, bctx));
	assert_memory_equal(&back.task, &ev.task, sizeof(ev.task));
	assert_int_equal(back.owner, ev.owner);
	assert_int_equal(back.ctx, ev.ctx);
	assert_int_equal(back.ts_boot_ns, ev.ts_boot_ns);
	assert_int_equal(back.pkt_netns, ev.pkt_netns);
	assert_string_equal(bctx.container_id.c_str(), id.c_str());
	assert_string_equal(bctx.hostname.c_str(), "host 1");
	// A real clock behind the boot clock: booted= below zero.
	icmpt_event early = ev;
	early.ts_real_ns = ev.ts_boot_ns - 12345;
	const std::string ce = owner_comment(early, ctx);
	assert_non_null(std::strstr(ce.c_str(), " booted=-12345 "));
	back.ts_real_ns = early.ts_real_ns;
	assert_true(parse_owner_comment(ce, back, bctx));
	assert_int_equal(back.ts_boot_ns, ev.ts_boot_ns);
	// A file written before booted=: boot= is the boot time itself.
	back.ts_real_ns = 1;
	assert_true(parse_owner_comment("owner=none ctx=softirq cpu=1 boot=777 ifindex=2", back, bctx));
	assert_int_equal(back.ts_boot_ns, 777);
	assert_int_equal(back.ifindex, 2);
	// An unowned packet has no task and no container (the fuzzer's find):
	// the writer writes neither, so the reader takes neither back.
	assert_true(parse_owner_comment("owner=none container=n pid=5 comm=x ctx=task cpu=0 booted=0",
					back, bctx));
	assert_string_equal(bctx.container_id.c_str(), "");
	const icmpt_task none{};
	assert_memory_equal(&back.task, &none, sizeof(none));
	// Someone else's comment is not ours.
	assert_false(parse_owner_comment("captured on the office wifi", back, bctx));
	assert_false(parse_owner_comment("owner=nobody", back, bctx));
	// Nor one that has an owner's look but not our keys (a trial's forgery
	// by editcap -a: it named pid 42 "evil").
	assert_false(parse_owner_comment("owner=sender pid=42 comm=evil", back, bctx));
	assert_false(parse_owner_comment("owner=sender pid=42 tid=42 comm=evil ctx=task cpu=0",
					 back, bctx));
	assert_false(parse_owner_comment("owner=sender pid=42 comm=evil ctx=task cpu=0 booted=0",
					 back, bctx));
	assert_true(parse_owner_comment("owner=sender pid=42 tid=42 comm=evil ctx=task cpu=0 "
					"booted=0",
					back, bctx));
	// A rewrite's comment of another tool's packet is ours (the fuzzer's
	// find: "ctx=unknown" was not taken).
	assert_true(parse_owner_comment("owner=none ctx=unknown cpu=0 booted=0 ifindex=0 netns=0",
					back, bctx));
}

// A file's comment holds any bytes: a container id or hostname that no live
// run writes is not taken, so no format meets its length or its bytes (the
// review's find: 700 escaped bytes written twice overran the JSON line).
void test_comment_hostile_strings(void **)
{
	const std::string kOurs = " ctx=task cpu=0 booted=0";	// the keys of ours
	const std::string id(kContainerId);
	std::string many;
	for (int i = 0; i < 700; ++i)
		many += "%01";
	const std::string bad_ids[] = {
		many, "x%0afake=line%20src=6.6.6.6", id.substr(1), id + "0",
		"%1b[2J%0aowned", std::string(kContainerId).replace(0, 1, "A"),
		std::string(kContainerId).replace(63, 1, "g"),
	};
	for (const std::string &bad : bad_ids) {
		icmpt_event ev = sample_echo_request();
		FormatContext ctx;
		assert_true(parse_owner_comment("pid=1 tid=1 comm=x container=" + bad +
							" host=h owner=sender ctx=task cpu=0 booted=0",
						ev, ctx));
		assert_string_equal(ctx.container_id.c_str(), "");
		assert_string_equal(ctx.hostname.c_str(), "h");
	}
	icmpt_event ev = sample_echo_request();
	FormatContext ctx;
	const std::string host64(64, 'h');
	assert_true(parse_owner_comment("pid=1 tid=1 comm=x host=" + host64 + "h owner=sender" + kOurs, ev,
					ctx));
	assert_string_equal(ctx.hostname.c_str(), "");
	assert_true(parse_owner_comment("pid=1 tid=1 comm=x container=" + id + " host=" + host64 +
						" owner=sender" + kOurs,
					ev, ctx));
	assert_string_equal(ctx.container_id.c_str(), id.c_str());
	assert_string_equal(ctx.hostname.c_str(), host64.c_str());
	// A hostname may hold any byte but NUL, and each format escapes it:
	// one record is one line, with no terminal control in it.
	assert_true(parse_owner_comment(std::string("pid=1 tid=1 comm=x host=a%0afake=1%1b]0;x%07 owner=sender") + kOurs,
					ev, ctx));
	assert_string_equal(ctx.hostname.c_str(), "a\nfake=1\x1b]0;x\x07");
	for (OutputFormat f : {OutputFormat::Text, OutputFormat::Json, OutputFormat::Kv,
			       OutputFormat::Ecs}) {
		std::string line;
		format_event(f, ev, ctx, line);
		assert_int_equal(std::count(line.begin(), line.end(), '\n'), 1);
		assert_null(std::memchr(line.data(), 0x1b, line.size()));
		assert_null(std::memchr(line.data(), 0x07, line.size()));
	}
}

// Records -> -w file -> -r: the same records, the same JSON lines.
void test_write_read_round_trip(void **)
{
	std::vector<icmpt_event> in = {
		record_of(echo_v4(9, 1), ICMPT_DIR_OUT, ICMPT_OWNER_SENDER, 700),
		record_of(echo_v4(9, 1, 0), ICMPT_DIR_IN, ICMPT_OWNER_MATCHED, 700),
		record_of(echo_v4(3, 4), ICMPT_DIR_IN, ICMPT_OWNER_NONE, 0),
	};
	in[2].ifindex = 5;	// a second interface
	const Bytes ip = echo_v4(9, 1), ip2 = echo_v4(9, 1, 0), ip3 = echo_v4(3, 4);
	const std::string path = temp_path("rt.pcapng");
	FormatContext ctx;
	ctx.container_id = kContainerId;
	{
		CaptureOptions o;
		o.path = path;
		CaptureWriter w(o);
		assert_true(w.add(in[0], ctx, ip, 0));
		assert_true(w.add(in[1], ctx, ip2, 3));
		assert_true(w.add(in[2], FormatContext{}, ip3, 0));
		w.close(2);
	}
	const Bytes file = slurp(path);
	ReadBack r = read_all(file);
	assert_string_equal(r.error.c_str(), "");
	assert_int_equal(r.events.size(), 3);
	for (size_t i = 0; i < 3; ++i) {
		assert_memory_equal(&r.events[i], &in[i], sizeof(icmpt_event));
		std::string a, b;
		format_json(in[i], i < 2 ? ctx : FormatContext{}, a);
		format_json(r.events[i], r.ctxs[i], b);
		assert_string_equal(a.c_str(), b.c_str());
	}
	assert_true(r.ip[0] == ip);
	assert_string_equal(r.ctxs[0].container_id.c_str(), kContainerId);
	// Two IDBs, then the ISBs at the end: ifrecv 2 and drops 3 on the first.
	CaptureReader rd(memory_source(file));
	int n = 0;
	const CapturedPacket *p;
	const Bytes *ips[] = {&ip, &ip2, &ip3};
	while ((p = rd.next())) {
		if (n == 1)
			assert_int_equal(p->dropcount, 3);
		assert_int_equal(p->epb_flags, n == 0 ? 2 : 1);
		// Linux cooked v1, not LINKTYPE_RAW (libpcap stops at a second
		// RAW interface): outgoing (4) or to us (0), ARPHRD_NONE, IPv4.
		assert_int_equal(p->linktype, 113);
		assert_int_equal(p->if_snaplen, 0);
		const uint8_t sll[16] = {0, static_cast<uint8_t>(n == 0 ? 4 : 0), 0xff, 0xfe, 0, 0, 0, 0,
					 0, 0, 0, 0, 0, 0, 0x08, 0x00};
		assert_int_equal(p->data.size(), 16 + ips[n]->size());
		assert_int_equal(p->wire_len, 16 + ips[n]->size());
		assert_memory_equal(p->data.data(), sll, 16);
		assert_memory_equal(p->data.data() + 16, ips[n]->data(), ips[n]->size());
		assert_int_equal(p->interface_id, n == 2 ? 1 : 0);
		assert_non_null(std::strstr(std::string(p->if_description).c_str(), "netns=4026531999"));
		++n;
	}
	// The last block is an ISB (of the second interface).
	const size_t last = file.size() - le32(file, file.size() - 4);
	assert_int_equal(le32(file, last), 5);
	assert_int_equal(le32(file, last + 8), 1);
	unlink(path.c_str());
}

// A classic pcap as tcpdump -i any writes it (LINUX_SLL2), and the same in
// big-endian with nanoseconds.
void test_tcpdump_pcap(void **)
{
	const std::vector<Bytes> frames = {sll2(echo_v4(77, 1), 4), sll2(echo_v4(77, 1, 0), 0)};
	for (int variant = 0; variant < 2; ++variant) {
		ReadBack r = read_all(pcap_file(variant, variant, kLinktypeLinuxSll2, frames));
		assert_string_equal(r.error.c_str(), "");
		assert_int_equal(r.events.size(), 2);
		assert_int_equal(r.events[0].direction, ICMPT_DIR_OUT);
		assert_int_equal(r.events[1].direction, ICMPT_DIR_IN);
		assert_int_equal(r.events[0].pkt.id, 77);
		assert_int_equal(r.events[0].pkt.type, 8);
		assert_int_equal(r.events[1].pkt.type, 0);
		assert_int_equal(r.events[0].owner, ICMPT_OWNER_NONE);
		assert_true(r.events[0].pkt.flags & ICMPT_PKT_CSUM_OK);
		assert_int_equal(r.events[0].ts_real_ns,
				 1700000000ULL * 1000000000ULL + (variant ? 5 : 7000));
	}
	// Ethernet with a VLAN tag; a non-IP frame and a UDP packet are skipped.
	Bytes eth = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x81, 0, 0, 5, 0x08, 0};
	const Bytes ip = echo_v4(5, 6);
	eth.insert(eth.end(), ip.begin(), ip.end());
	Bytes arp = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x06, 0, 1};
	Bytes udp = echo_v4(1, 1);
	udp[9] = 17;
	Bytes udp_eth = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0};
	udp_eth.insert(udp_eth.end(), udp.begin(), udp.end());
	ReadBack r = read_all(pcap_file(false, false, kLinktypeEthernet, {arp, eth, udp_eth}));
	assert_string_equal(r.error.c_str(), "");
	assert_int_equal(r.events.size(), 1);
	assert_int_equal(r.events[0].pkt.seq, 6);
	assert_int_equal(r.events[0].direction, 0);
}

void expect_error(const Bytes &b, const char *part)
{
	ReadBack r = read_all(b);
	if (!std::strstr(r.error.c_str(), part))
		fail_msg("error '%s' lacks '%s'", r.error.c_str(), part);
}

// Kuznetsov's modified pcap (editcap -F modpcap), both byte orders: each
// record header has ifindex, protocol, pkt_type and a pad byte more.  A
// pkt_type of 4 is outgoing, as in Linux cooked headers; a protocol of 0 (a
// record editcap converted) gives no direction.  It was "not a pcap or
// pcapng file".
void test_modified_pcap(void **)
{
	const std::vector<Bytes> frames = {ether(echo_v4(31, 1)), ether(echo_v4(31, 1, 0)),
					   ether(echo_v4(31, 2))};
	const uint16_t protocol[] = {0x0800, 0x0800, 0};
	const uint8_t pkt_type[] = {4, 0, 4};
	for (const bool swapped : {false, true}) {
		const Bytes plain = pcap_file(swapped, false, kLinktypeEthernet, frames);
		auto order32 = [swapped](uint32_t v) { return swapped ? __builtin_bswap32(v) : v; };
		auto order16 = [swapped](uint16_t v) { return swapped ? __builtin_bswap16(v) : v; };
		Bytes b(plain.begin(), plain.begin() + 24);
		const uint32_t magic = order32(0xA1B2CD34u);
		std::memcpy(b.data(), &magic, 4);
		size_t at = 24;
		for (size_t i = 0; i < frames.size(); ++i) {
			b.insert(b.end(), plain.begin() + at, plain.begin() + at + 16);
			const uint32_t ifindex = order32(2);
			const uint16_t proto = order16(protocol[i]);
			b.insert(b.end(), reinterpret_cast<const uint8_t *>(&ifindex),
				 reinterpret_cast<const uint8_t *>(&ifindex) + 4);
			b.insert(b.end(), reinterpret_cast<const uint8_t *>(&proto),
				 reinterpret_cast<const uint8_t *>(&proto) + 2);
			b.push_back(pkt_type[i]);
			b.push_back(0);
			b.insert(b.end(), plain.begin() + at + 16, plain.begin() + at + 16 + frames[i].size());
			at += 16 + frames[i].size();
		}
		ReadBack r = read_all(b);
		assert_string_equal(r.error.c_str(), "");
		assert_int_equal(r.events.size(), 3);
		assert_int_equal(r.events[0].pkt.id, 31);
		assert_int_equal(r.events[1].pkt.type, 0);
		assert_int_equal(r.events[2].pkt.seq, 2);
		assert_int_equal(r.events[0].direction, ICMPT_DIR_OUT);
		assert_int_equal(r.events[1].direction, ICMPT_DIR_IN);
		assert_int_equal(r.events[2].direction, 0);
		assert_int_equal(r.events[1].ts_real_ns, 1700000001ULL * 1000000000ULL + 7000);
		assert_true(r.ip[2] == echo_v4(31, 2));
		// Cut in a record's 8 more bytes: a clear error.
		expect_error(Bytes(b.begin(), b.begin() + 24 + 20), "truncated packet record header");
	}
}

// VLAN tags of any of the three TPIDs (0x9100: QinQ before 802.1ad), up to
// kMaxVlanTags of them, come off; a frame of more is marked, not taken for
// "no ICMP".  Two of 0x8100/0x88a8 were all there was: 0x9100 and a third
// tag gave no record and no word.
void test_vlan_tags(void **)
{
	auto tagged = [](const std::vector<uint16_t> &tpids, const Bytes &ip) {
		Bytes f = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
		uint16_t vid = 10;
		for (uint16_t t : tpids) {
			f.insert(f.end(), {uint8_t(t >> 8), uint8_t(t), uint8_t(vid >> 8), uint8_t(vid)});
			vid += 10;
		}
		f.insert(f.end(), {0x08, 0x00});
		f.insert(f.end(), ip.begin(), ip.end());
		return f;
	};
	const std::vector<std::vector<uint16_t>> fine = {
		{0x9100},
		{0x9100, 0x8100},
		{0x88a8, 0x8100, 0x8100},
		{0x88a8, 0x9100, 0x8100, 0x8100, 0x88a8, 0x8100, 0x9100, 0x8100},	// 8
	};
	std::vector<Bytes> frames;
	for (size_t i = 0; i < fine.size(); ++i)
		frames.push_back(tagged(fine[i], echo_v4(40, static_cast<uint16_t>(i))));
	ReadBack r = read_all(pcap_file(false, false, kLinktypeEthernet, frames));
	assert_string_equal(r.error.c_str(), "");
	assert_int_equal(r.events.size(), fine.size());
	for (size_t i = 0; i < fine.size(); ++i) {
		assert_int_equal(r.events[i].pkt.seq, i);
		assert_true(r.ip[i] == echo_v4(40, static_cast<uint16_t>(i)));
	}
	// Nine tags: no datagram, and said why; a frame cut in its tags is
	// merely not IP.
	std::vector<uint16_t> nine(9, 0x8100);
	const Bytes over = tagged(nine, echo_v4(40, 9));
	CapturedPacket p;
	p.linktype = kLinktypeEthernet;
	p.data = over;
	p.wire_len = static_cast<uint32_t>(over.size());
	icmpt_event ev;
	FormatContext ctx;
	IpDatagram ip;
	assert_false(event_from_packet(p, ev, ctx, ip));
	assert_true(ip.too_many_tags);
	const Bytes cut(over.begin(), over.begin() + 14 + 4 * 3);
	p.data = cut;
	assert_false(event_from_packet(p, ev, ctx, ip));
	assert_false(ip.too_many_tags);
	const Bytes eight = tagged(fine[3], echo_v4(40, 3));
	p.data = eight;
	assert_true(event_from_packet(p, ev, ctx, ip));
	assert_false(ip.too_many_tags);
}

void test_bad_input(void **)
{
	expect_error({}, "empty input");
	expect_error({'G', 'I', 'F', '8', '9', 'a'}, "not a pcap or pcapng file");
	Bytes good = pcap_file(false, false, kLinktypeRaw, {echo_v4(1, 1), echo_v4(1, 2)});
	expect_error(Bytes(good.begin(), good.begin() + 10), "truncated pcap file header");
	expect_error(Bytes(good.begin(), good.end() - 3), "truncated packet");
	Bytes huge = good;
	huge[24 + 8 + 3] = 0x7f;	// incl_len of the first record
	expect_error(huge, "longer than any capture");

	const std::string path = temp_path("bad.pcapng");
	{
		CaptureOptions o;
		o.path = path;
		CaptureWriter w(o);
		icmpt_event ev = record_of(echo_v4(2, 2), ICMPT_DIR_OUT, ICMPT_OWNER_SENDER, 9);
		const Bytes ip = echo_v4(2, 2);
		w.add(ev, FormatContext{}, ip, 0);
		w.add(ev, FormatContext{}, ip, 0);
		w.close();
	}
	const Bytes ng_file = slurp(path);
	unlink(path.c_str());
	// Cut anywhere: the whole blocks before the cut are read, then a clear
	// error; a cut between two blocks is a shorter, valid file.
	std::vector<size_t> ends;
	for (size_t at = 0; at < ng_file.size(); at += le32(ng_file, at + 4))
		ends.push_back(at + le32(ng_file, at + 4));
	for (size_t cut = 1; cut < ng_file.size(); ++cut) {
		ReadBack r = read_all(Bytes(ng_file.begin(), ng_file.begin() + cut));
		assert_true(r.events.size() <= 2);
		const bool boundary = std::find(ends.begin(), ends.end(), cut) != ends.end();
		if (r.error.empty() != boundary)
			fail_msg("cut at %zu: error '%s'", cut, r.error.c_str());
	}
	Bytes bad = ng_file;
	bad[8] ^= 0xff;	// byte-order magic
	expect_error(bad, "byte-order magic");
	bad = ng_file;
	bad[bad.size() - 1] ^= 1;	// trailing length of the last block
	expect_error(bad, "trailing length");
	bad = ng_file;
	const size_t shb = le32(ng_file, 4), idb = le32(ng_file, shb + 4);
	bad[shb + idb + 8] = 9;		// EPB interface 9
	expect_error(bad, "interface 9");
	bad = ng_file;
	bad[shb + idb + 4] = 13;	// EPB length not a multiple of 4
	expect_error(bad, "invalid length");
}

// A compressed capture is named as such, with the tool to decompress it
// (it was "not a pcap or pcapng file", its first bytes shown as a
// little-endian number: 0x08088b1f for 1f 8b 08 08).
void test_compressed_input(void **)
{
	expect_error({'G', 'I', 'F', '8', '9', 'a'}, "(it starts with 47 49 46 38)");
	const struct {
		Bytes head;
		const char *says;
	} cases[] = {
		{{0x1f, 0x8b, 0x08, 0x08, 0, 0, 0, 0}, "gzip-compressed, not a pcap or pcapng file: "
						       "decompress it first (... | zcat | icmptrace -r -)"},
		{{0x28, 0xb5, 0x2f, 0xfd, 0x24, 0}, "zstd-compressed, not a pcap or pcapng file: "
						    "decompress it first (... | zstdcat | icmptrace -r -)"},
		{{0xfd, '7', 'z', 'X', 'Z', 0}, "xz-compressed, not a pcap or pcapng file: "
						"decompress it first (... | xzcat | icmptrace -r -)"},
		{{'B', 'Z', 'h', '9', '1', 'A'}, "bzip2-compressed, not a pcap or pcapng file: "
						 "decompress it first (... | bzcat | icmptrace -r -)"},
		{{0x04, 0x22, 0x4d, 0x18, 0x64}, "lz4-compressed, not a pcap or pcapng file: "
						 "decompress it first (... | lz4cat | icmptrace -r -)"},
	};
	for (const auto &c : cases) {
		ReadBack r = read_all(c.head);
		assert_string_equal(r.error.c_str(), c.says);
	}
	// A file: the command line names it, quoted where a shell needs it,
	// never as an option.
	const std::string path = temp_path("cap.gz");
	FILE *f = std::fopen(path.c_str(), "wb");
	assert_non_null(f);
	std::fwrite(cases[0].head.data(), 1, cases[0].head.size(), f);
	std::fclose(f);
	const std::pair<std::string, std::string> names[] = {
		{path, path}, {"it's here.gz", "'it'\\''s here.gz'"}, {"-x.gz", "./-x.gz"}};
	for (const auto &[name, word] : names) {
		const int fd = ::open(path.c_str(), O_RDONLY);
		assert_true(fd >= 0);
		std::string error;
		try {
			CaptureReader rd(fd_source(fd, name));
			rd.next();
		} catch (const CaptureError &e) {
			error = e.what();
		}
		::close(fd);
		assert_string_equal(error.c_str(),
				    ("gzip-compressed, not a pcap or pcapng file: decompress it first (zcat " +
				     word + " | icmptrace -r -)").c_str());
	}
	::unlink(path.c_str());
}

// Other sections, big-endian blocks and unknown blocks are read past.
void test_sections_and_unknown_blocks(void **)
{
	Bytes b;
	ng::append_shb(b, "x", "");
	// An unknown block type 0x0BAD: 12 bytes + 4 of body.
	const uint32_t unk[4] = {0x0BAD, 16, 0xdeadbeef, 16};
	b.insert(b.end(), reinterpret_cast<const uint8_t *>(unk),
		 reinterpret_cast<const uint8_t *>(unk) + 16);
	ng::append_idb(b, ng::kLinktypeRaw, 0, "", "");
	ng::EpbMeta m;
	m.wire_len = 36;
	ng::append_epb(b, m, echo_v4(1, 1));
	// Second section, big-endian, by hand: SHB, IDB (linktype 101), EPB.
	auto be32 = [&](uint32_t v) {
		v = htonl(v);
		b.insert(b.end(), reinterpret_cast<uint8_t *>(&v), reinterpret_cast<uint8_t *>(&v) + 4);
	};
	be32(0x0A0D0D0A); be32(28); be32(0x1A2B3C4D); be32(0x00010000);
	be32(0xffffffff); be32(0xffffffff); be32(28);
	be32(1); be32(20); be32(101 << 16); be32(0); be32(20);
	const Bytes ip = echo_v4(2, 3);
	be32(6); be32(32 + 36); be32(0); be32(0); be32(1000); be32(36); be32(36);
	b.insert(b.end(), ip.begin(), ip.end());
	be32(32 + 36);
	ReadBack r = read_all(b);
	assert_string_equal(r.error.c_str(), "");
	assert_int_equal(r.events.size(), 2);
	assert_int_equal(r.events[1].pkt.seq, 3);
	// No if_tsresol: microseconds.
	assert_int_equal(r.events[1].ts_real_ns, 1000000);
}

// Drops a file says: per interface the larger of its packets'
// epb_dropcount sum and its last statistics block (a total; tcpdump's and
// dumpcap's only place for them), summed over interfaces and sections.
// The review's find: -r read the EPBs alone, so our own drops after the
// last packet, and all of tcpdump's, were not counted.
void test_dropped_from_statistics(void **)
{
	auto dropped = [](const Bytes &b) {
		CaptureReader rd(memory_source(b));
		while (rd.next()) {
		}
		return rd.dropped();
	};
	Bytes b;
	ng::append_shb(b, "x", "");
	ng::append_idb(b, ng::kLinktypeRaw, 0, "a", "");
	ng::append_idb(b, ng::kLinktypeRaw, 0, "b", "");
	ng::EpbMeta m;
	m.wire_len = 36;
	m.dropcount = 3;
	ng::append_epb(b, m, echo_v4(1, 1));	// 3 on a
	m.interface_id = 1;
	m.dropcount = 2;
	ng::append_epb(b, m, echo_v4(1, 2));	// 2 on b
	assert_int_equal(dropped(b), 5);
	ng::IsbCounts c;
	c.osdrop = 7;		// a: 7 in all, 4 after its last packet
	ng::append_isb(b, c);
	c.interface_id = 1;
	c.osdrop = 1;		// b: an older total than its packets say
	ng::append_isb(b, c);
	assert_int_equal(dropped(b), 9);
	// A section of another tool: statistics alone, osdrop too.
	ng::append_shb(b, "tcpdump", "");
	ng::append_idb(b, ng::kLinktypeRaw, 0, "", "");
	c.interface_id = 0;
	c.ifdrop = 10;
	c.osdrop = 20;
	ng::append_isb(b, c);
	assert_int_equal(dropped(b), 39);
	// Our writer's drops after the last packet, read back.
	char path[] = "/tmp/icmpt-drops-XXXXXX";
	const int fd = mkstemp(path);
	assert_true(fd >= 0);
	::close(fd);
	{
		CaptureOptions o;
		o.path = path;
		o.live_names = false;
		CaptureWriter w(o);
		const Bytes ip = echo_v4(1, 1);
		assert_true(w.add(record_of(ip, ICMPT_DIR_OUT, ICMPT_OWNER_NONE, 0), FormatContext{}, ip, 2));
		w.close(5);
	}
	const int in = ::open(path, O_RDONLY);
	CaptureReader rd(fd_source(in, path));
	while (rd.next()) {
	}
	// The ISB says them as isb_osdrop (7), the capture buffer's, and no
	// isb_ifdrop (5): the interface's own drops are not ours to know.
	Bytes file(static_cast<size_t>(::lseek(in, 0, SEEK_END)));
	assert_int_equal(::pread(in, file.data(), file.size(), 0), file.size());
	::close(in);
	::unlink(path);
	assert_int_equal(rd.dropped(), 7);
	bool isb = false;
	for (size_t at = 0; at + 12 <= file.size(); at += le32(file, at + 4)) {
		if (le32(file, at) != ng::kIsb)
			continue;
		isb = true;
		std::vector<uint16_t> codes;
		for (size_t o = at + 20; o + 4 <= at + le32(file, at + 4) - 4;
		     o += 4 + ((le16(file, o + 2) + 3u) & ~3u))
			codes.push_back(le16(file, o));
		assert_true(std::find(codes.begin(), codes.end(), 7) != codes.end());
		assert_true(std::find(codes.begin(), codes.end(), 5) == codes.end());
	}
	assert_true(isb);
}

void test_filter_match(void **)
{
	icmpt_event out = record_of(echo_v4(1, 1), ICMPT_DIR_OUT, ICMPT_OWNER_SENDER, 700);
	icmpt_event in = record_of(echo_v4(1, 1, 0), ICMPT_DIR_IN, ICMPT_OWNER_NONE, 0);
	FilterSpec f;
	assert_true(filter_matches(f, out));
	f.dirs = ICMPT_F_IN;
	assert_false(filter_matches(f, out));
	assert_true(filter_matches(f, in));
	// A capture with no direction (Ethernet): neither --in nor --out.
	// (--out took it.)
	icmpt_event unknown = in;
	unknown.direction = 0;
	assert_false(filter_matches(f, unknown));
	f.dirs = ICMPT_F_OUT;
	assert_false(filter_matches(f, unknown));
	assert_true(filter_matches(f, out));
	f.dirs = ICMPT_F_IN | ICMPT_F_OUT;
	assert_false(filter_matches(f, unknown));
	f = FilterSpec{};
	f.icmp.push_back({4, 0, std::nullopt});
	assert_false(filter_matches(f, out));
	assert_true(filter_matches(f, in));
	f.icmp.push_back({4, 8, 1});
	assert_false(filter_matches(f, out));	// code 0 is not 1
	f = FilterSpec{};
	f.comms.push_back("my ping%");
	assert_true(filter_matches(f, out));
	assert_false(filter_matches(f, in));	// owner kinds need an owner
	f.pids.push_back(701);	// the tid
	assert_true(filter_matches(f, out));
	f.uids.push_back(0);
	assert_false(filter_matches(f, out));
	f = FilterSpec{};
	f.families = ICMPT_F_V6;
	assert_false(filter_matches(f, out));
	f = FilterSpec{};
	f.netns.push_back(4026531999U);
	assert_true(filter_matches(f, in));
}

void test_rotate_names(void **)
{
	CaptureOptions o;
	o.path = "cap";
	o.rotate_bytes = 1000;
	assert_string_equal(rotate_name(o, 0, 0).c_str(), "cap");
	assert_string_equal(rotate_name(o, 2, 0).c_str(), "cap2");
	o.max_files = 12;
	assert_string_equal(rotate_name(o, 0, 0).c_str(), "cap00");
	assert_string_equal(rotate_name(o, 7, 0).c_str(), "cap07");
	o = CaptureOptions{};
	o.path = "cap-%Y.pcapng";
	o.rotate_seconds = 60;
	setenv("TZ", "UTC", 1);
	tzset();
	assert_string_equal(rotate_name(o, 0, 1700000000).c_str(), "cap-2023.pcapng");
}

// -C with -W: the files cycle, each one a whole pcapng file.
void test_rotation_files(void **)
{
	const std::string path = temp_path("rot");
	CaptureOptions o;
	o.path = path;
	o.rotate_bytes = 400;
	o.max_files = 3;
	uint64_t n = 0, reopened = 0;
	{
		CaptureWriter w(o);
		const Bytes ip = echo_v4(1, 1);
		for (uint16_t i = 0; i < 20; ++i) {
			icmpt_event ev = record_of(echo_v4(1, i), ICMPT_DIR_OUT, ICMPT_OWNER_SENDER, 1);
			assert_true(w.add(ev, FormatContext{}, ip, 0));
			w.flush();
		}
		n = w.files();
		reopened = w.reopened();
		w.close();
	}
	// The files the capture left, and how often one was opened again (the
	// count said every open, more files than there were).
	assert_int_equal(n, 3);
	assert_true(reopened > 0);
	for (int i = 0; i < 3; ++i) {
		const std::string f = path + std::to_string(i);
		ReadBack r = read_all(slurp(f));
		assert_string_equal(r.error.c_str(), "");
		assert_true(r.events.size() >= 1);
		unlink(f.c_str());
	}
	assert_int_equal(access((path + "3").c_str(), F_OK), -1);
}

void test_write_error(void **)
{
	CaptureOptions o;
	o.path = "/dev/full";
	bool thrown = false;
	try {
		CaptureWriter w(o);	// the section header is written at once
	} catch (const Error &e) {
		thrown = true;
		assert_non_null(std::strstr(e.what(), "writing /dev/full: No space left on device"));
	}
	assert_true(thrown);
}

// The capture flags and what goes with what.
void test_capture_options(void **)
{
	auto parse = [](std::vector<std::string> a) { return parse_args(a); };
	ParsedArgs p = parse({"-w", "f.pcapng", "-s", "0", "-U", "-C", "1.5", "-W", "4"});
	assert_int_equal(p.action, ParsedArgs::Action::Run);
	assert_string_equal(p.options.write.c_str(), "f.pcapng");
	assert_int_equal(*p.options.snaplen, 0);
	assert_true(p.options.flush_each);
	assert_int_equal(p.options.rotate_bytes, 1500000);
	assert_int_equal(p.options.max_files, 4);
	p = parse({"-r", "-", "--json", "--pid", "7"});
	assert_int_equal(p.action, ParsedArgs::Action::Run);
	assert_string_equal(p.options.read.c_str(), "-");
	assert_int_equal(parse({"-w", "f", "-G", "60"}).options.rotate_seconds, 60);
	assert_int_equal(parse({"-w", "f", "--print"}).action, ParsedArgs::Action::Run);
	const std::vector<std::vector<std::string>> bad = {
		{"-C", "1"},			// no -w
		{"-U"},
		{"-w", "f", "-W", "3"},		// -W without -C/-G
		{"-w", "-", "-C", "1"},		// rotation of stdout
		{"-s", "100"},			// -s without -w
		{"-w", "f", "-s", "x"},
		{"-w", "f", "-C", "0"},
		{"-w", "f", "-G", "-1"},
		{"-w", "f", "-o", "g"},		// --output without --print
		{"-w", "-", "--print"},		// both on stdout
		{"-r", "f", "-w", "f"},
		{"-r", "f", "--backlog"},
		{"-w", ""},
	};
	for (const auto &a : bad)
		if (parse(a).action != ParsedArgs::Action::UsageError)
			fail_msg("accepted: %s %s", a[0].c_str(), a.size() > 1 ? a[1].c_str() : "");
}

} // namespace

int main()
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shb_bytes),
		cmocka_unit_test(test_idb_bytes),
		cmocka_unit_test(test_epb_bytes),
		cmocka_unit_test(test_isb_bytes),
		cmocka_unit_test(test_comment_round_trip),
		cmocka_unit_test(test_comment_hostile_strings),
		cmocka_unit_test(test_write_read_round_trip),
		cmocka_unit_test(test_tcpdump_pcap),
		cmocka_unit_test(test_modified_pcap),
		cmocka_unit_test(test_vlan_tags),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_compressed_input),
		cmocka_unit_test(test_sections_and_unknown_blocks),
		cmocka_unit_test(test_dropped_from_statistics),
		cmocka_unit_test(test_filter_match),
		cmocka_unit_test(test_rotate_names),
		cmocka_unit_test(test_rotation_files),
		cmocka_unit_test(test_write_error),
		cmocka_unit_test(test_capture_options),
	};
	return cmocka_run_group_tests_name("pcap", tests, nullptr, nullptr);
}
