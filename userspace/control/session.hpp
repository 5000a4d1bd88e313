// The filter and snap length of one reader run, held by its own netlink
// socket (session): the kernel drops both when the socket closes, however
// the run ends.
#pragma once

#include <memory>

#include "control/control.hpp"
#include "control/filter_spec.hpp"

namespace icmptrace {

// The flags' values looked up (paths, containers); bad ones: Error(kExitUsage).
FilterSpec resolve_filter_args(const FilterArgs &a);
// This run's session: its filter (none if spec is empty) and snap length
// (packet bytes per record, 0: none, ICMPT_SNAPLEN_MAX: whole packets).
// Never null: the returned Control owns the socket both belong to.
std::unique_ptr<Control> start_session(const FilterSpec &spec, uint32_t snaplen);

} // namespace icmptrace
