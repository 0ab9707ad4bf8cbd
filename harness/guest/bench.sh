#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the bench VM: the netdevsim pair of the demo (receiver in
# netns zsrv with header split on, queue 3 out of the RSS table and ntuple
# rules steering the bench ports to it; sender in netns zcli), then the
# matrix: MTU x flows x repetition, and in each repetition one transfer
# received with recv() (zcrx-recv --copy) and one with IORING_OP_RECV_ZC
# (zcrx-recv -i eth0 -q 3), their order alternating from one repetition to
# the next so that host noise falls on both paths.
#
# Each transfer appends one line to RESULTS_DIR/bench-runs.txt: "run",
# the point, the exit codes, the receiver's summary (key=value) and the
# receiver side's kernel counters over the transfer (netdevsim's queue 3
# stats, nstat). harness/bench.py turns the lines into the tables.
#   bench.sh RESULTS_DIR TOOLS_DIR MIB REPEAT MTUS FLOWS VERIFY
# MTUS and FLOWS are comma-separated lists; VERIFY 1 has the receivers
# check every byte (--verify), 0 not.

set -euo pipefail

results=$1
tools=$2
mib=$3
repeat=$4
IFS=, read -r -a mtus <<< "$5"
IFS=, read -r -a flows <<< "$6"
verify=()
[ "$7" = 0 ] || verify=(--verify)
queues=4
zq=$((queues - 1))
nsim=/sys/bus/netdevsim
runs=$results/bench-runs.txt
logs=$results/bench-logs
# A transfer that has not ended after this long is killed and recorded as
# failed, so that one stuck point does not cost the rest of the matrix.
run_limit=$((120 + mib))
zc_port=9999
copy_port=9998
export NSTAT_HISTORY=/tmp/bench.nstat

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

# counters: the receiver's queue $zq stats and TCP/IP counters, key=value;
# nstat prints (and then forgets) what changed since the previous call.
counters() {
	ip netns exec zsrv ethtool -S eth0 | awk -v q="rx${zq}_" '
		$1 == q "packets:" { printf " q_packets=%s", $2 }
		$1 == q "hds_packets:" { printf " q_hds_packets=%s", $2 }
		$1 == q "drop_no_buf:" { printf " q_drop_no_buf=%s", $2 }'
	ip netns exec zsrv nstat -z IpExtInOctets TcpInSegs TcpExtTCPRcvCoalesce |
		awk '$1 == "IpExtInOctets" { printf " in_octets=%s", $2 }
		     $1 == "TcpInSegs" { printf " in_segs=%s", $2 }
		     $1 == "TcpExtTCPRcvCoalesce" { printf " rcv_coalesce=%s", $2 }'
}

# delta BEFORE AFTER KEY: AFTER's KEY minus BEFORE's
delta() {
	local a b

	a=$(tr ' ' '\n' <<< "$1" | sed -n "s/^$3=//p")
	b=$(tr ' ' '\n' <<< "$2" | sed -n "s/^$3=//p")
	echo $(( ${b:-0} - ${a:-0} ))
}

# wait_listen PORT PID: until the receiver listens, false if it exited
wait_listen() {
	while ! ip netns exec zsrv ss -Hltn "sport = :$1" | grep -q .; do
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.2
	done
}

# field LINE KEY: a value of a key=value line
field() {
	tr ' ' '\n' <<< "$1" | sed -n "s/^$2=//p" | head -1
}

