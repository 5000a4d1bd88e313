#include "ring/mapping.hpp"

#include <sys/mman.h>

#include <cerrno>
#include <string>
#include <utility>

#include "util/error.hpp"

namespace icmptrace {

Mapping::Mapping(int fd, off_t offset, size_t length, int prot)
{
	void *p = ::mmap(nullptr, length, prot, MAP_SHARED, fd, offset);
	if (p == MAP_FAILED) {
		// EPERM/EINVAL here mean we broke the device's mmap rules
		// (reader bug), not a missing privilege: open() checks that.
		throw Error(kExitRuntime,
			    errno_message("mmap offset " + std::to_string(offset) +
						  " length " + std::to_string(length),
					  errno));
	}
	addr_ = p;
	len_ = length;
}

Mapping::~Mapping() { release(); }

Mapping::Mapping(Mapping &&o) noexcept
	: addr_(std::exchange(o.addr_, nullptr)), len_(std::exchange(o.len_, 0))
{
}

Mapping &Mapping::operator=(Mapping &&o) noexcept
{
	if (this != &o) {
		release();
		addr_ = std::exchange(o.addr_, nullptr);
		len_ = std::exchange(o.len_, 0);
	}
	return *this;
}

void Mapping::release()
{
	if (addr_)
		::munmap(addr_, len_);
	addr_ = nullptr;
	len_ = 0;
}

} // namespace icmptrace
