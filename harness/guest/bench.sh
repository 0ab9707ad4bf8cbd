#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the bench VM: the netdevsim pair of the demo (receiver in
# netns zsrv with header split on, queue 3 out of the RSS table and ntuple
# rules steering the bench ports to it; sender in netns zcli), both ends'
# NAPI threaded, then the transfers of PLAN in order, one per line:
#
#   xfer path=copy|zc mtu=M flows=F consume=none|read|verify
#        buf=page|64k delivery=wire|hw-gro rep=K
#
# path copy is zcrx-recv --copy (recv()), zc is zcrx-recv -i eth0 -q 3
# (IORING_OP_RECV_ZC), buf 64k asks for 64 KiB rx buffers in huge pages.
#
# Each transfer appends one line to RESULTS_DIR/bench-runs.txt: "run", the
# plan's keys, the exit codes, the receiver's summary (key=value) and what
# changed on the receiver side over the transfer: the runtime of its NAPI
# threads (/proc/PID/schedstat), of the whole guest (/proc/schedstat),
# softirq and hardirq time (/proc/stat), netdevsim's queue 3 counters
# (packets, header split, the DMA engine's time and bytes, the time in its
# NAPI poll), TCP counters.
# harness/bench.py turns the lines into the tables.
#   bench.sh RESULTS_DIR TOOLS_DIR MIB PLAN

set -euo pipefail

results=$1
tools=$2
mib=$3
plan=$4
queues=4
zq=$((queues - 1))
nsim=/sys/bus/netdevsim	# for nsim-pair.sh
port_dfs=/sys/kernel/debug/netdevsim/netdevsim1/ports/0
runs=$results/bench-runs.txt
logs=$results/bench-logs
# A transfer that has not ended after this long (guest seconds) is killed
# and recorded as failed, so that one stuck point does not cost the rest.
run_limit=$((120 + mib))
zc_port=9999
copy_port=9998
warm_mib=32
last_path=
export NSTAT_HISTORY=/tmp/bench.nstat
napi_pids=()

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

say() { echo "bench: $*"; }

# shellcheck source=nsim-pair.sh
. "$(dirname "$0")/nsim-pair.sh"

# set_mtu MTU: on both ends, and check that the device took it
set_mtu() {
	local ns got

	for ns in zsrv zcli; do
		if ! ip -n "$ns" link set eth0 mtu "$1"; then
			say "ERROR: netdevsim in $ns refused mtu $1"
			exit 1
		fi
		got=$(ip netns exec "$ns" cat /sys/class/net/eth0/mtu)
		if [ "$got" != "$1" ]; then
			say "ERROR: $ns eth0 has mtu $got after setting $1"
			exit 1
		fi
	done
}

# napi_threads NS: the PIDs of the NAPI threads that appear when NS's eth0
# goes threaded (named napi/eth0-ID, as the other end's would be)
napi_threads() {
	local before p

	before=" $(napi_pids) "
	ip netns exec "$1" sh -c 'echo 1 > /sys/class/net/eth0/threaded'
	for p in $(napi_pids); do
		[[ "$before" == *" $p "* ]] || echo "$p"
	done
}

# napi_pids: the PIDs of every NAPI thread, none if there is none
napi_pids() {
	ps -e -o pid= -o comm= | awk '$2 ~ /^napi\// { print $1 }' | paste -sd ' '
}

# threaded: both ends' NAPI in kernel threads, so that the receiver's
# (netdevsim's "DMA", GRO, TCP input) runs in threads of its own rather
# than in the softirq of whoever transmitted, and can be measured. They,
# the tools and this script run SCHED_FIFO at one priority: neither a
# wakeup nor the tick preempts, each task runs until it blocks, and the
# scheduler reads its clock at every switch. A preempting wakeup (or one
# that finds a preemption pending) makes the next switch skip that read
# (rq_clock_skip_update()), and the time the waker ran on until it could
# switch (the rest of a NAPI poll) is charged to the next task: seen here
# under SCHED_OTHER as the receiver's NAPI thread showing half the time
# its polls took (netdevsim's rxN_poll_ns), under SCHED_BATCH still up to
# a tenth less.
threaded() {
	local p

	mapfile -t napi_pids < <(napi_threads zsrv)
	if [ "${#napi_pids[@]}" -ne "$queues" ]; then
		say "ERROR: $queues NAPI threads expected on the receiver, got ${#napi_pids[@]}"
		exit 1
	fi
	napi_threads zcli > /dev/null
	# this script and all it starts inherit it
	chrt -f -p 1 $$
	for p in $(napi_pids); do
		chrt -f -p 1 "$p"
	done
	say "NAPI threaded on both ends, SCHED_FIFO 1; the receiver's NAPI threads: ${napi_pids[*]}"
}

