// A ring in ordinary memory with the device's layout: a memfd data area
// mapped twice back to back (as the module maps it), plus producer and
// consumer pages.  The test plays the kernel's producer side.
#pragma once

#include <linux/icmptrace.h>

#include <cstdint>
#include <vector>

#include "ring/ring_view.hpp"
#include "util/unique_fd.hpp"

namespace icmptrace::test {

class SyntheticRing {
public:
	explicit SyntheticRing(uint64_t data_size);
	~SyntheticRing();
	SyntheticRing(const SyntheticRing &) = delete;
	SyntheticRing &operator=(const SyntheticRing &) = delete;

	RingView view();
	icmpt_producer_page &producer() { return producer_; }
	uint64_t consumer_pos() const;
	uint64_t producer_pos() const;
	uint64_t wakeup_bytes() const { return consumer_.wakeup_bytes; }

	// Producer protocol of the uapi header: false (and dropped++) if the
	// record does not fit, else copy it at producer_pos and publish.
	bool push(const std::vector<unsigned char> &rec);
	// Raw bytes at a position (wraps through the double mapping), no publish.
	void write_at(uint64_t pos, const void *bytes, size_t n);
	void set_producer_pos(uint64_t pos);
	void set_consumer_pos(uint64_t pos);

	// The second copy must show what was written to the first.
	const unsigned char *data() const { return data_; }

private:
	uint64_t size_;
	UniqueFd memfd_;
	unsigned char *data_ = nullptr;		// 2 * size_ bytes
	icmpt_producer_page producer_{};
	icmpt_consumer_page consumer_{};
};

} // namespace icmptrace::test
