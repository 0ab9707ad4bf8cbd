#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the demo VM: a netdevsim pair linked across two network
# namespaces, a TCP transfer of a random file from one to the other, and a
# report of what moved and whether it arrived intact.
#   demo.sh RESULTS_DIR MIB

set -euo pipefail

results=$1
mib=$2
port=9999
nsim=/sys/bus/netdevsim

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

say() { echo "demo: $*"; }

ifname_of() {
	local d

	for d in "$nsim/devices/netdevsim$1/net/"*; do
		basename "$d"
	done
}

setup() {
	local srv cli fd_s fd_c

	say "creating netdevsim devices 1 and 2 (one port, 2 queues each)"
	echo "1 1 2" > "$nsim/new_device"
	echo "2 1 2" > "$nsim/new_device"
	udevadm settle 2>/dev/null || sleep 1
	srv=$(ifname_of 1)
	cli=$(ifname_of 2)

	ip netns add zsrv
	ip netns add zcli
	ip link set "$srv" netns zsrv name eth0
	ip link set "$cli" netns zcli name eth0

	exec {fd_s}< /var/run/netns/zsrv
	exec {fd_c}< /var/run/netns/zcli
	say "linking them: receiver in netns zsrv, sender in netns zcli"
	echo "$fd_s:$(ip netns exec zsrv cat /sys/class/net/eth0/ifindex)" \
	     "$fd_c:$(ip netns exec zcli cat /sys/class/net/eth0/ifindex)" \
	     > "$nsim/link_device"

	ip -n zsrv addr add 192.0.2.1/24 dev eth0
	ip -n zcli addr add 192.0.2.2/24 dev eth0
	ip -n zsrv link set eth0 up
	ip -n zcli link set eth0 up
	ip -n zsrv link set lo up
	ip -n zcli link set lo up
	ip netns exec zcli ping -c 1 -W 5 192.0.2.1 > /dev/null
	say "ping across the pair: ok"
}

transfer() {
	local src=/tmp/demo.src sent got t0 t1 rx

	say "sending $mib MiB of random data over TCP, port $port"
	head -c "$((mib << 20))" /dev/urandom > "$src"
	sent=$(sha256sum < "$src" | cut -d' ' -f1)

	ip netns exec zsrv socat -u "TCP-LISTEN:$port,reuseaddr" - |
		sha256sum | cut -d' ' -f1 > /tmp/demo.got &
	rx=$!
	sleep 1
	t0=$(date +%s.%N)
	ip netns exec zcli socat -u "OPEN:$src" "TCP:192.0.2.1:$port"
	wait "$rx"
	t1=$(date +%s.%N)
	got=$(cat /tmp/demo.got)

	{
		echo "bytes sent      $((mib << 20))"
		echo "sha256 sent     $sent"
		echo "sha256 received $got"
		echo "data verified   $([ "$sent" = "$got" ] && echo yes || echo NO)"
		echo "seconds         $(echo "$t1 - $t0" | bc)"
		echo "MiB/s (TCG)     $(echo "scale=1; $mib / ($t1 - $t0)" | bc)"
		echo "sender tx       $(ip -n zcli -s -j link show eth0 | python3 -c \
			'import json,sys; s=json.load(sys.stdin)[0]["stats64"]["tx"]; print(s["bytes"], "bytes,", s["packets"], "packets")')"
	} | tee "$results/demo.txt"
	[ "$sent" = "$got" ]
}

setup
transfer
say "done"
