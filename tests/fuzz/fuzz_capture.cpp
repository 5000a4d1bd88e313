// libFuzzer target over the capture reader (userspace/pcap/): any bytes as
// a pcapng or pcap file, each packet turned into a record as -r does.  The
// reader must end every input with packets or a CaptureError, never a crash
// or a read outside its buffers (ASan); a packet's bytes lie within what was
// read; an owner comment read back writes out as the same comment; every
// format writes each packet, with what its comment says, as one line.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>

#include "format/formatters.hpp"
#include "pcap/capture_reader.hpp"
#include "pcap/owner_comment.hpp"
#include "pcap/packet_event.hpp"

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

using namespace icmptrace;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	try {
		CaptureReader rd(memory_source(std::span<const uint8_t>(data, size)));
		while (const CapturedPacket *p = rd.next()) {
			CHECK(p->data.size() <= size);
			CHECK(p->wire_len >= p->data.size());
			icmpt_event ev;
			FormatContext ctx;
			IpDatagram ip;
			if (!event_from_packet(*p, ev, ctx, ip))
				continue;
			CHECK(ip.bytes.size() <= p->data.size());
			CHECK(ev.pkt.family == 4 || ev.pkt.family == 6);
			// What parse_owner_comment took back, written and read again, is
			// the same record.
			icmpt_event again = ev;
			FormatContext ctx2;
			CHECK(parse_owner_comment(owner_comment(ev, ctx), again, ctx2));
			CHECK(std::memcmp(&again.task, &ev.task, sizeof(ev.task)) == 0 ||
			      ev.owner == ICMPT_OWNER_NONE);
			CHECK(again.owner == ev.owner && again.ts_boot_ns == ev.ts_boot_ns);
			CHECK(ctx2.container_id == ctx.container_id && ctx2.hostname == ctx.hostname);
			for (OutputFormat f : {OutputFormat::Text, OutputFormat::Json,
					       OutputFormat::Kv, OutputFormat::Ecs}) {
				std::string line;
				format_event(f, ev, ctx, line);
				CHECK(!line.empty() && line.back() == '\n');
				CHECK(std::count(line.begin(), line.end(), '\n') == 1);
			}
		}
	} catch (const CaptureError &) {
		// bad input: a clear error is the right answer
	}
	return 0;
}
