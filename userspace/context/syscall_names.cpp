#include "context/syscall_names.hpp"

namespace icmptrace {
namespace {

struct SyscallName {
	int32_t nr;
	const char *name;
};

// x86_64 numbers (arch/x86/entry/syscalls/syscall_64.tbl).  Senders, plus
// the calls a task may sit in when the kernel attributes a packet to it.
constexpr SyscallName x86_64_names[] = {
	{0, "read"}, {1, "write"}, {7, "poll"}, {16, "ioctl"},
	{17, "pread64"}, {18, "pwrite64"}, {19, "readv"}, {20, "writev"},
	{23, "select"}, {35, "nanosleep"}, {40, "sendfile"}, {41, "socket"},
	{42, "connect"}, {43, "accept"}, {44, "sendto"}, {45, "recvfrom"},
	{46, "sendmsg"}, {47, "recvmsg"}, {48, "shutdown"}, {49, "bind"},
	{54, "setsockopt"}, {59, "execve"}, {60, "exit"}, {61, "wait4"},
	{202, "futex"}, {230, "clock_nanosleep"}, {231, "exit_group"},
	{232, "epoll_wait"}, {270, "pselect6"}, {271, "ppoll"},
	{281, "epoll_pwait"}, {288, "accept4"}, {295, "preadv"},
	{296, "pwritev"}, {299, "recvmmsg"}, {307, "sendmmsg"},
	{327, "preadv2"}, {328, "pwritev2"}, {426, "io_uring_enter"},
};

} // namespace

const char *syscall_name(int32_t nr)
{
#if defined(__x86_64__)
	for (const SyscallName &s : x86_64_names)
		if (s.nr == nr)
			return s.name;
#else
	(void)nr;
	(void)x86_64_names;
#endif
	return "";
}

} // namespace icmptrace
