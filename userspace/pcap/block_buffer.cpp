#include "pcap/block_buffer.hpp"

#include <algorithm>
#include <cstring>

namespace icmptrace {

BlockBuffer::BlockBuffer(size_t capacity)
	: data_(std::make_unique_for_overwrite<uint8_t[]>(capacity)), cap_(capacity)
{
}

void BlockBuffer::grow(size_t n)
{
	const size_t cap = std::max(2 * cap_, size_ + n);
	auto bigger = std::make_unique_for_overwrite<uint8_t[]>(cap);
	if (size_)
		std::memcpy(bigger.get(), data_.get(), size_);
	data_ = std::move(bigger);
	cap_ = cap;
}

void BlockBuffer::append(std::span<const uint8_t> b)
{
	if (b.empty())
		return;
	uint8_t *p = room(b.size());
	std::memcpy(p, b.data(), b.size());
	commit(p + b.size());
}

} // namespace icmptrace
