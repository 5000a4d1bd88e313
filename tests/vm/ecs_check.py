#!/usr/bin/python3
"""ecs_check.py TABLE FILE: the field check of `icmptrace --format ecs` lines.

Every line of FILE must be one JSON object whose every key (nested objects
joined by '.') is in TABLE (tests/unit/testdata/ecs_fields.tsv: key, type,
source) with a value of that type: keyword a string, long an integer in
int64, ip an IPv4/IPv6 address, date RFC 3339 UTC; an array holds values of
its key's type; null never.  ECS's allowed values are checked for
event.kind/category/type and network.direction.  Prints one summary line a
packet for the caller to compare with what it sent:
  direction type code source destination pid name user owner id seq
('-' where the line has no such field), and exits 1 on the first bad line.
The same check as tests/unit/test_ecs.cpp, for the reader's real output in
the VM (stdlib only: Debian's /usr/bin/python3).
"""
import datetime
import ipaddress
import json
import re
import sys

DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$")
ALLOWED = {
    "event.kind": {"alert", "asset", "enrichment", "event", "metric", "state",
                   "pipeline_error", "signal"},
    "event.category": {"network"},
    "event.type": {"connection", "protocol"},
    "network.direction": {"ingress", "egress", "inbound", "outbound", "internal",
                          "external", "unknown"},
}


def load_table(path):
    types = {}
    with open(path) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                key, typ = line.split()[:2]
                types[key] = typ
    return types


def valid(typ, v):
    if typ == "keyword":
        return isinstance(v, str)
    if typ == "long":
        return isinstance(v, int) and not isinstance(v, bool) and -2**63 <= v < 2**63
    if typ == "ip":
        try:
            ipaddress.ip_address(v)
            return isinstance(v, str)
        except ValueError:
            return False
    if typ == "date":
        if not isinstance(v, str) or not DATE.match(v):
            return False
        datetime.datetime.strptime(v[:19], "%Y-%m-%dT%H:%M:%S")
        return True
    raise SystemExit(f"unknown type {typ} in the table")


def flatten(obj, prefix, out):
    for k, v in obj.items():
        key = prefix + k
        if isinstance(v, dict):
            flatten(v, key + ".", out)
        else:
            out[key] = v


def check(line, types):
    doc = json.loads(line)
    if not isinstance(doc, dict):
        raise ValueError("not an object")
    flat = {}
    flatten(doc, "", flat)
    for key, v in flat.items():
        if key not in types:
            raise ValueError(f"{key} is not in the table")
        values = v if isinstance(v, list) else [v]
        for x in values:
            if not valid(types[key], x):
                raise ValueError(f"{key}={x!r} is not a {types[key]}")
        if key in ALLOWED and not set(values) <= ALLOWED[key]:
            raise ValueError(f"{key}={v!r}: not an allowed value")
    for key in ("@timestamp", "ecs.version", "event.kind", "event.category",
                "event.type", "network.type", "network.transport",
                "network.iana_number", "network.direction", "source.ip",
                "destination.ip", "icmp.version"):
        if key not in flat:
            raise ValueError(f"{key} missing")
    return flat


def main():
    types = load_table(sys.argv[1])
    n = 0
    with open(sys.argv[2], encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            try:
                flat = check(line, types)
            except (ValueError, json.JSONDecodeError) as e:
                print(f"line {n}: {e}: {line.strip()}")
                return 1
            kind = "request" if "icmp.request.type" in flat else "response"
            fields = ["network.direction", f"icmp.{kind}.type", f"icmp.{kind}.code",
                      "source.ip", "destination.ip", "process.pid", "process.name",
                      "user.id", "icmptrace.owner", "icmptrace.detail.id",
                      "icmptrace.detail.seq"]
            print(" ".join(str(flat.get(k, "-")) for k in fields))
    print(f"# {n} lines pass the field check")
    return 0 if n else 1


if __name__ == "__main__":
    sys.exit(main())
