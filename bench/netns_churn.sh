#!/bin/bash
# Network namespace churn (issue 12 item 8), run in the VM by scripts/vm-run --no-module:
#   bench/netns_churn.sh CYCLES [KO [PARAMS...]]
# Creates and destroys CYCLES namespaces (unshare -n true) with KO loaded with PARAMS,
# or with no module when KO is "-" or absent, and prints one line:
#   churn module=NAME cycles=N wall_ms=W busy_ms=B busy_ms_per_cycle=X
# busy_ms is the CPU time all CPUs spent (from /proc/stat) until the kernel's deferred
# namespace cleanup has finished: the first full second after the loop no busier than
# the idle baseline measured before it (plus 2 ticks) ends the count (at most 120 s).
set -uo pipefail
cycles=${1:?cycles}
ko=${2:--}
shift 2 2>/dev/null || shift $#
hz=$(getconf CLK_TCK)
busy() { awk '/^cpu /{ print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
[[ -d /sys/module/icmptrace ]] && rmmod icmptrace
if [[ $ko != - ]]; then insmod "$ko" "$@" || exit 1; fi
sleep 1
i0=$(busy); sleep 2; idle=$((($(busy) - i0) / 2 + 2))
b0=$(busy) t0=$(date +%s%N)
for ((i = 0; i < cycles; i++)); do unshare -n true || exit 1; done
t1=$(date +%s%N)
prev=$(busy)
for ((w = 0; w < 120; w++)); do
	sleep 1
	now=$(busy)
	((now - prev <= idle)) && break
	prev=$now
done
b1=$prev
name=none
[[ $ko != - ]] && name="$(basename "$ko") $*"
echo "churn module=\"$name\" cycles=$cycles wall_ms=$(((t1 - t0) / 1000000))" \
	"busy_ms=$(((b1 - b0) * 1000 / hz))" \
	"busy_ms_per_cycle=$(awk -v b=$((b1 - b0)) -v h="$hz" -v c="$cycles" 'BEGIN { printf "%.2f", b * 1000 / h / c }')"
[[ -d /sys/module/icmptrace ]] && rmmod icmptrace
exit 0
