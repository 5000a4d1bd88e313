#include "cli/output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "util/error.hpp"
#include "util/unique_fd.hpp"

namespace icmptrace {
namespace {

int open_append(const std::string &path)
{
	return ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
}

} // namespace

OutputFile::OutputFile(std::string path) : path_(std::move(path))
{
	int fd = open_append(path_);
	if (fd < 0)
		throw Error(kExitRuntime, errno_message("open " + path_, errno));
	file_.reset(::fdopen(fd, "a"));
	if (!file_) {
		int err = errno;
		::close(fd);
		throw Error(kExitRuntime, errno_message("fdopen " + path_, err));
	}
}

std::pair<uint64_t, uint64_t> OutputFile::id() const
{
	struct stat st;
	if (::fstat(fileno(file_.get()), &st) != 0)
		return {0, 0};
	return {st.st_dev, st.st_ino};
}

std::string OutputFile::reopen()
{
	if (std::fflush(file_.get()) != 0)
		return errno_message("write " + path_, errno);
	UniqueFd fd(open_append(path_));
	if (!fd.valid())
		return errno_message("reopen " + path_, errno);
	// The stream's buffer is empty: only its descriptor changes.
	if (::dup3(fd.get(), ::fileno(file_.get()), O_CLOEXEC) < 0)
		return errno_message("reopen " + path_, errno);
	return "";
}

} // namespace icmptrace
