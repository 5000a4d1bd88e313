// `icmptrace -- COMMAND`: the command, started held so that the kernel's
// process-tree filter names it before it can send or fork anything, run as
// the invoking user, and reaped with a shell's exit status.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "util/unique_fd.hpp"

namespace icmptrace {

// The credentials the command runs with.
struct RunAs {
	uid_t uid = 0;
	gid_t gid = 0;
	std::vector<gid_t> groups;	// supplementary groups
	std::string name;		// for messages
};

// Where the command's user comes from: --user NAME|UID if given; else,
// when we run as root under sudo, SUDO_UID/SUDO_GID (with SUDO_USER's
// groups); else none (the command keeps our credentials).  Bad values:
// Error(kExitUsage).  The sudo_* are the environment's values or null.
std::optional<RunAs> resolve_run_as(const std::string &user, bool root, const char *sudo_uid,
				    const char *sudo_gid, const char *sudo_user);

// A wait(2) status as a shell reports it: the exit code, or 128+N for a
// signal N.
int shell_status(int wait_status);

class Command {
public:
	// Forks; the child waits until release() (or exits 1 if we go first),
	// then takes `as` and execs argv[0] searched in PATH.  Exec failure:
	// a message and exit 127 (not found) or 126 (found, not runnable).
	Command(const std::vector<std::string> &argv, const std::optional<RunAs> &as);
	// A child still held or running is killed (SIGKILL, with every process
	// below it) and reaped.
	~Command();
	Command(const Command &) = delete;
	Command &operator=(const Command &) = delete;

	pid_t pid() const { return pid_; }
	void release();
	// Reaps it (and any orphan of its tree) without blocking; true once it
	// has ended.
	bool poll_exit();
	bool exited() const { return status_.has_value(); }
	int status() const { return status_.value_or(0); }	// shell_status()
	void signal(int sig) const;
	// SIGTERM to the command and every process below it, then SIGKILL to
	// what is left after grace_ms (the command's end ends the wait);
	// returns the command's status.
	int terminate(int grace_ms);

private:
	void kill_tree(int sig) const;

	pid_t pid_ = -1;
	UniqueFd gate_;	// write end: one byte lets the child exec
	std::optional<int> status_;
};

} // namespace icmptrace
