// Record header validation and the compatibility copy rule.
#include <cstddef>
#include <cstring>
#include <span>
#include <vector>

#include "ring/record.hpp"
#include "sample_events.hpp"
// Last: cmocka defines macros (fail, skip) that clash with the C++ library.
#include "cmocka_includes.hpp"

using namespace icmptrace;
using icmptrace::test::packet_record;
using icmptrace::test::sample_echo_request;

namespace {

icmpt_rec_hdr hdr(uint32_t len, uint16_t type = ICMPT_REC_PACKET)
{
	icmpt_rec_hdr h{};
	h.len = len;
	h.type = type;
	return h;
}

void test_check_header(void **)
{
	assert_int_equal(check_header(hdr(192), 192), HeaderProblem::None);
	assert_int_equal(check_header(hdr(8), 8), HeaderProblem::None);
	assert_int_equal(check_header(hdr(0), 4096), HeaderProblem::TooShort);
	assert_int_equal(check_header(hdr(4), 4096), HeaderProblem::TooShort);
	assert_int_equal(check_header(hdr(12), 4096), HeaderProblem::Misaligned);
	assert_int_equal(check_header(hdr(193), 4096), HeaderProblem::Misaligned);
	assert_int_equal(check_header(hdr(200), 192), HeaderProblem::PastProducer);
	// A record with a whole snap length of packet bytes is fine.
	const uint32_t whole = sizeof(icmpt_event) + ICMPT_SNAPLEN_MAX;
	assert_int_equal(check_header(hdr(whole), 1 << 20), HeaderProblem::None);
	assert_int_equal(check_header(hdr(kMaxRecordLen), 1 << 20), HeaderProblem::None);
	assert_int_equal(check_header(hdr(kMaxRecordLen + 8), 1 << 20), HeaderProblem::TooLong);
	assert_int_equal(check_header(hdr(0xfffffff8u), 1ULL << 40), HeaderProblem::TooLong);
}

void test_full_record(void **)
{
	icmpt_event want = sample_echo_request();
	std::vector<unsigned char> rec = packet_record(want);
	icmpt_event got = decode_event(rec.data(), rec.size());
	assert_memory_equal(&got, &want, sizeof(want));
}

// An older module's shorter record: the missing tail reads as zeros.
void test_short_record(void **)
{
	icmpt_event full = sample_echo_request();
	const uint32_t len = offsetof(icmpt_event, task);	// no task part
	std::vector<unsigned char> rec = packet_record(full, len);
	icmpt_event got = decode_event(rec.data(), len);
	assert_int_equal(got.hdr.len, len);
	assert_int_equal(got.pkt.checksum, 38217);
	assert_int_equal(got.ts_real_ns, full.ts_real_ns);
	assert_int_equal(got.task.pid, 0);
	assert_int_equal(got.task.syscall_nr, 0);
	assert_int_equal(got.task.comm[0], 0);
	// A bare header decodes too, all zero but the header.
	std::vector<unsigned char> bare = packet_record(full, sizeof(icmpt_rec_hdr));
	icmpt_event b = decode_event(bare.data(), sizeof(icmpt_rec_hdr));
	assert_int_equal(b.hdr.len, sizeof(icmpt_rec_hdr));
	assert_int_equal(b.ts_real_ns, 0);
	assert_int_equal(b.pkt.family, 0);
}

// A newer module's longer record: its new tail is ignored, nothing overflows
// (ASan checks the copy stays inside the event).
void test_long_record(void **)
{
	icmpt_event want = sample_echo_request();
	const uint32_t len = sizeof(icmpt_event) + 64;
	std::vector<unsigned char> rec = packet_record(want, len);
	std::memset(rec.data() + sizeof(icmpt_event), 0xAB, 64);
	icmpt_event got = decode_event(rec.data(), len);
	// The copy's len says what it holds: packet_bytes() never reads past it.
	assert_int_equal(got.hdr.len, sizeof(icmpt_event));
	got.hdr.len = want.hdr.len;
	assert_memory_equal(&got, &want, sizeof(want));
}

// A record with packet bytes: the module's layout (uapi "Packet bytes").
std::vector<unsigned char> record_with_bytes(uint32_t cap_len, uint32_t cap_off, uint32_t len)
{
	icmpt_event ev = sample_echo_request();
	ev.cap_len = cap_len;
	ev.cap_off = static_cast<uint16_t>(cap_off);
	std::vector<unsigned char> rec = packet_record(ev, len);
	for (uint32_t i = sizeof(icmpt_event); i < len; ++i)
		rec[i] = static_cast<unsigned char>(i * 7);
	return rec;
}

const icmpt_rec_hdr *as_hdr(const std::vector<unsigned char> &rec)
{
	return reinterpret_cast<const icmpt_rec_hdr *>(rec.data());
}

void test_packet_bytes(void **)
{
	// 84 bytes of an echo at sizeof(icmpt_event): len rounded up to 8.
	const uint32_t off = sizeof(icmpt_event);
	std::vector<unsigned char> rec = record_with_bytes(84, off, off + 88);
	std::span<const uint8_t> b = packet_bytes(as_hdr(rec));
	assert_int_equal(b.size(), 84);
	assert_ptr_equal(b.data(), rec.data() + off);
	assert_int_equal(b[0], static_cast<uint8_t>(off * 7));
	assert_int_equal(b[83], static_cast<uint8_t>((off + 83) * 7));
	assert_int_equal(bytes_problem(as_hdr(rec)), BytesProblem::None);
	// decode_event still reads the fixed part of a record with bytes; its
	// copy holds no bytes, and packet_bytes() of it reads nothing.
	icmpt_event ev = decode_event(rec.data(), rec.size());
	assert_int_equal(ev.cap_len, 84);
	assert_int_equal(ev.pkt.checksum, 38217);
	assert_true(packet_bytes(&ev.hdr).empty());

	// Exactly up to len is fine; one byte more is not.
	rec = record_with_bytes(88, off, off + 88);
	assert_int_equal(packet_bytes(as_hdr(rec)).size(), 88);
	rec = record_with_bytes(89, off, off + 88);
	assert_true(packet_bytes(as_hdr(rec)).empty());
	assert_int_equal(bytes_problem(as_hdr(rec)), BytesProblem::PastEnd);

	// A newer module's larger fixed part moves cap_off: it is followed.
	rec = record_with_bytes(16, off + 24, off + 40);
	b = packet_bytes(as_hdr(rec));
	assert_int_equal(b.size(), 16);
	assert_ptr_equal(b.data(), rec.data() + off + 24);

	// No bytes asked for: cap_len 0, cap_off 0.
	rec = record_with_bytes(0, 0, off);
	assert_true(packet_bytes(as_hdr(rec)).empty());
	assert_int_equal(bytes_problem(as_hdr(rec)), BytesProblem::None);
}

void test_packet_bytes_hostile(void **)
{
	const uint32_t off = sizeof(icmpt_event);
	// cap_off pointing into the fixed fields, or 0, with bytes claimed.
	for (uint32_t bad_off : {0u, 8u, off - 8, off - 1}) {
		std::vector<unsigned char> rec = record_with_bytes(8, bad_off, off + 8);
		assert_true(packet_bytes(as_hdr(rec)).empty());
		assert_int_equal(bytes_problem(as_hdr(rec)), BytesProblem::BadOffset);
	}
	// cap_len that would wrap a 32-bit sum, and cap_off past len.
	std::vector<unsigned char> rec = record_with_bytes(0xfffffff8u, off, off + 8);
	assert_true(packet_bytes(as_hdr(rec)).empty());
	assert_int_equal(bytes_problem(as_hdr(rec)), BytesProblem::PastEnd);
	rec = record_with_bytes(1, 0xfff8, off + 8);
	assert_int_equal(bytes_problem(as_hdr(rec)), BytesProblem::PastEnd);
	// A record too short to hold cap_len/cap_off: never read past len,
	// whatever lies behind it (ASan: the vector ends at len).
	for (uint32_t len : {uint32_t{sizeof(icmpt_rec_hdr)},
			     uint32_t{offsetof(icmpt_event, cap_len)}, off - 4}) {
		icmpt_event ev = sample_echo_request();
		ev.cap_len = 8;
		ev.cap_off = static_cast<uint16_t>(off);
		rec = packet_record(ev, len);
		assert_true(packet_bytes(as_hdr(rec)).empty());
		assert_int_equal(bytes_problem(as_hdr(rec)), BytesProblem::None);
	}
}

// A record of ABI 1 (304 bytes, no cap fields) still decodes, with no bytes.
void test_abi1_record(void **)
{
	icmpt_event want = sample_echo_request();
	const uint32_t abi1 = offsetof(icmpt_event, cap_len);
	assert_int_equal(abi1, 304);
	std::vector<unsigned char> rec = packet_record(want, abi1);
	icmpt_event got = decode_event(rec.data(), abi1);
	assert_int_equal(got.pkt.checksum, want.pkt.checksum);
	assert_memory_equal(&got.detail, &want.detail, sizeof(want.detail));
	assert_int_equal(got.cap_len, 0);
	assert_int_equal(got.cap_off, 0);
	assert_true(packet_bytes(as_hdr(rec)).empty());
}

void test_event_layout(void **)
{
	// The ABI 1 part of a packet record, as this reader decodes it: catches
	// an accidental change of existing fields (appending is allowed).
	assert_int_equal(sizeof(icmpt_rec_hdr), 8);
	assert_int_equal(sizeof(icmpt_event) % ICMPT_REC_ALIGN, 0);
	assert_int_equal(offsetof(icmpt_event, ts_real_ns), 8);
	assert_int_equal(offsetof(icmpt_event, cpu), 24);
	assert_int_equal(offsetof(icmpt_event, pkt), 40);
	assert_int_equal(sizeof(icmpt_packet), 64);
	assert_int_equal(offsetof(icmpt_event, task), 104);
	assert_int_equal(offsetof(icmpt_task, start_time_ns), 32);
	assert_int_equal(offsetof(icmpt_task, comm), 72);
	assert_int_equal(sizeof(icmpt_task), 88);
	assert_true(sizeof(icmpt_event) >= 192);
	// ABI 2: the packet bytes' place.
	assert_int_equal(offsetof(icmpt_event, cap_len), 304);
	assert_int_equal(offsetof(icmpt_event, cap_off), 308);
}

} // namespace

int main()
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_header),
		cmocka_unit_test(test_full_record),
		cmocka_unit_test(test_short_record),
		cmocka_unit_test(test_long_record),
		cmocka_unit_test(test_packet_bytes),
		cmocka_unit_test(test_packet_bytes_hostile),
		cmocka_unit_test(test_abi1_record),
		cmocka_unit_test(test_event_layout),
	};
	return cmocka_run_group_tests_name("record", tests, nullptr, nullptr);
}
