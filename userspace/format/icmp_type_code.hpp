// ICMP type/code names exactly as gopacket prints ICMPv4TypeCode and
// ICMPv6TypeCode (layers/icmp4.go, icmp6.go, v1.1.19), which is what tracee
// puts in proto_icmp.typeCode.
#pragma once

#include <cstdint>
#include <string>

namespace icmptrace {

std::string icmpv4_type_code(uint8_t type, uint8_t code);
std::string icmpv6_type_code(uint8_t type, uint8_t code);
// family 6 -> ICMPv6 names, anything else ICMPv4.
std::string icmp_type_code(uint8_t family, uint8_t type, uint8_t code);
// The same, appended to out.
void append_icmp_type_code(std::string &out, uint8_t family, uint8_t type, uint8_t code);

} // namespace icmptrace
