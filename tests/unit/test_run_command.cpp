// icmptrace -- COMMAND: its arguments, whose credentials the command gets,
// and the command's life (held until released, shell exit statuses).
#include <pwd.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli/options.hpp"
#include "cli/run_command.hpp"
#include "util/error.hpp"
// Last: cmocka defines macros (fail, skip) that clash with the C++ library.
#include "cmocka_includes.hpp"

using namespace icmptrace;
using Args = std::vector<std::string>;

namespace {

void test_dashdash(void **)
{
	ParsedArgs p = parse_args({"--json", "--", "ping", "-c", "3", "--", "x"});
	assert_int_equal(p.action, ParsedArgs::Action::Run);
	assert_true(p.options.format == OutputFormat::Json);
	// Everything after the first --, options of ours included, is the command's.
	assert_true((p.options.command == Args{"ping", "-c", "3", "--", "x"}));

	p = parse_args({"--", "--help"});
	assert_int_equal(p.action, ParsedArgs::Action::Run);
	assert_true((p.options.command == Args{"--help"}));

	// A value that reads "--" is the option's, not the separator.
	p = parse_args({"-o", "--", "--", "true"});
	assert_int_equal(p.action, ParsedArgs::Action::Run);
	assert_string_equal(p.options.output.c_str(), "--");
	assert_true((p.options.command == Args{"true"}));

	p = parse_args({"-c", "2"});
	assert_true(p.options.command.empty());

	p = parse_args({"--pid", "1", "--"});
	assert_int_equal(p.action, ParsedArgs::Action::UsageError);
	assert_non_null(strstr(p.error.c_str(), "COMMAND"));
}

void test_user_option(void **)
{
	ParsedArgs p = parse_args({"--user", "nobody", "--", "id"});
	assert_int_equal(p.action, ParsedArgs::Action::Run);
	assert_string_equal(p.options.user.c_str(), "nobody");
	p = parse_args({"-unobody", "--", "id"});
	assert_string_equal(p.options.user.c_str(), "nobody");
	p = parse_args({"--user=0", "--", "id"});
	assert_string_equal(p.options.user.c_str(), "0");

	p = parse_args({"--user", "nobody"});
	assert_int_equal(p.action, ParsedArgs::Action::UsageError);
	assert_non_null(strstr(p.error.c_str(), "--user goes with -- COMMAND"));
	p = parse_args({"--user=", "--", "id"});
	assert_int_equal(p.action, ParsedArgs::Action::UsageError);
	// After --, --user is the command's.
	p = parse_args({"--", "id", "--user", "nobody"});
	assert_int_equal(p.action, ParsedArgs::Action::Run);
	assert_true(p.options.user.empty());
}

void test_run_as(void **)
{
	// Not under sudo, or not root: the command keeps our credentials.
	assert_false(resolve_run_as("", true, nullptr, nullptr, nullptr).has_value());
	assert_false(resolve_run_as("", false, "1000", "1000", "someone").has_value());

	auto as = resolve_run_as("", true, "1234", "5678", nullptr);
	assert_true(as.has_value());
	assert_int_equal(as->uid, 1234);
	assert_int_equal(as->gid, 5678);
	assert_true((as->groups == std::vector<gid_t>{5678}));

	// SUDO_USER's groups, as login gives them: root's include gid 0.
	as = resolve_run_as("", true, "0", "0", "root");
	assert_true(as.has_value());
	assert_int_equal(as->uid, 0);
	assert_true(!as->groups.empty() && as->groups[0] == 0);

	// --user wins over sudo; a name or a uid.
	const passwd *nobody = getpwnam("nobody");
	assert_non_null(nobody);
	as = resolve_run_as("nobody", true, "1234", "5678", "x");
	assert_int_equal(as->uid, nobody->pw_uid);
	assert_int_equal(as->gid, nobody->pw_gid);
	assert_string_equal(as->name.c_str(), "nobody");
	as = resolve_run_as(std::to_string(nobody->pw_uid), false, nullptr, nullptr, nullptr);
	assert_string_equal(as->name.c_str(), "nobody");

	for (const char *bad : {"no-such-user-xyz", "4294967295x"}) {
		try {
			resolve_run_as(bad, true, nullptr, nullptr, nullptr);
			fail_msg("no error for --user %s", bad);
		} catch (const Error &e) {
			assert_int_equal(e.code(), kExitUsage);
		}
	}
	try {
		resolve_run_as("", true, "12x", "1", nullptr);
		fail_msg("no error for SUDO_UID=12x");
	} catch (const Error &e) {
		assert_int_equal(e.code(), kExitUsage);
	}
	try {
		resolve_run_as("", true, "12", nullptr, nullptr);
		fail_msg("no error without SUDO_GID");
	} catch (const Error &e) {
		assert_int_equal(e.code(), kExitUsage);
	}
}

int run(const Args &argv)
{
	Command c(argv, std::nullopt);
	c.release();
	while (!c.poll_exit())
		usleep(1000);
	return c.status();
}

void test_statuses(void **)
{
	assert_int_equal(run({"true"}), 0);
	assert_int_equal(run({"sh", "-c", "exit 3"}), 3);
	assert_int_equal(run({"sh", "-c", "kill -TERM $$"}), 128 + SIGTERM);
	assert_int_equal(run({"sh", "-c", "kill -KILL $$"}), 128 + SIGKILL);
	// As a shell says it: not found 127, found but not runnable 126.
	assert_int_equal(run({"/nonexistent/icmptrace-test"}), 127);
	assert_int_equal(run({"no-such-command-icmptrace-test"}), 127);
	char path[] = "/tmp/icmpt-noexec-XXXXXX";
	int fd = mkstemp(path);	// mode 0600: not executable
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(run({path}), 126);
	unlink(path);
	// PATH search.
	assert_int_equal(run({"test", "1", "=", "1"}), 0);
	assert_int_equal(run({"test", "1", "=", "2"}), 1);
}

void test_held_until_released(void **)
{
	char path[] = "/tmp/icmpt-run-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	const std::string touch = std::string("touch ") + path;
	{
		// Never released: killed and reaped, it never ran.
		Command c({"sh", "-c", touch}, std::nullopt);
		usleep(100000);
		assert_false(c.poll_exit());
	}
	assert_int_not_equal(access(path, F_OK), 0);
	// Released: it runs.
	assert_int_equal(run({"sh", "-c", touch}), 0);
	assert_int_equal(access(path, F_OK), 0);
	unlink(path);
}

void test_terminate(void **)
{
	Command c({"sleep", "30"}, std::nullopt);
	c.release();
	assert_int_equal(c.terminate(2000), 128 + SIGTERM);
	// One that ignores SIGTERM is killed after the grace (its sleeps die
	// at the SIGTERM to the tree; the loop starts another).
	Command d({"sh", "-c", "trap '' TERM; while :; do sleep 1; done"}, std::nullopt);
	d.release();
	usleep(200000);
	assert_int_equal(d.terminate(200), 128 + SIGKILL);
}

// -t, -c or a closed output stop the tree the trace followed, not only the
// command: a child it waits for, and an orphan (its parent gone, it is ours
// as subreaper) die with it.  (They were left running.)
void test_terminate_stops_the_tree(void **)
{
	char path[] = "/tmp/icmpt-tree-XXXXXX";
	const int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	const std::string script = std::string("sleep 30 & echo $! >") + path +
				   "; (sleep 30 & echo $! >>" + path + "); sleep 30";
	Command c({"sh", "-c", script}, std::nullopt);
	c.release();
	std::vector<pid_t> pids;
	for (int i = 0; i < 200 && pids.size() < 2; ++i) {
		usleep(10000);
		pids.clear();
		FILE *f = std::fopen(path, "r");
		for (int p; f && std::fscanf(f, "%d", &p) == 1;)
			pids.push_back(p);
		if (f)
			std::fclose(f);
	}
	unlink(path);
	assert_int_equal(pids.size(), 2);
	assert_int_equal(c.terminate(2000), 128 + SIGTERM);
	for (pid_t p : pids) {
		bool gone = false;
		for (int i = 0; i < 100 && !gone; ++i) {
			c.poll_exit();	// reaps the orphan once it is dead
			gone = kill(p, 0) != 0 && errno == ESRCH;
			if (!gone)
				usleep(10000);
		}
		assert_true(gone);
	}
}

void test_signal_mask_reset(void **)
{
	// The reader blocks SIGTERM for its signalfd; the command must not.
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	int st = run({"sh", "-c", "kill -TERM $$; exit 0"});
	sigprocmask(SIG_SETMASK, &old, nullptr);
	assert_int_equal(st, 128 + SIGTERM);
}

} // namespace

int main()
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dashdash),
		cmocka_unit_test(test_user_option),
		cmocka_unit_test(test_run_as),
		cmocka_unit_test(test_statuses),
		cmocka_unit_test(test_held_until_released),
		cmocka_unit_test(test_terminate),
		cmocka_unit_test(test_terminate_stops_the_tree),
		cmocka_unit_test(test_signal_mask_reset),
	};
	return cmocka_run_group_tests_name("run_command", tests, nullptr, nullptr);
}
