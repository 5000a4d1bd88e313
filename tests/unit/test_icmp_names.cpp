// The ICMP type names have one source, linux/icmptrace_icmp.h: --type takes
// every name of the table for its family (and shows it back), and the bash
// completion offers exactly those names.
#include <linux/icmptrace_icmp.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "control/filter_spec.hpp"
// Last: cmocka defines macros (fail, skip) that clash with the C++ library.
#include "cmocka_includes.hpp"

using namespace icmptrace;

namespace {

struct Row {
	uint8_t family, type;
	const char *name;
};

#define ROW_(fam, num, id, name, gopacket) {fam, num, name},
const Row rows[] = {ICMPT_ICMP_TYPES(ROW_)};
#undef ROW_

void test_filter_names(void **)
{
	for (const Row &r : rows) {
		auto t = icmp_type_by_name(r.family, r.name);
		assert_true(t.has_value());
		assert_int_equal(r.type, *t);
		assert_string_equal(r.name, icmp_type_name(r.family, r.type).c_str());
	}
	assert_int_equal(ICMPT_V4_ECHO_REQUEST, *icmp_type_by_name(4, "echo-request"));
	assert_int_equal(ICMPT_V6_PACKET_TOO_BIG, *icmp_type_by_name(6, "packet-too-big"));
	assert_false(icmp_type_by_name(4, "packet-too-big").has_value());
}

// The words of "local NAME='...'" in the completion script.
std::set<std::string> completion_words(const std::string &text, const std::string &var)
{
	std::set<std::string> out;
	size_t at = text.find("local " + var + "='");
	assert_true(at != std::string::npos);
	at = text.find('\'', at) + 1;
	std::istringstream words(text.substr(at, text.find('\'', at) - at));
	for (std::string w; words >> w;)
		out.insert(w);
	return out;
}

void test_bash_completion(void **)
{
	std::ifstream f(TESTDATA_DIR "/../../../packaging/bash-completion/icmptrace");
	assert_true(f.good());
	std::stringstream text;
	text << f.rdbuf();
	for (uint8_t family : {4, 6}) {
		std::set<std::string> want;
		for (const Row &r : rows)
			if (r.family == family)
				want.insert(r.name);
		assert_true(want == completion_words(text.str(), family == 4 ? "v4" : "v6"));
	}
}

} // namespace

int main()
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filter_names),
		cmocka_unit_test(test_bash_completion),
	};
	return cmocka_run_group_tests_name("icmp_names", tests, nullptr, nullptr);
}
