// SIGINT/SIGTERM/SIGHUP as a readable fd, so the poll loop ends through its normal
// path (final drain, summary, unmapping) instead of in a signal handler.
#pragma once

#include <signal.h>

#include "util/unique_fd.hpp"

namespace icmptrace {

class SignalFd {
public:
	// Blocks SIGINT, SIGTERM and SIGHUP (reopen with --output, else stop) for this thread; restored on destruction.
	// children: SIGCHLD too (-- COMMAND ended).
	explicit SignalFd(bool children = false);
	~SignalFd();
	SignalFd(const SignalFd &) = delete;
	SignalFd &operator=(const SignalFd &) = delete;

	int fd() const { return fd_.get(); }

private:
	sigset_t old_mask_;
	UniqueFd fd_;
};

} // namespace icmptrace
