// Names for the decoded message body (struct icmpt_detail); its fields are
// visited by format/field_visitor.hpp.
#pragma once

#include <linux/icmptrace.h>

#include <cstdint>
#include <string>

#include "format/field_visitor.hpp"

namespace icmptrace {

// Comma-separated ICMPT_INNER_* anomaly names ("truncated,fragment"), "" if none.
std::string inner_flag_names(uint16_t flags);

// "ok", "bad", or "none" (the message was not whole: no verdict).
const char *csum_check_name(uint32_t pkt_flags);

// "udp", "tcp", ... for an IP protocol number; nullptr if it has no name here.
const char *ip_proto_name(uint8_t proto);

} // namespace icmptrace
