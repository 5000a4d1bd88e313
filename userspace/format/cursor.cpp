#include "format/cursor.hpp"

namespace icmptrace {
namespace {

char *put2(char *p, uint32_t v)
{
	std::memcpy(p, kDigits2 + 2 * v, 2);
	return p + 2;
}

// 1 to 4 digits of v < 10^4.
char *put_upto4(char *p, uint32_t v)
{
	if (v < 10) {
		*p = static_cast<char>('0' + v);
		return p + 1;
	}
	if (v < 100)
		return put2(p, v);
	if (v < 1000) {
		*p = static_cast<char>('0' + v / 100);
		return put2(p + 1, v % 100);
	}
	return put2(put2(p, v / 100), v % 100);
}

// 1 to 8 digits of v < 10^8.
char *put_upto8(char *p, uint32_t v)
{
	if (v < 10000)
		return put_upto4(p, v);
	p = put_upto4(p, v / 10000);
	const uint32_t lo = v % 10000;
	return put2(put2(p, lo / 100), lo % 100);
}

} // namespace

char *put_digits8(char *p, uint32_t v)
{
	const uint32_t hi = v / 10000, lo = v % 10000;
	p = put2(put2(p, hi / 100), hi % 100);
	return put2(put2(p, lo / 100), lo % 100);
}

char *put_decimal(char *p, uint64_t v)
{
	if (v < 100000000)
		return put_upto8(p, static_cast<uint32_t>(v));
	const uint64_t hi = v / 100000000;
	const uint32_t lo = static_cast<uint32_t>(v % 100000000);
	if (hi < 100000000) {
		p = put_upto8(p, static_cast<uint32_t>(hi));
	} else {	// up to 20 digits: 4 + 8 + 8
		p = put_upto4(p, static_cast<uint32_t>(hi / 100000000));
		p = put_digits8(p, static_cast<uint32_t>(hi % 100000000));
	}
	return put_digits8(p, lo);
}

} // namespace icmptrace
