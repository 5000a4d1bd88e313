// The one exception type of the reader: a message for stderr plus the exit
// code main() returns, so deep code can fail with the right code.
#pragma once

#include <stdexcept>
#include <string>

#include "util/exit_codes.hpp"

namespace icmptrace {

class Error : public std::runtime_error {
public:
	Error(ExitCode code, const std::string &msg)
		: std::runtime_error(msg), code_(code) {}
	ExitCode code() const { return code_; }

private:
	ExitCode code_;
};

// The one place an error becomes output: "icmptrace: MSG" on stderr; returns
// the Error's exit code, kExitRuntime for any other exception.
int report_error(const std::exception &e);

// "what: strerror(err)"
std::string errno_message(const std::string &what, int err);

} // namespace icmptrace
