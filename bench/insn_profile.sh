#!/bin/bash
# bench/insn_profile.sh [--kernel TARGET] [--pings N] [OUTDIR]: where the flood's
# guest instructions go, function by function.  One VM run (single-threaded TCG)
# with the counting plugin in profile mode (bench/insn_count.c, ICMPT_INSN_PROFILE=1),
# three intervals between marks, each `ping -f -l 64 -c N` (default 20,000) from
# icmpt-a to icmpt-b on CPU 0 as in bench/insn.sh:
#   none    no module
#   drain   icmptrace loaded, bench/ring_drain --poll on CPU 1 (every record
#           written, nothing formatted)
#   text    icmptrace loaded, build/icmptrace (text, lines to /dev/null) on CPU 1
# Writes OUTDIR (default build/bench/profile)/{insn.log,raw.txt,kallsyms.txt} and
# prints bench/insn_profile.py's tables: the functions that cost most per echo on
# CPU 0 (ping and the hooks) beyond no module's, and on CPU 1 (the tracer).
# The guest part: bench/insn_profile.sh --guest PINGS OUTDIR (the module: $IT_MODULE,
# the one scripts/vm-run built for TARGET).
set -uo pipefail

if [[ ${1:-} == --guest ]]; then
	ko=${IT_MODULE:?} pings=$2 out=$3
	A="ip netns exec icmpt-a"
	ip netns add icmpt-a && ip netns add icmpt-b &&
		ip link add va netns icmpt-a type veth peer name vb netns icmpt-b &&
		ip -n icmpt-a addr add 198.18.0.1/24 dev va && ip -n icmpt-b addr add 198.18.0.2/24 dev vb &&
		ip -n icmpt-a link set va up && ip -n icmpt-b link set vb up &&
		ip -n icmpt-a link set lo up && ip -n icmpt-b link set lo up || exit 1
	flood() { # the flood between two marks, from inside the namespace and the pin
		$A taskset -c 0 sh -c 'build/bench/insn_mark || exit 1
			ping -f -l 64 -q -c "$1" 198.18.0.2 >/dev/null; sleep 1; build/bench/insn_mark' - "$pings"
	}
	wait_line() { # FILE PATTERN
		for _ in $(seq 200); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
		echo "insn_profile: no '$2' in $1" >&2
		return 1
	}
	traced() { # CONFIG PROGRAM ARGS...: the flood with a tracer on CPU 1
		local c=$1 pid
		shift
		taskset -c 1 "$@" >/dev/null 2>/tmp/prof-tracer.err &
		pid=$!
		wait_line /tmp/prof-tracer.err "listening on" || return 1
		echo "R prof_interval $c 0 $seq"
		flood || return 1
		seq=$((seq + 2))
		kill -INT $pid
		wait $pid
	}
	# vm-run loaded the module: the first interval has none.
	if [[ -d /sys/module/icmptrace ]]; then rmmod icmptrace || exit 1; fi
	# A warm-up, not counted; then marks 0 and 1 hold the first interval.
	$A taskset -c 0 ping -f -l 64 -q -c 2000 198.18.0.2 >/dev/null || exit 1
	seq=0
	echo "R prof_interval none 0 $seq"
	flood || exit 1
	seq=$((seq + 2))
	insmod "$ko" || exit 1
	traced drain build/bench/ring_drain --poll || exit 1
	traced text build/icmptrace || exit 1
	# Module addresses are those of this load.
	cat /proc/kallsyms >"$out/kallsyms.txt"
	echo "R prof_pings - 0 $pings"
	exit 0
fi

# ---- on the host ----
cd "$(dirname "$0")/.." || exit 1
kernel=bookworm pings=20000
while (($#)); do
	case $1 in
	--kernel) kernel=$2; shift ;;
	--pings) pings=$2; shift ;;
	-h | --help) sed -n '2,15p' "$0"; exit 0 ;;
	-*) echo "insn_profile: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
	shift
done
out=$(realpath -m "${1:-build/bench/profile}")
mkdir -p "$out" build/bench || exit 1
make -s reader || exit 1
gcc -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter -Wno-sign-compare -Itests/vm -Iinclude/uapi \
	-o build/bench/ring_drain bench/ring_drain.c tests/vm/ringlib.c tests/vm/vmlib.c || exit 1
ICMPT_INSN_PROFILE=1 scripts/vm-run --kernel "$kernel" --tcg single --timeout 3600 \
	--insn-log "$out/insn.log" --append "tsc=reliable clocksource=tsc" \
	-- bench/insn_profile.sh --guest "$pings" "$out" >"$out/raw.txt" || {
	echo "insn_profile: the VM run failed ($out/raw.txt)" >&2
	exit 1
}
python3 bench/insn_profile.py "$out/insn.log" "$out/raw.txt" "$out/kallsyms.txt"
