#!/bin/bash
# UDP and TCP throughput over veth with several module builds side by side (issue 11
# item 6), run in the VM by scripts/vm-run --no-module:
#   bench/veth_ab.sh ROUNDS NAME=KO... (NAME=- : no module)
# iperf3 as scripts/bench runs it (client and server on CPU 0; UDP: the sender's rate).
# Configurations rotate round by round; prints "R tcp_bps|udp_bps NAME ROUND VALUE".
set -uo pipefail
rounds=${1:?rounds}; shift
A="ip netns exec icmpt-a" B="ip netns exec icmpt-b"
ip netns add icmpt-a && ip netns add icmpt-b &&
	ip link add va netns icmpt-a type veth peer name vb netns icmpt-b &&
	ip -n icmpt-a addr add 198.18.0.1/24 dev va && ip -n icmpt-b addr add 198.18.0.2/24 dev vb &&
	ip -n icmpt-a link set va up && ip -n icmpt-b link set vb up &&
	ip -n icmpt-a link set lo up && ip -n icmpt-b link set lo up || exit 1
$A ping -c 2 -i 0.2 -q 198.18.0.2 >/dev/null || exit 1
$B iperf3 -s -D --logfile /tmp/iperf3-s.log || exit 1
sleep 1
iperf() {
	local j=/tmp/iperf.json
	if [[ $1 == tcp ]]; then
		$A iperf3 -c 198.18.0.2 -A 0,0 -t 4 -O 1 -J >$j || return 1
		python3 -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"]))' $j
	else
		$A iperf3 -c 198.18.0.2 -A 0,0 -u -b 0 -l 1400 -t 4 -J >$j || return 1
		python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["end"]; s=e.get("sum_sent", e["sum"]); print(int(s["bits_per_second"]))' $j
	fi
}
configs=("$@")
iperf tcp >/dev/null
for ((r = 0; r < rounds; r++)); do
	for ((i = 0; i < ${#configs[@]}; i++)); do
		c=${configs[(i + r) % ${#configs[@]}]}
		name=${c%%=*} ko=${c#*=}
		[[ -d /sys/module/icmptrace ]] && rmmod icmptrace
		[[ $ko == - ]] || insmod "$ko" || exit 1
		echo "R tcp_bps $name $r $(iperf tcp)"
		echo "R udp_bps $name $r $(iperf udp)"
	done
done
[[ -d /sys/module/icmptrace ]] && rmmod icmptrace
exit 0
