#include "format/sink_common.hpp"

#include <cstring>
#include <string>

#include "format/event_fields.hpp"
#include "format/icmp_type_code.hpp"

namespace icmptrace {

namespace {

// Names kept by type_code_name(), each in the slot its key hashes to.
// Trivial, so the thread_local needs no guard on the way in.
struct NameSlot {
	uint32_t key;	// 0: empty
	uint8_t len;
	char name[59];	// the longest name there is (46 bytes) fits
};
constexpr unsigned kSlotBits = 4;
thread_local NameSlot name_slots[1 << kSlotBits];

// A name not kept yet: made into its slot (one longer than a slot holds
// is made each time, never cut).
[[gnu::noinline]] std::string_view make_name(NameSlot &s, uint32_t key, uint8_t family,
					     uint8_t type, uint8_t code)
{
	thread_local std::string made;
	made.clear();
	append_icmp_type_code(made, family, type, code);
	if (made.size() > sizeof(s.name)) {
		s.key = 0;
		return made;
	}
	std::memcpy(s.name, made.data(), made.size());
	s.len = static_cast<uint8_t>(made.size());
	s.key = key;
	return {s.name, s.len};
}

} // namespace

std::string_view type_code_name(uint8_t family, uint8_t type, uint8_t code)
{
	// Several names kept: with one, a ping flood's requests and replies
	// (or a line's error and the packet it quotes) made theirs again and
	// again.
	const uint32_t key = ((family == 6) << 16 | type << 8 | code) + 1;
	NameSlot &s = name_slots[key * 0x9e3779b1U >> (32 - kSlotBits)];
	if (key == s.key)
		return {s.name, s.len};
	return make_name(s, key, family, type, code);
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
