// Scratch files for the tests: a FILE that closes itself, and a temporary
// directory removed with what the test left in it.
#pragma once

#include <stdlib.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>

namespace icmptrace::test {

struct FileCloser {
	void operator()(FILE *f) const { std::fclose(f); }
};
using File = std::unique_ptr<FILE, FileCloser>;

struct TempDir {
	std::string path;
	explicit TempDir(const char *prefix = "icmpt-test")
	{
		std::string t = std::string("/tmp/") + prefix + "-XXXXXX";
		if (!mkdtemp(t.data()))
			throw std::runtime_error("mkdtemp " + t);
		path = t;
	}
	~TempDir()
	{
		const std::string cmd = "rm -rf '" + path + "'";
		if (std::system(cmd.c_str()) != 0)
			std::fprintf(stderr, "# could not remove %s\n", path.c_str());
	}
	TempDir(const TempDir &) = delete;
	TempDir &operator=(const TempDir &) = delete;
	std::string operator/(const char *name) const { return path + "/" + name; }
};

} // namespace icmptrace::test
