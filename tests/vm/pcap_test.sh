#!/bin/bash
# In the VM (tests/vm/run runs it as build/vm/pcap_test): icmptrace -w against
# tshark and tcpdump as oracles (issue 13).  TAP.
#   1 comments: each echo request the ping sent names its pid and comm, each
#     reply it got back too (owner matched), with the right direction
#   2 bytes: every ICMP packet tcpdump saw on the namespace's lo is in the file
#     byte for byte, once per hook (lo: out and in, so exactly twice)
#   3 an ICMP port unreachable quoting UDP names the UDP sender
#   4 -r of the file gives the live run's JSON lines (-w --print), all fields
#   5 -C/-W: the promised files, each read by tcpdump -r; -G/-W: 2 files, then exit
#   6 kill -9 of a writer leaves a file tshark reads
#   7 -w /dev/full fails with a message and a non-zero status
#   8 IDB if_name from the packet's namespace: a veth pair between a namespace
#     held by a process (unshare) and one of ip netns (no process in it); and
#     tcpdump -r reads the packets of both interfaces
#   9 -w - | head -c 100: the capture ends once head has left, exit 0 and no
#     error message
#  10 lines to a full disk with a COMMAND: exit 1, the summary, then the error
#     naming standard output; the command is stopped
#  11 -w onto a 64 KiB tmpfs under a flood: exit 1, and "N packets written"
#     is what the file holds, whole to its end (tshark and -r read it all)
#  12 -w - into a pipe nobody reads, then SIGINT: the run ends within 3 s
#     (it used to block in write(2) until SIGKILL), says what it could not
#     write, and exits 0
set -u
cd "$(dirname "$0")/../.." || exit 1
ICMPTRACE=${ICMPTRACE:-build/icmptrace}
NS=icmpt-pcap
T=/tmp/icmpt-pcap
n=0
failed=0
# IT_TIMEOUT_SCALE=N (slow guests, scripts/check-debug): every wait below is N times longer.
scale=${IT_TIMEOUT_SCALE:-1}
[[ $scale =~ ^[1-9][0-9]?$ ]] || scale=1

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1))
	echo "not ok $n - $1"
	shift
	for l in "$@"; do echo "#   $l"; done
	failed=1
}

