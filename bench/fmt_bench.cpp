// Reader throughput on the host (make bench, make bench-host): the reader's
// real loop, run_trace_loop() (k-way merge over the mapped rings, per-record
// context from RecordContext as the reader derives it, format, write(2),
// consumer_pos given back per chunk), over synthetic rings in memory with
// the device's layout, writing to /dev/null.
//   fmt_bench text|json|kv|pcapng RECORDS [RINGS [SHAPE]]
//                                            "format=F records=N ns=T rate=R"
//                                            (pcapng: -w /dev/null, records
//                                            with an 84-byte datagram each)
//   fmt_bench summary RECORDS [RINGS [SHAPE]] --summary: every record into
//                                            the per-process tables, no lines
//   fmt_bench drain RECORDS RINGS            the merge alone, nothing formatted
// The rings are shaped like a host's: one boot-to-real clock offset, each
// ring in time order as a CPU writes it, records spread over the rings
// round robin, and a mix of several sending tasks (echo requests of 6
// threads of 3 processes), unattributed replies and kernel-built ICMPv6
// errors, in bursts of 16 records of one kind (SHAPE "bursts", the default).
// SHAPE "flood" is a ping -f between two namespaces of one host as the
// module records it (bench/flood.sh): per echo the request sent by ping, the
// same request received (no owner), the reply the kernel built (softirq) and
// the reply received (matched to ping), so that a cache of one task's
// context or text misses on every other record.  The consumers, their RecordContext and the rings live for the
// whole run, as in the reader; between timed passes the rings are refilled.
#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "cli/icmp_summary.hpp"
#include "cli/trace_loop.hpp"
#include "pcap/capture_writer.hpp"
#include "ring/record.hpp"
#include "context/record_context.hpp"
#include "ring/ring_consumer.hpp"
#include "ring/ring_merge.hpp"
#include "sample_events.hpp"
#include "synthetic_ring.hpp"

using namespace icmptrace;
using namespace icmptrace::test;

namespace {

// The record mix: 6 echo requests of different threads, 1 reply, 1 error.
std::vector<icmpt_event> record_mix()
{
	std::vector<icmpt_event> mix;
	const icmpt_event req = sample_echo_request();
	for (uint32_t t = 0; t < 6; ++t) {
		icmpt_event ev = req;
		ev.task.pid = req.task.pid + t / 2;	// 3 processes, 2 threads each
		ev.task.tid = ev.task.pid + 100 * (t % 2);
		ev.task.ns_pid = ev.task.pid;
		ev.task.ns_tid = ev.task.tid;
		ev.task.start_time_ns = req.task.start_time_ns + t * 1000000ULL;
		ev.pkt.id = static_cast<uint16_t>(ev.task.pid);
		mix.push_back(ev);
	}
	mix.push_back(sample_echo_reply());
	mix.push_back(sample_icmpv6_unreach());
	return mix;
}

// A ping -f traced at both ends: the four records of one echo.
std::vector<icmpt_event> flood_mix()
{
	const icmpt_event req = sample_echo_request();	// ping's, owner=sender
	icmpt_event req_in = req;
	req_in.direction = ICMPT_DIR_IN;
	req_in.owner = ICMPT_OWNER_NONE;
	req_in.ctx = ICMPT_CTX_SOFTIRQ;
	req_in.task = icmpt_task{};
	icmpt_event reply_out = sample_echo_reply();
	reply_out.direction = ICMPT_DIR_OUT;
	reply_out.owner = ICMPT_OWNER_KERNEL;
	reply_out.ctx = ICMPT_CTX_SOFTIRQ;
	reply_out.task = icmpt_task{};
	icmpt_event reply_in = sample_echo_reply();
	reply_in.owner = ICMPT_OWNER_MATCHED;
	reply_in.task = req.task;
	reply_in.task.syscall_nr = -1;
	return {req, req_in, reply_out, reply_in};
}

// A task's packets come in bursts (a ping -f, a traceroute): this many in a row.
constexpr uint64_t kBurst = 16;

// Fills every ring with up to `want` records in time order; returns how many.
// A record as the module writes it for -w: the event, then the datagram.
std::vector<unsigned char> record_of(icmpt_event ev, bool with_bytes)
{
	if (!with_bytes)
		return packet_record(ev);
	constexpr uint32_t kDatagram = 84;	// an echo request of ping
	ev.cap_len = kDatagram;
	ev.cap_off = sizeof(icmpt_event);
	std::vector<unsigned char> rec =
		packet_record(ev, (sizeof(icmpt_event) + kDatagram + 7) / 8 * 8);
	for (uint32_t i = 0; i < kDatagram; ++i)
		rec[sizeof(icmpt_event) + i] = static_cast<unsigned char>(i * 7);
	rec[sizeof(icmpt_event)] = 0x45;	// IPv4, 20-byte header
	return rec;
}

uint64_t fill(std::vector<std::unique_ptr<SyntheticRing>> &rings,
	      const std::vector<icmpt_event> &mix, uint64_t burst, uint64_t want, uint64_t &seq,
	      bool with_bytes)
{
	const icmpt_event &base = mix[0];
	const uint64_t offset = base.ts_real_ns - base.ts_boot_ns;	// one clock offset
	uint64_t n = 0;
	for (bool room = true; room && n < want;) {
		icmpt_event ev = mix[seq / burst % mix.size()];
		ev.ts_boot_ns = base.ts_boot_ns + seq * 1000;	// 1 us apart
		ev.ts_real_ns = ev.ts_boot_ns + offset;
		ev.cpu = static_cast<uint32_t>(seq % rings.size());
		ev.pkt.seq = static_cast<uint16_t>(seq);
		room = rings[ev.cpu]->push(record_of(ev, with_bytes));
		if (room) {
			++n;
			++seq;
		}
	}
	return n;
}

// The drain alone: the merge over the rings, each record's stamp read.
__attribute__((noinline)) uint64_t drain_pass(RingMerge &merge, uint64_t &sum)
{
	uint64_t n = 0;
	merge.begin_pass();
	while (const icmpt_event *ev = merge.next()) {
		sum += ev->ts_boot_ns;
		++n;
	}
	merge.give_back();
	return n;
}

} // namespace

