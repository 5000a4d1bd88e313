#include "util/stall_writer.hpp"

#include <limits.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <utility>

namespace icmptrace {
namespace {

// A cap on each wait before the deadline: the loop looks at the clock again.
constexpr int64_t kMaxWaitMs = 1000;

int ms_until(StallWriter::Clock::time_point t, StallWriter::Clock::time_point now)
{
	const auto left = std::chrono::ceil<std::chrono::milliseconds>(t - now).count();
	return static_cast<int>(std::clamp<int64_t>(left, 0, kMaxWaitMs));
}

} // namespace

void StallWriter::reset(int fd)
{
	fd_ = fd;
	struct stat st;
	// A pipe, socket or terminal with room takes PIPE_BUF bytes without
	// blocking; a file or /dev/null takes any amount.
	may_block_ = ::fstat(fd, &st) == 0 &&
		     (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || isatty(fd));
}

void StallWriter::watch_stop(int fd, std::function<void()> on_ready)
{
	stop_fd_ = fd;
	on_stop_ready_ = std::move(on_ready);
}

void StallWriter::stop()
{
	if (!stopping())
		give_up_at_ = Clock::now() + kStopGrace;
}

StallWriter::Status StallWriter::wait_room()
{
	for (;;) {
		const Clock::time_point now = Clock::now();
		if (!stopping() && now >= deadline_)
			stop();
		int ms = -1;
		if (stopping()) {
			if (now >= give_up_at_)
				return Status::GaveUp;
			ms = ms_until(give_up_at_, now);
		} else if (deadline_ != Clock::time_point::max()) {
			ms = ms_until(deadline_, now);
		}
		const bool watch = stop_fd_ >= 0 && !stopping();
		pollfd fds[2] = {{fd_, POLLOUT, 0}, {stop_fd_, POLLIN, 0}};
		const int n = ::poll(fds, watch ? 2 : 1, ms);
		if (n < 0 && errno != EINTR) {
			error_ = errno;
			return Status::Failed;
		}
		if (n <= 0)
			continue;
		if (watch && (fds[1].revents & POLLIN)) {
			if (on_stop_ready_)
				on_stop_ready_();
			else
				stop();
		}
		if (fds[0].revents)
			return Status::Ok;	// room, or write() tells what is wrong
	}
}

StallWriter::Status StallWriter::write(const void *p, std::size_t n, std::size_t &written)
{
	const auto *bytes = static_cast<const char *>(p);
	written = 0;
	error_ = 0;
	while (written < n) {
		if (may_block_) {
			const Status s = wait_room();
			if (s != Status::Ok)
				return s;
		}
		const std::size_t want = may_block_ ? std::min<std::size_t>(n - written, PIPE_BUF)
						    : n - written;
		const ssize_t w = ::write(fd_, bytes + written, want);
		if (w > 0) {
			written += static_cast<std::size_t>(w);
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			// Set non-blocking by someone, or a socket with less room
			// than PIPE_BUF: wait for room, as for a pipe.
			may_block_ = true;
			continue;
		}
		if (w < 0 && errno == EPIPE)
			return Status::Closed;
		error_ = w < 0 ? errno : EIO;
		return Status::Failed;
	}
	return Status::Ok;
}

} // namespace icmptrace