# Starts icmptrace with ARGS in the background (pid in $reader); waits until it listens.
start_reader() {
	local err=$1
	shift
	"$ICMPTRACE" "$@" 2>"$err" &
	reader=$!
	local _
	for _ in $(seq $((200 * scale))); do
		grep -q "listening on" "$err" 2>/dev/null && return 0
		kill -0 "$reader" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

stop_reader() {
	kill -INT "$reader" 2>/dev/null
	wait "$reader"
}

# Hex of each packet from the IP header on, one packet a line.
packet_hex() {
	tcpdump -r "$1" -x 2>/dev/null | awk '
		/^\t0x/ { sub(/^\t0x[0-9a-f]+: +/, ""); gsub(/ /, ""); cur = cur $0; next }
		{ if (cur != "") print cur; cur = "" }
		END { if (cur != "") print cur }'
}

echo "TAP version 13"
echo "1..12"
rm -rf "$T" && mkdir -p "$T"
ip netns del "$NS" 2>/dev/null
if ! ip netns add "$NS" || ! ip -n "$NS" link set lo up; then
	echo "Bail out! no network namespace"
	exit 1
fi
nsarg=(--netns "/run/netns/$NS")

# --- one capture for tests 1-4 ---------------------------------------------
ip netns exec "$NS" tcpdump -i lo -U -w "$T/td.pcap" icmp 2>"$T/td.err" &
td=$!
sleep "$scale"
start_reader "$T/w.err" -w "$T/f.pcapng" --print --json "${nsarg[@]}" >"$T/live.json" ||
	echo "Bail out! icmptrace -w did not start: $(cat "$T/w.err")"
ip netns exec "$NS" ping -c 3 -i 0.2 -s 100 127.0.0.1 >/dev/null &
ping_pid=$!
wait "$ping_pid"
udp_pid=$(ip netns exec "$NS" /usr/bin/python3 -c '
import os, socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"icmptrace-udp", ("127.0.0.1", 9))
print(os.getpid())')
sleep "$scale"
stop_reader
kill -INT "$td"
wait "$td"

# 1: comments and directions of the ping's own packets.
tshark -r "$T/f.pcapng" -T fields -e icmp.type -e frame.packet_flags_direction \
	-e frame.comment >"$T/fields" 2>"$T/tshark.err"
req_out=$(awk -F'\t' '$1 == 8 && $2 == "0x00000002"' "$T/fields")
rep_in=$(awk -F'\t' '$1 == 0 && $2 == "0x00000001"' "$T/fields")
bad=$(printf '%s\n%s\n' "$req_out" "$rep_in" |
	grep -v "pid=$ping_pid .*comm=ping .*owner=\(sender\|matched\)" | grep -c .)
if [[ $(grep -c . <<<"$req_out") == 3 && $(grep -c . <<<"$rep_in") == 3 && $bad == 0 ]]; then
	ok "tshark: 3 requests out and 3 replies in, each with pid=$ping_pid comm=ping"
else
	not_ok "tshark comments of the ping's packets" "ping pid $ping_pid" \
		"$(head -c 2000 "$T/fields")" "$(head -c 400 "$T/tshark.err")"
fi

# 2: tcpdump's packets, byte for byte, twice each (LOCAL_OUT and LOCAL_IN of lo).
packet_hex "$T/td.pcap" | sort >"$T/td.hex"
packet_hex "$T/f.pcapng" | sort >"$T/f.hex"
doubled=$(sort "$T/td.hex" "$T/td.hex")
if [[ -s $T/td.hex && $doubled == "$(cat "$T/f.hex")" ]]; then
	ok "every one of tcpdump's $(wc -l <"$T/td.hex") ICMP packets is in the file twice, byte for byte"
else
	not_ok "file and tcpdump differ" "tcpdump: $(wc -l <"$T/td.hex") packets, file: $(wc -l <"$T/f.hex")" \
		"$(diff <(echo "$doubled") "$T/f.hex" | head -8)"
fi

# 3: the port unreachable names the UDP sender.
# The error as it arrives (inbound): its kernel-built send has owner=kernel.
unreach=$(awk -F'\t' '$1 == 3 && $2 == "0x00000001"' "$T/fields")
if [[ -n $unreach ]] && ! grep -vq "pid=$udp_pid .*comm=python3 .*owner=socket" <<<"$unreach"; then
	ok "port unreachable: pid=$udp_pid comm=python3 owner=socket"
else
	not_ok "port unreachable comment" "udp sender $udp_pid" "$unreach"
fi

# 4: -r gives the live JSON lines.
"$ICMPTRACE" -r "$T/f.pcapng" --json >"$T/read.json" 2>"$T/r.err"
if [[ -s $T/live.json ]] && cmp -s "$T/live.json" "$T/read.json"; then
	ok "-r --json equals the live --json: $(wc -l <"$T/live.json") lines"
else
	not_ok "-r --json differs from the live run" "$(diff "$T/live.json" "$T/read.json" | head -6 | cut -c1-400)" \
		"$(cat "$T/r.err")"
fi

# 5: rotation.
start_reader "$T/c.err" -w "$T/rot" -C 0.002 -W 3 "${nsarg[@]}" ||
	echo "# -C did not start: $(cat "$T/c.err")"
ip netns exec "$NS" ping -c 30 -i 0.05 127.0.0.1 >/dev/null
sleep "$scale"
stop_reader
start_reader "$T/g.err" -w "$T/g-%s.pcapng" -G 1 -W 2 "${nsarg[@]}" ||
	echo "# -G did not start: $(cat "$T/g.err")"
ip netns exec "$NS" ping -c 40 -i 0.1 127.0.0.1 >/dev/null
sleep "$scale"
g_alive=0
kill -0 "$reader" 2>/dev/null && g_alive=1
stop_reader
rot_ok=1 why=()
for f in "$T/rot0" "$T/rot1" "$T/rot2"; do
	tcpdump -r "$f" >/dev/null 2>&1 || { rot_ok=0; why+=("tcpdump -r $f failed"); }
done
[[ -e $T/rot3 || -e $T/rot ]] && { rot_ok=0; why+=("unexpected file: $(ls "$T")"); }
g_files=("$T"/g-*.pcapng)
[[ ${#g_files[@]} == 2 ]] || { rot_ok=0; why+=("-G -W 2 made ${#g_files[@]} files"); }
for f in "${g_files[@]}"; do
	tcpdump -r "$f" >/dev/null 2>&1 || { rot_ok=0; why+=("tcpdump -r $f failed"); }
done
((g_alive == 0)) || { rot_ok=0; why+=("-G -W 2 still running after its 2 files"); }
if ((rot_ok)); then
	ok "-C 0.002 -W 3: rot0 rot1 rot2; -G 1 -W 2: 2 files and exit; tcpdump reads all"
else
	not_ok "rotation" "${why[@]}"
fi

# 6: kill -9 mid-capture.
start_reader "$T/k.err" -w "$T/k.pcapng" "${nsarg[@]}"
ip netns exec "$NS" ping -c 10 -i 0.1 127.0.0.1 >/dev/null
sleep "$scale"
kill -9 "$reader"
wait "$reader" 2>/dev/null
k=$(tshark -r "$T/k.pcapng" 2>"$T/k.tshark" | grep -c ICMP)
if [[ $k -ge 10 ]]; then
	ok "after kill -9: tshark reads $k packets"
else
	not_ok "killed writer" "tshark: $k packets" "$(cat "$T/k.tshark")"
fi

# 7: a full disk.
"$ICMPTRACE" -w /dev/full -t 2 "${nsarg[@]}" 2>"$T/full.err"
rc=$?
if [[ $rc != 0 ]] && grep -q "No space left on device" "$T/full.err"; then
	ok "-w /dev/full: exit $rc, $(grep -m1 "No space" "$T/full.err")"
else
	not_ok "-w /dev/full" "exit $rc" "$(cat "$T/full.err")"
fi

# 8: interface names in other namespaces.  A: unshare'd, held by a sleep (no
# /run/netns name; found through the ping's pid), B: ip netns, nobody in it
# (found in /run/netns).  Both veth ends have the same ifindex in their own
# namespace, neither is the reader's.
NSB=icmpt-pcap-b
ip netns del "$NSB" 2>/dev/null
unshare -n sleep 600 &
holder=$!
for _ in $(seq 50); do
	[[ $(stat -Lc %i /proc/$holder/ns/net 2>/dev/null) != "$(stat -Lc %i /proc/self/ns/net)" ]] && break
	sleep 0.1
done
in_a() { nsenter -t "$holder" -n "$@"; }
if ip netns add "$NSB" &&
	ip link add icmpt-pa netns "$holder" type veth peer name icmpt-pb netns "$NSB" &&
	in_a ip addr add 10.99.0.1/24 dev icmpt-pa && in_a ip link set icmpt-pa up &&
	ip -n "$NSB" addr add 10.99.0.2/24 dev icmpt-pb && ip -n "$NSB" link set icmpt-pb up; then
	start_reader "$T/ns.err" -w "$T/ns.pcapng" -4 --netns "/proc/$holder/ns/net" \
		--netns "/run/netns/$NSB" || echo "# -w did not start: $(cat "$T/ns.err")"
	in_a ping -c 2 -i 0.2 10.99.0.2 >/dev/null
	sleep 1
	stop_reader
	tshark -r "$T/ns.pcapng" -T fields -e icmp.type -e frame.packet_flags_direction \
		-e frame.interface_name >"$T/ns.fields" 2>"$T/ns.tshark"
	# request out of A, in to B; reply out of B, in to A
	want=$(printf '%s\n' "8 0x00000002 icmpt-pa" "8 0x00000001 icmpt-pb" \
		"0 0x00000002 icmpt-pb" "0 0x00000001 icmpt-pa" | sort)
	got=$(tr '\t' ' ' <"$T/ns.fields" | sort -u)
	# tcpdump reads past the first interface (libpcap stops at a second
	# LINKTYPE_RAW one), all 8 packets.
	td_n=$(tcpdump -nn -r "$T/ns.pcapng" 2>"$T/ns.tcpdump" | grep -c ICMP)
	if [[ $got == "$want" && $(grep -c . "$T/ns.fields") == 8 && $td_n == 8 ]]; then
		ok "IDB names from the packets' namespaces: icmpt-pa (held by a process), icmpt-pb (ip netns); tcpdump -r reads all 8"
	else
		not_ok "IDB names of other namespaces" "$(head -c 800 "$T/ns.fields")" \
			"tcpdump -r: $td_n packets: $(cat "$T/ns.tcpdump")" "$(cat "$T/ns.tshark" "$T/ns.err")"
	fi
else
	not_ok "IDB names of other namespaces: no veth pair"
fi
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
ip netns del "$NSB"

# 9: a capture piped into head -c 100 (2 KB packets: one is more than head
# wants).  Before: exit 1 and "writing standard output: Broken pipe".
( "$ICMPTRACE" -w - "${nsarg[@]}" 2>"$T/pipe.err"; echo $? >"$T/pipe.rc" ) |
	head -c 100 >"$T/pipe.head" &
pipeline=$!
for _ in $(seq 200); do
	grep -q "listening on" "$T/pipe.err" 2>/dev/null && break
	sleep 0.1
done
ip netns exec "$NS" ping -c 6 -i 0.5 -s 2000 127.0.0.1 >/dev/null &
pinger=$!
for _ in $(seq 100); do
	[[ -s $T/pipe.rc ]] && break
	sleep 0.1
done
kill -0 "$pinger" 2>/dev/null && before_ping_end=1 || before_ping_end=0
rc=$(cat "$T/pipe.rc" 2>/dev/null)
wait "$pinger"
wait "$pipeline"
noise=$(grep -v -e "^icmptrace: filter: " -e "listening on" \
	-e "^icmptrace: [0-9]* records, 0 dropped$" "$T/pipe.err")
if [[ $rc == 0 && -z $noise && $before_ping_end == 1 && $(wc -c <"$T/pipe.head") == 100 ]]; then
	ok "-w - | head -c 100: exit 0 before the ping ended, stderr: $(tail -1 "$T/pipe.err")"
else
	not_ok "-w - into a closed pipe" "exit '${rc}', ended before the ping: $before_ping_end" \
		"$(cat "$T/pipe.err")"
fi

# 10: lines to a full disk, with a command.  Before: "write: No space left on
# device" alone, no summary, nothing said of the command.
"$ICMPTRACE" -- ip netns exec "$NS" ping -c 50 -i 0.2 127.0.0.1 >/dev/full 2>"$T/lfull.err"
rc=$?
sum=$(grep -n "^icmptrace: [0-9]* records, [0-9]* dropped" "$T/lfull.err" | cut -d: -f1)
err=$(grep -n "^icmptrace: writing standard output: No space left on device$" "$T/lfull.err" |
	cut -d: -f1)
left=$(pgrep -f "ping -c 50 -i 0.2 127.0.0.1")
if [[ $rc == 1 && -n $sum && -n $err && $sum -lt $err && -z $left ]] &&
	grep -q "sending it SIGTERM" "$T/lfull.err"; then
	ok "lines to /dev/full with a command: exit 1, summary, then $(sed -n "${err}p" "$T/lfull.err")"
else
	not_ok "lines to /dev/full with a command" "exit $rc, ping left: '${left}'" "$(cat "$T/lfull.err")"
	[[ -z $left ]] || kill "$left"
fi

# 11: a full disk under a flood.  Before: "515 packets written" for a file
# of 165, cut inside its last block.
mkdir -p "$T/small"
if mount -t tmpfs -o size=64k icmpt-small "$T/small"; then
	"$ICMPTRACE" -w "$T/small/x.pcapng" -s 0 -t $((8 * scale)) "${nsarg[@]}" 2>"$T/small.err" &
	writer=$!
	for _ in $(seq $((200 * scale))); do
		grep -q "listening on" "$T/small.err" 2>/dev/null && break
		sleep 0.1
	done
	ip netns exec "$NS" ping -f -c 2000 -s 200 127.0.0.1 >/dev/null 2>&1
	wait "$writer"
	rc=$?
	said=$(sed -n 's/^icmptrace: \([0-9]*\) packets written to 1 file; \([0-9]*\) not written.*/\1 \2/p' \
		"$T/small.err")
	in_file=$(tshark -r "$T/small/x.pcapng" 2>"$T/small.tshark" | grep -c .)
	tshark_err=$(grep -v -e "Running as user" -e "^ *$" "$T/small.tshark")
	read_err=$("$ICMPTRACE" -r "$T/small/x.pcapng" 2>&1 >/dev/null | grep -v "packets read")
	if [[ $rc == 1 && -n $said && ${said% *} == "$in_file" && ${said#* } -gt 0 && -z $tshark_err &&
		-z $read_err ]] && grep -q "No space left on device" "$T/small.err"; then
		ok "-w to a full tmpfs: exit 1, $in_file packets said and in the file, ${said#* } not written"
	else
		not_ok "-w to a full tmpfs" "exit $rc, said '${said}', tshark reads $in_file" \
			"$(cat "$T/small.err")" "${tshark_err}" "${read_err}"
	fi
	umount "$T/small"
else
	not_ok "-w to a full tmpfs: no tmpfs"
fi

# 12: a stalled pipe and a stop.
mkfifo "$T/stall"
exec 7<>"$T/stall"	# holds the FIFO open; nobody reads it
"$ICMPTRACE" -w "$T/stall" -s 0 "${nsarg[@]}" 2>"$T/stall.err" &
writer=$!
for _ in $(seq $((200 * scale))); do
	grep -q "listening on" "$T/stall.err" 2>/dev/null && break
	sleep 0.1
done
ip netns exec "$NS" ping -c 200 -i 0.01 -s 1400 127.0.0.1 >/dev/null 2>&1
kill -INT "$writer"
t0=$(date +%s%N)
for _ in $(seq $((100 * scale))); do
	kill -0 "$writer" 2>/dev/null || break
	sleep 0.05
done
ms=$((($(date +%s%N) - t0) / 1000000))
if kill -0 "$writer" 2>/dev/null; then
	kill -9 "$writer"
	wait "$writer"
	not_ok "-w into a stalled FIFO: still running $ms ms after SIGINT" "$(cat "$T/stall.err")"
else
	wait "$writer"
	rc=$?
	if [[ $rc == 0 ]] && grep -q "not written (the output took nothing after the stop)" "$T/stall.err"; then
		ok "-w into a stalled FIFO: SIGINT ended it in $ms ms, $(grep -o '[0-9]* not written' "$T/stall.err")"
	else
		not_ok "-w into a stalled FIFO, then SIGINT" "exit $rc after $ms ms" "$(cat "$T/stall.err")"
	fi
fi
exec 7>&-

ip netns del "$NS"
exit $failed
