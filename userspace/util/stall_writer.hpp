// Writes to a descriptor without ever blocking past a stop: the live
// loop's lines, the pcapng writer and -r's lines.
//
// An output that can stall (a pipe, FIFO, socket or terminal, or one a
// parent set O_NONBLOCK: write(2) says EAGAIN) is polled for room and given
// at most PIPE_BUF bytes a write, which it takes without blocking; the same
// poll watches the stop descriptor (the trace's signalfd).  Once a stop has
// come, or the deadline (-t) has passed, a stalled output is given up on
// kStopGrace later.  A file or /dev/null is written straight.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>

namespace icmptrace {

// How long a stalled output is still waited for once a stop has come.
inline constexpr auto kStopGrace = std::chrono::milliseconds(500);

class StallWriter {
public:
	using Clock = std::chrono::steady_clock;
	enum class Status {
		Ok,
		Closed,	// EPIPE: the reader of the output left
		GaveUp,	// stalled past the grace after a stop
		Failed,	// error() has the errno
	};

	StallWriter() = default;
	explicit StallWriter(int fd) { reset(fd); }

	// Writes to fd from now on (a rotated file), looking at what it is.
	void reset(int fd);
	// Watches fd (-1: none) while waiting for room.  on_ready runs when it
	// is readable and must read it or call stop(); without one the
	// readiness (a pending signal) is left for its owner and means stop().
	void watch_stop(int fd, std::function<void()> on_ready = {});
	// Gives up on a stalled output kStopGrace from now (from the first
	// call on).
	void stop();
	// From t on, as after stop().
	void set_deadline(Clock::time_point t) { deadline_ = t; }
	bool stopping() const { return give_up_at_ != Clock::time_point::max(); }

	// Writes p[0..n); written tells how much went out, whatever the status.
	Status write(const void *p, std::size_t n, std::size_t &written);
	int error() const { return error_; }

private:
	// Ok once fd_ has room; GaveUp past the grace; Failed if poll fails.
	Status wait_room();

	int fd_ = -1, stop_fd_ = -1;
	bool may_block_ = false;
	int error_ = 0;
	std::function<void()> on_stop_ready_;
	Clock::time_point give_up_at_ = Clock::time_point::max();
	Clock::time_point deadline_ = Clock::time_point::max();
};

} // namespace icmptrace
