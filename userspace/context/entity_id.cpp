#include "context/entity_id.hpp"

#include <cstring>

namespace icmptrace {
namespace {

constexpr uint32_t kTraceeSeed = 0x18273645;
constexpr uint64_t kRoundNs = 10000000;	// 1e9 / USER_HZ(100)

uint32_t rotl(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

uint32_t mix(uint32_t k)
{
	k *= 0xcc9e2d51;
	k = rotl(k, 15);
	return k * 0x1b873593;
}

} // namespace

uint32_t murmur3_32(const void *data, size_t len, uint32_t seed)
{
	const auto *p = static_cast<const unsigned char *>(data);
	uint32_t h = seed;
	size_t i = 0;
	for (; i + 4 <= len; i += 4) {
		// Blocks are read little-endian, whatever the host (as tracee on x86).
		uint32_t k = uint32_t(p[i]) | uint32_t(p[i + 1]) << 8 | uint32_t(p[i + 2]) << 16 |
			     uint32_t(p[i + 3]) << 24;
		h ^= mix(k);
		h = rotl(h, 13) * 5 + 0xe6546b64;
	}
	uint32_t k = 0;
	switch (len - i) {
	case 3: k ^= uint32_t(p[i + 2]) << 16; [[fallthrough]];
	case 2: k ^= uint32_t(p[i + 1]) << 8; [[fallthrough]];
	case 1: k ^= p[i]; h ^= mix(k);
	}
	h ^= uint32_t(len);
	h ^= h >> 16;
	h *= 0x85ebca6b;
	h ^= h >> 13;
	h *= 0xc2b2ae35;
	h ^= h >> 16;
	return h;
}

uint32_t task_entity_id(uint32_t id, uint64_t start_ns)
{
	const uint64_t t = start_ns / kRoundNs * kRoundNs;
	unsigned char buf[12];
	for (int i = 0; i < 4; ++i)
		buf[i] = static_cast<unsigned char>(id >> (24 - 8 * i));
	for (int i = 0; i < 8; ++i)
		buf[4 + i] = static_cast<unsigned char>(t >> (56 - 8 * i));
	return murmur3_32(buf, sizeof(buf), kTraceeSeed);
}

EntityIds entity_ids(const icmpt_task &t, std::optional<uint64_t> leader_start_ns,
		     std::optional<uint64_t> parent_start_ns)
{
	EntityIds e;
	if (t.tid == 0 || t.start_time_ns == 0)
		return e;
	e.thread = task_entity_id(t.tid, t.start_time_ns);
	if (t.tid == t.pid)
		e.process = e.thread;
	else if (leader_start_ns)
		e.process = task_entity_id(t.pid, *leader_start_ns);
	if (parent_start_ns && t.ppid != 0)
		e.parent = task_entity_id(t.ppid, *parent_start_ns);
	return e;
}

} // namespace icmptrace
