// Reader formatting throughput on the host (make bench): the reader's own
// loop, run_trace_loop() (drain every ring, order by CLOCK_BOOTTIME, format,
// fwrite + fflush), over synthetic rings in memory with the device's layout,
// writing to /dev/null.  No per-record context is derived (hostname,
// container id: FormatContext{}), so this is the formatting path alone.
//   fmt_bench text|json|kv RECORDS      prints "format=F records=N ns=T rate=R"
// Records are a mix of the three samples of the unit tests (an attributed
// echo request, an unattributed reply, an ICMPv6 error), 1 us apart, each
// ring in time order, refilled into 2 rings of 4 MiB between timed passes.
#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "ring/ring_consumer.hpp"
#include "sample_events.hpp"
#include "synthetic_ring.hpp"
#include "cli/trace_loop.hpp"

using namespace icmptrace;
using namespace icmptrace::test;

int main(int argc, char **argv)
{
	if (argc != 3) {
		std::fprintf(stderr, "usage: fmt_bench text|json|kv RECORDS\n");
		return 2;
	}
	LoopConfig cfg;
	if (!std::strcmp(argv[1], "text"))
		cfg.format = OutputFormat::Text;
	else if (!std::strcmp(argv[1], "json"))
		cfg.format = OutputFormat::Json;
	else if (!std::strcmp(argv[1], "kv"))
		cfg.format = OutputFormat::Kv;
	else
		return 2;
	const uint64_t total = std::strtoull(argv[2], nullptr, 0);
	constexpr uint64_t kRingSize = 4 << 20;
	constexpr int kRings = 2;

	std::vector<std::unique_ptr<SyntheticRing>> rings;
	std::vector<RingConsumer> consumers;
	for (int i = 0; i < kRings; ++i) {
		rings.push_back(std::make_unique<SyntheticRing>(kRingSize));
		consumers.emplace_back(i, rings.back()->view(), true);
	}
	const icmpt_event samples[3] = {sample_echo_request(), sample_echo_reply(),
					sample_icmpv6_unreach()};

	int wake = eventfd(1, EFD_CLOEXEC);	// always readable: never sleeps
	FILE *out = std::fopen("/dev/null", "w");
	if (wake < 0 || !out)
		return 1;
	uint64_t done = 0, seq = 0;
	std::chrono::nanoseconds spent{0};
	while (done < total) {
		// Fill: records of both rings, increasing timestamps, no drops.
		uint64_t n = 0;
		for (bool room = true; room && done + n < total;) {
			for (int i = 0; i < kRings && room; ++i) {
				// One clock for all three samples: each ring in time
				// order, as a CPU writes its own (the samples' stamps
				// differ; each keeps its boot-to-real offset).
				icmpt_event ev = samples[seq % 3];
				const uint64_t boot = samples[0].ts_boot_ns + seq * 1000;
				ev.ts_real_ns += boot - ev.ts_boot_ns;
				ev.ts_boot_ns = boot;
				ev.cpu = i;
				ev.pkt.seq = static_cast<uint16_t>(seq);
				room = rings[i]->push(packet_record(ev));
				if (room) {
					++n;
					++seq;
				}
			}
		}
		LoopConfig c = cfg;
		c.count = n;
		auto t0 = std::chrono::steady_clock::now();
		LoopResult res = run_trace_loop(wake, -1, consumers, c, out, stderr);
		spent += std::chrono::steady_clock::now() - t0;
		if (res.records != n) {
			std::fprintf(stderr, "fmt_bench: printed %llu of %llu\n",
				     (unsigned long long)res.records, (unsigned long long)n);
			return 1;
		}
		done += n;
	}
	double ns = static_cast<double>(spent.count());
	std::printf("format=%s records=%llu ns=%.0f rate=%.0f\n", argv[1],
		    (unsigned long long)done, ns, done / (ns / 1e9));
	return 0;
}
