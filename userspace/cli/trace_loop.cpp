#include "cli/trace_loop.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <string_view>
#include <utility>

#include "ring/ring_merge.hpp"
#include "util/error.hpp"
#include "util/stall_writer.hpp"

namespace icmptrace {
namespace {

using Clock = std::chrono::steady_clock;

// A cap on each sleep: a missed wakeup costs at most this much latency.
constexpr int kMaxSleepMs = 1000;

// Lines are written in chunks of about this size: the buffer stays in the
// cache and is reused, and each chunk's records go back to the rings once
// it is written.
constexpr size_t kChunk = 64 << 10;
// With -w, records of a chunk (written, then given back together).
constexpr uint64_t kCaptureChunk = 512;

struct Signal {
	int signo = SIGTERM;
	int code = SI_USER;
};

Signal read_signal(int stop_fd)
{
	signalfd_siginfo si;
	if (::read(stop_fd, &si, sizeof(si)) == static_cast<ssize_t>(sizeof(si)))
		return {static_cast<int>(si.ssi_signo), si.ssi_code};
	return {};	// not a signalfd (tests): any readability means stop
}

SignalAction action_for(const LoopConfig &cfg, const Signal &s)
{
	return cfg.on_signal ? cfg.on_signal(s.signo, s.code) : SignalAction::Stop;
}

// The lines' output (a StallWriter), and what a signal does, read while
// it waits for room or by the loop between passes.
class Output {
public:
	using Status = StallWriter::Status;

	Output(FILE *out, int stop_fd, const LoopConfig &cfg, LoopResult &res)
		: out_(fileno(out)), stop_fd_(stop_fd), cfg_(cfg), res_(res)
	{
		out_.watch_stop(stop_fd, [this] { take(read_signal(stop_fd_)); });
	}

	// Writes all of text; written tells how much went out in any case.
	Status write(std::string_view text, size_t &written)
	{
		return out_.write(text.data(), text.size(), written);
	}
	int error() const { return out_.error(); }	// errno of Failed

	void take(const Signal &sig)
	{
		if (sig.signo == SIGHUP && cfg_.on_hangup) {
			hangup_ = true;	// after this pass: never inside a chunk
			return;
		}
		switch (action_for(cfg_, sig)) {
		case SignalAction::Stop:
			res_.signal = sig.signo;
			// Still print what the rings hold, if the output takes it.
			out_.stop();
			if (cfg_.on_stop)
				cfg_.on_stop();
			break;
		case SignalAction::Drain:
			drain_ = true;	// the loop ends after this pass
			break;
		case SignalAction::Ignore:
			break;
		}
	}

