// Appending numbers to a line in place: no temporary std::string, no printf
// parsing (the formats append several dozen numbers per record).
#pragma once

#include <charconv>
#include <cstdint>
#include <string>

namespace icmptrace {

// Decimal, as std::to_string would print it.
inline void append_uint(std::string &out, uint64_t v)
{
	char buf[20];
	out.append(buf, std::to_chars(buf, buf + sizeof(buf), v).ptr);
}

inline void append_int(std::string &out, int64_t v)
{
	char buf[20];
	out.append(buf, std::to_chars(buf, buf + sizeof(buf), v).ptr);
}

// Lower-case hex without prefix, zero-padded to at least width digits
// (printf's "%0*llx").
inline void append_hex(std::string &out, uint64_t v, int width = 1)
{
	char buf[16];
	char *end = std::to_chars(buf, buf + sizeof(buf), v, 16).ptr;
	for (int pad = width - static_cast<int>(end - buf); pad > 0; --pad)
		out += '0';
	out.append(buf, end);
}

} // namespace icmptrace
