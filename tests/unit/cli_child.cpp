#include "cli_child.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.hpp"
#include "util/unique_fd.hpp"
// Last: cmocka defines macros (fail, skip) that clash with the C++ library.
#include "cmocka_includes.hpp"

namespace icmptrace::test {

ChildResult run_cli_child(const std::vector<std::string> &args, int out_fd)
{
	int pfd[2];
	assert_int_equal(pipe(pfd), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (out_fd == kStdoutClosed)
			close(STDOUT_FILENO);
		else if (out_fd < 0 || dup2(out_fd, STDOUT_FILENO) < 0)
			_exit(99);
		if (dup2(pfd[1], STDERR_FILENO) < 0)
			_exit(99);
		_exit(run_cli(args));
	}
	close(pfd[1]);
	std::string err;
	char buf[512];
	ssize_t n;
	while ((n = read(pfd[0], buf, sizeof(buf))) > 0)
		err.append(buf, static_cast<size_t>(n));
	close(pfd[0]);
	int ws = 0;
	assert_int_equal(waitpid(pid, &ws, 0), pid);
	assert_true(WIFEXITED(ws));
	return {WEXITSTATUS(ws), err};
}

ChildResult run_cli_child(const std::vector<std::string> &args, const char *out_path)
{
	UniqueFd out(open(out_path, O_WRONLY | O_CLOEXEC));
	return run_cli_child(args, out.get());
}

} // namespace icmptrace::test
