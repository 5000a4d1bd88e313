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

namespace {

// EBUSY from the kernel: another session holds what we asked for.
[[noreturn]] void busy(const Error &e, const char *what)
{
	if (e.code() != kExitBusy)
		throw;
	throw Error(kExitBusy, std::string(e.what()) + ": another icmptrace session holds the " +
				       what + " (see icmptrace status)");
}

} // namespace

std::unique_ptr<Control> start_session(const FilterSpec &spec, uint32_t snaplen)
{
	auto ctl = std::make_unique<Control>();
	// The snap length first: records that pass the filter carry the bytes
	// asked for from the first one on.
	try {
		ctl->set_snaplen(snaplen);
	} catch (const Error &e) {
		busy(e, "snap length");
	}
	if (spec.empty())
		return ctl;
	try {
		ctl->set_filter(spec);
	} catch (const Error &e) {
		busy(e, "filter");
	}
	std::fprintf(stderr, "icmptrace: filter: %s\n", describe_filter(spec).c_str());
	return ctl;
}

} // namespace icmptrace
