// The decoded body (struct icmpt_detail) in text, kv and JSON: each kind of
// message shows its own fields and nothing it does not carry.
#include <arpa/inet.h>

#include <cstring>
#include <sstream>
#include <string>

#include "format/formatters.hpp"
#include "json_shape.hpp"
#include "sample_events.hpp"
#include "cmocka_includes.hpp"

using namespace icmptrace;
using namespace icmptrace::test;

namespace {

void v4(uint8_t *dst, const char *a) { inet_pton(AF_INET, a, dst); }
void v6(uint8_t *dst, const char *a) { inet_pton(AF_INET6, a, dst); }

// A kernel-built ICMPv4 error: type/code, no task.
icmpt_event error4(uint8_t type, uint8_t code)
{
	icmpt_event ev = sample_echo_reply();
	ev.pkt.type = type;
	ev.pkt.code = code;
	ev.pkt.id = ev.pkt.seq = 0;
	ev.pkt.rest = 0;
	ev.pkt.flags = ICMPT_PKT_CSUM_OK | ICMPT_PKT_HAS_INNER;
	std::memset(&ev.detail, 0, sizeof(ev.detail));
	ev.detail.kind = ICMPT_DET_ERROR;
	icmpt_inner &in = ev.detail.inner;
	in.flags = ICMPT_INNER_IP | ICMPT_INNER_PORTS;
	in.version = 4;
	in.proto = 17;
	in.ttl = 1;
	in.sport = 40000;
	in.dport = 33434;
	in.ip_len = 1400;
	in.ip_id = 77;
	v4(in.saddr, "198.18.0.1");
	v4(in.daddr, "198.18.1.2");
	return ev;
}

icmpt_event v6_event(uint8_t type, uint8_t code, uint16_t kind)
{
	icmpt_event ev = sample_icmpv6_unreach();
	ev.pkt.type = type;
	ev.pkt.code = code;
	ev.pkt.flags = ICMPT_PKT_CSUM_OK;
	ev.detail.kind = kind;
	return ev;
}

// The text after "a > b ", up to " csum=".
std::string text_body(const icmpt_event &ev)
{
	std::string s;
	format_text(ev, s);
	size_t gt = s.find(" > ");
	size_t start = s.find(' ', gt + 3) + 1;
	return s.substr(start, s.find(" csum=") - start);
}

std::string kv(const icmpt_event &ev)
{
	std::string s;
	format_kv(ev, s);
	return s;
}

std::string json(const icmpt_event &ev)
{
	std::string s;
	format_json(ev, FormatContext{"h"}, s);
	json_shape(s);	// throws on invalid JSON
	return s;
}

void has(const std::string &s, const char *want)
{
	if (s.find(want) == std::string::npos)
		fail_msg("missing \"%s\" in %s", want, s.c_str());
}

void lacks(const std::string &s, const char *bad)
{
	if (s.find(bad) != std::string::npos)
		fail_msg("unexpected \"%s\" in %s", bad, s.c_str());
}

void test_frag_needed(void **)
{
	icmpt_event ev = error4(3, 4);
	ev.detail.u.error.mtu = 1000;
	assert_string_equal(text_body(ev).c_str(),
			    "DestinationUnreachable(FragmentationNeeded) mtu=1000 "
			    "inner=udp 198.18.0.1:40000>198.18.1.2:33434");
	std::string k = kv(ev);
	has(k, " csum_check=ok detail=error mtu=1000 orig_len=0 inner_version=4 "
	       "inner_proto=17 inner_src=198.18.0.1 inner_dst=198.18.1.2 inner_ttl=1 "
	       "inner_ip_len=1400 inner_ip_id=77 inner_sport=40000 inner_dport=33434 "
	       "container= hostname=\n");
	lacks(k, "pointer=");
	has(json(ev), ",\"csum_check\":\"ok\",\"detail\":{\"kind\":\"error\",\"mtu\":1000,"
		      "\"orig_len\":0},\"inner\":{\"version\":4,\"proto\":17,"
		      "\"src\":\"198.18.0.1\",\"dst\":\"198.18.1.2\",\"ttl\":1,\"ip_len\":1400,"
		      "\"ip_id\":77,\"sport\":40000,\"dport\":33434}}}\n");
}

void test_time_exceeded_inner_echo(void **)
{
	icmpt_event ev = error4(11, 0);
	icmpt_inner &in = ev.detail.inner;
	in.flags = ICMPT_INNER_IP | ICMPT_INNER_ICMP | ICMPT_INNER_ECHO | ICMPT_INNER_TRUNCATED;
	in.proto = 1;
	in.icmp_type = 8;
	in.id = 5;
	in.seq = 9;
	assert_string_equal(text_body(ev).c_str(),
			    "TimeExceeded(TTLExceeded) inner=icmp 198.18.0.1>198.18.1.2 "
			    "EchoRequest id=5 seq=9 inner_flags=truncated");
	std::string k = kv(ev);
	has(k, " inner_type=8 inner_code=0 inner_id=5 inner_seq=9 inner_flags=truncated "
	       "container= hostname=\n");
	lacks(k, "mtu=");
	lacks(k, "inner_sport");
}

void test_redirect_and_pointer(void **)
{
	icmpt_event ev = error4(5, 1);
	v4(ev.detail.u.error.gateway, "198.18.0.254");
	assert_true(text_body(ev).starts_with("Redirect(Host) gw=198.18.0.254 inner=udp"));
	has(kv(ev), " detail=error gateway=198.18.0.254 inner_version=4");

	ev = error4(12, 0);
	ev.detail.u.error.pointer = 9;
	ev.detail.u.error.orig_len = 28;
	assert_true(text_body(ev).starts_with(
		"ParameterProblem(PointerIndicatesError) ptr=9 olen=28 inner="));
	has(kv(ev), " detail=error pointer=9 orig_len=28 inner_");
}

void test_timestamp(void **)
{
	icmpt_event ev = error4(14, 0);
	ev.pkt.flags = ICMPT_PKT_CSUM_OK;
	std::memset(&ev.detail, 0, sizeof(ev.detail));
	ev.detail.kind = ICMPT_DET_TSTAMP;
	ev.detail.u.tstamp = {7, 8, 1000, 2000, 3000};
	assert_string_equal(text_body(ev).c_str(),
			    "TimestampReply id=7 seq=8 orig=1000 recv=2000 xmit=3000");
	has(kv(ev), " detail=tstamp icmp_id=7 icmp_seq=8 orig=1000 recv=2000 xmit=3000 "
		    "container= hostname=\n");
	has(json(ev), "\"detail\":{\"kind\":\"tstamp\",\"id\":7,\"seq\":8,\"orig\":1000,"
		      "\"recv\":2000,\"xmit\":3000}}}");
}

void test_v6_packet_too_big(void **)
{
	icmpt_event ev = v6_event(2, 0, ICMPT_DET_ERROR);
	ev.pkt.flags |= ICMPT_PKT_HAS_INNER;
	ev.detail.u.error.mtu = 1280;
	icmpt_inner &in = ev.detail.inner;
	in.flags = ICMPT_INNER_IP | ICMPT_INNER_PORTS;
	in.version = 6;
	in.proto = 17;
	in.sport = 1;
	in.dport = 2;
	v6(in.saddr, "2001:db8::1");
	v6(in.daddr, "2001:db8:1::2");
	assert_string_equal(text_body(ev).c_str(),
			    "PacketTooBig mtu=1280 inner=udp [2001:db8::1]:1>[2001:db8:1::2]:2");
	has(kv(ev), " detail=error mtu=1280 inner_version=6 inner_proto=17 "
		    "inner_src=2001:db8::1 inner_dst=2001:db8:1::2 ");
}

void test_neighbor(void **)
{
	icmpt_event ev = v6_event(136, 0, ICMPT_DET_NDP_NEIGH);
	v6(ev.detail.u.neigh.target, "fe80::1");
	ev.detail.u.neigh.flags = ICMPT_NA_SOLICITED | ICMPT_NA_OVERRIDE;
	icmpt_ndp_opts &o = ev.detail.u.neigh.opts;
	o.lladdr_len = 6;
	o.lladdr_type = 2;
	o.nr_opts = 1;
	std::memcpy(o.lladdr, "\x02\x00\x00\x00\x00\xab", 6);
	assert_string_equal(text_body(ev).c_str(),
			    "NeighborAdvertisement target=fe80::1 na=SO tlla=02:00:00:00:00:ab");
	has(kv(ev), " detail=neigh target=fe80::1 na_flags=0x60 lladdr=02:00:00:00:00:ab "
		    "lladdr_type=target nr_opts=1 container= hostname=\n");

	ev = v6_event(135, 0, ICMPT_DET_NDP_NEIGH);
	v6(ev.detail.u.neigh.target, "2001:db8::2");
	assert_string_equal(text_body(ev).c_str(), "NeighborSolicitation target=2001:db8::2");
	lacks(kv(ev), "na_flags");
}

void test_v6_redirect_mld(void **)
{
	icmpt_event ev = v6_event(137, 0, ICMPT_DET_NDP_REDIRECT);
	v6(ev.detail.u.redirect.target, "fe80::9");
	v6(ev.detail.u.redirect.dest, "2001:db8::7");
	assert_string_equal(text_body(ev).c_str(), "Redirect target=fe80::9 dest=2001:db8::7");

	ev = v6_event(131, 0, ICMPT_DET_MLD);
	v6(ev.detail.u.mld.mcast, "ff02::1:ff00:1");
	ev.detail.u.mld.version = 1;
	has(kv(ev), " detail=mld mcast=ff02::1:ff00:1 mld_version=1 max_resp_code=0 ");
	assert_string_equal(text_body(ev).c_str(), "131(0) mcast=ff02::1:ff00:1 v=1 maxresp_ms=0");
}

// Checksum wrong, fragments: said on the line, no body decoded for a fragment.
void test_anomalies(void **)
{
	icmpt_event ev = sample_echo_request();
	ev.pkt.flags |= ICMPT_PKT_CSUM_BAD;
	std::string s;
	format_text(ev, s);
	has(s, " flags=csum_bad ");
	has(kv(ev), " csum_check=bad detail=echo");

	ev = error4(3, 3);
	ev.pkt.flags = ICMPT_PKT_FRAGMENT | ICMPT_PKT_HAS_INNER;
	s.clear();
	format_text(ev, s);
	has(s, " fragment len=");	// no checksum was read
	lacks(s, "inner=");
	std::string k = kv(ev);
	has(k, " csum_check=none detail=error container= hostname=\n");

	ev = sample_echo_request();
	ev.pkt.flags |= ICMPT_PKT_MORE_FRAGS;
	s.clear();
	format_text(ev, s);
	has(s, " flags=more_frags ");
}

} // namespace

int main()
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frag_needed),
		cmocka_unit_test(test_time_exceeded_inner_echo),
		cmocka_unit_test(test_redirect_and_pointer),
		cmocka_unit_test(test_timestamp),
		cmocka_unit_test(test_v6_packet_too_big),
		cmocka_unit_test(test_neighbor),
		cmocka_unit_test(test_v6_redirect_mld),
		cmocka_unit_test(test_anomalies),
	};
	return cmocka_run_group_tests_name("detail formats", tests, nullptr, nullptr);
}
