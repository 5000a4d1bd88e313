#include "cli/signal_fd.hpp"

#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>

#include "util/error.hpp"

namespace icmptrace {

SignalFd::SignalFd(bool children)
{
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	if (children)
		sigaddset(&mask, SIGCHLD);
	if (int err = pthread_sigmask(SIG_BLOCK, &mask, &old_mask_))
		throw Error(kExitRuntime, errno_message("pthread_sigmask", err));
	fd_.reset(::signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK));
	if (!fd_.valid()) {
		int err = errno;
		pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
		throw Error(kExitRuntime, errno_message("signalfd", err));
	}
}

SignalFd::~SignalFd()
{
	// A stop left pending for a writer to see (-r -w) was acted on: taken
	// here, it does not kill us when the mask is restored.
	signalfd_siginfo si;
	while (fd_.valid() && ::read(fd_.get(), &si, sizeof(si)) == sizeof(si)) {
	}
	fd_.reset();
	pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
}

} // namespace icmptrace
