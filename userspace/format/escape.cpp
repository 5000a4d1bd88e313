#include "format/escape.hpp"

#include <cstdint>


namespace icmptrace {
namespace {

bool is_cont(unsigned char c) { return (c & 0xC0) == 0x80; }

// Length of the valid UTF-8 sequence at s[i], 0 if it is not one.
size_t utf8_seq_len(std::string_view s, size_t i)
{
	auto at = [&](size_t k) -> unsigned char {
		return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0;
	};
	unsigned char c = at(0);
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return is_cont(at(1)) ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		unsigned char lo = c == 0xE0 ? 0xA0 : 0x80;
		unsigned char hi = c == 0xED ? 0x9F : 0xBF;	// no surrogates
		return at(1) >= lo && at(1) <= hi && is_cont(at(2)) ? 3 : 0;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		unsigned char lo = c == 0xF0 ? 0x90 : 0x80;
		unsigned char hi = c == 0xF4 ? 0x8F : 0xBF;	// <= U+10FFFF
		return at(1) >= lo && at(1) <= hi && is_cont(at(2)) && is_cont(at(3))
			       ? 4 : 0;
	}
	return 0;
}

void put_u_escape(Cursor &c, unsigned v)
{
	c.lit("\\u");
	c.hex(v, 4);
}

// Printable ASCII that JSON takes as is: the common case, copied in runs.
bool json_plain(unsigned char c) { return c >= 0x20 && c < 0x7f && c != '"' && c != '\\'; }

} // namespace

void put_json_string(Cursor &out, std::string_view s)
{
	out.put('"');
	for (size_t i = 0; i < s.size();) {
		size_t run = i;
		while (run < s.size() && json_plain(static_cast<unsigned char>(s[run])))
			++run;
		if (run > i) {
			out.put(s.substr(i, run - i));
			i = run;
			continue;
		}
		unsigned char c = static_cast<unsigned char>(s[i]);
		size_t n = utf8_seq_len(s, i);
		if (n == 0) {
			out.lit("\\ufffd");
			++i;
			continue;
		}
		if (n > 1) {
			// U+2028/2029 are valid JSON but break JavaScript
			// consumers; Go escapes them too.
			if (n == 3 && c == 0xE2 && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
			    (static_cast<unsigned char>(s[i + 2]) & 0xFE) == 0xA8)
				put_u_escape(out, 0x2028 | (s[i + 2] & 1));
			else
				out.put(s.substr(i, n));
			i += n;
			continue;
		}
		switch (c) {
		case '"': out.lit("\\\""); break;
		case '\\': out.lit("\\\\"); break;
		case '\n': out.lit("\\n"); break;
		case '\r': out.lit("\\r"); break;
		case '\t': out.lit("\\t"); break;
		default:
			if (c < 0x20 || c == 0x7f)
				put_u_escape(out, c);
			else
				out.put(static_cast<char>(c));
		}
		++i;
	}
	out.put('"');
}

void append_json_string(std::string &out, std::string_view s)
{
	append_with_cursor(out, s.size() * kEscapeMax + 2,
			   [&](Cursor &c) { put_json_string(c, s); });
}

namespace {

// The bytes a token shows as \xHH: controls, space, non-ASCII and the
// ones that delimit or quote it.  A table: one load a byte, not five tests.
struct TokenHex {
	bool hex[256];
	constexpr TokenHex() : hex()
	{
		for (int c = 0; c < 256; ++c)
			hex[c] = c <= 0x20 || c >= 0x7f || c == '\\' || c == '=' || c == '"';
	}
};
constexpr TokenHex kTokenHex;

} // namespace

void put_token(Cursor &out, std::string_view s)
{
	// A local cursor: a char store may alias out.p, which would then be
	// loaded and stored again for every byte.
	Cursor c{out.p};
	for (char ch : s) {
		const auto b = static_cast<unsigned char>(ch);
		if (kTokenHex.hex[b]) {
			c.lit("\\x");
			c.hex(b, 2);
		} else {
			c.put(ch);
		}
	}
	out.p = c.p;
}

void append_token(std::string &out, std::string_view s)
{
	append_with_cursor(out, s.size() * kEscapeMax, [&](Cursor &c) { put_token(c, s); });
}

std::string escape_token(std::string_view s)
{
	std::string out;
	append_token(out, s);
	return out;
}

} // namespace icmptrace
