#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the demo VM: a netdevsim pair linked across two network
# namespaces, the receiver's last queue set up for zero-copy receive
# (header split, out of the RSS table, an ntuple rule for the port), then
# the same transfer received twice: by zcrx-recv with IORING_OP_RECV_ZC and
# by zcrx-recv --copy with plain recv(). Both verify every byte; the table
# compares them. Before the setup, zcrx-recv's diagnosis of the refusal;
# during the RECV_ZC transfer, zcrx-stat.
#   demo.sh RESULTS_DIR MIB TOOLS_DIR

set -euo pipefail

results=$1
mib=$2
tools=$3
queues=4
zq=$((queues - 1))
nsim=/sys/bus/netdevsim

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

say() { echo "demo: $*"; }

# shellcheck source=nsim-pair.sh
. "$(dirname "$0")/nsim-pair.sh"

# Before the device is set up, registration fails: zcrx-recv says why in
# plain words and prints the commands that fix it.
diagnose() {
	local out=$results/demo-diagnosis.txt

	say "before any setup: zcrx-recv -i eth0 -q $zq -p 9999 (expected to refuse)"
	if ip netns exec zsrv "$tools/zcrx-recv" -i eth0 -q "$zq" -p 9999 -n 1 \
		> "$out" 2>&1; then
		say "zcrx-recv registered on a device without header split"
		return 1
	fi
	sed 's/^/    /' "$out"
	grep -q "ethtool -G eth0 tcp-data-split on hds-thresh 0" "$out"
}


# While zcrx-recv PID holds queue $zq: zcrx-stat shows the binding, the
# process and ring that hold it and the ifq's counters, read over netdev
# netlink and from the ring's fdinfo; the snapshot must name that pid.
stat_bound() {
	local pid=$1 out=$results/demo-stat.txt

	say "zcrx-stat -i eth0, while zcrx-recv (pid $pid) holds rx queue $zq"
	ip netns exec zsrv "$tools/zcrx-stat" -i eth0 > "$out"
	sed 's/^/    /' "$out"
	grep -q "rx queue $zq: io_uring" "$out" &&
		grep -q "of pid $pid (zcrx-recv)" "$out"
}

# receive NAME PORT RECEIVER-ARGS...: one transfer of $mib MiB, the
# receiver's summary (key=value) in $results/demo-NAME.txt; for RECV_ZC,
# zcrx-stat before and during the transfer
receive() {
	local name=$1 port=$2 rx watch=
	shift 2

	say "$name: receiving $mib MiB on port $port: zcrx-recv $*"
	ip netns exec zsrv "$tools/zcrx-recv" -p "$port" -n 1 --verify -t 10 "$@" \
		> "$results/demo-$name.txt" &
	rx=$!
	sleep 1
	if [ "$name" = zc ]; then
		stat_bound "$rx"
		say "zcrx-stat -i eth0 -w 2 -c 3: the counters' rates during the transfer"
		ip netns exec zsrv "$tools/zcrx-stat" -i eth0 -w 2 -c 3 \
			> "$results/demo-stat-watch.txt" &
		watch=$!
	fi
	ip netns exec zcli "$tools/zcrx-send" -h 192.0.2.1 -p "$port" \
		-l "$((mib << 20))" > "$results/demo-$name-send.txt"
	wait "$rx"
	if [ -n "$watch" ]; then
		wait "$watch"
		sed 's/^/    /' "$results/demo-stat-watch.txt"
	fi
	say "$name: $(cat "$results/demo-$name.txt")"
}

# field FILE KEY: a value of a summary line
field() {
	tr ' ' '\n' < "$1" | sed -n "s/^$2=//p" | head -1
}

# per_gib FILE KEY: a seconds value of a summary line, per GiB received
per_gib() {
	printf '%.3f' "$(echo "scale=6; $(field "$1" "$2") * 1073741824 / $(field "$1" bytes)" | bc)"
}

table() {
	local z=$results/demo-zc.txt c=$results/demo-copy.txt zcpu ccpu

	zcpu=$(field "$z" cpu_s_per_gib)
	ccpu=$(field "$c" cpu_s_per_gib)
	{
		printf '%-28s %16s %16s\n' "" "RECV_ZC" "recv() copy"
		printf '%-28s %16s %16s\n' "bytes received" \
			"$(field "$z" bytes)" "$(field "$c" bytes)"
		printf '%-28s %16s %16s\n' "data verified" \
			"$(field "$z" verified)" "$(field "$c" verified)"
		printf '%-28s %16s %16s\n' "zero-copy fraction (%)" \
			"$(field "$z" zc_pct)" "0"
		printf '%-28s %16s %16s\n' "receiver CPU s per GiB" "$zcpu" "$ccpu"
		printf '%-28s %16s %16s\n' "  of it in the kernel (sys)" \
			"$(per_gib "$z" cpu_sys_s)" "$(per_gib "$c" cpu_sys_s)"
		printf '%-28s %16s %16s\n' "throughput MiB/s (TCG)" \
			"$(field "$z" mib_s)" "$(field "$c" mib_s)"
		printf '%-28s %16.2f\n' "CPU per GiB, RECV_ZC/copy" \
			"$(echo "scale=4; $zcpu / $ccpu" | bc)"
	} | tee "$results/demo.txt"
}

nsim_setup
diagnose
nsim_configure 9999 9998
receive zc 9999 -i eth0 -q "$zq"
receive copy 9998 --copy
table
[ "$(field "$results/demo-zc.txt" verified)" = yes ]
[ "$(field "$results/demo-copy.txt" verified)" = yes ]
awk '{ exit !($1 >= 99) }' <<< "$(field "$results/demo-zc.txt" zc_pct)"
say "done"
