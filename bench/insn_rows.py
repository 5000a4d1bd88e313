#!/usr/bin/python3
"""bench/insn_rows.py LOG RAW: the instructions of each bench/insn.sh interval.

LOG is the --insn-log file of the VM run (lines "insn_mark SEQ by=V vcpu0=N vcpu1=M
tb0=.. tb1=.. [mem0=.. mem1=..]"), RAW the run's "R metric config round value" lines
(insn_mark: the interval's first SEQ; insn_units: datagrams, KiB or echoes).  Prints,
per configuration and round,
  R insn_all CONFIG ROUND v    instructions per unit, all vCPUs summed
  R insn_vK CONFIG ROUND v     the same on vCPU K alone
  R insn_tb_vK CONFIG ROUND v  translated blocks executed per unit on vCPU K
  R insn_mem_vK CONFIG ROUND v memory accesses per unit on vCPU K (ICMPT_INSN_MEM=1)
Exits 1 if the log does not hold the marks the run says it made (insn_last).
"""
import re
import sys


def main(log, raw):
    marks, extra = {}, {}
    for line in open(log, errors="replace"):
        m = re.match(r"insn_mark (\d+) by=\d+ ((?:vcpu\d+=\d+ ?)+)((?: (?:tb|mem)\d+=\d+)*)$",
                     line.strip())
        if m:
            marks[int(m.group(1))] = [int(v) for v in re.findall(r"=(\d+)", m.group(2))]
            extra[int(m.group(1))] = {k: int(v) for k, v in re.findall(r"(\w+\d+)=(\d+)", m.group(3))}
    first, units, last = {}, {}, None
    for line in open(raw):
        p = line.split()
        if len(p) != 5 or p[0] != "R":
            continue
        if p[1] == "insn_mark":
            first[(p[2], p[3])] = int(p[4])
        elif p[1] == "insn_units":
            units[(p[2], p[3])] = float(p[4])
        elif p[1] == "insn_last":
            last = int(p[4])
    if last is None or max(marks, default=-1) != last or len(marks) != last + 1:
        sys.exit(f"insn_rows: {log} has marks 0..{max(marks, default=-1)} ({len(marks)}), "
                 f"the run made 0..{last}: another program ran the marker?")
    for key, s in sorted(first.items()):
        a, b, n = marks[s], marks[s + 1], units[key]
        d = [y - x for x, y in zip(a, b)]
        print(f"R insn_all {key[0]} {key[1]} {sum(d) / n:.1f}")
        for k, v in enumerate(d):
            print(f"R insn_v{k} {key[0]} {key[1]} {v / n:.1f}")
        for name in sorted(extra[s + 1]):
            if name in extra[s]:
                what, k = re.match(r"([a-z]+)(\d+)", name).groups()
                v = extra[s + 1][name] - extra[s][name]
                print(f"R insn_{what}_v{k} {key[0]} {key[1]} {v / n:.1f}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
