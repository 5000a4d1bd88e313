#!/usr/bin/python3
"""bench/insn_profile.py LOG RAW KALLSYMS [TOP]: bench/insn_profile.sh's tables.

LOG: the plugin's --insn-log file in profile mode ("insn_prof SEQ VADDR v0 v1": the
instructions each translated block ran on vCPU 0 and 1 in the interval that began
at mark SEQ); RAW: the run's "R prof_interval CONFIG 0 SEQ" and "R prof_pings - 0 N"
lines; KALLSYMS: the guest's /proc/kallsyms with the module loaded.  Each block is
charged to the function its first instruction is in (a block ends at a call or a
jump, so rarely spans two); addresses below the kernel's are "[user]".  Prints, per
echo, the functions that cost most on vCPU 0 beyond no module's (drain, text) and
on vCPU 1 (the tracers).
"""
import bisect
import collections
import re
import sys


def symbols(path):
    syms = []
    for line in open(path, errors="replace"):
        p = line.split()
        if len(p) < 3 or p[1] not in "tTwW":
            continue
        addr = int(p[0], 16)
        if addr:
            syms.append((addr, p[2] + (" " + p[3] if len(p) > 3 else "")))
    syms.sort()
    return [a for a, _ in syms], [n for _, n in syms]


def main(log, raw, kallsyms, top=25):
    addrs, names = symbols(kallsyms)
    if not addrs:
        sys.exit(f"insn_profile: no text symbols in {kallsyms} (run as root?)")
    intervals, pings = {}, None
    for line in open(raw):
        p = line.split()
        if len(p) == 5 and p[0] == "R" and p[1] == "prof_interval":
            intervals[int(p[4])] = p[2]
        elif len(p) == 5 and p[0] == "R" and p[1] == "prof_pings":
            pings = int(p[4])
    if not intervals or not pings:
        sys.exit(f"insn_profile: {raw} names no intervals")
    cost = collections.defaultdict(lambda: collections.Counter())  # (config, vcpu) -> fn -> n
    name_of = {}
    for line in open(log, errors="replace"):
        m = re.match(r"insn_prof (\d+) ([0-9a-f]+) (\d+) (\d+)$", line.strip())
        if not m or int(m.group(1)) not in intervals:
            continue
        cfg = intervals[int(m.group(1))]
        va = int(m.group(2), 16)
        fn = name_of.get(va)
        if fn is None:
            if va < 0xffff800000000000:
                fn = "[user]"
            else:
                i = bisect.bisect_right(addrs, va) - 1
                fn = names[i] if i >= 0 else "[kernel ?]"
            name_of[va] = fn
        cost[(cfg, 0)][fn] += int(m.group(3))
        cost[(cfg, 1)][fn] += int(m.group(4))

    def table(title, counter, total_note=""):
        tot = sum(counter.values())
        print(f"\n{title}: {tot / pings:,.0f} instructions an echo{total_note}")
        print("| function | per echo | share |")
        print("|---|---|---|")
        for fn, n in counter.most_common(top):
            if n <= 0:
                break
            print(f"| `{fn}` | {n / pings:,.0f} | {100 * n / tot:.1f}% |")

    base = cost[("none", 0)]
    for cfg in ("drain", "text"):
        if (cfg, 0) not in cost:
            continue
        d = collections.Counter(cost[(cfg, 0)])
        d.subtract(base)
        d = collections.Counter({k: v for k, v in d.items() if v > 0})
        table(f"vCPU 0 (ping and the hooks), {cfg}, beyond no module's (functions that grew)", d)
        mod = collections.Counter({k: v for k, v in d.items() if k.endswith("[icmptrace]")})
        print(f"\n  of which in icmptrace's own functions: {sum(mod.values()) / pings:,.0f} an echo")
    for cfg in ("drain", "text"):
        if (cfg, 1) in cost:
            table(f"vCPU 1 (the tracer), {cfg}", cost[(cfg, 1)])


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    main(*sys.argv[1:4], *(int(a) for a in sys.argv[4:5]))
