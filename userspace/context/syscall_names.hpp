// Names of the syscalls a task can be in when it sends an ICMP packet, for
// tracee's "syscall" field.  x86_64 numbers only: the record carries no arch,
// and the reader runs on the machine that produced it.
#pragma once

#include <cstdint>

namespace icmptrace {

// "" when unknown, negative (no syscall) or not built for x86_64.
const char *syscall_name(int32_t nr);

} // namespace icmptrace