# snap: the receiver side's counters now, key=value. nstat prints (and
# then forgets) what changed since its previous call.
snap() {
	local p ns=0 f

	for p in "${napi_pids[@]}"; do
		read -r f _ < "/proc/$p/schedstat"
		ns=$((ns + f))
	done
	printf ' napi_ns=%s' "$ns"
	# field 7 of each cpu line: the time the CPU ran tasks other than idle
	awk '$1 ~ /^cpu[0-9]/ { t += $8 } END { printf " guest_ns=%.0f", t }' \
		/proc/schedstat
	# USER_HZ ticks, from the ns IRQ_TIME_ACCOUNTING keeps
	awk '$1 == "cpu" { printf " irq_ticks=%s softirq_ticks=%s", $7, $8 }' \
		/proc/stat
	ip netns exec zsrv ethtool -S eth0 | awk -v q="rx${zq}_" '
		$1 == q "packets:" { printf " q_packets=%s", $2 }
		$1 == q "hds_packets:" { printf " q_hds_packets=%s", $2 }
		$1 == q "drop_no_buf:" { printf " q_drop_no_buf=%s", $2 }
		$1 == q "dma_ns:" { printf " dma_ns=%s", $2 }
		$1 == q "dma_bytes:" { printf " dma_bytes=%s", $2 }
		$1 == q "poll_ns:" { printf " poll_ns=%s", $2 }'
	ip netns exec zsrv nstat -z IpExtInOctets TcpInSegs TcpExtTCPRcvCoalesce |
		awk '$1 == "IpExtInOctets" { printf " in_octets=%s", $2 }
		     $1 == "TcpInSegs" { printf " in_segs=%s", $2 }
		     $1 == "TcpExtTCPRcvCoalesce" { printf " rcv_coalesce=%s", $2 }'
	# the sender's, with a history of their own
	NSTAT_HISTORY=$NSTAT_HISTORY.tx ip netns exec zcli nstat -z TcpRetransSegs |
		awk '$1 == "TcpRetransSegs" { printf " retrans=%s", $2 }'
}

# field LINE KEY: a value of a key=value line
field() {
	tr ' ' '\n' <<< "$1" | sed -n "s/^$2=//p" | head -1
}

# deltas BEFORE AFTER: AFTER minus BEFORE for every key of BEFORE, except
# nstat's, which are differences already
deltas() {
	local kv k

	for kv in $1; do
		k=${kv%%=*}
		case $k in
		in_octets|in_segs|rcv_coalesce|retrans)
			printf ' %s=%s' "$k" "$(field "$2" "$k")" ;;
		*)
			printf ' %s=%s' "$k" "$(( $(field "$2" "$k") - ${kv#*=} ))" ;;
		esac
	done
}

# wait_listen PORT PID: until the receiver listens, false if it exited
wait_listen() {
	while ! ip netns exec zsrv ss -Hltn "sport = :$1" | grep -q .; do
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.2
	done
}

# warm_up PORT FLOWS ARGS...: an unrecorded transfer of $warm_mib MiB, before
# a recv() point that follows a RECV_ZC one. Binding a queue and letting it
# go restarts it: the queue's page pools are new and empty, and recv()
# after RECV_ZC then paid for filling them (1.77 s/GiB at a point where
# recv() after recv() cost 1.54). RECV_ZC needs none: it always starts
# with a binding of its own.
warm_up() {
	local port=$1 nflows=$2 before rx_rc tx_rc

	shift 2
	transfer "$port" "$nflows" "$warm_mib" warm-up "$@"
}

# transfer PORT FLOWS MIB NAME ARGS...: zcrx-recv ARGS on PORT, and
# zcrx-send of MIB MiB over FLOWS connections once it listens; their output
# in $logs/NAME*. Sets the caller's $before (snap as the sender starts),
# $rx_rc and $tx_rc.
transfer() {
	local port=$1 nflows=$2 size=$3 name=$4 rx

	shift 4
	rx_rc=0
	tx_rc=0
	ip netns exec zsrv timeout "$run_limit" "$tools/zcrx-recv" -p "$port" \
		-n "$nflows" -t 0 "$@" > "$logs/$name.out" 2> "$logs/$name.err" &
	rx=$!
	if wait_listen "$port" "$rx"; then
		before=$(snap)
		ip netns exec zcli timeout "$run_limit" "$tools/zcrx-send" \
			-h 192.0.2.1 -p "$port" -c "$nflows" -l "$((size << 20))" \
			> "$logs/$name-send.out" 2> "$logs/$name-send.err" || tx_rc=$?
		# a sender that failed leaves the receiver waiting for it
		[ "$tx_rc" -eq 0 ] || kill -TERM "$rx" 2>/dev/null || true
	else
		before=$(snap)
		tx_rc=255
	fi
	wait "$rx" || rx_rc=$?
}

# huge_pages_free N: wait (up to 60 s) until N huge pages are free. A ring's
# teardown, and with it the release of its area, runs in a kworker after
# the process exits: a 64 KiB point that followed another 64 KiB transfer
# too closely found its huge pages still held ("no huge pages for the
# area").
huge_pages_free() {
	local i

	for ((i = 0; i < 300; i++)); do
		(( $(awk '$1 == "HugePages_Free:" { print $2 }' /proc/meminfo) >= $1 )) &&
			return
		sleep 0.2
	done
}

