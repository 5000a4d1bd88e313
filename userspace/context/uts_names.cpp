#include "context/uts_names.hpp"

#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <thread>

namespace icmptrace {
namespace {

std::string own_hostname()
{
	char buf[256] = {};
	if (::gethostname(buf, sizeof(buf) - 1) != 0)
		return "";
	return buf;
}

} // namespace

std::string hostname_in_uts_ns(int nsfd)
{
	std::string name;
	// A thread of our own joins the namespace and dies with it: the rest
	// of the reader never leaves the host's UTS namespace.
	std::thread t([&] {
		if (::setns(nsfd, CLONE_NEWUTS) == 0)
			name = own_hostname();
	});
	t.join();
	return name;
}

UtsNames::UtsNames()
{
	struct stat st;
	if (::stat("/proc/self/ns/uts", &st) == 0)
		own_ns_ = st.st_ino;
}

const std::string &UtsNames::name(uint64_t uts_ns, const ProcTask *task,
				  Clock::time_point now)
{
	if (uts_ns == 0)
		return none_;
	if (uts_ns == own_ns_) {
		if (own_read_at_ == Clock::time_point{} || now - own_read_at_ >= kRefresh) {
			own_name_ = own_hostname();
			own_read_at_ = now;
		}
		return own_name_;
	}
	if (Entry *e = cache_.find(uts_ns)) {
		if (now - e->read_at >= kRefresh) {
			e->name = hostname_in_uts_ns(e->fd.get());
			e->read_at = now;
		}
		return e->name;
	}
	if (!task)
		return none_;
	UniqueFd fd = task->open_ns("uts");
	struct stat st;
	// The task may have changed namespace since the record: check.
	if (!fd.valid() || ::fstat(fd.get(), &st) != 0 || st.st_ino != uts_ns)
		return none_;
	std::string n = hostname_in_uts_ns(fd.get());
	return cache_.put(uts_ns, Entry{std::move(fd), std::move(n), now}).name;
}

} // namespace icmptrace