# run_one PATH MTU FLOWS REP: one transfer, one line in $runs
run_one() {
	local path=$1 mtu=$2 nflows=$3 rep=$4 port args rx rx_rc=0 tx_rc=0
	local name before after sum t0

	name=$path-mtu$mtu-f$nflows-r$rep
	if [ "$path" = zc ]; then
		port=$zc_port
		args=(-i eth0 -q "$zq")
	else
		port=$copy_port
		args=(--copy)
	fi

	before=$(counters)
	t0=$(date +%s.%N)
	ip netns exec zsrv timeout "$run_limit" "$tools/zcrx-recv" -p "$port" \
		-n "$nflows" "${verify[@]}" -t 0 "${args[@]}" \
		> "$logs/$name.out" 2> "$logs/$name.err" &
	rx=$!
	if wait_listen "$port" "$rx"; then
		ip netns exec zcli timeout "$run_limit" "$tools/zcrx-send" \
			-h 192.0.2.1 -p "$port" -c "$nflows" -l "$((mib << 20))" \
			> "$logs/$name-send.out" 2> "$logs/$name-send.err" || tx_rc=$?
		# a sender that failed leaves the receiver waiting for it
		[ "$tx_rc" -eq 0 ] || kill -TERM "$rx" 2>/dev/null || true
	else
		tx_rc=255
	fi
	wait "$rx" || rx_rc=$?
	after=$(counters)

	sum=$(grep -m1 '^summary ' "$logs/$name.out" || true)
	{
		printf 'run path=%s mtu=%s flows=%s rep=%s rx_rc=%s tx_rc=%s' \
			"$path" "$mtu" "$nflows" "$rep" "$rx_rc" "$tx_rc"
		printf ' expect_bytes=%s run_s=%s' "$((mib << 20))" \
			"$(echo "$(date +%s.%N) - $t0" | bc)"
		printf ' q_packets=%s q_hds_packets=%s q_drop_no_buf=%s' \
			"$(delta "$before" "$after" q_packets)" \
			"$(delta "$before" "$after" q_hds_packets)" \
			"$(delta "$before" "$after" q_drop_no_buf)"
		# nstat already printed differences
		printf ' in_octets=%s in_segs=%s rcv_coalesce=%s' \
			"$(field "$after" in_octets)" "$(field "$after" in_segs)" \
			"$(field "$after" rcv_coalesce)"
		[ -z "$sum" ] || printf ' %s' "${sum#summary }"
		echo
	} >> "$runs"

	if [ -n "$sum" ] && [ "$rx_rc" -eq 0 ] && [ "$tx_rc" -eq 0 ] &&
	   [ "$(field "$sum" verified)" != no ]; then
		echo "ok: $(field "$sum" cpu_s_per_gib) cpu s/GiB," \
		     "$(field "$sum" mib_s) MiB/s, zc $(field "$sum" zc_pct)%"
	else
		echo "FAILED (receiver exit $rx_rc, sender exit $tx_rc," \
		     "verified=$(field "$sum" verified); see ${logs#"$results"/}/$name.err)"
	fi
}

# point MTU FLOWS: the repetitions of one point, copy and zc alternating
point() {
	local r path order

	for ((r = 1; r <= repeat; r++)); do
		if ((r % 2)); then order="copy zc"; else order="zc copy"; fi
		for path in $order; do
			done_runs=$((done_runs + 1))
			printf 'bench: [%d/%d] mtu %s, %s flow(s), %s, run %d/%d: ' \
				"$done_runs" "$total_runs" "$1" "$2" "$path" "$r" "$repeat"
			run_one "$path" "$1" "$2" "$r"
		done
	done
}

matrix() {
	local mtu f

	total_runs=$(( ${#mtus[@]} * ${#flows[@]} * repeat * 2 ))
	done_runs=0
	say "$total_runs transfers of $mib MiB:" \
	    "MTU ${mtus[*]} x flows ${flows[*]} x $repeat x {copy, zc}"
	for mtu in "${mtus[@]}"; do
		set_mtu "$mtu"
		for f in "${flows[@]}"; do
			point "$mtu" "$f"
		done
	done
}

mkdir -p "$logs"
: > "$runs"
nsim_setup
nsim_wire
nsim_configure "$zc_port" "$copy_port"
ip netns exec zsrv nstat -n
matrix
dmesg > "$results/bench-dmesg.txt"
say "done"
