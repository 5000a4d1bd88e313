// run_cli in a forked child, for tests of what the whole program writes and
// returns: its stdout is a file or a descriptor the test chose, its stderr
// is captured.
#pragma once

#include <string>
#include <vector>

namespace icmptrace::test {

struct ChildResult {
	int status;		// exit status
	std::string err;	// all it wrote to stderr
};

// stdout: out_path opened for writing (not created).
ChildResult run_cli_child(const std::vector<std::string> &args, const char *out_path);
// No stdout at all (">&-"), as out_fd of the call below.
constexpr int kStdoutClosed = -2;
// stdout: out_fd (a pipe whose reader has gone, say); the caller keeps it.
ChildResult run_cli_child(const std::vector<std::string> &args, int out_fd);

} // namespace icmptrace::test
