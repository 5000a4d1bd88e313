// Writing a line into memory reserved ahead: the caller checks the room once
// per record (kLineMax plus what the record's variable strings can take), so
// no write below checks or grows anything.  Numbers are written as digit
// pairs from a table, hex digit by digit, constant text is copied as
// prebuilt bytes of a length known at compile time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace icmptrace {

// Room a line needs besides its variable-length strings (comm, hostname,
// container id, each counted by the caller at their worst escaped size).
constexpr size_t kLineMax = 4096;
// Worst growth of a string by escaping: \u00XX for a byte.
constexpr size_t kEscapeMax = 6;

// "00".."99": two digits a copy.
inline constexpr char kDigits2[] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

// Decimal of v at p (no terminator); returns the end.  At most 20 bytes.
char *put_decimal(char *p, uint64_t v);
// Exactly 8 digits of v < 10^8 at p; returns the end.
char *put_digits8(char *p, uint32_t v);

// A name of one of our tables, padded to a fixed size: a line copies it
// with one fixed-size copy, no strlen and no loop (the padding lands in the
// room reserved for the line and is overwritten by what follows).
struct PaddedName {
	static constexpr size_t kSize = 16;
	char text[kSize] = {};	// NUL-terminated
	uint8_t len = 0;

	template <size_t N>
	consteval PaddedName(const char (&s)[N]) : len(N - 1)
	{
		static_assert(N <= kSize, "a padded name is shorter than kSize");
		for (size_t i = 0; i < N; ++i)
			text[i] = s[i];
	}
};

struct Cursor {
	char *p;

	void put(char c) { *p++ = c; }
	// A short name of our tables: copied byte by byte, no strlen + memcpy.
	void put(const char *s)
	{
		while (*s)
			*p++ = *s++;
	}
	void put(std::string_view s)
	{
		std::memcpy(p, s.data(), s.size());
		p += s.size();
	}
	void put(const PaddedName &n)
	{
		std::memcpy(p, n.text, PaddedName::kSize);
		p += n.len;
	}
	// A string literal: its length is known at compile time.
	template <size_t N>
	void lit(const char (&s)[N])
	{
		std::memcpy(p, s, N - 1);
		p += N - 1;
	}
	// Decimal.  Not std::to_chars: a line has dozens of numbers, and
	// digit pairs from a table with the length found by comparisons take
	// about half its instructions (callgrind, fmt_bench).  Small numbers,
	// the most common, inline.
	void u(uint64_t v)
	{
		if (v < 10) {
			*p++ = static_cast<char>('0' + v);
		} else if (v < 100) {
			std::memcpy(p, kDigits2 + 2 * v, 2);
			p += 2;
		} else {
			p = put_decimal(p, v);
		}
	}
	// Exactly 8 digits of v < 10^8, leading zeros kept.
	void digits8(uint32_t v) { p = put_digits8(p, v); }
	void i(int64_t v)
	{
		if (v < 0) {
			*p++ = '-';
			u(0 - static_cast<uint64_t>(v));
		} else {
			u(static_cast<uint64_t>(v));
		}
	}
	// Lower-case hex, zero-padded to at least width digits: digit by
	// digit from the end, no division.
	void hex(uint64_t v, int width = 1)
	{
		const int bits = 64 - __builtin_clzll(v | 1);
		int n = (bits + 3) / 4;
		if (n < width)
			n = width;
		for (int i = n; i-- > 0; v >>= 4)
			p[i] = "0123456789abcdef"[v & 15];
		p += n;
	}
};

// Appends to out through a Cursor given room for `room` bytes.
template <typename Write>
void append_with_cursor(std::string &out, size_t room, Write write)
{
	const size_t old = out.size();
	out.resize(old + room);
	Cursor c{out.data() + old};
	write(c);
	out.resize(static_cast<size_t>(c.p - out.data()));
}

} // namespace icmptrace
