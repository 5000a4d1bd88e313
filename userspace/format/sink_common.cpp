#include "format/sink_common.hpp"

#include <string>

#include "format/event_fields.hpp"
#include "format/icmp_type_code.hpp"

namespace icmptrace {

std::string_view type_code_name(uint8_t family, uint8_t type, uint8_t code)
{
	thread_local struct {
		int key = -1;
		std::string name;
	} last;
	const int key = (family == 6) << 16 | type << 8 | code;
	if (key != last.key) {
		last.name.clear();
		append_icmp_type_code(last.name, family, type, code);
		last.key = key;
	}
	return last.name;
}

void put_mac(Cursor &c, const uint8_t *a, unsigned n)
{
	for (unsigned i = 0; i < n; ++i) {
		if (i)
			c.put(':');
		c.hex(a[i], 2);
	}
}

const icmpt_task &task_or_zero(const icmpt_event &ev)
{
	static const icmpt_task zero{};
	return ev.owner == ICMPT_OWNER_NONE ? zero : ev.task;
}

TaskFields task_fields(const icmpt_event &ev, const FormatContext &ctx)
{
	const icmpt_task &t = task_or_zero(ev);
	return TaskFields{t, t.mnt_ns ? t.mnt_ns : ctx.mnt_ns,
			  ev.owner == ICMPT_OWNER_NONE ? -1 : t.syscall_nr, comm_of(t),
			  event_syscall(ev)};
}

} // namespace icmptrace
