#include "format/formatters.hpp"

namespace icmptrace {

void format_event(OutputFormat f, const icmpt_event &ev, const FormatContext &ctx,
		  std::string &out)
{
	switch (f) {
	case OutputFormat::Text:
		format_text(ev, ctx, out);
		return;
	case OutputFormat::Json:
		format_json(ev, ctx, out);
		return;
	case OutputFormat::Kv:
		format_kv(ev, ctx, out);
		return;
	}
}

} // namespace icmptrace
