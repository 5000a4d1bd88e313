#include "util/error.hpp"

#include <cstdio>
#include <cstring>

namespace icmptrace {

std::string errno_message(const std::string &what, int err)
{
	return what + ": " + std::strerror(err);
}

int report_error(const std::exception &e)
{
	std::fprintf(stderr, "icmptrace: %s\n", e.what());
	const auto *err = dynamic_cast<const Error *>(&e);
	return err ? err->code() : kExitRuntime;
}

} // namespace icmptrace
