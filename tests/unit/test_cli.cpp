// Argument parsing, exit codes of run_cli, and device info validation.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "control/control.hpp"
#include "ring/device.hpp"
#include "util/error.hpp"
#include "util/exit_codes.hpp"
#include "cli/options.hpp"
#include "cli_child.hpp"
#include "scratch.hpp"
// Last: cmocka defines macros (fail, skip) that clash with the C++ library.
#include "cmocka_includes.hpp"

using namespace icmptrace;
using icmptrace::test::run_cli_child;
using icmptrace::test::ChildResult;
using icmptrace::test::File;
using icmptrace::test::TempDir;
using Args = std::vector<std::string>;

namespace {

void test_defaults(void **)
{
	ParsedArgs p = parse_args({});
	assert_int_equal(p.action, ParsedArgs::Action::Run);
	assert_string_equal(p.options.device.c_str(), "/dev/icmptrace");
	assert_int_equal(p.options.format, OutputFormat::Text);
	assert_false(p.options.count.has_value());
	assert_false(p.options.timeout.has_value());
	assert_false(p.options.backlog);
}

void test_all_options(void **)
{
	ParsedArgs p = parse_args({"-c", "5", "-t", "2.5", "-d", "/tmp/x", "--json", "--backlog"});
	assert_int_equal(p.action, ParsedArgs::Action::Run);
	assert_int_equal(*p.options.count, 5);
	assert_int_equal(p.options.timeout->count(), 2500);
	assert_string_equal(p.options.device.c_str(), "/tmp/x");
	assert_int_equal(p.options.format, OutputFormat::Json);
	assert_true(p.options.backlog);

	p = parse_args({"--count=7", "--timeout=1", "--device=/d", "--format=kv"});
	assert_int_equal(p.action, ParsedArgs::Action::Run);
	assert_int_equal(*p.options.count, 7);
	assert_int_equal(p.options.timeout->count(), 1000);
	assert_string_equal(p.options.device.c_str(), "/d");
	assert_int_equal(p.options.format, OutputFormat::Kv);

	assert_int_equal(parse_args({"-t", ".5"}).options.timeout->count(), 500);
	assert_int_equal(parse_args({"-t", "2."}).options.timeout->count(), 2000);
	p = parse_args({"-c3", "--format", "text", "--timeout", "0.001"});
	assert_int_equal(*p.options.count, 3);
	assert_int_equal(p.options.format, OutputFormat::Text);
	assert_int_equal(p.options.timeout->count(), 1);

	assert_int_equal(parse_args({"-h"}).action, ParsedArgs::Action::Help);
	assert_int_equal(parse_args({"--json", "--help"}).action, ParsedArgs::Action::Help);
}

void test_usage_errors(void **)
{
	const struct {
		Args args;
		const char *error;
	} cases[] = {
		{{"-x"}, "unknown option '-x'"},
		{{"--bogus"}, "unknown option '--bogus'"},
		{{"extra"}, "unexpected argument 'extra'"},
		{{"-c"}, "option '-c' needs a value"},
		{{"-c", "0"}, "invalid count '0': expected 1 to 2^64-1"},
		{{"-c", "-1"}, "invalid count '-1': expected 1 to 2^64-1"},
		{{"-c", "1x"}, "invalid count '1x': expected 1 to 2^64-1"},
		{{"-c", "99999999999999999999999"},
		 "invalid count '99999999999999999999999': expected 1 to 2^64-1"},
		{{"-t", "0"}, "invalid timeout '0': expected seconds, 0.001 to 1000000000"},
		{{"--timeout=abc"}, "invalid timeout 'abc': expected seconds, 0.001 to 1000000000"},
		{{"-t", "nan"}, "invalid timeout 'nan': expected seconds, 0.001 to 1000000000"},
		{{"-t", "-3"}, "invalid timeout '-3': expected seconds, 0.001 to 1000000000"},
		// What strtod would take beyond digits and one point.
		{{"-t", " 5"}, "invalid timeout ' 5': expected seconds, 0.001 to 1000000000"},
		{{"-t", "0x10"}, "invalid timeout '0x10': expected seconds, 0.001 to 1000000000"},
		{{"-t", "1e3"}, "invalid timeout '1e3': expected seconds, 0.001 to 1000000000"},
		{{"-t", "+2"}, "invalid timeout '+2': expected seconds, 0.001 to 1000000000"},
		{{"-t", "."}, "invalid timeout '.': expected seconds, 0.001 to 1000000000"},
		{{"-t", "0.0001"}, "invalid timeout '0.0001': expected seconds, 0.001 to 1000000000"},
		{{"-t", "1000000001"},
		 "invalid timeout '1000000001': expected seconds, 0.001 to 1000000000"},
		{{"-t", "1.2.3"}, "invalid timeout '1.2.3': expected seconds, 0.001 to 1000000000"},
		{{"-w", "f", "-C", "1e1"}, "invalid file size '1e1': expected megabytes > 0"},
		{{"-w", "f", "-C", "0x1"}, "invalid file size '0x1': expected megabytes > 0"},
		{{"--format", "xml"}, "invalid format 'xml': expected text, json, kv or ecs"},
		{{"--format"}, "option '--format' needs a value"},
		{{"--json=yes"}, "option '--json' takes no value"},
		{{"-d", ""}, "empty device path"},
	};
	for (const auto &c : cases) {
		ParsedArgs p = parse_args(c.args);
		assert_int_equal(p.action, ParsedArgs::Action::UsageError);
		assert_string_equal(p.error.c_str(), c.error);
	}
}

// A help text that could not be written is a failure, not exit 0.
void test_help_to_full_disk(void **)
{
	assert_int_equal(run_cli_child({"--help"}, "/dev/null").status, 0);
	ChildResult r = run_cli_child({"--help"}, "/dev/full");
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err.c_str(), "No space left on device"));
}

