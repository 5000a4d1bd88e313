// Owning mmap() region: unmapped exactly once, movable, not copyable.
#pragma once

#include <sys/types.h>

#include <cstddef>

namespace icmptrace {

class Mapping {
public:
	Mapping() = default;
	// Throws Error (exit code from errno) when mmap() fails.
	Mapping(int fd, off_t offset, size_t length, int prot);
	~Mapping();
	Mapping(Mapping &&o) noexcept;
	Mapping &operator=(Mapping &&o) noexcept;
	Mapping(const Mapping &) = delete;
	Mapping &operator=(const Mapping &) = delete;

	void *data() const { return addr_; }
	size_t size() const { return len_; }

private:
	void release();

	void *addr_ = nullptr;
	size_t len_ = 0;
};

} // namespace icmptrace
