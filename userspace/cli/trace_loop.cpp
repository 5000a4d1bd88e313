#include "cli/trace_loop.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>

#include "util/error.hpp"

namespace icmptrace {
namespace {

using Clock = std::chrono::steady_clock;

// A cap on each sleep: a missed wakeup costs at most this much latency.
constexpr int kMaxSleepMs = 1000;

// Lines are written in chunks of about this size: the buffer stays in the
// cache and is reused, instead of growing with the batch (a full ring is MBs).
constexpr size_t kChunk = 64 << 10;

// fwrite of text; false if the output is gone (EPIPE: reader piped to head).
bool write_text(const std::string &text, FILE *out)
{
	if (!text.empty() && std::fwrite(text.data(), 1, text.size(), out) != text.size()) {
		if (errno == EPIPE)
			return false;
		throw Error(kExitRuntime, errno_message("write", errno));
	}
	return true;
}

// Writes the batch, text as the buffer; false if the output is gone.
bool write_batch(const std::vector<icmpt_event> &batch, size_t n, const LoopConfig &cfg,
		 std::string &text, FILE *out)
{
	text.clear();
	for (size_t i = 0; i < n; ++i) {
		const FormatContext ctx = cfg.context ? cfg.context(batch[i]) : FormatContext{};
		if (cfg.observe)
			cfg.observe(batch[i], ctx);
		if (cfg.print)
			format_event(cfg.format, batch[i], ctx, text);
		if (text.size() >= kChunk) {
			if (!write_text(text, out))
				return false;
			text.clear();
		}
	}
	if (!write_text(text, out))
		return false;
	if (std::fflush(out) != 0) {
		if (errno == EPIPE)
			return false;
		throw Error(kExitRuntime, errno_message("write", errno));
	}
	return true;
}

int read_signal(int stop_fd)
{
	signalfd_siginfo si;
	if (::read(stop_fd, &si, sizeof(si)) == static_cast<ssize_t>(sizeof(si)))
		return static_cast<int>(si.ssi_signo);
	return SIGTERM;	// not a signalfd (tests): any readability means stop
}

} // namespace

void drain_all(std::vector<RingConsumer> &rings, std::vector<icmpt_event> &batch,
	       FILE *err)
{
	auto earlier = [](const icmpt_event &a, const icmpt_event &b) {
		return a.ts_boot_ns < b.ts_boot_ns;
	};
	const auto start = static_cast<std::ptrdiff_t>(batch.size());
	for (RingConsumer &r : rings) {
		const auto from = static_cast<std::ptrdiff_t>(batch.size());
		DrainResult res = r.drain(batch);
		if (res.corrupt)
			std::fprintf(err, "icmptrace: WARNING: %s\n", describe(*res.corrupt).c_str());
		// A ring is (nearly always) in order already: merging the rings
		// moves each record about once where a full sort moves it log n
		// times.  Both are stable, ring by ring, as the order promised.
		const auto first = batch.begin() + start, mid = batch.begin() + from;
		if (!std::is_sorted(mid, batch.end(), earlier))
			std::stable_sort(mid, batch.end(), earlier);
		std::inplace_merge(first, mid, batch.end(), earlier);
	}
}

LoopResult run_trace_loop(int wait_fd, int stop_fd, std::vector<RingConsumer> &rings,
			  const LoopConfig &cfg, FILE *out, FILE *err)
{
	LoopResult res;
	std::optional<Clock::time_point> deadline;
	if (cfg.timeout)
		deadline = Clock::now() + *cfg.timeout;
	std::vector<icmpt_event> batch;
	std::string text;
	text.reserve(kChunk + 4096);
	bool stop = false;

	while (!stop) {
		int sleep_ms = kMaxSleepMs;
		if (deadline) {
			auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline -
										 Clock::now());
			if (left.count() <= 0)
				stop = true;	// one last drain below
			else
				sleep_ms = static_cast<int>(std::min<int64_t>(left.count(), sleep_ms));
		}
		if (!stop) {
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
				int sig = read_signal(stop_fd);
				if (sig == SIGHUP && cfg.on_hangup) {
					cfg.on_hangup();	// between flushed batches
				} else {
					res.signal = sig;
					stop = true;	// still print what the rings hold
				}
			}
		}

		batch.clear();
		drain_all(rings, batch, err);
		size_t n = batch.size();
		if (cfg.count)
			n = std::min<uint64_t>(n, *cfg.count - res.records);
		if (!write_batch(batch, n, cfg, text, out)) {
			res.output_closed = true;
			break;
		}
		res.records += n;
		if (cfg.count && res.records >= *cfg.count)
			break;
	}
	return res;
}

} // namespace icmptrace
