// Raw pointers to one ring's shared pages.  Owned elsewhere (the device
// mappings, or a unit test's synthetic ring); RingConsumer only borrows them.
#pragma once

#include <linux/icmptrace.h>

#include <cstdint>

namespace icmptrace {

struct RingView {
	const icmpt_producer_page *producer = nullptr;
	icmpt_consumer_page *consumer = nullptr;
	// data_size bytes followed by the same bytes again (double mapping), so
	// a record starting anywhere in the area is contiguous.
	const unsigned char *data = nullptr;
	uint64_t data_size = 0;		// a power of two
};

} // namespace icmptrace
