#!/bin/bash
# In the VM (called by scripts/bench --guest): the flood benchmark of issues 11 and 13.
# A `ping -f -l 64` of PINGS echoes (default 50,000) from namespace icmpt-a to icmpt-b,
# pinned to CPU 0, timed with nothing else running ("none"), with the module loaded
# and no reader ("loaded"), and with a tracer pinned to CPU 1: the reader as text, as
# JSON, writing pcapng (-w /dev/null), and tcpdump -i any -nn -w /dev/null icmp in
# namespace icmpt-a ("tcpdump", what the issue measured) or in both namespaces
# ("tcpdump2": the same packets icmptrace sees, each at both ends).  Two floors of the
# reader's cost: its real loop with no line written ("summary": --summary, which reads,
# merges, derives and counts every record) and a bare consumer that sleeps as the
# reader does and only moves consumer_pos ("drain": bench/ring_drain --poll).  Every
# round runs all configurations, in an order reversed from round to round.
#   bench/flood.sh MODULE ROUND
# Prints "R metric config round value" lines:
#   flood_ns   wall time of the flood
#   flood_rx   echo replies the flood got back
#   tracer_cs  the tracer's own CPU time (user + system), centiseconds: tick samples
#   tracer_ns  the same as the scheduler's run time (schedstat), nanoseconds: exact,
#              where a tick-sampled time can miss or double short runs
#   tracer_wake the tracer's voluntary context switches (its sleeps, so its wakeups)
#   tracer_got records (packets) the tracer reported at its end
#   tracer_drop records (packets) it reported dropped
# The namespaces icmpt-a and icmpt-b must exist, joined by a veth with 198.18.0.1/.2.
set -uo pipefail
ko=$1 round=$2
pings=${PINGS:-50000}
A="ip netns exec icmpt-a"
mod_on() { [[ -d /sys/module/icmptrace ]] || insmod "$ko"; }
mod_off() { [[ ! -d /sys/module/icmptrace ]] || rmmod icmptrace; }
wait_line() { # FILE PATTERN: wait up to 20 s for PATTERN in FILE
	for _ in $(seq 200); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
	echo "flood: no '$2' in $1" >&2
	return 1
}
cpu_cs() { # PID...: user + system time of the processes, in clock ticks (1/100 s)
	local p t=0
	for p in "$@"; do
		t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat")))
	done
	echo $t
}
run_ns() { # PID...: the run time of all their threads (schedstat's first field), ns
	local p f t=0 a
	for p in "$@"; do
		for f in /proc/"$p"/task/*/schedstat; do
			read -r a _ <"$f" && t=$((t + a))
		done
	done
	echo $t
}
sleeps() { # PID...: voluntary context switches of all their threads
	local p t=0
	for p in "$@"; do
		t=$((t + $(awk '/^voluntary_ctxt_switches/ {s += $2} END {print s + 0}' /proc/"$p"/task/*/status)))
	done
	echo $t
}
flood() { # CONFIG: times the flood, prints its R lines
	local t0 t1 rx
	t0=$(date +%s%N)
	$A taskset -c 0 ping -f -l 64 -q -c "$pings" 198.18.0.2 >/tmp/flood.txt 2>&1
	t1=$(date +%s%N)
	rx=$(sed -nE 's/.* ([0-9]+) received.*/\1/p' /tmp/flood.txt)
	echo "R flood_ns $1 $round $((t1 - t0))"
	echo "R flood_rx $1 $round ${rx:-0}"
}
reader() { # CONFIG ARGS...: the flood with the reader (or ARGS' program) on CPU 1
	local c=$1 rd c0 c1 n0 n1 w0 w1 prog=build/icmptrace out=/dev/null
	shift
	# Lines go to /dev/null, as tcpdump's packets do: a file in the guest's
	# tmpfs would charge the page cache's copy of them to the tracer (a JSON
	# line is over 1 KB: 200,000 fill hundreds of MB).  ring_drain's one line
	# of counts is kept.
	[[ $c == drain ]] && prog=build/bench/ring_drain out=/tmp/reader.out
	mod_on
	taskset -c 1 $prog "$@" >"$out" 2>/tmp/reader.err &
	rd=$!
	wait_line /tmp/reader.err "listening on" || return 1
	c0=$(cpu_cs $rd) n0=$(run_ns $rd) w0=$(sleeps $rd)
	flood "$c"
	# What is still in the rings is the tracer's work too: let it drain.
	sleep 1
	c1=$(cpu_cs $rd) n1=$(run_ns $rd) w1=$(sleeps $rd)
	kill -INT $rd
	wait $rd
	echo "R tracer_cs $c $round $((c1 - c0))"
	echo "R tracer_ns $c $round $((n1 - n0))"
	echo "R tracer_wake $c $round $((w1 - w0))"
	[[ $c == drain ]] || : >/tmp/reader.out
	echo "R tracer_got $c $round $(sed -nE 's/^icmptrace: ([0-9]+) (records|packets).*/\1/p; s/^drained=([0-9]+).*/\1/p' /tmp/reader.err /tmp/reader.out | head -1)"
	echo "R tracer_drop $c $round $(sed -nE 's/^icmptrace: [0-9]+ records, ([0-9]+) dropped.*/\1/p' /tmp/reader.err)"
	# Said only when a ring was full: the reader's slowest chunk and its output's part.
	sed -nE "s/^icmptrace: the reader's slowest chunk of records took ([0-9.]+) ms, ([0-9.]+) ms.*/R tracer_chunk_ms $c $round \1\nR tracer_chunk_out_ms $c $round \2/p" /tmp/reader.err
}
tcpdumps() { # CONFIG NS...: the flood with one tcpdump per namespace on CPU 1
	local c=$1 ns pids=() errs=() c0 c1 n0 n1 w0 w1 got=0 drop=0 e
	shift
	mod_off
	for ns in "$@"; do
		ip netns exec "$ns" taskset -c 1 tcpdump -i any -nn -w /dev/null icmp 2>"/tmp/td-$ns.err" &
		pids+=($!)
		errs+=("/tmp/td-$ns.err")
	done
	for e in "${errs[@]}"; do wait_line "$e" "listening on" || return 1; done
	c0=$(cpu_cs "${pids[@]}") n0=$(run_ns "${pids[@]}") w0=$(sleeps "${pids[@]}")
	flood "$c"
	sleep 1
	c1=$(cpu_cs "${pids[@]}") n1=$(run_ns "${pids[@]}") w1=$(sleeps "${pids[@]}")
	kill -INT "${pids[@]}"
	wait "${pids[@]}"
	for e in "${errs[@]}"; do
		got=$((got + $(sed -nE 's/^([0-9]+) packets? captured.*/\1/p' "$e")))
		drop=$((drop + $(sed -nE 's/^([0-9]+) packets? dropped by kernel.*/\1/p' "$e")))
	done
	echo "R tracer_cs $c $round $((c1 - c0))"
	echo "R tracer_ns $c $round $((n1 - n0))"
	echo "R tracer_wake $c $round $((w1 - w0))"
	echo "R tracer_got $c $round $got"
	echo "R tracer_drop $c $round $drop"
}

configs=(none loaded drain summary text json pcapng tcpdump tcpdump2)
if ((round % 2 == 0)); then
	for ((i = ${#configs[@]} - 1; i >= 0; i--)); do rev+=("${configs[i]}"); done
	configs=("${rev[@]}")
fi
for c in "${configs[@]}"; do
	case $c in
	none) mod_off && flood none ;;
	loaded) mod_on && flood loaded ;;
	text) reader text ;;
	json) reader json --json ;;
	pcapng) reader pcapng -w /dev/null ;;
	summary) reader summary --summary ;;
	drain) reader drain --poll ;;
	tcpdump) tcpdumps tcpdump icmpt-a ;;
	tcpdump2) tcpdumps tcpdump2 icmpt-a icmpt-b ;;
	esac || exit 1
done
