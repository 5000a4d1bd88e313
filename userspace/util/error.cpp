#include "util/error.hpp"

#include <cstring>

namespace icmptrace {

std::string errno_message(const std::string &what, int err)
{
	return what + ": " + std::strerror(err);
}

} // namespace icmptrace
