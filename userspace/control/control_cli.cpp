// icmptrace stats | status | enable | disable
#include <linux/icmptrace.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <memory>
#include <string>

#include "control/control.hpp"
#include "util/arg_reader.hpp"
#include "util/error.hpp"
#include "util/exit_codes.hpp"

namespace icmptrace {
namespace {

const char *kControlUsage =
	"Usage: icmptrace stats [--format text|kv]   per-CPU and total counters\n"
	"       icmptrace status                     module, configuration, filter, readers\n"
	"       icmptrace enable | disable           turn recording on or off (root)\n";

std::string row_kv(const StatsRow &r)
{
	char buf[512];
	std::snprintf(buf, sizeof(buf),
		      "cpu=%s seen=%llu recorded=%llu filtered=%llu dropped=%llu "
		      "unattributed=%llu dropped_full=%llu dropped_bad_consumer=%llu "
		      "dropped_nested=%llu\n",
		      r.cpu ? std::to_string(*r.cpu).c_str() : "total",
		      (unsigned long long)r.seen, (unsigned long long)r.recorded,
		      (unsigned long long)r.filtered, (unsigned long long)r.dropped,
		      (unsigned long long)r.unattributed, (unsigned long long)r.dropped_full,
		      (unsigned long long)r.dropped_bad_consumer,
		      (unsigned long long)r.dropped_nested);
	return buf;
}

std::string row_text(const StatsRow &r)
{
	char buf[256];
	std::snprintf(buf, sizeof(buf), "%-6s %14llu %14llu %14llu %14llu %14llu\n",
		      r.cpu ? std::to_string(*r.cpu).c_str() : "total",
		      (unsigned long long)r.seen, (unsigned long long)r.recorded,
		      (unsigned long long)r.filtered, (unsigned long long)r.dropped,
		      (unsigned long long)r.unattributed);
	return buf;
}

int stats(const std::vector<std::string> &args)
{
	bool kv = false;
	ArgReader rd(args, 1);
	while (rd.next()) {
		std::string v;
		const bool format = rd.name() == "--format";
		try {
			if (format)
				v = rd.value();
		} catch (const ArgError &) {
			// --format without a value: said below.
		}
		if (format && v != "kv" && v != "text") {
			if (v.empty())
				std::fprintf(stderr, "icmptrace: stats: --format needs a value: text or kv\n%s",
					     kControlUsage);
			else
				std::fprintf(stderr,
					     "icmptrace: stats: invalid format '%s': expected text or kv\n%s",
					     v.c_str(), kControlUsage);
			return kExitUsage;
		}
		if (!format) {
			std::fprintf(stderr, "icmptrace: stats: unexpected argument '%s'\n%s",
				     rd.arg().c_str(), kControlUsage);
			return kExitUsage;
		}
		kv = v == "kv";
	}
	Control ctl;
	KernelStats s = ctl.get_stats();
	std::string out;
	if (!kv)
		out += "cpu              seen       recorded       filtered        dropped"
		       "   unattributed\n";
	for (const StatsRow &r : s.cpus)
		out += kv ? row_kv(r) : row_text(r);
	out += kv ? row_kv(s.total) : row_text(s.total);
	std::fputs(out.c_str(), stdout);
	return kExitOk;	// written out by run_control_command()
}

int status()
{
	std::unique_ptr<Control> ctl;
	try {
		ctl = std::make_unique<Control>();
	} catch (const Error &e) {
		if (e.code() != kExitNoDevice)
			throw;
		std::printf("module: not loaded (no generic netlink family " ICMPT_GENL_NAME ")\n");
		return kExitNoDevice;
	}
	KernelConfig c = ctl->get_config();
	std::printf("module: loaded, generic netlink family " ICMPT_GENL_NAME
		    " version %u, record ABI %u\n",
		    c.genl_version, c.abi_version);
	if (c.genl_version != ICMPT_GENL_VERSION || c.abi_version != ICMPT_ABI_VERSION)
		std::printf("warning: this reader speaks family version %u, ABI %u\n",
			    ICMPT_GENL_VERSION, ICMPT_ABI_VERSION);
	std::printf("tracing: %s\n", c.enabled ? "enabled" : "disabled");
	std::printf("rings: %u x %llu KiB, records of %u bytes\n", c.nr_rings,
		    (unsigned long long)(c.ring_size / 1024), c.event_size);
	if (c.snaplen)
		std::printf("packet bytes: up to %u per record\n", *c.snaplen);
	try {
		FilterState f = ctl->get_filter();
		if (f.reader_pid)
			std::printf("readers: 1 (pid %u)\n", f.reader_pid);
		else
			std::printf("readers: 0\n");
		if (f.active)
			std::printf("filter: %s (session of pid %u, netlink port %u)\n",
				    describe_filter(f.spec).c_str(), f.owner_pid, f.owner_portid);
		if (f.spec.tree)
			std::printf("tree: %u processes, %llu forks not followed (set full)\n",
				    f.tree_members, (unsigned long long)f.tree_untracked);
		if (!f.active)
			std::printf("filter: none\n");
	} catch (const Error &e) {
		if (e.code() != kExitPermission)
			throw;
		std::printf("readers: %u\n", c.readers);
		std::printf("filter: %s (details need CAP_NET_ADMIN)\n",
			    c.filter_active ? "set" : "none");
	}
	return kExitOk;
}

// The command's code once its output is out: a lost answer (a full disk, a
// closed stdout) is an error; a reader that left (EPIPE, with SIGPIPE
// ignored) ends us quietly, as it does a trace.
int finish_stdout(int code)
{
	if (std::fflush(stdout) == 0 && !std::ferror(stdout))
		return code;
	if (errno == EPIPE)
		return code;
	std::fprintf(stderr, "icmptrace: %s\n",
		     errno_message("writing standard output", errno).c_str());
	return kExitRuntime;
}

int run_command(const std::vector<std::string> &args)
{
	try {
		const std::string &cmd = args.at(0);
		// "icmptrace status --help": the usage, as for the trace itself.
		if (args.size() == 2 && (args[1] == "--help" || args[1] == "-h")) {
			std::fputs(kControlUsage, stdout);
			return kExitOk;
		}
		if (cmd == "stats")
			return stats(args);
		if (args.size() > 1) {
			std::fprintf(stderr, "icmptrace: %s: unexpected argument '%s'\n%s",
				     cmd.c_str(), args[1].c_str(), kControlUsage);
			return kExitUsage;
		}
		if (cmd == "status")
			return status();
		Control ctl;
		ctl.set_enabled(cmd == "enable");
		return kExitOk;
	} catch (const std::exception &e) {
		return report_error(e);
	}
}

} // namespace

bool is_control_command(const std::string &arg)
{
	return arg == "stats" || arg == "status" || arg == "enable" || arg == "disable";
}

int run_control_command(const std::vector<std::string> &args)
{
	// Checked after the command, when its netlink socket is closed.
	return finish_stdout(run_command(args));
}

} // namespace icmptrace
