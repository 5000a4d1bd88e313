// The reader's exception type: a message for stderr plus the exit
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

// A write to the output failed (lines, or -w's file: a full disk): the run
// still sums up what it did, then reports this.
class OutputError : public Error {
public:
	explicit OutputError(const std::string &msg) : Error(kExitRuntime, msg) {}
};

// The one place an error becomes output: "icmptrace: MSG" on stderr; returns
// the Error's exit code, kExitRuntime for any other exception.
int report_error(const std::exception &e);

// "what: strerror(err)"
std::string errno_message(const std::string &what, int err);

} // namespace icmptrace
