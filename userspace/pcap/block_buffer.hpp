// The bytes a capture writer has built and not yet written: blocks are
// written into room() in place (a record's EPB, pcapng_blocks.hpp epb_begin)
// with one bounds check and no zeroing, unlike a std::vector's resize.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace icmptrace {

class BlockBuffer {
public:
	explicit BlockBuffer(size_t capacity);

	// At least n writable bytes at the end; what is written there counts
	// once commit() is given its end.
	uint8_t *room(size_t n)
	{
		if (cap_ - size_ < n)
			grow(n);
		return data_.get() + size_;
	}
	void commit(const uint8_t *end) { size_ = static_cast<size_t>(end - data_.get()); }
	void append(std::span<const uint8_t> b);

	const uint8_t *data() const { return data_.get(); }
	size_t size() const { return size_; }
	bool empty() const { return size_ == 0; }
	void clear() { size_ = 0; }	// the room stays

private:
	void grow(size_t n);
	std::unique_ptr<uint8_t[]> data_;
	size_t size_ = 0, cap_ = 0;
};

} // namespace icmptrace
