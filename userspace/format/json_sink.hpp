// The decoded body (field_visitor.hpp) as JSON members: the sink that both
// JSON lines share, tracee's "icmptrace.detail"/"inner" (format_json) and
// ECS's "icmptrace.detail"/"inner" (format_ecs).  Numbers are JSON numbers,
// hex flags, addresses and names JSON strings; only str() escapes.
#pragma once

#include <string_view>

#include "format/escape.hpp"
#include "format/event_fields.hpp"
#include "format/field_visitor.hpp"
#include "format/sink_common.hpp"

namespace icmptrace {

// A JSON string of text that needs no escaping (our names, addresses).
inline void put_plain_string(Cursor &c, std::string_view s)
{
	c.put('"');
	c.put(s);
	c.put('"');
}

// The body as members of "detail" and "inner".
struct JsonSink {
	Cursor &c;
	bool first = false;	// no comma before the next member

	void key(const Field &f)
	{
		if (!first)
			c.put(',');
		first = false;
		c.put('"');
		c.put(f.key);
		c.lit("\":");
	}
	void u(const Field &f, uint64_t v) { key(f); c.u(v); }
	void s(const Field &f, int64_t v) { key(f); c.i(v); }
	void hex(const Field &f, uint64_t v)
	{
		key(f);
		c.lit("\"0x");
		c.hex(v);
		c.put('"');
	}
	void addr(const Field &f, uint8_t family, const uint8_t *a)
	{
		key(f);
		c.put('"');
		put_addr(c, family, a);
		c.put('"');
	}
	void mac(const Field &f, const uint8_t *a, unsigned n)
	{
		key(f);
		c.put('"');
		put_mac(c, a, n);
		c.put('"');
	}
	void name(const Field &f, std::string_view v) { key(f); put_plain_string(c, v); }
	void str(const Field &f, std::string_view v) { key(f); put_json_string(c, v); }
	void begin_detail(const icmpt_event &, const char *kind)
	{
		c.lit(",\"detail\":{\"kind\":\"");
		c.put(kind);
		c.put('"');
	}
	void end_detail() { c.put('}'); }
	void begin_inner(const icmpt_event &)
	{
		c.lit(",\"inner\":{");
		first = true;
	}
	void end_inner() { c.put('}'); }
};

} // namespace icmptrace
