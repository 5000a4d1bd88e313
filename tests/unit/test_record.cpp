// Record header validation and the compatibility copy rule.
#include <cstring>
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
	assert_int_equal(check_header(hdr(64 * 1024), 1 << 20), HeaderProblem::None);
	assert_int_equal(check_header(hdr(64 * 1024 + 8), 1 << 20), HeaderProblem::TooLong);
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
	assert_int_equal(got.hdr.len, len);
	got.hdr.len = want.hdr.len;
	assert_memory_equal(&got, &want, sizeof(want));
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
}

} // namespace

int main()
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_header),
		cmocka_unit_test(test_full_record),
		cmocka_unit_test(test_short_record),
		cmocka_unit_test(test_long_record),
		cmocka_unit_test(test_event_layout),
	};
	return cmocka_run_group_tests_name("record", tests, nullptr, nullptr);
}
