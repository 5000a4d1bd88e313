#include "synthetic_ring.hpp"

#include <sys/mman.h>

#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace icmptrace::test {

SyntheticRing::SyntheticRing(uint64_t data_size) : size_(data_size)
{
	memfd_.reset(memfd_create("synthetic-ring", MFD_CLOEXEC));
	if (!memfd_.valid() || ftruncate(memfd_.get(), static_cast<off_t>(size_)) != 0)
		throw std::runtime_error("memfd");
	// Reserve 2*size of address space, then put the same file at both halves.
	void *base = mmap(nullptr, 2 * size_, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		throw std::runtime_error("mmap reserve");
	data_ = static_cast<unsigned char *>(base);
	for (int half = 0; half < 2; ++half) {
		void *p = mmap(data_ + half * size_, size_, PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_FIXED, memfd_.get(), 0);
		if (p == MAP_FAILED) {
			munmap(data_, 2 * size_);
			throw std::runtime_error("mmap half");
		}
	}
	producer_.data_size = size_;
}

SyntheticRing::~SyntheticRing()
{
	munmap(data_, 2 * size_);
}

RingView SyntheticRing::view()
{
	RingView v;
	v.producer = &producer_;
	v.consumer = &consumer_;
	v.data = data_;
	v.data_size = size_;
	return v;
}

uint64_t SyntheticRing::consumer_pos() const
{
	return __atomic_load_n(&consumer_.consumer_pos, __ATOMIC_ACQUIRE);
}

uint64_t SyntheticRing::producer_pos() const
{
	return __atomic_load_n(&producer_.producer_pos, __ATOMIC_ACQUIRE);
}

void SyntheticRing::write_at(uint64_t pos, const void *bytes, size_t n)
{
	if (n > size_)
		std::abort();
	std::memcpy(data_ + (pos & (size_ - 1)), bytes, n);
}

bool SyntheticRing::push(const std::vector<unsigned char> &rec)
{
	uint64_t cons = consumer_pos();
	uint64_t prod = producer_pos();
	if (rec.size() > size_ - (prod - cons)) {
		++producer_.dropped;
		return false;
	}
	write_at(prod, rec.data(), rec.size());
	++producer_.records;
	set_producer_pos(prod + rec.size());
	return true;
}

void SyntheticRing::set_producer_pos(uint64_t pos)
{
	__atomic_store_n(&producer_.producer_pos, pos, __ATOMIC_RELEASE);
}

void SyntheticRing::set_consumer_pos(uint64_t pos)
{
	__atomic_store_n(&consumer_.consumer_pos, pos, __ATOMIC_RELEASE);
}

} // namespace icmptrace::test