// --version: the VERSION file's number, and the ABI this reader reads; a
// full stdout is a failure, as for --help.
void test_version(void **)
{
	FILE *f = std::fopen(TESTDATA_DIR "/../../../VERSION", "r");
	assert_non_null(f);
	char v[64] = "";
	assert_non_null(std::fgets(v, sizeof(v), f));
	std::fclose(f);
	v[std::strcspn(v, "\n")] = '\0';
	const std::string want = std::string("icmptrace ") + v + " (record ABI " +
				 std::to_string(ICMPT_ABI_VERSION) + ", ";
	assert_true(version_text().rfind(want, 0) == 0);
	for (const char *a : {"--version", "-V"})
		assert_int_equal(parse_args({a}).action, ParsedArgs::Action::Version);
	assert_int_equal(parse_args({"--version=x"}).action, ParsedArgs::Action::UsageError);
	assert_int_equal(run_cli_child({"--version"}, "/dev/null").status, 0);
	ChildResult r = run_cli_child({"--version"}, "/dev/full");
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err.c_str(), "No space left on device"));
}

// A control command whose answer cannot be written says so and exits 1 (it
// exited 0, or 3 after "module: not loaded", in silence); a reader that left
// ends it quietly.  With no module here, status still has a line to write.
void test_control_output_errors(void **)
{
	for (const Args &args : {Args{"status"}, Args{"stats", "--help"}, Args{"status", "--help"}}) {
		ChildResult r = run_cli_child(args, "/dev/full");
		assert_int_equal(r.status, 1);
		assert_non_null(strstr(r.err.c_str(),
				       "icmptrace: writing standard output: No space left on device"));
		r = run_cli_child(args, icmptrace::test::kStdoutClosed);
		assert_int_equal(r.status, 1);
		assert_non_null(strstr(r.err.c_str(), "writing standard output: Bad file descriptor"));
	}
	int p[2];
	assert_int_equal(pipe(p), 0);
	close(p[0]);
	sighandler_t old = ::signal(SIGPIPE, SIG_IGN);
	ChildResult r = run_cli_child({"status", "--help"}, p[1]);
	::signal(SIGPIPE, old);
	close(p[1]);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err.c_str(), "");
}

// A kernel error names what the command did and, for EPERM, what it needs
// (it said "icmptrace netlink command 2: Operation not permitted").
void test_command_error_messages(void **)
{
	Error e = command_error("enable", EPERM, "");
	assert_int_equal(e.code(), kExitPermission);
	assert_string_equal(e.what(), "enable: Operation not permitted (needs CAP_NET_ADMIN)");
	e = command_error("setting the filter", EACCES, "no such netns");
	assert_int_equal(e.code(), kExitPermission);
	assert_string_equal(e.what(), "setting the filter: Permission denied (no such netns; "
				      "needs CAP_NET_ADMIN)");
	e = command_error("setting the filter", EBUSY, "");
	assert_int_equal(e.code(), kExitBusy);
	assert_string_equal(e.what(), "setting the filter: Device or resource busy");
	e = command_error("reading the counters", EINVAL, "bad attribute");
	assert_int_equal(e.code(), kExitRuntime);
	assert_string_equal(e.what(), "reading the counters: Invalid argument (bad attribute)");
}

// stats --format with a format it lacks says so, before any netlink.  (It
// said "unexpected argument '--format'".)
void test_stats_format_message(void **)
{
	ChildResult r = run_cli_child({"stats", "--format", "json"}, "/dev/null");
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err.c_str(), "invalid format 'json': expected text or kv"));
	r = run_cli_child({"stats", "--format"}, "/dev/null");
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err.c_str(), "--format needs a value"));
	r = run_cli_child({"stats", "--bogus"}, "/dev/null");
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err.c_str(), "unexpected argument '--bogus'"));
	// Each control command's --help is its usage, with no module asked
	// (the trial's find: "status --help" was an error).
	for (const char *cmd : {"stats", "status", "enable", "disable"}) {
		r = run_cli_child({cmd, "--help"}, "/dev/null");
		assert_int_equal(r.status, 0);
		assert_string_equal(r.err.c_str(), "");
	}
}

