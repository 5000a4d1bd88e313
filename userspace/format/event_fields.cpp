#include "format/event_fields.hpp"

#include <charconv>
#include <cstring>

#include "util/append.hpp"
#include "context/syscall_names.hpp"

namespace icmptrace {

const char *direction_tracee(uint8_t dir)
{
	switch (dir) {
	case ICMPT_DIR_IN: return "ingress";
	case ICMPT_DIR_OUT: return "egress";
	}
	return "unknown";
}

namespace {

// "0." ... "255." for each octet, with the text's length: a dotted quad is
// four table copies.
struct OctetTable {
	char text[256][4];
	uint8_t len[256];
	constexpr OctetTable() : text(), len()
	{
		for (int v = 0; v < 256; ++v) {
			int n = 0;
			if (v >= 100)
				text[v][n++] = static_cast<char>('0' + v / 100);
			if (v >= 10)
				text[v][n++] = static_cast<char>('0' + v / 10 % 10);
			text[v][n++] = static_cast<char>('0' + v % 10);
			text[v][n] = '.';
			len[v] = static_cast<uint8_t>(n);
		}
	}
};
constexpr OctetTable kOctets;

// An octet's text with its '.' into p; returns the end of its digits (the
// '.' is kept by the caller or overwritten).
char *put_octet(char *p, uint8_t v)
{
	std::memcpy(p, kOctets.text[v], 4);
	return p + kOctets.len[v];
}

// Dotted quad into p; returns its end.  Unrolled: the loop cost twice as
// many instructions (callgrind, fmt_bench).
char *put_ip4(char *p, const uint8_t *a)
{
	p = put_octet(p, a[0]) + 1;
	p = put_octet(p, a[1]) + 1;
	p = put_octet(p, a[2]) + 1;
	return put_octet(p, a[3]);
}

// inet_ntop's IPv6 text (glibc resolv/inet_ntop.c, which tests compare
// against): the first longest run of two or more zero words becomes "::",
// and ::a.b.c.d / ::ffff:a.b.c.d end in dotted quad.
// The run of zero words that becomes "::", by the mask of the zero words
// (bit i: word i is 0): the first longest run of two or more, best -1 if
// none.  A table: searching the words cost a hundred instructions.
struct ZeroRuns {
	int8_t best[256];
	uint8_t len[256];
	constexpr ZeroRuns() : best(), len()
	{
		for (int m = 0; m < 256; ++m) {
			int b = -1, n = 0;
			for (int i = 0; i < 8;) {
				int j = i;
				while (j < 8 && (m >> j & 1))
					++j;
				if (j - i > n) {
					b = i;
					n = j - i;
				}
				i = j == i ? i + 1 : j;
			}
			best[m] = static_cast<int8_t>(n < 2 ? -1 : b);
			len[m] = static_cast<uint8_t>(n);
		}
	}
};
constexpr ZeroRuns kZeroRuns;

char *put_ip6(char *p, const uint8_t *a)
{
	unsigned w[8], zero = 0;
	for (int i = 0; i < 8; ++i) {
		w[i] = unsigned(a[2 * i]) << 8 | a[2 * i + 1];
		zero |= unsigned(w[i] == 0) << i;
	}
	const int best = kZeroRuns.best[zero], best_len = kZeroRuns.len[zero];
	for (int i = 0; i < 8; ++i) {
		if (best >= 0 && i >= best && i < best + best_len) {
			if (i == best)
				*p++ = ':';
			continue;
		}
		if (i)
			*p++ = ':';
		if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff)))
			return put_ip4(p, a + 12);
		p = std::to_chars(p, p + 4, w[i], 16).ptr;
	}
	if (best >= 0 && best + best_len == 8)
		*p++ = ':';
	return p;
}

} // namespace

void put_addr(Cursor &c, uint8_t family, const uint8_t *addr)
{
	if (family == 4)
		c.p = put_ip4(c.p, addr);
	else if (family == 6)
		c.p = put_ip6(c.p, addr);
	else
		c.put('?');
}

void append_addr(std::string &out, uint8_t family, const uint8_t (&addr)[16])
{
	char buf[kAddrMax];
	Cursor c{buf};
	put_addr(c, family, addr);
	out.append(buf, c.p);
}

std::string format_addr(uint8_t family, const uint8_t (&addr)[16])
{
	std::string s;
	append_addr(s, family, addr);
	return s;
}

std::string_view comm_of(const icmpt_task &t)
{
	return std::string_view(t.comm, strnlen(t.comm, sizeof(t.comm)));
}

icmpt_task effective_task(const icmpt_event &ev)
{
	icmpt_task t;
	if (ev.owner == ICMPT_OWNER_NONE)
		std::memset(&t, 0, sizeof(t));
	else
		t = ev.task;
	return t;
}

uint64_t thread_start_epoch_ns(const icmpt_event &ev)
{
	if (ev.owner == ICMPT_OWNER_NONE || ev.task.start_time_ns == 0)
		return 0;
	// Modular arithmetic: right whichever clock is ahead.
	return ev.task.start_time_ns + (ev.ts_real_ns - ev.ts_boot_ns);
}

const char *event_syscall(const icmpt_event &ev)
{
	if (ev.owner != ICMPT_OWNER_SENDER)
		return "";
	return syscall_name(ev.task.syscall_nr);
}

void put_packet_flags(Cursor &c, uint32_t flags)
{
	static const struct {
		uint32_t bit;
		std::string_view name;
	} names[] = {
		{ICMPT_PKT_TRUNCATED, "truncated"},
		{ICMPT_PKT_FRAGMENT, "fragment"},
		{ICMPT_PKT_BAD_IP, "bad_ip"},
		{ICMPT_PKT_HAS_ECHO, "echo"},
		{ICMPT_PKT_CSUM_OK, "csum_ok"},
		{ICMPT_PKT_CSUM_BAD, "csum_bad"},
		{ICMPT_PKT_HAS_INNER, "inner"},
		{ICMPT_PKT_IP_OPTS, "ip_opts"},
		{ICMPT_PKT_EXT_HDRS, "ext_hdrs"},
		{ICMPT_PKT_MORE_FRAGS, "more_frags"},
		{ICMPT_PKT_EXT_BROKEN, "ext_broken"},
	};
	uint32_t known = 0;
	const char *start = c.p;
	for (const auto &n : names) {
		known |= n.bit;
		if (!(flags & n.bit))
			continue;
		if (c.p != start)
			c.put(',');
		c.put(n.name);
	}
	if (flags & ~known) {	// from a newer module: show, don't hide
		if (c.p != start)
			c.put(',');
		c.lit("0x");
		c.hex(flags & ~known);
	}
}

std::string packet_flag_names(uint32_t flags)
{
	char buf[kFlagNamesMax];
	Cursor c{buf};
	put_packet_flags(c, flags);
	return std::string(buf, c.p);
}

} // namespace icmptrace