int main(int argc, char **argv)
{
	if (argc < 3 || argc > 5) {
		std::fprintf(stderr,
			     "usage: fmt_bench text|json|kv|pcapng|summary|drain RECORDS [RINGS [bursts|flood]]\n");
		return 2;
	}
	LoopConfig cfg;
	const bool drain = !std::strcmp(argv[1], "drain");
	const bool pcapng = !std::strcmp(argv[1], "pcapng");
	const bool summary = !std::strcmp(argv[1], "summary");
	if (!std::strcmp(argv[1], "text"))
		cfg.format = OutputFormat::Text;
	else if (!std::strcmp(argv[1], "json"))
		cfg.format = OutputFormat::Json;
	else if (!std::strcmp(argv[1], "kv"))
		cfg.format = OutputFormat::Kv;
	else if (!drain && !pcapng && !summary)
		return 2;
	const uint64_t total = std::strtoull(argv[2], nullptr, 0);
	const int nr_rings = argc > 3 ? std::atoi(argv[3]) : 2;
	if (nr_rings < 1 || nr_rings > 256)
		return 2;
	const bool flood = argc > 4 && !std::strcmp(argv[4], "flood");
	if (argc > 4 && !flood && std::strcmp(argv[4], "bursts"))
		return 2;
	// About 32 MiB in all, whatever the number of rings (a power of two each).
	uint64_t ring_size = 1 << 20;
	while (ring_size * 2 * nr_rings <= (32ULL << 20))
		ring_size *= 2;

	std::vector<std::unique_ptr<SyntheticRing>> rings;
	std::vector<RingConsumer> consumers;
	for (int i = 0; i < nr_rings; ++i) {
		rings.push_back(std::make_unique<SyntheticRing>(ring_size));
		consumers.emplace_back(i, rings.back()->view(), true);
	}
	const std::vector<icmpt_event> mix = flood ? flood_mix() : record_mix();
	const uint64_t burst = flood ? 1 : kBurst;
	RecordContext context;
	cfg.context = &context;
	RingMerge merge(consumers);

	// -w /dev/null as the reader sets it up (cli.cpp: trace()).
	std::optional<CaptureWriter> capture;
	if (pcapng) {
		capture.emplace(CaptureOptions{.path = "/dev/null", .snaplen = 256});
		cfg.print = false;
		cfg.capture = [&](const icmpt_event &ev, const FormatContext &ctx) {
			return capture->add(ev, ctx, packet_bytes(&ev.hdr), 0);
		};
		cfg.capture_flush = [&capture]() { return capture->flush(); };
	}

	// --summary as the reader sets it up (cli.cpp: trace()).
	IcmpSummary icmp_summary;
	if (summary) {
		cfg.print = false;
		cfg.observe = [&icmp_summary](const icmpt_event &ev, const FormatContext &ctx) {
			icmp_summary.add(ev, ctx);
		};
	}

	int wake = eventfd(1, EFD_CLOEXEC);	// always readable: never sleeps
	FILE *out = std::fopen("/dev/null", "w");
	if (wake < 0 || !out)
		return 1;
	uint64_t done = 0, seq = 0, sum = 0;
	std::chrono::nanoseconds spent{0};
	while (done < total) {
		const uint64_t n = fill(rings, mix, burst, total - done, seq, pcapng);
		auto t0 = std::chrono::steady_clock::now();
		uint64_t got;
		if (drain) {
			got = drain_pass(merge, sum);
		} else {
			LoopConfig c = cfg;
			c.count = n;
			got = run_trace_loop(wake, -1, consumers, c, out, stderr).records;
		}
		spent += std::chrono::steady_clock::now() - t0;
		if (got != n) {
			std::fprintf(stderr, "fmt_bench: printed %llu of %llu\n",
				     (unsigned long long)got, (unsigned long long)n);
			return 1;
		}
		done += n;
	}
	double ns = static_cast<double>(spent.count());
	std::printf("format=%s shape=%s rings=%d records=%llu ns=%.0f rate=%.0f\n", argv[1],
		    flood ? "flood" : "bursts", nr_rings, (unsigned long long)done, ns, done / (ns / 1e9));
	return sum == 42 ? 3 : 0;	// keeps the drain's reads
}