# run_one KEY=VALUE...: one transfer of the plan, one line in $runs
run_one() {
	local path mtu nflows consume buf delivery rep port args
	local rx_rc tx_rc name before after sum t0 kv

	for kv in "$@"; do
		case $kv in
		path=*) path=${kv#*=} ;;
		mtu=*) mtu=${kv#*=} ;;
		flows=*) nflows=${kv#*=} ;;
		consume=*) consume=${kv#*=} ;;
		buf=*) buf=${kv#*=} ;;
		delivery=*) delivery=${kv#*=} ;;
		rep=*) rep=${kv#*=} ;;
		esac
	done
	name=$path-mtu$mtu-f$nflows-$consume-$buf-$delivery-r$rep
	if [ "$path" = zc ]; then
		port=$zc_port
		args=(-i eth0 -q "$zq")
		[ "$buf" = page ] || args+=(-H --buf-len 65536)
	else
		port=$copy_port
		args=(--copy)
	fi
	[ "$(ip netns exec zsrv cat /sys/class/net/eth0/mtu)" = "$mtu" ] ||
		set_mtu "$mtu"
	echo "$delivery" > "$port_dfs/rx_delivery"
	[ "$path" = zc ] || [ "$last_path" = copy ] ||
		warm_up "$port" "$nflows" "${args[@]}"
	last_path=$path
	[ "$buf" = page ] || huge_pages_free 33

	t0=$(date +%s.%N)
	transfer "$port" "$nflows" "$mib" "$name" --consume "$consume" "${args[@]}"
	after=$(snap)

	sum=$(grep -m1 '^summary ' "$logs/$name.out" || true)
	{
		printf 'run %s rx_rc=%s tx_rc=%s' "$*" "$rx_rc" "$tx_rc"
		printf ' expect_bytes=%s run_s=%s' "$((mib << 20))" \
			"$(echo "$(date +%s.%N) - $t0" | bc)"
		deltas "$before" "$after"
		[ -z "$sum" ] || printf ' %s' "${sum#summary }"
		echo
	} >> "$runs"

	if [ -n "$sum" ] && [ "$rx_rc" -eq 0 ] && [ "$tx_rc" -eq 0 ] &&
	   [ "$(field "$sum" verified)" != no ]; then
		echo "ok: task $(field "$sum" task_s) s, zc $(field "$sum" zc_pct)%"
	else
		echo "FAILED (receiver exit $rx_rc, sender exit $tx_rc," \
		     "verified=$(field "$sum" verified); see ${logs#"$results"/}/$name.err)"
	fi
}

mkdir -p "$logs"
: > "$runs"
say "$(nproc) CPU(s); clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
nsim_setup
nsim_configure "$zc_port" "$copy_port"
# each transfer starts from the same TCP state: no ssthresh, cwnd or RTT
# remembered from the one before (which made recv() at one point cost 1.54
# or 1.77 s/GiB depending on the transfer it followed)
for ns in zsrv zcli; do
	ip netns exec "$ns" sysctl -qw net.ipv4.tcp_no_metrics_save=1
done
# and the receiver's sockets have one buffer size (4 MiB), not one that
# autotuning grows from RTT samples taken on the tick: the size it reached
# differed from transfer to transfer, and with it how many calls recv()
# made (2078 or 2778 for 256 MiB at MTU 1500, one flow)
ip netns exec zsrv sysctl -qw net.ipv4.tcp_moderate_rcvbuf=0 \
	net.ipv4.tcp_rmem="4096 4194304 4194304"
# and no frame is lost: the receiving queue's rx ring has 1024 frames and
# the sender keeps at most 128 KiB per socket in the device (TSQ), so that
# four flows' frames in flight fit in the ring (netdevsim drops the frames
# that do not, as a NIC out of rx descriptors does). With the 256 frames
# netdevsim starts with and TSQ's 1 MiB, TCP's recovery cost recv() at MTU
# 9000 with four flows 2.25 to 2.53 s/GiB, 1.91 without losses; with
# 128 KiB, four flows at MTU 1500 still lost 300 segments per transfer.
# "retrans" shows that none were.
ip netns exec zsrv ethtool -G eth0 rx 1024
ip netns exec zcli sysctl -qw net.ipv4.tcp_limit_output_bytes=131072
threaded
ip netns exec zsrv nstat -n
NSTAT_HISTORY=$NSTAT_HISTORY.tx ip netns exec zcli nstat -n
total=$(grep -c '^xfer ' "$plan")
n=0
while read -r word rest; do
	[ "$word" = xfer ] || continue
	n=$((n + 1))
	printf 'bench: [%d/%d] %s: ' "$n" "$total" "$rest"
	# shellcheck disable=SC2086 # the plan's words are key=value
	run_one $rest < /dev/null
done < "$plan"
dmesg > "$results/bench-dmesg.txt"
say "done"
