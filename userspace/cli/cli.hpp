// Everything main() does, callable from tests: parse, open, trace, report.
#pragma once

#include <string>
#include <vector>

namespace icmptrace {

// args excludes argv[0].  Returns the process exit code (exit_codes.hpp).
int run_cli(const std::vector<std::string> &args);

} // namespace icmptrace
