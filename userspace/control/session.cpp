#include "control/session.hpp"

#include <cstdio>

#include "control/filter_resolve.hpp"
#include "util/error.hpp"

namespace icmptrace {

FilterSpec resolve_filter_args(const FilterArgs &a)
{
	try {
		return resolve_filter(a);
	} catch (const FilterError &e) {
		throw Error(kExitUsage, e.what());
	}
}

std::unique_ptr<Control> start_filter_session(const FilterSpec &spec)
{
	if (spec.empty())
		return nullptr;
	auto ctl = std::make_unique<Control>();
	try {
		ctl->set_filter(spec);
	} catch (const Error &e) {
		if (e.code() != kExitBusy)
			throw;
		throw Error(kExitBusy, std::string(e.what()) +
					       ": another icmptrace session holds the filter "
					       "(see icmptrace status)");
	}
	std::fprintf(stderr, "icmptrace: filter: %s\n", describe_filter(spec).c_str());
	return ctl;
}

} // namespace icmptrace
