// icmptrace: print the ICMP packets recorded by the icmptrace kernel module.
#include <string>
#include <vector>

#include "cli/cli.hpp"

int main(int argc, char **argv)
{
	std::vector<std::string> args(argv + 1, argv + argc);
	return icmptrace::run_cli(args);
}
