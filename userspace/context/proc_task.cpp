#include "context/proc_task.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <string>

namespace icmptrace {
namespace {

std::optional<std::string> read_small(int dirfd, const char *name)
{
	UniqueFd fd(::openat(dirfd, name, O_RDONLY | O_CLOEXEC));
	if (!fd.valid())
		return std::nullopt;
	char buf[1024];
	ssize_t n = ::read(fd.get(), buf, sizeof(buf));
	if (n <= 0)
		return std::nullopt;
	return std::string(buf, static_cast<size_t>(n));
}

std::optional<ProcStat> stat_at(int dirfd)
{
	std::optional<std::string> s = read_small(dirfd, "stat");
	return s ? parse_proc_stat(*s) : std::nullopt;
}

} // namespace

std::optional<ProcStat> parse_proc_stat(std::string_view line)
{
	// Fields after comm start at the last ')': comm can contain anything.
	size_t close = line.rfind(')');
	if (close == std::string_view::npos)
		return std::nullopt;
	std::string_view rest = line.substr(close + 1);
	// rest: " state ppid pgrp ..." -> field 3 is index 0 here.
	ProcStat st;
	int field = 2;
	size_t i = 0;
	while (i < rest.size() && field < 22) {
		while (i < rest.size() && rest[i] == ' ')
			++i;
		size_t end = rest.find(' ', i);
		if (end == std::string_view::npos)
			end = rest.size();
		++field;
		std::string_view tok = rest.substr(i, end - i);
		auto parse = [&](auto &out) {
			auto r = std::from_chars(tok.data(), tok.data() + tok.size(), out);
			return r.ec == std::errc() && r.ptr == tok.data() + tok.size();
		};
		if (field == 4 && !parse(st.ppid))
			return std::nullopt;
		if (field == 22 && !parse(st.start_ticks))
			return std::nullopt;
		i = end;
	}
	if (field < 22)
		return std::nullopt;
	return st;
}

uint64_t ticks_to_ns(uint64_t ticks, long ticks_per_sec)
{
	if (ticks_per_sec <= 0)
		return 0;
	return ticks * (1000000000ULL / static_cast<uint64_t>(ticks_per_sec));
}

bool start_matches(uint64_t start_ticks, uint64_t start_ns, long ticks_per_sec)
{
	if (ticks_per_sec <= 0)
		return false;
	const uint64_t rec_ticks = start_ns / (1000000000ULL / static_cast<uint64_t>(ticks_per_sec));
	return rec_ticks + 1 >= start_ticks && start_ticks + 1 >= rec_ticks;
}

long clock_ticks_per_sec()
{
	static const long hz = ::sysconf(_SC_CLK_TCK);
	return hz;
}

std::optional<ProcTask> ProcTask::open(uint32_t pid, uint32_t tid, uint64_t start_ns,
				       const std::string &proc_root)
{
	if (pid == 0 || tid == 0 || start_ns == 0)
		return std::nullopt;
	std::string path = proc_root + "/" + std::to_string(pid) + "/task/" + std::to_string(tid);
	UniqueFd dir(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	if (!dir.valid())
		return std::nullopt;
	std::optional<ProcStat> st = stat_at(dir.get());
	if (!st || !start_matches(st->start_ticks, start_ns, clock_ticks_per_sec()))
		return std::nullopt;
	return ProcTask(std::move(dir));
}

uint64_t ProcTask::ns_inode(const char *name) const
{
	std::string rel = std::string("ns/") + name;
	struct stat st;
	if (::fstatat(dir_.get(), rel.c_str(), &st, 0) != 0)
		return 0;
	return st.st_ino;
}

UniqueFd ProcTask::open_ns(const char *name) const
{
	std::string rel = std::string("ns/") + name;
	return UniqueFd(::openat(dir_.get(), rel.c_str(), O_RDONLY | O_CLOEXEC));
}

std::optional<ProcStat> read_proc_stat(uint32_t pid, const std::string &proc_root)
{
	if (pid == 0)
		return std::nullopt;
	std::string path = proc_root + "/" + std::to_string(pid);
	UniqueFd dir(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	if (!dir.valid())
		return std::nullopt;
	return stat_at(dir.get());
}

} // namespace icmptrace
