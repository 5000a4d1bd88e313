#include "cli/cli.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstdio>
#include <optional>

#include "ring/device.hpp"
#include "ring/record.hpp"
#include "util/error.hpp"
#include "cli/icmp_summary.hpp"
#include "cli/options.hpp"
#include "cli/output_file.hpp"
#include "cli/run_command.hpp"
#include "control/session.hpp"
#include "context/record_context.hpp"
#include "cli/capture_file.hpp"
#include "cli/signal_fd.hpp"
#include "cli/summary.hpp"
#include "cli/trace_loop.hpp"

namespace icmptrace {
namespace {

// -- COMMAND: SIGINT/SIGTERM/SIGHUP go to the command, and its end ends the
// trace once the rings are drained.  A terminal's Ctrl-C (si_code
// SI_KERNEL) reached the command's process group already: not sent twice.
SignalAction command_signal(Command &cmd, int signo, int code)
{
	if (signo == SIGCHLD)
		return cmd.poll_exit() ? SignalAction::Drain : SignalAction::Ignore;
	if (cmd.exited())
		return SignalAction::Stop;	// still draining a stalled output
	if (code != SI_KERNEL)
		cmd.signal(signo);
	return SignalAction::Ignore;
}

void report_command(const Command &cmd, const std::string &name, Control *ctl)
{
	const int st = cmd.status();
	if (st > 128)
		std::fprintf(stderr, "icmptrace: %s (pid %d) ended by signal %d\n", name.c_str(),
			     cmd.pid(), st - 128);
	else
		std::fprintf(stderr, "icmptrace: %s (pid %d) exited with status %d\n",
			     name.c_str(), cmd.pid(), st);
	if (!ctl)
		return;
	// Forks the kernel could not follow: their packets are missing.
	FilterState f = ctl->get_filter();
	if (f.tree_untracked)
		std::fprintf(stderr,
			     "icmptrace: WARNING: %llu processes started by %s were not followed "
			     "(more than the module's tree_slots at once): their packets are "
			     "missing\n",
			     static_cast<unsigned long long>(f.tree_untracked), name.c_str());
}

// "icmptrace disable" outlives the process that ran it: a reader started
// after it would wait in silence.
void warn_if_disabled(Control &ctl)
{
	try {
		if (!ctl.get_config().enabled)
			std::fprintf(stderr, "icmptrace: WARNING: recording is off (icmptrace "
					     "disable): no records until icmptrace enable\n");
	} catch (const Error &) {
		// a module that cannot say: nothing to warn of
	}
}

int trace(const Options &o)
{
	// Before opening anything: a signal during setup stays pending and
	// ends the loop at once, through the normal shutdown.
	SignalFd signals(!o.command.empty());
	// A closed stdout must end us via EPIPE, with a summary, not kill us.
	::signal(SIGPIPE, SIG_IGN);

	FilterSpec filter = resolve_filter_args(o.filter);
	// The command waits until the filter names it: it cannot send or fork
	// before, so its tree starts with it alone.
	std::optional<Command> cmd;
	if (!o.command.empty()) {
		cmd.emplace(o.command, resolve_run_as(o.user, ::geteuid() == 0,
						      std::getenv("SUDO_UID"),
						      std::getenv("SUDO_GID"),
						      std::getenv("SUDO_USER")));
		filter.tree = static_cast<uint32_t>(cmd->pid());
	}
	Device dev(o.device);
	// After the device, so a second reader fails before touching the
	// filter.  Packet bytes only for a capture (-w).
	const uint32_t snaplen = o.write.empty() ? 0 : capture_snaplen(o);
	auto session = start_session(filter, snaplen);
	warn_if_disabled(*session);
	std::optional<OutputFile> file;
	if (!o.output.empty() && o.output != "-")
		file.emplace(o.output);
	// -w: the file opens before the first record can arrive.
	std::optional<CaptureWriter> capture;
	if (!o.write.empty()) {
		CaptureOptions c = capture_options(o, snaplen);
		if (file) {
			const auto [dev, ino] = file->id();
			c.keep.push_back({dev, ino, "the --output file"});
		}
		// A stalled output gives way to a stop or -t, as the lines do.
		c.stop_fd = signals.fd();
		if (o.timeout)
			c.deadline = std::chrono::steady_clock::now() + *o.timeout;
		capture.emplace(std::move(c));
	}
	std::vector<RingConsumer> rings;
	rings.reserve(dev.rings().size());
	for (size_t i = 0; i < dev.rings().size(); ++i)
		rings.emplace_back(static_cast<uint32_t>(i), dev.rings()[i], o.backlog);

	FILE *out = file ? file->stream() : stdout;
	if (!file && isatty(STDOUT_FILENO))
		std::setvbuf(stdout, nullptr, _IOLBF, 0);

	LoopConfig cfg;
	cfg.format = o.format;
	if (file)
		cfg.output_name = o.output;
	RecordContext context;
	cfg.context = &context;
	cfg.count = o.count;
	cfg.timeout = o.timeout;
	if (o.immediate || o.flush_each)
		cfg.batch = std::chrono::milliseconds(0);
	IcmpSummary summary;
	if (o.summary) {
		cfg.observe = [&summary](const icmpt_event &ev, const FormatContext &ctx) {
			summary.add(ev, ctx);
		};
		cfg.print = o.print;
	}
	if (file)
		cfg.on_hangup = [&file]() {
			std::string err = file->reopen();
			if (!err.empty())
				std::fprintf(stderr, "icmptrace: WARNING: %s; still writing the old file\n",
					     err.c_str());
		};

	if (cmd)
		cfg.on_signal = [&cmd](int signo, int code) {
			return command_signal(*cmd, signo, code);
		};
	uint64_t drops_seen = 0, drops_before = 0;	// for epb_dropcount
	auto dropped_now = [&rings]() {
		uint64_t d = 0;
		for (const RingTotals &t : collect_totals(rings))
			d += t.drops.total();
		return d;
	};
	if (capture) {
		cfg.print = o.print;	// -w --print: lines too, as tcpdump's --print
		cfg.begin_pass = [&]() {
			const uint64_t d = dropped_now();
			drops_before += d - drops_seen;
			drops_seen = d;
		};
		cfg.capture = [&](const icmpt_event &ev, const FormatContext &ctx) {
			const bool more = capture->add_record(ev, ctx, drops_before);
			if (more)	// else they count after the last packet, at close
				drops_before = 0;
			return more;
		};
		cfg.capture_flush = [&capture]() { return capture->flush(); };
		cfg.on_stop = [&capture]() { capture->stop_soon(); };
	}

	std::fprintf(stderr, "icmptrace: listening on %s, %u rings of %llu KiB\n",
		     o.device.c_str(), dev.info().nr_rings,
		     static_cast<unsigned long long>(dev.info().data_size / 1024));
	if (cmd)
		cmd->release();
	LoopResult res = run_trace_loop(dev.fd(), signals.fd(), rings, cfg, out, stderr);
	if (cmd && !cmd->poll_exit()) {
		std::fprintf(stderr, "icmptrace: trace ended before %s (pid %d): sending it SIGTERM\n",
			     o.command[0].c_str(), cmd->pid());
		cmd->terminate(2000);
	}
	if (capture) {
		try {
			capture->close(drops_before + dropped_now() - drops_seen);
		} catch (const OutputError &e) {
			if (res.error.empty())	// else it is the same failure again
				res.error = e.what();
		}
		// -w - | head ends quietly, as the lines do.
		if (o.write != "-" || capture->abandoned() || !res.error.empty())
			report_capture(*capture);
		if (capture->abandoned())
			res.abandoned = true;
		for (const BytesProblem p : {BytesProblem::BadOffset, BytesProblem::PastEnd})
			if (capture->malformed(p))
				std::fprintf(stderr,
					     "icmptrace: WARNING: %llu records with malformed packet "
					     "bytes (%s), written without them\n",
					     static_cast<unsigned long long>(capture->malformed(p)),
					     to_string(p));
	}
	if (o.summary && !res.output_closed && !res.output_failed) {
		const std::string table = o.format == OutputFormat::Json ? summary.json() : summary.text();
		if ((std::fputs(table.c_str(), out) < 0 || std::fflush(out) != 0) &&
		    res.error.empty())
			res.error = errno_message("writing the summary", errno);
	}
	uint64_t left_unread = 0;
	if (res.abandoned) {
		for (const RingConsumer &r : rings)
			left_unread += r.unread_records();
		left_unread -= std::min(left_unread, res.unreturned_written);
	}
	const std::vector<RingTotals> totals = collect_totals(rings);
	std::fputs(format_summary(res.records, totals, left_unread, res.pace).c_str(), stderr);
	if (cmd)
		report_command(*cmd, o.command[0], session.get());
	// A failed output ends the run with its summary, then the error.
	if (!res.error.empty())
		std::fprintf(stderr, "icmptrace: %s\n", res.error.c_str());
	return run_status(totals, !res.error.empty(),
			  cmd ? std::optional<int>(cmd->status()) : std::nullopt);
}

// A closed standard descriptor gets /dev/null read-only: a write to it fails
// (EBADF, said as for any output), a read ends, and the device, a netlink
// socket or an output file, which take the lowest free number, never
// become fd 1 and receive our lines.
void hold_standard_fds()
{
	for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; ++fd) {
		if (::fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		const int null = ::open("/dev/null", O_RDONLY);
		if (null >= 0 && null != fd) {
			::dup2(null, fd);
			::close(null);
		}
	}
}

} // namespace

int run_cli(const std::vector<std::string> &args)
{
	hold_standard_fds();
	if (!args.empty() && is_control_command(args[0]))
		return run_control_command(args);
	ParsedArgs p = parse_args(args);
	switch (p.action) {
	case ParsedArgs::Action::Help:
		// --help >/dev/full must not claim success.
		if (std::fputs(help_text().c_str(), stdout) < 0 || std::fflush(stdout) != 0) {
			std::perror("icmptrace: writing the help text");
			return kExitRuntime;
		}
		return kExitOk;
	case ParsedArgs::Action::Version:
		if (std::fputs(version_text().c_str(), stdout) < 0 || std::fflush(stdout) != 0) {
			std::perror("icmptrace: writing the version");
			return kExitRuntime;
		}
		return kExitOk;
	case ParsedArgs::Action::UsageError:
		std::fprintf(stderr, "icmptrace: %s\n%s\n", p.error.c_str(), kUsageHint);
		return kExitUsage;
	case ParsedArgs::Action::Run:
		break;
	}
	try {
		if (!p.options.read.empty())
			return read_capture(p.options);
		return trace(p.options);
	} catch (const std::exception &e) {
		return report_error(e);
	}
}

} // namespace icmptrace
