// typeCode strings must equal gopacket's ICMPv4TypeCode/ICMPv6TypeCode.String().
#include <cstdio>

#include "format/icmp_type_code.hpp"
#include "format/sink_common.hpp"
// Last: cmocka defines macros (fail, skip) that clash with the C++ library.
#include "cmocka_includes.hpp"

using namespace icmptrace;

namespace {

struct Case {
	uint8_t family, type, code;
	const char *want;
};

const Case cases[] = {
	// ICMPv4: types without a code table
	{4, 8, 0, "EchoRequest"},
	{4, 0, 0, "EchoReply"},
	{4, 8, 1, "EchoRequest(Code: 1)"},
	{4, 4, 0, "SourceQuench"},
	{4, 9, 0, "RouterAdvertisement"},
	{4, 10, 0, "RouterSolicitation"},
	{4, 13, 0, "TimestampRequest"},
	{4, 14, 0, "TimestampReply"},
	{4, 15, 0, "InfoRequest"},
	{4, 16, 0, "InfoReply"},
	{4, 17, 0, "AddressMaskRequest"},
	{4, 18, 255, "AddressMaskReply(Code: 255)"},
	// ICMPv4: types with a code table
	{4, 3, 0, "DestinationUnreachable(Net)"},
	{4, 3, 3, "DestinationUnreachable(Port)"},
	{4, 3, 4, "DestinationUnreachable(FragmentationNeeded)"},
	{4, 3, 13, "DestinationUnreachable(CommAdminProhibited)"},
	{4, 3, 15, "DestinationUnreachable(PrecedenceCutoff)"},
	{4, 3, 16, "DestinationUnreachable(Code: 16)"},
	{4, 5, 0, "Redirect(Net)"},
	{4, 5, 2, "Redirect(TOS+Net)"},
	{4, 5, 3, "Redirect(TOS+Host)"},
	{4, 5, 4, "Redirect(Code: 4)"},
	{4, 11, 0, "TimeExceeded(TTLExceeded)"},
	{4, 11, 1, "TimeExceeded(FragmentReassemblyTimeExceeded)"},
	{4, 11, 2, "TimeExceeded(Code: 2)"},
	{4, 12, 0, "ParameterProblem(PointerIndicatesError)"},
	{4, 12, 2, "ParameterProblem(BadLength)"},
	// ICMPv4: unknown types
	{4, 1, 0, "1(0)"},
	{4, 42, 7, "42(7)"},
	{4, 255, 255, "255(255)"},
	{4, 128, 0, "128(0)"},	// an ICMPv6 type is unknown to ICMPv4
	// ICMPv6
	{6, 128, 0, "EchoRequest"},
	{6, 129, 0, "EchoReply"},
	{6, 129, 3, "EchoReply(Code: 3)"},
	{6, 1, 0, "DestinationUnreachable(NoRouteToDst)"},
	{6, 1, 4, "DestinationUnreachable(PortUnreachable)"},
	{6, 1, 6, "DestinationUnreachable(RejectRouteToDst)"},
	{6, 1, 7, "DestinationUnreachable(Code: 7)"},
	{6, 2, 0, "PacketTooBig"},
	{6, 3, 0, "TimeExceeded(HopLimitExceeded)"},
	{6, 3, 1, "TimeExceeded(FragmentReassemblyTimeExceeded)"},
	{6, 4, 0, "ParameterProblem(ErroneousHeaderField)"},
	{6, 4, 2, "ParameterProblem(UnrecognizedNextHeader)"},	// sic, gopacket
	{6, 4, 3, "ParameterProblem(Code: 3)"},
	{6, 133, 0, "RouterSolicitation"},
	{6, 134, 0, "RouterAdvertisement"},
	{6, 135, 0, "NeighborSolicitation"},
	{6, 136, 0, "NeighborAdvertisement"},
	{6, 137, 0, "Redirect"},
	{6, 137, 1, "Redirect(Code: 1)"},
	{6, 130, 0, "130(0)"},	// MLD query: not in gopacket's table
	{6, 143, 0, "143(0)"},
	{6, 8, 0, "8(0)"},	// an ICMPv4 type is unknown to ICMPv6
};

void test_table(void **)
{
	int bad = 0;
	for (const Case &c : cases) {
		std::string got = icmp_type_code(c.family, c.type, c.code);
		if (got != c.want) {
			std::printf("# v%u type %u code %u: got '%s' want '%s'\n", c.family,
				    c.type, c.code, got.c_str(), c.want);
			++bad;
		}
	}
	assert_int_equal(bad, 0);
}

void test_family_entry_points(void **)
{
	assert_string_equal(icmpv4_type_code(3, 1).c_str(), "DestinationUnreachable(Host)");
	assert_string_equal(icmpv6_type_code(3, 0).c_str(), "TimeExceeded(HopLimitExceeded)");
	// Anything that is not 6 uses the IPv4 table.
	assert_string_equal(icmp_type_code(0, 8, 0).c_str(), "EchoRequest");
}

// Every (type, code) pair produces something non-empty and never crashes.
void test_exhaustive(void **)
{
	for (int fam : {4, 6})
		for (int t = 0; t < 256; ++t)
			for (int c = 0; c < 256; ++c)
				assert_true(!icmp_type_code(fam, t, c).empty());
}

// type_code_name() keeps names in slots by a hash of the key: whatever the
// order of the questions (a request and its reply alternating, keys that
// share a slot), each answer is the name made afresh.
void test_kept_names(void **)
{
	int bad = 0;
	auto check = [&](int fam, int t, int c) {
		const std::string want = icmp_type_code(fam, t, c);
		if (type_code_name(fam, t, c) != want)
			++bad;
	};
	for (int fam : {4, 6})
		for (int t = 0; t < 256; ++t)
			for (int c = 0; c < 256; ++c) {
				check(fam, t, c);
				check(fam == 4 ? 6 : 4, t ^ 1, c);	// another key between
				check(fam, t, c);			// asked again: kept
			}
	for (int i = 0; i < 1000; ++i) {	// a ping flood of both families
		check(4, 8, 0);
		check(4, 0, 0);
		check(6, 128, 0);
		check(6, 129, 0);
	}
	assert_int_equal(bad, 0);
}

} // namespace

int main()
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_family_entry_points),
		cmocka_unit_test(test_exhaustive),
		cmocka_unit_test(test_kept_names),
	};
	return cmocka_run_group_tests_name("icmp_type_code", tests, nullptr, nullptr);
}
