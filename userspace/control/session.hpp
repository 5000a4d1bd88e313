// The filter of one reader run, held by its own netlink socket (session):
// the kernel drops it when the socket closes, however the run ends.
#pragma once

#include <memory>

#include "control/control.hpp"
#include "control/filter_spec.hpp"

namespace icmptrace {

// The flags' values looked up (paths, containers); bad ones: Error(kExitUsage).
FilterSpec resolve_filter_args(const FilterArgs &a);
// Sets spec as this run's filter; null (no netlink at all) if spec is empty.
std::unique_ptr<Control> start_filter_session(const FilterSpec &spec);

} // namespace icmptrace