	// -t: a stalled output is given up on from then on, as after a signal.
	void set_deadline(Clock::time_point t) { out_.set_deadline(t); }
	bool stopping() const { return out_.stopping(); }
	bool draining() const { return drain_; }
	// SIGHUP with --output: the reopen the loop owes, between passes.
	bool take_hangup() { return std::exchange(hangup_, false); }

private:
	StallWriter out_;
	int stop_fd_;
	const LoopConfig &cfg_;
	LoopResult &res_;
	bool hangup_ = false, drain_ = false;
};

// -w's chunk of n records ended without its packets all written: the
// records count as read whatever became of their packets (the writer counts
// those it lost), and are not given back.
void read_unreturned(LoopResult &res, uint64_t n)
{
	res.records += n;
	res.unreturned_written = n;
}

void report(RingMerge &merge, FILE *err)
{
	for (const CorruptReport &r : merge.corrupt_reports())
		std::fprintf(err, "icmptrace: WARNING: %s\n", describe(r).c_str());
	merge.corrupt_reports().clear();
}

// Formats and writes what the rings hold now, chunk by chunk, into buf
// (reused from pass to pass).  false when the loop must end (output gone,
// stop abandoned, count reached).
bool print_pass(RingMerge &merge, const LoopConfig &cfg, Output &output, std::vector<char> &buf,
		LoopResult &res, FILE *err)
{
	static const FormatContext none;
	if (cfg.begin_pass)
		cfg.begin_pass();
	merge.begin_pass();
	if (cfg.context)
		cfg.context->begin_batch();
	bool complete = false;	// the capture has all it wants
	// What the loop reads per record, in locals: as far as the compiler
	// knows, format_event() may write to cfg and buf, so it would load
	// their fields again for every record.
	RecordContext *const context = cfg.context;
	const bool capture = static_cast<bool>(cfg.capture);
	const bool observe = static_cast<bool>(cfg.observe);
	const bool print = cfg.print;
	const OutputFormat format = cfg.format;
	for (;;) {
		const Clock::time_point chunk_start = Clock::now();
		size_t used = 0;
		uint64_t n = 0;
		uint64_t room = cfg.count ? *cfg.count - res.records : UINT64_MAX;
		if (capture)
			room = std::min(room, kCaptureChunk);
		char *data = buf.data();
		size_t size = buf.size();
		while (n < room && used < kChunk) {
			const icmpt_event *ev = merge.next();
			if (!ev)
				break;
			const FormatContext &ctx = context ? context->context_for(*ev) : none;
			if (capture) {
				bool more;
				try {
					more = cfg.capture(*ev, ctx);
				} catch (const OutputError &) {
					read_unreturned(res, n + 1);	// this one too
					throw;
				}
				if (!more) {
					complete = true;
					break;
				}
			}
			if (observe)
				cfg.observe(*ev, ctx);
			if (!print) {
				++n;
				continue;
			}
			// The record's one bounds check.
			const size_t need = format_room(ctx);
			if (size - used < need) {
				buf.resize(used + need);
				data = buf.data();
				size = buf.size();
			}
			used = static_cast<size_t>(format_event(format, *ev, ctx, data + used) - data);
			++n;
		}
		report(merge, err);
		if (n == 0)
			return !complete && (!cfg.count || res.records < *cfg.count);
		const Clock::time_point output_start = Clock::now();
		bool flushed = true;
		try {
			flushed = !cfg.capture_flush || cfg.capture_flush();
		} catch (const OutputError &) {
			read_unreturned(res, n);
			throw;
		}
		if (!flushed) {
			// -w - | head: nobody reads the capture; or it stalled
			// past a stop.
			read_unreturned(res, n);
			return false;
		}
		const std::string_view text(buf.data(), used);
		size_t written = 0;
		Output::Status s = output.write(text, written);
		const Clock::time_point output_end = Clock::now();
		if (output_end - chunk_start > res.pace.longest_chunk) {
			res.pace.longest_chunk = output_end - chunk_start;
			res.pace.longest_chunk_output = output_end - output_start;
		}
		if (s != Output::Status::Ok) {
			// Lines written whole count; the records stay unreturned.
			const auto whole = static_cast<uint64_t>(
				std::count(text.begin(), text.begin() + written, '\n'));
			res.records += whole;
			res.output_closed = s == Output::Status::Closed;
			res.abandoned = s == Output::Status::GaveUp;
			if (s == Output::Status::Failed) {
				res.error = errno_message("writing " + cfg.output_name, output.error());
				res.output_failed = true;
			}
			res.unreturned_written = whole;
			return false;
		}
		res.records += n;
		merge.give_back();
		if (complete || (cfg.count && res.records >= *cfg.count))
			return false;
	}
}

} // namespace

LoopResult run_trace_loop(int wait_fd, int stop_fd, std::vector<RingConsumer> &rings,
			  const LoopConfig &cfg, FILE *out, FILE *err)
{
	LoopResult res;
	std::optional<Clock::time_point> deadline;
	if (cfg.timeout)
		deadline = Clock::now() + *cfg.timeout;
	RingMerge merge(rings);
	Output output(out, stop_fd, cfg, res);
	if (deadline)
		output.set_deadline(*deadline);
	std::vector<char> buf(kChunk + format_room(FormatContext{}));
	if (std::fflush(out) != 0 && errno != EPIPE)
		throw Error(kExitRuntime, errno_message("write", errno));
	bool stop = false;
	bool busy = false;	// the last pass found records

	while (!stop) {
		const bool batching = busy && cfg.batch.count() > 0;
		for (RingConsumer &r : rings)
			r.set_wakeup(batching ? r.data_size() / 4 : 0);
		int sleep_ms = batching ? static_cast<int>(std::min<int64_t>(cfg.batch.count(), kMaxSleepMs))
					: kMaxSleepMs;
		if (deadline) {
			auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline -
										 Clock::now());
			if (left.count() <= 0)
				stop = true;	// one last pass below
			else
				sleep_ms = static_cast<int>(std::min<int64_t>(left.count(), sleep_ms));
		}
		if (output.stopping() || output.draining()) {
			stop = true;	// a signal came while writing
		} else if (!stop) {
			// stdout asks for no event: poll still reports POLLERR on a
			// pipe whose reader left (icmptrace | head -1 on a quiet host).
			pollfd fds[3] = {{wait_fd, POLLIN, 0}, {fileno(out), 0, 0},
					 {stop_fd, POLLIN, 0}};
			int n = ::poll(fds, stop_fd >= 0 ? 3 : 2, sleep_ms);
			if (n < 0 && errno != EINTR)
				throw Error(kExitRuntime, errno_message("poll", errno));
			if (n > 0 && (fds[0].revents & (POLLERR | POLLNVAL)))
				throw Error(kExitRuntime, "poll: error on the device");
			if (n > 0 && (fds[1].revents & (POLLERR | POLLNVAL))) {
				res.output_closed = true;
				break;
			}
			if (n > 0 && stop_fd >= 0 && (fds[2].revents & POLLIN)) {
				output.take(read_signal(stop_fd));
				// Stopped or drained: one last pass below.
				stop = output.stopping() || output.draining();
			}
		}
		if (output.take_hangup())
			cfg.on_hangup();	// between passes: lines before are written
		const uint64_t before = res.records;
		try {
			if (!print_pass(merge, cfg, output, buf, res, err))
				break;
		} catch (const OutputError &e) {
			// -w's file failed (a full disk): the caller still sums up.
			res.error = e.what();
			break;
		}
		busy = res.records != before;
	}
	return res;
}

} // namespace icmptrace
