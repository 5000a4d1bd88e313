#!/bin/bash
# In a VM started with scripts/vm-run --insn-log FILE (called by scripts/bench --guest
# for the part "insn"): what icmptrace costs in guest instructions, counted per vCPU by
# the TCG plugin bench/insn_count.c between two marks (bench/insn_mark.h), instead of
# wall time, which TCG on a shared host spreads by ±20%.  ROUNDS rounds, each running
# every configuration, in an order reversed from round to round:
#   udp_off, udp_on    UDP_N datagrams (default 20,000) of 1,400 bytes from icmpt-a to
#                      icmpt-b over the veth, module not loaded / loaded (no reader):
#                      bench/insn_send on CPU 0, sending and reading back in lock step
#   tcp_off, tcp_on    TCP_BYTES bytes (default 32 MiB) in 64 KiB writes, the same way
#   udp_dis, tcp_dis   the same, loaded with recording off (icmptrace disable): the
#                      cost of the netfilter hooks being there at all
#   flood_CONFIG       ping -f -l 64 -c PINGS (default 20,000) from icmpt-a to icmpt-b on
#                      CPU 0, with: none (no module), loaded (no reader: once the rings
#                      are full every record is dropped before it is written, so this
#                      is not the hooks' cost), drain (bench/ring_drain --poll on CPU 1:
#                      every record written and given back, nothing formatted: the
#                      hooks' cost and the consumer's floor), text, json,
#                      pcapng (build/icmptrace [--json | -w /dev/null] on CPU 1), tcpdump
#                      (tcpdump -i any -nn -w /dev/null icmp in icmpt-a on CPU 1),
#                      tcpdump2 (one in each namespace); marks taken once the tracer
#                      listens and after a 1 s drain following the flood (as flood.sh)
#   bench/insn.sh MODULE ROUNDS
# Prints "R metric config round value" lines:
#   insn_mark   the SEQ of the interval's first mark (the second is SEQ + 1)
#   insn_units  what the interval did: datagrams, KiB, echoes sent
#   insn_ns     its wall time (with the program's start): what varies from round to
#               round is mostly work in proportion to time (timer ticks, the
#               reader's wake-ups, whose batches are time-based)
#   flood_rx    echo replies the flood got back; tracer_got, tracer_drop as flood.sh
#   insn_last   (config "-", round 0) the SEQ of the last mark, to check the log
# INSN_CONFIGS (names as above, e.g. "flood_none flood_drain flood_pcapng") runs a subset.
# bench/insn_rows.py turns them and the --insn-log file into instructions per unit.
# The namespaces icmpt-a and icmpt-b must exist, joined by a veth with 198.18.0.1/.2.
set -uo pipefail
ko=$1 rounds=$2
pings=${PINGS:-20000} udp_n=${UDP_N:-20000} tcp_bytes=${TCP_BYTES:-$((32 << 20))}
A="ip netns exec icmpt-a"
seq=0
module() { # on|off: load or unload icmptrace unless it already is
	local loaded=0
	[[ -d /sys/module/icmptrace ]] && loaded=1
	if [[ $1 == on ]]; then ((loaded)) || insmod "$ko"; else ((!loaded)) || rmmod icmptrace; fi
}
wait_line() { # FILE PATTERN: wait up to 20 s for PATTERN in FILE
	for _ in $(seq 200); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
	echo "insn: no '$2' in $1" >&2
	return 1
}
send() { # CONFIG udp|tcp COUNT SIZE UNITS: bench/insn_send makes both marks itself
	local out t0
	t0=$(date +%s%N)
	out=$(ip netns exec icmpt-b taskset -c 0 build/bench/insn_send "$2" "$3" "$4" icmpt-a 198.18.0.2) ||
		return 1
	[[ $out == sent=* ]] || return 1
	echo "R insn_mark $1 $round $seq"
	echo "R insn_units $1 $round $5"
	echo "R insn_ns $1 $round $(($(date +%s%N) - t0))"
	seq=$((seq + 2))
}
flood() { # CONFIG: the flood between two marks, the tracer (if any) already listening
	local first=$seq rx t0
	t0=$(date +%s%N)
	# Both marks from inside the namespace and the pin, so that the interval holds
	# no `ip netns exec` (which mounts a sysfs); what is still in the rings after
	# the flood is the tracer's work too: let it drain.
	# (A ping that lost echoes fails, but still gets its second mark.)
	$A taskset -c 0 sh -c 'build/bench/insn_mark || exit 1; ping -f -l 64 -q -c "$1" 198.18.0.2
		sleep 1; build/bench/insn_mark' - "$pings" >/tmp/flood.txt 2>&1 || return 1
	seq=$((seq + 2))
	rx=$(sed -nE 's/.* ([0-9]+) received.*/\1/p' /tmp/flood.txt)
	echo "R insn_mark flood_$1 $round $first"
	echo "R insn_units flood_$1 $round $pings"
	echo "R insn_ns flood_$1 $round $(($(date +%s%N) - t0))"
	echo "R flood_rx flood_$1 $round ${rx:-0}"
}
traced() { # CONFIG: the flood with CONFIG's tracers on CPU 1 (see the top)
	local c=$1 ns pids=() errs=() got=0 drop=0 e
	case $c in
	drain)
		module on || return 1
		taskset -c 1 build/bench/ring_drain --poll >/tmp/tr-drain.out 2>/tmp/tr-drain.err &
		pids=($!) errs=(/tmp/tr-drain.err)
		;;
	text | json | pcapng)
		module on || return 1
		local args=()
		[[ $c == json ]] && args=(--json)
		[[ $c == pcapng ]] && args=(-w /dev/null)
		taskset -c 1 build/icmptrace "${args[@]}" >/dev/null 2>/tmp/tr-icmptrace.err &
		pids=($!) errs=(/tmp/tr-icmptrace.err)
		;;
	*)
		module off || return 1
		for ns in icmpt-a icmpt-b; do
			[[ $ns == icmpt-b && $c == tcpdump ]] && break
			ip netns exec "$ns" taskset -c 1 tcpdump -i any -nn -w /dev/null icmp 2>"/tmp/tr-$ns.err" &
			pids+=($!) errs+=("/tmp/tr-$ns.err")
		done
		;;
	esac
	for e in "${errs[@]}"; do wait_line "$e" "listening on" || return 1; done
	flood "$c" || return 1
	kill -INT "${pids[@]}"
	wait "${pids[@]}"
	# Their closing counts: icmptrace's "N records, M dropped", tcpdump's "N packets
	# captured" and "M packets dropped by kernel", ring_drain's "drained=N".
	[[ $c == drain ]] && got=$(sed -nE 's/^drained=([0-9]+).*/\1/p' /tmp/tr-drain.out)
	[[ $c == drain ]] && errs=()
	for e in "${errs[@]}"; do
		got=$((got + $(sed -nE 's/^(icmptrace: )?([0-9]+) (records|packets? captured).*/\2/p' "$e" | head -1)))
		drop=$((drop + $(sed -nE 's/^icmptrace: [0-9]+ records, ([0-9]+) dropped.*/\1/p; s/^([0-9]+) packets? dropped by kernel.*/\1/p' "$e" | head -1)))
	done
	echo "R tracer_got flood_$c $round $got"
	echo "R tracer_drop flood_$c $round $drop"
}