// A mistyped -d path is not blamed on the module; the default path is.
void test_missing_device_message(void **)
{
	ChildResult r = run_cli_child({"-d", "/nonexistent/icmptrace"}, "/dev/null");
	assert_int_equal(r.status, 3);
	assert_non_null(strstr(r.err.c_str(), "/nonexistent/icmptrace"));
	assert_null(strstr(r.err.c_str(), "module"));
}

// A -d path that is no character device is named as such and exits 3 (a
// file exited 6, "ABI mismatch"; a directory 1), before any netlink.
void test_device_not_chardev(void **)
{
	TempDir dir;
	const std::string file = dir / "file";
	File(std::fopen(file.c_str(), "w"));
	for (const std::string &path : {file, dir.path}) {
		ChildResult r = run_cli_child({"-d", path, "-t", "1"}, "/dev/null");
		assert_int_equal(r.status, 3);
		assert_string_equal(r.err.c_str(), ("icmptrace: " + path + " is not a character "
						    "device: not the icmptrace device\n").c_str());
	}
}

void test_exit_codes(void **)
{
	assert_int_equal(run_cli({"-x"}), 2);
	assert_int_equal(run_cli({"--format", "yaml"}), 2);
	assert_int_equal(run_cli({"-c", "0"}), 2);
	assert_int_equal(run_cli({"stray"}), 2);
	// The device checks: missing path, and a file that is no icmptrace device.
	assert_int_equal(run_cli({"-d", "/nonexistent/icmptrace"}), 3);
	assert_int_equal(run_cli({"-d", "/dev/null", "-c", "1"}), 6);
	// The numbers themselves are an interface (documented in --help).
	assert_int_equal(kExitOk, 0);
	assert_int_equal(kExitRuntime, 1);
	assert_int_equal(kExitUsage, 2);
	assert_int_equal(kExitNoDevice, 3);
	assert_int_equal(kExitPermission, 4);
	assert_int_equal(kExitBusy, 5);
	assert_int_equal(kExitAbi, 6);
	std::string help = help_text();
	for (const char *line : {"  2  wrong option", "  3  device not found", "  4  permission denied",
				 "  5  device busy", "  6  ABI mismatch"})
		assert_true(help.find(line) != std::string::npos);
}

icmpt_info good_info()
{
	icmpt_info i{};
	i.abi_version = ICMPT_ABI_VERSION;
	i.nr_rings = 4;
	i.page_size = 4096;
	i.event_size = sizeof(icmpt_event);
	i.data_size = 1 << 20;
	i.ring_stride = 2 * 4096 + 2 * (1 << 20);
	return i;
}

ExitCode validate_code(const icmpt_info &info)
{
	try {
		validate_info(info, 4096);
	} catch (const Error &e) {
		return e.code();
	}
	return kExitOk;
}

void test_validate_info(void **)
{
	assert_int_equal(validate_code(good_info()), kExitOk);
	icmpt_info i = good_info();
	i.abi_version = ICMPT_ABI_VERSION + 1;
	assert_int_equal(validate_code(i), kExitAbi);
	i = good_info();
	i.page_size = 65536;
	assert_int_equal(validate_code(i), kExitAbi);
	i = good_info();
	i.nr_rings = 0;
	assert_int_equal(validate_code(i), kExitAbi);
	i = good_info();
	i.data_size = 3 * 4096;	// not a power of two
	i.ring_stride = 2 * 4096 + 2 * i.data_size;
	assert_int_equal(validate_code(i), kExitAbi);
	i = good_info();
	i.data_size = 2048;	// below a page
	i.ring_stride = 2 * 4096 + 2 * i.data_size;
	assert_int_equal(validate_code(i), kExitAbi);
	i = good_info();
	i.ring_stride += 4096;
	assert_int_equal(validate_code(i), kExitAbi);
	i = good_info();
	i.event_size = 4;
	assert_int_equal(validate_code(i), kExitAbi);
	i = good_info();
	i.event_size = 100;	// not 8-aligned
	assert_int_equal(validate_code(i), kExitAbi);
	// A module with a bigger (newer) or smaller (older) event is fine.
	i = good_info();
	i.event_size = sizeof(icmpt_event) + 64;
	assert_int_equal(validate_code(i), kExitOk);
	i.event_size = 192;
	assert_int_equal(validate_code(i), kExitOk);
}

} // namespace

int main()
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_all_options),
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_exit_codes),
		cmocka_unit_test(test_help_to_full_disk),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_control_output_errors),
		cmocka_unit_test(test_command_error_messages),
		cmocka_unit_test(test_stats_format_message),
		cmocka_unit_test(test_missing_device_message),
		cmocka_unit_test(test_device_not_chardev),
		cmocka_unit_test(test_validate_info),
	};
	return cmocka_run_group_tests_name("cli", tests, nullptr, nullptr);
}
