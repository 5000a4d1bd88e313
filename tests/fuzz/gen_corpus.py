#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write the seed corpus of fuzz_parse: one datagram per message kind and a
few edge cases, each behind the two control bytes fuzz_parse.c expects
(0x00: whole datagram captured; 0x80: prefix parse of half of it)."""
import os
import struct
import sys

S4, D4 = bytes([192, 0, 2, 1]), bytes([198, 51, 100, 7])
S6 = bytes.fromhex("20010db8000000000000000000000001")
D6 = bytes.fromhex("20010db800000042000000000000abcd")
MAC = bytes.fromhex("021122334455")
TGT = bytes.fromhex("fe800000000000000200ffe000000099")
MC = bytes.fromhex("ff0200000000000000000000000000fb")


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def icmp(t, c, rest=0, body=b"", pseudo=b""):
    m = struct.pack("!BBHI", t, c, 0, rest) + body
    if pseudo:
        pseudo += struct.pack("!I3xB", len(m), 58)
    return m[:2] + struct.pack("!H", csum(pseudo + m)) + m[4:]


def ip4(payload, proto=1, opts=b"", frag=0, src=S4, dst=D4):
    hl = 20 + len(opts)
    return struct.pack("!BBHHHBB2x4s4s", 0x40 | hl // 4, 0, hl + len(payload),
                       0x1234, frag, 64, proto, src, dst) + opts + payload


def ip6(payload, nh=58, src=S6, dst=D6):
    return struct.pack("!IHBB16s16s", 0x60000000, len(payload), nh, 64,
                       src, dst) + payload


def p4(t, c, rest=0, body=b""):
    return ip4(icmp(t, c, rest, body))


def p6(t, c, rest=0, body=b""):
    return ip6(icmp(t, c, rest, body, S6 + D6))


UDP = struct.pack("!HHHH", 40000, 33434, 12, 0) + b"abcd"
IN4 = ip4(UDP, 17, src=D4, dst=S4)
IN6 = ip6(UDP, 17, src=D6, dst=S6)
ECHO4 = ip4(icmp(8, 0, 0xbeef0007, b"x" * 8), src=D4, dst=S4)
ECHO6 = ip6(icmp(128, 0, 0x77770003, pseudo=D6 + S6), src=D6, dst=S6)
SLLA, TLLA = b"\1\1" + MAC, b"\2\1" + MAC

seeds = {
    "v4-echo": p4(8, 0, 0x04d20001, b"\0" * 56),
    "v4-echo-reply": p4(0, 0, 0x04d20001, b"\0" * 56),
    "v4-unreach-port": p4(3, 3, 0, IN4),
    "v4-frag-needed": p4(3, 4, 0x00200578, IN4),
    "v4-source-quench": p4(4, 0, 0, IN4),
    "v4-redirect": p4(5, 1, 0xc00002fe, IN4),
    "v4-time-exceeded": p4(11, 0, 0, ECHO4),
    "v4-param-problem": p4(12, 0, 0x14000000, IN4),
    "v4-timestamp": p4(13, 0, 0x00110022, bytes(range(12))),
    "v4-timestamp-reply": p4(14, 0, 0x00110022, bytes(range(12))),
    "v4-info": p4(15, 0, 0xabcd0102),
    "v4-info-reply": p4(16, 0, 0xabcd0102),
    "v4-mask": p4(17, 0, 0x00070008, b"\xff\xff\xf0\0"),
    "v4-mask-reply": p4(18, 0, 0x00070008, b"\xff\xff\xf0\0"),
    "v4-router-adv": p4(9, 0, 0x02020708, bytes(16)),
    "v4-router-sol": p4(10, 0),
    "v4-ext-echo": p4(42, 0, 0x12340901, bytes.fromhex("200000000008030200000002")),
    "v4-ext-echo-reply": p4(43, 0, 0x12340946),
    "v4-options": ip4(icmp(8, 0, 1), opts=b"\1" * 12),
    "v4-fragment": ip4(icmp(8, 0, 1, b"x" * 8), frag=185),
    "v4-first-fragment": ip4(icmp(8, 0, 1, b"x" * 8), frag=0x2000),
    "v4-bad-ihl": b"\x43" + p4(8, 0, 1)[1:],
    "v4-inner-options": p4(3, 3, 0, ip4(UDP[:8], 17, opts=b"\1" * 8)),
    "v6-echo": p6(128, 0, 0x00010203, b"\0" * 56),
    "v6-echo-reply": p6(129, 0, 0x00010203, b"\0" * 56),
    "v6-unreach": p6(1, 4, 0, IN6),
    "v6-packet-too-big": p6(2, 0, 1280, IN6),
    "v6-time-exceeded": p6(3, 0, 0, ECHO6),
    "v6-param-problem": p6(4, 1, 6, IN6),
    "v6-router-sol": p6(133, 0, 0, SLLA),
    "v6-router-adv": p6(134, 0, 0x40c00708, struct.pack("!II", 30000, 1000)
                        + bytes.fromhex("05010000000005dc") + SLLA),
    "v6-neighbor-sol": p6(135, 0, 0, TGT + SLLA),
    "v6-neighbor-adv": p6(136, 0, 0xe0000000, TGT + TLLA),
    "v6-redirect": p6(137, 0, 0, TGT + D6 + TLLA),
    "v6-mld-query": p6(130, 0, 0x27100000, MC),
    "v6-mld-report": p6(131, 0, 0, MC),
    "v6-mld-done": p6(132, 0, 0, MC),
    "v6-mld2-query": p6(130, 0, 0x81230000, MC + b"\x0a\x7d\0\1" + S6),
    "v6-mld2-report": p6(143, 0, 1, b"\4\0\0\0" + MC),
    "v6-ext-echo": p6(160, 0, 0xabcd0501),
    "v6-ext-echo-reply": p6(161, 0, 0xabcd0505),
    "v6-inner-ext": p6(2, 0, 1400, ip6(bytes.fromhex("2c00010400000000")
                       + bytes.fromhex("11000001deadbeef") + UDP[:8], 0)),
}

# Extension header chain before an echo request, and a non-first fragment.
e = icmp(128, 0, 0x00090001, b"ping", S6 + D6)
seeds["v6-ext-chain"] = ip6(bytes.fromhex("3c00010400000000") +
                            bytes.fromhex("2b01010c") + bytes(12) +
                            bytes.fromhex("33020000") + bytes(20) +
                            bytes.fromhex("3a04") + bytes(22) + e, 0)
seeds["v6-fragment"] = ip6(bytes.fromhex("3a000320" "01020304") + e, 44)
bad = bytearray(p4(8, 0, 1, b"abc"))
bad[-1] ^= 0x40
seeds["v4-bad-csum"] = bytes(bad)

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "corpus")
os.makedirs(out, exist_ok=True)
for name, pkt in sorted(seeds.items()):
    with open(os.path.join(out, name), "wb") as f:
        f.write(b"\x00\x80" + pkt)
print("%d seeds in %s" % (len(seeds), out))
