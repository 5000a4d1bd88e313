#!/bin/bash
# The micro-benchmark knob's own defects (issue 12 item 6), run in the VM by
#   scripts/vm-run --no-module -- bench/knob_test.sh KO     (KO: an ICMPT_BENCH=y build)
# TAP.  scripts/bench runs it before measuring.  Each check failed before its fix:
#   1. insmod KO bench=... used the rings before they existed (NULL dereference);
#   2. rmmod during a run freed the rings under it;
#   3. "solo" rewrote consumer_pos with a reader attached.
set -uo pipefail
ko=${1:?ko}
param=/sys/module/icmptrace/parameters/bench
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $*"; }
oopsed() { dmesg | grep -qE 'BUG:|Oops|general protection|KASAN'; }
echo "TAP version 13"
echo "1..6"
[[ -d /sys/module/icmptrace ]] && rmmod icmptrace

# Quoted so that the value reaches the knob whole (a bare space ends it).
if insmod "$ko" 'bench="solo 10"' 2>/tmp/knob.err; then
	not_ok "insmod with bench= is refused"
	rmmod icmptrace
else
	ok "insmod with bench= is refused: $(tr -d '\n' </tmp/knob.err) $(dmesg | grep -c 'once the module is loaded') refusal(s) logged"
fi
if oopsed; then not_ok "no oops after insmod bench="; else ok "no oops after insmod bench="; fi

insmod "$ko" || exit 1
# solo: every record written (about 0.6 us each under TCG), so the run lasts seconds.
taskset -c 0 sh -c "echo 'solo 20000000' > $param" &
run=$!
sleep 0.5
if ! kill -0 $run 2>/dev/null; then
	not_ok "rmmod during a run is refused: the run ended before rmmod"
elif rmmod icmptrace 2>/tmp/knob.err; then
	not_ok "rmmod during a run is refused"
else
	ok "rmmod during a run is refused: $(tr -d '\n' </tmp/knob.err)"
fi
wait $run
if oopsed; then not_ok "no oops after rmmod during a run"; else ok "no oops after rmmod during a run"; fi
[[ -d /sys/module/icmptrace ]] || insmod "$ko"

# A reader holds the device: solo must not touch its consumer position.
exec 3</dev/icmptrace
if sh -c "echo 'solo 100000' > $param" 2>/dev/null; then
	not_ok "solo refused while a reader holds the device"
else
	ok "solo refused while a reader holds the device"
fi
exec 3<&-
if sh -c "echo 'solo 100000' > $param" && grep -q 'written=100000 ' $param; then
	ok "solo runs once the reader is gone: $(cat $param)"
else
	not_ok "solo runs once the reader is gone: $(cat $param)"
fi
rmmod icmptrace
exit $failed
