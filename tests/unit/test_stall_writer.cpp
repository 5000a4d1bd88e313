// StallWriter alone, on pipes: the one way the live lines, -w and -r's lines
// are written.  A full pipe is waited on until a stop or the deadline, then
// given up on within kStopGrace; a stop descriptor is left pending unless
// a handler reads it; a handler that reads it and does not stop keeps the
// wait going; a non-blocking pipe waits; EPIPE and errors are told apart.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "util/stall_writer.hpp"
#include "util/unique_fd.hpp"
#include "cmocka_includes.hpp"

using namespace icmptrace;
using namespace std::chrono_literals;

namespace {

using Clock = StallWriter::Clock;

struct Pipe {
	UniqueFd rd, wr;
	explicit Pipe(bool full = false)
	{
		int p[2];
		assert_int_equal(pipe2(p, O_CLOEXEC), 0);
		rd.reset(p[0]);
		wr.reset(p[1]);
		if (!full)
			return;
		assert_true(fcntl(p[1], F_SETPIPE_SZ, 4096) > 0);
		assert_int_equal(fcntl(p[1], F_SETFL, O_NONBLOCK), 0);
		const std::string fill(4096, 'f');
		while (::write(p[1], fill.data(), fill.size()) > 0) {
		}
		assert_int_equal(fcntl(p[1], F_SETFL, 0), 0);	// blocking again
	}
};

const std::string kText(20000, 'x');

// Stopped by stop(), by the deadline, or by a stop descriptor left
// readable: GaveUp after the grace, not before, and nothing written.
void test_full_pipe_given_up(void **)
{
	for (int how = 0; how < 3; ++how) {
		Pipe out(true), stop;
		StallWriter w(out.wr.get());
		w.watch_stop(stop.rd.get());
		const Clock::time_point t0 = Clock::now();
		if (how == 0)
			w.stop();
		else if (how == 1)
			w.set_deadline(t0 + 100ms);
		else
			assert_int_equal(::write(stop.wr.get(), "s", 1), 1);
		size_t written = 99;
		assert_int_equal(static_cast<int>(w.write(kText.data(), kText.size(), written)),
				 static_cast<int>(StallWriter::Status::GaveUp));
		const auto took = Clock::now() - t0;
		assert_true(took >= kStopGrace);
		assert_true(took < kStopGrace + 1s);
		assert_int_equal(written, 0);
		assert_true(w.stopping());
		if (how == 2) {
			char c;	// left for its owner
			assert_int_equal(::read(stop.rd.get(), &c, 1), 1);
		}
	}
}

// A handler that reads the stop descriptor and does not stop (an ignored
// signal): the wait goes on, and a reader that comes later gets it all.
void test_handler_that_does_not_stop(void **)
{
	Pipe out(true), stop;
	int seen = 0;
	StallWriter w(out.wr.get());
	w.watch_stop(stop.rd.get(), [&] {
		char c;
		seen += ::read(stop.rd.get(), &c, 1) == 1;
	});
	assert_int_equal(::write(stop.wr.get(), "h", 1), 1);
	std::thread reader([&] {
		std::this_thread::sleep_for(kStopGrace + 200ms);
		char buf[4096];
		size_t got = 0;
		while (got < 4096 + kText.size()) {
			const ssize_t n = ::read(out.rd.get(), buf, sizeof(buf));
			if (n <= 0)
				break;
			got += static_cast<size_t>(n);
		}
	});
	size_t written = 0;
	const StallWriter::Status s = w.write(kText.data(), kText.size(), written);
	reader.join();
	assert_int_equal(static_cast<int>(s), static_cast<int>(StallWriter::Status::Ok));
	assert_int_equal(written, kText.size());
	assert_int_equal(seen, 1);
	assert_false(w.stopping());
}

// A pipe someone set O_NONBLOCK, with a slow reader: polled for room and
// given PIPE_BUF a write, it takes every byte (write's EAGAIN branch is a
// fallback no pipe or socket reaches once poll said POLLOUT).
void test_nonblocking_waits(void **)
{
	Pipe out;
	assert_true(fcntl(out.wr.get(), F_SETPIPE_SZ, 4096) > 0);
	assert_int_equal(fcntl(out.wr.get(), F_SETFL, O_NONBLOCK), 0);
	std::string got;
	std::thread reader([&] {
		char buf[512];
		while (got.size() < kText.size()) {
			const ssize_t n = ::read(out.rd.get(), buf, sizeof(buf));
			if (n <= 0)
				break;
			got.append(buf, static_cast<size_t>(n));
			std::this_thread::sleep_for(100us);
		}
	});
	StallWriter w(out.wr.get());
	size_t written = 0;
	const StallWriter::Status s = w.write(kText.data(), kText.size(), written);
	reader.join();
	assert_int_equal(static_cast<int>(s), static_cast<int>(StallWriter::Status::Ok));
	assert_int_equal(written, kText.size());
	assert_true(got == kText);
}

// The reader left: Closed (a quiet end); a full device: Failed, ENOSPC.
void test_closed_and_failed(void **)
{
	::signal(SIGPIPE, SIG_IGN);
	Pipe out;
	out.rd.reset();
	StallWriter w(out.wr.get());
	size_t written = 0;
	assert_int_equal(static_cast<int>(w.write("abc", 3, written)),
			 static_cast<int>(StallWriter::Status::Closed));
	UniqueFd full(::open("/dev/full", O_WRONLY | O_CLOEXEC));
	assert_true(full.valid());
	w.reset(full.get());
	assert_int_equal(static_cast<int>(w.write("abc", 3, written)),
			 static_cast<int>(StallWriter::Status::Failed));
	assert_int_equal(w.error(), ENOSPC);
	assert_int_equal(written, 0);
}

} // namespace

int main()
{
	alarm(60);	// a wait that never ends fails the test instead of hanging it
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_pipe_given_up),
		cmocka_unit_test(test_handler_that_does_not_stop),
		cmocka_unit_test(test_nonblocking_waits),
		cmocka_unit_test(test_closed_and_failed),
	};
	return cmocka_run_group_tests_name("stall_writer", tests, nullptr, nullptr);
}
