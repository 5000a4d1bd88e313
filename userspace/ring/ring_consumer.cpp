#include "ring/ring_consumer.hpp"

#include <cstring>

namespace icmptrace {

std::string describe(const CorruptReport &r)
{
	std::string s = "ring " + std::to_string(r.ring) + ": corrupt ring at position " +
			std::to_string(r.pos) + " (producer_pos " +
			std::to_string(r.producer_pos) + "): " + r.reason;
	if (r.len || r.type)
		s += " [len=" + std::to_string(r.len) + " type=" + std::to_string(r.type) + "]";
	s += "; skipped " + std::to_string(r.skipped_bytes) + " bytes";
	return s;
}

RingConsumer::RingConsumer(uint32_t index, const RingView &view, bool keep_backlog)
	: index_(index), view_(view)
{
	baseline_ = read_drops();
	__atomic_store_n(&view_.consumer->wakeup_bytes, 0, __ATOMIC_RELAXED);
	if (keep_backlog) {
		// Only we write the consumer page; drain() validates what we find.
		cons_ = __atomic_load_n(&view_.consumer->consumer_pos, __ATOMIC_RELAXED);
	} else {
		cons_ = load_producer_pos();
		publish();
	}
}

uint64_t RingConsumer::load_producer_pos() const
{
	// Pairs with the producer's smp_store_release(): record bytes below
	// producer_pos are visible once we see the position.
	return __atomic_load_n(&view_.producer->producer_pos, __ATOMIC_ACQUIRE);
}

void RingConsumer::publish()
{
	// Release: our reads of the records happen before the kernel may
	// reuse their space.
	__atomic_store_n(&view_.consumer->consumer_pos, cons_, __ATOMIC_RELEASE);
}

void RingConsumer::set_wakeup(uint64_t bytes)
{
	if (bytes == wakeup_)
		return;
	wakeup_ = bytes;
	// Relaxed: the poll() that follows orders it (the kernel's smp_mb()).
	__atomic_store_n(&view_.consumer->wakeup_bytes, bytes, __ATOMIC_RELAXED);
}

uint64_t RingConsumer::unread_records() const
{
	const uint64_t prod = load_producer_pos();
	uint64_t pos = __atomic_load_n(&view_.consumer->consumer_pos, __ATOMIC_RELAXED);
	uint64_t n = 0;
	while (prod - pos >= sizeof(icmpt_rec_hdr) && prod - pos <= view_.data_size) {
		icmpt_rec_hdr hdr;
		std::memcpy(&hdr, view_.data + (pos & (view_.data_size - 1)), sizeof(hdr));
		if (check_header(hdr, prod - pos) != HeaderProblem::None)
			break;
		n += hdr.type == ICMPT_REC_PACKET;
		pos += hdr.len;
	}
	return n;
}

DropCounts RingConsumer::read_drops() const
{
	const icmpt_producer_page *p = view_.producer;
	DropCounts d;
	d.ring_full = __atomic_load_n(&p->dropped, __ATOMIC_RELAXED);
	d.bad_consumer = __atomic_load_n(&p->dropped_bad_consumer, __ATOMIC_RELAXED);
	d.nested = __atomic_load_n(&p->dropped_nested, __ATOMIC_RELAXED);
	return d;
}

DropCounts RingConsumer::drops_since_start() const
{
	DropCounts now = read_drops();
	DropCounts d;
	d.ring_full = now.ring_full - baseline_.ring_full;
	d.bad_consumer = now.bad_consumer - baseline_.bad_consumer;
	d.nested = now.nested - baseline_.nested;
	return d;
}

CorruptReport RingConsumer::resync(uint64_t prod, uint32_t len, uint16_t type,
				   std::string reason)
{
	CorruptReport r;
	r.ring = index_;
	r.pos = cons_;
	r.producer_pos = prod;
	r.len = len;
	r.type = type;
	r.reason = std::move(reason);
	r.skipped_bytes = prod - cons_;
	++corrupt_;
	// Nothing between here and prod can be trusted to be record-aligned;
	// lose it rather than guess.
	cons_ = prod;
	return r;
}

void RingConsumer::begin_pass()
{
	limit_ = load_producer_pos();
	// Unsigned distance: also catches a producer_pos behind us.
	if (limit_ - cons_ > view_.data_size) {
		pending_ = resync(limit_, 0, 0,
				  "producer_pos more than data_size away from the consumer");
		publish();
	}
}

const unsigned char *RingConsumer::head_slow()
{
	const uint64_t mask = view_.data_size - 1;
	while (cons_ != limit_) {
		const uint64_t avail = limit_ - cons_;
		const unsigned char *rec = view_.data + (cons_ & mask);
		icmpt_rec_hdr hdr;
		if (avail < sizeof(hdr)) {
			pending_ = resync(limit_, 0, 0, "partial record header");
			return nullptr;
		}
		std::memcpy(&hdr, rec, sizeof(hdr));
		HeaderProblem problem = check_header(hdr, avail);
		if (problem != HeaderProblem::None) {
			pending_ = resync(limit_, hdr.len, hdr.type, to_string(problem));
			return nullptr;
		}
		if (hdr.type == ICMPT_REC_PACKET) {
			head_len_ = hdr.len;
			return rec;
		}
		++unknown_;
		cons_ += hdr.len;
	}
	return nullptr;
}

DrainResult RingConsumer::drain(std::vector<icmpt_event> &out)
{
	DrainResult res;
	const uint64_t unknown_before = unknown_;
	begin_pass();
	while (const unsigned char *rec = head()) {
		out.push_back(decode_event(rec, head_len_));
		++res.packets;
		pop();
	}
	res.corrupt = take_corrupt();
	res.unknown = unknown_ - unknown_before;
	publish();
	return res;
}

} // namespace icmptrace
