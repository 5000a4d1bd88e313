#include "format/formatters.hpp"

#include "format/sink_common.hpp"

namespace icmptrace {

char *format_event(OutputFormat f, const icmpt_event &ev, const FormatContext &ctx, char *out)
{
	switch (f) {
	case OutputFormat::Text:
		return format_text(ev, ctx, out);
	case OutputFormat::Json:
		return format_json(ev, ctx, out);
	case OutputFormat::Kv:
		return format_kv(ev, ctx, out);
	case OutputFormat::Ecs:
		return format_ecs(ev, ctx, out);
	}
	return out;
}

void format_event(OutputFormat f, const icmpt_event &ev, const FormatContext &ctx,
		  std::string &out)
{
	append_with_cursor(out, line_room(ctx),
			   [&](Cursor &c) { c.p = format_event(f, ev, ctx, c.p); });
}

size_t format_room(const FormatContext &ctx)
{
	return line_room(ctx);
}

} // namespace icmptrace
