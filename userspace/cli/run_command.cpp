#include "cli/run_command.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>

#include "control/filter_spec.hpp"
#include "util/error.hpp"
#include "util/unique_fd.hpp"

namespace icmptrace {
namespace {

// Supplementary groups of user (with gid), as login would set them.
std::vector<gid_t> groups_of(const std::string &user, gid_t gid)
{
	if (user.empty())
		return {gid};
	int n = 32;
	std::vector<gid_t> g;
	for (int tries = 0; tries < 8; ++tries) {
		g.resize(static_cast<size_t>(n));
		int want = n;
		if (getgrouplist(user.c_str(), gid, g.data(), &want) >= 0) {
			g.resize(static_cast<size_t>(want));
			return g;
		}
		n = want > n ? want : n * 2;
	}
	throw Error(kExitRuntime, "cannot list the groups of user '" + user + "'");
}

uint32_t id_value(const char *s, const char *what)
{
	try {
		return parse_u32(s, what);
	} catch (const FilterError &e) {
		throw Error(kExitUsage, e.what());
	}
}

// A fork bomb must not keep a tree kill walking.
constexpr size_t kMaxTree = 65536;

// Every process below pid: the children files of its threads, then of
// theirs (Linux's /proc/PID/task/TID/children).
std::vector<pid_t> descendants(pid_t pid)
{
	std::vector<pid_t> out, todo{pid};
	while (!todo.empty() && out.size() < kMaxTree) {
		const std::string dir = "/proc/" + std::to_string(todo.back()) + "/task";
		todo.pop_back();
		UniqueDir d(::opendir(dir.c_str()));
		if (!d)
			continue;	// gone meanwhile
		while (const dirent *e = ::readdir(d.get())) {
			if (e->d_name[0] == '.')
				continue;
			std::ifstream f(dir + "/" + e->d_name + "/children");
			for (long p; f >> p && out.size() < kMaxTree;) {
				out.push_back(static_cast<pid_t>(p));
				todo.push_back(static_cast<pid_t>(p));
			}
		}
	}
	return out;
}

} // namespace

std::optional<RunAs> resolve_run_as(const std::string &user, bool root, const char *sudo_uid,
				    const char *sudo_gid, const char *sudo_user)
{
	RunAs as;
	if (!user.empty()) {
		const passwd *pw = getpwnam(user.c_str());
		if (!pw && user.find_first_not_of("0123456789") == std::string::npos)
			pw = getpwuid(id_value(user.c_str(), "uid"));
		if (!pw)
			throw Error(kExitUsage, "--user: no user '" + user + "'");
		as.uid = pw->pw_uid;
		as.gid = pw->pw_gid;
		as.name = pw->pw_name;
		as.groups = groups_of(as.name, as.gid);
		return as;
	}
	// Under sudo, run the command as whoever ran sudo, not as root.
	if (!root || !sudo_uid || !*sudo_uid)
		return std::nullopt;
	as.uid = id_value(sudo_uid, "SUDO_UID");
	if (!sudo_gid || !*sudo_gid)
		throw Error(kExitUsage, "SUDO_UID is set but SUDO_GID is not");
	as.gid = id_value(sudo_gid, "SUDO_GID");
	as.name = sudo_user && *sudo_user ? sudo_user : "uid " + std::to_string(as.uid);
	as.groups = groups_of(sudo_user ? sudo_user : "", as.gid);
	return as;
}

int shell_status(int st)
{
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

Command::Command(const std::vector<std::string> &argv, const std::optional<RunAs> &as)
{
	if (argv.empty())
		throw Error(kExitUsage, "no COMMAND after --");
	// Everything the child needs is built here: it only makes syscalls.
	std::vector<char *> args;
	for (const std::string &a : argv)
		args.push_back(const_cast<char *>(a.c_str()));
	args.push_back(nullptr);
	// The command's orphans (a shell's background job when the shell
	// ends) become our children, not init's: a tree kill still finds
	// them, and we reap them.
	::prctl(PR_SET_CHILD_SUBREAPER, 1);
	int gate[2];
	if (::pipe2(gate, O_CLOEXEC))
		throw Error(kExitRuntime, errno_message("pipe", errno));
	UniqueFd rd(gate[0]);
	gate_.reset(gate[1]);
	pid_ = ::fork();
	if (pid_ < 0)
		throw Error(kExitRuntime, errno_message("fork", errno));
	if (pid_ > 0)
		return;

	// The child: our signal mask and ignored SIGPIPE would outlive exec.
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, nullptr);
	::signal(SIGPIPE, SIG_DFL);
	gate_.reset();
	char go;
	ssize_t n;
	while ((n = ::read(rd.get(), &go, 1)) < 0 && errno == EINTR)
		;
	if (n != 1)
		_exit(1);	// the reader gave up before releasing us
	if (as && (::setgroups(as->groups.size(), as->groups.data()) || ::setgid(as->gid) ||
		   ::setuid(as->uid))) {
		std::fprintf(stderr, "icmptrace: cannot run as %s: %s\n", as->name.c_str(),
			     std::strerror(errno));
		_exit(126);
	}
	::execvp(args[0], args.data());
	const int err = errno;
	std::fprintf(stderr, "icmptrace: %s: %s\n", args[0], std::strerror(err));
	_exit(err == ENOENT ? 127 : 126);
}

Command::~Command()
{
	if (pid_ <= 0 || status_)
		return;
	kill_tree(SIGKILL);
	int st;
	while (::waitpid(pid_, &st, 0) < 0 && errno == EINTR)
		;
	poll_exit();	// the orphans
}

// Our only children are the command and its orphans: every process below
// us is the tree the trace followed.
void Command::kill_tree(int sig) const
{
	if (!status_)
		::kill(pid_, sig);
	for (pid_t p : descendants(::getpid()))
		if (p != pid_)
			::kill(p, sig);
}

void Command::release()
{
	ssize_t n;
	while ((n = ::write(gate_.get(), "g", 1)) < 0 && errno == EINTR)
		;
	gate_.reset();
	if (n != 1)
		throw Error(kExitRuntime, errno_message("starting the command", errno));
}

bool Command::poll_exit()
{
	// Every child: the command, and the orphans we reap as subreaper.
	int st;
	for (pid_t r; (r = ::waitpid(-1, &st, WNOHANG)) > 0;)
		if (r == pid_)
			status_ = shell_status(st);
	return status_.has_value();
}

void Command::signal(int sig) const
{
	if (!status_)
		::kill(pid_, sig);
}

int Command::terminate(int grace_ms)
{
	kill_tree(SIGTERM);
	for (int waited = 0; !poll_exit() && waited < grace_ms; waited += 10)
		::usleep(10000);
	// What is left of the tree (the command too, if it held on).
	kill_tree(SIGKILL);
	if (!status_) {
		int st;
		while (::waitpid(pid_, &st, 0) < 0 && errno == EINTR)
			;
		status_ = shell_status(st);
	}
	poll_exit();	// the orphans just killed, as far as they are gone
	return *status_;
}

} // namespace icmptrace
