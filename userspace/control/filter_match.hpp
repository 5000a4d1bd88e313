// The kernel's filter (kmod/icmpt_filter.c, "Filters" in linux/icmptrace.h)
// applied in userspace, to records read back from a capture file (-r): the
// same spec, the same answer.
#pragma once

#include <linux/icmptrace.h>

#include "control/filter_spec.hpp"

namespace icmptrace {

bool filter_matches(const FilterSpec &f, const icmpt_event &ev);

} // namespace icmptrace
