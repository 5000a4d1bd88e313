#include "ring/ring_merge.hpp"

#include <cstddef>
#include <cstring>

namespace icmptrace {

RingMerge::RingMerge(std::vector<RingConsumer> &rings) : rings_(rings)
{
	heap_.reserve(rings.size());
}

bool RingMerge::load(uint32_t ring, Head &h)
{
	const unsigned char *rec = rings_[ring].head();
	if (!rec) {
		if (std::optional<CorruptReport> bad = rings_[ring].take_corrupt())
			corrupt_.push_back(std::move(*bad));
		return false;
	}
	h.ring = ring;
	h.rec = rec;
	h.len = rings_[ring].head_len();
	h.ts = stamp(rec, h.len);
	return true;
}

void RingMerge::sift_down(size_t i)
{
	const size_t n = heap_.size();
	const Head h = heap_[i];
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && later(heap_[c], heap_[c + 1]))
			++c;
		if (!later(h, heap_[c]))
			break;
		heap_[i] = heap_[c];
		i = c;
	}
	heap_[i] = h;
}

void RingMerge::begin_pass()
{
	heap_.clear();
	for (uint32_t r = 0; r < rings_.size(); ++r) {
		rings_[r].begin_pass();
		Head h;
		if (load(r, h))
			heap_.push_back(h);
	}
	for (size_t i = heap_.size() / 2; i-- > 0;)
		sift_down(i);
}

void RingMerge::ring_done(uint32_t ring)
{
	if (std::optional<CorruptReport> bad = rings_[ring].take_corrupt())
		corrupt_.push_back(std::move(*bad));
	heap_[0] = heap_.back();
	heap_.pop_back();
	if (!heap_.empty())
		sift_down(0);
}

const icmpt_event *RingMerge::short_copy(const Head &h)
{
	short_ = decode_event(h.rec, h.len);
	return &short_;
}

void RingMerge::give_back()
{
	for (RingConsumer &r : rings_)
		r.give_back();
}

} // namespace icmptrace