# A warm-up of every path, not counted: first-time costs (page cache, slab growth,
# translation of new code) would land in whichever configuration runs first.
module off
ip netns exec icmpt-b taskset -c 0 build/bench/insn_send udp 2000 1400 icmpt-a 198.18.0.2 >/dev/null &&
	ip netns exec icmpt-b taskset -c 0 build/bench/insn_send tcp $((4 << 20)) 65536 icmpt-a 198.18.0.2 >/dev/null &&
	$A taskset -c 0 ping -f -l 64 -q -c 2000 198.18.0.2 >/dev/null || exit 1
seq=4

configs=(udp_off udp_on udp_dis tcp_off tcp_on tcp_dis flood_none flood_loaded flood_drain flood_text flood_json flood_pcapng
	flood_tcpdump flood_tcpdump2)
# INSN_CONFIGS="flood_none flood_pcapng ...": a subset, in this order.
[[ -n ${INSN_CONFIGS:-} ]] && read -ra configs <<<"$INSN_CONFIGS"
for round in $(seq "$rounds"); do
	order=("${configs[@]}")
	if ((round % 2 == 0)); then
		order=()
		for ((i = ${#configs[@]} - 1; i >= 0; i--)); do order+=("${configs[i]}"); done
	fi
	for c in "${order[@]}"; do
		case $c in
		udp_off) module off && send "$c" udp "$udp_n" 1400 "$udp_n" ;;
		udp_on) module on && send "$c" udp "$udp_n" 1400 "$udp_n" ;;
		tcp_off) module off && send "$c" tcp "$tcp_bytes" 65536 $((tcp_bytes / 1024)) ;;
		tcp_on) module on && send "$c" tcp "$tcp_bytes" 65536 $((tcp_bytes / 1024)) ;;
		udp_dis | tcp_dis)
			# Loaded, recording off: what the netfilter hooks cost by being there.
			module on && build/icmptrace disable >/dev/null || exit 1
			if [[ $c == udp_dis ]]; then
				send "$c" udp "$udp_n" 1400 "$udp_n"
			else
				send "$c" tcp "$tcp_bytes" 65536 $((tcp_bytes / 1024))
			fi
			r=$?
			build/icmptrace enable >/dev/null && ((r == 0))
			;;
		flood_none) module off && flood none ;;
		flood_loaded) module on && flood loaded ;;
		flood_*) traced "${c#flood_}" ;;
		esac || { echo "insn: $c failed in round $round" >&2; exit 1; }
	done
done
build/bench/insn_mark || exit 1
echo "R insn_last - 0 $seq"
