#!/bin/bash
# Per-record cost of the hooks, stage by stage (issue 11 item 6), run in the VM by
# scripts/vm-run --no-module:  bench/stages.sh KO N ROUNDS
# KO is an ICMPT_BENCH=y build (kmod/icmpt_bench.c names the stages).  Each stage runs
# N times on CPU 0, ROUNDS rounds interleaved; prints "stage NAME ns_per_record ..." with
# one figure per round.
set -uo pipefail
ko=${1:?ko} n=${2:-200000} rounds=${3:-3}
param=/sys/module/icmptrace/parameters/bench
[[ -d /sys/module/icmptrace ]] && rmmod icmptrace
insmod "$ko" || exit 1
stages=(parse fill same put puttask get filter clock1 clock2 event solo)
declare -A res
for ((r = 0; r < rounds; r++)); do
	for s in "${stages[@]}"; do
		taskset -c 0 sh -c "echo '$s $n' > $param" || { echo "bench: $s failed" >&2; exit 1; }
		res[$s]+=" $(sed -n 's/.*ns_per_record=\([0-9.]*\).*/\1/p' $param)"
	done
done
for s in "${stages[@]}"; do echo "stage $s${res[$s]}"; done
rmmod icmptrace
