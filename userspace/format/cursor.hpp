// Writing a line into memory reserved ahead: the caller checks the room once
// per record (kLineMax plus what the record's variable strings can take), so
// no write below checks or grows anything.  Numbers go through
// std::to_chars, constant text is copied as prebuilt bytes.
#pragma once

#include <charconv>
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

struct Cursor {
	char *p;

	void put(char c) { *p++ = c; }
	void put(std::string_view s)
	{
		std::memcpy(p, s.data(), s.size());
		p += s.size();
	}
	// A string literal: its length is known at compile time.
	template <size_t N>
	void lit(const char (&s)[N])
	{
		std::memcpy(p, s, N - 1);
		p += N - 1;
	}
	void u(uint64_t v) { p = std::to_chars(p, p + 20, v).ptr; }
	void i(int64_t v) { p = std::to_chars(p, p + 20, v).ptr; }
	// Lower-case hex, zero-padded to at least width digits.
	void hex(uint64_t v, int width = 1)
	{
		char buf[16];
		char *end = std::to_chars(buf, buf + sizeof(buf), v, 16).ptr;
		for (int pad = width - static_cast<int>(end - buf); pad > 0; --pad)
			*p++ = '0';
		put(std::string_view(buf, static_cast<size_t>(end - buf)));
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
