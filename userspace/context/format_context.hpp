// FormatContext: what a line shows that the record does not carry, derived
// from the host (context/record_context.hpp) and read by every format.
#pragma once

#include <cstdint>
#include <string>

namespace icmptrace {

// What a line shows that is not in the record: derived per record by
// RecordContext (record_context.hpp); empty/0 where unknown.
struct FormatContext {
	std::string hostname{};		// tracee's hostName: the task's UTS namespace
	std::string container_id{};	// tracee's containerId, 64 hex digits
	uint64_t mnt_ns = 0;		// mountNamespace when the record has 0
	uint32_t thread_entity_id = 0;	// tracee's threadEntityId...
	uint32_t process_entity_id = 0;
	uint32_t parent_entity_id = 0;
	std::string machine_name{};	// this host's own name (ECS host.name)
	// RecordContext's number for this derivation, unique in the process;
	// a context with one is never changed after, so equal serials mean
	// equal contexts (OwnerComments compares them so).  0: none; whoever
	// edits a derived context sets it back to 0.
	uint64_t serial = 0;
};

} // namespace icmptrace
