// The decoded message body (struct icmpt_detail) as named fields, shared by
// the kv and JSON formats, and its compact rendering for the text format.
// Only the fields that mean something for the packet's type are listed, so
// a line never shows e.g. an "mtu" of a message that has none.
#pragma once

#include <linux/icmptrace.h>

#include <cstdint>
#include <string>
#include <vector>

namespace icmptrace {

struct DetailField {
	std::string key;
	std::string value;
	bool number;	// JSON: a bare number, else a string
};

// "none", "echo", "error", "tstamp", ... for detail.kind.
const char *detail_kind_name(uint16_t kind);

// Fields of detail.u for the packet's type ("mtu", "pointer", "gateway",
// "target", "orig", ...).  Empty for a fragment or kind none.
std::vector<DetailField> detail_fields(const icmpt_event &ev);

// Fields of detail.inner without prefix ("version", "proto", "src", "dst",
// "sport", ...); empty unless ICMPT_PKT_HAS_INNER.
std::vector<DetailField> inner_fields(const icmpt_event &ev);

// Comma-separated ICMPT_INNER_* anomaly names ("truncated,fragment"), "" if none.
std::string inner_flag_names(uint16_t flags);

// "ok", "bad", or "none" (the message was not whole: no verdict).
const char *csum_check_name(uint32_t pkt_flags);

// " mtu=1280 inner=udp 198.18.0.1:40000>198.18.1.2:33434" and the like:
// a leading space per item, "" when there is nothing to add.
std::string detail_text(const icmpt_event &ev);
// The same, appended to out.
void append_detail_text(const icmpt_event &ev, std::string &out);

} // namespace icmptrace
